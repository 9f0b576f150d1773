#!/bin/sh
# The Japanese corpus (issue 13): every generated message through
# `mugaika sanitize` with body_charset = utf-8 and = iso-2022-jp (and the
# English notice for the cases that have one), each delivered copy checked
# with a CP50220-aware decoder (tests/japanese/jcheck.py).
# Extra arguments go to run.py (e.g. --only CASE-ID...).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir japanese)
base=$(mg_test_conf "$d")
cp "$base" "$d/jis.conf"
echo "body_charset = iso-2022-jp" >>"$d/jis.conf"
cp "$base" "$d/en.conf"
echo "notice_language = en" >>"$d/en.conf"
"$PYTHON3" "$top_srcdir/tests/japanese/run.py" sanitize --mugaika "$MUGAIKA" --work "$d/work" \
	--conf "utf-8=$base" --conf "iso-2022-jp=$d/jis.conf" --conf "en=$d/en.conf" "$@"
rc=$?
[ $rc -eq 0 ] && rm -rf "$d"
exit $rc
