"""timeouts.md: asyncio.timeout (3.11+) and wait_for (3.12+) cancel the *current* task
(no inner task exists); the expiry shows as a cancellation of the caller's own task."""
import asyncio
import sys


async def main():
    me = asyncio.current_task()
    seen = []

    async def body():
        seen.append(asyncio.current_task() is me)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            seen.append(me.cancelling() if hasattr(me, "cancelling") else None)
            raise

    if sys.version_info >= (3, 11):
        try:
            async with asyncio.timeout(0.01):
                await body()
        except TimeoutError:
            pass
        assert seen == [True, 1], seen
        assert me.cancelling() == 0  # the timeout uncancelled it on exit
        seen.clear()
    try:
        await asyncio.wait_for(body(), 0.01)
    except asyncio.TimeoutError:
        pass
    assert seen[0] is (sys.version_info >= (3, 12)), seen


asyncio.run(main())
