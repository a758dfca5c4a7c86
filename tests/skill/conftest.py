import pytest

from skill_files import interpreters

PYTHONS = interpreters()


@pytest.fixture(scope="session")
def pythons():
    return PYTHONS


def pytest_terminal_summary(terminalreporter):
    versions = ", ".join(f"{v[0]}.{v[1]}" for v in PYTHONS) or "none"
    terminalreporter.write_line(f"CPython versions exercised: {versions}")
