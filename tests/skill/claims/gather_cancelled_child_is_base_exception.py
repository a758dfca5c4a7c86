"""error-handling.md: with return_exceptions=True a cancelled child comes back as a
CancelledError instance, which isinstance(r, Exception) does not count."""
import asyncio


async def main():
    slow = asyncio.ensure_future(asyncio.sleep(1))
    asyncio.get_running_loop().call_soon(slow.cancel)
    (result,) = await asyncio.gather(slow, return_exceptions=True)
    assert isinstance(result, asyncio.CancelledError)
    assert isinstance(result, BaseException) and not isinstance(result, Exception)


asyncio.run(main())
