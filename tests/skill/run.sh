#!/usr/bin/env bash
# The skill checker: creates tests/skill/.venv (git-ignored) from requirements.txt when it
# is missing or the requirements changed, then runs pytest over tests/skill from the
# repository root on every core. Extra arguments go to pytest, e.g. -k gather.
# ASYNC_PATTERNS_PYTHONS=path1:path2 replaces interpreter discovery.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

# skills-ref needs Python >= 3.11 for the venv itself.
base=""
for candidate in "${SKILL_CHECK_PYTHON:-}" python3 python3.13 python3.12 python3.11; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    base="$candidate"
    break
  fi
done
if [ -z "$base" ]; then
  echo "tests/skill/run.sh: no Python >= 3.11 found for the checker's venv" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/.requirements"; then
  rm -rf "$venv"
  "$base" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/.requirements"
fi

# CPython 3.14 from Debian's unstable suite, unpacked into a cached private root
# (python314.sh); its directory goes first on PATH, where discovery finds python3.14.
# SKILL_SKIP_PY314=1 skips it (e.g. offline); CI does not set it.
expect="3.9,3.10,3.11,3.12,3.13"
if [ "${SKILL_SKIP_PY314:-}" != 1 ] && [ -z "${ASYNC_PATTERNS_PYTHONS:-}" ]; then
  py314="$(bash "$here/python314.sh")"
  export PATH="$(dirname "$py314"):$PATH"
  expect="$expect,3.14"
fi
# test_interpreters.py fails the run when one of these is not found.
export ASYNC_PATTERNS_EXPECT="${ASYNC_PATTERNS_EXPECT-$expect}"

cd "$repo"
exec "$venv/bin/python" -m pytest tests/skill -q -n auto -p no:cacheprovider -p no:asyncio "$@"
