"""Demo: what asyncio.run does around main(): a fresh loop, cleanup of leftovers, close.

main() starts a background task it never awaits; asyncio.run cancels it on the way out
and closes the loop.

Run: python asyncio-run.py
"""

import argparse
import asyncio
import json
import time

from _timeline import Timeline

report: dict = {}


async def forgotten_background_work() -> None:
    try:
        with timeline.span("forgotten background task"):
            await asyncio.sleep(10)
    except asyncio.CancelledError:
        report["leftover_task_cancelled"] = True
        raise


async def main() -> str:
    with timeline.span("main()"):
        return await body()


async def body() -> str:
    loop = asyncio.get_running_loop()
    report["loop_running_inside_main"] = loop.is_running()
    report["loop"] = type(loop).__name__
    report["task"] = asyncio.current_task().get_name()
    keep = asyncio.create_task(forgotten_background_work())
    report["_loop"] = loop
    await asyncio.sleep(0.01)
    report["pending_at_return"] = len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])
    del keep
    return "main finished"


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    timeline = Timeline()  # module-level: the coroutines above record into it
    start = timeline.start
    result = asyncio.run(main())
    elapsed = time.perf_counter() - start
    loop = report.pop("_loop")
    report["loop_closed_after_run"] = loop.is_closed()
    print(f"asyncio.run returned: {result!r}")
    print(f"inside main: running loop {report['loop']}, task {report['task']!r}")
    print(f"tasks pending when main returned: {report['pending_at_return']}")
    print(f"leftover task cancelled by asyncio.run: {report.get('leftover_task_cancelled', False)}")
    print(f"loop closed afterwards: {report['loop_closed_after_run']}")
    ok = report.get("leftover_task_cancelled", False) and report["loop_closed_after_run"]
    summary = {"demo": "asyncio-run", "ok": ok, "elapsed_s": round(elapsed, 4), **report}
    print(json.dumps({**summary, **timeline.summary()}))
