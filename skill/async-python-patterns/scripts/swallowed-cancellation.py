"""Demo: a worker that swallows CancelledError defeats a timeout; re-raising fixes it.

Each worker needs 0.3 s of work and runs under a 0.05 s timeout.

Run: python swallowed-cancellation.py
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline

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
