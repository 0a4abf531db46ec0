#!/usr/bin/env python3
"""Retrieval quality and speed of `repowiki ask` / `repowiki mcp` on real repositories.

    python3 bench/ask.py [--bin BIN] [--rounds N] [--fixtures] REPO...

Each REPO is a path to a clone, named `owner+name` (or given as `owner/name=PATH`); the
questions for it come from bench/ask-eval.json. For each repository it prints:
- the index build (no index yet) and its size, and the server's start with the index built;
- recall@5: the share of questions with one of their files among the first 5 results' files
  (a commit counts for the files it changed), with the questions missed;
- latency of the MCP `search` and `ask_question` calls (p50, p95, over every question and
  round), and of `why`, `risk` and `read_source`, measured from the request written to the
  answer read on the server's stdio;
- latency of the command line's `repowiki ask Q PATH` (the whole process, p50 and p95), once
  the index is up to date: it then answers from the index alone.
With --fixtures, the fixtures' questions are asked too (by `cargo test --release --test
ask_eval`, which builds them) and the total over every question is printed.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    """`repowiki mcp PATH` on stdio, spoken to in raw JSON-RPC lines."""

    def __init__(self, binary, path):
        t = time.perf_counter()
        self.p = subprocess.Popen([binary, "mcp", path], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.id = 0
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        self.started = time.perf_counter() - t
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        self.p.stdin.flush()

    def request(self, method, params):
        self.id += 1
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params}) + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            msg = json.loads(line)
            if msg.get("id") == self.id:
                return msg

    def call(self, tool, args):
        t = time.perf_counter()
        msg = self.request("tools/call", {"name": tool, "arguments": args})
        took = time.perf_counter() - t
        if "error" in msg:
            return took, "ERROR " + msg["error"]["message"]
        return took, "\n".join(c.get("text", "") for c in msg["result"]["content"])

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


HEADLINE = re.compile(r"^(?:## )?(\d+)\. \[(\w+)\] (\S+)(?: \(changed ([^)]*)\))?")


def files_in(text):
    """The files of each ranked result in an answer's text."""
    files = []
    for line in text.splitlines():
        m = HEADLINE.match(line)
        if not m:
            continue
        kind, where, changed = m.group(2), m.group(3), m.group(4)
        if kind == "commit":
            files += [f.strip() for f in (changed or "").split(",") if f.strip()]
        elif kind != "page":
            files.append(where.split(":")[0])
    return files


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    args = sys.argv[1:]
    binary = os.path.join(HERE, "..", "target", "release", "repowiki")
    rounds = 3
    fixtures = False
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--bin":
            binary = args.pop(0)
        elif flag == "--rounds":
            rounds = int(args.pop(0))
        elif flag == "--fixtures":
            fixtures = True
    if not args:
        sys.exit(__doc__)
    binary = os.path.abspath(binary)
    questions = json.load(open(os.path.join(HERE, "ask-eval.json")))["questions"]
    print(f"$ python3 bench/ask.py --rounds {rounds}{' --fixtures' if fixtures else ''} {' '.join(args)}")
    total_asked = total_found = 0
    fixture_asked = fixture_found = 0
    if fixtures:
        test = subprocess.run(["cargo", "test", "--release", "--quiet", "--test", "ask_eval", "--",
                               "--nocapture"], cwd=os.path.join(HERE, ".."), capture_output=True,
                              text=True)
        m = re.search(r"recall@5 on the fixtures: (\d+)/(\d+)", test.stdout)
        if not m:
            sys.exit("the fixtures' evaluation printed no recall:\n" + test.stdout + test.stderr)
        fixture_found, fixture_asked = int(m.group(1)), int(m.group(2))
        print(f"\nfixtures: recall@5 {fixture_found}/{fixture_asked} = {fixture_found / fixture_asked:.2f}")
        for line in test.stdout.splitlines():
            if line.startswith("missed:"):
                print("    " + line)
    for arg in args:
        name, path = (arg.split("=", 1) if "=" in arg else
                      (os.path.basename(os.path.abspath(arg)).replace("+", "/", 1), arg))
        path = os.path.abspath(path)
        mine = [q for q in questions if q["repo"] == name]
        if not mine:
            print(f"\n{name}: no questions in bench/ask-eval.json")
            continue
        if not os.path.exists(os.path.join(path, ".repowiki", "cache")):
            t = time.perf_counter()
            subprocess.run([binary, "build", path, "--quiet"], check=True, stdout=subprocess.DEVNULL)
            print(f"\n{name}: built the wiki first ({time.perf_counter() - t:.1f} s)")
        index = os.path.join(path, ".repowiki", "cache", "index")
        shutil.rmtree(index, ignore_errors=True)
        cold = Server(binary, path)
        cold.close()
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(index) for f in fs)
        server = Server(binary, path)
        found, misses = 0, []
        search_t, ask_t = [], []
        for r in range(rounds):
            for q in mine:
                took, text = server.call("search", {"query": q["q"], "limit": 5})
                search_t.append(took)
                # The clone's folder is its name here (its remote is a local mirror).
                took_ask, answer = server.call("ask_question", {"repoName": os.path.basename(path), "question": q["q"]})
                if answer.startswith("ERROR"):
                    sys.exit(f"ask_question failed: {answer}")
                ask_t.append(took_ask)
                if r == 0:
                    got = files_in(text)
                    if any(f in got for f in q["files"]):
                        found += 1
                    else:
                        misses.append((q["q"], q["files"], got))
        other = {}
        for tool, a in [("why", {"path": mine[0]["files"][0]}), ("risk", {}),
                        ("read_source", {"path": mine[0]["files"][0], "startLine": 1, "endLine": 200})]:
            other[tool] = statistics.median(server.call(tool, a)[0] for _ in range(5))
        server.close()
        # The command line, once the index is up to date (the server brought it up to date).
        cli_t = []
        for q in mine:
            t = time.perf_counter()
            subprocess.run([binary, "ask", q["q"], path], check=True, stdout=subprocess.DEVNULL)
            cli_t.append(time.perf_counter() - t)
        total_asked += len(mine)
        total_found += found
        print(f"\n{name} ({path})")
        print(f"  index: built in {cold.started:.2f} s with the server's start (wiki read from the cache + index), {size / 1e6:.1f} MB; start with the index built: {server.started:.2f} s")
        print(f"  recall@5: {found}/{len(mine)} = {found / len(mine):.2f}")
        for q, want, got in misses:
            print(f"    missed: {q!r}: want {want}, got {got}")
        ms = lambda v: f"{v * 1000:.1f} ms"
        print(f"  search: p50 {ms(pct(search_t, .5))}, p95 {ms(pct(search_t, .95))}; ask_question: p50 {ms(pct(ask_t, .5))}, p95 {ms(pct(ask_t, .95))} ({len(search_t)} calls each)")
        print("  " + ", ".join(f"{t} {ms(v)}" for t, v in other.items()) + " (medians of 5)")
        print(f"  command line `repowiki ask Q PATH`, whole process: p50 {ms(pct(cli_t, .5))}, p95 {ms(pct(cli_t, .95))} ({len(cli_t)} questions)")
    if total_asked:
        print(f"\nall real repositories: recall@5 {total_found}/{total_asked} = {total_found / total_asked:.2f}")
    if total_asked and fixture_asked:
        found, asked = total_found + fixture_found, total_asked + fixture_asked
        print(f"every question (fixtures and real repositories): recall@5 {found}/{asked} = {found / asked:.2f}")


main()
