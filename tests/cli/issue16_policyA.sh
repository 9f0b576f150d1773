#!/bin/sh
# Issue 16, items 1-4, through `mugaika sanitize` and `mugaika check-config`:
# the relay guard with no configuration, refused recipients in the report,
# profiles per direction (outbound delivered unchanged), the outbound
# encryption rule, Authentication-Results hygiene, and SPF/DKIM/DMARC with
# the lookalike warnings, against a loopback DNS server that answers from
# records made at test time (tests/auth).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/auth/lib.sh"
d=$(mg_tmpdir issue16-policyA)
base=$(mg_test_conf "$d")
trap auth_dns_stop EXIT INT TERM

# conf NAME LINES...: the test configuration plus LINES (a key given in
# LINES replaces the base's); prints its path.
conf() {
	_n=$1; shift
	for _l in "$@"; do printf '%s\n' "$_l"; done > "$d/$_n.extra"
	mg_conf_merge "$base" "$d/$_n.extra" > "$d/$_n.conf"
	echo "$d/$_n.conf"
}

# run CONF FILE ARGS...: sanitize into $d/out (report $d/rep.json); rc in $rc
run() {
	_c=$1 _f=$2; shift 2
	"$MUGAIKA" sanitize -c "$_c" --queue-id T16 --report "$d/rep.json" "$@" "$_f" > "$d/out" 2> "$d/err"
	rc=$?
}

# expect NAME WANT-RC [PATTERN-IN-STDERR]
expect() {
	if [ "$rc" -eq "$2" ] && { [ -z "${3:-}" ] || grep -q -- "$3" "$d/err"; }; then
		mg_pass "$1"
	else
		mg_fail "$1: exit $rc, want $2${3:+ with '$3'}"
		head -n 5 "$d/err"
	fi
}

json() { "$PYTHON3" -c "import json,sys; r=json.load(open('$d/rep.json')); print($1)" 2>/dev/null; }

msg() { # msg ID FROM TO [EXTRA-HEADER]
	{
		[ -n "${4:-}" ] && printf '%s\n' "$4"
		printf 'From: %s\nTo: %s\nSubject: issue16 %s\nMessage-ID: <%s@test>\n' "$2" "$3" "$1" "$1"
		printf 'Date: Sun, 29 Nov 2026 10:00:00 +0900\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n'
		printf '<html><body><p>Hello <b>world</b></p><script>x()</script></body></html>\n'
	} > "$d/$1.eml"
	echo "$d/$1.eml"
}

# ---- 1. safe defaults: the relay guard needs no configuration -------------
printf 'clamav_database = %s\n' "$d/clamdb" > "$d/nodomain.conf"
"$MUGAIKA" check-config -c "$d/nodomain.conf" > /dev/null 2> "$d/err"
rc=$?
expect "check-config refuses a configuration without internal_domain, naming the key" 78 "internal_domain"
grep -v '^internal_domain' "$base" > "$d/unzoned.conf"
run "$d/unzoned.conf" "$(msg relay1 'x <x@example.net>' victim@example.com)" \
	--client-ip 192.0.2.1 --mail-from x@example.net --rcpt victim@example.com
expect "no internal_domain: outside->outside refused anyway (no recipient is internal)" 77 "5.7.1 Relaying denied"
run "$base" "$(msg relay2 'x <x@example.net>' staff@city.example.lg.jp)" --client-ip 192.0.2.1 \
	--mail-from x@example.net --rcpt victim@example.com --rcpt staff@city.example.lg.jp --rcpt other@example.org
got=$(json "','.join(sorted(x['rcpt']+':'+x['rule'] for x in r['refused_recipients']))")
if [ "$rc" -eq 0 ] && [ "$got" = "other@example.org:relay-denied,victim@example.com:relay-denied" ]; then
	mg_pass "every refused recipient is in the report (and so in the audit record)"
else
	mg_fail "refused recipients in the report: exit $rc, got '$got'"
fi
if grep -q '"refused_recipients"' "$d/var/audit.log" 2>/dev/null && grep -q 'other@example.org' "$d/var/audit.log"; then
	mg_pass "the audit record carries the refused recipients"
else
	mg_fail "refused recipients missing from the audit log"
fi

