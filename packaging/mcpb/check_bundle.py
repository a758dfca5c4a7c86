"""Checks a packed .mcpb: a zip with the manifest, the licence and one executable server
binary per platform the manifest claims, each where the manifest's command points.
Unpacks it into DIR for the round trip that follows.

    python3 check_bundle.py BUNDLE.mcpb DIR
"""

import json
import os
import stat
import sys
import zipfile

bundle, out = sys.argv[1:3]
with zipfile.ZipFile(bundle) as z:
    names = set(z.namelist())
    manifest = json.loads(z.read("manifest.json"))
    z.extractall(out)
config = manifest["server"]["mcp_config"]
commands = {"linux": config["command"]}
commands.update({p: o["command"] for p, o in config.get("platform_overrides", {}).items()})
platforms = manifest["compatibility"]["platforms"]
assert manifest["server"]["type"] == "binary", manifest["server"]
assert sorted(commands) == sorted(platforms), (commands, platforms)
assert "LICENSE" in names, sorted(names)
for platform, command in sorted(commands.items()):
    inside = command.replace("${__dirname}/", "")
    assert inside in names, f"{platform}: {inside} is not in the bundle"
    if platform != "win32":
        # zip keeps the Unix mode in the high bits of external_attr.
        mode = zipfile.ZipFile(bundle).getinfo(inside).external_attr >> 16
        assert mode & stat.S_IXUSR, f"{inside} is not executable in the bundle"
        os.chmod(os.path.join(out, inside), 0o755)
    print(f"  {platform}: {inside} ({os.path.getsize(os.path.join(out, inside)) >> 20} MiB)")
print(f"ok bundle: {len(names)} files, tools {', '.join(t['name'] for t in manifest['tools'])}")
