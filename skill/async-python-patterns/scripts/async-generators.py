"""Demo: an async generator stopped early is closed at once with aclosing/aclose.

Without it, the generator's `finally` runs only later (when the loop's asyncgen hook
finalizes it), after the consumer has moved on: the cleanup happens out of order.

The generator can produce --pages pages; the consumer reads --take and stops.

Run: python async-generators.py [--pages 5] [--take 2]
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline


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


async def consume_without_closing(count: int, take: int, log: list) -> list:
    got = []
    async for page in pages(count, log):
        got.append(page)
        if len(got) >= take:
            break  # the generator is left suspended: its finally has not run yet
    log.append("consumer moved on")
    return got


def closed_in_time(log: list) -> bool:
    """Did the generator's cleanup run before the consumer went on with other work?"""
    if "generator closed" not in log:
        return False
    return log.index("generator closed") < log.index("consumer moved on")


async def main(count: int, take: int) -> dict:
    timeline = Timeline()
    start = timeline.start
    broken_log: list = []
    with timeline.span(f"read {take} of {count} pages", "without aclose"):
        await consume_without_closing(count, take, broken_log)
    await asyncio.sleep(0.01)  # the loop's asyncgen hook closes it later, if at all
    log: list = []
    with timeline.span(f"read {take} of {count} pages", "with aclose"):
        got = await consume(count, take, log)
    elapsed = time.perf_counter() - start
    print("without aclose:")
    for line in broken_log:
        print("  " + line)
    print("with aclose (or contextlib.aclosing on 3.10+):")
    for line in log:
        print("  " + line)
    broken = closed_in_time(broken_log)
    fixed = closed_in_time(log)
    # When the consumer reads every page the generator finishes by itself: nothing to show.
    stopped_early = take < count
    return {
        "demo": "async-generators",
        "ok": got == list(range(1, min(take, count) + 1))
        and fixed
        and (broken is False or not stopped_early),
        "elapsed_s": round(elapsed, 4),
        "pages_read": got,
        "closed_before_consumer_moved_on": fixed,
        "broken": {"closed_before_consumer_moved_on": broken},
        "fixed": {"closed_before_consumer_moved_on": fixed},
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--take", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.pages, args.take))))
