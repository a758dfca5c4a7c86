"""The benchmark workload served by the official Python SDK's high-level server.

`MCPServer` (FastMCP before mcp 2) with decorated tools, as its documentation shows;
stdio, or Streamable HTTP with the SDK's defaults (sessions, SSE answers).
Usage: server.py stdio | server.py http PORT. Content comes from the fixture the
harness writes (BENCH_FIXTURE), so every peer returns the same bytes.
"""

import asyncio
import json
import os
import re
import sys
from typing import Any

from mcp.server.mcpserver import MCPServer

with open(os.environ["BENCH_FIXTURE"], encoding="utf-8") as f:
    FIXTURE = json.load(f)
SNIPPETS: dict[str, Any] = FIXTURE["snippets"]
LIST_PATTERNS: dict[str, Any] = FIXTURE["list_patterns"]
PATTERNS: list[dict[str, Any]] = LIST_PATTERNS["patterns"]
SCRIPTS: str = FIXTURE["scripts_dir"]
PYTHON: str = FIXTURE["python"]

# WARNING keeps uvicorn from logging every request, as a production setup would.
mcp = MCPServer("bench-peer-python", log_level="WARNING")


@mcp.tool(description="Return one snippet's code")
def get_snippet(id: str) -> dict[str, Any]:
    snippet = SNIPPETS.get(id)
    if snippet is None:
        raise ValueError(f"unknown snippet {id}")
    return snippet


@mcp.tool(description="List the catalogue")
def list_patterns() -> dict[str, Any]:
    return LIST_PATTERNS


@mcp.tool(description="Search the catalogue")
def search_patterns(query: str) -> dict[str, Any]:
    # The harness's simple search: one point per query word (longer than three letters)
    # found in a pattern's id, title, summary or tags; the five best.
    words = [w for w in re.split(r"[^0-9a-z]+", query.lower()) if len(w) > 3]
    hits = []
    for p in PATTERNS:
        text = " ".join([p["id"], p["title"], p["summary"], *p["tags"]]).lower()
        score = sum(1 for w in words if w in text)
        if score > 0:
            hits.append((score, p))
    hits.sort(key=lambda h: -h[0])
    return {
        "hits": [
            {"id": p["id"], "title": p["title"], "summary": p["summary"], "category": p["category"], "score": score}
            for score, p in hits[:5]
        ]
    }


@mcp.tool(description="Run a pattern's demo script")
async def run_demo(id: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-z-]+", id):
        raise ValueError("bad id")
    args = [f"{SCRIPTS}/{id}.py"]
    for name, value in (params or {}).items():
        args += [f"--{name}", value if isinstance(value, str) else json.dumps(value)]
    proc = await asyncio.create_subprocess_exec(PYTHON, *args, stdout=asyncio.subprocess.PIPE)
    try:
        stdout, _ = await asyncio.wait_for(proc.communicate(), timeout=10)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return {"exit_code": None, "stdout": "", "timed_out": True}
    return {"exit_code": proc.returncode, "stdout": stdout.decode(errors="replace"), "timed_out": False}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        mcp.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.run("stdio")
