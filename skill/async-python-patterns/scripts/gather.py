"""Demo: asyncio.gather runs coroutines concurrently and keeps submission order.

Each of --tasks coroutines sleeps --delay seconds (the slowest first), so the results
arrive in reverse order but gather returns them in submission order, and the whole run
takes about one delay instead of tasks * delay.

Run: python gather.py [--tasks 3] [--delay 0.1]
"""

import argparse
import asyncio
import json
import sys
import time


def progress(done: int, total: int, message: str) -> None:
    payload = {"progress": done, "total": total, "message": message}
    print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)


async def work(i: int, delay: float, total: int, finished: list) -> int:
    # Later tasks sleep a little less, so they finish first.
    await asyncio.sleep(delay * (1 - i / (10 * total)))
    finished.append(i)
    progress(len(finished), total, f"task {i} finished")
    return i * i


async def main(tasks: int, delay: float) -> dict:
    finished: list = []
    start = time.perf_counter()
    results = await asyncio.gather(*(work(i, delay, tasks, finished) for i in range(tasks)))
    elapsed = time.perf_counter() - start
    sequential = tasks * delay
    print(f"completion order : {finished}")
    print(f"results (gather) : {results}   <- submission order")
    print(f"elapsed          : {elapsed:.3f}s (sequential would be {sequential:.3f}s)")
    in_order = results == [i * i for i in range(tasks)]
    concurrent = elapsed < delay + 0.1 + 0.01 * tasks
    return {
        "demo": "gather",
        "ok": in_order and concurrent,
        "elapsed_s": round(elapsed, 4),
        "tasks": tasks,
        "delay": delay,
        "results": results,
        "completion_order": finished,
        "sequential_s": round(sequential, 4),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.tasks, args.delay))))
