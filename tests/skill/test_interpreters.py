"""Interpreter discovery: which CPython versions the snippet and demo tests run on."""

import os
import subprocess

from skill_files import ENV_OVERRIDE, OLDEST, discover, parse_version, show


def test_at_least_one_cpython_3_9_or_newer_is_found(pythons):
    assert pythons, "no CPython >= 3.9 found (pyenv, python3.X on PATH, ASYNC_PATTERNS_PYTHONS)"
    print("found:", ", ".join(f"{show(v)}={p}" for v, p in pythons.items()))


def test_each_found_interpreter_is_the_version_it_was_filed_under(pythons):
    for version, path in pythons.items():
        assert version >= OLDEST
        out = subprocess.run(
            [path, "-I", "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=20,
        )
        assert tuple(map(int, out.stdout.split())) == version, path


def test_every_path_given_in_the_override_is_usable():
    found = discover()
    if found.overridden:
        assert not found.rejected, f"{ENV_OVERRIDE} lists unusable paths: {found.rejected}"


def test_every_expected_version_is_found(pythons):
    """run.sh names the versions CI must exercise (3.9-3.14): a missing one fails the run."""
    expected = [v for v in os.environ.get("ASYNC_PATTERNS_EXPECT", "").split(",") if v]
    missing = [v for v in expected if parse_version(v) not in pythons]
    assert not missing, (
        f"expected CPython {', '.join(missing)}; found {[show(v) for v in pythons]}; "
        f"rejected: {discover().rejected}"
    )
