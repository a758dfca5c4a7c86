"""Our own rules for the skill folder (docs/skill-format.md), beyond the official validator."""

import ast
import re
import sys
from collections import Counter, defaultdict

import pytest

from skill_files import (
    CATEGORIES,
    KEBAB,
    OLDEST,
    PARAM_NAME,
    REFERENCES,
    SCRIPTS,
    SKILL,
    demos,
    entries,
    fenced_blocks,
    headings,
    links,
    parse_version,
    read_document,
    relative_link,
    show,
    snippets,
)

SKILL_MD = read_document(SKILL / "SKILL.md")
ENTRIES = list(entries().values())
BY_ID = {e.id: e for e in ENTRIES}
DOCUMENTS = [SKILL_MD, *(e.doc for e in ENTRIES)]

SKILL_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
REFERENCE_KEYS = {"id", "title", "category", "summary", "tags", "aliases", "min_python",
                  "related", "demo"}
REQUIRED_REFERENCE_KEYS = {"id", "title", "category", "summary", "min_python"}
PARAM_KEYS = {"name", "type", "default", "min", "max", "enum", "description"}
PARAM_TYPES = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
}
# `## ` sections every reference has, in this order (docs/skill-format.md).
SECTIONS = {
    "concept": ["When to use", "Code", "Watch for", "Python versions", "Related"],
    "pattern": ["When to use", "Code", "Watch for", "Python versions", "Related"],
    "pitfall": ["Symptom", "Fix", "Watch for", "Python versions", "Related"],
}


def by_id(entry):
    return entry.id


# -- SKILL.md ---------------------------------------------------------------------------


def test_skill_md_frontmatter_has_name_description_license_and_string_metadata():
    meta = SKILL_MD.meta
    assert set(meta) <= SKILL_KEYS, f"keys the spec does not allow: {set(meta) - SKILL_KEYS}"
    assert {"name", "description", "license", "metadata"} <= set(meta)
    assert meta["name"] == SKILL.name == "async-python-patterns"
    assert isinstance(meta["description"], str) and 1 <= len(meta["description"]) <= 1024
    assert isinstance(meta["license"], str) and meta["license"].strip()
    metadata = meta["metadata"]
    assert isinstance(metadata, dict) and metadata, "metadata must be a string -> string map"
    for key, value in metadata.items():
        assert isinstance(key, str) and isinstance(value, str), f"metadata {key!r}: {value!r}"


def test_skill_md_description_says_what_it_does_and_when_to_use_it():
    description = SKILL_MD.meta["description"]
    assert "Use when" in description or "use when" in description
    lowered = description.lower()
    for word in ("asyncio", "await", "gather", "taskgroup", "timeout", "semaphore",
                 "event loop", "aiohttp", "fastapi", "concurrency", "never awaited"):
        assert word in lowered, f"the description lacks the trigger word {word!r}"


def test_skill_md_body_is_under_500_lines():
    lines = len(SKILL_MD.body.splitlines())
    assert lines < 500, f"SKILL.md body has {lines} lines"


def test_skill_md_links_every_reference():
    targets = {relative_link(target) for _, target in links(SKILL_MD)}
    missing = [e.id for e in ENTRIES if f"references/{e.id}.md" not in targets]
    assert not missing, f"SKILL.md does not link references/<id>.md for {missing}"


def test_skill_md_says_hosts_never_run_scripts_implicitly():
    text = SKILL_MD.body
    assert "run_demo" in text and "--help" in text
    assert re.search(r"never run", text), "SKILL.md must say scripts are never run implicitly"


# -- links -------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: d.name)
def test_every_relative_link_resolves_to_a_file_in_the_skill(doc):
    broken = []
    for line, target in links(doc):
        path = relative_link(target)
        if path is None:
            continue
        resolved = (doc.path.parent / path).resolve()
        if not path:
            broken.append(f"line {line}: empty link")
        elif SKILL.resolve() not in resolved.parents:
            broken.append(f"line {line}: {target} points outside the skill")
        elif not resolved.is_file():
            broken.append(f"line {line}: {target} does not exist")
    assert not broken, f"{doc.name}: " + "; ".join(broken)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: d.name)
