"""A small, independent Python reading of the skill folder (docs/skill-format.md).

The Rust loader (src/catalog/) reads the same files; this module exists so that the
checker does not trust the code it is checking. It knows how to:

- split YAML frontmatter from Markdown and find fenced code blocks by scanning lines,
- turn ```python blocks into snippets with their attributes,
- find the Markdown links of a file (outside code),
- discover the CPython interpreters installed on this machine,
- run a program under one of them, isolated from the environment.
"""

import functools
import glob
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

import yaml

REPO = Path(__file__).resolve().parents[2]
# ASYNC_PATTERNS_SKILL_DIR=DIR checks another copy of the skill folder instead.
SKILL = Path(os.environ.get("ASYNC_PATTERNS_SKILL_DIR") or REPO / "skill" / "async-python-patterns")
SKILL = SKILL.resolve()
REFERENCES = SKILL / "references"
SCRIPTS = SKILL / "scripts"
RUFF_CONFIG = REPO / "ruff.toml"

CATEGORIES = ("concept", "pattern", "pitfall")
OLDEST = (3, 9)
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PARAM_NAME = re.compile(r"[a-z][a-z0-9_]*")
VERSION = re.compile(r"3\.\d+")

Version = Tuple[int, int]


def parse_version(text: str) -> Version:
    """"3.11" -> (3, 11); anything else is a ValueError."""
    if not isinstance(text, str) or not VERSION.fullmatch(text):
        raise ValueError(f"not a Python version like \"3.9\": {text!r}")
    major, minor = text.split(".")
    return int(major), int(minor)


def show(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


# -- Markdown ---------------------------------------------------------------------------


@dataclass
class Document:
    path: Path
    meta: dict
    body: str
    body_line: int  # 1-based line of the file where the body starts

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SKILL))


