"""Demo: asyncio's debug mode reports a callback that blocks the loop; normal mode does not.

A task blocks the loop for --block seconds (a CPU loop, on purpose). The same program
runs twice, with asyncio.run(..., debug=False) and debug=True and
slow_callback_duration = block / 2; the demo captures asyncio's log records.

Run: python debugging.py [--block 0.06]
"""

import argparse
import asyncio
import json
import logging
import time

from _timeline import Timeline


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def blocking_step(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:  # CPU work on the loop: the bug debug mode finds
        pass


async def handler(block: float) -> None:
    blocking_step(block)


async def program(block: float) -> None:
    asyncio.get_running_loop().slow_callback_duration = block / 2
    await asyncio.create_task(handler(block), name="slow-handler")


def run(block: float, debug: bool, timeline: Timeline) -> list:
    capture = Capture()
    logger = logging.getLogger("asyncio")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        with timeline.span("asyncio.run(program)", f"debug={debug}"):
            asyncio.run(program(block), debug=debug)
    finally:
        logger.removeHandler(capture)
    return [m for m in capture.messages if "took" in m and "seconds" in m]


def main(block: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    normal = run(block, debug=False, timeline=timeline)
    debug = run(block, debug=True, timeline=timeline)
    elapsed = time.perf_counter() - start
    print(f"debug=False: {len(normal)} slow-callback reports")
    print(f"debug=True : {len(debug)} slow-callback reports")
    for message in debug:
        print("  " + message[:160])
    names_task = any("slow-handler" in m for m in debug)
    return {
        "demo": "debugging",
        "ok": not normal and bool(debug) and names_task,
        "elapsed_s": round(elapsed, 4),
        "block": block,
        "reports_without_debug": len(normal),
        "reports_with_debug": len(debug),
        "names_the_task": names_task,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", type=float, default=0.06)
    args = parser.parse_args()
    print(json.dumps(main(args.block)))