def test_every_code_fence_is_closed(doc):
    unclosed = [b.line for b in fenced_blocks(doc) if not b.closed]
    assert not unclosed, f"{doc.name}: code fence opened at line {unclosed[0]} is never closed"


# -- references/<id>.md ------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES, ids=by_id)
def test_reference_frontmatter_follows_the_contract(entry):
    meta, stem = entry.meta, entry.doc.path.stem
    assert set(meta) <= REFERENCE_KEYS, f"unknown keys {set(meta) - REFERENCE_KEYS}"
    assert REQUIRED_REFERENCE_KEYS <= set(meta), f"missing {REQUIRED_REFERENCE_KEYS - set(meta)}"
    assert meta["id"] == stem, f"id {meta['id']!r} differs from the file name {stem!r}"
    assert KEBAB.fullmatch(stem), f"{stem!r} is not kebab-case"
    assert isinstance(meta["title"], str) and meta["title"].strip()
    assert meta["category"] in CATEGORIES, f"category {meta['category']!r}"
    summary = meta["summary"]
    assert isinstance(summary, str) and 1 <= len(summary) <= 200, f"summary: {summary!r}"
    assert "\n" not in summary.strip(), "summary must be one sentence on one line"
    version = parse_version(meta["min_python"])  # a quoted string like "3.9"
    assert version >= OLDEST, f"min_python {meta['min_python']} is below {show(OLDEST)}"
    for key in ("tags", "aliases", "related"):
        values = meta.get(key, [])
        assert isinstance(values, list), f"{key} must be a list"
        assert all(isinstance(v, str) and v.strip() for v in values), f"{key}: {values!r}"
    related = meta.get("related", [])
    assert len(set(related)) == len(related), f"related repeats an id: {related}"
    assert entry.id not in related, "an entry is not related to itself"
    unknown = [r for r in related if r not in BY_ID]
    assert not unknown, f"related ids that do not exist: {unknown}"


@pytest.mark.parametrize("entry", list(demos().values()), ids=by_id)
def test_demo_declaration_is_well_formed(entry):
    demo = entry.demo
    unknown = set(demo) - {"script", "params"}
    assert not unknown, f"unknown demo keys {unknown}"
    assert demo.get("script") == f"scripts/{entry.id}.py"
    assert (SKILL / demo["script"]).is_file(), f"{demo['script']} does not exist"
    params = demo.get("params") or []
    assert isinstance(params, list)
    names = [p.get("name") for p in params]
    assert len(set(names)) == len(names), f"a parameter is declared twice: {names}"
    for p in params:
        where = f"param {p.get('name')!r}"
        assert isinstance(p, dict) and set(p) <= PARAM_KEYS, f"{where}: unknown keys"
        assert {"name", "type", "default", "description"} <= set(p), f"{where}: missing keys"
        assert PARAM_NAME.fullmatch(p["name"]), f"{where}: not [a-z][a-z0-9_]*"
        assert p["type"] in PARAM_TYPES, f"{where}: type {p['type']!r}"
        assert PARAM_TYPES[p["type"]](p["default"]), f"{where}: default {p['default']!r}"
        assert isinstance(p["description"], str) and p["description"].strip()
        numeric = p["type"] in ("integer", "number")
        for bound in ("min", "max"):
            if bound in p:
                assert numeric, f"{where}: {bound} needs a numeric type"
                assert PARAM_TYPES["number"](p[bound]), f"{where}: {bound} {p[bound]!r}"
        if "min" in p and "max" in p:
            assert p["min"] <= p["max"], f"{where}: min above max"
        if "min" in p:
            assert p["default"] >= p["min"], f"{where}: default below min"
        if "max" in p:
            assert p["default"] <= p["max"], f"{where}: default above max"
        if "enum" in p:
            assert p["type"] == "string", f"{where}: enum needs type string"
            assert isinstance(p["enum"], list) and p["enum"], f"{where}: enum must be a list"
            assert p["default"] in p["enum"], f"{where}: default not in enum"


