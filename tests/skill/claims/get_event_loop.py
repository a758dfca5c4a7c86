"""event-loop.md: get_event_loop() inside a coroutine returns the running loop with no
warning on every version. Called at module level of a fresh program (no loop running,
none set): 3.9-3.11 create one, 3.12-3.13 create one with a DeprecationWarning, 3.14
raises RuntimeError. After asyncio.run() it raises RuntimeError on every version."""
import asyncio
import sys
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        asyncio.get_event_loop().close()
        fresh = "loop"
    except RuntimeError:
        fresh = "RuntimeError"
deprecated = any(issubclass(w.category, DeprecationWarning) for w in caught)


async def inside():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.get_event_loop() is asyncio.get_running_loop()


asyncio.run(inside())
try:
    asyncio.get_event_loop()
    after_run = "loop"
except RuntimeError:
    after_run = "RuntimeError"

print(sys.version_info[:2], fresh, deprecated, after_run)
if sys.version_info >= (3, 14):
    assert fresh == "RuntimeError"
elif sys.version_info >= (3, 12):
    assert fresh == "loop" and deprecated
else:
    assert fresh == "loop" and not deprecated
assert after_run == "RuntimeError"
