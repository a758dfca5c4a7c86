#!/usr/bin/env bash
# Third-party MCP clients against the real binary, over stdio and HTTP: the official
# conformance suite (0.2.0-alpha.12), the official Python SDK (mcp 2.3), the official
# TypeScript client (@modelcontextprotocol/client 2.4, with its SkillsClient), the MCP
# Inspector CLI (2.12), the `skills` CLI (1.7) and ajv (8.20, strict schema checks). Installs them into tests/interop/.deps
# (git-ignored): a Python venv, and Node 22 from the npm registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
mkdir -p "$deps"

if [ ! -x "$deps/venv/bin/pytest" ]; then
  python3 -m venv "$deps/venv"
  "$deps/venv/bin/pip" install -q "mcp==2.3.0" "pytest==9.2.0"
fi
node_packages=(node@22 @modelcontextprotocol/client@2.4.0 @modelcontextprotocol/inspector@2.12.0
  @modelcontextprotocol/conformance@0.2.0-alpha.12 skills@1.7 ajv@8.20.0)
if ! cmp -s <(printf '%s\n' "${node_packages[@]}") "$deps/.node-packages" 2>/dev/null; then
  [ -f "$deps/package.json" ] || echo '{"name": "async-patterns-interop", "private": true}' > "$deps/package.json"
  (cd "$deps" && npm install --no-audit --no-fund --loglevel=error "${node_packages[@]}")
  printf '%s\n' "${node_packages[@]}" > "$deps/.node-packages"
fi
export DISABLE_TELEMETRY=1
ln -sfn .deps/node_modules "$here/node_modules"
export PATH="$deps/node_modules/.bin:$PATH"
echo "node $(node --version)"

if [ -z "${ASYNC_PATTERNS_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  export ASYNC_PATTERNS_BIN="$repo/target/release/async-patterns"
fi

echo "== official conformance suite over HTTP (2026-07-28, 2025-11-25, Skills extension)"
bash "$here/conformance/run.sh"
echo "== Python SDK (stdio and HTTP: auto, legacy, 2026-07-28)"
"$deps/venv/bin/pytest" -q -p no:cacheprovider "$here/python"
echo "== TypeScript client + SkillsClient, MCP Inspector CLI, skills CLI"
node --test "$here/ts/"*.test.mjs
