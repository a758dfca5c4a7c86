"""Demo: blocking calls in asyncio.to_thread run side by side and keep the loop free.

Runs --calls blocking calls of --block seconds, first one after another on the loop,
then concurrently through asyncio.to_thread, and reports the times.

Run: python to-thread.py [--calls 4] [--block 0.1]
"""

import argparse
import asyncio
import json
import sys
import threading
import time

from _timeline import Timeline


def blocking(i: int, seconds: float) -> str:
    time.sleep(seconds)
    return threading.current_thread().name


async def main(calls: int, block: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    for i in range(calls):
        with timeline.span(f"call {i}", "on the loop"):
            blocking(i, block)  # on the loop thread: one at a time, loop frozen meanwhile
    sequential = time.perf_counter() - start

    done = 0

    async def offloaded(i: int) -> str:
        nonlocal done
        with timeline.span(f"call {i}", "asyncio.to_thread"):
            name = await asyncio.to_thread(blocking, i, block)
        done += 1
        payload = {"progress": done, "total": calls, "message": f"call {i} ran in {name}"}
        print("@progress " + json.dumps(payload), file=sys.stderr, flush=True)
        return name

    started = time.perf_counter()
    threads = await asyncio.gather(*(offloaded(i) for i in range(calls)))
    threaded = time.perf_counter() - started
    elapsed = time.perf_counter() - start
    print(f"{calls} blocking calls of {block}s")
    print(f"on the loop    : {sequential:.3f}s")
    print(f"asyncio.to_thread : {threaded:.3f}s in {len(set(threads))} worker threads")
    return {
        "demo": "to-thread",
        "ok": threaded < sequential * 0.75 or calls == 1 or block == 0,
        "elapsed_s": round(elapsed, 4),
        "sequential_s": round(sequential, 4),
        "threaded_s": round(threaded, 4),
        "threads_used": len(set(threads)),
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--block", type=float, default=0.1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.calls, args.block))))