def read_document(path: Path) -> Document:
    """Splits `---` YAML frontmatter from the Markdown that follows it."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ValueError(f"{path.name}: the file does not start with a --- frontmatter line")
    for n, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") == "---":
            meta = yaml.safe_load("".join(lines[1:n])) or {}
            if not isinstance(meta, dict):
                raise ValueError(f"{path.name}: the frontmatter is not a mapping")
            return Document(path, meta, "".join(lines[n + 1 :]), n + 2)
    raise ValueError(f"{path.name}: the frontmatter has no closing --- line")


class Block(NamedTuple):
    info: str  # the info string after the fence, stripped
    code: str
    line: int  # 1-based line of the opening fence in the file
    closed: bool


OPEN_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


def fenced_blocks(doc: Document) -> List[Block]:
    """Fenced code blocks, found by scanning lines as CommonMark does (top level)."""
    blocks = []
    lines = doc.body.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = OPEN_FENCE.match(lines[i].rstrip("\r\n"))
        if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
            i += 1
            continue
        indent, fence, info = len(match.group(1)), match.group(2), match.group(3).strip()
        start, code, closed = i, [], False
        i += 1
        while i < len(lines):
            stripped = lines[i].rstrip("\r\n")
            close = stripped.lstrip(" ")
            if (
                len(stripped) - len(close) <= 3
                and close.startswith(fence[0] * len(fence))
                and close.strip() == fence[0] * len(close.strip())
            ):
                closed = True
                i += 1
                break
            # Content lines lose up to the opening fence's indentation.
            line = lines[i]
            drop = min(indent, len(line) - len(line.lstrip(" ")))
            code.append(line[drop:])
            i += 1
        blocks.append(Block(info, "".join(code), doc.body_line + start, closed))
    return blocks


def prose(doc: Document) -> List[Tuple[int, str]]:
    """(file line, text) of every body line outside fenced code blocks."""
    inside = set()
    for block in fenced_blocks(doc):
        first = block.line - doc.body_line
        last = first + block.code.count("\n") + (2 if block.closed else 1)
        inside.update(range(first, last))
    return [
        (doc.body_line + n, line)
        for n, line in enumerate(doc.body.splitlines())
        if n not in inside
    ]


INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def links(doc: Document) -> List[Tuple[int, str]]:
    """(file line, target) of every Markdown link and image outside code."""
    found = []
    for line_no, text in prose(doc):
        definition = LINK_DEFINITION.match(text)
        text = INLINE_CODE.sub("", text)
        found += [(line_no, m.group(1)) for m in INLINE_LINK.finditer(text)]
        if definition:
            found.append((line_no, definition.group(1)))
    return found


def relative_link(target: str) -> Optional[str]:
    """The file part of a link that points inside the skill, or None for URLs/anchors."""
    if not target or target.startswith("#") or target.startswith("//") or SCHEME.match(target):
        return None
    return target.split("#", 1)[0].split("?", 1)[0]


def headings(doc: Document) -> List[Tuple[int, int, str]]:
    """(level, file line, text) of every ATX heading outside code."""
    out = []
    for line_no, text in prose(doc):
        match = re.match(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", text)
        if match:
            out.append((len(match.group(1)), line_no, match.group(2)))
    return out


# -- the catalogue ----------------------------------------------------------------------


@dataclass
class Snippet:
    entry: str
    sid: Optional[str]
    code: str
    line: int  # line of the opening fence in references/<entry>.md
    min_python: Version
    fragment: bool
    raises: Optional[str]
    attrs: Dict[str, object]
    problems: List[str]  # malformed attributes, reported by the format tests

    @property
    def where(self) -> str:
        return f"references/{self.entry}.md:{self.line}"


@dataclass
class Entry:
    id: str
    doc: Document
    snippets: List[Snippet] = field(default_factory=list)

    @property
    def meta(self) -> dict:
        return self.doc.meta

    @property
    def min_python(self) -> Version:
        try:
            return parse_version(self.meta.get("min_python"))
        except ValueError:
            return OLDEST

    @property
    def demo(self) -> Optional[dict]:
        demo = self.meta.get("demo")
        return demo if isinstance(demo, dict) else None

    @property
    def params(self) -> List[dict]:
        return [p for p in (self.demo or {}).get("params") or [] if isinstance(p, dict)]


def parse_snippet(entry_id: str, entry_min: Version, block: Block) -> Optional[Snippet]:
    """A ```python block as a snippet; None for blocks in other languages."""
    words = block.info.split()
    if not words or words[0] != "python":
        return None
    attrs: Dict[str, object] = {}
    problems = []
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if key in attrs:
            problems.append(f"attribute `{key}` given twice")
        if not eq:
            attrs[key] = True
            if key != "fragment":
                problems.append(f"unknown flag `{word}`")
        elif key in ("snippet", "min_python", "raises"):
            attrs[key] = value
        else:
            problems.append(f"unknown attribute `{word}`")
    sid = attrs.get("snippet")
    if sid is not None and not KEBAB.fullmatch(str(sid)):
        problems.append(f"snippet id `{sid}` is not kebab-case")
    min_python = entry_min
    if "min_python" in attrs:
        try:
            min_python = parse_version(attrs["min_python"])
        except ValueError as error:
            problems.append(str(error))
    raises = attrs.get("raises")
    if raises is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", str(raises)):
        problems.append(f"raises=`{raises}` is not an exception name")
    if attrs.get("fragment") and raises:
        problems.append("a fragment is never executed, so raises= means nothing on it")
    return Snippet(
        entry=entry_id,
        sid=str(sid) if sid is not None else None,
        code=block.code,
        line=block.line,
        min_python=min_python,
        fragment=bool(attrs.get("fragment")),
        raises=str(raises) if raises else None,
        attrs=attrs,
        problems=problems,
    )


def load_entry(path: Path) -> Entry:
    doc = read_document(path)
    entry = Entry(str(doc.meta.get("id", path.stem)), doc)
    for block in fenced_blocks(doc):
        snippet = parse_snippet(entry.id, entry.min_python, block)
        if snippet is not None:
            entry.snippets.append(snippet)
    return entry


@functools.lru_cache(maxsize=None)
def entries() -> Dict[str, Entry]:
    """Every references/*.md by file stem, in name order."""
    return {path.stem: load_entry(path) for path in sorted(REFERENCES.glob("*.md"))}


def snippets() -> List[Snippet]:
    return [s for entry in entries().values() for s in entry.snippets]


def snippet_label(snippet: Snippet) -> str:
    """`gather`, or `timeouts@3.11` when the snippet id has several variants."""
    variants = [s for s in snippets() if s.sid == snippet.sid]
    sid = snippet.sid or f"{snippet.entry}:{snippet.line}"
    return sid if len(variants) == 1 else f"{sid}@{show(snippet.min_python)}"


def demos() -> Dict[str, Entry]:
    return {i: e for i, e in entries().items() if e.demo is not None}


# -- interpreters -----------------------------------------------------------------------

ENV_OVERRIDE = "ASYNC_PATTERNS_PYTHONS"
PROBE = "import platform, sys; print(platform.python_implementation(), *sys.version_info[:2])"


class Discovery(NamedTuple):
    pythons: Dict[Version, str]  # (3, 12) -> path, oldest first
    rejected: List[str]  # "path: why", for candidates that were not usable
    overridden: bool


def candidate_paths() -> List[str]:
    paths = sorted(glob.glob("/root/.pyenv/versions/3.*/bin/python"))
    home = os.path.expanduser("~/.pyenv/versions/3.*/bin/python")
    paths += [p for p in sorted(glob.glob(home)) if p not in paths]
    directories = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    for minor in range(OLDEST[1], 40):
        for directory in directories:
            path = os.path.join(directory, f"python3.{minor}")
            if path not in paths and os.path.isfile(path) and os.access(path, os.X_OK):
                paths.append(path)
    return paths


def version_in_name(path: str) -> Optional[Version]:
    """(3, 12) for .../versions/3.12.1/bin/python or .../python3.12, else None."""
    match = re.search(r"/versions/3\.(\d+)[^/]*/bin/python$", path) or re.search(
        r"python3\.(\d+)$", path
    )
    return (3, int(match.group(1))) if match else None


def probe(path: str) -> Tuple[Optional[Version], str]:
    try:
        out = subprocess.run(
            [path, "-I", "-c", PROBE], capture_output=True, text=True, timeout=20,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"does not run ({error})"
    words = out.stdout.split()
    if out.returncode != 0 or len(words) != 3:
        return None, f"exit {out.returncode}: {out.stderr.strip()[:200]}"
    if words[0] != "CPython":
        return None, f"is {words[0]}, not CPython"
    return (int(words[1]), int(words[2])), ""


@functools.lru_cache(maxsize=None)
def discover() -> Discovery:
    """Every CPython >= 3.9 here, one per minor version (the first path found wins).

    Looks at pyenv's installs and `python3.X` on PATH, or only at the paths listed in
    ASYNC_PATTERNS_PYTHONS (separated by `:`) when that variable is set.
    """
    override = os.environ.get(ENV_OVERRIDE, "").strip()
    paths = [p for p in override.split(":") if p] if override else candidate_paths()
    found: Dict[Version, str] = {}
    rejected = []
    for path in paths:
        named = version_in_name(path)
        if not override and named is not None and (named < OLDEST or named in found):
            continue  # that version is already covered, or too old: no need to start it
        version, why = probe(path)
        if version is None:
            rejected.append(f"{path}: {why}")
        elif version < OLDEST:
            rejected.append(f"{path}: Python {show(version)} is older than {show(OLDEST)}")
        elif version not in found:
            found[version] = path
    return Discovery(dict(sorted(found.items())), rejected, bool(override))


def pythons() -> Dict[Version, str]:
    return discover().pythons


# -- running programs -------------------------------------------------------------------


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    wall_s: float


def run(python: str, args: List[str], cwd: Path, timeout: float = 20.0) -> Run:
    """Runs `python -E -s -B ARGS` as the demo runner does: no PYTHON* variables, no user
    site-packages, and the script's folder importable (demos import scripts/_timeline.py)."""
    started = time.monotonic()
    try:
        out = subprocess.run(
            [python, "-E", "-s", "-B", *args],
            capture_output=True, text=True, timeout=timeout, cwd=str(cwd),
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as late:
        def text(data):
            return data.decode(errors="replace") if isinstance(data, bytes) else data or ""

        stderr = text(late.stderr) + f"\n[killed: still running after {timeout} s]"
        return Run(-9, text(late.stdout), stderr, time.monotonic() - started)
    return Run(out.returncode, out.stdout, out.stderr, time.monotonic() - started)


def summary_of(result: Run) -> dict:
    """The JSON object on the last stdout line of a demo."""
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, f"the demo printed nothing on stdout; stderr:\n{result.stderr}"
    try:
        summary = json.loads(lines[-1])
    except ValueError as error:
        raise AssertionError(f"last stdout line is not JSON ({error}): {lines[-1]!r}") from None
    assert isinstance(summary, dict), f"last stdout line is not a JSON object: {lines[-1]!r}"
    return summary


def flag_value(param: dict, value: object) -> str:
    """How run_demo passes a value: booleans as true/false, numbers and text as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- parametrization --------------------------------------------------------------------


def on_pythons(items, label, oldest) -> list:
    """pytest params (item, version, path), one per interpreter at least `oldest(item)`.

    Ids read `label[3.12]`, e.g. `gather[3.12]`.
    """
    import pytest

    cases = []
    for item in items:
        for version, path in pythons().items():
            if version >= oldest(item):
                case_id = f"{label(item)}[{show(version)}]"
                cases.append(pytest.param(item, version, path, id=case_id))
    return cases


def with_one_retry(attempt, check):
    """Returns `attempt()` once `check` accepts it. Timing checks can miss their window on
    a loaded machine, so a failed check gets one more run; a second failure is real."""
    result = attempt()
    try:
        check(result)
    except AssertionError:
        result = attempt()
        check(result)
    return result
