"""Demo: retry a flaky operation with exponential backoff.

The operation fails --failures times, then succeeds. Up to --max_attempts attempts are
made, pausing base_delay * 2**n between them (no jitter here, so the pauses are
predictable; the reference shows jitter).

Run: python retry-backoff.py [--failures 2] [--max_attempts 5] [--base_delay 0.01]
"""

import argparse
import asyncio
import json
import sys
import time

from _timeline import Timeline


class TransientError(Exception):
    pass


def doubled_pause(pause: float) -> float:
    return round(pause * 2, 6)


async def main(failures: int, max_attempts: int, base_delay: float) -> dict:
    attempts = 0
    delays = []
    measured = []

    async def operation() -> str:
        nonlocal attempts
        attempts += 1
        if attempts <= failures:
            raise TransientError(f"attempt {attempts} failed")
        return "success"

    timeline = Timeline()
    start = timeline.start
    succeeded = False
    for n in range(max_attempts):
        try:
            with timeline.span(f"attempt {n + 1}"):
                result = await operation()
            print(f"attempt {attempts}: {result}")
            succeeded = True
            break
        except TransientError as exc:
            print(f"attempt {attempts}: {exc}")
            payload = {"progress": attempts, "total": max_attempts, "message": str(exc)}
            print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)
            if n == max_attempts - 1:
                print("giving up: out of attempts")
                break
            pause = base_delay * 2**n
            delays.append(round(pause, 6))
            with timeline.span(f"pause {n + 1}") as span:
                await asyncio.sleep(pause)
            measured.append(round((span["end_ms"] - span["start_ms"]) / 1000, 6))
    elapsed = time.perf_counter() - start
    print(f"planned pauses : {delays}")
    print(f"measured pauses: {measured}, elapsed {elapsed:.3f}s")
    expected_success = failures < max_attempts
    expected_attempts = min(failures + 1, max_attempts)
    # The pauses really happened (the clock says so, not the plan) and each one doubled.
    slept = len(measured) == len(delays) == expected_attempts - 1 and all(
        m >= d * 0.9 for m, d in zip(measured, delays)
    )
    doubled = all(b == doubled_pause(a) for a, b in zip(delays, delays[1:]))
    return {
        "demo": "retry-backoff",
        "ok": succeeded == expected_success and attempts == expected_attempts and slept and doubled,
        "measured_delays": measured,
        "elapsed_s": round(elapsed, 4),
        "attempts": attempts,
        "succeeded": succeeded,
        "delays": delays,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", type=int, default=2)
    parser.add_argument("--max_attempts", type=int, default=5)
    parser.add_argument("--base_delay", type=float, default=0.01)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.failures, args.max_attempts, args.base_delay))))
