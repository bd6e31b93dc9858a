#!/usr/bin/env python3
"""CPython's memory for what benches/memory.rs and benches/collections.rs measure in
Rust: bytes per object with no weak reference, with a plain weak reference, with a
weak reference with a callback, with a finalizer; bytes per WeakValueDictionary entry;
and what such a dictionary holds after all its values died. Measured with
tracemalloc (what the interpreter allocated, as the Rust side counts what the
allocator gave) over N objects, divided by N; sys.getsizeof of one object is shown
too.

Usage: python3 scripts/cpython_memory.py [--json FILE]
"""

import argparse
import gc
import json
import sys
import tracemalloc
import weakref

N = 100_000


class Obj:
    """An ordinary weak-referenceable instance, as in the timing script."""


def per_item(make):
    """tracemalloc bytes per item kept alive by `make(N)`'s result."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make(N)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / N


def _noop(*_args):
    pass


def objects(n):
    return [Obj() for _ in range(n)]


def objects_with_refs(n):
    objs = objects(n)
    return objs, [weakref.ref(o) for o in objs]


def objects_with_callbacks(n):
    objs = objects(n)
    return objs, [weakref.ref(o, _noop) for o in objs]


def objects_with_finalizers(n):
    objs = objects(n)
    return objs, [weakref.finalize(o, _noop, 7) for o in objs]


def wvd_entries(n):
    objs = objects(n)
    d = weakref.WeakValueDictionary()
    for i, o in enumerate(objs):
        d[i] = o
    return objs, d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    base = per_item(lambda n: [None] * n)  # the list slots holding the items
    objs = per_item(objects) - base
    results = {
        "object, no weak reference": objs,
        "object + a plain weak reference": per_item(objects_with_refs) - 2 * base,
        "object + a weak reference with a callback": per_item(objects_with_callbacks) - 2 * base,
        "object + a finalizer": per_item(objects_with_finalizers) - 2 * base,
        "WeakValueDictionary, per entry": per_item(wvd_entries) - base - objs,
    }

    # What a WeakValueDictionary holds once all its values died.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objs_, d = wvd_entries(N)
    del objs_
    gc.collect()
    results["WeakValueDictionary after all values died (bytes)"] = tracemalloc.get_traced_memory()[0] - before
    results["WeakValueDictionary len() after all values died"] = len(d)
    tracemalloc.stop()
    results["sys.getsizeof(Obj())"] = sys.getsizeof(Obj())
    results["sys.getsizeof(weakref.ref(o))"] = sys.getsizeof(weakref.ref(Obj()))

    width = max(map(len, results))
    print(f"# Python {sys.version.split()[0]}: bytes (tracemalloc, per item over {N})")
    for k, v in results.items():
        print(f"{k:<{width}}  {v:10.1f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"python": sys.version, "n": N, "results": results}, fh, indent=2)


if __name__ == "__main__":
    main()
