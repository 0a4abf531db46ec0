#!/usr/bin/env bash
# A long run of the fuzz properties (src/fuzz.rs and the `fuzz_*` tests beside each target:
# config parser, import resolvers, front-ends, markdown sanitiser, markdown wiki cleaner,
# citation checker, source views). `cargo test` runs 300 cases each; this runs CASES per seed
# for SEEDS seeds, in release mode, and prints what it ran.
#   scripts/fuzz.sh [CASES] [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
seeds=${2:-4}
for seed in $(seq 1 "$seeds"); do
  start=$(date +%s)
  REPOWIKI_FUZZ_CASES=$cases REPOWIKI_FUZZ_SEED=$seed \
    cargo test --release --quiet --lib fuzz_ -- --test-threads 2 2>&1 | grep -E "test result|panicked|FAILED" || true
  echo "seed $seed: $cases cases per target in $(( $(date +%s) - start ))s"
done
