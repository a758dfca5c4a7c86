"""awaitables.md/timeouts.md: wait_for wraps a coroutine in a new task before 3.12 and runs
it in the caller's own task from 3.12 on."""
import asyncio
import sys


async def main():
    caller = asyncio.current_task()

    async def which():
        return asyncio.current_task()

    inner = await asyncio.wait_for(which(), 1)
    if sys.version_info >= (3, 12):
        assert inner is caller
    else:
        assert inner is not caller


asyncio.run(main())
