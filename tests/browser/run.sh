#!/usr/bin/env bash
# Real-browser tests: Debian's chromium driven headless by playwright-core, against pages
# the real binary serves (`serve --http`) or writes (`pack`). Installs chromium from Debian
# when missing, and Node 22 with the npm packages below into tests/browser/.deps
# (git-ignored, reused between runs). Screenshots go to tests/browser/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
deps="$here/.deps"
mkdir -p "$deps" "$here/artifacts"

if ! command -v chromium >/dev/null 2>&1; then
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

node_packages=(node@22 playwright-core@1.65.1 axe-core@4.14.1 esbuild@0.28.2
  @modelcontextprotocol/ext-apps@2.0.4 @modelcontextprotocol/sdk@1.32.2)
if ! cmp -s <(printf '%s\n' "${node_packages[@]}") "$deps/.node-packages" 2>/dev/null; then
  [ -f "$deps/package.json" ] || echo '{"name": "async-patterns-browser-tests", "private": true}' > "$deps/package.json"
  (cd "$deps" && npm install --no-audit --no-fund --loglevel=error "${node_packages[@]}")
  printf '%s\n' "${node_packages[@]}" > "$deps/.node-packages"
fi
ln -sfn .deps/node_modules "$here/node_modules"
export PATH="$deps/node_modules/.bin:$PATH"
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
echo "node $(node --version), $("$CHROMIUM" --version 2>/dev/null | head -1)"

if [ -z "${ASYNC_PATTERNS_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  export ASYNC_PATTERNS_BIN="$repo/target/release/async-patterns"
fi
export BROWSER_ARTIFACTS="$here/artifacts"

node --test --test-concurrency=1 "$here/"*.test.mjs
