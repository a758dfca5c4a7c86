"""Demo: async with releases resources on success, on error and on cancellation.

Run: python async-context-managers.py
"""

import argparse
import asyncio
import json
import time
from contextlib import AsyncExitStack, asynccontextmanager

from _timeline import Timeline


@asynccontextmanager
async def resource(name: str, log: list):
    await asyncio.sleep(0)
    log.append(f"open {name}")
    try:
        yield name
    finally:
        log.append(f"close {name}")


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    outcomes = {}

    log: list = []
    with timeline.span("body succeeds"):
        async with resource("ok", log):
            await asyncio.sleep(0)
    outcomes["success"] = log

    log = []
    try:
        with timeline.span("body raises"):
            async with resource("error", log):
                raise ValueError("boom")
    except ValueError:
        pass
    outcomes["exception"] = log

    log = []

    async def holder() -> None:
        with timeline.span("body cancelled"):
            async with resource("cancelled", log):
                await asyncio.sleep(10)

    task = asyncio.create_task(holder())
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    outcomes["cancellation"] = log

    log = []
    with timeline.span("AsyncExitStack of 3"):
        async with AsyncExitStack() as stack:
            for n in range(3):
                await stack.enter_async_context(resource(f"stack-{n}", log))
    outcomes["exit_stack"] = log

    elapsed = time.perf_counter() - start
    for case, steps in outcomes.items():
        print(f"{case:<12}: {steps}")
    released = all(steps[-1].startswith("close") for steps in outcomes.values())
    reverse = outcomes["exit_stack"][3:] == ["close stack-2", "close stack-1", "close stack-0"]
    return {
        "demo": "async-context-managers",
        "ok": released and reverse,
        "elapsed_s": round(elapsed, 4),
        "released_on": [case for case, steps in outcomes.items() if steps[-1].startswith("close")],
        "exit_stack_order": outcomes["exit_stack"][3:],
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
