"""The checker's own reading of Markdown and of the machine, on small made-up inputs."""

import sys
from pathlib import Path

from skill_files import (
    ENV_OVERRIDE,
    Block,
    discover,
    fenced_blocks,
    headings,
    links,
    parse_snippet,
    parse_version,
    read_document,
    relative_link,
)

SAMPLE = """\
---
id: sample
min_python: "3.9"
---
# Sample

See [gather](gather.md) and [the docs](https://docs.python.org/3/) and [top](#sample).

````markdown
```python snippet=inside
print("not a block of its own")
```
[not a link](nowhere.md)
````

~~~python snippet=tilde min_python=3.11 fragment
import asyncio
~~~

```python snippet=raiser raises=RuntimeError
raise RuntimeError("boom")
```

```toml
[tool.pytest.ini_options]
```

## Related

`[in code](nowhere.md)` [ref]: semaphore.md
[ref]: semaphore.md "Semaphore"
"""


def sample(tmp_path) -> Path:
    path = tmp_path / "sample.md"
    path.write_text(SAMPLE)
    return path


def test_frontmatter_and_body_are_split_with_line_numbers(tmp_path):
    doc = read_document(sample(tmp_path))
    assert doc.meta == {"id": "sample", "min_python": "3.9"}
    assert doc.body.startswith("# Sample")
    assert doc.body_line == 5


def test_fences_of_both_kinds_nest_by_length(tmp_path):
    doc = read_document(sample(tmp_path))
    blocks = fenced_blocks(doc)
    assert [b.info.split()[0] for b in blocks] == ["markdown", "python", "python", "toml"]
    assert "```python snippet=inside" in blocks[0].code
    assert blocks[1].code == "import asyncio\n"
    opening = "~~~python snippet=tilde min_python=3.11 fragment"
    assert blocks[1].line == SAMPLE.splitlines().index(opening) + 1
    assert all(b.closed for b in blocks)


def test_python_block_attributes_become_a_snippet(tmp_path):
    doc = read_document(sample(tmp_path))
    found = [parse_snippet("sample", (3, 9), b) for b in fenced_blocks(doc)]
    assert found[0] is None and found[3] is None
    tilde, raiser = found[1], found[2]
    assert (tilde.sid, tilde.min_python, tilde.fragment) == ("tilde", (3, 11), True)
    assert tilde.problems == []
    assert (raiser.sid, raiser.min_python, raiser.raises) == ("raiser", (3, 9), "RuntimeError")


def test_unknown_or_malformed_attributes_are_problems():
    info = "python snippet=Bad min_python=3 shiny"
    snippet = parse_snippet("x", (3, 9), Block(info, "", 1, True))
    assert len(snippet.problems) == 3
    assert parse_snippet("x", (3, 9), Block("python", "", 1, True)).sid is None


def test_links_outside_code_only(tmp_path):
    doc = read_document(sample(tmp_path))
    targets = [t for _, t in links(doc)]
    assert targets == ["gather.md", "https://docs.python.org/3/", "#sample", "semaphore.md"]
    assert [relative_link(t) for t in targets] == ["gather.md", None, None, "semaphore.md"]


def test_headings_skip_code(tmp_path):
    doc = read_document(sample(tmp_path))
    assert [(level, text) for level, _, text in headings(doc)] == [(1, "Sample"), (2, "Related")]


def test_versions_are_quoted_strings():
    assert parse_version("3.10") == (3, 10)
    for bad in (3.1, "3", "three", "3.10.1"):
        try:
            parse_version(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_override_variable_replaces_discovery(monkeypatch):
    monkeypatch.setenv(ENV_OVERRIDE, f"{sys.executable}:/nonexistent/python3.99")
    found = discover.__wrapped__()
    assert found.overridden
    assert list(found.pythons.values()) == [sys.executable]
    assert found.pythons == {sys.version_info[:2]: sys.executable}
    assert len(found.rejected) == 1 and "/nonexistent/python3.99" in found.rejected[0]
