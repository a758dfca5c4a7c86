"""Demo: a coroutine called without await never runs, and Python warns about it.

Shows the symptom (no side effect, a coroutine object instead of a value, the
"was never awaited" RuntimeWarning), then the fix.

Run: python forgotten-await.py
"""

import argparse
import asyncio
import gc
import json
import time
import warnings

from _timeline import Timeline


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
