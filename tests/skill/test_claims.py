"""Probes that pin what the references claim about CPython's own behaviour, on every
interpreter found. Each tests/skill/claims/<name>.py is a program whose asserts encode
the true behaviour per version (its docstring names the reference it backs); it exits 0
when the claim holds on that interpreter.
"""

from pathlib import Path

import pytest

from skill_files import pythons, run, show

CLAIMS = sorted((Path(__file__).parent / "claims").glob("*.py"))


def cases():
    return [
        pytest.param(claim, path, id=f"{claim.stem}[{show(version)}]")
        for claim in CLAIMS
        for version, path in pythons().items()
    ]


def test_claim_probes_exist():
    assert len(CLAIMS) >= 9, [c.name for c in CLAIMS]


@pytest.mark.parametrize("claim,python", cases())
def test_claim_holds(claim, python, tmp_path):
    result = run(python, [str(claim)], cwd=tmp_path, timeout=30)
    assert result.returncode == 0, (
        f"{claim.name}: {claim.read_text().split(chr(10) * 2)[0]}\n"
        f"exit {result.returncode}\n{result.stdout[-1000:]}\n{result.stderr[-2000:]}"
    )
