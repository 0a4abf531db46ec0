#!/usr/bin/env python3
"""Generates a large git repository for benchmarks: a polyglot project (Rust, Python,
TypeScript) of FILES files in nested folders, with imports between neighbouring modules, and a
history of COMMITS commits (edits, new files, renames, now and then a merge), written with
`git fast-import` so that thousands of commits take seconds. Deterministic for a given seed.

    bench/gen_repo.py OUT [--files 4000] [--commits 3000] [--seed 1]
"""
import argparse
import os
import random
import subprocess
import zlib

LANGS = ["rs", "py", "ts"]


def module_text(rng, lang, path, files_in_dir, version):
    stem = os.path.splitext(os.path.basename(path))[0]
    others = [f for f in files_in_dir if f != path]
    imports = rng.sample(others, min(len(others), rng.randint(0, 3)))
    lines = []
    if lang == "rs":
        lines.append(f"//! Module {stem}: generated for benchmarks (v{version}).")
        for other in imports:
            o = os.path.splitext(os.path.basename(other))[0]
            lines.append(f"use super::{o}::item_{o};")
        for i in range(rng.randint(3, 9)):
            lines += [f"/// Does step {i} of {stem}.", f"pub fn {stem}_step_{i}(x: u64) -> u64 {{",
                      f"    x.wrapping_mul({i + 3}).wrapping_add({version})", "}", ""]
        lines += [f"/// The main item of {stem}.", f"pub struct Item{stem.title().replace('_', '')} {{ pub v: u64 }}",
                  f"pub fn item_{stem}() -> u64 {{ {version} }}"]
    elif lang == "py":
        lines.append(f'"""Module {stem}: generated for benchmarks (v{version})."""')
        for other in imports:
            o = os.path.splitext(os.path.basename(other))[0]
            lines.append(f"from .{o} import item_{o}")
        for i in range(rng.randint(3, 9)):
            lines += ["", "", f"def {stem}_step_{i}(x):", f'    """Does step {i} of {stem}."""', f"    return x * {i + 3} + {version}"]
        lines += ["", "", f"class Item{stem.title().replace('_', '')}:", f'    """The main item of {stem}."""', "", f"def item_{stem}():", f"    return {version}"]
    else:
        lines.append(f"/** Module {stem}: generated for benchmarks (v{version}). */")
        lines.append("")
        for other in imports:
            o = os.path.splitext(os.path.basename(other))[0]
            lines.append(f"import {{ item_{o} }} from './{o}';")
        for i in range(rng.randint(3, 9)):
            lines += [f"/** Does step {i} of {stem}. */", f"export function {stem}_step_{i}(x: number): number {{",
                      f"  return x * {i + 3} + {version};", "}", ""]
        lines += [f"/** The main item of {stem}. */", f"export class Item{stem.title().replace('_', '')} {{ v = 0; }}",
                  f"export function item_{stem}(): number {{ return {version}; }}"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=4000)
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    # A folder tree: components, each with packages of 10 to 60 files in one language.
    dirs = []
    total = 0
    c = 0
    while total < a.files:
        comp = f"components/comp{c:03d}"
        for p in range(rng.randint(1, 4)):
            n = rng.randint(10, 60)
            lang = rng.choice(LANGS)
            dirs.append((f"{comp}/pkg{p}", lang, n))
            total += n
        c += 1
    files = {}  # path -> (lang, dir)
    by_dir = {}
    for d, lang, n in dirs:
        names = [f"{d}/m{i:03d}.{lang}" for i in range(n)]
        if lang == "py":
            names.append(f"{d}/__init__.py")
        if lang == "rs":
            names.append(f"{d}/mod.rs")
        by_dir[d] = names
        for name in names:
            files[name] = (lang, d)
    version = {p: 0 for p in files}

    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE)
    w = fi.stdin.write
    t = 1_600_000_000
    authors = [f"Dev {i}" for i in range(25)]
    mark = 0

    def text_of(path):
        lang, d = files[path]
        if path.endswith("mod.rs"):
            mods = [os.path.splitext(os.path.basename(f))[0] for f in by_dir[d] if f.endswith(".rs") and not f.endswith("mod.rs")]
            return "//! Package.\n" + "".join(f"pub mod {m};\n" for m in mods)
        if path.endswith("__init__.py"):
            return '"""Package."""\n'
        return module_text(random.Random(zlib.crc32(f"{path}:{version[path]}".encode())), lang, path, by_dir[d], version[path])

    def commit(message, author, changes, parents=()):
        nonlocal mark, t
        mark += 1
        t += rng.randint(600, 20000)
        email = author.lower().replace(" ", ".") + "@example.com"
        data = message.encode()
        w(f"commit refs/heads/main\nmark :{mark}\nauthor {author} <{email}> {t} +0000\ncommitter {author} <{email}> {t} +0000\n".encode())
        w(f"data {len(data)}\n".encode() + data + b"\n")
        for i, p in enumerate(parents):
            w(f"{'from' if i == 0 else 'merge'} :{p}\n".encode())
        for op in changes:
            if op[0] == "M":
                body = op[2].encode()
                w(f"M 100644 inline {op[1]}\ndata {len(body)}\n".encode() + body + b"\n")
            elif op[0] == "D":
                w(f"D {op[1]}\n".encode())
            elif op[0] == "R":
                w(f'R {op[1]} {op[2]}\n'.encode())
        w(b"\n")
        return mark

    readme = "# Generated project\n\nA large generated repository for repowiki benchmarks.\n"
    first = commit("Initial import of the generated project", authors[0],
                   [("M", "README.md", readme)] + [("M", p, text_of(p)) for p in sorted(files)])
    head = first
    paths = sorted(files)
    for n in range(1, a.commits):
        author = rng.choice(authors)
        kind = rng.random()
        if kind < 0.03:
            # A renamed module: the history must follow it.
            old = rng.choice([p for p in paths if "/m" in p])
            lang, d = files.pop(old)
            new = old.replace("/m", "/r", 1)
            if new in files:
                files[old] = (lang, d)
                continue
            files[new] = (lang, d)
            version[new] = version.pop(old)
            by_dir[d] = [new if f == old else f for f in by_dir[d]]
            paths = sorted(files)
            head = commit(f"refactor: rename {os.path.basename(old)}", author, [("R", old, new)], [head])
        elif kind < 0.06:
            # A short side branch merged back.
            side_paths = rng.sample(paths, 2)
            for p in side_paths:
                version[p] += 1
            side = commit("Work on a side branch", author, [("M", p, text_of(p)) for p in side_paths], [head])
            main_p = rng.choice(paths)
            version[main_p] += 1
            main = commit("Meanwhile on main", author, [("M", main_p, text_of(main_p))], [head])
            head = commit("Merge branch 'side'", author, [("M", p, text_of(p)) for p in side_paths], [main, side])
        else:
            # Most commits edit a few files of one package, now and then of two.
            d = rng.choice(list(by_dir))
            touched = rng.sample(by_dir[d], min(len(by_dir[d]), rng.randint(1, 4)))
            if rng.random() < 0.2:
                d2 = rng.choice(list(by_dir))
                touched += rng.sample(by_dir[d2], 1)
            for p in touched:
                version[p] += 1
            verb = rng.choice(["feat", "fix", "refactor", "docs", "perf"])
            head = commit(f"{verb}: update {os.path.basename(d)} ({n})\n\nChanges {len(touched)} files.", author,
                          [("M", p, text_of(p)) for p in touched], [head])
    fi.stdin.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=a.out, check=True)
    print(f"{a.out}: {len(files)} files, {a.commits} commits")


if __name__ == "__main__":
    main()
