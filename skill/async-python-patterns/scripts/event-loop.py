"""Demo: the order in which the event loop runs callbacks, timers and tasks.

Run: python event-loop.py
"""

import argparse
import asyncio
import json
import threading

from _timeline import Timeline


async def main() -> dict:
    loop = asyncio.get_running_loop()
    order = []
    start = loop.time()
    timeline = Timeline()

    async def task_body(name: str) -> None:
        with timeline.span(name):
            order.append(f"{name} starts")
            await asyncio.sleep(0)  # yields to the loop
            order.append(f"{name} resumes")

    loop.call_later(0.01, order.append, "timer (10 ms)")
    loop.call_soon(order.append, "call_soon callback")
    t1 = asyncio.create_task(task_body("task A"))
    t2 = asyncio.create_task(task_body("task B"))
    order.append("main: scheduled everything, now awaiting")
    await asyncio.gather(t1, t2)
    with timeline.span("main sleeps 20 ms (the timer fires)"):
        await asyncio.sleep(0.02)
    order.append("main: done")
    elapsed = loop.time() - start
    for step, line in enumerate(order, 1):
        print(f"{step:>2}. {line}")
    print(f"all of it ran on thread {threading.current_thread().name!r}")
    expected_prefix = [
        "main: scheduled everything, now awaiting",
        "call_soon callback",
        "task A starts",
        "task B starts",
        "task A resumes",
        "task B resumes",
    ]
    return {
        "demo": "event-loop",
        "ok": order[: len(expected_prefix)] == expected_prefix and order[-2:] == ["timer (10 ms)", "main: done"],
        "elapsed_s": round(elapsed, 4),
        "order": order,
        "thread": threading.current_thread().name,
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
