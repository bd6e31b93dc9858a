#!/usr/bin/env python3
"""Lists the public functions and methods of weakrefs whose documentation has no
runnable example, from the HTML that `cargo doc` renders (so what it sees is what a
reader sees: methods written once in a template are checked in each flavour).

Usage: scripts/missing_examples.py [--no-build] [--max N]

Counts inherent methods (not trait implementations, whose examples are the trait's)
and free functions. Exits 1 if more than N (default 0) lack an example.
"""

import argparse
import glob
import html
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "target", "doc", "weakrefs")

# A rendered example, or a code block that rustdoc would test (`compile_fail`
# examples count: they show what does not compile).
EXAMPLE = re.compile(r'<pre class="rust rust-example-rendered|<pre class="rust compile_fail')


def inherent_methods(page):
    """(name, docblock) of each method in the page's inherent impls."""
    start = page.find('id="implementations-list"')
    if start < 0:
        return []
    # Trait implementations come after the inherent ones.
    ends = [page.find(marker, start) for marker in
            ('id="trait-implementations"', 'id="synthetic-implementations"',
             'id="blanket-implementations"')]
    ends = [e for e in ends if e > 0]
    section = page[start:min(ends) if ends else len(page)]
    found = []
    for m in re.finditer(r'<section id="method\.([A-Za-z0-9_]+)" class="method">', section):
        name = m.group(1)
        rest = section[m.end():]
        # The method's docblock, if any, follows its header, before the next method.
        nxt = rest.find('<section id="method.')
        block = rest if nxt < 0 else rest[:nxt]
        found.append((name, block))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--max", type=int, default=0)
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "doc", "--no-deps", "-q"], cwd=ROOT, check=True)
    missing, total = [], 0
    for path in sorted(glob.glob(os.path.join(DOC, "**", "*.html"), recursive=True)):
        rel = os.path.relpath(path, DOC)
        base = os.path.basename(path)
        page = open(path, encoding="utf-8").read()
        if 'http-equiv="refresh"' in page:
            continue  # a redirect to the item's public path, checked there
        if base.startswith(("struct.", "enum.", "trait.")):
            owner = rel[:-5].replace(os.sep, "::").replace("struct.", "").replace(
                "enum.", "").replace("trait.", "")
            for name, block in inherent_methods(page):
                total += 1
                if not EXAMPLE.search(block):
                    missing.append(f"{owner}::{name}")
        elif base.startswith("fn."):
            total += 1
            body = page[page.find('class="docblock"'):]
            if not EXAMPLE.search(body):
                missing.append(rel[:-5].replace(os.sep, "::").replace("fn.", ""))
    for item in missing:
        print(f"no example: {html.unescape(item)}")
    print(f"{len(missing)} of {total} public functions and methods have no example")
    return 1 if len(missing) > args.max else 0


if __name__ == "__main__":
    sys.exit(main())
