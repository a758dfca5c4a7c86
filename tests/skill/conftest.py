"""Interpreter discovery, shared by every test module, and the versions line.

Which CPython versions the run exercised is part of its result: it is printed in the
header and again in the terminal summary, just before pytest's closing counts.
"""

import pytest

from skill_files import discover, show


def versions_line() -> str:
    found = discover()
    versions = ", ".join(f"{show(v)} ({path})" for v, path in found.pythons.items())
    source = "ASYNC_PATTERNS_PYTHONS" if found.overridden else "pyenv and PATH"
    return f"CPython versions exercised (from {source}): {versions or 'none'}"


@pytest.fixture(scope="session")
def pythons():
    """{(3, 12): "/path/to/python3.12", ...}: every CPython >= 3.9 found, oldest first."""
    return discover().pythons


def pytest_report_header(config):
    return versions_line()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(versions_line())
