#!/usr/bin/env bash
# The scale cases of the hostile-input report: a 50 MB file, a 10,000-line generated file and
# a 10,000-line module, 100,000 tiny files with a commit touching 50,000 of them. Builds each
# with the release binary, cold, then once more (a no-op), and prints seconds, peak memory
# and what was skipped.
#   bench/scale.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/repowiki-scale}
cargo build --release --quiet
bin=$PWD/target/release/repowiki
rm -rf "$work"
python3 bench/scale.py "$work"
printf '%-11s %-6s %8s %8s %9s %9s  %s\n' case build files pages seconds peak-MiB skipped
for case in big-file generated many-files; do
  for run in cold no-op; do
    "$bin" build "$work/$case" --json --quiet > "$work/$case.$run.json"
    python3 - "$work/$case.$run.json" "$case" "$run" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%-11s %-6s %8d %8d %9.2f %9.0f  %s" % (sys.argv[2], sys.argv[3], r["files"],
      r["pages_written"] + r["pages_unchanged"], r["seconds"], r["peak_memory_mib"],
      ", ".join("%s %d" % kv for kv in r["files_skipped"].items()) or "-"))
PY
  done
done
echo "(bench/scale.sh on $(nproc) cores)"
