"""Every ```python snippet of every reference, on every CPython at least as new as it needs.

Whole programs run (`python snippet.py` in an empty directory, 20 s at most) and must exit
0, or, with `raises=X`, exit non-zero with X on stderr. Fragments are compiled only.
"""

import pytest

from skill_files import entries, on_pythons, run, snippet_label, snippets

PROGRAMS = [s for s in snippets() if s.sid and not s.fragment]
FRAGMENTS = [s for s in snippets() if s.sid and s.fragment]

# What asyncio prints when a program loses work silently. Patterns and concepts must
# never show these; pitfall entries show them on purpose.
ASYNCIO_WARNINGS = (
    "was never awaited",
    "Task was destroyed but it is pending",
    "Task exception was never retrieved",
    "Future exception was never retrieved",
)


def oldest(snippet):
    return snippet.min_python


@pytest.mark.parametrize("snippet,version,python", on_pythons(PROGRAMS, snippet_label, oldest))
def test_snippet_runs(snippet, version, python, tmp_path):
    source = tmp_path / f"snippet_{snippet.sid.replace('-', '_')}.py"
    source.write_text(snippet.code, encoding="utf-8")
    result = run(python, [source.name], cwd=tmp_path, timeout=20)
    where = f"{snippet.where} (snippet={snippet.sid}) on Python {version[0]}.{version[1]}"
    if snippet.raises:
        assert result.returncode != 0, f"{where}: expected {snippet.raises}, exited 0"
        assert snippet.raises in result.stderr, (
            f"{where}: expected {snippet.raises} on stderr, got:\n{result.stderr[-2000:]}"
        )
        return
    assert result.returncode == 0, f"{where}: exit {result.returncode}\n{result.stderr[-3000:]}"
    if entries()[snippet.entry].meta.get("category") != "pitfall":
        shown = [w for w in ASYNCIO_WARNINGS if w in result.stderr]
        assert not shown, f"{where}: asyncio reported lost work: {shown}\n{result.stderr[-2000:]}"


@pytest.mark.parametrize("snippet,version,python", on_pythons(FRAGMENTS, snippet_label, oldest))
def test_fragment_compiles(snippet, version, python, tmp_path):
    source = tmp_path / "fragment.py"
    source.write_text(snippet.code, encoding="utf-8")
    check = "import sys; compile(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1], 'exec')"
    result = run(python, ["-c", check, source.name], cwd=tmp_path)
    assert result.returncode == 0, (
        f"{snippet.where} (snippet={snippet.sid}, fragment) does not compile on Python "
        f"{version[0]}.{version[1]}:\n{result.stderr[-2000:]}"
    )
