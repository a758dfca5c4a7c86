"""Demo: asyncio.as_completed yields results in completion order.

Task i sleeps (tasks - i) * delay seconds, so the last submitted finishes first.

Run: python as-completed.py [--tasks 5] [--delay 0.05]
"""

import argparse
import asyncio
import json
import sys
import time

from _timeline import Timeline


async def job(i: int, seconds: float, timeline: Timeline) -> int:
    with timeline.span(f"task {i}"):
        await asyncio.sleep(seconds)
    return i


async def main(tasks: int, delay: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    order = []
    coros = [job(i, (tasks - i) * delay, timeline) for i in range(tasks)]
    for next_done in asyncio.as_completed(coros):
        i = await next_done
        order.append(i)
        at = time.perf_counter() - start
        print(f"task {i} finished at {at:.3f}s")
        payload = {"progress": len(order), "total": tasks, "message": f"task {i} finished"}
        print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    submission = list(range(tasks))
    return {
        "demo": "as-completed",
        "ok": order == submission[::-1] or delay == 0,
        "elapsed_s": round(elapsed, 4),
        "submission_order": submission,
        "completion_order": order,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.tasks, args.delay))))
