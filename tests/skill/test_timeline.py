"""The demos' timelines are measured, not computed (docs/skill-format.md, "The timeline").

test_demos.py checks every demo's timeline against the contract on every interpreter;
here a few demos are run with changed parameters, and their spans must follow: longer
sleeps give longer spans, gather's tasks overlap and the sequential ones do not, a
deadline shows as `timed_out`, a cancelled task as `cancelled`. Run on the oldest and the
newest interpreter each demo supports (their version branches differ most), with one
retry for the timing windows, as test_behaviour.py does.
"""

import pytest

from skill_files import SKILL, demos, pythons, run, show, summary_of, with_one_retry
from timeline import all_overlap, length, one_after_another, problems, spans_in

# A span on a busy machine may run late by this much, never early.
LATE_MS = 60.0


def oldest_and_newest(entry_id):
    entry = demos().get(entry_id)
    usable = [(v, p) for v, p in pythons().items() if entry and v >= entry.min_python]
    if not usable:
        return [pytest.param(None, id="missing")]
    chosen = {usable[0][0]: usable[0][1], usable[-1][0]: usable[-1][1]}
    return [pytest.param(path, id=show(version)) for version, path in chosen.items()]


def demo(entry_id, python, tmp_path, *flags):
    assert python is not None, f"no interpreter for {entry_id}"
    script = SKILL / demos()[entry_id].demo["script"]
    result = run(python, [str(script), *flags], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, f"{entry_id} {flags}: exit {result.returncode}\n{result.stderr[-2000:]}"
    summary = summary_of(result)
    defects = problems(summary)
    assert not defects, "\n".join(defects)
    return summary


def twice(check, entry_id, python, tmp_path, *flags):
    return with_one_retry(lambda: demo(entry_id, python, tmp_path, *flags), check)


def near(measured_ms, expected_ms):
    return expected_ms * 0.95 - 1 <= measured_ms <= expected_ms + LATE_MS


@pytest.mark.parametrize("delay", [0.05, 0.15])
@pytest.mark.parametrize("python", oldest_and_newest("gather"))
def test_gather_spans_follow_the_delay_and_show_overlap_against_sequential(python, delay, tmp_path):
    tasks = 3

    def check(s):
        gathered, sequential = spans_in(s, "gather"), spans_in(s, "sequential")
        assert [x["label"] for x in gathered] == [x["label"] for x in sequential] == [
            f"task {i}" for i in range(tasks)
        ]
        for i, (g, q) in enumerate(zip(gathered, sequential)):
            planned = delay * 1000 * (1 - i / (10 * tasks))
            assert near(length(g), planned) and near(length(q), planned), (i, g, q, planned)
        assert all_overlap(gathered), gathered
        assert one_after_another(sequential), sequential
        assert [x["outcome"] for x in s["timeline"]] == ["done"] * 2 * tasks

    twice(check, "gather", python, tmp_path, "--delay", str(delay), "--tasks", str(tasks))


@pytest.mark.parametrize("python", oldest_and_newest("timeouts"))
def test_a_deadline_shows_as_timed_out_and_work_in_time_as_done(python, tmp_path):
    def cut(s):
        (span,) = s["timeline"]
        assert span["outcome"] == "timed_out" and near(length(span), 80), span

    def finished(s):
        (span,) = s["timeline"]
        assert span["outcome"] == "done" and near(length(span), 120), span

    twice(cut, "timeouts", python, tmp_path, "--timeout", "0.08", "--work", "1.0")
    twice(finished, "timeouts", python, tmp_path, "--timeout", "1.0", "--work", "0.12")


@pytest.mark.parametrize("python", oldest_and_newest("cancellation"))
def test_a_cancelled_task_is_cancelled_and_the_shielded_one_done(python, tmp_path):
    s = demo("cancellation", python, tmp_path)
    (streamer,) = spans_in(s, "task.cancel()")
    handler, commit = spans_in(s, "asyncio.shield")
    assert streamer["outcome"] == "cancelled" and handler["outcome"] == "cancelled", s["timeline"]
    # The shield let the commit run on past its caller's cancellation.
    assert commit["outcome"] == "done" and commit["end_ms"] > handler["end_ms"], s["timeline"]


@pytest.mark.parametrize("python", oldest_and_newest("taskgroup"))
def test_taskgroup_spans_end_failed_and_cancelled_at_the_failure(python, tmp_path):
    def check(s):
        spans = {x["label"]: x for x in s["timeline"]}
        assert spans["failing"]["outcome"] == "failed" and near(length(spans["failing"]), 70)
        for i in range(4):
            sibling = spans[f"sibling-{i}"]
            assert sibling["outcome"] == "cancelled", sibling
            assert near(sibling["end_ms"], spans["failing"]["end_ms"]), sibling

    twice(check, "taskgroup", python, tmp_path, "--siblings", "4", "--fail_after", "0.07")


@pytest.mark.parametrize("python", oldest_and_newest("semaphore"))
def test_semaphore_spans_never_exceed_the_limit(python, tmp_path):
    s = demo("semaphore", python, tmp_path, "--tasks", "6", "--limit", "2", "--delay", "0.03")
    spans = s["timeline"]
    assert len(spans) == 6
    running = [sum(1 for o in spans if o["start_ms"] <= x["start_ms"] < o["end_ms"]) for x in spans]
    assert max(running) == 2, spans


@pytest.mark.parametrize("python", oldest_and_newest("semaphore"))
def test_more_than_64_spans_are_cut_and_counted(python, tmp_path):
    s = demo("semaphore", python, tmp_path, "--tasks", "70", "--limit", "35", "--delay", "0.01")
    assert len(s["timeline"]) == 64 and s["timeline_dropped"] == 6, s.get("timeline_dropped")


BAD = {
    "missing": {"elapsed_s": 1.0},
    "empty": {"elapsed_s": 1.0, "timeline": []},
    "end before start": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": 5.0, "end_ms": 4.0, "outcome": "done"}]},
    "past the run": {"elapsed_s": 0.1, "timeline": [
        {"label": "a", "start_ms": 0.0, "end_ms": 150.0, "outcome": "done"}]},
    "unknown outcome": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": 0.0, "end_ms": 1.0, "outcome": "ok"}]},
    "repeated label": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": 0.0, "end_ms": 1.0, "outcome": "done"},
        {"label": "a", "start_ms": 0.5, "end_ms": 1.0, "outcome": "done"}]},
    "not rounded": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": 0.0, "end_ms": 1.234, "outcome": "done"}]},
    "out of start order": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": 3.0, "end_ms": 4.0, "outcome": "done"},
        {"label": "b", "start_ms": 1.0, "end_ms": 4.0, "outcome": "done"}]},
    "boolean time": {"elapsed_s": 1.0, "timeline": [
        {"label": "a", "start_ms": False, "end_ms": 1.0, "outcome": "done"}]},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_contract_check_rejects_a_broken_timeline(case):
    assert problems(BAD[case]), f"{case} was accepted"


def test_the_contract_check_accepts_the_documented_example():
    example = {"elapsed_s": 0.1012, "timeline": [
        {"label": "fetch 0", "group": "gather", "start_ms": 0.2, "end_ms": 100.9, "outcome": "done"},
        {"label": "fetch 1", "group": "gather", "start_ms": 0.2, "end_ms": 101.0, "outcome": "failed"},
    ]}
    assert problems(example) == []
