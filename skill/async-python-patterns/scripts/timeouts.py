"""Demo: a deadline cancels slow work and raises TimeoutError.

Work that needs --work seconds runs under a --timeout second deadline, using
asyncio.timeout() where available (3.11+) and asyncio.wait_for() before that.

Run: python timeouts.py [--timeout 0.1] [--work 1.0]
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline


async def guarded_work(seconds: float, log: list) -> str:
    try:
        await asyncio.sleep(seconds)
        return "finished"
    except asyncio.CancelledError:
        log.append("inner work was cancelled by the deadline")
        raise  # let the timeout machinery see the cancellation


async def main(timeout: float, work: float) -> dict:
    log: list = []
    api = "asyncio.timeout" if hasattr(asyncio, "timeout") else "asyncio.wait_for"
    timeline = Timeline()
    start = timeline.start
    exception = None
    try:
        with timeline.span("work under a deadline"):
            if hasattr(asyncio, "timeout"):
                async with asyncio.timeout(timeout):
                    outcome = await guarded_work(work, log)
            else:
                outcome = await asyncio.wait_for(guarded_work(work, log), timeout)
    except asyncio.TimeoutError:  # the built-in TimeoutError on 3.11+
        outcome = None
        exception = "TimeoutError"
    elapsed = time.perf_counter() - start
    timed_out = exception is not None
    print(f"api       : {api}")
    print(f"deadline  : {timeout}s for work of {work}s")
    print(f"outcome   : {'timed out' if timed_out else outcome} after {elapsed:.3f}s")
    for line in log:
        print(f"note      : {line}")
    expected_timeout = work > timeout
    # The span shows it: cut at the deadline (timed_out) or finished in its own time.
    (span,) = timeline.spans
    lasted = (span["end_ms"] - span["start_ms"]) / 1000
    ok = (
        timed_out == expected_timeout
        and span["outcome"] == ("timed_out" if expected_timeout else "done")
        and lasted < min(work, timeout) + 0.15
    )
    return {
        "demo": "timeouts",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "timeout": timeout,
        "work": work,
        "timed_out": timed_out,
        "exception": exception,
        "api": api,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0.1)
    parser.add_argument("--work", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.timeout, args.work))))
