"""cancellation.md: `except CancelledError: pass` around `await task` also swallows the
waiter's own cancellation; gather(..., return_exceptions=True) does not, and on 3.11+
current_task().cancelling() tells the two apart."""
import asyncio
import sys


async def waiter(child, style, seen):
    if style == "except":
        try:
            await child
        except asyncio.CancelledError:
            if sys.version_info >= (3, 11):
                seen.append(asyncio.current_task().cancelling())
    else:
        await asyncio.gather(child, return_exceptions=True)
    seen.append("waiter went on")
    await asyncio.sleep(0)


async def run(style):
    child = asyncio.ensure_future(asyncio.sleep(1))
    seen = []
    w = asyncio.ensure_future(waiter(child, style, seen))
    await asyncio.sleep(0.01)
    w.cancel()  # the waiter is cancelled, not the child
    await asyncio.gather(w, return_exceptions=True)
    child.cancel()
    await asyncio.gather(child, return_exceptions=True)
    return w.cancelled(), seen


async def main():
    cancelled, seen = await run("except")
    assert not cancelled and seen[-1] == "waiter went on", (cancelled, seen)  # swallowed
    if sys.version_info >= (3, 11):
        assert seen[0] == 1, seen  # cancelling() shows it was the waiter's own
    cancelled, seen = await run("gather")
    assert cancelled and seen == [], (cancelled, seen)


asyncio.run(main())
