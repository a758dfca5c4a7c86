#!/usr/bin/env bash
# Builds async-patterns for every platform it ships on and exercises every install path
# that can run on this Linux machine (CI step "platforms and installs").
#
#   bash packaging/run.sh                 everything below
#   bash packaging/run.sh cross wheel     only these steps (cross, crate, archives, wheel,
#                                         npm_packages, mcpb_bundle, registry)
#
# 1. cross builds: Linux aarch64 and macOS (arm64, x86_64, universal) through zig, Windows
#    x86_64 through mingw-w64; the Windows binary answers a stdio round trip under Wine,
#    the aarch64 one under qemu-user; the macOS ones are checked with `file` and
#    llvm-objdump (architecture, linked libraries): built, not run (no macOS here).
# 2. crates.io: `cargo publish --dry-run` (packs and builds the crate as uploaded).
# 3. release archives: cargo-dist's plan for all five targets and its local build of the
#    Linux archives with their sha256 sums.
# 4. PyPI: the maturin wheel, installed in a fresh venv and run with uvx and pipx.
# 5. npm: the launcher and the per-platform packages, packed and run with npx.
# 6. MCP Bundle: built from the cross binaries, validated and packed with the official
#    mcpb CLI, its contents checked, the Linux server started from the unpacked bundle.
# 7. MCP Registry: server.json validated against the registry's schema (a kept copy).
#
# Tools and downloads are cached in $ASYNC_PATTERNS_CACHE (default ~/.cache/async-patterns-dist):
# Rust targets, zig, maturin, uv, pipx, cargo-zigbuild, cargo-dist, the mcpb CLI, and the
# cross build's target folder. A warm run takes about 9 minutes (8m49s measured with the
# crate changed, so rebuilt for every target, on 2 cores shared with a load of ~10); the
# first one on a fresh machine about 45 (compiling cargo-dist, then every target's
# dependencies in three profiles).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=${ASYNC_PATTERNS_CACHE:-$HOME/.cache/async-patterns-dist}
tools=$cache/tools
venv=$cache/venv
export CARGO_TARGET_DIR=$cache/target
export PATH=$tools/bin:$venv/bin:$PATH
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { echo "-- [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }
sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
zig_targets=(aarch64-unknown-linux-gnu aarch64-apple-darwin x86_64-apple-darwin)

setup() {
  say "tools (cached in $cache)"
  mkdir -p "$cache"
  rustup target add x86_64-pc-windows-gnu "${zig_targets[@]}" >/dev/null 2>&1
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null \
    || ! command -v qemu-aarch64 >/dev/null || ! command -v file >/dev/null \
    || ! command -v llvm-objdump >/dev/null || [ ! -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]; then
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends \
      gcc-mingw-w64-x86-64 wine wine64 qemu-user libc6-arm64-cross libgcc-s1-arm64-cross \
      file llvm >/dev/null
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "ziglang==0.17.*" "maturin==1.16.*" uv pipx jsonschema
  # Unoptimised (--debug): they only orchestrate, and it halves their first compile.
  command -v cargo-zigbuild >/dev/null \
    || cargo install -q --debug --locked --root "$tools" cargo-zigbuild --version 0.24.1
  command -v dist >/dev/null \
    || cargo install -q --debug --locked --root "$tools" cargo-dist --version 0.34.0
  if [ ! -x "$cache/npm/node_modules/.bin/mcpb" ]; then
    mkdir -p "$cache/npm"
    (cd "$cache/npm" && npm install -s --no-audit --no-fund @anthropic-ai/mcpb@2.1.2)
  fi
}

# Wine in a prefix of our own. Wine 8 lacks a DLL every Windows 10+ has: the prefix gets a
# stand-in (see its source).
wine_prefix() {
  export WINEDEBUG=-all WINEPREFIX=$cache/wine
  local system32=$WINEPREFIX/drive_c/windows/system32
  [ -d "$system32" ] || wineboot --init >/dev/null 2>&1
  x86_64-w64-mingw32-gcc -O2 -shared -o "$system32/bcryptprimitives.dll" \
    packaging/wine/bcryptprimitives.c -ladvapi32
}

# Binaries of the cheap `cross` profile, one per target: proof that each compiles, links
# and answers. (Release archives are cargo-dist's job, below.)
bin_of() { echo "$CARGO_TARGET_DIR/$1/cross/async-patterns$2"; }

cross() {
  say "cross builds: ${zig_targets[*]} (zig), x86_64-pc-windows-gnu (mingw-w64)"
  cargo zigbuild -q --profile cross "${zig_targets[@]/#/--target=}"
  cargo build -q --profile cross --target x86_64-pc-windows-gnu
  cargo build -q --profile cross
  local mac
  for mac in aarch64-apple-darwin:arm64 x86_64-apple-darwin:x86_64; do
    local target=${mac%%:*} arch=${mac##*:} described
    described=$(file -b "$(bin_of "$target" "")")
    echo "$described"
    [[ $described == "Mach-O 64-bit $arch executable"* ]] \
      || { echo "FAIL: $target is not a $arch Mach-O executable"; exit 1; }
    # Linked only against libraries every Mac has: nothing a user must install.
    local libs
    libs=$(llvm-objdump --macho --dylibs-used "$(bin_of "$target" "")" | tail -n +2 | awk '{print $1}')
    echo "  links: $(echo $libs)"
    grep -q '^/usr/lib/libSystem.B.dylib$' <<<"$libs" || { echo "FAIL: $target lacks libSystem"; exit 1; }
    if grep -vE '^(/usr/lib/|/System/Library/Frameworks/)' <<<"$libs"; then
      echo "FAIL: $target links a library outside the system"; exit 1
    fi
  done
  file -b "$(bin_of x86_64-pc-windows-gnu .exe)"
  file -b "$(bin_of aarch64-unknown-linux-gnu "")"
  say "Windows binary under Wine: stdio round trip"
  python3 packaging/roundtrip.py windows-x86_64/wine -- wine "$(bin_of x86_64-pc-windows-gnu .exe)"
  say "Linux aarch64 binary under qemu-user: stdio round trip"
  python3 packaging/roundtrip.py linux-aarch64/qemu \
    -- qemu-aarch64 -L /usr/aarch64-linux-gnu "$(bin_of aarch64-unknown-linux-gnu "")"
}

crate() {
  say "crates.io: cargo publish --dry-run"
  cargo publish --dry-run --allow-dirty >"$work/publish.log" 2>&1 \
    || { tail -30 "$work/publish.log"; exit 1; }
  grep -E '^\s*(Packaged|Uploading|warning: aborting)' "$work/publish.log" || true
  cargo package --list --allow-dirty -q | grep -qx LICENSE || { echo "FAIL: LICENSE not packaged"; exit 1; }
}

archives() {
  say "release archives: dist plan (all targets), dist build (Linux x86_64 here)"
  dist plan --output-format=json >"$work/plan.json"
  python3 - "$work/plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
names = sorted(a for a in plan["artifacts"] if a.endswith((".tar.xz", ".zip")))
wanted = ["async-patterns-%s" % t for t in ("aarch64-apple-darwin.tar.xz", "aarch64-unknown-linux-gnu.tar.xz", "x86_64-apple-darwin.tar.xz", "x86_64-pc-windows-msvc.zip", "x86_64-unknown-linux-gnu.tar.xz")]
assert names == wanted, names
print("planned:", ", ".join(names))
PY
  dist build --artifacts=local --target x86_64-unknown-linux-gnu --output-format=json >"$work/build.json" 2>"$work/build.log" \
    || { tail -20 "$work/build.log"; exit 1; }
  # dist writes into the workspace's target/distrib whatever CARGO_TARGET_DIR says.
  local archive=$root/target/distrib/async-patterns-x86_64-unknown-linux-gnu.tar.xz
  (cd "$(dirname "$archive")" && sha256sum -c "$(basename "$archive").sha256")
  tar -xJf "$archive" -C "$work"
  ls "$work/async-patterns-x86_64-unknown-linux-gnu"
  python3 packaging/roundtrip.py archive/linux-x86_64 \
    -- "$work/async-patterns-x86_64-unknown-linux-gnu/async-patterns"
}

# The binary inside a wheel, unpacked to $2 so it can be looked at and run.
wheel_binary() {
  python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1:3]
with zipfile.ZipFile(wheel) as z:
    [name] = [n for n in z.namelist() if "/scripts/async-patterns-mcp" in n]
    path = z.extract(name, out)
os.chmod(path, 0o755)
print(path)
PY
}

wheel() {
  say "PyPI: maturin wheels (manylinux through zig), fresh venv, uvx and pipx; cross wheels run under qemu and Wine"
  cp Cargo.lock packaging/python/Cargo.lock
  local target
  for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu universal2-apple-darwin; do
    maturin build -q --profile cross -m packaging/python/Cargo.toml --target "$target" --zig \
      --out "$work/wheels" 2>&1 | grep -F 'Built wheel' || true
  done
  maturin build -q --profile cross -m packaging/python/Cargo.toml \
    --target x86_64-pc-windows-gnu --out "$work/wheels" 2>&1 | grep -F 'Built wheel' || true
  rm -f packaging/python/Cargo.lock
  local whl binary
  for whl in "$work"/wheels/*aarch64.whl "$work"/wheels/*universal2*.whl "$work"/wheels/*win_amd64.whl; do
    binary=$(wheel_binary "$whl" "$work/unwheel/$(basename "$whl")")
    echo "$(basename "$whl"): $(file -b "$binary" | cut -d, -f1-2)"
    case $whl in
      *aarch64.whl) python3 packaging/roundtrip.py pypi/aarch64-wheel/qemu \
        -- qemu-aarch64 -L /usr/aarch64-linux-gnu "$binary" ;;
      *win_amd64.whl) python3 packaging/roundtrip.py pypi/windows-wheel/wine -- wine "$binary" ;;
    esac
  done
  whl=$(ls "$work"/wheels/async_patterns_mcp-"$version"-*manylinux*x86_64.whl)
  basename "$whl"
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q --no-index "$whl"
  python3 packaging/roundtrip.py pypi/venv -- "$work/venv/bin/async-patterns-mcp"
  UV_CACHE_DIR=$work/uv python3 packaging/roundtrip.py pypi/uvx \
    -- uvx --offline --from "$whl" async-patterns-mcp
  PIPX_HOME=$work/pipx python3 packaging/roundtrip.py pypi/pipx-run \
    -- pipx run --spec "$whl" async-patterns-mcp
}

# npm's names for our targets: os-cpu, and the binary that goes in each package.
npm_platforms=(
  "linux-x64:x86_64-unknown-linux-gnu:"
  "linux-arm64:aarch64-unknown-linux-gnu:"
  "darwin-x64:x86_64-apple-darwin:"
  "darwin-arm64:aarch64-apple-darwin:"
  "win32-x64:x86_64-pc-windows-gnu:.exe"
)

npm_packages() {
  say "npm: launcher + per-platform packages, packed, run with npx from the tarballs"
  local out=$work/npm entry
  mkdir -p "$out"
  for entry in "${npm_platforms[@]}"; do
    IFS=: read -r platform target exe <<<"$entry"
    local dir=$work/npm-src/$platform binary
    binary=$(bin_of "$target" "$exe")
    [ "$target" = x86_64-unknown-linux-gnu ] && binary=$CARGO_TARGET_DIR/cross/async-patterns
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/async-patterns$exe"
    python3 packaging/npm/platform_package.py "$platform" "$version" "$exe" >"$dir/package.json"
    (cd "$dir" && npm pack -s --pack-destination "$out" >/dev/null)
  done
  cp -r packaging/npm/launcher "$work/npm-src/launcher"
  (cd "$work/npm-src/launcher" && npm pack -s --pack-destination "$out" >/dev/null)
  ls "$out"
  # The launcher's optional dependencies point at the registry; here they come from the
  # local tarballs, as a published release would deliver them.
  mkdir -p "$work/npx-home"
  (cd "$work/npx-home" && npm init -y -s >/dev/null \
    && npm install -s --no-audit --no-fund --omit=optional \
      "$out/async-patterns-mcp-$version.tgz" "$out/async-patterns-mcp-linux-x64-$version.tgz")
  (cd "$work/npx-home" && python3 "$root/packaging/roundtrip.py" npm/npx \
    -- npx --offline -y @async-patterns/mcp)
}

mcpb_bundle() {
  say "MCP Bundle: validate, pack, inspect, run from the unpacked bundle"
  local dir=$work/mcpb mcpb=$cache/npm/node_modules/.bin/mcpb
  mkdir -p "$dir/server/linux" "$dir/server/darwin" "$dir/server/win32"
  python3 packaging/mcpb/manifest.py packaging/mcpb/manifest.json "$version" \
    "$CARGO_TARGET_DIR/cross/async-patterns" >"$dir/manifest.json"
  cp "$CARGO_TARGET_DIR/cross/async-patterns" "$dir/server/linux/"
  # One macOS entry in a bundle: a universal binary for both architectures.
  cargo zigbuild -q --profile cross --target universal2-apple-darwin
  cp "$(bin_of universal2-apple-darwin "")" "$dir/server/darwin/async-patterns"
  file -b "$dir/server/darwin/async-patterns"
  cp "$(bin_of x86_64-pc-windows-gnu .exe)" "$dir/server/win32/"
  cp LICENSE "$dir/"
  "$mcpb" validate "$dir/manifest.json"
  "$mcpb" pack "$dir" "$work/async-patterns.mcpb" >/dev/null
  "$mcpb" info "$work/async-patterns.mcpb" | head -5
  python3 packaging/mcpb/check_bundle.py "$work/async-patterns.mcpb" "$work/unpacked"
  python3 packaging/roundtrip.py mcpb/linux -- "$work/unpacked/server/linux/async-patterns"
}

registry() {
  say "MCP Registry: server.json against the registry's schema"
  python3 packaging/registry/check.py packaging/registry/server.json \
    packaging/registry/server.schema.json "$version"
}

setup
wine_prefix
if [ $# -eq 0 ]; then
  set -- cross crate archives wheel npm_packages mcpb_bundle registry
fi
for step in "$@"; do
  "$step"
done
say "done"
