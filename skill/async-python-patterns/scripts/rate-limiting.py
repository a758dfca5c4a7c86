"""Demo: a token bucket admits --rate requests per second after a --burst.

Makes --requests acquisitions concurrently and checks they took at least
(requests - burst) / rate seconds.

Run: python rate-limiting.py [--requests 20] [--rate 50] [--burst 5]
"""

import argparse
import asyncio
import json
import sys
import time

from _timeline import Timeline


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


async def main(requests: int, rate: float, burst: int) -> dict:
    timeline = Timeline()
    bucket = TokenBucket(rate, burst)
    start = timeline.start
    admitted = []

    async def request(i: int) -> None:
        with timeline.span(f"request {i}"):  # waiting for a token
            await bucket.acquire()
        admitted.append(time.perf_counter() - start)
        if len(admitted) % 5 == 0 or len(admitted) == requests:
            payload = {"progress": len(admitted), "total": requests, "message": f"{len(admitted)} admitted"}
            print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)

    await asyncio.gather(*(request(i) for i in range(requests)))
    elapsed = time.perf_counter() - start
    expected = max(0.0, (requests - burst) / rate)
    print(f"{requests} requests at {rate}/s with burst {burst}")
    print(f"first {min(burst, requests)} admitted at once, the rest spaced {1 / rate:.3f}s apart")
    print(f"elapsed {elapsed:.3f}s (at least {expected:.3f}s expected)")
    # The rate holds for every request, not just the total: the i-th admission after the
    # burst comes no earlier than (i + 1 - burst) / rate. And the limiter does not stall:
    # the whole run ends within a generous margin of the ideal.
    early = [
        i for i, at in enumerate(admitted) if at < max(0.0, (i + 1 - burst) / rate) * 0.95 - 0.002
    ]
    prompt = elapsed <= expected * 1.5 + 0.1
    print(f"admitted too early: {early or 'none'}; finished within the margin: {prompt}")
    return {
        "demo": "rate-limiting",
        "ok": elapsed >= expected * 0.95 and not early and prompt,
        "admitted_too_early": len(early),
        "elapsed_s": round(elapsed, 4),
        "requests": requests,
        "rate": rate,
        "burst": burst,
        "expected_min_s": round(expected, 4),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--burst", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.requests, args.rate, args.burst))))
