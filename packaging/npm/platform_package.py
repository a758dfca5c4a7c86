"""Prints the package.json of one per-platform npm package (the esbuild pattern): npm
installs only the one whose os and cpu match the machine.

    python3 platform_package.py linux-x64 0.1.0 ""    # or win32-x64 0.1.0 .exe
"""

import json
import sys

platform, version, exe = sys.argv[1], sys.argv[2], sys.argv[3]
os_name, cpu = platform.split("-")
print(json.dumps({
    "name": f"@async-patterns/mcp-{platform}",
    "version": version,
    "description": f"The async-patterns MCP server binary for {platform} (installed by @async-patterns/mcp)",
    "license": "MIT",
    "os": [os_name],
    "cpu": [cpu],
    "files": [f"bin/async-patterns{exe}"],
    "preferUnplugged": True,
}, indent=2))
