#!/usr/bin/env python3
"""tests/layers/check.py SRCDIR [BUILDDIR] - calls go one way.

The layers of docs/ARCHITECTURE.md, bottom to top:

    base  <  text  <  txn  <  stages (mime body cdr scan policy store)  <  pipeline  <  front ends

A file may use (include, and call) its own folder and the layers below
its own; a stage may not use another stage; nothing below the step
sequence may use it.  cdr/ and its subfolders are one stage.

Two checks:
 1. every #include "..." of every .c/.h under src/ and include/ names a
    header of an allowed folder;
 2. with BUILDDIR, every symbol an object of libmgcore.a takes from
    another object is defined in an allowed folder (catches prototypes
    written by hand inside a .c file).
Exit 1 with one line per violation.
"""
import os
import re
import subprocess
import sys

RANK = {"base": 0, "text": 1, "txn": 2, "mime": 3, "body": 3, "cdr": 3, "scan": 3, "policy": 3, "store": 3,
        "pipeline": 4, "front": 5}


def layer_of(rel):
    """Folder group of a path relative to the source tree, or None."""
    parts = rel.split(os.sep)
    if parts[0] == "include":
        return "pipeline"  # the front ends' API, implemented by the step sequence
    if parts[:2] in (["src", "cli"], ["src", "milter"]):
        return "front"
    if parts[:2] == ["src", "core"] and len(parts) > 3:
        return parts[2]
    return None


def allowed(src, dst):
    if src == dst:
        return True
    if src == "front":
        return True
    return RANK[dst] < RANK[src] and not (RANK[src] == 3 and RANK[dst] == 3)


def headers(top):
    where = {}
    for base in ("src", "include"):
        for root, _, files in os.walk(os.path.join(top, base)):
            for f in files:
                if f.endswith(".h"):
                    where.setdefault(f, os.path.relpath(os.path.join(root, f), top))
    return where


def check_includes(top):
    where = headers(top)
    bad = []
    for base in ("src", "include"):
        for root, _, files in os.walk(os.path.join(top, base)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(root, f), top)
                src = layer_of(rel)
                if src is None:
                    continue
                for n, line in enumerate(open(os.path.join(top, rel), encoding="utf-8"), 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m or os.path.basename(m.group(1)) not in where:
                        continue
                    dst = layer_of(where[os.path.basename(m.group(1))])
                    if dst and not allowed(src, dst):
                        bad.append("%s:%d: %s (%s) includes %s (%s)" % (rel, n, rel, src, m.group(1), dst))
    return bad


def nm(path):
    out = subprocess.run(["nm", "-A", path], capture_output=True, text=True, check=True).stdout
    defs, uses = {}, []
    for line in out.splitlines():
        obj, _, rest = line.partition(": ") if ": " in line else line.rpartition(":")
        f = rest.split()
        obj = obj.split(":")[-1]
        if len(f) == 3 and f[1] in "TDBR":
            defs[f[2]] = obj
        elif len(f) == 2 and f[0] == "U":
            uses.append((obj, f[1]))
    return defs, uses


def check_symbols(top, build):
    lib = os.path.join(build, "libmgcore.a")
    if not os.path.exists(lib):
        return []
    folder = {}
    for root, _, files in os.walk(os.path.join(top, "src", "core")):
        for f in files:
            if f.endswith(".c"):
                folder[f[:-2] + ".o"] = layer_of(os.path.relpath(os.path.join(root, f), top))
    defs, uses = nm(lib)
    bad = set()
    for obj, sym in uses:
        if sym not in defs:
            continue
        o1 = re.sub(r"^libmgcore_a-", "", obj)
        o2 = re.sub(r"^libmgcore_a-", "", defs[sym])
        a, b = folder.get(o1), folder.get(o2)
        if a and b and not allowed(a, b):
            bad.add("%s (%s) calls %s in %s (%s)" % (o1, a, sym, o2, b))
    return sorted(bad)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    build = sys.argv[2] if len(sys.argv) > 2 else None
    bad = check_includes(top) + (check_symbols(top, build) if build else [])
    for b in bad:
        print("layers: " + b)
    if bad:
        print("layers: %d violation(s); see docs/ARCHITECTURE.md" % len(bad))
        return 1
    print("layers ok")
    return 0


sys.exit(main())
