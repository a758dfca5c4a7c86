"""Demo: asyncio.gather runs coroutines concurrently and keeps submission order.

Each of --tasks coroutines sleeps --delay seconds (the slowest first), so the results
arrive in reverse order but gather returns them in submission order, and the whole run
takes about one delay. The same work awaited one after another runs too, for contrast:
it takes tasks * delay. Both appear in the summary's timeline ("gather", "sequential").

Run: python gather.py [--tasks 3] [--delay 0.1]
"""

import argparse
import asyncio
import functools
import json
import sys
import time

from _timeline import Timeline


def progress(done: int, total: int, message: str) -> None:
    payload = {"progress": done, "total": total, "message": message}
    print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)


async def work(i: int, delay: float, total: int, finished: list, record) -> int:
    with record(f"task {i}"):
        # Later tasks sleep a little less, so they finish first.
        await asyncio.sleep(delay * (1 - i / (10 * total)))
    finished.append(i)
    progress(len(finished), 2 * total, f"task {i} finished")
    return i * i


def overlapping(spans: list) -> bool:
    """Were all these tasks running at one moment (each started before any ended)?"""
    return max(s["start_ms"] for s in spans) < min(s["end_ms"] for s in spans)


def one_after_another(spans: list) -> bool:
    return all(a["end_ms"] <= b["start_ms"] for a, b in zip(spans, spans[1:]))


async def main(tasks: int, delay: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    finished: list = []
    record = functools.partial(timeline.span, group="gather")
    results = await asyncio.gather(*(work(i, delay, tasks, finished, record) for i in range(tasks)))
    concurrent_s = time.perf_counter() - start
    # The contrast: the same work, each awaited before the next starts.
    record = functools.partial(timeline.span, group="sequential")
    started = time.perf_counter()
    for i in range(tasks):
        await work(i, delay, tasks, finished, record)
    sequential = time.perf_counter() - started
    elapsed = time.perf_counter() - start
    spans = {g: [s for s in timeline.spans if s["group"] == g] for g in ("gather", "sequential")}
    print(f"completion order : {finished[:tasks]}")
    print(f"results (gather) : {results}   <- submission order")
    print(f"elapsed (gather) : {concurrent_s:.3f}s")
    print(f"elapsed (one after another): {sequential:.3f}s")
    in_order = results == [i * i for i in range(tasks)]
    # The timeline is the evidence: gather's tasks overlapped, the sequential ones did not.
    concurrent = (overlapping(spans["gather"]) or delay == 0) and concurrent_s < delay + 0.1 + 0.01 * tasks
    contrast = one_after_another(spans["sequential"])
    return {
        "demo": "gather",
        "ok": in_order and concurrent and contrast,
        "elapsed_s": round(elapsed, 4),
        "tasks": tasks,
        "delay": delay,
        "results": results,
        "completion_order": finished[:tasks],
        "gather_s": round(concurrent_s, 4),
        "sequential_s": round(sequential, 4),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.tasks, args.delay))))
