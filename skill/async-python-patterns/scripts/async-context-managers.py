"""Demo: async with releases resources on success, on error and on cancellation.

Run: python async-context-managers.py
"""

import argparse
import asyncio
import contextlib
import json
import time
from contextlib import AsyncExitStack, asynccontextmanager


class Timeline:
    """Real start, end and outcome of each task, in ms since the demo began: the summary's
    `timeline`, which a viewer draws as one lane per span."""

    OUTCOMES = ((asyncio.CancelledError, "cancelled"), (asyncio.TimeoutError, "timed_out"))

    def __init__(self) -> None:
        self.start, self.spans = time.perf_counter(), []

    def ms(self) -> float:
        return round((time.perf_counter() - self.start) * 1000, 1)

    @contextlib.contextmanager
    def span(self, label: str, group: str = ""):
        entry = {"label": label, "group": group, "start_ms": self.ms(), "end_ms": None, "outcome": "done"}
        self.spans.append(entry)
        try:
            yield entry
        except BaseException as exc:  # asyncio.TimeoutError is the built-in one on 3.11+
            entry["outcome"] = next((o for kind, o in self.OUTCOMES if isinstance(exc, kind)), "failed")
            raise
        finally:
            entry["end_ms"] = self.ms()

    def summary(self) -> dict:
        spans = [{k: v for k, v in s.items() if v != ""} for s in self.spans]
        return {"timeline": spans[:64], **({"timeline_dropped": len(spans) - 64} if len(spans) > 64 else {})}


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
