"""Demo: asyncio.run inside a running loop raises RuntimeError; awaiting works.

Run: python nested-asyncio-run.py
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline


async def fetch_price() -> float:
    await asyncio.sleep(0.01)
    return 9.99


def get_price_sync() -> float:
    return asyncio.run(fetch_price())


async def broken(timeline: Timeline) -> dict:
    try:
        # The bug: a sync wrapper around asyncio.run, called from async code.
        with timeline.span("get_price_sync()", "asyncio.run inside async code"):
            value = get_price_sync()
        return {"error": None, "value": value}
    except RuntimeError as exc:
        return {"error": f"RuntimeError: {exc}", "value": None}


async def fixed(timeline: Timeline) -> dict:
    loop = asyncio.get_running_loop()

    def from_worker_thread() -> float:
        return asyncio.run_coroutine_threadsafe(fetch_price(), loop).result(timeout=5)

    try:
        with timeline.span("await fetch_price()", "await, or run_coroutine_threadsafe"):
            value = await fetch_price()
        with timeline.span("from a worker thread", "await, or run_coroutine_threadsafe"):
            threaded = await asyncio.to_thread(from_worker_thread)
    except RuntimeError as exc:  # reported, so a regression shows as ok: false
        return {"error": f"RuntimeError: {exc}", "value": None, "from_thread": None}
    return {"error": None, "value": value, "from_thread": threaded}


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    bad = await broken(timeline)
    good = await fixed(timeline)
    elapsed = time.perf_counter() - start
    print(f"symptom: {bad['error']}")
    print(f"fix    : await -> {good['value']}, run_coroutine_threadsafe from a thread -> {good['from_thread']}")
    ok = (
        bad["error"] is not None
        and "running event loop" in bad["error"]
        and good["error"] is None
        and good["value"] == good["from_thread"] == 9.99
    )
    summary = {"demo": "nested-asyncio-run", "ok": ok, "elapsed_s": round(elapsed, 4), "broken": bad, "fixed": good}
    return {**summary, **timeline.summary()}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
