#!/usr/bin/env bash
# The history stage against git itself, on a generated repository with tens of thousands of
# commits (or the repositories given): file-level change sets against
# `git log --name-status --no-renames --format=%H`, line counts against
# `git log --numstat --format=%H`, and repowiki's history stage cold (empty cache; it reads
# both, and detects renames) and after one new commit (it reads that commit only).
#
#   bench/history.sh [REPO ...]      BENCH_COMMITS=20000 BENCH_FILES=2000 BENCH_RUNS=3 by default
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build --release --locked --quiet
bin="$here/target/release/repowiki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  python3 bench/gen_repo.py "$work/generated" --files "${BENCH_FILES:-2000}" --commits "${BENCH_COMMITS:-20000}" >/dev/null
  repos=("$work/generated")
fi
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.2f}')"; }
field() { python3 -c 'import json,sys; r=json.load(sys.stdin); print(eval(sys.argv[1], {}, {"r": r}))' "$1"; }
runs="${BENCH_RUNS:-3}"
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }
printf '%-14s %8s %12s %10s %12s %7s %14s\n' repository commits name-status numstat repowiki ratio "one new commit"
for repo in "${repos[@]}"; do
  clone="$work/clone-$(basename "$repo")"
  git clone --quiet --no-hardlinks "$repo" "$clone"
  # The machine's noise is as large as the margins: each figure is the median of $runs runs,
  # git and repowiki taking turns; every repowiki run starts from an empty cache.
  ns=(); nm=(); ours=(); ratios=()
  for _ in $(seq "$runs"); do
    ns+=("$(secs git -C "$clone" log --name-status --no-renames --format=%H)")
    nm+=("$(secs git -C "$clone" log --numstat --format=%H)")
    rm -rf "$clone/.repowiki"
    json="$("$bin" build "$clone" --quiet --json)"
    ours+=("$(field 'round(r["stages"]["history"], 2)' <<<"$json")")
    ratios+=("$(python3 -c "print(f'{${ours[-1]}/max(${nm[-1]}, 0.01):.2f}')")")
  done
  commits="$(field 'r["commits"]' <<<"$json")"
  f="$(git -C "$clone" ls-files '*.rs' '*.py' '*.ts' | awk 'NR == 1')"
  echo "// one more" >>"$clone/$f"
  git -C "$clone" -c user.name=b -c user.email=b@x commit -qam "one more"
  again="$("$bin" build "$clone" --quiet --json)"
  one="$(field 'str(r["commits_read"]) + " read, " + format(r["stages"]["history"], ".2f") + "s"' <<<"$again")"
  printf '%-14s %8s %11ss %9ss %11ss %6sx %14s\n' "$(basename "$repo")" "$commits" "$(median "${ns[@]}")" \
    "$(median "${nm[@]}")" "$(median "${ours[@]}")" "$(median "${ratios[@]}")" "$one"
  echo "  each run's ratio: ${ratios[*]}"
done
echo "(ratio: repowiki's history stage / git log --numstat, median of $runs runs; $(nproc) cores)"
