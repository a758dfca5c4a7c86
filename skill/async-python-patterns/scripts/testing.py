"""Demo: run an IsolatedAsyncioTestCase suite programmatically and report the results.

The suite checks a value, a timeout, a cancellation and a forgotten await, and the demo
checks that each test ran on an event loop of its own that was closed afterwards.

Run: python testing.py
"""

import argparse
import asyncio
import io
import json
import time
import unittest

from _timeline import Timeline


async def fetch_user(uid: int) -> dict:
    await asyncio.sleep(0)
    return {"id": uid}


class AsyncSuite(unittest.IsolatedAsyncioTestCase):
    timeline: Timeline  # set by main()

    def run(self, result):  # the runner always passes its result
        # Each test is a span; a test that fails or errors is a failed one.
        with self.timeline.span(self._testMethodName) as span:
            problems = len(result.failures) + len(result.errors)
            super().run(result)
            if len(result.failures) + len(result.errors) > problems:
                span["outcome"] = "failed"
        return result

    async def test_value(self) -> None:
        self.assertEqual(await fetch_user(7), {"id": 7})

    async def test_timeout(self) -> None:
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(10), timeout=0.01)

    async def test_cancellation(self) -> None:
        task = asyncio.create_task(asyncio.sleep(10))
        await asyncio.sleep(0)
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task

    async def asyncSetUp(self) -> None:
        # Kept (not just their ids) so a closed loop's id cannot be reused by the next.
        LOOPS.append(asyncio.get_running_loop())

    async def test_forgotten_await_is_caught(self) -> None:
        # fetch_user(8) without await is a coroutine object, not a dict: the test sees it.
        result = fetch_user(8)
        try:
            self.assertNotIsInstance(result, dict)
        finally:
            result.close()  # no "never awaited" warning from the demo itself


LOOPS: list = []


def main() -> dict:
    AsyncSuite.timeline = Timeline()
    start = AsyncSuite.timeline.start
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(AsyncSuite)
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    elapsed = time.perf_counter() - start
    print(stream.getvalue().strip())
    # Each test ran on a loop of its own, closed when the test ended.
    fresh = len({id(loop) for loop in LOOPS}) == len(LOOPS) == result.testsRun
    closed = all(loop.is_closed() for loop in LOOPS)
    print(f"{len(LOOPS)} tests, {len({id(loop) for loop in LOOPS})} distinct loops, all closed: {closed}")
    return {
        "demo": "testing",
        "ok": result.wasSuccessful() and result.testsRun == 4 and fresh and closed,
        "fresh_loop_per_test": fresh,
        "loops_closed": closed,
        "elapsed_s": round(elapsed, 4),
        "tests_run": result.testsRun,
        "failures": len(result.failures) + len(result.errors),
        **AsyncSuite.timeline.summary(),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(main()))
