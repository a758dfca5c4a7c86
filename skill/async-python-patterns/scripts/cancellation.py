"""Demo: cancel a task, watch its cleanup run, and see shield protect a commit.

Run: python cancellation.py
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
