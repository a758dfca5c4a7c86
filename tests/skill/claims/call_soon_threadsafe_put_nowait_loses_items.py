"""producer-consumer.md: from a thread, call_soon_threadsafe(queue.put_nowait, x) on a full
bounded queue loses x (QueueFull goes to the loop's exception handler);
run_coroutine_threadsafe(queue.put(x), loop).result() waits for room and loses nothing."""
import asyncio
import threading


async def run(mode):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue(maxsize=2)
    errors = []
    loop.set_exception_handler(lambda _loop, ctx: errors.append(type(ctx.get("exception")).__name__))

    def producer():
        for i in range(10):
            if mode == "put_nowait":
                loop.call_soon_threadsafe(queue.put_nowait, i)
            else:
                asyncio.run_coroutine_threadsafe(queue.put(i), loop).result()

    thread = threading.Thread(target=producer)
    thread.start()
    got = []
    while len(got) < 10:
        try:
            got.append(await asyncio.wait_for(queue.get(), 0.2))
        except asyncio.TimeoutError:
            break
        await asyncio.sleep(0.002)  # a slow consumer
    await asyncio.to_thread(thread.join) if hasattr(asyncio, "to_thread") else thread.join()
    return got, errors


async def main():
    got, errors = await run("put_nowait")
    assert len(got) < 10 and "QueueFull" in errors, (got, errors)
    got, errors = await run("threadsafe_put")
    assert got == list(range(10)) and not errors, (got, errors)


asyncio.run(main())
