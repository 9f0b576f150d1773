#!/bin/sh
# run.sh - docs/COMPLIANCE.md names only keys, files, functions and tests
# that exist (issue 17); the checker's own cases first, so it can fail.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
if "$PYTHON3" "$top_srcdir/tests/compliance/check.py" --self-test >/dev/null; then
	mg_pass "the checker finds every kind of bad entry"
else
	"$PYTHON3" "$top_srcdir/tests/compliance/check.py" --self-test
	mg_fail "the checker's own cases"
fi
if "$PYTHON3" "$top_srcdir/tests/compliance/check.py" --srcdir "$top_srcdir" --mugaika "$MUGAIKA"; then
	mg_pass "docs/COMPLIANCE.md names only what exists"
else
	mg_fail "docs/COMPLIANCE.md names something that does not exist (see above)"
fi
mg_summary
