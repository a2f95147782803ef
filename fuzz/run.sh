#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, default 30, one after another.
#   fuzz/run.sh [SECONDS] [TARGET…]
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo-fuzz asks for nightly Rust;
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept the sanitizer flags it passes.
# The committed seeds in fuzz/corpus/<target> are read, never written: what the fuzzer learns
# goes to fuzz/target/work/<target>, so later runs on this machine start from it. A crash
# stops the run with a non-zero exit; its input is saved under fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(clean intermediate payload)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: cargo-fuzz is not installed; run: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

export RUSTC_BOOTSTRAP=1
# Debug assertions (overflow checks included) stay on: an overflow is a bug worth finding.
build=(--release --debug-assertions)
cargo fuzz build "${build[@]}"
for t in "${targets[@]}"; do
  mkdir -p "target/work/$t"
  echo "== fuzz target $t for ${seconds}s"
  # -malloc_limit_mb: no single allocation may approach what an untrusted length could ask
  # for; the format's own limit is 16 times the payload (at least 1 MiB).
  cargo fuzz run "${build[@]}" "$t" "target/work/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -print_final_stats=1
done
