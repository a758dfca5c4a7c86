"""Demo: a read-modify-write across an await loses updates; asyncio.Lock fixes it.

--workers coroutines each add 1 to a shared counter, reading it, awaiting, then writing.

Run: python locks-and-events.py [--workers 10]
"""

import argparse
import asyncio
import json
import time


async def run(workers: int, lock) -> int:
    state = {"counter": 0}

    async def increment() -> None:
        if lock is None:
            current = state["counter"]
            await asyncio.sleep(0.001)  # another coroutine runs here
            state["counter"] = current + 1
        else:
            async with lock:
                current = state["counter"]
                await asyncio.sleep(0.001)
                state["counter"] = current + 1

    await asyncio.gather(*(increment() for _ in range(workers)))
    return state["counter"]


async def main(workers: int) -> dict:
    start = time.perf_counter()
    unlocked = await run(workers, None)
    locked = await run(workers, asyncio.Lock())
    ready = asyncio.Event()
    woken = []

    async def waiter(i: int) -> None:
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
    return {
        "demo": "locks-and-events",
        "ok": unlocked < workers and locked == workers and len(woken) == 3,
        "elapsed_s": round(elapsed, 4),
        "broken": {"counter": unlocked},
        "fixed": {"counter": locked},
        "expected": workers,
        "event_woke": len(woken),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.workers))))
