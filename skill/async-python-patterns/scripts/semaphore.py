"""Demo: asyncio.Semaphore caps how many tasks run a section at once.

Starts --tasks tasks that each hold a slot for --delay seconds behind
Semaphore(--limit), and measures the peak number inside the section.

Run: python semaphore.py [--tasks 20] [--limit 5] [--delay 0.1]
"""

import argparse
import asyncio
import json
import math
import sys
import time

from _timeline import Timeline


def peak_overlap(spans: list) -> int:
    """The most spans running at one moment, read from their measured start and end."""
    return max((sum(1 for o in spans if o["start_ms"] <= s["start_ms"] < o["end_ms"]) for s in spans), default=0)


async def main(tasks: int, limit: int, delay: float) -> dict:
    timeline = Timeline()
    sem = asyncio.Semaphore(limit)
    inside = 0
    peak = 0
    done = 0

    async def worker(i: int) -> None:
        nonlocal inside, peak, done
        async with sem:
            with timeline.span(f"task {i}"):  # the time it held a slot
                inside += 1
                peak = max(peak, inside)
                await asyncio.sleep(delay)
                inside -= 1
        done += 1
        if done % limit == 0 or done == tasks:
            payload = {"progress": done, "total": tasks, "message": f"{done}/{tasks} done"}
            print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)

    start = timeline.start
    await asyncio.gather(*(worker(i) for i in range(tasks)))
    elapsed = time.perf_counter() - start
    waves = math.ceil(tasks / limit)
    print(f"{tasks} tasks, Semaphore({limit}), {delay}s each")
    seen = peak_overlap(timeline.spans)
    print(f"peak concurrency : {peak} (counted), {seen} (from the timeline)")
    print(f"elapsed          : {elapsed:.3f}s (~{waves} waves of {delay}s)")
    return {
        "demo": "semaphore",
        "ok": peak == seen == min(limit, tasks),
        "elapsed_s": round(elapsed, 4),
        "tasks": tasks,
        "limit": limit,
        "peak_concurrency": peak,
        "expected_s": round(waves * delay, 4),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.tasks, args.limit, args.delay))))
