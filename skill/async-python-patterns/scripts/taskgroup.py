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

from _timeline import Timeline


async def sibling(name: str, delay: float, cancelled: list, timeline: Timeline) -> str:
    try:
        with timeline.span(name):
            await asyncio.sleep(delay)
        return name
    except asyncio.CancelledError:
        cancelled.append(name)
        raise


async def failing(after: float, timeline: Timeline) -> None:
    with timeline.span("failing"):
        await asyncio.sleep(after)
        raise ValueError("failing child raised")


async def with_taskgroup(siblings: int, fail_after: float, delay: float, cancelled: list, timeline: Timeline):
    try:
        async with asyncio.TaskGroup() as tg:
            for i in range(siblings):
                tg.create_task(sibling(f"sibling-{i}", delay, cancelled, timeline))
            tg.create_task(failing(fail_after, timeline))
    except ExceptionGroup as group:  # noqa: F821 - only reached on 3.11+
        # (`except*` would be clearer, but this file must also parse on 3.9/3.10.)
        return [type(e).__name__ for e in group.exceptions]
    return []


async def with_fallback(siblings: int, fail_after: float, delay: float, cancelled: list, timeline: Timeline):
    tasks = [asyncio.ensure_future(sibling(f"sibling-{i}", delay, cancelled, timeline)) for i in range(siblings)]
    tasks.append(asyncio.ensure_future(failing(fail_after, timeline)))
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
    timeline = Timeline()
    start = timeline.start
    run = with_taskgroup if modern else with_fallback
    exception_types = await run(siblings, fail_after, sibling_delay, cancelled, timeline)
    elapsed = time.perf_counter() - start
    expected = sorted(f"sibling-{i}" for i in range(siblings)) if sibling_delay > fail_after else []
    print(f"api        : {'asyncio.TaskGroup' if modern else 'wait + cancel + gather'}")
    print(f"failed     : failing ({', '.join(exception_types)}) after {fail_after}s")
    print(f"cancelled  : {sorted(cancelled)}")
    # The timeline agrees: every sibling's span ended cancelled, no later than the failure.
    spans = {s["label"]: s for s in timeline.spans}
    stopped = sorted(name for name, s in spans.items() if s["outcome"] == "cancelled")
    at_failure = all(s["end_ms"] <= spans["failing"]["end_ms"] + 50 for s in spans.values())
    print(f"elapsed    : {elapsed:.3f}s (siblings needed {sibling_delay}s)")
    return {
        "demo": "taskgroup",
        "ok": sorted(cancelled) == expected == stopped
        and exception_types == ["ValueError"]
        and spans["failing"]["outcome"] == "failed"
        and (at_failure or not expected),
        "elapsed_s": round(elapsed, 4),
        "failed": "failing",
        "cancelled": sorted(cancelled),
        "exception_types": sorted(exception_types),
        "api": "TaskGroup" if modern else "fallback",
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--siblings", type=int, default=3)
    parser.add_argument("--fail_after", type=float, default=0.05)
    parser.add_argument("--sibling_delay", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.siblings, args.fail_after, args.sibling_delay))))
