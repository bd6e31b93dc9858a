#!/usr/bin/env python3
"""Instruction counts per operation, before and after: builds the loops of
scripts/instructions/ against a base commit and against the working tree, runs each
under `valgrind --tool=callgrind` with two iteration counts, and reports the
difference per iteration (process start and setup cancel out), with the std or
weak-table way alongside. Counts are repeatable, unlike timings on a shared machine.

Usage (from the repository root):
    python3 scripts/instructions.py [--base COMMIT] [--json PATH]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "instructions")

# (operation, small N, large N): the large run does (large - small) more iterations.
OPS = [
    ("rc: downgrade + Weak drop", 1000, 101000),
    ("rc: Weak clone + drop", 1000, 101000),
    ("rc: new + drop", 1000, 21000),
    ("sync: new + drop", 1000, 21000),
    ("rc: weak ref with callback, created and fired", 1000, 21000),
    ("sync: weak ref with callback, created and fired", 1000, 21000),
    ("rc: drop an object with 64 callbacks", 100, 1100),
    ("rc: finalize registered and fired", 1000, 21000),
    ("sync: finalize registered and fired", 1000, 21000),
    ("rc WeakValueMap: get (live)", 1000, 21000),
    ("rc WeakValueMap: insert + remove", 1000, 21000),
]
# Operations with a std or weak-table counterpart (`OP/base`).
WITH_BASE = {op for op, _, _ in OPS if not op.endswith("finalize registered and fired")}


def run(cmd, cwd=ROOT, **kw):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=cwd, check=True, **kw)


def build(src_root, target_dir):
    """Builds the loops against the crate at `src_root`; returns the binary's path."""
    probe = os.path.join(src_root, "scripts", "instructions")
    if not os.path.exists(os.path.join(probe, "Cargo.toml")):
        # An older commit without the loops: use this tree's, against its crate.
        shutil.copytree(os.path.join(ROOT, "scripts", "instructions"), probe,
                        ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    run(["cargo", "build", "--release", "-q", "--target-dir", target_dir], cwd=probe)
    return os.path.join(target_dir, "release", "weakrefs-instructions")


def count(binary, op, n):
    out = os.path.join(WORK, "callgrind.out")
    res = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, op, str(n)],
                         capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", res.stderr)
    return int(m.group(1))


def per_iteration(binary, op, small, large):
    return (count(binary, op, large) - count(binary, op, small)) / (large - small)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=None, help="commit to compare with (default: none)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    after = build(ROOT, os.path.join(WORK, "after"))
    before = None
    if args.base:
        src = os.path.join(WORK, "base-src")
        if os.path.exists(src):
            run(["git", "worktree", "remove", "--force", src])
        run(["git", "worktree", "add", "--detach", src, args.base])
        try:
            before = build(src, os.path.join(WORK, "before"))
            results = collect(before, after)
        finally:
            run(["git", "worktree", "remove", "--force", src])
    else:
        results = collect(None, after)
    report = {"base_commit": args.base, "results": results}
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    print(f"{'operation':52} {'std/weak-table':>14} {'before':>9} {'after':>9}")
    for op, r in results.items():
        fmt = lambda x: "" if x is None else f"{x:,.0f}"
        print(f"{op:52} {fmt(r['std']):>14} {fmt(r['before']):>9} {fmt(r['after']):>9}")


def collect(before, after):
    results = {}
    for op, small, large in OPS:
        results[op] = {
            "std": per_iteration(after, op + "/base", small, large) if op in WITH_BASE else None,
            "before": per_iteration(before, op, small, large) if before else None,
            "after": per_iteration(after, op, small, large),
        }
    return results


if __name__ == "__main__":
    main()
