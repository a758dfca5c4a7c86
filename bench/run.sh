#!/usr/bin/env bash
# Side-by-side benchmark: async-patterns against the official MCP SDKs' servers (Python
# `mcp` 2.3 MCPServer, TypeScript @modelcontextprotocol/server 2.4, Rust rmcp 3.11),
# each serving the same workload over stdio and Streamable HTTP, in one run.
#
#   bash bench/run.sh                 # full run: 5 runs, about 17 minutes of measuring on 2 cores
#   BENCH_QUICK=1 bash bench/run.sh   # smoke run (CI): 1 short run, checks it all works;
#                                     # about 2.5 minutes with empty bench/.deps, 1 once built
#
# Installs what it needs into bench/.deps (git-ignored): a Python venv (mcp, matplotlib),
# Node 22 and the TypeScript SDK from the npm registry, the rmcp peer's build, and `wrk`
# from Debian when it is missing. Writes bench/results/{results.json,results.md,chart.svg}
# (a quick run writes bench/results/quick/ instead, leaving the committed figures alone).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
deps="$here/.deps"
mkdir -p "$deps"
export DISABLE_TELEMETRY=1 CARGO_TERM_COLOR=never

if [ ! -x "$deps/venv/bin/python" ] || ! "$deps/venv/bin/python" -c 'import mcp, matplotlib' 2>/dev/null; then
  python3 -m venv "$deps/venv"
  "$deps/venv/bin/pip" install -q "mcp==2.3.0" "matplotlib==3.10.*"
fi
node_packages=(node@22 @modelcontextprotocol/server@2.4.0 @modelcontextprotocol/node@2.1.2 zod@4.6.7)
if ! cmp -s <(printf '%s\n' "${node_packages[@]}") "$deps/.node-packages" 2>/dev/null; then
  [ -f "$deps/package.json" ] || echo '{"name": "async-patterns-bench", "private": true}' > "$deps/package.json"
  (cd "$deps" && npm install --no-audit --no-fund --loglevel=error "${node_packages[@]}")
  printf '%s\n' "${node_packages[@]}" > "$deps/.node-packages"
fi
ln -sfn ../../.deps/node_modules "$here/peers/typescript/node_modules"
if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "== building async-patterns, the rmcp peer and the driver"
(cd "$repo" && cargo build --release --quiet --bin async-patterns)
# The peer and the driver are crates of their own (own lock files, one target folder).
# A quick run builds them without optimizations: it checks that everything works, and
# CI builds them from scratch.
profile=release
[ -n "${BENCH_QUICK:-}" ] && profile=smoke
for crate in peers/rmcp driver; do
  CARGO_TARGET_DIR="$deps/target" cargo build --profile "$profile" --quiet \
    --manifest-path "$here/$crate/Cargo.toml"
done

# The interpreter itself, not a shim in front of it (pyenv's shims cost ~30 ms a start).
BENCH_PYTHON="$(python3 -c 'import sys; print(sys.executable)')"
export BENCH_PYTHON
node="$deps/node_modules/node/bin/node"
out="$here/results"
[ -n "${BENCH_QUICK:-}" ] && out="$here/results/quick"
mkdir -p "$out"
export BENCH_WORK="$deps/work"
mkdir -p "$BENCH_WORK"
export BENCH_SCRIPTS="$repo/skill/async-python-patterns/scripts"
# The peers run the demos straight from the skill's folder: no __pycache__ left in it
# (the install tests compare that folder byte for byte with the embedded skill).
export PYTHONDONTWRITEBYTECODE=1
rmcp="$deps/target/$profile/bench-peer-rmcp"
cat > "$BENCH_WORK/servers.json" <<JSON
[
  {"name": "async-patterns",
   "stdio": ["$repo/target/release/async-patterns", "serve"],
   "http": ["$repo/target/release/async-patterns", "serve", "--http", "127.0.0.1:{port}"]},
  {"name": "rmcp 3.11",
   "stdio": ["$rmcp", "stdio"],
   "http": ["$rmcp", "http", "{port}"]},
  {"name": "TypeScript SDK 2.4",
   "stdio": ["$node", "$here/peers/typescript/server.mjs", "stdio"],
   "http": ["$node", "$here/peers/typescript/server.mjs", "http", "{port}"]},
  {"name": "Python SDK 2.3",
   "stdio": ["$deps/venv/bin/python", "$here/peers/python/server.py", "stdio"],
   "http": ["$deps/venv/bin/python", "$here/peers/python/server.py", "http", "{port}"]}
]
JSON

echo "== measuring (node $("$node" --version), $("$BENCH_PYTHON" --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
rm -f "$out/results.json"
nice -n 5 "$deps/target/$profile/bench-driver" "$BENCH_WORK/servers.json" "$out/results.json" || status=$?
# A failed measurement still gets its table (which names it); the exit status reports it.
[ -f "$out/results.json" ] || exit "$status"
"$deps/venv/bin/python" "$here/report.py" "$out/results.json" "$out/results.md" "$out/chart.svg"
cat "$out/results.md"
exit "$status"
