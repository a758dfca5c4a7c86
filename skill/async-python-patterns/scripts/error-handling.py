"""Demo: report failures of concurrent jobs honestly.

Runs --jobs jobs where every --fail_every-th one raises, and the last one is cancelled
while it runs. A naive wrapper that swallows errors reports "0 failed"; counting with
isinstance(r, Exception) misses the cancelled job (CancelledError is a BaseException);
counting every BaseException that gather returned reports the truth.

Run: python error-handling.py [--jobs 8] [--fail_every 3]
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


async def job(n: int, fail_every: int, record) -> int:
    with record(f"job {n}"):
        await asyncio.sleep(0.005)
        if n % fail_every == 0:
            raise ValueError(f"job {n} failed")
        return n


async def swallow(coro):
    try:
        return await coro
    except Exception:
        return None  # the flaw: the error is gone, nobody can count it


async def run_batch(jobs: int, fail_every: int, wrap, record) -> list:
    """Every job as a task; the last one is cancelled mid-flight (a shutdown, a timeout)."""
    tasks = [asyncio.ensure_future(wrap(job(n, fail_every, record))) for n in range(1, jobs + 1)]
    await asyncio.sleep(0)
    tasks[-1].cancel()
    return await asyncio.gather(*tasks, return_exceptions=True)


def count_failed(results: list) -> int:
    # BaseException: the cancelled job comes back as a CancelledError instance.
    return sum(1 for r in results if isinstance(r, BaseException))


async def main(jobs: int, fail_every: int) -> dict:
    timeline = Timeline()
    start = timeline.start
    naive = await run_batch(jobs, fail_every, swallow, functools.partial(timeline.span, group="swallowing wrapper"))
    naive_failed = sum(1 for r in naive if isinstance(r, Exception))

    record = functools.partial(timeline.span, group="return_exceptions=True")
    honest = await run_batch(jobs, fail_every, lambda coro: coro, record)
    errors = [r for r in honest if isinstance(r, BaseException)]
    only_exceptions = sum(1 for r in honest if isinstance(r, Exception))
    failed = count_failed(honest)
    elapsed = time.perf_counter() - start
    # The jobs that raise, plus the cancelled last one (counted once if it would also raise).
    expected_failed = len([n for n in range(1, jobs) if n % fail_every == 0]) + 1
    print(f"swallowing wrapper        : {naive_failed} failed  <- every error became None")
    print(f"isinstance(r, Exception)  : {only_exceptions} failed  <- misses the cancelled job")
    print(f"isinstance(r, BaseException): {failed} failed, {jobs - failed} succeeded")
    for err in errors:
        print(f"  {type(err).__name__}: {err}")
    return {
        "demo": "error-handling",
        # The honest count is right, and the two wrong counts really are wrong.
        "ok": failed == expected_failed
        and only_exceptions == expected_failed - 1
        and naive_failed == 0,
        "elapsed_s": round(elapsed, 4),
        "jobs": jobs,
        "succeeded": jobs - failed,
        "failed": failed,
        "cancelled": sum(1 for r in honest if isinstance(r, asyncio.CancelledError)),
        "counted_as_exception": only_exceptions,
        "naive_reported_failed": naive_failed,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--fail_every", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.jobs, args.fail_every))))
