"""The official Python SDK (`mcp` 2.3) drives the real binary over stdio in every mode.

A third-party client: when one of these fails, the server is wrong, not the client.
"""

import asyncio
import os
import subprocess
import time
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

BIN = os.environ["ASYNC_PATTERNS_BIN"]
SKILL_DIR = os.environ.get("ASYNC_PATTERNS_TEST_SKILL_DIR")
REPO = Path(__file__).resolve().parents[3]
SKILL_ROOT = Path(SKILL_DIR) if SKILL_DIR else REPO / "skill" / "async-python-patterns"
MODES = ["auto", "legacy", "2026-07-28"]


def params() -> StdioServerParameters:
    args = (["--skill-dir", SKILL_DIR] if SKILL_DIR else []) + ["serve"]
    return StdioServerParameters(command=BIN, args=args)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def client(mode: str) -> Client:
    return Client(params(), mode=mode, cache=None)


@pytest.mark.parametrize("mode", MODES)
def test_handshake_reports_version_identity_and_instructions(mode):
    async def go():
        async with client(mode) as c:
            expected = "2025-11-25" if mode == "legacy" else "2026-07-28"
            assert c.protocol_version == expected
            if mode != "2026-07-28":  # a pinned client skips the probe and knows no identity
                assert c.server_info.name == "async-patterns"
                assert "search_patterns" in (c.instructions or "")

    run(go())


@pytest.mark.parametrize("mode", MODES)
def test_every_tool_is_listed_and_callable(mode):
    async def go():
        async with client(mode) as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            for name in ["list_patterns", "get_pattern", "get_snippet", "search_patterns", "run_demo", "check_code"]:
                assert name in tools
                assert tools[name].output_schema is not None
            listed = await c.call_tool("list_patterns", {})
            assert not listed.is_error
            patterns = listed.structured_content["patterns"]
            assert patterns
            first = patterns[0]["id"]
            got = await c.call_tool("get_pattern", {"id": first})
            assert got.structured_content["id"] == first
            demo_id = next(p["id"] for p in patterns if p["has_demo"])
            snippet = await c.call_tool("get_snippet", {"id": demo_id})
            assert snippet.structured_content["code"]
            old = await c.call_tool("get_snippet", {"id": demo_id, "python": "3.10"})
            assert old.structured_content["python_requested"] == "3.10"
            found = await c.call_tool("search_patterns", {"query": patterns[-1]["title"]})
            assert found.structured_content["hits"]
            progress = []

            async def on_progress(value, total, message):
                progress.append(value)

            ran = await c.call_tool("run_demo", {"id": demo_id}, progress_callback=on_progress)
            assert not ran.is_error, ran.content
            assert ran.structured_content["summary"]["demo"] == demo_id
            assert len(progress) >= 2 and progress == sorted(progress)
            missing = await c.call_tool("get_pattern", {"id": "no-such-pattern"})
            assert missing.is_error

    run(go())


@pytest.mark.parametrize("mode", MODES)
def test_every_resource_reads_back_as_the_file(mode):
    async def go():
        async with client(mode) as c:
            uris = []
            cursor = None
            while True:
                page = await c.list_resources(cursor=cursor) if cursor else await c.list_resources()
                uris += [str(r.uri) for r in page.resources]
                cursor = page.next_cursor
                if not cursor:
                    break
            on_disk = sorted(p for p in SKILL_ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            assert len(uris) == len(on_disk)
            prefix = f"skill://{SKILL_ROOT.name}/"
            for uri in uris:
                result = await c.read_resource(uri)
                text = result.contents[0].text
                assert text == (SKILL_ROOT / uri[len(prefix):]).read_text(), uri
            templates = await c.list_resource_templates()
            assert templates.resource_templates

    run(go())


@pytest.mark.parametrize("mode", MODES)
def test_prompts_and_completion(mode):
    async def go():
        async with client(mode) as c:
            prompts = {p.name for p in (await c.list_prompts()).prompts}
            assert {"review-async-code", "choose-pattern", "explain-pattern"} <= prompts
            got = await c.get_prompt("choose-pattern", {"problem": "limit concurrent requests"})
            assert got.messages
            from mcp.types import PromptReference

            done = await c.complete(PromptReference(type="ref/prompt", name="explain-pattern"), {"name": "id", "value": ""})
            assert done.completion.values

    run(go())


def demo_processes(script: str = "gather") -> list:
    """The running demo's interpreter: its script is /tmp/SCRIPT.py inside the sandbox's
    own root (a scratch folder named async-patterns-demo-* without namespaces). `-ww`:
    ps cuts lines at the terminal's (or COLUMNS') width otherwise."""
    out = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
    return [
        line
        for line in out.splitlines()
        if f"/{script}.py" in line and "--delay 1" in line and " -E -s " in line
    ]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_cancelling_a_demo_kills_it_and_the_server_keeps_serving(mode):
    async def go():
        async with client(mode) as c:
            patterns = (await c.call_tool("list_patterns", {})).structured_content["patterns"]
            slow = "gather" if any(p["id"] == "gather" for p in patterns) else "alpha"
            call = asyncio.ensure_future(
                c.call_tool("run_demo", {"id": slow, "params": {"delay": 1}, "timeout_ms": 20000})
            )
            await asyncio.sleep(0.5)
            assert demo_processes(slow), "the demo should be running"
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            deadline = time.monotonic() + 5
            while demo_processes(slow) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert not demo_processes(slow), demo_processes(slow)
            assert (await c.list_tools()).tools

    run(go())


def test_every_schema_is_valid_2020_12_with_only_known_formats():
    """The SDK validates structured results with jsonschema: each advertised schema must
    be a valid 2020-12 schema, name only formats the dialect defines, and give no
    property a default its own type refuses."""
    from jsonschema import Draft202012Validator

    known = Draft202012Validator.FORMAT_CHECKER.checkers.keys() | {"uri-reference", "iri", "iri-reference"}

    def walk(schema, at, found):
        if isinstance(schema, dict):
            fmt = schema.get("format")
            if isinstance(fmt, str) and fmt not in known:
                found.append(f"{at}: format {fmt}")
            # (a `properties` map may hold properties named "default" and "type")
            if "default" in schema and isinstance(schema.get("type"), (str, list)):
                if not Draft202012Validator({"type": schema["type"]}).is_valid(schema["default"]):
                    found.append(f"{at}: default {schema['default']!r} is not a {schema['type']}")
            for key, sub in schema.items():
                walk(sub, f"{at}.{key}", found)
        elif isinstance(schema, list):
            for i, sub in enumerate(schema):
                walk(sub, f"{at}[{i}]", found)

    async def go():
        async with client("auto") as c:
            found = []
            for tool in (await c.list_tools()).tools:
                for key, schema in [("input", tool.input_schema), ("output", tool.output_schema)]:
                    if schema is None:
                        continue
                    Draft202012Validator.check_schema(schema)
                    walk(schema, f"{tool.name}.{key}", found)
            assert found == []
            # A host that sends numbers as strings still runs the demo.
            reply = await c.call_tool("run_demo", {"id": "gather", "engine": "native", "params": {"tasks": "2"}})
            assert not reply.is_error, reply
            assert reply.structured_content["params"]["tasks"] == 2

    run(go())
