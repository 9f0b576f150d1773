#!/bin/sh
# `mugaika permits FILE` (issue 6): the permit review, its exit codes, and
# that `check-config` refuses a permit file with an expired entry naming
# file:line while `permits` still lists it.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir issue6-permits)
today=$(date +%F)
past=$(date -d '40 days ago' +%F)
soon=$(date -d '3 days' +%F)
later=$(date -d '100 days' +%F)

printf '# review test\nP-1 a@city.example.lg.jp b@example.net kacho %s trip\nP-2 c@city.example.lg.jp @example.org bucho %s project\n' \
	"$later" "$soon" > "$d/live.list"
"$MUGAIKA" permits "$d/live.list" > "$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^P-1 .*active .*$later a@city.example.lg.jp -> b@example.net (kacho): trip" "$d/out" &&
	grep -q "^P-2 .*expires in 3 days" "$d/out"; then
	mg_pass "live permits listed, the one expiring soon flagged (exit 0)"
else
	mg_fail "live permit review: exit $rc"; cat "$d/out" "$d/err"
fi

cp "$d/live.list" "$d/old.list"
printf 'P-3 e@city.example.lg.jp f@example.com kacho %s over\n' "$past" >> "$d/old.list"
"$MUGAIKA" permits "$d/old.list" > "$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^P-3 .*EXPIRED .*$past" "$d/out"; then
	mg_pass "expired permit listed as EXPIRED (exit 1)"
else
	mg_fail "expired permit review: exit $rc"; cat "$d/out" "$d/err"
fi
printf 'auto_forward_outbound = permit-list\nauto_forward_permit_file = %s\n' "$d/old.list" > "$d/fwd.conf"
"$MUGAIKA" check-config -c "$d/fwd.conf" > "$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 78 ] && grep -q "old.list:4: permit expired on $past" "$d/err"; then
	mg_pass "check-config refuses the expired permit with file:line (exit 78)"
else
	mg_fail "check-config on an expired permit: exit $rc"; cat "$d/err"
fi

printf 'P-9 a@city.example.lg.jp b@example.net kacho %s\n' "$today" > "$d/bad.list"
"$MUGAIKA" permits "$d/bad.list" > "$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 78 ] && grep -q "bad.list:1: expected ID SOURCE" "$d/err"; then
	mg_pass "bad line refused with file:line (exit 78)"
else
	mg_fail "bad permit line: exit $rc"; cat "$d/err"
fi
# issue 16: without FILE, `permits` reviews the whole exception registry
printf 'auto_forward_permit_file = %s\nadmin_audit_log =\naudit_log =\n' "$d/live.list" > "$d/reg.conf"
"$MUGAIKA" permits -c "$d/reg.conf" > "$d/out" 2>"$d/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^P-1 .*auto-forward .*active" "$d/out"; then
	mg_pass "no FILE: the registry review, the permit file included"
else
	mg_fail "no FILE: exit $rc"; cat "$d/out" "$d/err"
fi
"$MUGAIKA" permits a b > /dev/null 2>&1
rc=$?
if [ $rc -eq 64 ]; then mg_pass "two FILEs is a usage error"; else mg_fail "two FILEs: exit $rc"; fi
mg_summary
