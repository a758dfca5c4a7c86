"""Demo: a producer feeds a bounded asyncio.Queue, a fixed pool of consumers drains it.

Uses Queue.shutdown() on 3.13+ and one sentinel per consumer before that; reports how
many items each consumer handled.

Run: python producer-consumer.py [--items 10] [--consumers 3] [--delay 0.01]
"""

import argparse
import asyncio
import json
import sys
import time

from _timeline import Timeline

SENTINEL = object()


async def main(items: int, consumers: int, delay: float) -> dict:
    timeline = Timeline()
    queue: asyncio.Queue = asyncio.Queue(maxsize=max(1, consumers))
    modern = hasattr(asyncio, "QueueShutDown")
    per_consumer = {f"consumer-{i}": 0 for i in range(consumers)}
    counts = {"produced": 0, "consumed": 0}
    busy = {"now": 0, "peak": 0}  # consumers inside their (simulated) work at once
    seen: list = []
    peak_queued = 0

    async def producer() -> None:
        with timeline.span("producer"):
            await produce()

    async def produce() -> None:
        for i in range(items):
            await queue.put(i)
            counts["produced"] += 1
            nonlocal peak_queued
            peak_queued = max(peak_queued, queue.qsize())
        if modern:
            queue.shutdown()
        else:
            for _ in range(consumers):
                await queue.put(SENTINEL)

    async def consumer(name: str) -> None:
        while True:
            try:
                item = await queue.get()
            except Exception as exc:  # QueueShutDown, only on 3.13+
                if modern and isinstance(exc, asyncio.QueueShutDown):
                    return
                raise
            try:
                if item is SENTINEL:
                    return
                with timeline.span(f"item {item}"):
                    busy["now"] += 1
                    busy["peak"] = max(busy["peak"], busy["now"])
                    await asyncio.sleep(delay)
                    busy["now"] -= 1
                seen.append(item)
                per_consumer[name] += 1
                counts["consumed"] += 1
                done = counts["consumed"]
                payload = {"progress": done, "total": items, "message": f"{name} took item {item}"}
                print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)
            finally:
                queue.task_done()

    start = timeline.start
    await asyncio.gather(producer(), *(consumer(name) for name in per_consumer))
    elapsed = time.perf_counter() - start
    method = "Queue.shutdown" if modern else "sentinel"
    print(f"{items} items, {consumers} consumers, queue maxsize {queue.maxsize}")
    print(f"per consumer : {per_consumer}")
    print(f"shutdown     : {method}")
    print(f"elapsed      : {elapsed:.3f}s")
    print(f"workers busy at once: {busy['peak']}; most items queued: {peak_queued}")
    # Every item exactly once, the consumers really overlapped, the bound held.
    ok = (
        counts["produced"] == counts["consumed"] == items
        and sorted(seen) == list(range(items))
        and busy["peak"] == min(consumers, items)
        and peak_queued <= queue.maxsize
    )
    return {
        "demo": "producer-consumer",
        "ok": ok,
        "peak_busy": busy["peak"],
        "peak_queued": peak_queued,
        "elapsed_s": round(elapsed, 4),
        "produced": counts["produced"],
        "consumed": counts["consumed"],
        "per_consumer": per_consumer,
        "shutdown_method": method,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--consumers", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.01)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.items, args.consumers, args.delay))))
