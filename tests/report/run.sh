#!/bin/sh
# run.sh - the monthly report counts every member against a known log
# (issue 17 item 7): tests/report/gen_audit.py writes a seeded random audit
# log and admin log (keyed chain, records on both sides of every boundary
# of the period, some written with another UTC offset) and the counts it
# planned; `mugaika report --json` must give each one.  The generated chain
# must also verify (a second implementation of the format).  The host's TZ
# is set far from +09:00: the report counts days of log_timezone.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir report)
seed=${REPORT_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
if "$PYTHON3" "$top_srcdir/tests/report/gen_audit.py" "$d" --seed "$seed" --messages 400; then
	mg_pass "fixture generated (seed $seed; rerun with REPORT_SEED=$seed)"
else
	mg_fail "fixture generator"
	mg_summary
fi
cat >"$d/m.conf" <<CONF
audit_log = $d/audit.log
admin_audit_log = $d/admin.log
audit_key_file = $d/audit.key
clamav_database = $d
log_timezone = +09:00
CONF
if "$MUGAIKA" audit -c "$d/m.conf" verify "$d/audit.log" "$d/admin.log" >"$d/verify.out" 2>&1; then
	mg_pass "the generated chains verify (Python writer, C verifier)"
else
	cat "$d/verify.out"
	mg_fail "the generated chains do not verify"
fi
# the admin log gets our own records from here on: keep the fixture's copy
cp "$d/admin.log" "$d/admin.fixture.log"
if TZ=America/Los_Angeles "$MUGAIKA" report -c "$d/m.conf" --from 2026-11-01 --to 2026-11-30 --json \
	--admin-log "$d/admin.fixture.log" --permit-file "$d/permits.list" >"$d/actual.json" 2>"$d/err"; then
	mg_pass "report --json ran"
else
	cat "$d/err"
	mg_fail "report --json failed"
fi
if "$PYTHON3" "$top_srcdir/tests/report/gen_audit.py" --compare "$d/expected.json" "$d/actual.json" >"$d/compare.out"; then
	mg_pass "every count matches the generated log ($(grep -c '^ok' "$d/compare.out") members)"
else
	cat "$d/compare.out"
	mg_fail "counts differ from the generated log (seed $seed)"
fi
if TZ=Asia/Tokyo "$MUGAIKA" report -c "$d/m.conf" --from 2026-11-01 --to 2026-11-30 \
	--admin-log "$d/admin.fixture.log" --permit-file "$d/permits.list" >"$d/text.out" 2>"$d/err" &&
	grep -q "Detections by signature:" "$d/text.out" && grep -q "Size refusals, by rule:" "$d/text.out" &&
	grep -q "Auto-forward permits in force" "$d/text.out" && grep -q "FWD-2026-004" "$d/text.out"; then
	mg_pass "text report has the sections"
else
	cat "$d/text.out" "$d/err"
	mg_fail "text report"
fi
rm -rf "$d"
mg_summary
