"""Demo: run an IsolatedAsyncioTestCase suite programmatically and report the results.

The suite checks a value, a timeout and a cancellation, each on a fresh event loop.

Run: python testing.py
"""

import argparse
import asyncio
import io
import json
import time
import unittest


async def fetch_user(uid: int) -> dict:
    await asyncio.sleep(0)
    return {"id": uid}


class AsyncSuite(unittest.IsolatedAsyncioTestCase):
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

    async def test_fresh_loop_per_test(self) -> None:
        self.assertTrue(asyncio.get_running_loop().is_running())


def main() -> dict:
    start = time.perf_counter()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(AsyncSuite)
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    elapsed = time.perf_counter() - start
    print(stream.getvalue().strip())
    return {
        "demo": "testing",
        "ok": result.wasSuccessful() and result.testsRun == 4,
        "elapsed_s": round(elapsed, 4),
        "tests_run": result.testsRun,
        "failures": len(result.failures) + len(result.errors),
    }


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(main()))
