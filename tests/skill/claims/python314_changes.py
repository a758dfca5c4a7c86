"""SKILL.md's version table and event-loop.md, to-thread.md, cancellation.md, debugging.md:
what 3.14 changed for async code, checked on 3.14 (and absent before it)."""
import asyncio
import multiprocessing
import sys
import warnings

NEW = sys.version_info >= (3, 14)

# PEP 765: return/break/continue leaving a finally block warn at compile time.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    compile("def f():\n    try:\n        pass\n    finally:\n        return 1\n", "<pep765>", "exec")
assert any(issubclass(w.category, SyntaxWarning) for w in caught) is NEW, caught

# asyncio.iscoroutinefunction and the policy system are deprecated (removal in 3.16).
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    asyncio.iscoroutinefunction(len)
    asyncio.get_event_loop_policy()
assert sum(issubclass(w.category, DeprecationWarning) for w in caught) == (2 if NEW else 0), caught

# New APIs.
assert hasattr(asyncio, "capture_call_graph") is NEW
assert hasattr(asyncio, "print_call_graph") is NEW
import concurrent.futures  # noqa: E402

assert hasattr(concurrent.futures, "InterpreterPoolExecutor") is NEW
# forkserver became Linux's default start method in 3.14 (fork before).
if sys.platform == "linux":
    assert multiprocessing.get_start_method() == ("forkserver" if NEW else "fork")


async def main():
    if NEW:
        ran = []

        async def body():
            ran.append("started")
            await asyncio.sleep(0)

        task = asyncio.get_running_loop().create_task(body(), eager_start=True)
        assert ran == ["started"]  # ran up to its first await before create_task returned
        await task
        graph = asyncio.capture_call_graph(asyncio.current_task())
        assert graph is not None and graph.future is asyncio.current_task()


asyncio.run(main())
