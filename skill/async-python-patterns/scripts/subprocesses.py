"""Demo: a child process that overruns its timeout is killed and reaped.

Runs a quick child (prints a line) and a slow one (sleeps 30 s) under --timeout seconds.
The slow one is killed with SIGKILL and awaited, so no process is left behind.

Run: python subprocesses.py [--timeout 0.3]
"""

import argparse
import asyncio
import contextlib
import json
import signal
import sys
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
