"""as-completed.md, timeouts.md, awaitables.md, taskgroup.md, semaphore.md: version facts
about the waiting APIs.

- as_completed(timeout=) raises asyncio.TimeoutError on the next iteration and leaves the
  other awaitables running; from 3.13 `async for` yields the original tasks;
- asyncio.wait() refuses bare coroutines from 3.11 (TypeError);
- on 3.9/3.10 `except TimeoutError` does not catch asyncio.TimeoutError;
- wait_for(aw, 0) cancels at once and raises TimeoutError;
- a TaskGroup raises ExceptionGroup even for one failure and cancels its own body;
- before 3.10 a Semaphore created outside the loop is bound to another loop.
"""
import asyncio
import sys


async def as_completed_timeout():
    slow = asyncio.ensure_future(asyncio.sleep(1))
    fast = asyncio.ensure_future(asyncio.sleep(0.01, result="fast"))
    results = []
    try:
        for step in asyncio.as_completed([slow, fast], timeout=0.05):
            results.append(await step)
    except asyncio.TimeoutError:
        results.append("timeout")
    assert results == ["fast", "timeout"], results
    assert not slow.done(), "as_completed cancelled the leftover"
    slow.cancel()
    await asyncio.gather(slow, return_exceptions=True)
    if sys.version_info >= (3, 13):
        tasks = [asyncio.ensure_future(asyncio.sleep(d, result=d)) for d in (0.02, 0.01)]
        seen = [t async for t in asyncio.as_completed(tasks)]
        assert seen == [tasks[1], tasks[0]]


async def wait_rejects_coroutines():
    coro = asyncio.sleep(0)
    try:
        await asyncio.wait([coro])
        refused = False
    except TypeError:
        refused = True
        coro.close()
    assert refused is (sys.version_info >= (3, 11))


async def timeout_error_identity():
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0.01)
    except Exception as exc:
        assert isinstance(exc, asyncio.TimeoutError)
        assert isinstance(exc, TimeoutError) is (sys.version_info >= (3, 11)), type(exc).__mro__


async def wait_for_zero():
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0)
        raise AssertionError("wait_for(..., 0) did not time out")
    except asyncio.TimeoutError:
        pass


async def taskgroup_single_failure():
    if sys.version_info < (3, 11):
        return
    body_finished = False

    async def fail():
        await asyncio.sleep(0.01)
        raise ValueError("one")

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail())
            await asyncio.sleep(1)
            body_finished = True
    except Exception as group:  # ExceptionGroup, a name that exists from 3.11
        assert type(group).__name__ == "ExceptionGroup"
        assert [type(e) for e in group.exceptions] == [ValueError]
    assert not body_finished


def semaphore_outside_the_loop():
    sem = asyncio.Semaphore(1)  # created before asyncio.run made its loop

    async def holder():
        async with sem:
            await asyncio.sleep(0.01)

    async def main():
        await asyncio.gather(holder(), holder())  # the second one must wait

    try:
        asyncio.run(main())
        bound = False
    except RuntimeError as exc:
        assert "attached to a different loop" in str(exc), exc
        bound = True
    assert bound is (sys.version_info < (3, 10))


async def main():
    await as_completed_timeout()
    await wait_rejects_coroutines()
    await timeout_error_identity()
    await wait_for_zero()
    await taskgroup_single_failure()


semaphore_outside_the_loop()  # first: like a module-level semaphore in a fresh program
asyncio.run(main())
