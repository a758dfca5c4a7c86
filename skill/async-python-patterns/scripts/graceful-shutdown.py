"""Demo: SIGTERM triggers an orderly shutdown.

Three workers run; the script sends itself SIGTERM after 50 ms. Two workers finish
their current unit within the grace period; one is stuck and gets cancelled.

Run: python graceful-shutdown.py
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time

from _timeline import Timeline

GRACE = 0.2


async def do_unit_of_work(seconds: float) -> None:
    await asyncio.sleep(seconds)  # stands in for real work


async def worker(name: str, stop: asyncio.Event, unit: float, log: dict, timeline: Timeline) -> None:
    try:
        with timeline.span(name):
            while not stop.is_set():
                await do_unit_of_work(unit)
        log[name] = "finished"
    except asyncio.CancelledError:
        log[name] = "cancelled"
        raise


async def main() -> dict:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received = []

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig.name)
        event = {"progress": 1, "message": f"{sig.name} received"}
        print("@progress " + json.dumps(event), file=sys.stderr, flush=True)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)

    log: dict = {}
    units = {"fast-1": 0.01, "fast-2": 0.02, "stuck": 5.0}
    timeline = Timeline()
    start = timeline.start
    workers = [asyncio.create_task(worker(n, stop, u, log, timeline)) for n, u in units.items()]
    loop.call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)

    await stop.wait()
    signalled_at = time.perf_counter() - start
    done, pending = await asyncio.wait(workers, timeout=GRACE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.perf_counter() - start
    finished = sorted(k for k, v in log.items() if v == "finished")
    cancelled = sorted(k for k, v in log.items() if v == "cancelled")
    print(f"signal     : {received} at {signalled_at:.3f}s")
    print(f"finished   : {finished} (within the {GRACE}s grace period)")
    print(f"cancelled  : {cancelled}")
    print(f"shut down  : {elapsed:.3f}s after start")
    return {
        "demo": "graceful-shutdown",
        "ok": received == ["SIGTERM"] and finished == ["fast-1", "fast-2"] and cancelled == ["stuck"],
        "elapsed_s": round(elapsed, 4),
        "signal": received[0] if received else None,
        "finished": finished,
        "cancelled": cancelled,
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
