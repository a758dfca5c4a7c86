#!/usr/bin/env bash
# The checker against ruff's ASYNC rules on real projects (docs/check-vs-ruff.md).
# Downloads the pinned sdists of projects.txt into bench/check/.corpus (git-ignored,
# kept between runs), builds the release binary, installs the pinned ruff into a venv,
# then runs compare.py: findings per rule for both, a sample for hand-judging, and the
# run time of both over the same files, interleaved.
#   bash bench/check/run.sh            # everything
#   ROUNDS=3 bash bench/check/run.sh   # fewer timing rounds
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="$here/.corpus"
mkdir -p "$corpus/sdists" "$corpus/src"
ruff_version=0.17.6

if [ ! -x "$corpus/venv/bin/ruff" ] || ! "$corpus/venv/bin/ruff" --version | grep -q "$ruff_version"; then
  python3 -m venv "$corpus/venv"
  "$corpus/venv/bin/pip" install -q "ruff==$ruff_version"
fi
while read -r spec; do
  case "$spec" in ''|'#'*) continue ;; esac
  name="${spec%%==*}"; version="${spec##*==}"
  dest="$corpus/src/$name-$version"
  [ -d "$dest" ] && continue
  # pip download of an sdist prepares its metadata, which builds in an isolated env:
  # slow, but it is the registry's ordinary client.
  if ! ls "$corpus/sdists/" | grep -qi "^${name//-/[-_]}-$version.tar.gz$"; then
    pip download -q --no-deps --no-binary :all: -d "$corpus/sdists" "$spec"
  fi
  archive="$(ls "$corpus"/sdists/* | grep -i "/${name//-/[-_]}-$version.tar.gz$" | head -1)"
  mkdir -p "$dest"
  tar -xzf "$archive" -C "$dest" --strip-components=1
done < "$here/projects.txt"

(cd "$repo" && cargo build --release --quiet --bin async-patterns)
"$corpus/venv/bin/python" "$here/compare.py" \
  --binary "$repo/target/release/async-patterns" \
  --ruff "$corpus/venv/bin/ruff" \
  --corpus "$corpus/src" \
  --out "$here/results" \
  --rounds "${ROUNDS:-5}"
