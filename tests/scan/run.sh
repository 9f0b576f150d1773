#!/bin/sh
# Virus scanning through `mugaika sanitize` (issue 5): every file of Debian's
# clamav-testfiles attached to a message is blocked (scan_on_infected =
# reject) or removed (= remove); EICAR in the body, in a zip and in a
# forwarded message inside a zip is refused; a clean message passes with its
# scan in the report; no database refuses to run, degraded mode tempfails.
# The signature database and the EICAR messages are generated here.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
TESTFILES="${CLAMAV_TESTFILES:-/usr/share/clamav-testfiles}"
dir=$(mg_tmpdir scan)
conf=$(mg_test_conf "$dir")
sed -i 's/^log_level = .*/log_level = error/' "$conf"
{ cat "$conf"; echo "scan_on_infected = remove"; } > "$dir/remove.conf"
mkmsg() { "$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" "$@"; }

# sanitize CONF MSG: exit status in $rc, reply in $dir/err, report in $dir/report.json
sanitize() {
	"$MUGAIKA" sanitize -c "$1" --mail-from sender@example.net --rcpt staff@city.example.lg.jp \
		--report "$dir/report.json" "$2" >"$dir/out.eml" 2>"$dir/err"
	rc=$?
}

for kind in eicar-body eicar-zip eicar-fwd-zip; do
	mkmsg "$kind" "$kind@example.net" "$dir/$kind.eml"
	sanitize "$conf" "$dir/$kind.eml"
	if [ "$rc" = 77 ] && grep -q '550 5.7.1 .*Eicar-Test-Signature' "$dir/err"; then
		mg_pass "$kind refused with 550 5.7.1 naming the signature"
	else
		mg_fail "$kind: expected 550 5.7.1 Eicar-Test-Signature, got rc=$rc: $(cat "$dir/err")"
	fi
done

mkmsg clean clean@example.net "$dir/clean.eml"
sanitize "$conf" "$dir/clean.eml"
if [ "$rc" = 0 ] && grep -q '"message" : "clean"' "$dir/report.json" && grep -q '"output" : "clean"' "$dir/report.json" &&
	grep -q '"engine" : "' "$dir/report.json"; then
	mg_pass "clean message delivered with its scan (engine, message, output) in the report"
else
	mg_fail "clean message: rc=$rc or no scan section in the report"
fi

if [ -d "$TESTFILES" ]; then
	n=0; bad=""
	for f in "$TESTFILES"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		b=$(basename "$f")
		mkmsg attach "tf-$n@example.net" "$dir/tf.eml" "$f"
		sanitize "$conf" "$dir/tf.eml"
		if [ "$rc" != 77 ] || ! grep -q '550 5.7.1 Message contains a virus (ClamAV-Test-File' "$dir/err"; then
			bad="$bad $b(reject:rc=$rc)"
		fi
		sanitize "$dir/remove.conf" "$dir/tf.eml"
		if [ "$rc" = 0 ]; then
			grep -q '"virus" : "ClamAV-Test-File' "$dir/report.json" && grep -q '"action" : "removed"' "$dir/report.json" &&
				! grep -q "filename=\"$b\"" "$dir/out.eml" || bad="$bad $b(remove:not-removed)"
		elif [ "$rc" != 77 ]; then
			bad="$bad $b(remove:rc=$rc)"
		fi
	done
	if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
		mg_pass "all $n clamav-testfiles blocked (reject) and removed or blocked (remove)"
	else
		mg_fail "clamav-testfiles not blocked:$bad"
	fi
else
	mg_skip "clamav-testfiles not installed ($TESTFILES)"
fi

# The rebuilt message is scanned as delivered, without libclamav's own MIME
# parser (issue 15): its raw bytes (a signature on mugaika's own boundary,
# which only the output has) and each part decoded (a signature on the
# notice text, which the output carries base64-encoded).  Both must still be
# found there, and nowhere before.
cp -r "$dir/clamdb" "$dir/outdb"
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
printf 'Mugaika-Test-Boundary:0:*:%s\nMugaika-Test-Notice:0:*:%s\n' "$(hexs 'boundary="=_mugaika_')" \
	"$(hexs '無害化処理のお知らせ')" >"$dir/outdb/output.ndb"
