"""Demo: both directions across the sync/async boundary.

Sync code submits coroutines to a loop running in a background thread
(run_coroutine_threadsafe), and async code calls a blocking function via to_thread.

Run: python sync-async-bridge.py
"""

import argparse
import asyncio
import json
import threading
import time

from _timeline import Timeline


async def lookup(key: str, timeline: Timeline) -> str:
    with timeline.span(f"lookup({key!r}) on the loop's thread", "sync code calls async"):
        await asyncio.sleep(0.01)
    return key.upper()


def blocking_checksum(text: str, threads: list) -> int:
    threads.append(threading.current_thread().name)
    time.sleep(0.02)
    return sum(text.encode())


def sync_side(timeline: Timeline) -> dict:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        results = [asyncio.run_coroutine_threadsafe(lookup(k, timeline), loop).result(5) for k in ("a", "b")]
        loop_thread = thread.name
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
    return {"results": results, "caller_thread": threading.current_thread().name, "loop_thread": loop_thread}


async def async_side(timeline: Timeline) -> dict:
    threads: list = []
    with timeline.span("blocking_checksum() in a worker thread", "async code calls sync"):
        checksum = await asyncio.to_thread(blocking_checksum, "async", threads)
    # The blocking call ran off the loop's thread, so the loop stayed free meanwhile.
    return {"checksum": checksum, "off_loop_thread": threads != [threading.current_thread().name]}


def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    sync_result = sync_side(timeline)
    async_result = asyncio.run(async_side(timeline))
    elapsed = time.perf_counter() - start
    print(
        f"sync -> async: {sync_result['results']} "
        f"(caller {sync_result['caller_thread']}, loop in {sync_result['loop_thread']})"
    )
    print(f"async -> sync: checksum {async_result['checksum']} computed in a worker thread")
    return {
        "demo": "sync-async-bridge",
        "ok": sync_result["results"] == ["A", "B"]
        and sync_result["loop_thread"] != sync_result["caller_thread"]
        and async_result["checksum"] == sum(b"async")
        and async_result["off_loop_thread"],
        "elapsed_s": round(elapsed, 4),
        "sync_to_async": sync_result["results"],
        "async_to_sync": async_result["checksum"],
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(main()))
