#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 20) from the checked-in corpus, and
# prints the executions each managed. New inputs go to a scratch folder, so the checked-in
# corpus stays small; a crash leaves its input under fuzz/artifacts/<target>/ and fails.
#   bash fuzz/smoke.sh                  # the CI smoke run
#   FUZZ_SECONDS=3600 bash fuzz/smoke.sh envelope   # a long run of one target
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-20}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(envelope tool_args resource_uri skill_loader)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo +nightly fuzz build -O
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  if ! cargo +nightly fuzz run -O "$target" "$work/$target" "corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $target FAILED (input saved under fuzz/artifacts/$target/)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $target ok: $runs executions in ${seconds}s ($rate/s), no crash"
done
