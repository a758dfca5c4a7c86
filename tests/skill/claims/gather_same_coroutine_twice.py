"""gather.md: passing one coroutine object twice is not an error (gather dedups it and
runs it once); awaiting a coroutine that was already awaited is."""
import asyncio

runs = []


async def work():
    runs.append(1)
    await asyncio.sleep(0)
    return 42


async def main():
    c = work()
    assert await asyncio.gather(c, c) == [42, 42]
    assert runs == [1], runs
    try:
        await c
    except RuntimeError as exc:
        assert "cannot reuse already awaited coroutine" in str(exc), exc
    else:
        raise AssertionError("awaiting an awaited coroutine did not raise")


asyncio.run(main())