# ---- 2. profiles per direction -------------------------------------------
zones='internal_network = 10.0.0.0/8'
out_msg=$(msg out1 'Taro <taro@city.example.lg.jp>' partner@example.com)
run "$(conf prof "$zones")" "$out_msg" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
body_in=$(sed '1,/^$/d' "$out_msg" | sha256sum)
body_out=$(sed '1,/^$/d' "$d/out" | sha256sum)
if [ "$rc" -eq 0 ] && [ "$body_in" = "$body_out" ] && grep -q '^X-Mugaika-Status: scanned' "$d/out"; then
	mg_pass "outbound (profile scan): content delivered unchanged, status 'scanned'"
else
	mg_fail "outbound profile scan: exit $rc, body changed or no status"
fi
"$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" eicar-zip out-eicar@test "$d/out-eicar.eml"
run "$(conf prof "$zones")" "$d/out-eicar.eml" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
expect "outbound (profile scan): a virus is still refused" 77 "virus"
run "$(conf prof "$zones")" "$(msg in1 'x <x@example.net>' staff@city.example.lg.jp)" \
	--client-ip 192.0.2.1 --mail-from x@example.net --rcpt staff@city.example.lg.jp
if [ "$rc" -eq 0 ] && ! grep -q '<script>' "$d/out" && grep -q 'X-Mugaika-Status: sanitized' "$d/out"; then
	mg_pass "inbound (profile sanitize): HTML converted as before"
else
	mg_fail "inbound sanitize profile: exit $rc"
fi
run "$(conf prof2 "$zones" 'outbound_profile = sanitize')" "$out_msg" --client-ip 10.1.2.3 \
	--mail-from taro@city.example.lg.jp --rcpt partner@example.com
if [ "$rc" -eq 0 ] && ! grep -q '<script>' "$d/out"; then
	mg_pass "outbound_profile = sanitize: outbound HTML converted"
else
	mg_fail "outbound_profile = sanitize: exit $rc"
fi
run "$(conf prof "$zones")" "$(msg int1 'Taro <taro@city.example.lg.jp>' hanako@city.example.lg.jp)" \
	--client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt hanako@city.example.lg.jp
if [ "$rc" -eq 0 ] && grep -q '<script>' "$d/out" && [ "$(json "r['policy']['profile']")" = scan ]; then
	mg_pass "internal mail: internal_profile (default scan) applies"
else
	mg_fail "internal profile: exit $rc, profile $(json "r['policy']['profile']")"
fi
"$MUGAIKA" check-config -c "$(conf prof3 'inbound_profile = scan')" > /dev/null 2> "$d/err"
rc=$?
expect "inbound_profile = scan refused in lgwan mode (inbound mail must be sanitized)" 78 "inbound_profile"
"$MUGAIKA" check-config -c "$(conf prof4 'inbound_profile = scan' 'zone_mode = gateway')" > /dev/null 2> "$d/err"
rc=$?
expect "inbound_profile = scan allowed in gateway mode" 0

# ---- 2. outbound encryption (F25) ----------------------------------------
if "$PYTHON3" "$top_srcdir/tests/auth/mkenc.py" "$d/enc" 2> "$d/mkenc.err" ||
	{ AUTH_PY=$(auth_python) && "$AUTH_PY" "$top_srcdir/tests/auth/mkenc.py" "$d/enc" 2> "$d/mkenc.err"; }; then
	encconf=$(conf enc "$zones")
	while IFS="$(printf '\t')" read -r name labelled scheme; do
		run "$encconf" "$d/enc/$name.eml" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
		case "$labelled:$scheme" in
		no:*) want=0 ;;
		yes:none | yes:zip-zipcrypto | yes:pdf-rc4) want=77 ;;
		*) want=0 ;;
		esac
		seen=$(json "(r.get('encryption') or {}).get('scheme', 'none')")
		if [ "$rc" -eq "$want" ] && [ "$seen" = "$scheme" ]; then
			mg_pass "encryption $name: scheme $scheme, exit $want"
		else
			mg_fail "encryption $name: exit $rc (want $want), scheme '$seen' (want $scheme)"
			head -n 3 "$d/err"
		fi
	done < "$d/enc/enc-cases.tsv"
	run "$encconf" "$d/enc/enc-none.eml" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
	expect "labelled and not encrypted: 5.7.1 with the reason" 77 "5.7.1 .*encrypt"
	run "$(conf enc2 "$zones" 'approved_encryption = zip-zipcrypto')" "$d/enc/enc-zipcrypto.eml" \
		--client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
	expect "approved_encryption lists zip-zipcrypto: accepted" 0
	run "$(conf enc3 "$zones" 'encryption_required = off')" "$d/enc/enc-none.eml" \
		--client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
	expect "encryption_required = off: labelled plain mail passes" 0
	run "$(conf enc4 "$zones" 'encryption_missing_action = log')" "$d/enc/enc-none.eml" \
		--client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
	expect "encryption_missing_action = log: passes and is logged" 0 "encryption"
	run "$(conf enc5 "$zones" 'encryption_required = always')" "$d/enc/enc-nolabel.eml" \
		--client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt partner@example.com
	expect "encryption_required = always: unlabelled plain mail refused" 77 "5.7.1"
	"$MUGAIKA" check-config -c "$(conf enc6 'approved_encryption = rot13')" > /dev/null 2> "$d/err"
	rc=$?
	expect "approved_encryption with an unknown scheme refused with file:line" 78 "enc6.conf:[0-9]*: approved_encryption"
