#!/usr/bin/env python3
"""Rewrite the libmgcore.a source lists in Makefile.am from the tree:
one variable per layer/stage folder under src/core/ (docs/ARCHITECTURE.md).
Run after adding, moving or removing a core file."""
import os, re, sys, textwrap

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(TOP, "src", "core")
# bottom to top, as docs/ARCHITECTURE.md draws them
FOLDERS = ["base", "text", "txn", "mime", "body", "cdr", "scan", "policy", "store", "pipeline"]

def files_of(folder):
    out = []
    for root, dirs, files in os.walk(os.path.join(CORE, folder)):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(root, f), TOP))
    return out

def block():
    lines = ["# ---- the core library: everything that decides or transforms ----",
             "# One list per folder of src/core/ (bottom layer first); written by",
             "# scripts/gen-core-sources.py, which also keeps the -I list in step.",
             "noinst_LIBRARIES = libmgcore.a"]
    names = []
    dirs = set()
    for f in FOLDERS:
        var = "CORE_%s" % f.upper()
        names.append("$(%s)" % var)
        fl = files_of(f)
        for p in fl:
            if p.endswith(".h"):
                dirs.add(os.path.dirname(p))
        body = textwrap.wrap(" ".join(fl), 100, break_on_hyphens=False)
        lines.append("%s = %s" % (var, " \\\n\t".join(body)))
    lines.append("libmgcore_a_SOURCES = " + " \\\n\t".join(textwrap.wrap(" ".join(names), 100)) + " \\\n\tinclude/mg_pipeline.h include/mg_rebuild.h")
    inc = " ".join("-I$(top_srcdir)/%s" % d for d in sorted(dirs))
    lines.append("CORE_INCLUDES = " + " \\\n\t".join(textwrap.wrap(inc, 100)))
    return "\n".join(lines) + "\n"

def main():
    p = os.path.join(TOP, "Makefile.am")
    s = open(p, encoding="utf-8").read()
    begin = s.index("# ---- the core library")
    end = s.index("# ---- end of the core library ----")
    new = s[:begin] + block() + s[end:]
    if "--check" in sys.argv:
        if new != s:
            sys.exit("Makefile.am: core source lists are out of date (run scripts/gen-core-sources.py)")
        return
    open(p, "w", encoding="utf-8").write(new)

main()
