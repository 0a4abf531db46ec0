#!/usr/bin/env python3
"""Symbol recall against Universal Ctags: the share of the definitions ctags finds that the
built site shows in a file page's symbol list (never counting a name that only appears in the
highlighted source).

    bench/recall.py REPO [REPO...]        (each a git clone; the site is built into a temp dir)

Environment: BENCH_BIN (default target/release/repowiki), RECALL_SHOW (misses printed per
language, default 8). Needs `ctags` (Debian: universal-ctags).

Counted: functions, methods, classes/structs/interfaces/enums/traits/modules, type aliases
and constants, in ctags' kinds mapped below. Left out: definitions in test files and test
folders, and in Rust `mod tests`. A definition is found when the page of its file lists a
symbol of the same name whose lines hold the definition's line.
"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, "target/release/repowiki"))
SHOW = int(os.environ.get("RECALL_SHOW", "8"))

# ctags language -> kinds counted (ctags' kind names).
KINDS = {
    "Go": {"func", "const", "struct", "interface", "type", "talias", "methodSpec"},
    "Rust": {"function", "method", "struct", "enum", "interface", "module", "typedef"},
    "Python": {"class", "function", "member"},
    "TypeScript": {"class", "function", "method", "interface", "enum", "alias", "namespace"},
    "JavaScript": {"class", "function", "method"},
    "Java": {"class", "interface", "enum", "method", "enumConstant", "annotation"},
    # C: ctags' `macro` holds include guards too (`#define FOO_H`), which define nothing a
    # reader needs; they are left out below, as the site leaves them out.
    "C": {"function", "struct", "union", "enum", "enumerator", "typedef", "macro"},
    # C++: namespaces are left out, as the site leaves them out: every file reopens its
    # namespace, which is the part's name, not something the file defines. Prototypes and
    # members are left out as for C.
    "C++": {"class", "struct", "union", "enum", "enumerator", "function", "typedef", "macro"},
    "C#": {"class", "interface", "struct", "enum", "enumerator", "method"},
    "Ruby": {"class", "module", "method", "singletonMethod", "constant"},
    "PHP": {"class", "interface", "trait", "enum", "function", "define"},
}

# Build output committed beside the sources (`dist/axios.js` bundles `lib/`): copies, left out
# as tests are.
BUILD_DIRS = {"dist"}

TEST_DIRS = {"test", "tests", "testdata", "test_data", "__tests__", "testing", "fixtures",
             "spec"}


def is_test_file(path):
    parts = path.split("/")
    name = parts[-1]
    if any(p in TEST_DIRS for p in parts[:-1]):
        return True
    return bool(
        name.endswith("_test.go")
        or re.match(r"test_.*\.py$", name)
        or name.endswith("_test.py")
        or name.endswith("_spec.rb")
        or name.endswith("_test.rb")
        or name == "conftest.py"
        or re.search(r"\.(test|spec)\.[jt]sx?$", name)
        or re.search(r"(_test|_unittest|_tests|_bench|_benchmark)\.(c|cc|cpp|cxx)$", name)
    )


_LINES = {}


def rust_test_item(repo, path, line):
    """Whether the attributes right above a Rust item make it a test (`#[test]`,
    `#[cfg(test)]`): a test function outside a test module is left out as one inside is."""
    if (repo, path) not in _LINES:
        with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as f:
            _LINES[(repo, path)] = f.read().splitlines()
    lines = _LINES[(repo, path)]
    i = line - 2
    while i >= 0:
        above = lines[i].strip()
        if not (above.startswith("#[") or above.startswith("//") or above.endswith(")]")):
            break
        compact = above.replace(" ", "")
        if compact.startswith("#[test]") or compact.startswith("#[cfg(test)"):
            return True
        i -= 1
    return False


def source_line(repo, path, line):
    if (repo, path) not in _LINES:
        with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as f:
            _LINES[(repo, path)] = f.read().splitlines()
    lines = _LINES[(repo, path)]
    return lines[line - 1] if 0 < line <= len(lines) else ""


def ts_alias(repo, path, line, name):
    text = source_line(repo, path, line)
    return re.search(r"\btype\s+" + re.escape(name) + r"\b\s*(<|=|$)", text) is not None


def ctags_defs(repo):
    langs = ",".join(KINDS)
    out = subprocess.run(
        ["ctags", "-R", "--output-format=json", "--fields=+nKZel", f"--languages={langs}",
         "-f", "-", "."],
        cwd=repo, capture_output=True, text=True, check=True).stdout
    tracked = set(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True,
                                 text=True, check=True).stdout.splitlines())
    defs = []
    for line in out.splitlines():
        try:
            t = json.loads(line)
        except json.JSONDecodeError:
            continue
        if t.get("_type") != "tag":
            continue
        lang, kind, path = t.get("language"), t.get("kind"), t["path"].removeprefix("./")
        # ctags reads every `.h` as C++; repowiki reads a header as C++ only when its code
        # shows C++, so a `.h` counts under the language its page names.
        if lang == "C++" and path.endswith(".h"):
            lang = "H"
        if lang not in KINDS and lang != "H" or kind not in KINDS.get(lang, KINDS["C++"]) \
                or path not in tracked:
            continue
        if is_test_file(path) or any(p in BUILD_DIRS for p in path.split("/")[:-1]):
            continue
        scope = t.get("scope", "")
        if lang == "Rust" and re.search(r"(^|::|\.)tests?($|::|\.)", scope):
            continue
        if lang == "Rust" and kind == "module" and t["name"] in ("tests", "test"):
            continue
        if lang == "Rust" and rust_test_item(repo, path, t["line"]):
            continue
        # ctags 5.9 calls an object literal a class (`var users = { tj: {…} }`); a class is
        # `class X` or a constructor `function X`.
        if lang == "JavaScript" and kind == "class" and re.search(
                r"\b" + re.escape(t["name"]) + r"\s*[:=]\s*\{", source_line(repo, path, t["line"])):
            continue
        # ctags 5.9 reads `import {type X}` as the definition of an alias `X`; only a line that
        # says `type X =` (or `type X<…> =`) defines one.
        if lang == "TypeScript" and kind == "alias" and not ts_alias(repo, path, t["line"],
                                                                       t["name"]):
            continue
        if lang in ("C", "C++", "H") and kind == "macro" and re.search(
                r"_(H|HPP|HH|HXX|INCLUDED|H_INCLUDED)_*$", t["name"].strip("_").upper()) \
                and t.get("pattern", "").rstrip("$/").strip().count(" ") <= 1:
            continue
        # An anonymous struct, union, enum, class or function has no name to show (ctags
        # makes one up); the typedef or variable that names it is counted, and so are the
        # methods of an anonymous class.
        if t["name"].startswith(("__anon", "AnonymousClass", "AnonymousFunction")):
            continue
        defs.append((lang, kind, path, t["name"], t["line"]))
    return defs


LANGUAGE = re.compile(r'<p class="meta">([^<·]+?) ·')

SECTION = re.compile(
    r'<section class="symbol[^"]*" id="[^"]*">\s*<h3><span class="kind">([^<]*)</span> '
    r'<code>([^<]*)</code>.*?<p class="meta">(?:<a [^>]*>)?Lines? (\d+)(?:–(\d+))?', re.S)


def site_symbols(site, path):
    page = os.path.join(site, "files", path + ".html")
    try:
        text = open(page, encoding="utf-8").read()
    except OSError:
        return None
    found = []
    label = LANGUAGE.search(text)
    found_lang = label.group(1).strip() if label else None
    for kind, name, start, end in SECTION.findall(text):
        name = html.unescape(name)
        if "operator" in name:
            # `Outer::operator const std::locale&`: the operator is the name.
            short = name[name.index("operator"):].replace(" ", "")
        else:
            short = re.split(r"::|\.", name)[-1]
        found.append((short, int(start), int(end or start)))
    return found_lang, found


def recall(repo):
    site = tempfile.mkdtemp(prefix="recall-site-")
    cache = tempfile.mkdtemp(prefix="recall-cache-")
    built = subprocess.run([BIN, "build", repo, "--out", site, "--cache-dir", cache, "--force",
                            "--quiet", "--json"], check=True, capture_output=True, text=True)
    report = json.loads(built.stdout)
    defs = ctags_defs(repo)
    # ctags gives one JavaScript definition several tags on its line: a constructor function
    # is a `class` and a `function`, `req.onabort = function handleAbort()` is `onabort` and
    # `handleAbort`. Such a line is one definition, found when any of its names is shown.
    js_lines = defaultdict(list)
    for d in defs:
        if d[0] == "JavaScript":
            js_lines[(d[2], d[4])].append(d[3])
    defs = [d for d in defs if d[0] != "JavaScript"] + [
        ("JavaScript", "definition", path, names, line)
        for (path, line), names in sorted(js_lines.items())]
    pages = {}
    per_lang = defaultdict(lambda: [0, 0])
    misses = defaultdict(list)
    reasons = defaultdict(Counter)
    for lang, kind, path, name, line in defs:
        # ctags names a C# explicit interface implementation `IEnumerable.GetEnumerator`.
        if lang == "C#" and "." in name and not name.startswith("operator"):
            name = name.rsplit(".", 1)[1]
        if path not in pages:
            pages[path] = site_symbols(site, path)
        page_lang, listed = pages[path] or (None, None)
        if lang == "H":
            lang = "C" if page_lang == "C" else "C++"
        # ctags writes `operator ==`; the site `operator==`.
        if isinstance(name, str) and name.startswith("operator"):
            name = name.replace(" ", "")
        per_lang[lang][0] += 1
        names = name if isinstance(name, list) else [name]
        ok = listed is not None and any(
            n in names and s <= line <= e for n, s, e in listed)
        if ok:
            per_lang[lang][1] += 1
        else:
            why = "no page" if listed is None else kind
            reasons[lang][why] += 1
            misses[lang].append(f"{path}:{line} {kind} {'/'.join(names)}")
    name = os.path.basename(os.path.abspath(repo))
    # Parse throughput: the code files the build parsed, their bytes, the parse stage's time
    # (cold, beside the history crawl, which shares the cores).
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True,
                             check=True).stdout.decode("utf-8", "replace").split("\0")
    code_exts = (".rs", ".py", ".pyi", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".go",
                 ".java", ".c", ".h", ".cs", ".rb", ".php", ".cc", ".cpp", ".cxx", ".hpp", ".hh",
                 ".hxx")
    size = sum(os.path.getsize(os.path.join(repo, p)) for p in tracked
               if p.endswith(code_exts) and os.path.isfile(os.path.join(repo, p)))
    parse_s = report["stages"].get("parse", 0.0) or 1e-9
    print(f"{name:28} cold build {report['seconds']:.2f} s, {report['commits']} commits; parse "
          f"{report['files_parsed']} code files ({size / 1e6:.1f} MB) in {parse_s:.2f} s: "
          f"{report['files_parsed'] / parse_s:.0f} files/s, {size / 1e6 / parse_s:.1f} MB/s")
    for lang, (total, found) in sorted(per_lang.items()):
        share = found / total if total else 1.0
        print(f"{name:28} {lang:11} {found:6} of {total:6} ctags definitions shown: "
              f"recall {share:.3f}")
        if total - found:
            print(f"{'':28} missed by kind: {dict(reasons[lang].most_common())}")
            for m in misses[lang][:SHOW]:
                print(f"{'':28}   {m}")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for repo in sys.argv[1:]:
        recall(repo)
    print(f"(bench/recall.py; bin {BIN}; {subprocess.run(['ctags', '--version'], capture_output=True, text=True).stdout.splitlines()[0]})")


if __name__ == "__main__":
    main()