sed "s|^clamav_database = .*|clamav_database = $dir/outdb|" "$conf" > "$dir/out.conf"
printf '%s\n' 'From: a@example.net' 'To: staff@city.example.lg.jp' 'Subject: output scan' 'MIME-Version: 1.0' \
	'Content-Type: multipart/mixed; boundary="b"' '' '--b' 'Content-Type: text/plain; charset=utf-8' '' 'hello' \
	'--b' 'Content-Type: application/octet-stream' 'Content-Disposition: attachment; filename="x.js"' \
	'Content-Transfer-Encoding: base64' '' 'dmFyIGEgPSAxOwo=' '--b--' >"$dir/outscan.eml"
sanitize "$dir/out.conf" "$dir/outscan.eml"
if [ "$rc" = 77 ] && grep -q '550 5.7.1 .*Mugaika-Test-\(Boundary\|Notice\)' "$dir/err" &&
	grep -q '"output" : "infected"' "$dir/report.json" && grep -q '"message" : "clean"' "$dir/report.json"; then
	mg_pass "the rebuilt message is scanned as delivered (found only there)"
else
	mg_fail "output scan: expected 550 from the output scan, got rc=$rc: $(cat "$dir/err")"
fi
for sig in Boundary Notice; do
	grep -v "^Mugaika-Test-$sig:" "$dir/outdb/output.ndb" > "$dir/one.ndb"
	mv "$dir/one.ndb" "$dir/outdb/output.ndb"
	printf 'Mugaika-Test-%s:0:*:%s\n' "$sig" "$(hexs "$([ $sig = Boundary ] && echo 'boundary="=_mugaika_' || echo '無害化処理のお知らせ')")" \
		>"$dir/outdb/output.ndb"
	sanitize "$dir/out.conf" "$dir/outscan.eml"
	if [ "$rc" = 77 ] && grep -q "550 5.7.1 .*Mugaika-Test-$sig" "$dir/err"; then
		mg_pass "output scan: the $sig signature alone is found ($( [ $sig = Boundary ] && echo raw bytes || echo decoded part))"
	else
		mg_fail "output scan: the $sig signature alone was not found: rc=$rc: $(cat "$dir/err")"
	fi
done

# No database: refuse to run; degraded mode: 451 4.3.0 for every message.
mkdir -p "$dir/nodb"
sed "s|^clamav_database = .*|clamav_database = $dir/nodb|" "$conf" > "$dir/nodb.conf"
sanitize "$dir/nodb.conf" "$dir/clean.eml"
if [ "$rc" = 75 ] && grep -q 'refusing to start without virus signatures' "$dir/err"; then
	mg_pass "no database: refused with a clear message"
else
	mg_fail "no database: expected exit 75 and a clear message, got rc=$rc: $(cat "$dir/err")"
fi
{ cat "$dir/nodb.conf"; echo "scan_allow_degraded = yes"; } > "$dir/degraded.conf"
sanitize "$dir/degraded.conf" "$dir/clean.eml"
if [ "$rc" = 75 ] && grep -q '451 4.3.0 Virus scanner not available' "$dir/err"; then
	mg_pass "degraded mode: message tempfailed with 451 4.3.0"
else
	mg_fail "degraded mode: expected 451 4.3.0, got rc=$rc: $(cat "$dir/err")"
fi

# Stale database: files older than scan_db_max_age -> 451 4.3.0.
cp -r "$dir/clamdb" "$dir/olddb"
touch -d '30 days ago' "$dir/olddb"/*
sed "s|^clamav_database = .*|clamav_database = $dir/olddb|" "$conf" > "$dir/old.conf"
sanitize "$dir/old.conf" "$dir/clean.eml"
if [ "$rc" = 75 ] && grep -q '451 4.3.0 Virus signature database is out of date' "$dir/err"; then
	mg_pass "stale database: every message tempfails"
else
	mg_fail "stale database: expected 451 4.3.0, got rc=$rc: $(cat "$dir/err")"
fi
mg_summary
