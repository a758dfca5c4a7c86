"""Demo: a blocking call stalls every task; to_thread keeps the loop responsive.

A heartbeat task ticks every 20 ms and records how late each tick is. First a handler
calls time.sleep(--block) directly (symptom), then through asyncio.to_thread (fix).

Run: python blocking-the-loop.py [--block 0.2]
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline

TICK = 0.02


async def heartbeat(stop: asyncio.Event, lags: list, record) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        with record(f"tick {len(lags)}"):  # a long tick is the loop frozen
            await asyncio.sleep(TICK)
        lags.append(time.perf_counter() - start - TICK)


async def measure(handler, record) -> float:
    stop = asyncio.Event()
    lags: list = []
    beat = asyncio.create_task(heartbeat(stop, lags, record))
    await asyncio.sleep(TICK)  # let the heartbeat start
    with record("handler"):
        await handler()
    stop.set()
    await beat
    return max(lags) if lags else 0.0


async def main(block: float) -> dict:
    def blocking_call() -> None:
        time.sleep(block)

    async def broken_handler() -> None:
        blocking_call()  # the bug: runs on the event loop thread

    async def fixed_handler() -> None:
        await asyncio.to_thread(blocking_call)

    timeline = Timeline()
    start = timeline.start
    broken_lag = await measure(broken_handler, functools.partial(timeline.span, group="on the loop"))
    fixed_lag = await measure(fixed_handler, functools.partial(timeline.span, group="asyncio.to_thread"))
    elapsed = time.perf_counter() - start
    print(f"blocking call of {block}s")
    print(f"symptom: worst heartbeat lag {broken_lag * 1000:.1f} ms (called on the loop)")
    print(f"fix    : worst heartbeat lag {fixed_lag * 1000:.1f} ms (asyncio.to_thread)")
    ok = broken_lag >= block * 0.8 and fixed_lag < block * 0.5
    return {
        "demo": "blocking-the-loop",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "block": block,
        "broken": {"max_lag_s": round(broken_lag, 4)},
        "fixed": {"max_lag_s": round(fixed_lag, 4)},
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", type=float, default=0.2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.block))))
