"""The skill's content, checked by running it: the official validator, our own format
rules, every snippet and demo on every installed CPython >= 3.9, behaviour with
tolerances, and ruff on the code."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import PYTHONS
from skill_files import REPO, SKILL, load_entries, split_frontmatter, version

ENTRIES = load_entries()
SNIPPETS = [s for e in ENTRIES.values() for s in e.snippets]
DEMOS = {e.id: e for e in ENTRIES.values() if e.meta.get("demo")}


def run_python(python, args, timeout=30, cwd=None):
    return subprocess.run([python, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def demo(python, entry_id, *flags):
    result = run_python(python, [str(SKILL / "scripts" / f"{entry_id}.py"), *flags])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result


def cases(items, oldest):
    """(item, python) pairs for every interpreter at least as new as the item needs."""
    out = []
    for item in items:
        for v, path in PYTHONS.items():
            if v >= oldest(item):
                out.append(pytest.param(item, path, id=f"{getattr(item, 'label', getattr(item, 'id', item))}[{v[0]}.{v[1]}]"))
    return out


# -- the official validator and our own rules ---------------------------------------


def test_official_validator_accepts_the_skill():
    tool = shutil.which("agentskills") or str(REPO / "tests/skill/.venv/bin/agentskills")
    result = subprocess.run([tool, "validate", str(SKILL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_skill_md_body_is_under_500_lines():
    meta, body, _ = split_frontmatter((SKILL / "SKILL.md").read_text())
    assert meta["name"] == SKILL.name
    assert len(body.splitlines()) < 500


def test_every_relative_link_resolves():
    for path in [SKILL / "SKILL.md", *sorted((SKILL / "references").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)\)", path.read_text()):
            if "://" in target:
                continue
            assert (path.parent / target).resolve().exists(), f"{path.name}: broken link {target}"


def test_skill_md_links_every_reference():
    text = (SKILL / "SKILL.md").read_text()
    for entry_id in ENTRIES:
        assert f"references/{entry_id}.md" in text, f"SKILL.md does not link {entry_id}"


def test_catalogue_is_large_enough():
    assert len(ENTRIES) >= 25
    assert len(DEMOS) >= 20


@pytest.mark.parametrize("entry", ENTRIES.values(), ids=lambda e: e.id)
def test_entry_metadata_follows_the_contract(entry):
    meta = entry.meta
    assert meta["id"] == entry.path.stem
    assert meta["category"] in ("concept", "pattern", "pitfall")
    assert 0 < len(meta["summary"]) <= 200
    assert version(meta["min_python"]) >= (3, 9)
    for related in meta.get("related", []):
        assert related in ENTRIES, f"unknown related id {related}"
    assert any(s.sid == entry.id for s in entry.snippets), "no main snippet"
    for snippet in entry.snippets:
        assert snippet.sid, f"python block at line {snippet.line} has no snippet= id"
    demo_meta = meta.get("demo")
    if demo_meta:
        assert demo_meta["script"] == f"scripts/{entry.id}.py"
        assert (SKILL / demo_meta["script"]).exists()
        for param in demo_meta.get("params", []):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", param["name"])
            if "min" in param:
                assert param["min"] <= param["default"] <= param["max"]


def test_every_script_is_declared_by_exactly_one_entry():
    declared = [e.meta["demo"]["script"] for e in DEMOS.values()]
    for script in sorted((SKILL / "scripts").glob("*.py")):
        assert declared.count(f"scripts/{script.name}") == 1, script.name


def test_snippet_ids_are_unique_per_variant():
    seen = {}
    for s in SNIPPETS:
        key = (s.sid, s.min_python)
        assert key not in seen, f"{s.sid} twice for Python {s.min_python}"
        seen[key] = s.entry
        owners = {v for (sid, _), v in seen.items() if sid == s.sid}
        assert len(owners) == 1, f"{s.sid} used by {owners}"


def test_some_interpreter_was_found():
    assert PYTHONS, "no CPython >= 3.9 found"


# -- snippets and demos run ------------------------------------------------------------


@pytest.mark.parametrize("snippet,python", cases(SNIPPETS, lambda s: s.min_python))
def test_snippet_runs(snippet, python, tmp_path):
    source = tmp_path / "snippet.py"
    source.write_text(snippet.code)
    if snippet.fragment:
        result = run_python(python, ["-c", f"compile(open({str(source)!r}).read(), 'snippet', 'exec')"])
        assert result.returncode == 0, result.stderr
        return
    result = run_python(python, [str(source)], timeout=20, cwd=tmp_path)
    where = f"{snippet.entry}.md line {snippet.line}"
    if snippet.raises:
        assert result.returncode != 0 and snippet.raises in result.stderr, f"{where}: expected {snippet.raises}"
    else:
        assert result.returncode == 0, f"{where}:\n{result.stderr}"


@pytest.mark.parametrize("entry,python", cases(DEMOS.values(), lambda e: e.min_python))
def test_demo_runs_with_defaults(entry, python):
    summary, result = demo(python, entry.id)
    assert summary["demo"] == entry.id
    assert summary["ok"] is True, result.stdout
    assert isinstance(summary["elapsed_s"], (int, float))
    for line in result.stderr.splitlines():
        if line.startswith("@progress "):
            event = json.loads(line[len("@progress "):])
            assert isinstance(event["progress"], (int, float))


@pytest.mark.parametrize("entry", DEMOS.values(), ids=lambda e: e.id)
def test_demo_help_works(entry):
    result = run_python(sys.executable, [str(SKILL / "scripts" / f"{entry.id}.py"), "--help"])
    assert result.returncode == 0 and "usage" in result.stdout.lower()


# -- behaviour, with tolerances --------------------------------------------------------

ALL = list(PYTHONS.values())


@pytest.mark.parametrize("python", ALL)
def test_gather_of_three_sleeps_takes_one_sleep(python):
    s, _ = demo(python, "gather")
    assert 0.08 <= s["elapsed_s"] <= 0.25
    assert s["results"] == [0, 1, 4]


@pytest.mark.parametrize("python", ALL)
def test_timeout_fires_after_the_deadline(python):
    s, _ = demo(python, "timeouts")
    assert s["timed_out"] is True and s["exception"] == "TimeoutError"
    assert 0.08 <= s["elapsed_s"] <= 0.3


@pytest.mark.parametrize("python", ALL)
def test_semaphore_caps_concurrency(python):
    s, _ = demo(python, "semaphore")
    assert s["peak_concurrency"] == 5
    assert 0.35 <= s["elapsed_s"] <= 0.7
    s, _ = demo(python, "semaphore", "--limit", "2", "--tasks", "6")
    assert s["peak_concurrency"] == 2


@pytest.mark.parametrize("python", ALL)
def test_taskgroup_failure_cancels_siblings(python):
    s, _ = demo(python, "taskgroup")
    assert set(s["cancelled"]) == {"sibling-0", "sibling-1", "sibling-2"}
    assert s["exception_types"] == ["ValueError"]


@pytest.mark.parametrize("python", ALL)
def test_as_completed_yields_in_completion_order(python):
    s, _ = demo(python, "as-completed")
    assert s["completion_order"] == list(reversed(s["submission_order"]))


@pytest.mark.parametrize("python", ALL)
def test_retry_backoff_doubles_its_pauses(python):
    s, _ = demo(python, "retry-backoff")
    assert s["attempts"] == 3 and s["succeeded"] is True and s["delays"] == [0.01, 0.02]
    s, _ = demo(python, "retry-backoff", "--failures", "9", "--max_attempts", "3")
    assert s["succeeded"] is False and s["attempts"] == 3


@pytest.mark.parametrize("python", ALL)
def test_rate_limiter_spaces_requests(python):
    s, _ = demo(python, "rate-limiting")
    assert s["elapsed_s"] >= s["expected_min_s"] * 0.9


@pytest.mark.parametrize("python", ALL)
def test_queue_pipeline_consumes_everything(python):
    s, _ = demo(python, "producer-consumer")
    assert s["produced"] == s["consumed"] == 10
    v = tuple(int(x) for x in run_python(python, ["-c", "import sys;print(sys.version_info[1])"]).stdout.split())
    assert s["shutdown_method"] == ("Queue.shutdown" if v[0] >= 13 else "sentinel")


@pytest.mark.parametrize("python", ALL)
def test_pitfall_demos_show_symptom_and_fix(python):
    s, _ = demo(python, "blocking-the-loop")
    assert s["broken"]["max_lag_s"] >= 0.15 and s["fixed"]["max_lag_s"] < 0.1
    s, _ = demo(python, "gather-no-cancel")
    assert s["broken"]["kept_running"] == ["a", "b"] and s["fixed"]["cancelled"] == ["a", "b"]
    s, _ = demo(python, "forgotten-await")
    assert "never awaited" in s["broken"]["warning"]


# -- lint --------------------------------------------------------------------------------


def test_ruff_is_clean_on_scripts_and_snippets(tmp_path):
    ruff = shutil.which("ruff") or str(REPO / "tests/skill/.venv/bin/ruff")
    config = str(REPO / "ruff.toml")
    targets = [(str(SKILL / "scripts"), "py39")]
    # Each snippet is linted for the oldest Python it claims (except* needs py311...).
    for s in SNIPPETS:
        folder = tmp_path / f"py3{s.min_python[1]}"
        folder.mkdir(exist_ok=True)
        (folder / f"{s.sid.replace('-', '_')}.py").write_text(s.code)
    targets += [(str(folder), folder.name) for folder in sorted(tmp_path.iterdir())]
    for target, python in targets:
        result = subprocess.run(
            [ruff, "check", "--config", config, "--target-version", python, target],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
