"""Every demo (scripts/<id>.py) on every CPython at least as new as its entry needs.

The output contract (docs/skill-format.md): readable lines, then one JSON summary object
as the last stdout line with `demo`, `ok`, `elapsed_s` and `timeline`; optional `@progress {json}`
lines on stderr; exit 0.
"""

import json

import pytest

from skill_files import SKILL, demos, flag_value, on_pythons, pythons, run, summary_of
from timeline import problems

DEMOS = list(demos().values())
# run_demo's default deadline (src/demo/mod.rs DEFAULT_TIMEOUT_MS): defaults must fit it.
DEFAULT_DEADLINE_S = 5.0


def label(entry):
    return entry.id


def oldest(entry):
    return entry.min_python


def script(entry):
    return str(SKILL / entry.demo["script"])


def check_progress_lines(stderr):
    for line in stderr.splitlines():
        if not line.startswith("@progress"):
            continue
        event = json.loads(line[len("@progress"):])
        assert isinstance(event, dict), line
        assert isinstance(event.get("progress"), (int, float)), line
        assert not isinstance(event["progress"], bool), line
        if "total" in event:
            assert isinstance(event["total"], (int, float)), line
        if "message" in event:
            assert isinstance(event["message"], str), line


@pytest.mark.parametrize("entry,version,python", on_pythons(DEMOS, label, oldest))
def test_demo_runs_with_defaults(entry, version, python, tmp_path):
    result = run(python, [script(entry)], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr[-3000:]}"
    summary = summary_of(result)
    assert summary.get("demo") == entry.id, summary
    assert summary.get("ok") is True, f"ok is not true:\n{result.stdout[-3000:]}"
    elapsed = summary.get("elapsed_s")
    assert isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool), summary
    assert len(result.stdout.strip().splitlines()) >= 2, "nothing readable before the summary"
    check_progress_lines(result.stderr)
    defects = problems(summary)
    assert not defects, "the summary's timeline breaks the contract:\n" + "\n".join(defects)
    assert result.wall_s < DEFAULT_DEADLINE_S, (
        f"took {result.wall_s:.2f} s with defaults, over run_demo's {DEFAULT_DEADLINE_S} s"
    )
    if entry.meta.get("category") == "pitfall":
        assert "broken" in summary and "fixed" in summary, (
            f"a pitfall demo reports the symptom and the fix: {sorted(summary)}"
        )


@pytest.mark.parametrize("entry,version,python", on_pythons(DEMOS, label, oldest))
def test_demo_help_works(entry, version, python, tmp_path):
    result = run(python, [script(entry), "--help"], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout.lower(), result.stdout
    missing = [p["name"] for p in entry.params if f"--{p['name']}" not in result.stdout]
    assert not missing, f"--help does not list the declared flags {missing}"


@pytest.mark.parametrize("entry", DEMOS, ids=label)
def test_demo_accepts_every_declared_param_at_its_default(entry, tmp_path):
    assert pythons(), "no interpreter found"
    python = list(pythons().values())[-1]
    flags = []
    for p in entry.params:
        flags += [f"--{p['name']}", flag_value(p, p["default"])]
    result = run(python, [script(entry), *flags], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, f"{' '.join(flags)}: exit {result.returncode}\n{result.stderr}"
    summary = summary_of(result)
    assert summary.get("ok") is True, result.stdout[-3000:]
    for p in entry.params:
        echoed = summary.get(p["name"])
        if type(echoed) in (int, float) and p["type"] in ("integer", "number"):
            assert echoed == pytest.approx(p["default"]), (
                f"summary echoes {p['name']}={echoed}, the declared default is {p['default']}"
            )
