"""Demo: a consumer written as `async for item in drain(queue)` gets every item in order,
stops when the producer is done, and marks every item done so queue.join() returns.

Uses Queue.shutdown() on 3.13+ and a sentinel before.

Run: python queue-async-for.py [--items 8]
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline

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
