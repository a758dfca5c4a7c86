"""The Agent Skills reference validator (PyPI `skills-ref`, command `agentskills`)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from skill_files import REPO, SKILL


def agentskills() -> str:
    """The `agentskills` command of the venv running these tests, else the one on PATH."""
    beside = Path(sys.executable).with_name("agentskills")
    found = str(beside) if beside.exists() else shutil.which("agentskills")
    assert found, "agentskills not found: pip install -r tests/skill/requirements.txt"
    return found


def test_official_validator_accepts_the_skill():
    # As CI and the README run it: `agentskills validate skill/async-python-patterns`.
    folder = SKILL.relative_to(REPO) if REPO in SKILL.parents else SKILL
    result = subprocess.run(
        [agentskills(), "validate", str(folder)],
        capture_output=True, text=True, cwd=str(REPO), timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid skill" in result.stdout


def test_official_validator_reads_the_properties_we_wrote():
    result = subprocess.run(
        [agentskills(), "read-properties", str(SKILL)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    properties = json.loads(result.stdout)
    assert properties["name"] == "async-python-patterns"
    assert properties["license"] == "MIT"
