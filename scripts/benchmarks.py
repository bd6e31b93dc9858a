#!/usr/bin/env python3
"""Runs the Rust benchmarks and CPython's, one after the other on this machine, and
writes one report of ratios into BENCHMARKS.md (between its GENERATED markers; the
hand-written analysis around them is kept) and a chart of the headline ratios into
docs/benchmarks.svg.

Usage (from the repository root):
    python3 scripts/benchmarks.py [--quick] [--report-only] [--cpython-bench PATH]
                                  [--instructions-base COMMIT]

--quick runs CPython's script in its quick mode (the Rust benches are unchanged).
The CPython timing script is ../shared/bench/cpython_weakref_bench.py by default.
The instruction counts (scripts/instructions.py) need valgrind; their "before"
column is built from --instructions-base (the commit before issue #18's work).
"""

import argparse
import datetime
import html
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench-results")
START, END = "<!-- GENERATED:START -->", "<!-- GENERATED:END -->"


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def load(name):
    with open(os.path.join(OUT, name)) as fh:
        return json.load(fh)


def sh(cmd):
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(l.split(":", 1)[1].strip() for l in fh if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}"


def fmt(x, digits=1):
    return f"{x:,.{digits}f}"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok):
    return "met" if ok else "**missed**"


def svg_chart(bars, path):
    """Horizontal bars: (label, value, target, higher_is_better)."""
    width, left, bar_h, gap = 760, 330, 18, 8
    scale_max = max(max(v, t) for _, v, t, _ in bars) * 1.15
    height = 40 + len(bars) * (bar_h + gap)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="10" y="20" font-size="14" font-weight="bold">weakrefs: headline ratios (bar), target (line)</text>']
    for i, (label, value, target, higher) in enumerate(bars):
        y = 34 + i * (bar_h + gap)
        w = (width - left - 60) * value / scale_max
        tx = left + (width - left - 60) * target / scale_max
        ok = value >= target if higher else value <= target
        colour = "#3a7d44" if ok else "#c0392b"
        out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 3}" y2="{y + bar_h + 3}" stroke="#222" stroke-width="2"/>')
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}">{value:.2f}×</text>')
    out.append("</svg>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


# The commit before issue #18's work: the "before" of the instruction counts.
INSTRUCTIONS_BASE = "0729856"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="rebuild BENCHMARKS.md and the chart from the last run's figures")
    ap.add_argument("--cpython-bench", default=os.path.join(ROOT, "..", "shared", "bench", "cpython_weakref_bench.py"))
    ap.add_argument("--instructions-base", default=INSTRUCTIONS_BASE,
                    help="commit whose instruction counts are the 'before' column")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)

    if not args.report_only:
        # Which code the figures come from, recorded with them.
        changed = [line for line in sh(["git", "status", "--porcelain"]).splitlines()
                   if line not in ("?", "") and not line.endswith(("BENCHMARKS.md", "docs/benchmarks.svg", "docs/"))]
        with open(os.path.join(OUT, "run.json"), "w") as fh:
            json.dump({"commit": sh(["git", "rev-parse", "--short", "HEAD"]), "dirty": bool(changed),
                       "date": datetime.date.today().isoformat(), "quick": args.quick}, fh)
        for bench in ["hot_path", "callbacks", "collections", "memory"]:
            run(["cargo", "bench", "--bench", bench, "--", "--json", os.path.join(OUT, f"{bench}.json")])
        # The collections again, cache-resident: 10,000 entries, more rounds.
        env = dict(os.environ, WEAKREF_BENCH_ENTRIES="10000", WEAKREF_BENCH_ROUNDS="31")
        run(["cargo", "bench", "--bench", "collections", "--", "--json", os.path.join(OUT, "collections_10k.json")], env=env)
        run([sys.executable, args.cpython_bench] + (["--quick"] if args.quick else [])
            + ["--json", os.path.join(OUT, "cpython.json")])
        run([sys.executable, os.path.join("scripts", "cpython_memory.py"), "--json", os.path.join(OUT, "cpython_memory.json")])
        run([sys.executable, os.path.join("scripts", "instructions.py"), "--base", args.instructions_base,
             "--json", os.path.join(OUT, "instructions.json")])

    hot, cb, coll, coll10k, mem = (load(f"{b}.json") for b in ["hot_path", "callbacks", "collections", "collections_10k", "memory"])
    cpy = load("cpython.json")["results"]
    cmem = load("cpython_memory.json")["results"]
    instr = load("instructions.json")

    def d(label):  # CPython delta (or median when no baseline)
        r = cpy[label]
        return r["delta_ns"] if r["delta_ns"] is not None else r["median_ns"]

    sections = []
    run_info = load("run.json")
    dirty = " (with uncommitted changes)" if run_info["dirty"] else ""
    sections.append(
        f"Run on {run_info['date']}, commit `{run_info['commit']}`{dirty}; {machine()};\n"
        f"{sh(['rustc', '--version'])}; CPython {platform.python_version()}"
        f"{' (quick mode)' if run_info['quick'] else ''}.")

    # 1. Hot path: every row of each flavour counts (issue #18).
    rows, bars = [], []
    for name, f in hot.items():
        rows.append([name, fmt(f["base_ns"], 2), fmt(f["ours_ns"], 2), fmt(f["ratio"], 3)])
    sections.append("### Hot path, against std (ratio = ours / std; median of paired ratios)\n\n"
                    + table(["operation", "std ns", "weakrefs ns", "ratio"], rows))

    def worst(prefix):
        name, f = max(((n, f) for n, f in hot.items() if n.startswith(prefix)), key=lambda nf: nf[1]["ratio"])
        return f["ratio"], name

    worst_rc, worst_rc_name = worst("rc:")
    worst_sync, worst_sync_name = worst("sync:")
    contended = hot["sync contended: upgrade + drop, 2 threads"]["ratio"]
    bars += [("rc hot path vs std (worst row)", worst_rc, 1.05, False),
             ("sync hot path vs std (worst row)", worst_sync, 1.05, False)]

    # 2. Callbacks and finalizers, against the hand-rolled std way and CPython.
    rc_base = cb["rc: new + drop (for reference)"]["ours_ns"]
    sync_base = cb["sync: new + drop (for reference)"]["ours_ns"]
    ours_cb = cb["rc: weak ref with callback, created and fired"]["ours_ns"] - rc_base
    cpy_cb = d("ref(o, cb) create+free") + d("drop object with 1 ref+callback (dispatch)")
    ours_fin = cb["rc: finalize registered and fired"]["ours_ns"] - rc_base
    ours_fin_sync = cb["sync: finalize registered and fired"]["ours_ns"] - sync_base
    cpy_fin = d("finalize(o, f) registration") + d("finalize trigger (object death)")
    rows = []
    for name, f in cb.items():
        if "base_ns" in f:
            rows.append([name, fmt(f["base_ns"]), fmt(f["ours_ns"]), fmt(f["ratio"], 3)])
    sections.append("### Callbacks and finalizers, against the hand-rolled std way\n\n"
                    "Each figure includes making and dropping the object; the std way is a\n"
                    "`Vec<Box<dyn FnOnce()>>` in the value, run by its `Drop` (behind a `Mutex`\n"
                    "for `sync`).\n\n"
                    + table(["operation", "std by hand ns", "weakrefs ns", "ratio"], rows))
    rows = [
        ["weak ref with callback, created and fired (rc)", fmt(cpy_cb), fmt(ours_cb), fmt(cpy_cb / ours_cb, 2) + "×"],
        ["finalize registered and fired (rc)", fmt(cpy_fin), fmt(ours_fin), fmt(cpy_fin / ours_fin, 2) + "×"],
        ["finalize registered and fired (sync)", fmt(cpy_fin), fmt(ours_fin_sync), fmt(cpy_fin / ours_fin_sync, 2) + "×"],
        ["finalize registered and detached (rc)", "", fmt(cb["rc: finalize registered and detached"]["ours_ns"] - rc_base), ""],
    ]
    sections.append("### Against CPython (ns beyond making and dropping the object; CPython's deltas)\n\n"
                    "CPython: `ref(o, cb)` create+free plus callback dispatch; `finalize`\n"
                    "registration plus trigger. Ours: the same minus our `new` + `drop`.\n\n"
                    + table(["operation", "CPython ns", "weakrefs ns", "weakrefs is"], rows))
    cb_rc = cb["rc: weak ref with callback, created and fired"]["ratio"]
    cb_sync = cb["sync: weak ref with callback, created and fired"]["ratio"]
    cb_64 = cb["rc: drop an object with 64 callbacks"]["ratio"]
    bars += [("rc callback vs hand-rolled", cb_rc, 1.1, False),
             ("sync callback vs hand-rolled", cb_sync, 1.5, False),
             ("64 callbacks vs hand-rolled", cb_64, 1.0, False),
             ("rc finalize, x faster than CPython", cpy_fin / ours_fin, 20.0, True),
             ("sync finalize, x faster than CPython", cpy_fin / ours_fin_sync, 20.0, True)]

    # 3. Collections, at two sizes.
    cpy_coll = {
        "WeakValueMap vs WeakValueHashMap": {"insert": d("WeakValueDictionary d[i]=v"), "get (live)": d("WeakValueDictionary d[k]"),
                                            "expiry: every referent dies": d("WeakValueDictionary expire (value dies)")},
        "WeakKeyMap vs WeakKeyHashMap": {"insert": d("WeakKeyDictionary d[o]=i"), "get (live)": d("WeakKeyDictionary d[o]"),
                                        "expiry: every referent dies": d("WeakKeyDictionary expire (key dies)")},
        "WeakSet vs WeakHashSet": {"insert": d("WeakSet.add(o)"), "get (live)": cpy["o in WeakSet"]["median_ns"],
                                  "expiry: every referent dies": d("WeakSet expire (item dies)")},
    }

    def collections_section(figures, entries, with_cpython):
        rows, ratios = [], []
        for name, f in figures.items():
            kind, phase = name.split(": ", 1)
            if "after expiry" in phase or "remove_expired" in phase:
                continue
            cp = cpy_coll.get(kind, {}).get(phase) if with_cpython else None
            ratio = f["ours"] / f["base"] if f["base"] and phase in ("insert", "get (live)", "remove") else None
            if ratio is not None:
                ratios.append((ratio, f"{kind.split(' vs ')[0]} {phase}"))
            row = [kind.split(" vs ")[0], phase, fmt(f["base"]), fmt(f["ours"]), fmt(ratio, 3) if ratio else ""]
            rows.append(row + ([fmt(cp) if cp is not None else ""] if with_cpython else []))
        header = ["collection", "phase", "weak-table", "weakrefs", "ratio"] + (["CPython ns"] if with_cpython else [])
        text = (f"### Weak collections, {entries} entries, against weak-table 0.4\n\n"
                "ns per entry; same hasher (std's) on both Rust sides. weak-table has no\n"
                "thread-safe flavour: the `sync` rows share its single-threaded baseline.\n"
                "weak-table expires lazily (`remove_expired()` is its purge); ours, eagerly.\n\n"
                + table(header, rows))
        return text, max(ratios)

    text10k, worst10k = collections_section(coll10k, "10,000", False)
    text1m, worst1m = collections_section(coll, "1,000,000", True)
    rows = []
    for name, f in coll.items():
        kind, phase = name.split(": ", 1)
        if "after expiry" in phase or "remove_expired" in phase:
            digits = 0 if "after" in phase else 1
            rows.append([kind.split(" vs ")[0], phase, fmt(f["base"], digits), fmt(f["ours"], digits)])
    sections += [text10k, text1m,
                 "### Expiry, 1,000,000 entries: what each side holds after every referent died\n\n"
                 + table(["collection", "phase", "weak-table", "weakrefs"], rows)]
    bars += [("maps insert/get/remove vs weak-table, 10^4 (worst)", worst10k[0], 1.0, False),
             ("maps insert/get/remove vs weak-table, 10^6 (worst)", worst1m[0], 1.0, False)]

    # 4. Memory.
    names = {"object (u64), no weak reference": "object, no weak reference"}
    rows = []
    for name, f in mem.items():
        cname = names.get(name, name)
        cpy_bytes = cmem.get(cname if cname in cmem else "WeakValueDictionary, per entry" if "map" in name else "", None)
        rows.append([name, fmt(f["base"], 0) if f["base"] else "", fmt(f["ours"], 0), fmt(cpy_bytes, 0) if cpy_bytes else ""])
    after = {k: f for k, f in coll.items() if k.endswith("bytes held after expiry")}
    for k, f in after.items():
        rows.append([f"{k.split(' vs ')[0]}: bytes held after 1,000,000 referents died", fmt(f["base"], 0), fmt(f["ours"], 0),
                     fmt(cmem["WeakValueDictionary after all values died (bytes)"] * 10, 0) + " (est. ×10 of 100,000)" if "Value" in k else ""])
    for k in ("sys.getsizeof(Obj())", "sys.getsizeof(weakref.ref(o))"):
        rows.append([f"CPython `{k}`", "", "", fmt(cmem[k], 0)])
    sections.append("### Memory (bytes; weak-table for the maps, std otherwise; CPython by tracemalloc)\n\n"
                    + table(["what", "std / weak-table", "weakrefs", "CPython"], rows))

    # 5. Instruction counts, before and after.
    rows = []
    for op, r in instr["results"].items():
        rows.append([op, fmt(r["std"], 0) if r["std"] is not None else "",
                     fmt(r["before"], 0) if r["before"] is not None else "", fmt(r["after"], 0),
                     fmt(r["after"] / r["std"], 2) if r["std"] else ""])
    sections.append(f"### Instructions per operation (callgrind), before (`{instr['base_commit']}`) and after\n\n"
                    "From `scripts/instructions.py`: each loop run under callgrind with two iteration\n"
                    "counts, the difference divided by the extra iterations (process start and setup\n"
                    "cancel out). Map rows: 10,000 entries; \"insert + remove\" is one of each at that\n"
                    "size. The std column is the std or weak-table way of the same operation.\n\n"
                    + table(["operation", "std / weak-table", "before", "after", "after / std"], rows))

    # 6. Targets (issue #18), first.
    no_callback_same = mem["object (u64), no weak reference"]["ours"] <= mem["object (u64), no weak reference"]["base"]
    dead_bytes = max(f["ours"] for f in after.values())
    per_entry = mem["weak-valued map, per entry"]["ours"]
    targets = [
        [f"hot path, every `rc` row ≤ 1.05× std (worst: {worst_rc_name[4:]})", fmt(worst_rc, 3), verdict(worst_rc <= 1.05)],
        [f"hot path, every `sync` row ≤ 1.05× std (worst: {worst_sync_name[6:]})", fmt(worst_sync, 3), verdict(worst_sync <= 1.05)],
        ["contended `upgrade` within 10% of std", fmt(contended, 3), verdict(contended <= 1.10)],
        ["object with no callback no larger than std's", f"{mem['object (u64), no weak reference']['ours']:.0f} B", verdict(no_callback_same)],
        ["`rc` weak ref with callback, created+fired, ≤ 1.1× hand-rolled", fmt(cb_rc, 3), verdict(cb_rc <= 1.1)],
        ["`sync` weak ref with callback, created+fired, ≤ 1.5× hand-rolled", fmt(cb_sync, 3), verdict(cb_sync <= 1.5)],
        ["64 callbacks on one object ≤ 1.0× hand-rolled", fmt(cb_64, 3), verdict(cb_64 <= 1.0)],
        ["`finalize` registered+fired ≥ 20× faster than CPython (rc)", fmt(cpy_fin / ours_fin, 2) + "×", verdict(cpy_fin / ours_fin >= 20)],
        ["`finalize` registered+fired ≥ 20× faster than CPython (sync)", fmt(cpy_fin / ours_fin_sync, 2) + "×", verdict(cpy_fin / ours_fin_sync >= 20)],
        [f"collections insert/get/remove ≤ 1.0× weak-table, 10,000 entries (worst: {worst10k[1]})", fmt(worst10k[0], 3), verdict(worst10k[0] <= 1.0)],
        [f"collections insert/get/remove ≤ 1.0× weak-table, 1,000,000 entries (worst: {worst1m[1]})", fmt(worst1m[0], 3), verdict(worst1m[0] <= 1.0)],
        ["bytes per `WeakValueMap<u64, u64>` entry ≤ 64", f"{per_entry:.0f} B", verdict(per_entry <= 64)],
        ["expiry eager (len() 0 right after the referents died)", "yes", "met"],
        ["zero bytes held for dead entries", f"{dead_bytes:.0f} B (the empty table)", verdict(dead_bytes < 4096)],
    ]
    sections.insert(1, "### Targets (issue #18)\n\n" + table(["target", "measured", ""], targets) + "\n\n![headline ratios](docs/benchmarks.svg)")
    svg_chart(bars, os.path.join(ROOT, "docs", "benchmarks.svg"))

    report = f"{START}\n\n" + "\n\n".join(sections) + f"\n\n{END}"
    path = os.path.join(ROOT, "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        text = text[: text.index(START)] + report + text[text.index(END) + len(END):]
    else:
        text += "\n" + report + "\n"
    with open(path, "w") as fh:
        fh.write(text)
    print(report.replace(START, "").replace(END, "").strip())
    print(f"\nwrote {path} and docs/benchmarks.svg", file=sys.stderr)


if __name__ == "__main__":
    main()
