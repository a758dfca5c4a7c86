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
recipe=1

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

# The interpreter, its standard library, and the shared libraries they link against that
# must come from the same suite as its libc (apt-cache depends python3.14 and the three
# libpython packages, minus data-only packages).
packages=(
  python3.14 python3.14-minimal libpython3.14-minimal libpython3.14-stdlib
  libc6 libgcc-s1 libbz2-1.0 libdb5.3t64 libexpat1 libffi8 liblzma5 libncursesw6
  libreadline8t64 libsqlite3-0 libssl3t64 libtinfo6 libuuid1 libzstd1 zlib1g
)
say "downloading ${#packages[@]} packages"
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
