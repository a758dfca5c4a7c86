"""Demo: report failures of concurrent jobs honestly.

Runs --jobs jobs where every --fail_every-th one raises. A naive wrapper that swallows
errors reports "0 failed"; counting the exceptions gathered reports the truth.

Run: python error-handling.py [--jobs 8] [--fail_every 3]
"""

import argparse
import asyncio
import json
import time


async def job(n: int, fail_every: int) -> int:
    await asyncio.sleep(0.005)
    if n % fail_every == 0:
        raise ValueError(f"job {n} failed")
    return n


async def swallow(coro):
    try:
        return await coro
    except Exception:
        return None  # the flaw: the error is gone, nobody can count it


async def main(jobs: int, fail_every: int) -> dict:
    start = time.perf_counter()
    naive = await asyncio.gather(*(swallow(job(n, fail_every)) for n in range(1, jobs + 1)))
    naive_failed = sum(1 for r in naive if isinstance(r, Exception))

    honest = await asyncio.gather(*(job(n, fail_every) for n in range(1, jobs + 1)), return_exceptions=True)
    errors = [r for r in honest if isinstance(r, Exception)]
    elapsed = time.perf_counter() - start
    expected_failed = jobs // fail_every
    print(f"swallowing wrapper : {jobs - naive_failed} succeeded, {naive_failed} failed  <- wrong")
    print(f"counting exceptions: {jobs - len(errors)} succeeded, {len(errors)} failed")
    for err in errors:
        print(f"  {type(err).__name__}: {err}")
    return {
        "demo": "error-handling",
        "ok": len(errors) == expected_failed,
        "elapsed_s": round(elapsed, 4),
        "jobs": jobs,
        "succeeded": jobs - len(errors),
        "failed": len(errors),
        "naive_reported_failed": naive_failed,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--fail_every", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.jobs, args.fail_every))))
