"""async-context-managers.md and awaitables.md quote error messages that changed between
versions: `with` on an async context manager (AttributeError on 3.9/3.10, TypeError
from 3.11, with an `async with` hint from 3.14) and awaiting a plain value (reworded in
3.14)."""
import asyncio
import contextlib
import sys


@contextlib.asynccontextmanager
async def resource():
    yield 1


try:
    with resource():
        pass
except (AttributeError, TypeError) as exc:
    with_error = exc
if sys.version_info >= (3, 11):
    assert isinstance(with_error, TypeError), repr(with_error)
    assert "does not support the context manager protocol" in str(with_error)
    assert ("Did you mean to use 'async with'?" in str(with_error)) is (sys.version_info >= (3, 14))
else:
    assert isinstance(with_error, AttributeError) and str(with_error) == "__enter__", repr(with_error)


async def main():
    try:
        await 5
    except TypeError as exc:
        return str(exc)


message = asyncio.run(main())
if sys.version_info >= (3, 14):
    assert message == "'int' object can't be awaited", message
else:
    assert message == "object int can't be used in 'await' expression", message
