"""`async-patterns validate` agrees with the official validator (`agentskills validate`)
on our skill, the test skills, and a set of broken skills; links are our own rule."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
BROKEN = sorted(p for p in (FIXTURES / "broken-skills").iterdir() if p.is_dir())
# helper-skill: a demo importing a private helper module (scripts/_shared.py).
GOOD = [
    REPO / "skill" / "async-python-patterns",
    FIXTURES / "tiny-skill",
    FIXTURES / "hostile-skill",
    FIXTURES / "helper-skill",
]
OURS_ONLY = {"broken-link"}  # the official validator does not follow links


def binary() -> str:
    for candidate in (os.environ.get("ASYNC_PATTERNS_BIN"), REPO / "target/debug/async-patterns",
                      REPO / "target/release/async-patterns"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    subprocess.run(["cargo", "build", "--quiet"], cwd=REPO, check=True)
    return str(REPO / "target/debug/async-patterns")


def official(folder: Path) -> int:
    tool = shutil.which("agentskills") or str(REPO / "tests/skill/.venv/bin/agentskills")
    return subprocess.run([tool, "validate", str(folder)], capture_output=True).returncode


def ours(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), "validate", str(folder)], capture_output=True, text=True)


def written_out(folder: Path, tmp_path: Path) -> Path:
    """The folder as a skill installer would see it. The repository keeps the test
    skills' SKILL.md as SKILL.md.fixture, so that `npx skills add <repo>` offers only the
    real skill; a copy under the same folder name gets the real file names back."""
    if not any(folder.rglob("SKILL.md.fixture")):
        return folder
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy, symlinks=True)
    for stored in copy.rglob("SKILL.md.fixture"):
        stored.rename(stored.with_name("SKILL.md"))
    return copy


@pytest.mark.parametrize("folder", GOOD, ids=lambda p: p.name)
def test_both_validators_accept_the_good_skills(folder, tmp_path):
    folder = written_out(folder, tmp_path)
    assert official(folder) == 0
    assert ours(folder).returncode == 0


@pytest.mark.parametrize("folder", BROKEN, ids=lambda p: p.name)
def test_both_validators_refuse_each_broken_skill(folder, tmp_path):
    folder = written_out(folder, tmp_path)
    result = ours(folder)
    if folder.name != "no-skill-md":
        # Refused for its defect, not because the file is missing.
        assert "cannot read SKILL.md" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert "SKILL.md" in result.stderr, result.stderr  # names the file
    if folder.name not in OURS_ONLY:
        assert official(folder) != 0
    else:
        assert official(folder) == 0 and "does not exist" in result.stderr
