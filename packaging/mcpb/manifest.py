"""Prints the bundle's manifest.json for a release: the kept manifest with the crate's
version, after checking that its tool list is exactly what the server answers to
tools/list (so the bundle never advertises a tool that is gone, or hides a new one).

    python3 manifest.py packaging/mcpb/manifest.json VERSION BINARY
"""

import json
import subprocess
import sys

path, version, binary = sys.argv[1:4]
manifest = json.load(open(path))
requests = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "mcpb-manifest", "version": "1"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
out = subprocess.run([binary, "serve"], input="".join(json.dumps(r) + "\n" for r in requests),
                     capture_output=True, text=True, timeout=60, check=True).stdout
served = next(m for m in map(json.loads, out.splitlines()) if m.get("id") == 2)
served = sorted(t["name"] for t in served["result"]["tools"])
listed = sorted(t["name"] for t in manifest["tools"])
if served != listed:
    sys.exit(f"{path} lists tools {listed}, the server serves {served}: update the manifest")
manifest["version"] = version
print(json.dumps(manifest, indent=2))
