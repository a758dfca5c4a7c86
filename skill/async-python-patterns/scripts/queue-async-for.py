"""Demo: a consumer written as `async for item in drain(queue)` gets every item in order,
stops when the producer is done, and marks every item done so queue.join() returns.

Uses Queue.shutdown() on 3.13+ and a sentinel before.

Run: python queue-async-for.py [--items 8]
"""

import argparse
import asyncio
import contextlib
import json
import time


class Timeline:
    """Real start, end and outcome of each task, in ms since the demo began: the summary's
    `timeline`, which a viewer draws as one lane per span."""

    OUTCOMES = ((asyncio.CancelledError, "cancelled"), (asyncio.TimeoutError, "timed_out"))

    def __init__(self) -> None:
        self.start, self.spans = time.perf_counter(), []

    def ms(self) -> float:
        return round((time.perf_counter() - self.start) * 1000, 1)

    @contextlib.contextmanager
    def span(self, label: str, group: str = ""):
        entry = {"label": label, "group": group, "start_ms": self.ms(), "end_ms": None, "outcome": "done"}
        self.spans.append(entry)
        try:
            yield entry
        except BaseException as exc:  # asyncio.TimeoutError is the built-in one on 3.11+
            entry["outcome"] = next((o for kind, o in self.OUTCOMES if isinstance(exc, kind)), "failed")
            raise
        finally:
            entry["end_ms"] = self.ms()

    def summary(self) -> dict:
        spans = [{k: v for k, v in s.items() if v != ""} for s in self.spans]
        return {"timeline": spans[:64], **({"timeline_dropped": len(spans) - 64} if len(spans) > 64 else {})}

STOP = object()
SHUTDOWN = (asyncio.QueueShutDown,) if hasattr(asyncio, "QueueShutDown") else ()


async def drain(queue: asyncio.Queue):
    while True:
        try:
            item = await queue.get()
        except SHUTDOWN:
            return
        try:
            if item is STOP:
                return
            yield item
        finally:
            queue.task_done()


async def main(items: int) -> dict:
    timeline = Timeline()
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    modern = bool(SHUTDOWN)

    async def produce() -> None:
        with timeline.span("producer"):
            await put_all()

    async def put_all() -> None:
        for i in range(items):
            await queue.put(i)
        if modern:
            queue.shutdown()
        else:
            await queue.put(STOP)

    async def consume() -> list:
        got = []
        async for item in drain(queue):
            with timeline.span(f"item {item}"):
                await asyncio.sleep(0.002)  # the work
            got.append(item)
        return got

    start = timeline.start
    try:
        _, got = await asyncio.wait_for(asyncio.gather(produce(), consume()), 2)
        loop_ended = True
    except asyncio.TimeoutError:
        got, loop_ended = [], False
    try:
        await asyncio.wait_for(queue.join(), 0.5)
        joined = True
    except asyncio.TimeoutError:
        joined = False
    elapsed = time.perf_counter() - start
    print(f"consumed     : {got}")
    print(f"loop ended   : {loop_ended} ({'Queue.shutdown' if modern else 'sentinel'})")
    print(f"join returned: {joined}")
    return {
        "demo": "queue-async-for",
        "ok": got == list(range(items)) and loop_ended and joined,
        "elapsed_s": round(elapsed, 4),
        "items": items,
        "consumed": len(got),
        "join_returned": joined,
        "shutdown_method": "Queue.shutdown" if modern else "sentinel",
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.items))))
