"""Every demo's `ok` can become false: each demo, with the mutation of mutations.py
applied (the bug put back, or the fix taken out), must still run and report
`"ok": false`. Run on the oldest and the newest interpreter each demo supports, where
version-specific branches differ most.
"""

import shutil

import pytest

from mutations import MUTATIONS
from skill_files import SKILL, demos, pythons, run, show, summary_of


def cases():
    out = []
    for entry in demos().values():
        usable = [(v, p) for v, p in pythons().items() if v >= entry.min_python]
        for version, path in {usable[0][0]: usable[0], usable[-1][0]: usable[-1]}.values() if usable else []:
            out.append(pytest.param(entry, path, id=f"{entry.id}[{show(version)}]"))
    return out


def test_every_demo_has_a_mutation_and_no_stale_ones():
    assert sorted(MUTATIONS) == sorted(demos()), (
        f"without a mutation: {sorted(set(demos()) - set(MUTATIONS))}; "
        f"stale: {sorted(set(MUTATIONS) - set(demos()))}"
    )


@pytest.mark.parametrize("entry,python", cases())
def test_mutated_demo_reports_not_ok(entry, python, tmp_path):
    why, edits, flags = MUTATIONS[entry.id]
    source = (SKILL / entry.demo["script"]).read_text(encoding="utf-8")
    for old, new in edits:
        assert source.count(old) == 1, f"{entry.id}: mutation text found {source.count(old)} times: {old!r}"
        source = source.replace(old, new)
    mutant = tmp_path / f"mutant_{entry.id.replace('-', '_')}.py"
    mutant.write_text(source, encoding="utf-8")
    # The helper modules the demo imports go beside it, as the demo runner writes them.
    for helper in (SKILL / "scripts").glob("_*.py"):
        shutil.copyfile(helper, tmp_path / helper.name)
    result = run(python, [str(mutant), *flags], cwd=tmp_path, timeout=20)
    assert result.returncode == 0, (
        f"{entry.id} mutated ({why}) must still run and say ok: false; "
        f"exit {result.returncode}\n{result.stderr[-2000:]}"
    )
    summary = summary_of(result)
    assert summary.get("ok") is False, (
        f"{entry.id}: with the mutation ({why}) the demo still reports ok: {summary}"
    )
