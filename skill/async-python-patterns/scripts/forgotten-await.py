"""Demo: a coroutine called without await never runs, and Python warns about it.

Shows the symptom (no side effect, a coroutine object instead of a value, the
"was never awaited" RuntimeWarning), then the fix.

Run: python forgotten-await.py
"""

import argparse
import asyncio
import contextlib
import gc
import json
import time
import warnings


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


async def save(record: str, store: list) -> bool:
    await asyncio.sleep(0)
    store.append(record)
    return True


async def broken(timeline: Timeline) -> dict:
    store: list = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with timeline.span("save() called", "without await"):
            result = save("order-1", store)  # the bug on purpose: no await
        kind = type(result).__name__
        del result
        gc.collect()
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return {"returned": kind, "saved": store, "warning": messages[0] if messages else None}


async def fixed(timeline: Timeline) -> dict:
    store: list = []
    with timeline.span("save() called", "awaited"):
        result = await save("order-1", store)
    return {"returned": type(result).__name__, "saved": store, "warning": None}


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    bad = await broken(timeline)
    good = await fixed(timeline)
    elapsed = time.perf_counter() - start
    print(f"symptom: got a {bad['returned']}, saved={bad['saved']}")
    print(f"         warning: {bad['warning']}")
    print(f"fix    : got a {good['returned']}, saved={good['saved']}")
    ok = (
        bad["returned"] == "coroutine"
        and bad["saved"] == []
        and bool(bad["warning"])
        and "never awaited" in bad["warning"]
        and good["saved"] == ["order-1"]
    )
    summary = {"demo": "forgotten-await", "ok": ok, "elapsed_s": round(elapsed, 4), "broken": bad, "fixed": good}
    return {**summary, **timeline.summary()}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
