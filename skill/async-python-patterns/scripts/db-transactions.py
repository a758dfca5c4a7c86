"""Demo: a request cancelled mid-transaction must roll back before its connection is reused.

A fake connection records its statements. A transfer is cancelled between its two
UPDATEs. The variant that rolls back in `except Exception` leaves the transaction open
(CancelledError is not an Exception); the one that rolls back on BaseException, shielded,
leaves it clean.

Run: python db-transactions.py
"""

import argparse
import asyncio
import functools
import json
import time

from _timeline import Timeline


class Connection:
    def __init__(self) -> None:
        self.in_transaction = False
        self.log: list = []

    async def execute(self, sql: str) -> None:
        await asyncio.sleep(0.01)
        self.log.append(sql)
        if sql == "BEGIN":
            self.in_transaction = True
        elif sql in ("COMMIT", "ROLLBACK"):
            self.in_transaction = False


async def transfer_naive(conn: Connection) -> None:
    await conn.execute("BEGIN")
    try:
        await conn.execute("UPDATE a")
        await conn.execute("UPDATE b")
        await conn.execute("COMMIT")
    except Exception:  # misses CancelledError
        await conn.execute("ROLLBACK")
        raise


async def transfer(conn: Connection) -> None:
    await conn.execute("BEGIN")
    try:
        await conn.execute("UPDATE a")
        await conn.execute("UPDATE b")
        await conn.execute("COMMIT")
    except BaseException:
        await asyncio.shield(conn.execute("ROLLBACK"))
        raise


async def cancelled_midway(variant, record) -> dict:
    conn = Connection()

    async def recorded() -> None:
        with record("transfer"):
            await variant(conn)

    task = asyncio.create_task(recorded())
    await asyncio.sleep(0.025)  # BEGIN and UPDATE a are done, UPDATE b is running
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(0.02)  # a shielded rollback finishes in the background
    return {"log": conn.log, "open_transaction": conn.in_transaction, "cancelled": task.cancelled()}


async def main() -> dict:
    timeline = Timeline()
    start = timeline.start
    naive = await cancelled_midway(transfer_naive, functools.partial(timeline.span, group="except Exception"))
    fixed = await cancelled_midway(transfer, functools.partial(timeline.span, group="except BaseException"))
    elapsed = time.perf_counter() - start
    print(f"except Exception    : {naive['log']} -> transaction open: {naive['open_transaction']}")
    print(f"except BaseException: {fixed['log']} -> transaction open: {fixed['open_transaction']}")
    ok = (
        naive["open_transaction"]
        and not fixed["open_transaction"]
        and fixed["log"][-1] == "ROLLBACK"
        and "COMMIT" not in fixed["log"]
        and fixed["cancelled"]
    )
    summary = {"demo": "db-transactions", "ok": ok, "elapsed_s": round(elapsed, 4), "broken": naive, "fixed": fixed}
    return {**summary, **timeline.summary()}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(json.dumps(asyncio.run(main())))
