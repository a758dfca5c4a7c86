"""Demo: the first *successful* answer of several replicas wins; the first finished may fail.

Replica 0 fails after --delay seconds; replica 1 answers --delay seconds later; the other
replicas would take a second more.
"First completed wins" takes replica 0's failure; "first success wins" returns replica 1's
answer and cancels the slower ones.

Run: python hedged-requests.py [--replicas 3] [--delay 0.02]
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


async def ask(i: int, delay: float, log: dict, failed: asyncio.Event, record) -> str:
    with record(f"replica-{i}"):
        return await answer(i, delay, log, failed)


async def answer(i: int, delay: float, log: dict, failed: asyncio.Event) -> str:
    """Replica 0 fails after `delay`; replica 1 answers `delay` after that failure; the
    others are slow (a second more), so a working strategy always cancels them. Ordering
    by the event, not by the clock alone, keeps the demo deterministic on a busy machine."""
    try:
        if i == 0:
            await asyncio.sleep(delay)
        else:
            await failed.wait()
            await asyncio.sleep(delay if i == 1 else 1.0 + i * delay)
    except asyncio.CancelledError:
        log[i] = "cancelled"
        raise
    if i == 0:
        log[i] = "failed"
        failed.set()
        raise ConnectionError("replica-0 is down")
    log[i] = "answered"
    return f"replica-{i}"


def start(replicas: int, delay: float, log: dict, record) -> list:
    failed = asyncio.Event()
    return [asyncio.ensure_future(ask(i, delay, log, failed, record)) for i in range(replicas)]


async def first_completed(replicas: int, delay: float, log: dict, record) -> str:
    tasks = start(replicas, delay, log, record)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return done.pop().result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def first_success(replicas: int, delay: float, log: dict, record) -> str:
    tasks = start(replicas, delay, log, record)
    errors = []
    try:
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task.exception() is None:
                    return task.result()
                errors.append(task.exception())
        raise RuntimeError(f"every replica failed: {errors!r}")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def outcome(strategy, replicas: int, delay: float, record) -> dict:
    log: dict = {}
    try:
        answer = await strategy(replicas, delay, log, record)
        error = None
    except Exception as exc:
        answer, error = None, f"{type(exc).__name__}: {exc}"
    return {"answer": answer, "error": error, "replicas": [log.get(i) for i in range(replicas)]}


async def main(replicas: int, delay: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    naive = await outcome(first_completed, replicas, delay, functools.partial(timeline.span, group="first completed"))
    hedged = await outcome(first_success, replicas, delay, functools.partial(timeline.span, group="first success"))
    elapsed = time.perf_counter() - start
    print(f"first completed wins: answer={naive['answer']} error={naive['error']}")
    print(f"first success wins  : answer={hedged['answer']} replicas={hedged['replicas']}")
    expected_states = ["failed", "answered"] + ["cancelled"] * (replicas - 2)
    ok = (
        naive["answer"] is None
        and hedged["answer"] == "replica-1"
        and hedged["replicas"] == expected_states
    )
    return {
        "demo": "hedged-requests",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "replicas": replicas,
        "delay": delay,
        "broken": naive,
        "fixed": hedged,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.02)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.replicas, args.delay))))