@pytest.mark.parametrize("entry", ENTRIES, ids=by_id)
def test_reference_sections_follow_the_contract(entry):
    found = headings(entry.doc)
    titles = [text for level, _, text in found if level == 1]
    assert titles[:1] == [entry.meta["title"]], f"first heading must be `# {entry.meta['title']}`"
    sections = [text for level, _, text in found if level == 2]
    expected = SECTIONS.get(entry.meta["category"], [])
    positions = [sections.index(s) if s in sections else -1 for s in expected]
    missing = [s for s, at in zip(expected, positions) if at < 0]
    assert not missing, f"missing sections {missing} (has {sections})"
    assert positions == sorted(positions), f"sections out of order: {sections}"


@pytest.mark.parametrize("entry", ENTRIES, ids=by_id)
def test_every_python_block_has_a_snippet_id_and_valid_attributes(entry):
    problems = [
        f"line {s.line}: {p}"
        for s in entry.snippets
        for p in (["no snippet=<id>"] if s.sid is None else []) + s.problems
    ]
    assert not problems, "; ".join(problems)
    for s in entry.snippets:
        assert s.min_python >= OLDEST, f"line {s.line}: min_python below {show(OLDEST)}"


@pytest.mark.parametrize("entry", ENTRIES, ids=by_id)
def test_entry_has_its_main_snippet(entry):
    assert any(s.sid == entry.id for s in entry.snippets), (
        f"no ```python block with snippet={entry.id}"
    )


def test_snippet_ids_are_unique_per_variant():
    variants = Counter((s.sid, s.min_python) for s in snippets() if s.sid)
    twice = [f"{sid} (min_python {show(v)})" for (sid, v), n in variants.items() if n > 1]
    assert not twice, f"several blocks for one snippet variant: {twice}"
    owners = defaultdict(set)
    for s in snippets():
        owners[s.sid].add(s.entry)
    shared = {sid: sorted(o) for sid, o in owners.items() if sid and len(o) > 1}
    assert not shared, f"snippet ids used by more than one entry: {shared}"


# -- scripts/ and size --------------------------------------------------------------------


def test_every_script_is_declared_by_exactly_one_entry():
    # scripts/_*.py are private helper modules the demos import (the runner writes them
    # beside each demo): no entry declares them.
    declared = Counter(e.demo.get("script") for e in demos().values())
    scripts = sorted(p.name for p in SCRIPTS.iterdir() if p.is_file())
    wrong = [
        f"scripts/{name} declared {declared[f'scripts/{name}']} times"
        for name in scripts
        if declared[f"scripts/{name}"] != (0 if name.startswith("_") else 1)
    ]
    assert not wrong, "; ".join(wrong)
    assert all(name.endswith(".py") for name in scripts), f"non-Python files: {scripts}"


def test_every_helper_module_is_imported_by_a_demo_and_needs_only_the_stdlib():
    helpers = sorted(SCRIPTS.glob("_*.py"))
    assert helpers, "no helper module: the demos import scripts/_timeline.py"
    sources = {p.name: p.read_text(encoding="utf-8") for p in SCRIPTS.glob("[!_]*.py")}
    for helper in helpers:
        module = helper.stem
        pattern = re.compile(rf"^(from {module} import|import {module}\b)", re.M)
        importers = [name for name, text in sources.items() if pattern.search(text)]
        assert importers, f"{helper.name} is imported by no demo"
        tree = ast.parse(helper.read_text(encoding="utf-8"))
        imported = {
            name.split(".")[0]
            for node in ast.walk(tree)
            for name in (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
        }
        outside = sorted(imported - set(sys.stdlib_module_names))
        assert not outside, f"{helper.name} imports beyond the standard library: {outside}"


def test_catalogue_has_at_least_25_entries_and_20_demos():
    assert len(ENTRIES) >= 25, f"{len(ENTRIES)} entries"
    assert len(demos()) >= 20, f"{len(demos())} demos"
    assert {e.meta.get("category") for e in ENTRIES} == set(CATEGORIES)


def test_references_folder_holds_only_entries():
    others = sorted(p.name for p in REFERENCES.iterdir() if p.suffix != ".md")
    assert not others, f"files that are not references/<id>.md: {others}"
