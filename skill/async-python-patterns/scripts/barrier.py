"""Demo: no task starts phase 2 before every task finished phase 1.

--workers tasks need different times for phase 1 (worker i sleeps (workers - i) * 5 ms),
then meet at asyncio.Barrier (3.11+) or an Event-based barrier (3.9/3.10). Without the
barrier the fast workers would start phase 2 while the slow ones are still in phase 1.

Run: python barrier.py [--workers 4]
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


class OneShotBarrier:
    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived = 0
        self.released = asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived >= self.parties:
            self.released.set()
        await self.released.wait()


async def main(workers: int) -> dict:
    modern = hasattr(asyncio, "Barrier")
    barrier = asyncio.Barrier(workers) if modern else OneShotBarrier(workers)
    log: list = []

    timeline = Timeline()

    async def worker(i: int) -> None:
        with timeline.span(f"worker {i}", "phase 1"):
            await asyncio.sleep((workers - i) * 0.005)
        log.append(("phase 1 done", i))
        with timeline.span(f"worker {i}", "waiting at the barrier"):
            await barrier.wait()
        log.append(("phase 2 starts", i))

    start = timeline.start
    await asyncio.gather(*(worker(i) for i in range(workers)))
    elapsed = time.perf_counter() - start
    for step, i in log:
        print(f"worker {i}: {step}")
    phases = [step for step, _ in log]
    # Every "phase 1 done" comes before the first "phase 2 starts".
    # The timeline agrees: nobody left the barrier before the last one reached it.
    waits = [s for s in timeline.spans if s["group"] == "waiting at the barrier"]
    held = min(s["end_ms"] for s in waits) >= max(s["start_ms"] for s in waits)
    in_lockstep = phases == ["phase 1 done"] * workers + ["phase 2 starts"] * workers and held
    return {
        "demo": "barrier",
        "ok": in_lockstep,
        "elapsed_s": round(elapsed, 4),
        "workers": workers,
        "api": "asyncio.Barrier" if modern else "Event-based barrier",
        "in_lockstep": in_lockstep,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.workers))))
