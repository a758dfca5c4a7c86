"""Drives a packaged async-patterns the way an MCP host does, over stdio: initialize,
tools/list, get_snippet; then `list --json` on the command line. Fails loudly on any
wrong answer, and on anything but JSON-RPC on stdout.

    python3 packaging/roundtrip.py LABEL -- COMMAND [ARGS...]

COMMAND ARGS is how the package starts the binary (`wine x.exe`, `npx -y ...`,
`uvx ...`); `serve` and `list --json` are appended.
"""

import json
import subprocess
import sys
import time

PROTOCOL = "2025-11-25"
TOOLS = {"list_patterns", "get_pattern", "get_snippet", "search_patterns", "run_demo", "check_code"}


def fail(label, why):
    print(f"FAIL {label}: {why}", file=sys.stderr)
    sys.exit(1)


def stdio_round_trip(label, command, timeout):
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": PROTOCOL, "capabilities": {},
                    "clientInfo": {"name": "roundtrip", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "get_snippet", "arguments": {"id": "gather"}}},
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command + ["serve"],
            input="".join(json.dumps(r) + "\n" for r in requests),
            capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        fail(label, f"no exit within {timeout} s after stdin closed")
    replies = {}
    for line in done.stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            fail(label, f"non-JSON on stdout: {line[:200]!r}")
        replies[message.get("id")] = message
    for wanted in (1, 2, 3):
        if wanted not in replies:
            fail(label, f"no reply to request {wanted}; stderr: {done.stderr[-800:]}")
    info = replies[1]["result"]["serverInfo"]
    if info["name"] != "async-patterns":
        fail(label, f"serverInfo {info}")
    tools = {t["name"] for t in replies[2]["result"]["tools"]}
    if tools != TOOLS:
        fail(label, f"tools/list gave {sorted(tools)}")
    snippet = replies[3]["result"]
    text = "".join(c.get("text", "") for c in snippet["content"])
    if snippet.get("isError") or "asyncio.gather" not in text:
        fail(label, f"get_snippet gave {text[:200]!r}")
    return time.monotonic() - started, info["version"]


def list_json(label, command, timeout):
    done = subprocess.run(command + ["list", "--json"], capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        fail(label, f"list --json exited {done.returncode}: {done.stderr[-400:]}")
    patterns = json.loads(done.stdout)["patterns"]
    if not any(p["id"] == "gather" for p in patterns):
        fail(label, "list --json lacks `gather`")
    return len(patterns)


def main():
    label = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1:]
    timeout = 120
    seconds, version = stdio_round_trip(label, command, timeout)
    entries = list_json(label, command, timeout)
    print(f"ok {label}: version {version}, stdio round trip {seconds:.2f} s, "
          f"list --json {entries} entries")


if __name__ == "__main__":
    main()