else
	mg_skip "encryption fixtures could not be made: $(tail -n 1 "$d/mkenc.err")"
fi

# ---- 3. header hygiene: Authentication-Results claiming our authserv-id ----
hyg=$(msg hyg1 'x <x@example.net>' staff@city.example.lg.jp \
	'Authentication-Results: mugaika.test; dkim=pass header.d=city.example.lg.jp')
sed -i '1a Authentication-Results: other.example; spf=pass smtp.mailfrom=x@example.net' "$hyg"
run "$(conf hyg 'auth_mode = off' 'auth_serv_id = mugaika.test')" "$hyg" --client-ip 192.0.2.1 \
	--mail-from x@example.net --rcpt staff@city.example.lg.jp
if [ "$rc" -eq 0 ] && ! grep -q '^Authentication-Results: mugaika.test' "$d/out" &&
	grep -q '^Authentication-Results: other.example' "$d/out"; then
	mg_pass "inbound Authentication-Results with our authserv-id removed, others kept"
else
	mg_fail "A-R hygiene: exit $rc"; grep -i '^Authentication-Results' "$d/out"
fi
hyg_out=$(msg hyg2 'Taro <taro@city.example.lg.jp>' partner@example.com \
	'Authentication-Results: mugaika.test; dkim=pass header.d=city.example.lg.jp')
run "$(conf hyg2 "$zones" 'auth_serv_id = mugaika.test')" "$hyg_out" --client-ip 10.1.2.3 \
	--mail-from taro@city.example.lg.jp --rcpt partner@example.com
if [ "$rc" -eq 0 ] && ! grep -q '^Authentication-Results: mugaika.test' "$d/out"; then
	mg_pass "outbound (unchanged content): a forged Authentication-Results with our id is still removed"
else
	mg_fail "A-R hygiene outbound: exit $rc"
fi

# ---- 4. sender authentication --------------------------------------------
if ! auth_fixtures "$d/auth" > "$d/mkauth.log" 2>&1; then
	mg_skip "sender authentication: fixtures need python3-dkim, python3-nacl, python3-dnspython and openssl"
	mg_summary
fi
AUTH_DIR="$d/auth"
auth_dns_start "$d/auth" || { mg_fail "loopback DNS server did not start"; mg_summary; }
aconf=$(conf auth "$(auth_conf "$d/auth")")
while IFS="$(printf '\t')" read -r name ip helo from _rest; do
	run "$aconf" "$d/auth/$name.eml" --client-ip "$ip" --helo "$helo" --mail-from "$from" --rcpt staff@city.example.lg.jp
	if [ "$rc" -ne 0 ]; then
		mg_fail "auth $name: exit $rc"; head -n 3 "$d/err"; continue
	fi
	if "$AUTH_PY" "$top_srcdir/tests/auth/check.py" "$d/auth/cases.tsv" "$name" "$d/out" \
		--notice "$top_srcdir/conf/notice.ja.txt" --report "$d/rep.json" > "$d/check.out"; then
		mg_pass "auth $name: spf=$(auth_case_field "$name" 5) dkim=$(auth_case_field "$name" 6) dmarc=$(auth_case_field "$name" 7) warnings=$(auth_case_field "$name" 8)"
	else
		mg_fail "auth $name"; cat "$d/check.out"
	fi
