"""Demo: nested deadlines ("move_on_after" scopes) in asyncio each catch only their own expiry.

Case 1: the inner scope (30 ms) expires inside a generous outer one: the inner moves
on, the outer does not. Case 2: the outer scope (30 ms) expires while the inner one
(1 s) is active: the outer moves on, the inner must not claim the expiry as its own.
Uses asyncio.timeout on 3.11+ and wait_for before.

Run: python structured-concurrency.py
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


async def move_on_after(seconds: float, body, span) -> bool:
    """Runs body(); True when this scope's deadline ended it (anyio's move_on_after)."""
    if hasattr(asyncio, "timeout"):
        try:
            with span:
                async with asyncio.timeout(seconds):
                    await body()
            return False
        except TimeoutError:
            return True
    try:
        with span:
            await asyncio.wait_for(body(), seconds)
        return False
    except asyncio.TimeoutError:
        return True


async def nested(outer_s: float, inner_s: float, record) -> dict:
    seen: dict = {}

    async def outer_body() -> None:
        inner = record(f"inner scope, {inner_s}s")
        seen["inner_moved_on"] = await move_on_after(inner_s, lambda: asyncio.sleep(5), inner)
        seen["after_inner"] = True

    seen["outer_moved_on"] = await move_on_after(outer_s, outer_body, record(f"outer scope, {outer_s}s"))
    return seen


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    inner_fires = await nested(1.0, 0.03, functools.partial(timeline.span, group="inner deadline first"))
    outer_fires = await nested(0.03, 1.0, functools.partial(timeline.span, group="outer deadline first"))
    elapsed = time.perf_counter() - start
    print(f"inner deadline first: {inner_fires}")
    print(f"outer deadline first: {outer_fires}")
    ok = inner_fires == {"inner_moved_on": True, "after_inner": True, "outer_moved_on": False} and (
        outer_fires == {"outer_moved_on": True}
    )
    return {
        "demo": "structured-concurrency",
        "ok": ok and elapsed < 0.5,
        "elapsed_s": round(elapsed, 4),
        "api": "asyncio.timeout" if hasattr(asyncio, "timeout") else "asyncio.wait_for",
        "inner_first": inner_fires,
        "outer_first": outer_fires,
        **timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
