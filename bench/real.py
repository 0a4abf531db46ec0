#!/usr/bin/env python3
"""The benchmark on real repositories: repowiki against git itself, side by side, in one run.

For each repository given (any path to a git repository; it is cloned to a throwaway folder
first, never touched), it prints the medians of paired runs, git and repowiki taking turns in
every round so that the machine's noise falls on both:

  git log            `git log --numstat --format=%H` (git's own fastest full history with line
                     counts; merges not diffed) and `--diff-merges=first-parent` (merges diffed
                     against their first parent, as repowiki reads them)
  cold               a first build (empty cache, empty site), its stages, its peak memory; the
                     history stage and the whole build as ratios to `git log --numstat` of the
                     same round
  no-op              a rebuild with nothing new
  one-file, minute   a commit that edits one code file, dated a minute after HEAD
  one-file, month    the same, dated 31 days after HEAD (the first commit after a quiet month)

The one-file figures are shares of the cold build's median, with the pages each wrote. After
each one-file run the commit is taken back and the site rebuilt (unmeasured), so that every
round starts from the same place.

    bench/real.py REPO [REPO ...]          BENCH_ROUNDS=3 by default
    BENCH_BIN=/path/to/repowiki bench/real.py REPO   (another build of repowiki, for before/after)
    BENCH_FILE=path/in/repo bench/real.py REPO       (the file the one-file commits edit; by
                                                     default a code file from the middle of
                                                     the list)
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def timed(cmd, cwd=None, env=None):
    """Runs cmd; returns (seconds, peak MiB, stdout)."""
    start = time.monotonic()
    with tempfile.NamedTemporaryFile("r") as rss:
        proc = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name, *cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
        peak = int(rss.read().split()[-1]) / 1024
    return seconds, peak, proc.stdout


def git(clone, *args, env=None):
    return subprocess.run(
        ["git", "-C", clone, *args], check=True, stdout=subprocess.PIPE, env=env
    ).stdout.decode().strip()


def med(xs):
    return statistics.median(xs)


def main():
    repos = sys.argv[1:]
    if not repos:
        sys.exit(__doc__)
    binary = os.environ.get("BENCH_BIN")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=HERE, check=True)
        binary = os.path.join(HERE, "target/release/repowiki")
    work = tempfile.mkdtemp(prefix="repowiki-bench-")
    try:
        for repo in repos:
            bench(binary, repo, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"(medians of {ROUNDS} rounds; {os.cpu_count()} cores; bin {binary})")


def bench(binary, repo, work):
    name = os.path.basename(os.path.abspath(repo).rstrip("/"))
    clone = os.path.join(work, name)
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", repo, clone], check=True)
    files = git(clone, "ls-files", "*.rs", "*.py", "*.ts", "*.js").splitlines()
    files = [f for f in files if "test" not in f and not f.endswith(("/mod.rs", "__init__.py"))] or files
    # BENCH_FILE picks the file a one-file commit edits (a large file costs more to render).
    edited = os.environ.get("BENCH_FILE") or files[len(files) // 2]
    if edited not in git(clone, "ls-files").splitlines():
        sys.exit(f"BENCH_FILE={edited} is not a file of {repo}")
    cache, site = os.path.join(work, name + ".cache"), os.path.join(work, name + ".site")

    def build():
        cmd = [binary, "build", clone, "--quiet", "--json", "--out", site, "--cache-dir", cache]
        seconds, peak, out = timed(cmd)
        return seconds, peak, json.loads(out)

    trash = os.path.join(work, "trash")

    def cold():
        # The last build's cache and site are moved aside, not deleted: right after a large
        # delete, ext4 looks past the inodes just freed for every file it makes, which cost a
        # cold build of rust-analyzer up to 2 s in its render and write stages. (The trash goes
        # with the work folder at the end.)
        os.makedirs(trash, exist_ok=True)
        for folder in (cache, site):
            if os.path.exists(folder):
                os.rename(folder, os.path.join(trash, str(len(os.listdir(trash)))))
        return build()

    numstat, firstparent, colds, ratios_hist, ratios_cold = [], [], [], [], []
    for _ in range(ROUNDS):
        n = timed(["git", "-C", clone, "log", "--numstat", "--format=%H"])
        f = timed(["git", "-C", clone, "log", "--numstat", "--format=%H", "--diff-merges=first-parent"])
        c = cold()
        numstat.append(n)
        firstparent.append(f)
        colds.append(c)
        ratios_hist.append(c[2]["stages"]["history"] / n[0])
        ratios_cold.append(c[0] / n[0])
    noops = [build() for _ in range(ROUNDS)]

    head_time = int(git(clone, "log", "-1", "--format=%ct"))
    one = {"minute": [], "month": []}
    for r in range(ROUNDS):
        for variant, after in (("minute", 60), ("month", 31 * 86400)):
            comment = "#" if edited.endswith(".py") else "//"
            with open(os.path.join(clone, edited), "a") as f:
                f.write(f"\n{comment} edited by bench/real.py ({variant} {r})\n")
            date = f"{head_time + after} +0000"
            env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
            git(clone, "-c", "user.name=bench", "-c", "user.email=bench@example.com",
                "commit", "--quiet", "-am", f"bench: edit {edited}", env=env)
            one[variant].append(build())
            git(clone, "reset", "--quiet", "--hard", "HEAD~1")
            build()

    cold_s = med([c[0] for c in colds])
    commits = colds[0][2]["commits"]
    merges = int(git(clone, "rev-list", "--merges", "--count", "HEAD"))
    print(f"\n{name}: {commits} commits ({merges} merges), {colds[0][2]['files']} files")
    print(f"  git log --numstat                       {med([n[0] for n in numstat]):7.2f} s  {med([n[1] for n in numstat]):6.0f} MiB")
    print(f"  git log ... --diff-merges=first-parent  {med([f[0] for f in firstparent]):7.2f} s")
    print(f"  cold build                              {cold_s:7.2f} s  {med([c[1] for c in colds]):6.0f} MiB"
          f"   {med(ratios_cold):.2f}x git log (each round: {' '.join(f'{x:.2f}' for x in ratios_cold)})")
    stages = colds[0][2]["stages"]
    hist = med([c[2]["stages"]["history"] for c in colds])
    fp_ratio = med([c[2]["stages"]["history"] / f[0] for c, f in zip(colds, firstparent)])
    print(f"    history stage                         {hist:7.2f} s            {med(ratios_hist):.2f}x git log"
          f" (each round: {' '.join(f'{x:.2f}' for x in ratios_hist)}); {fp_ratio:.2f}x first-parent")
    for stage in sorted(stages, key=lambda s: -med([c[2]["stages"][s] for c in colds])):
        if stage != "history":
            print(f"    {stage:<37} {med([c[2]['stages'][stage] for c in colds]):7.2f} s")
    for label, runs in (("no-op", noops), ("one-file, minute after", one["minute"]),
                        ("one-file, month after", one["month"])):
        s = med([x[0] for x in runs])
        pages = med([x[2]["pages_written"] for x in runs])
        slowest = sorted(runs[0][2]["stages"].items(), key=lambda kv: -kv[1])[:3]
        print(f"  {label:<39} {s:7.2f} s  {med([x[1] for x in runs]):6.0f} MiB   {100 * s / cold_s:5.1f}% of cold,"
              f" {pages:.0f} pages written; slowest stages {', '.join(f'{k} {v:.2f}' for k, v in slowest)}")
    print(f"  (one-file edit: {edited})")


if __name__ == "__main__":
    main()
