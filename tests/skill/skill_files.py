"""Reads the skill folder the way the catalogue contract (docs/skill-format.md) defines it.

An independent, deliberately small Python reading of the format: the Rust loader and
this module must agree, and the tests check the content through both.
"""

import glob
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

REPO = Path(__file__).resolve().parents[2]
SKILL = REPO / "skill" / "async-python-patterns"


def version(text: str) -> Tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


@dataclass
class Snippet:
    entry: str
    sid: str
    code: str
    line: int
    min_python: Tuple[int, int]
    fragment: bool = False
    raises: Optional[str] = None

    @property
    def label(self) -> str:
        return f"{self.sid}@{self.min_python[0]}.{self.min_python[1]}"


@dataclass
class Entry:
    id: str
    path: Path
    meta: dict
    body: str
    snippets: List[Snippet] = field(default_factory=list)

    @property
    def min_python(self) -> Tuple[int, int]:
        return version(self.meta["min_python"])


def split_frontmatter(text: str) -> Tuple[dict, str, int]:
    assert text.startswith("---\n"), "missing frontmatter"
    end = text.index("\n---\n", 4)
    meta = yaml.safe_load(text[4:end])
    body = text[end + 5 :]
    body_line = text[: end + 5].count("\n") + 1
    return meta, body, body_line


def code_blocks(body: str, first_line: int):
    """(info, code, line of the opening fence) for each fenced block."""
    fence = None
    for n, line in enumerate(body.splitlines(keepends=True)):
        stripped = line.strip()
        if fence is None:
            m = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
            if m:
                fence, info, start, buf = m.group(1), m.group(2).strip(), first_line + n, []
        elif stripped.startswith(fence) and stripped.strip(fence[0]) == "":
            yield info, "".join(buf), start
            fence = None
        else:
            buf.append(line)


def load_entries() -> Dict[str, Entry]:
    entries = {}
    for path in sorted((SKILL / "references").glob("*.md")):
        meta, body, body_line = split_frontmatter(path.read_text())
        entry = Entry(meta["id"], path, meta, body)
        for info, code, line in code_blocks(body, body_line):
            parts = info.split()
            if not parts or parts[0] != "python":
                continue
            attrs = {}
            for attr in parts[1:]:
                key, _, value = attr.partition("=")
                attrs[key] = value if value else True
            entry.snippets.append(
                Snippet(
                    entry=entry.id,
                    sid=attrs.get("snippet"),
                    code=code,
                    line=line,
                    min_python=version(attrs["min_python"]) if "min_python" in attrs else entry.min_python,
                    fragment=bool(attrs.get("fragment")),
                    raises=attrs.get("raises"),
                )
            )
        entries[entry.id] = entry
    return entries


def interpreters() -> Dict[Tuple[int, int], str]:
    """Every CPython >= 3.9 on this machine, one per minor version.

    ASYNC_PATTERNS_PYTHONS=path1:path2 overrides the discovery.
    """
    override = os.environ.get("ASYNC_PATTERNS_PYTHONS")
    candidates = override.split(":") if override else []
    if not override:
        candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python")))
        for minor in range(9, 20):
            for directory in os.environ.get("PATH", "").split(os.pathsep):
                path = os.path.join(directory, f"python3.{minor}")
                if os.access(path, os.X_OK):
                    candidates.append(path)
    found = {}
    for path in candidates:
        try:
            out = subprocess.run(
                [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode != 0:
            continue
        v = version(out.stdout.strip())
        if v >= (3, 9) and v not in found:
            found[v] = path
    return dict(sorted(found.items()))
