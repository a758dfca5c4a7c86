"""sync-async-bridge.md: when future.result(timeout) of run_coroutine_threadsafe times out,
the coroutine keeps running on the loop until the future is cancelled. The exception is
concurrent.futures.TimeoutError, which is the built-in TimeoutError only from 3.11 on."""
import asyncio
import concurrent.futures
import sys
import threading
import time

loop = asyncio.new_event_loop()
thread = threading.Thread(target=loop.run_forever, daemon=True)
thread.start()
log = []


async def slow():
    try:
        await asyncio.sleep(0.2)
        log.append("finished")
    except asyncio.CancelledError:
        log.append("cancelled")
        raise


future = asyncio.run_coroutine_threadsafe(slow(), loop)
try:
    future.result(timeout=0.02)
except concurrent.futures.TimeoutError as exc:
    assert isinstance(exc, TimeoutError) is (sys.version_info >= (3, 11)), type(exc).__mro__
time.sleep(0.3)
assert log == ["finished"], log  # nobody cancelled it: it ran to the end

future = asyncio.run_coroutine_threadsafe(slow(), loop)
try:
    future.result(timeout=0.02)
except concurrent.futures.TimeoutError:
    future.cancel()
time.sleep(0.05)
assert log == ["finished", "cancelled"], log
loop.call_soon_threadsafe(loop.stop)
thread.join()
loop.close()
