#!/bin/sh
# tests/layers/run.sh - calls go one way (docs/ARCHITECTURE.md): includes
# and the symbols of libmgcore.a checked against the layer order; and the
# core source lists of Makefile.am match the tree
# (scripts/gen-core-sources.py).
. "$top_srcdir/tests/lib.sh"
"$PYTHON3" "$top_srcdir/scripts/gen-core-sources.py" --check || exit 1
exec "$PYTHON3" "$top_srcdir/tests/layers/check.py" "$top_srcdir" "$top_builddir"
