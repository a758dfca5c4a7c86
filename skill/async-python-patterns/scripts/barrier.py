"""Demo: no task starts phase 2 before every task finished phase 1.

--workers tasks need different times for phase 1 (worker i sleeps (workers - i) * 5 ms),
then meet at asyncio.Barrier (3.11+) or an Event-based barrier (3.9/3.10). Without the
barrier the fast workers would start phase 2 while the slow ones are still in phase 1.

Run: python barrier.py [--workers 4]
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline


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
