"""Demo: after gather raises, the other awaitables keep running; cancelling fixes it.

Two slow siblings run beside a child that fails quickly. With plain gather the siblings
finish after the error was reported; with a TaskGroup (3.11+) or explicit cancellation
(older versions) they are cancelled.

Run: python gather-no-cancel.py
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline

SLOW = 0.15


async def sibling(name: str, log: dict, record) -> None:
    try:
        with record(f"sibling {name}"):
            await asyncio.sleep(SLOW)
        log[name] = "finished"
    except asyncio.CancelledError:
        log[name] = "cancelled"
        raise


async def failing(record) -> None:
    with record("failing"):
        await asyncio.sleep(0.01)
        raise RuntimeError("failed fast")


async def broken(timeline: Timeline) -> dict:
    log: dict = {}
    record = functools.partial(timeline.span, group="plain gather")
    try:
        await asyncio.gather(sibling("a", log, record), sibling("b", log, record), failing(record))
    except RuntimeError:
        pass
    at_error = dict(log)
    await asyncio.sleep(SLOW * 2)  # give the orphans time to finish
    return {"state_when_gather_raised": at_error, "state_later": log}


async def fixed(timeline: Timeline) -> dict:
    log: dict = {}
    record = functools.partial(timeline.span, group="siblings cancelled")
    if hasattr(asyncio, "TaskGroup"):
        api = "TaskGroup"
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(sibling("a", log, record))
                tg.create_task(sibling("b", log, record))
                tg.create_task(failing(record))
        except Exception:  # ExceptionGroup wrapping the RuntimeError
            pass
    else:
        api = "gather + cancel"
        coros = (sibling("a", log, record), sibling("b", log, record), failing(record))
        tasks = [asyncio.ensure_future(c) for c in coros]
        try:
            await asyncio.gather(*tasks)
        except RuntimeError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    at_error = dict(log)
    await asyncio.sleep(SLOW * 2)
    return {"api": api, "state_when_error_reported": at_error, "state_later": log}


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    bad = await broken(timeline)
    good = await fixed(timeline)
    elapsed = time.perf_counter() - start
    print(f"symptom: when gather raised {bad['state_when_gather_raised']}, later {bad['state_later']}")
    print(f"fix ({good['api']}): when the error was reported {good['state_when_error_reported']}")
    kept_running = sorted(k for k, v in bad["state_later"].items() if v == "finished")
    cancelled = sorted(k for k, v in good["state_later"].items() if v == "cancelled")
    # The timeline shows the same: plain gather's siblings ran to the end, the fix's were cancelled.
    outcomes = {(s.get("group"), s["label"]): s["outcome"] for s in timeline.spans}
    ok = (
        kept_running == ["a", "b"]
        and cancelled == ["a", "b"]
        and outcomes[("plain gather", "sibling a")] == outcomes[("plain gather", "sibling b")] == "done"
        and outcomes[("siblings cancelled", "sibling a")] == "cancelled"
        and outcomes[("siblings cancelled", "sibling b")] == "cancelled"
    )
    return {
        "demo": "gather-no-cancel",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "broken": {"kept_running": kept_running},
        "fixed": {"cancelled": cancelled, "api": good["api"]},
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
