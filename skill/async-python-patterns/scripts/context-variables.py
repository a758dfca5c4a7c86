"""Demo: each concurrent request sees its own ContextVar value in its tasks and threads.

--requests requests run at once; each sets request_id and reads it back in a child task,
in asyncio.to_thread, in plain run_in_executor (which does not copy the context) and in
run_in_executor through copy_context().run.

Run: python context-variables.py [--requests 3]
"""

import argparse
import asyncio
import contextvars
import functools
import json
import time

from _timeline import Timeline

request_id: contextvars.ContextVar = contextvars.ContextVar("request_id", default="-")


def current() -> str:
    return request_id.get()


async def handle(rid: str) -> dict:
    request_id.set(rid)
    await asyncio.sleep(0.01)  # the other requests set their ids meanwhile
    child = asyncio.create_task(asyncio.sleep(0, result=current()))
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    return {
        "task": await child,
        "to_thread": await asyncio.to_thread(current),
        "run_in_executor": await loop.run_in_executor(None, current),
        "run_in_executor_ctx": await loop.run_in_executor(None, functools.partial(ctx.run, current)),
    }


async def main(requests: int) -> dict:
    timeline = Timeline()
    start = timeline.start
    ids = [f"req-{n}" for n in range(requests)]

    async def recorded(rid: str) -> dict:
        with timeline.span(f"request {rid}"):
            return await handle(rid)

    seen = await asyncio.gather(*(recorded(rid) for rid in ids))
    after = current()
    elapsed = time.perf_counter() - start
    for rid, where in zip(ids, seen):
        print(f"{rid}: {where}")
    print(f"main after the requests: {after!r}")
    own = all(
        where["task"] == where["to_thread"] == where["run_in_executor_ctx"] == rid
        for rid, where in zip(ids, seen)
    )
    not_copied = all(where["run_in_executor"] == "-" for where in seen)
    return {
        "demo": "context-variables",
        "ok": own and not_copied and after == "-",
        "elapsed_s": round(elapsed, 4),
        "requests": requests,
        "each_saw_its_own": own,
        "run_in_executor_saw_default": not_copied,
        "leaked_to_main": after != "-",
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.requests))))
