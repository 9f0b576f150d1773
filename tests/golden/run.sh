#!/bin/sh
# Golden files: every samples/NAME.eml goes through `mugaika sanitize` with
# the test configuration (plus samples/NAME.args, one line of extra
# arguments, when present); stdout must equal samples/expected/NAME.out.  A
# refused message is expected as "exit RC: SMTP-REPLY".
#   tests/golden/run.sh --update   rewrite the expected files (review the diff!)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
update=no
[ "${1:-}" = "--update" ] && update=yes
d=$(mg_tmpdir golden)
conf=$(mg_test_conf "$d")
# The quarantine id is random; golden output must not depend on it.
echo "quarantine_keep = none" >>"$conf"

golden_run() { # NAME.eml -> output on stdout
	_args=""
	[ -f "${1%.eml}.args" ] && _args=$(cat "${1%.eml}.args")
	# shellcheck disable=SC2086
	"$MUGAIKA" sanitize -c "$conf" --queue-id golden $_args "$1" 2>"$d/stderr"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		printf 'exit %d: %s\n' $_rc "$(grep '^mugaika sanitize: ' "$d/stderr" | head -n 1 | sed 's/^mugaika sanitize: //')"
	fi
}

for eml in "$top_srcdir"/samples/*.eml; do
	[ -f "$eml" ] || continue
	name=$(basename "$eml" .eml)
	want="$top_srcdir/samples/expected/$name.out"
	golden_run "$eml" > "$d/$name.out"
	if [ "$update" = yes ]; then
		cp "$d/$name.out" "$want"
		echo "updated: $name"
		continue
	fi
	if [ ! -f "$want" ]; then
		mg_fail "$name: no expected output (run tests/golden/run.sh --update and review)"
	elif cmp -s "$d/$name.out" "$want"; then
		mg_pass "$name"
	else
		mg_fail "$name"
		diff -u "$want" "$d/$name.out" | head -n 30
	fi
done
[ "$update" = yes ] && exit 0
mg_summary
