#!/usr/bin/env bash
# The incremental benchmark: on each repository (default: this one, and a generated one with
# thousands of files and commits), in a throwaway clone, it measures
#   cold      a first build (empty cache, empty site)
#   no-op     a rebuild with nothing new
#   one-file  a rebuild after a commit that edits one function in one file
# and prints seconds, narrator calls, pages written and peak memory for each (the median of
# three runs), with the no-op and one-file times as a share of the cold build.
#
#   bench/run.sh [REPO ...]        e.g. bench/run.sh . /path/to/big/repo
#   BENCH_FILES=4000 BENCH_COMMITS=3000 bench/run.sh   (size of the generated repository)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build --release --locked --quiet
bin="$here/target/release/repowiki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  python3 bench/gen_repo.py "$work/generated" --files "${BENCH_FILES:-4000}" --commits "${BENCH_COMMITS:-3000}" >/dev/null
  repos=("$here" "$work/generated")
fi

field() { python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[sys.argv[1]])' "$1"; }

printf '%-22s %-9s %8s %7s %7s %8s %8s %8s\n' repository build seconds share calls written commits MiB
for repo in "${repos[@]}"; do
  name="$(basename "$(cd "$repo" && pwd)")"
  clone="$work/clone-$name"
  git clone --quiet --no-hardlinks "$repo" "$clone"
  run() { "$bin" build "$clone" --quiet --json; }
  # Each figure is the median of three runs: this machine is shared and disks vary.
  median() { python3 -c 'import json,sys; rs=[json.loads(x) for x in sys.stdin.read().split("\x1e") if x.strip()]; rs.sort(key=lambda r: r["seconds"]); print(json.dumps(rs[len(rs)//2]))'; }
  cold_runs=""; noop_runs=""; one_runs=""
  for i in 1 2 3; do
    rm -rf "$clone/.repowiki"
    cold_runs+="$(run)"$'\x1e'
  done
  for i in 1 2 3; do noop_runs+="$(run)"$'\x1e'; done
  # One function in one code file: the first Rust, Python or TypeScript file of the tree.
  file="$(cd "$clone" && git ls-files '*.rs' '*.py' '*.ts' | grep -v -e '^tests/' -e '/mod.rs$' -e '__init__' | awk 'NR == 1')"
  for i in 1 2 3; do
    case "$file" in *.py) printf '\n# edited by bench/run.sh (%s)\n' "$i" >>"$clone/$file" ;;
                    *) printf '\n// edited by bench/run.sh (%s)\n' "$i" >>"$clone/$file" ;; esac
    git -C "$clone" -c user.name=bench -c user.email=bench@example.com commit --quiet -am "bench: edit $file ($i)"
    one_runs+="$(run)"$'\x1e'
  done
  cold_json="$(median <<<"$cold_runs")"; noop_json="$(median <<<"$noop_runs")"; one_json="$(median <<<"$one_runs")"
  cold="$(field seconds <<<"$cold_json")"
  for kind in cold no-op one-file; do
    case $kind in cold) j="$cold_json" ;; no-op) j="$noop_json" ;; one-file) j="$one_json" ;; esac
    s="$(field seconds <<<"$j")"
    share="$(python3 -c "print(f'{100*$s/$cold:.1f}%')")"
    printf '%-22s %-9s %8.2f %7s %7s %8s %8s %8.0f\n' "$name" "$kind" "$s" "$share" \
      "$(field narrator_calls <<<"$j")" "$(field pages_written <<<"$j")" "$(field commits <<<"$j")" "$(field peak_memory_mib <<<"$j")"
  done
  echo "  ($(field files <<<"$cold_json") files, $(field clusters <<<"$cold_json") parts; one-file edit: $file)"
done
