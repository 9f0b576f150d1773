#!/bin/sh
# The adversarial suite (issue 12): every tests/hostile/gen_*.py writes its
# cases (NAME.eml + NAME.expect.json) at run time, then check.py runs each
# through `mugaika sanitize --report` and checks the delivered bytes.
# See tests/hostile/README.md.  HOSTILE_ONLY=REGEX runs a subset,
# HOSTILE_JOBS=N sets the parallelism (default 2).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
command -v file >/dev/null 2>&1 || { echo "SKIP: file(1) is needed to re-type delivered parts"; exit 77; }
dir=$(mg_tmpdir hostile)
conf=$(mg_test_conf "$dir")
sed -i "s/^log_level = .*/log_level = error/" "$conf"
. "$top_srcdir/tests/hostile/lib.sh"
hostile_conf "$conf"
"$PYTHON3" "$top_srcdir/tests/hostile/check.py" --generate "$dir/cases" || exit 1
"$PYTHON3" "$top_srcdir/tests/hostile/check.py" --mugaika "$MUGAIKA" --conf "$conf" --work "$dir/work" \
	--summary "$dir/summary.json" ${HOSTILE_ONLY:+--only "$HOSTILE_ONLY"} "$dir/cases"
