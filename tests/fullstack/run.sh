#!/bin/sh
# Full-stack test: SMTP -> private Postfix -> mugaika-milter -> delivery.
# Runs every case_*.sh in this directory against one Postfix instance.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/fullstack/lib.sh"

if [ "$(id -u)" != 0 ]; then
	if [ -n "${MUGAIKA_REQUIRE_FULLSTACK:-}" ]; then
		echo "FAIL: the full-stack test must run as root (Postfix)"; exit 1
	fi
	echo "SKIP: full-stack test needs root (Postfix private instance)"; exit 77
fi
fs_setup || { echo "FAIL: could not start Postfix + mugaika-milter"; exit 1; }
# The scratch directory is removed after a run without failures, kept (and
# named) otherwise.
fs_exit() {
	fs_teardown
	if [ "$mg_fail_count" -eq 0 ]; then fs_remove; else echo "kept for inspection: $FS_DIR"; fi
}
trap fs_exit EXIT
trap 'exit 1' INT TERM
for c in "$top_srcdir"/tests/fullstack/case_*.sh; do
	[ -f "$c" ] || continue
	echo "== $(basename "$c")"
	. "$c"
done
if [ "$mg_fail_count" -gt 0 ]; then
	echo "--- milter log (tail) ---"; tail -n 40 "$FS_DIR/milter.log"
	echo "--- postfix log (tail) ---"; tail -n 40 "$FS_DIR/maillog"
fi
mg_summary
