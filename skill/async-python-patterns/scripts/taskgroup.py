"""Demo: when one child of a TaskGroup fails, its siblings are cancelled.

One child named "failing" raises ValueError after --fail_after seconds while --siblings
siblings need --sibling_delay seconds. Uses asyncio.TaskGroup on 3.11+ and the
equivalent wait/cancel/gather recipe on older versions.

Run: python taskgroup.py [--siblings 3] [--fail_after 0.05] [--sibling_delay 1.0]
"""

import argparse
import asyncio
import json
import time


async def sibling(name: str, delay: float, cancelled: list) -> str:
    try:
        await asyncio.sleep(delay)
        return name
    except asyncio.CancelledError:
        cancelled.append(name)
        raise


async def failing(after: float) -> None:
    await asyncio.sleep(after)
    raise ValueError("failing child raised")


async def with_taskgroup(siblings: int, fail_after: float, delay: float, cancelled: list):
    try:
        async with asyncio.TaskGroup() as tg:
            for i in range(siblings):
                tg.create_task(sibling(f"sibling-{i}", delay, cancelled))
            tg.create_task(failing(fail_after))
    except ExceptionGroup as group:  # noqa: F821 - only reached on 3.11+
        # (`except*` would be clearer, but this file must also parse on 3.9/3.10.)
        return [type(e).__name__ for e in group.exceptions]
    return []


async def with_fallback(siblings: int, fail_after: float, delay: float, cancelled: list):
    tasks = [asyncio.ensure_future(sibling(f"sibling-{i}", delay, cancelled)) for i in range(siblings)]
    tasks.append(asyncio.ensure_future(failing(fail_after)))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    return [type(r).__name__ for r in results if isinstance(r, Exception)]


async def main(siblings: int, fail_after: float, sibling_delay: float) -> dict:
    cancelled: list = []
    modern = hasattr(asyncio, "TaskGroup")
    start = time.perf_counter()
    run = with_taskgroup if modern else with_fallback
    exception_types = await run(siblings, fail_after, sibling_delay, cancelled)
    elapsed = time.perf_counter() - start
    expected = sorted(f"sibling-{i}" for i in range(siblings)) if sibling_delay > fail_after else []
    print(f"api        : {'asyncio.TaskGroup' if modern else 'wait + cancel + gather'}")
    print(f"failed     : failing ({', '.join(exception_types)}) after {fail_after}s")
    print(f"cancelled  : {sorted(cancelled)}")
    print(f"elapsed    : {elapsed:.3f}s (siblings needed {sibling_delay}s)")
    return {
        "demo": "taskgroup",
        "ok": sorted(cancelled) == expected and exception_types == ["ValueError"],
        "elapsed_s": round(elapsed, 4),
        "failed": "failing",
        "cancelled": sorted(cancelled),
        "exception_types": sorted(exception_types),
        "api": "TaskGroup" if modern else "fallback",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--siblings", type=int, default=3)
    parser.add_argument("--fail_after", type=float, default=0.05)
    parser.add_argument("--sibling_delay", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.siblings, args.fail_after, args.sibling_delay))))
