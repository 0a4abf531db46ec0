#!/usr/bin/env bash
# Builds the wiki of the repository this is run in, and prints where to open it.
set -euo pipefail
report=$(repowiki build --json --quiet)
out=$(printf '%s' "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["out"])')
echo "wiki: file://$out/index.html"
