"""Demo: a shared pool reuses a few connections; a client per request pays every handshake.

Simulated connections (10 ms handshake, 5 ms request) in the standard library only.

Run: python connection-pools.py [--requests 20] [--pool_size 4]
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline

HANDSHAKE = 0.01
WORK = 0.005


class Pool:
    def __init__(self, size: int) -> None:
        self.idle: asyncio.Queue = asyncio.Queue()
        self.size = size
        self.opened = 0

    async def acquire(self) -> str:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            name = f"conn-{self.opened}"  # taken before the await: see the reference
            await asyncio.sleep(HANDSHAKE)
            return name
        return await self.idle.get()

    def release(self, conn: str) -> None:
        self.idle.put_nowait(conn)


async def per_request_client(n: int, counter: list) -> str:
    counter.append(1)
    await asyncio.sleep(HANDSHAKE)  # a fresh connection every time
    await asyncio.sleep(WORK)
    return f"conn-for-{n}"


async def pooled(pool: Pool) -> str:
    conn = await pool.acquire()
    try:
        await asyncio.sleep(WORK)
        return conn
    finally:
        pool.release(conn)


async def main(requests: int, pool_size: int) -> dict:
    timeline = Timeline()
    start = timeline.start
    handshakes: list = []

    async def recorded(n: int, variant: str, call) -> str:
        with timeline.span(f"request {n}", variant):
            return await call

    variant = "client per request"
    await asyncio.gather(*(recorded(n, variant, per_request_client(n, handshakes)) for n in range(requests)))
    naive_s = time.perf_counter() - start

    pool = Pool(pool_size)
    t0 = time.perf_counter()
    used = await asyncio.gather(*(recorded(n, "shared pool", pooled(pool)) for n in range(requests)))
    pooled_s = time.perf_counter() - t0
    elapsed = time.perf_counter() - start
    print(f"client per request : {len(handshakes)} handshakes, {naive_s:.3f}s")
    print(f"shared pool        : {pool.opened} handshakes over {len(set(used))} connections, {pooled_s:.3f}s")
    return {
        "demo": "connection-pools",
        # Each handshake must yield a distinct connection, never more than the pool size,
        # and the client-per-request variant pays one handshake per request.
        "ok": pool.opened <= pool_size
        and len(set(used)) == pool.opened == min(pool_size, requests)
        and len(handshakes) == requests,
        "elapsed_s": round(elapsed, 4),
        "broken": {"handshakes": len(handshakes)},
        "fixed": {"handshakes": pool.opened, "connections_used": len(set(used))},
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pool_size", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.requests, args.pool_size))))
