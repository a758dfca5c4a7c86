#!/usr/bin/env bash
# Checks the skill's content: creates tests/skill/.venv (git-ignored) from
# requirements.txt, then runs every snippet and demo on every installed CPython >= 3.9.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s "$here/requirements.txt" "$venv/.requirements"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/.requirements"
fi
export PATH="$venv/bin:$PATH"
cd "$here"
exec "$venv/bin/pytest" -q -n 2 -p no:cacheprovider "$@"
