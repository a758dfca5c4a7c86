"""Demo: an unreferenced task can be garbage-collected while it is pending.

A task waits on a future that nothing else references. Without a strong reference,
gc.collect() destroys it (the loop holds only weak references); kept in a set, it
survives and completes.

Run: python dangling-tasks.py
"""

import argparse
import asyncio
import gc
import json
import time
import weakref


async def wait_on(future: asyncio.Future, log: list) -> None:
    await future
    log.append("completed")


async def broken() -> dict:
    loop = asyncio.get_running_loop()
    log: list = []
    task = asyncio.create_task(wait_on(loop.create_future(), log))
    probe = weakref.ref(task)
    del task  # the bug: nobody keeps the task
    await asyncio.sleep(0)
    gc.collect()
    await asyncio.sleep(0)
    return {"task_alive_after_gc": probe() is not None, "completed": log == ["completed"]}


async def fixed() -> dict:
    loop = asyncio.get_running_loop()
    log: list = []
    background: set = set()
    task = asyncio.create_task(wait_on(loop.create_future(), log))
    background.add(task)  # the fix: a strong reference until the task is done
    task.add_done_callback(background.discard)
    probe = weakref.ref(task)
    del task  # our own name is gone; the set still holds the task
    await asyncio.sleep(0)
    gc.collect()
    alive = probe() is not None
    # The future it waits on will never be resolved in this demo, so end the task
    # ourselves; the done-callback then drops it from the set.
    for waiting in list(background):
        waiting.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    return {"task_alive_after_gc": alive, "released_when_done": not background}


async def main() -> dict:
    start = time.perf_counter()
    bad = await broken()
    good = await fixed()
    elapsed = time.perf_counter() - start
    print(f"symptom: unreferenced task alive after gc: {bad['task_alive_after_gc']}")
    print(f"fix    : task kept in a set, alive after gc: {good['task_alive_after_gc']}")
    print(f"         released from the set when done: {good['released_when_done']}")
    ok = not bad["task_alive_after_gc"] and good["task_alive_after_gc"] and good["released_when_done"]
    return {"demo": "dangling-tasks", "ok": ok, "elapsed_s": round(elapsed, 4), "broken": bad, "fixed": good}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
