"""The official Python SDK over Streamable HTTP (`serve --http`), in every mode."""

import asyncio
import os
import re
import subprocess
import time

import pytest
from mcp import Client

BIN = os.environ["ASYNC_PATTERNS_BIN"]
SKILL_DIR = os.environ.get("ASYNC_PATTERNS_TEST_SKILL_DIR")


@pytest.fixture(scope="module")
def url():
    args = [BIN] + (["--skill-dir", SKILL_DIR] if SKILL_DIR else []) + ["serve", "--http", "127.0.0.1:0"]
    server = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    found = None
    deadline = time.monotonic() + 20
    while found is None and time.monotonic() < deadline:
        line = server.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/mcp", line)
        if match:
            found = match.group(0)
    assert found, "server did not print its address"
    yield found
    server.terminate()
    server.wait(timeout=20)


@pytest.mark.parametrize("mode", ["auto", "legacy", "2026-07-28"])
def test_tools_resources_and_a_demo_with_progress_over_http(url, mode):
    async def go():
        async with Client(url, mode=mode, cache=None) as c:
            assert c.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
            names = {t.name for t in (await c.list_tools()).tools}
            assert {"list_patterns", "get_pattern", "get_snippet", "search_patterns", "run_demo", "check_code"} <= names
            patterns = (await c.call_tool("list_patterns", {})).structured_content["patterns"]
            demo_id = next(p["id"] for p in patterns if p["has_demo"])
            snippet = await c.call_tool("get_snippet", {"id": demo_id, "python": "3.10"})
            assert snippet.structured_content["code"]
            hits = await c.call_tool("search_patterns", {"query": patterns[0]["title"]})
            assert hits.structured_content["hits"]
            entry = await c.call_tool("get_pattern", {"id": demo_id})
            assert entry.structured_content["id"] == demo_id
            resources = (await c.list_resources()).resources
            read = await c.read_resource(str(resources[0].uri))
            assert read.contents[0].text
            progress = []

            async def on_progress(value, total, message):
                progress.append(value)

            ran = await c.call_tool("run_demo", {"id": demo_id}, progress_callback=on_progress)
            assert not ran.is_error, ran.content
            assert ran.structured_content["summary"]["demo"] == demo_id
            assert len(progress) >= 2

    asyncio.run(asyncio.wait_for(go(), 120))
