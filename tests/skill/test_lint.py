"""ruff, with the repository's ruff.toml, on the demos and on every extracted snippet.

Each file is checked for the oldest Python it claims (`--target-version py3X` from its
`min_python`), so syntax newer than that (e.g. `except*` in a 3.9 snippet) is an error.
Problems are reported at their line in the reference, not in the temporary copy.
"""

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from skill_files import RUFF_CONFIG, SCRIPTS, SKILL, demos, snippets

try:
    import tomllib
except ImportError:  # Python < 3.11 runs only the lint checks below, not this one
    tomllib = None


def ruff() -> str:
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    assert found, "ruff not found: pip install -r tests/skill/requirements.txt"
    return found


def target(version) -> str:
    return f"py{version[0]}{version[1]}"


def check(files_by_target, where):
    """Runs ruff per target version; returns readable problems (`where(path, row)`)."""
    problems = []
    for version, files in sorted(files_by_target.items()):
        out = subprocess.run(
            [ruff(), "check", "--no-cache", "--config", str(RUFF_CONFIG),
             "--target-version", version, "--output-format", "json", *map(str, files)],
            capture_output=True, text=True, timeout=120,
        )
        assert out.returncode in (0, 1), f"ruff failed to run:\n{out.stderr}"
        for item in json.loads(out.stdout or "[]"):
            row = (item.get("location") or {}).get("row", 0)
            code = item.get("code") or "syntax"
            problems.append(f"{where(Path(item['filename']), row)}: {code} {item['message']}")
    return problems


def test_ruff_config_is_strict_enough():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    config = tomllib.loads(RUFF_CONFIG.read_text())
    assert config["target-version"] == "py39"
    assert config["line-length"] <= 120  # the project's limit for demos and snippets
    lint = config.get("lint", {})
    assert {"E", "F", "W", "B", "ASYNC"} <= set(lint.get("select", []))
    assert not lint.get("ignore"), f"ignored rules: {lint.get('ignore')}"


def test_ruff_is_clean_on_scripts():
    claimed = {e.demo["script"]: e.min_python for e in demos().values()}
    files = defaultdict(list)
    for path in sorted(SCRIPTS.glob("*.py")):
        version = claimed.get(f"scripts/{path.name}", (3, 9))
        files[target(version)].append(path)
    assert files, "no scripts"
    problems = check(files, lambda path, row: f"{path.relative_to(SKILL)}:{row}")
    assert not problems, "\n".join(problems)


def lint_snippets(tmp_path, fragment):
    chosen = [s for s in snippets() if s.sid and s.fragment == fragment]
    assert chosen, "no snippets of this kind"
    files, origin = defaultdict(list), {}
    for n, s in enumerate(chosen):
        folder = tmp_path / target(s.min_python)
        folder.mkdir(exist_ok=True)
        path = folder / f"s{n:03d}_{s.sid.replace('-', '_')}.py"
        path.write_text(s.code, encoding="utf-8")
        files[target(s.min_python)].append(path)
        origin[path.resolve()] = s

    def where(path, row):
        s = origin[path.resolve()]
        # Code starts on the line after the opening fence.
        return f"references/{s.entry}.md:{s.line + row} (snippet={s.sid})"

    return check(files, where)


def test_ruff_is_clean_on_snippets(tmp_path):
    problems = lint_snippets(tmp_path, fragment=False)
    assert not problems, "\n".join(problems)


def test_ruff_is_clean_on_fragments(tmp_path):
    problems = lint_snippets(tmp_path, fragment=True)
    assert not problems, "\n".join(problems)


def test_ruff_is_clean_on_the_checker_itself():
    here = Path(__file__).resolve().parent
    problems = check({"py39": sorted(here.glob("*.py"))}, lambda path, row: f"{path.name}:{row}")
    assert not problems, "\n".join(problems)
