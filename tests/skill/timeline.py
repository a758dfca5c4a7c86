"""The `timeline` a demo's summary carries (docs/skill-format.md, "The timeline"): one
reading of the contract, shared by the test modules that check it.

`problems(summary)` lists what is wrong with a summary's timeline (empty when it is well
formed), so a test can show the reader every defect at once.
"""

OUTCOMES = ("done", "failed", "cancelled", "timed_out")
MAX_SPANS = 64
LABEL_MAX = 40
# elapsed_s and the spans are rounded separately (0.1 ms); a demo that stops its clock a
# moment before the last span closes still passes.
SLACK_MS = 2.0


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems(summary: dict) -> list:
    spans = summary.get("timeline")
    if not isinstance(spans, list) or not spans:
        return [f"no timeline (a non-empty list): {spans!r}"]
    found = []
    if len(spans) > MAX_SPANS:
        found.append(f"{len(spans)} spans, more than {MAX_SPANS}")
    dropped = summary.get("timeline_dropped")
    if dropped is not None and not (type(dropped) is int and dropped > 0 and len(spans) == MAX_SPANS):
        found.append(f"timeline_dropped={dropped!r} with {len(spans)} spans")
    limit = summary["elapsed_s"] * 1000 + SLACK_MS
    seen = set()
    previous_start = 0.0
    for n, span in enumerate(spans):
        where = f"span {n} {span!r}"
        if not isinstance(span, dict):
            found.append(f"{where}: not an object")
            continue
        label, group = span.get("label"), span.get("group")
        start, end = span.get("start_ms"), span.get("end_ms")
        if not isinstance(label, str) or not label or len(label) > LABEL_MAX:
            found.append(f"{where}: label must be a string of 1-{LABEL_MAX} characters")
        if "group" in span and (not isinstance(group, str) or not group):
            found.append(f"{where}: group, when present, is a non-empty string")
        if (group, label) in seen:
            found.append(f"{where}: label repeated within its group")
        seen.add((group, label))
        if span.get("outcome") not in OUTCOMES:
            found.append(f"{where}: outcome not one of {OUTCOMES}")
        if not (is_number(start) and is_number(end)):
            found.append(f"{where}: start_ms and end_ms must be numbers")
            continue
        if round(start, 1) != start or round(end, 1) != end:
            found.append(f"{where}: times are rounded to 0.1 ms")
        if not 0 <= start <= end <= limit:
            found.append(f"{where}: needs 0 <= start_ms <= end_ms <= elapsed ({limit:.1f} ms)")
        if start < previous_start:
            found.append(f"{where}: spans are listed in the order they started")
        previous_start = start
    return found


def spans_in(summary: dict, group=None) -> list:
    return [s for s in summary["timeline"] if s.get("group") == group]


def length(span: dict) -> float:
    return span["end_ms"] - span["start_ms"]


def all_overlap(spans: list) -> bool:
    """Was there a moment when every one of these spans was running?"""
    return max(s["start_ms"] for s in spans) < min(s["end_ms"] for s in spans)


def one_after_another(spans: list) -> bool:
    return all(a["end_ms"] <= b["start_ms"] for a, b in zip(spans, spans[1:]))
