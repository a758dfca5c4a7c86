#!/usr/bin/env bash
# Installs CPython 3.14 into a private root, cached between runs, and prints the path of
# its interpreter on stdout (everything else goes to stderr).
#
# Why this way: 3.14 is in neither pyenv's installs here nor Debian 12, but Debian's
# unstable suite ships it. Its packages need a newer libc than the system's, so they are
# unpacked (never installed) into a root of their own, and the interpreter and its
# extension modules are pointed at that root's loader and libraries with patchelf. The
# interpreter finds its standard library from its own location, so it runs under `-I`
# like any other CPython, and nothing on the system changes.
#
# Cache: $ASYNC_PATTERNS_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/async-patterns)/python3.14.
# A second run only checks the interpreter starts (well under a second).
set -euo pipefail

cache="${ASYNC_PATTERNS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/async-patterns}"
root="$cache/python3.14"
python="$root/usr/bin/python3.14"
stamp="$root/.installed"
# Bump when the package list or the patching changes, so caches are rebuilt.
recipe=2

say() { echo "python314.sh: $*" >&2; }

works() {
  [ -x "$python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$recipe" ] &&
    "$python" -I -c 'import sys, asyncio, ssl, sqlite3, ctypes, decimal; sys.exit(sys.version_info[:2] != (3, 14))' \
      >/dev/null 2>&1
}

if works; then
  echo "$python"
  exit 0
fi

if ! command -v patchelf >/dev/null; then
  say "installing patchelf (Debian package)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq patchelf >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/parts" "$work/cache/archives/partial" "$work/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
  >"$work/sid.list"
# A private apt state: the system's sources, lists and caches stay as they are.
apt_opts=(
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Etc::SourceList=$work/sid.list"
  -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=root"
)
say "reading the package lists of Debian unstable"
apt-get "${apt_opts[@]}" update -qq >&2

# The interpreter, its standard library, and every shared library they need from the same
# suite as its libc: the Depends/Pre-Depends closure of the four python packages, followed
# through library packages only (lib*, zlib1g). Data-only dependencies (tzdata, netbase,
# media-types, gcc-*-base, readline-common) are not needed to run the interpreter here.
wanted() { [[ "$1" == lib* || "$1" == zlib1g || "$1" == python3.14* ]]; }
packages=()
queue=(python3.14 python3.14-minimal libpython3.14-minimal libpython3.14-stdlib)
declare -A seen=()
while [ ${#queue[@]} -gt 0 ]; do
  pkg="${queue[0]}"
  queue=("${queue[@]:1}")
  [ -z "${seen[$pkg]:-}" ] || continue
  seen[$pkg]=1
  packages+=("$pkg")
  while read -r dep; do
    if wanted "$dep" && [ -z "${seen[$dep]:-}" ]; then queue+=("$dep"); fi
  done < <(apt-cache "${apt_opts[@]}" depends --no-recommends --no-suggests --no-conflicts \
             --no-breaks --no-replaces --no-enhances "$pkg" 2>/dev/null |
           sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([^ <>]*\).*/\2/p' | sort -u)
done
say "downloading ${#packages[@]} packages: ${packages[*]}"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)

rm -rf "$root"
mkdir -p "$root"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$root"
done

libs="$root/usr/lib/x86_64-linux-gnu"
# DT_RPATH (not RUNPATH) so the libraries' own dependencies resolve in the root as well.
patchelf --set-interpreter "$libs/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$libs" "$python"
for module in "$root"/usr/lib/python3.14/lib-dynload/*.so; do
  patchelf --force-rpath --set-rpath "$libs" "$module"
done

echo "$recipe" >"$stamp"
if ! works; then
  say "the unpacked interpreter does not start:"
  "$python" -I -c 'import asyncio, ssl, sqlite3, ctypes, decimal' >&2 || true
  exit 1
fi
say "installed $("$python" -I -c 'import sys; print(sys.version.split()[0])') at $python"
echo "$python"
