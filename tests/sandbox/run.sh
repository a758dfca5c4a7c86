#!/usr/bin/env bash
# The sandbox's hostile tests (tests/sandbox_hostile.rs, tests/sandbox_attacks.rs) as an
# unprivileged user. `cargo test` already runs them as whoever runs CI (root there); this
# runs the same test binaries again as `nobody`, where the sandbox must hold without any
# privilege (user namespace made unprivileged, no cgroup, the interpreter on /usr).
# About 20 s once the test binaries are built (they come from cargo's cache).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
mapfile -t bins < <(cargo test --no-run --test sandbox_hostile --test sandbox_attacks \
    --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*/deps/[^"]*"' | cut -d'"' -f4)
[ "${#bins[@]}" = 2 ] || { echo "expected two test binaries, got: ${bins[*]:-none}"; exit 1; }
env_=(env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8)
if [ "$(id -u)" != 0 ]; then
  echo "already unprivileged (uid $(id -u)): running the sandbox tests as this user"
  as=()
else
  command -v setpriv >/dev/null || { echo "skipped: no setpriv (util-linux) to drop to nobody"; exit 0; }
  as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  # The test binaries name the repository by its absolute path. When nobody may not
  # walk that path (a clone under /root), nobody gets the one right to look up paths
  # and read files, and nothing else: no right the sandbox layers depend on.
  if ! "${as[@]}" test -x "${bins[0]}" 2>/dev/null || ! "${as[@]}" test -r tests/fixtures/hostile-skill/SKILL.md.fixture 2>/dev/null; then
    echo "note: nobody cannot reach $(pwd); running with CAP_DAC_READ_SEARCH only"
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+dac_read_search --ambient-caps=+dac_read_search)
  fi
fi
status=0
for bin in "${bins[@]}"; do
  echo "== $(basename "$bin") as uid 65534"
  # --nocapture: a test that skips a check here says so and why.
  "${as[@]}" "${env_[@]}" "$bin" --test-threads=2 --nocapture || status=1
done
exit "$status"