done < "$d/auth/cases.tsv"

# actions: run_case CONF NAME -> rc
run_case() {
	run "$1" "$d/auth/$2.eml" --client-ip "$(auth_case_field "$2" 2)" --helo "$(auth_case_field "$2" 3)" \
		--mail-from "$(auth_case_field "$2" 4)" --rcpt staff@city.example.lg.jp
}
run_case "$(conf rej "$(auth_conf "$d/auth")" 'auth_on_dmarc_fail = reject')" dkim-body
expect "auth_on_dmarc_fail = reject: DMARC failure refused" 77 "550 5.7.1"
run_case "$d/rej.conf" dkim-pass
expect "auth_on_dmarc_fail = reject: a DMARC pass is delivered" 0
run_case "$(conf pol "$(auth_conf "$d/auth")" 'auth_on_dmarc_fail = policy')" spf-fail
if [ "$rc" -eq 77 ] && [ -n "$(json "r['quarantine']['id']")" ]; then
	mg_pass "auth_on_dmarc_fail = policy: p=quarantine keeps the original and refuses"
else
	mg_fail "DMARC p=quarantine honoured: exit $rc"
fi
run_case "$d/pol.conf" nodmarc
expect "auth_on_dmarc_fail = policy: no DMARC record, delivered" 0
run_case "$(conf tmp "$(auth_conf "$d/auth")" 'auth_on_temperror = tempfail')" temperror
expect "auth_on_temperror = tempfail: DNS timeout gives 4xx" 75 "451 4.7"
run_case "$(conf look "$(auth_conf "$d/auth")" 'auth_on_lookalike = reject')" lookalike-idn
expect "auth_on_lookalike = reject: IDN homoglyph of the internal domain refused" 77 "550 5.7.1"
run_case "$(conf off "$(auth_conf "$d/auth" | grep -v '^auth_mode')" 'auth_mode = off')" dkim-body
if [ "$rc" -eq 0 ] && ! grep -qi '^Authentication-Results: mugaika.test' "$d/out"; then
	mg_pass "auth_mode = off: no verification, no Authentication-Results of ours"
else
	mg_fail "auth_mode = off: exit $rc"
fi

# trust-upstream: the upstream verifier's results are restated, no DNS asked
n0=$(wc -l < "$d/auth/queries")
sed '1i Authentication-Results: upstream.test; spf=fail smtp.mailfrom=a@example.com;\n\tdkim=pass header.d=example.com header.s=s1;\n\tdmarc=pass header.from=example.com' \
	"$d/auth/dkim-body.eml" > "$d/upstream.eml"
run "$(conf up "$(auth_conf "$d/auth" | grep -v '^auth_mode')" 'auth_mode = trust-upstream' 'auth_trusted_serv_id = upstream.test')" \
	"$d/upstream.eml" --client-ip 198.51.100.9 --mail-from a@example.com --rcpt staff@city.example.lg.jp
n1=$(wc -l < "$d/auth/queries")
if [ "$rc" -eq 0 ] && grep -A3 '^Authentication-Results: mugaika.test' "$d/out" | grep -q 'dmarc=pass' &&
	[ "$n0" = "$n1" ]; then
	mg_pass "trust-upstream: upstream.test's results restated in ours, no DNS lookup"
else
	mg_fail "trust-upstream: exit $rc, DNS questions $n0 -> $n1"
fi
sed 's/upstream.test;/elsewhere.test;/' "$d/upstream.eml" > "$d/untrusted.eml"
run "$d/up.conf" "$d/untrusted.eml" --client-ip 198.51.100.9 --mail-from a@example.com --rcpt staff@city.example.lg.jp
if [ "$rc" -eq 0 ] && grep -A3 '^Authentication-Results: mugaika.test' "$d/out" | grep -q 'dmarc=none'; then
	mg_pass "trust-upstream: results of an authserv-id not trusted are ignored"
else
	mg_fail "trust-upstream untrusted id: exit $rc"
fi
"$MUGAIKA" check-config -c "$(conf up2 'auth_mode = trust-upstream')" > /dev/null 2> "$d/err"
rc=$?
expect "trust-upstream without auth_trusted_serv_id refused, naming the key" 78 "auth_trusted_serv_id"
mg_summary
