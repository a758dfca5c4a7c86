"""One mutation per demo: the smallest edit that reintroduces the bug the demo guards
against (or removes the fix it shows). test_mutations.py applies it to a copy of the
script and requires the demo to report `"ok": false`, so no demo's check can be one that
cannot fail.

Each value: (why, [(text in the script, replacement), ...], extra demo flags). Every
`text` must occur exactly once in the script.
"""

MUTATIONS = {
    "as-completed": (
        "await in submission order instead of as they finish",
        [("for next_done in asyncio.as_completed(coros):", "for next_done in coros:")],
        [],
    ),
    "async-context-managers": (
        "close in plain code after the yield instead of in finally",
        [(
            "    try:\n        yield name\n    finally:\n        log.append(f\"close {name}\")",
            "    yield name\n    log.append(f\"close {name}\")",
        )],
        [],
    ),
    "async-generators": (
        "the consumer stops early without closing the generator",
        [("        await source.aclose()  # what contextlib.aclosing does on 3.10+\n", "        pass\n")],
        [],
    ),
    "asyncio-run": (
        "a hand-made loop instead of asyncio.run: nothing is cancelled, nothing closed",
        [("result = asyncio.run(main())", "result = asyncio.new_event_loop().run_until_complete(main())")],
        [],
    ),
    "blocking-the-loop": (
        "the fixed handler calls the blocking function on the loop",
        [("await asyncio.to_thread(blocking_call)", "blocking_call()")],
        [],
    ),
    "cancellation": (
        "cleanup in `except Exception` (which CancelledError skips) instead of finally",
        [(
            "    finally:\n        log.append(\"disconnected\")",
            "    except Exception:\n        log.append(\"disconnected\")",
        )],
        [],
    ),
    "connection-pools": (
        "the connection's name read after the handshake's await",
        [(
            "            name = f\"conn-{self.opened}\"  # taken before the await: see the reference\n"
            "            await asyncio.sleep(HANDSHAKE)\n",
            "            await asyncio.sleep(HANDSHAKE)\n"
            "            name = f\"conn-{self.opened}\"\n",
        )],
        [],
    ),
    "create-task": (
        "no done-callback: finished tasks stay in the set forever",
        [("        task.add_done_callback(background.discard)\n", "")],
        [],
    ),
    "dangling-tasks": (
        "the fix no longer keeps a strong reference",
        [("    background.add(task)  # the fix", "    pass  # the fix")],
        [],
    ),
    "error-handling": (
        "count failures with isinstance(r, Exception)",
        [(
            "return sum(1 for r in results if isinstance(r, BaseException))",
            "return sum(1 for r in results if isinstance(r, Exception))",
        )],
        [],
    ),
    "event-loop": (
        "a task body that never awaits cannot interleave",
        [("            await asyncio.sleep(0)  # yields to the loop\n", "")],
        [],
    ),
    "forgotten-await": (
        "the fix forgets the await too",
        [("result = await save(\"order-1\", store)", "result = save(\"order-1\", store)")],
        [],
    ),
    "gather-no-cancel": (
        "the fix falls back to plain gather without cancelling the siblings",
        [
            ("    if hasattr(asyncio, \"TaskGroup\"):", "    if False:"),
            ("            for task in tasks:\n                task.cancel()\n", ""),
        ],
        [],
    ),
    "gather": (
        "await one after another instead of gather",
        [(
            "results = await asyncio.gather(*(work(i, delay, tasks, finished, record) for i in range(tasks)))",
            "results = [await work(i, delay, tasks, finished, record) for i in range(tasks)]",
        )],
        [],
    ),
    "graceful-shutdown": (
        "workers that ignore the stop event",
        [("        while not stop.is_set():", "        while True:")],
        [],
    ),
    "locks-and-events": (
        "the 'locked' variant does not take the lock",
        [("            async with lock:", "            if lock:")],
        [],
    ),
    "nested-asyncio-run": (
        "the fix calls the asyncio.run wrapper from async code",
        [("        value = await fetch_price()\n", "        value = get_price_sync()\n")],
        [],
    ),
    "producer-consumer": (
        "a consumer that blocks the loop while it works",
        [(
            "                    await asyncio.sleep(delay)\n                    busy[\"now\"] -= 1",
            "                    time.sleep(delay)\n                    busy[\"now\"] -= 1",
        )],
        [],
    ),
    "rate-limiting": (
        "a bucket that never spends its tokens",
        [("                    self.tokens -= 1\n", "                    self.tokens -= 0\n")],
        [],
    ),
    "retry-backoff": (
        "the pause is computed but not slept",
        [("            await asyncio.sleep(pause)\n", "            await asyncio.sleep(0)\n")],
        [],
    ),
    "semaphore": (
        "the semaphore is not acquired",
        [("        async with sem:", "        if sem:")],
        [],
    ),
    "swallowed-cancellation": (
        "the cooperative worker swallows the cancellation and keeps working",
        [(
            "        log.append(\"cleaned up, re-raising\")\n        raise\n    return \"finished\"",
            "        log.append(\"cleaned up, re-raising\")\n    await asyncio.sleep(WORK)\n    return \"finished\"",
        )],
        [],
    ),
    "sync-async-bridge": (
        "the blocking call runs on the loop's thread",
        [(
            "checksum = await asyncio.to_thread(blocking_checksum, \"async\", threads)",
            "checksum = blocking_checksum(\"async\", threads)",
        )],
        [],
    ),
    "taskgroup": (
        "the failing child no longer fails, so nothing is cancelled",
        [("    raise ValueError(\"failing child raised\")", "    return None")],
        [],
    ),
    "testing": (
        "the code under test returns a wrong value",
        [("    return {\"id\": uid}", "    return {\"id\": uid + 1}")],
        [],
    ),
    "timeouts": (
        "no deadline at all",
        [
            ("async with asyncio.timeout(timeout):", "async with asyncio.timeout(None):"),
            (
                "await asyncio.wait_for(guarded_work(work, log), timeout)",
                "await asyncio.wait_for(guarded_work(work, log), None)",
            ),
        ],
        [],
    ),
    "to-thread": (
        "the 'offloaded' calls run on the loop",
        [("name = await asyncio.to_thread(blocking, i, block)", "name = blocking(i, block)")],
        [],
    ),
    "barrier": (
        "the workers do not wait at the barrier",
        [("        await barrier.wait()\n", "        await asyncio.sleep(0)\n")],
        [],
    ),
    "context-variables": (
        "to_thread replaced by run_in_executor, which does not copy the context",
        [(
            "\"to_thread\": await asyncio.to_thread(current),",
            "\"to_thread\": await loop.run_in_executor(None, current),",
        )],
        [],
    ),
    "db-transactions": (
        "the fixed transfer rolls back only on Exception",
        [(
            "    except BaseException:\n        await asyncio.shield(conn.execute(\"ROLLBACK\"))",
            "    except Exception:\n        await asyncio.shield(conn.execute(\"ROLLBACK\"))",
        )],
        [],
    ),
    "debugging": (
        "debug mode left off",
        [(
            "    debug = run(block, debug=True, timeline=timeline)\n",
            "    debug = run(block, debug=False, timeline=timeline)\n",
        )],
        [],
    ),
    "hedged-requests": (
        "first *completed* instead of first successful",
        [(
            "                if task.exception() is None:\n                    return task.result()\n"
            "                errors.append(task.exception())\n",
            "                return task.result()\n",
        )],
        [],
    ),
    "streams-and-servers": (
        "the client forgets the line delimiter the server reads up to",
        [(
            'writer.write(f"hello from client {n}\\n".encode())',
            'writer.write(f"hello from client {n}".encode())',
        )],
        [],
    ),
    "structured-concurrency": (
        "the scope helper takes any cancellation for its own expiry",
        [
            (
                "        except TimeoutError:\n            return True",
                "        except (TimeoutError, asyncio.CancelledError):\n            return True",
            ),
            (
                "    except asyncio.TimeoutError:\n        return True",
                "    except (asyncio.TimeoutError, asyncio.CancelledError):\n        return True",
            ),
        ],
        [],
    ),
    "subprocesses": (
        "the timed-out child is not killed",
        [("        timed_out = True\n        proc.kill()\n", "        timed_out = True\n")],
        [],
    ),
    "web-endpoints": (
        "the def endpoint runs on the loop instead of in the thread pool",
        [(
            "    return await asyncio.to_thread(endpoint, *args)",
            "    return await asyncio.sleep(0, result=endpoint(*args))",
        )],
        [],
    ),
    "queue-async-for": (
        "the iterator never marks its items done",
        [("        finally:\n            queue.task_done()\n", "        finally:\n            pass\n")],
        [],
    ),
}
