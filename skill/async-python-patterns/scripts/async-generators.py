"""Demo: an async generator stopped early is closed at once with aclosing/aclose.

The generator can produce --pages pages; the consumer reads --take and stops.

Run: python async-generators.py [--pages 5] [--take 2]
"""

import argparse
import asyncio
import json
import time


async def pages(count: int, log: list):
    try:
        for n in range(1, count + 1):
            await asyncio.sleep(0.005)
            log.append(f"fetched page {n}")
            yield n
    finally:
        log.append("generator closed")


async def consume(count: int, take: int, log: list) -> list:
    got = []
    source = pages(count, log)
    try:
        async for page in source:
            got.append(page)
            if len(got) >= take:
                break
    finally:
        await source.aclose()  # what contextlib.aclosing does on 3.10+
    log.append("consumer moved on")
    return got


async def main(count: int, take: int) -> dict:
    start = time.perf_counter()
    log: list = []
    got = await consume(count, take, log)
    elapsed = time.perf_counter() - start
    for line in log:
        print(line)
    closed_before_moving_on = log.index("generator closed") < log.index("consumer moved on")
    return {
        "demo": "async-generators",
        "ok": got == list(range(1, min(take, count) + 1)) and closed_before_moving_on,
        "elapsed_s": round(elapsed, 4),
        "pages_read": got,
        "closed_before_consumer_moved_on": closed_before_moving_on,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--take", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.pages, args.take))))
