"""Demo: an async def endpoint with a blocking call stalls every other request; a def
endpoint (run in a thread pool, as FastAPI/Starlette do) does not.

A tiny dispatcher (standard library only) serves a slow endpoint and, 10 ms later, a
health check. It measures how long the health check waited behind each kind of endpoint.

Run: python web-endpoints.py [--block 0.2]
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


def blocking_work(seconds: float) -> str:
    time.sleep(seconds)  # a sync driver, requests, file I/O
    return "report ready"


async def dispatch(endpoint, is_async: bool, *args) -> str:
    """What the framework does: await async endpoints, run def endpoints in threads."""
    if is_async:
        return await endpoint(*args)
    return await asyncio.to_thread(endpoint, *args)


async def async_endpoint(seconds: float) -> str:
    return blocking_work(seconds)  # the bug: a blocking call inside async def


async def health() -> str:
    return "healthy"


async def serve(endpoint, is_async: bool, block: float, record) -> float:
    async def slow_request() -> str:
        with record("slow request"):
            return await dispatch(endpoint, is_async, block)

    slow = asyncio.ensure_future(slow_request())
    arrives = time.perf_counter() + 0.01  # a health check arrives 10 ms later
    with record("health check, due after 10 ms"):
        await asyncio.sleep(0.01)  # ... and is served as soon as the loop gets to it
        await dispatch(health, True)
    waited = max(0.0, time.perf_counter() - arrives)
    await slow
    return waited


async def main(block: float) -> dict:
    await asyncio.to_thread(int)  # the pool's first thread exists before we measure
    timeline = Timeline()
    start = timeline.start
    stalled = await serve(async_endpoint, True, block, functools.partial(timeline.span, group="async def, blocking"))
    pooled = await serve(blocking_work, False, block, functools.partial(timeline.span, group="def, in a thread"))
    elapsed = time.perf_counter() - start
    print(f"async def + blocking call : health check answered after {stalled * 1000:.1f} ms")
    print(f"def (thread pool)         : health check answered after {pooled * 1000:.1f} ms")
    return {
        "demo": "web-endpoints",
        # One threshold at half the blocking time: the stalled check waits nearly all of
        # it, the pooled one a few ms (more on a busy machine, far from half).
        "ok": stalled >= block * 0.5 > pooled,
        "elapsed_s": round(elapsed, 4),
        "block": block,
        "broken": {"health_wait_s": round(stalled, 4)},
        "fixed": {"health_wait_s": round(pooled, 4)},
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", type=float, default=0.2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.block))))
