#!/bin/sh
# Milter protocol tests: each tests/miltertest/*.lua drives the real
# mugaika-milter through miltertest(8).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
MILTERTEST="${MILTERTEST:-$(command -v miltertest)}"
if [ -z "$MILTERTEST" ]; then
	echo "SKIP: miltertest not installed (Debian package miltertest)"
	exit 77
fi
d=$(mg_tmpdir miltertest)
export MUGAIKA_MILTER="$MUGAIKA_MILTER" MUGAIKA_CONF="$(mg_test_conf "$d")"
for t in "$top_srcdir"/tests/miltertest/*.lua; do
	MUGAIKA_PORT=$(mg_free_port)
	export MUGAIKA_PORT
	if "$MILTERTEST" -s "$t" >"$d/$(basename "$t").log" 2>&1; then
		mg_pass "$(basename "$t") ($(grep -c '^ok:' "$d/$(basename "$t").log") checks)"
	else
		mg_fail "$(basename "$t")"
		tail -n 15 "$d/$(basename "$t").log"
	fi
done
mg_summary
