"""Demo: a worker that swallows CancelledError defeats a timeout; re-raising fixes it.

Each worker needs 0.3 s of work and runs under a 0.05 s timeout.

Run: python swallowed-cancellation.py
"""

import argparse
import asyncio
import contextlib
import functools
import json
import time


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

WORK = 0.3
DEADLINE = 0.05


async def swallowing_worker(log: list) -> str:
    try:
        await asyncio.sleep(WORK)
    except BaseException:  # the bug: CancelledError is caught and dropped
        log.append("cancellation swallowed")
    await asyncio.sleep(WORK)  # keeps working past the deadline
    return "finished anyway"


async def cooperative_worker(log: list) -> str:
    try:
        await asyncio.sleep(WORK)
    except asyncio.CancelledError:
        log.append("cleaned up, re-raising")
        raise
    return "finished"


async def run(worker, record) -> dict:
    log: list = []
    start = time.perf_counter()
    try:
        with record(f"worker, {DEADLINE}s deadline"):
            result = await asyncio.wait_for(worker(log), DEADLINE)
        timed_out = False
    except asyncio.TimeoutError:
        result = None
        timed_out = True
    return {
        "result": result,
        "timed_out": timed_out,
        "elapsed_s": round(time.perf_counter() - start, 4),
        "log": log,
    }


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    bad = await run(swallowing_worker, functools.partial(timeline.span, group="swallows CancelledError"))
    good = await run(cooperative_worker, functools.partial(timeline.span, group="re-raises CancelledError"))
    elapsed = time.perf_counter() - start
    print(f"deadline {DEADLINE}s, work {WORK}s")
    print(f"symptom: timed_out={bad['timed_out']} after {bad['elapsed_s']}s, result={bad['result']!r}, {bad['log']}")
    print(f"fix    : timed_out={good['timed_out']} after {good['elapsed_s']}s, {good['log']}")
    # With the cancellation swallowed, the deadline is not honoured (3.12+ may still
    # report the timeout, but only after the worker finished its extra work).
    ok = bad["elapsed_s"] >= WORK and good["timed_out"] and good["elapsed_s"] < WORK
    summary = {"demo": "swallowed-cancellation", "ok": ok, "elapsed_s": round(elapsed, 4), "broken": bad, "fixed": good}
    return {**summary, **timeline.summary()}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
