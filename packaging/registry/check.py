"""Validates server.json against the MCP Registry's published schema (the copy kept
beside it) and checks that it names the packages this repository builds, at the crate's
version.

    python3 check.py server.json server.schema.json VERSION
"""

import json
import sys

import jsonschema

server_path, schema_path, version = sys.argv[1:4]
server = json.load(open(server_path))
schema = json.load(open(schema_path))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(validator.iter_errors(server), key=lambda e: list(e.path))
for error in errors:
    print(f"  {'/'.join(map(str, error.path)) or '(top)'}: {error.message}", file=sys.stderr)
if errors:
    sys.exit(f"FAIL {server_path}: {len(errors)} schema errors")
assert server["$schema"] == schema["$id"], (server["$schema"], schema["$id"])
npm = json.load(open("packaging/npm/launcher/package.json"))["name"]
pypi = next(line.split('"')[1] for line in open("packaging/python/pyproject.toml")
            if line.startswith("name = "))
packages = {(p["registryType"], p["identifier"]): p["version"] for p in server["packages"]}
assert packages == {("npm", npm): version, ("pypi", pypi): version}, packages
assert server["version"] == version, server["version"]
print(f"ok server.json: valid against {schema['$id']}, packages {sorted(packages)}")
