"""What the demos show, checked on every interpreter with tolerances (never exact timings).

The numbers come from the defaults declared in the references (docs/skill-format.md,
"Summary keys the native (tokio) engine mirrors"). A timing window that is missed is
retried once, so one scheduling hiccup on a busy machine does not fail the run.
"""

import pytest

from skill_files import SKILL, demos, pythons, run, show, summary_of, with_one_retry


def on_every_python(entry_id):
    entry = demos().get(entry_id)
    if entry is None:
        return [pytest.param(None, None, id="missing")]
    return [
        pytest.param(version, path, id=show(version))
        for version, path in pythons().items()
        if version >= entry.min_python
    ]


def demo(entry_id, python, tmp_path, *flags):
    assert python is not None, f"references/{entry_id}.md declares no demo"
    script = demos()[entry_id].demo["script"]
    result = run(python, [str(SKILL / script), *flags], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, (
        f"{entry_id} {' '.join(flags)}: exit {result.returncode}\n{result.stderr[-3000:]}"
    )
    summary = summary_of(result)
    assert summary.get("demo") == entry_id, summary
    return summary


def timed(entry_id, python, tmp_path, check, *flags):
    return with_one_retry(lambda: demo(entry_id, python, tmp_path, *flags), check)


def default(entry_id, name):
    for param in demos()[entry_id].params:
        if param["name"] == name:
            return param["default"]
    raise AssertionError(f"references/{entry_id}.md declares no parameter {name!r}")


@pytest.mark.parametrize("version,python", on_every_python("gather"))
def test_gather_runs_sleeps_concurrently_and_keeps_submission_order(version, python, tmp_path):
    tasks, delay = default("gather", "tasks"), default("gather", "delay")
    # Task i sleeps delay * (1 - i / (10 * tasks)): awaited one by one, the sleeps add up.
    one_by_one = sum(delay * (1 - i / (10 * tasks)) for i in range(tasks))

    def check(s):
        assert 0.08 <= s["gather_s"] <= 0.25, f"gather took {s['gather_s']} s"
        assert one_by_one * 0.98 <= s["sequential_s"] <= one_by_one + 0.15, f"sequential {s['sequential_s']} s"
        assert s["elapsed_s"] >= s["gather_s"] + s["sequential_s"] - 0.0002  # each rounded to 0.1 ms

    s = timed("gather", python, tmp_path, check)
    assert s["tasks"] == tasks and s["delay"] == pytest.approx(delay)
    assert s["results"] == [i * i for i in range(tasks)], "results not in submission order"


@pytest.mark.parametrize("version,python", on_every_python("timeouts"))
def test_timeout_fires_at_the_deadline_with_TimeoutError(version, python, tmp_path):
    def check(s):
        assert 0.08 <= s["elapsed_s"] <= 0.3, f"elapsed {s['elapsed_s']} s"

    s = timed("timeouts", python, tmp_path, check)
    assert s["timed_out"] is True
    assert s["exception"] == "TimeoutError"


@pytest.mark.parametrize("version,python", on_every_python("semaphore"))
def test_semaphore_caps_concurrency_at_its_limit(version, python, tmp_path):
    def check(s):
        assert 0.35 <= s["elapsed_s"] <= 0.7, f"elapsed {s['elapsed_s']} s"

    s = timed("semaphore", python, tmp_path, check)
    assert s["peak_concurrency"] == 5 == s["limit"]
    s = demo("semaphore", python, tmp_path, "--limit", "2", "--tasks", "6")
    assert s["peak_concurrency"] == 2
    assert s["tasks"] == 6 and s["limit"] == 2


@pytest.mark.parametrize("version,python", on_every_python("taskgroup"))
def test_taskgroup_failure_cancels_every_sibling(version, python, tmp_path):
    for siblings in (default("taskgroup", "siblings"), 5):
        s = demo("taskgroup", python, tmp_path, "--siblings", str(siblings))
        everyone = {f"sibling-{i}" for i in range(siblings)} | {s["failed"]}
        assert s["failed"] not in s["cancelled"]
        # The order of cancellation differs between versions: compare as sets.
        assert set(s["cancelled"]) == everyone - {s["failed"]}, s
        assert s["exception_types"] == sorted(s["exception_types"]) and s["exception_types"]


@pytest.mark.parametrize("version,python", on_every_python("as-completed"))
def test_as_completed_yields_the_fastest_first(version, python, tmp_path):
    s = demo("as-completed", python, tmp_path)
    assert s["submission_order"] == list(range(default("as-completed", "tasks")))
    assert s["completion_order"] == list(reversed(s["submission_order"]))


@pytest.mark.parametrize("version,python", on_every_python("retry-backoff"))
def test_retry_backoff_doubles_its_pause_and_gives_up(version, python, tmp_path):
    s = demo("retry-backoff", python, tmp_path)
    assert s["attempts"] == 3 and s["succeeded"] is True
    assert s["delays"] == pytest.approx([0.01, 0.02])
    # The pauses were slept, not only computed: the clock agrees with the plan.
    assert all(m >= d * 0.9 for m, d in zip(s["measured_delays"], s["delays"])), s
    assert len(s["measured_delays"]) == len(s["delays"])
    s = demo("retry-backoff", python, tmp_path, "--failures", "9", "--max_attempts", "3")
    assert s["succeeded"] is False
    assert s["attempts"] == 3 and len(s["delays"]) <= 2


@pytest.mark.parametrize("version,python", on_every_python("rate-limiting"))
def test_rate_limiter_needs_at_least_the_refill_time(version, python, tmp_path):
    s = demo("rate-limiting", python, tmp_path)
    expected = (s["requests"] - s["burst"]) / s["rate"]
    assert s["expected_min_s"] == pytest.approx(expected, rel=0.01)
    assert s["elapsed_s"] >= s["expected_min_s"] * 0.9, s
    assert s["admitted_too_early"] == 0, s


@pytest.mark.parametrize("version,python", on_every_python("producer-consumer"))
def test_queue_pipeline_consumes_every_item_and_shuts_down(version, python, tmp_path):
    s = demo("producer-consumer", python, tmp_path)
    items = default("producer-consumer", "items")
    assert s["consumed"] == s["produced"] == items
    assert sum(s["per_consumer"].values()) == items
    expected = "Queue.shutdown" if version >= (3, 13) else "sentinel"
    assert s["shutdown_method"] == expected
