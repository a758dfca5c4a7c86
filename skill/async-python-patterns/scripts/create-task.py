"""Demo: create_task runs work in the background while the caller continues.

Starts --jobs background tasks kept in a set (with a done-callback that removes them),
does other work meanwhile, then waits for the stragglers.

Run: python create-task.py [--jobs 3]
"""

import argparse
import asyncio
import json
import sys
import time

from _timeline import Timeline


async def main(jobs: int) -> dict:
    background: set = set()
    finished = []
    events = []
    timeline = Timeline()
    start = timeline.start

    async def job(i: int) -> None:
        with timeline.span(f"job-{i}"):
            await asyncio.sleep(0.02 * (i + 1))
        finished.append(i)
        events.append(f"job {i} finished at {time.perf_counter() - start:.3f}s")
        payload = {"progress": len(finished), "total": jobs, "message": f"job {i} finished"}
        print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)

    for i in range(jobs):
        task = asyncio.create_task(job(i), name=f"job-{i}")
        background.add(task)
        task.add_done_callback(background.discard)
    events.append(f"{jobs} tasks started at {time.perf_counter() - start:.3f}s, caller continues")
    started_while_running = len(background)
    with timeline.span("the caller's own work"):
        await asyncio.sleep(0.01)
    events.append(f"caller did its own work; {len(background)} tasks still running")
    await asyncio.gather(*background)
    elapsed = time.perf_counter() - start
    for line in events:
        print(line)
    return {
        "demo": "create-task",
        "ok": sorted(finished) == list(range(jobs)) and not background,
        "elapsed_s": round(elapsed, 4),
        "jobs": jobs,
        "running_after_start": started_while_running,
        "left_running": len(background),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.jobs))))
