"""The timeline recorder every demo shares (a private helper module, not a demo).

Each demo's JSON summary carries a `timeline`: one span per task or phase, with its real
start, end and outcome in milliseconds since the demo began, which a viewer draws as one
lane per span (docs/skill-format.md, "The timeline"). It lives here once, so the demos
show only their pattern. A demo imports it with a plain `from _timeline import Timeline`:
Python puts the script's folder on sys.path, and the demo runner writes this file beside
the script in the sandbox.
"""

import asyncio
import contextlib
import time

# Spans beyond this many are counted in `timeline_dropped`, not listed.
MAX_SPANS = 64


class Timeline:
    """Real start, end and outcome of each task, in ms since the demo began."""

    OUTCOMES = ((asyncio.CancelledError, "cancelled"), (asyncio.TimeoutError, "timed_out"))

    def __init__(self) -> None:
        self.start, self.spans = time.perf_counter(), []

    def ms(self) -> float:
        return round((time.perf_counter() - self.start) * 1000, 1)

    @contextlib.contextmanager
    def span(self, label: str, group: str = ""):
        entry = {"label": label, "group": group, "start_ms": self.ms(), "end_ms": None, "outcome": "done"}
        self.spans.append(entry)
        try:
            yield entry
        except BaseException as exc:  # asyncio.TimeoutError is the built-in one on 3.11+
            entry["outcome"] = next((o for kind, o in self.OUTCOMES if isinstance(exc, kind)), "failed")
            raise
        finally:
            entry["end_ms"] = self.ms()

    def summary(self) -> dict:
        """The summary keys: `timeline` (without empty groups) and, past the cap, the count dropped."""
        spans = [{k: v for k, v in s.items() if v != ""} for s in self.spans]
        dropped = len(spans) - MAX_SPANS
        return {"timeline": spans[:MAX_SPANS], **({"timeline_dropped": dropped} if dropped > 0 else {})}
