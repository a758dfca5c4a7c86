"""Demo: cancel a task, watch its cleanup run, and see shield protect a commit.

Run: python cancellation.py
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline


async def streamer(log: list) -> None:
    log.append("connected")
    try:
        while True:
            await asyncio.sleep(0.01)
            log.append("update")
    finally:
        log.append("disconnected")


async def commit(log: list) -> None:
    await asyncio.sleep(0.05)
    log.append("committed")


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start

    log: list = []

    async def recorded_streamer() -> None:
        with timeline.span("streamer", "task.cancel()"):
            await streamer(log)

    task = asyncio.create_task(recorded_streamer())
    await asyncio.sleep(0.035)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    print(f"cancelled task: cancelled()={task.cancelled()}, {log.count('update')} updates, last step {log[-1]!r}")

    shield_log: list = []
    inner: list = []

    async def recorded_commit() -> None:
        with timeline.span("shielded commit", "asyncio.shield"):
            await commit(shield_log)

    async def handler() -> None:
        with timeline.span("request handler", "asyncio.shield"):
            work = asyncio.ensure_future(recorded_commit())
            inner.append(work)
            await asyncio.shield(work)

    request = asyncio.create_task(handler())
    await asyncio.sleep(0.01)
    request.cancel()
    try:
        await request
        caller_cancelled = False
    except asyncio.CancelledError:
        caller_cancelled = True
    await inner[0]  # the shielded work finishes on its own
    print(f"shield: caller cancelled={caller_cancelled}, inner work -> {shield_log}")

    elapsed = time.perf_counter() - start
    ok = task.cancelled() and log[-1] == "disconnected" and caller_cancelled and shield_log == ["committed"]
    # The timeline shows it too: the streamer and the handler cancelled, the commit done.
    ok = ok and [s["outcome"] for s in timeline.spans] == ["cancelled", "cancelled", "done"]
    return {
        "demo": "cancellation",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "cleanup_ran": log[-1] == "disconnected",
        "updates_before_cancel": log.count("update"),
        "shielded_work_finished": shield_log == ["committed"],
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
