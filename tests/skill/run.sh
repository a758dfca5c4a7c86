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

cd "$repo"
exec "$venv/bin/python" -m pytest tests/skill -q -n auto -p no:cacheprovider "$@"
