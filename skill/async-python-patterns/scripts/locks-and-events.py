"""Demo: a read-modify-write across an await loses updates; asyncio.Lock fixes it.

--workers coroutines each add 1 to a shared counter, reading it, awaiting, then writing.

Run: python locks-and-events.py [--workers 10]
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


async def run(workers: int, lock, record) -> int:
    state = {"counter": 0}

    async def increment(i: int) -> None:
        if lock is None:
            with record(f"increment {i}"):  # read, await, write back
                current = state["counter"]
                await asyncio.sleep(0.001)  # another coroutine runs here
                state["counter"] = current + 1
        else:
            async with lock:
                with record(f"increment {i}"):
                    current = state["counter"]
                    await asyncio.sleep(0.001)
                    state["counter"] = current + 1

    await asyncio.gather(*(increment(i) for i in range(workers)))
    return state["counter"]


async def main(workers: int) -> dict:
    timeline = Timeline()
    start = timeline.start
    unlocked = await run(workers, None, functools.partial(timeline.span, group="no lock"))
    locked = await run(workers, asyncio.Lock(), functools.partial(timeline.span, group="asyncio.Lock"))
    ready = asyncio.Event()
    woken = []

    async def waiter(i: int) -> None:
        with timeline.span(f"waiter {i}", "asyncio.Event"):
            await ready.wait()
        woken.append(i)

    waiters = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    ready.set()
    await asyncio.gather(*waiters)
    elapsed = time.perf_counter() - start
    print(f"{workers} increments without a lock: counter = {unlocked}  (lost {workers - unlocked})")
    print(f"{workers} increments with asyncio.Lock: counter = {locked}")
    print(f"Event.set() woke {len(woken)} waiters")
    # The timeline shows the lock at work: the locked increments ran one after another.
    held = [s for s in timeline.spans if s["group"] == "asyncio.Lock"]
    one_at_a_time = all(a["end_ms"] <= b["start_ms"] for a, b in zip(held, held[1:]))
    return {
        "demo": "locks-and-events",
        "ok": unlocked < workers and locked == workers and len(woken) == 3 and one_at_a_time,
        "elapsed_s": round(elapsed, 4),
        "broken": {"counter": unlocked},
        "fixed": {"counter": locked},
        "expected": workers,
        "event_woke": len(woken),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.workers))))
