"""Demo: a child process that overruns its timeout is killed and reaped.

Runs a quick child (prints a line) and a slow one (sleeps 30 s) under --timeout seconds.
The slow one is killed with SIGKILL and awaited, so no process is left behind.

Run: python subprocesses.py [--timeout 0.3]
"""

import argparse
import asyncio
import json
import signal
import sys
import time

from _timeline import Timeline


async def run(args: list, timeout: float, span) -> dict:
    timed_out = False
    out = b""
    try:
        with span:  # from the spawn to the child's exit, or to the deadline
            proc = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        timed_out = True
        proc.kill()
    try:
        await asyncio.wait_for(proc.wait(), 2.0)  # reap it
    except asyncio.TimeoutError:
        pass
    reaped = proc.returncode is not None
    if not reaped:  # clean up after a broken variant so the demo still ends
        proc.kill()
        await proc.wait()
    return {
        "timed_out": timed_out,
        "returncode": proc.returncode if reaped else None,
        "output": out.decode().strip(),
        "alive_after": not reaped,
    }


async def main(timeout: float) -> dict:
    timeline = Timeline()
    start = timeline.start
    quick = await run([sys.executable, "-c", "print('hello from the child')"], 5, timeline.span("quick child"))
    began = time.perf_counter()
    slow = await run([sys.executable, "-c", "import time; time.sleep(30)"], timeout, timeline.span("slow child"))
    slow_s = time.perf_counter() - began
    elapsed = time.perf_counter() - start
    print(f"quick child: exit {quick['returncode']}, output {quick['output']!r}")
    print(f"slow child : timed out={slow['timed_out']}, exit {slow['returncode']} after {slow_s:.3f}s")
    print(f"slow child still running afterwards: {slow['alive_after']}")
    ok = (
        quick["returncode"] == 0
        and quick["output"] == "hello from the child"
        and slow["timed_out"]
        and slow["returncode"] == -signal.SIGKILL
        and not slow["alive_after"]
        and slow_s < timeout + 1.0
    )
    return {
        "demo": "subprocesses",
        "ok": ok,
        "elapsed_s": round(elapsed, 4),
        "timeout": timeout,
        "quick": quick,
        "slow": slow,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0.3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.timeout))))
