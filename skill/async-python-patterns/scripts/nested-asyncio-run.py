"""Demo: asyncio.run inside a running loop raises RuntimeError; awaiting works.

Run: python nested-asyncio-run.py
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
