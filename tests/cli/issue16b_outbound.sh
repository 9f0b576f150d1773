#!/bin/sh
# issue16b_outbound.sh - issue 16 items 5-9 from the command line: the stop
# switch (stop/start/status, every change in the admin log, refusals), the
# approval hold (sanitize holds, hold list/show, the sender cannot approve,
# approve re-injects to every recipient, reject, release-due after the
# delay, quarantine release refuses a held entry), the exception review
# (status, uses counted from the audit log, `permits` without FILE), and
# check-config on the new files (shipped examples load; errors name
# file:line).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir issue16b)
conf=$(mg_test_conf "$d")

expect_rc() { # WANT NAME CMD...
	_want=$1 _name=$2; shift 2
	"$@" >"$d/out" 2>"$d/err"
	_rc=$?
	if [ "$_rc" -eq "$_want" ]; then mg_pass "$_name (exit $_rc)"; else mg_fail "$_name: exit $_rc, want $_want"; cat "$d/out" "$d/err"; fi
}
expect_in() { # FILE PATTERN NAME
	if grep -q -- "$2" "$1"; then mg_pass "$3"; else mg_fail "$3: $(basename "$1") lacks '$2'"; cat "$1"; fi
}

cat > "$d/sendmail.sh" <<EOS
#!/bin/sh
echo "\$@" >> "$d/sm.args"
cat >> "$d/sm.in"
EOS
chmod +x "$d/sendmail.sh"
cat >> "$conf" <<EOC
internal_network = 10.0.0.0/8
internal_domain = city.example.lg.jp
release_sendmail = $d/sendmail.sh
hold_external_recipients = 1
EOC

# ---- stop switch ----
expect_rc 64 "stop without --reason is a usage error" "$MUGAIKA" stop -c "$conf" out
expect_rc 64 "stop with an unknown scope" "$MUGAIKA" stop -c "$conf" --reason x sideways
expect_rc 64 "stop client needs an IP address" "$MUGAIKA" stop -c "$conf" --reason x client not-an-ip
expect_rc 0 "stop out" env SUDO_USER=tanaka "$MUGAIKA" stop -c "$conf" --reason "spam from 10.1.2.3" out
expect_in "$d/out" "out mail stopped" "stop out says what it did"
expect_rc 0 "stop sender" "$MUGAIKA" stop -c "$conf" --reason "burst" sender Taro@City.Example.LG.JP
expect_rc 0 "stop status" "$MUGAIKA" stop -c "$conf" status
expect_in "$d/out" "^out .* by tanaka (admin): spam from 10.1.2.3" "status shows the stop with who and why"
expect_in "$d/out" "^sender taro@city.example.lg.jp" "status shows the stopped sender (lower case)"
expect_rc 0 "stop status --json" "$MUGAIKA" stop -c "$conf" status --json
expect_in "$d/out" '"scope" : "out"' "the JSON state"
printf 'From: taro@city.example.lg.jp\nSubject: x\n\nx\n' > "$d/plain.eml"
expect_rc 75 "sanitize of outbound mail while stopped: 4xx" "$MUGAIKA" sanitize --store -c "$conf" --client-ip 10.1.2.3 \
	--mail-from jiro@city.example.lg.jp --rcpt partner@example.com "$d/plain.eml"
expect_in "$d/err" "451 4.3.2" "the stop's reply"
expect_rc 0 "start out" "$MUGAIKA" start -c "$conf" out
expect_rc 0 "start sender" "$MUGAIKA" start -c "$conf" sender taro@city.example.lg.jp
expect_rc 0 "start out again (already)" "$MUGAIKA" start -c "$conf" out
expect_in "$d/out" "already" "start says it was already so"
expect_rc 0 "status after start" "$MUGAIKA" stop -c "$conf" status
expect_in "$d/out" "nothing stopped" "nothing stopped after start"
n=$(grep -c '"command":"stop"\|"command":"start"' "$d/var/admin.log")
if [ "$n" -eq 5 ]; then mg_pass "each stop and start is in the admin log (5)"; else mg_fail "admin log has $n stop/start records"; fi
expect_in "$d/var/admin.log" '"user":"tanaka".*"command":"stop","scope":"out".*"reason":"spam from 10.1.2.3"' "the admin record names the person, scope and reason"
cp "$conf" "$d/ro.conf"
printf 'admin_audit_log = /nonexistent/dir/admin.log\n' >> "$d/ro.conf"
sed -i '/^admin_audit_log = .*var/d' "$d/ro.conf"
expect_rc 1 "stop refused when the admin log cannot be written" "$MUGAIKA" stop -c "$d/ro.conf" --reason x all
expect_rc 0 "and nothing was stopped" "$MUGAIKA" stop -c "$conf" status
expect_in "$d/out" "nothing stopped" "state unchanged after a refused stop"

# ---- approval hold ----
printf 'From: Taro <taro@city.example.lg.jp>\nTo: a@example.com, b@example.net\nSubject: hold me\nMessage-ID: <h1@city.example.lg.jp>\n\nbody\n' > "$d/h1.eml"
expect_rc 0 "sanitize holds mail to two external recipients" "$MUGAIKA" sanitize --store -c "$conf" --client-ip 10.1.2.3 \
	--mail-from taro@city.example.lg.jp --rcpt a@example.com --rcpt b@example.net "$d/h1.eml"
if [ ! -s "$d/out" ] && grep -q "250 2.0.0 Held for approval" "$d/err"; then
	mg_pass "a held message is not printed (nothing is delivered now)"
else
	mg_fail "held message printed or no hold reply"; cat "$d/err"
fi
hid=$(sed -n 's/.*Held for approval (\([^)]*\)).*/\1/p' "$d/err" | head -n 1)
expect_rc 0 "hold list" "$MUGAIKA" hold -c "$conf" list
expect_in "$d/out" "^$hid .*pending .*approval" "the held message is listed as pending"
expect_in "$d/out" "2 external recipients (hold_external_recipients 1)" "with its reason"
expect_rc 0 "hold show" "$MUGAIKA" hold -c "$conf" show "$hid"
expect_in "$d/out" "^Status *pending" "show gives the status"
expect_rc 1 "quarantine release refuses a held message" "$MUGAIKA" quarantine -c "$conf" release "$hid" --to a@example.com --reason x
expect_in "$d/err" "use .mugaika hold approve" "and points to hold approve"
expect_rc 64 "approve needs --reason" "$MUGAIKA" hold -c "$conf" approve "$hid"
expect_rc 1 "the sender cannot approve (local part)" env SUDO_USER=taro "$MUGAIKA" hold -c "$conf" approve "$hid" --reason "self"
expect_in "$d/err" "another person must approve" "the refusal says why"
[ ! -e "$d/sm.in" ] && mg_pass "nothing released by the refused approval" || mg_fail "released on a refused approval"
expect_rc 0 "another person approves" env SUDO_USER=kacho "$MUGAIKA" hold -c "$conf" approve "$hid" --reason "宛先確認済み"
if [ "$(grep -c 'taro@city.example.lg.jp' "$d/sm.args")" -eq 2 ] && grep -q -- "-- a@example.com" "$d/sm.args" &&
	grep -q -- "-- b@example.net" "$d/sm.args"; then
	mg_pass "approval re-injects to every recipient with the original sender"
else
	mg_fail "release arguments: $(cat "$d/sm.args")"
fi
if grep -q "^X-Mugaika-Status:" "$d/sm.in" && grep -q "^Subject: hold me" "$d/sm.in"; then
	mg_pass "the released message is the one mugaika would have delivered"
else
	mg_fail "released content"; head -20 "$d/sm.in"
fi
expect_rc 0 "hold show after approval" "$MUGAIKA" hold -c "$conf" show "$hid"
expect_in "$d/out" "^Status *released" "status released"
expect_in "$d/out" "approve by kacho: 宛先確認済み (released)" "the decision is recorded with the approver"
expect_rc 1 "a decided message cannot be approved again" env SUDO_USER=kacho "$MUGAIKA" hold -c "$conf" approve "$hid" --reason again
expect_in "$d/var/admin.log" '"user":"taro".*"command":"hold-approve".*refused' "the refused approval is in the admin log"

printf 'From: taro@city.example.lg.jp\nSubject: reject me\nMessage-ID: <h2@city.example.lg.jp>\n\nbody\n' > "$d/h2.eml"
"$MUGAIKA" sanitize --store -c "$conf" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt a@example.com \
	--rcpt c@example.org "$d/h2.eml" >/dev/null 2>"$d/err"
hid2=$(sed -n 's/.*Held for approval (\([^)]*\)).*/\1/p' "$d/err" | head -n 1)
rm -f "$d/sm.in" "$d/sm.args"
expect_rc 0 "reject" env SUDO_USER=kacho "$MUGAIKA" hold -c "$conf" reject "$hid2" --reason "誤送信"
[ ! -e "$d/sm.in" ] && mg_pass "a rejected message is not sent" || mg_fail "rejected message sent"
expect_rc 0 "list --all shows decided ones" "$MUGAIKA" hold -c "$conf" list --all
expect_in "$d/out" "^$hid2 .*rejected" "rejected entry listed with --all"
expect_rc 0 "list without --all" "$MUGAIKA" hold -c "$conf" list
if grep -q "^$hid2 \|^$hid " "$d/out"; then mg_fail "decided entries in the pending list"; else mg_pass "decided entries leave the pending list"; fi

cp "$conf" "$d/delay.conf"
printf 'hold_release = delay\nhold_delay = 10\n' >> "$d/delay.conf"
printf 'From: taro@city.example.lg.jp\nSubject: later\nMessage-ID: <h3@city.example.lg.jp>\n\nbody\n' > "$d/h3.eml"
"$MUGAIKA" sanitize --store -c "$d/delay.conf" --client-ip 10.1.2.3 --mail-from taro@city.example.lg.jp --rcpt a@example.com \
	--rcpt c@example.org "$d/h3.eml" >/dev/null 2>"$d/err"
hid3=$(sed -n 's/.*Held for approval (\([^)]*\)).*/\1/p' "$d/err" | head -n 1)
expect_rc 0 "release-due before the delay" "$MUGAIKA" hold -c "$d/delay.conf" release-due
[ ! -e "$d/sm.in" ] && mg_pass "not released before hold_delay" || mg_fail "released before the delay"
sleep 11
expect_rc 0 "release-due after the delay" "$MUGAIKA" hold -c "$d/delay.conf" release-due
if [ "$(grep -c -- '-- ' "$d/sm.args" 2>/dev/null)" -eq 2 ]; then mg_pass "released once hold_delay passed"; else mg_fail "not released after the delay"; fi
expect_rc 0 "show the delayed one" "$MUGAIKA" hold -c "$d/delay.conf" show "$hid3"
expect_in "$d/out" "release-due by .*(released)" "the automatic release is recorded"

# ---- exceptions ----
today=$(date +%F); later=$(date -d '100 days' +%F); past=$(date -d '40 days ago' +%F); soon=$(date -d '3 days' +%F)
due=$(date -d '2 days ago' +%F)
cat > "$d/exc.conf" <<EXC
[DP-1]
type = destination-permit
sender = kouhou@city.example.lg.jp
recipient = @gmail.com
requested_by = 広報課 伊藤
approved_by = CISO補佐 佐藤
reason = 報道対応
granted = $today
expires = $later

[OLD-1]
type = bcc-exempt
sender = @a.example
requested_by = x
approved_by = y
reason = old
granted = 2020-01-01
expires = $past

[SOON-1]
type = size-raise
sender = @b.example
size = 50M
requested_by = x
approved_by = y
reason = plans
granted = $today
expires = $soon

[EM-1]
type = emergency-profile
profile = body-only
recipient = staff@city.example.lg.jp
requested_by = 情報政策課 田中
approved_by = CISO補佐 佐藤
reason = CDR 障害
granted = $past
expires = $later
emergency = yes
post_report_due = $due
EXC
printf 'FWD-1 taro@city.example.lg.jp taro@example.net kacho %s trip\n' "$later" > "$d/permit.list"
cp "$conf" "$d/exc-main.conf"
printf 'exceptions_file = %s\nauto_forward_permit_file = %s\nfreemail_domains_file = %s\nfreemail_action = permit-list\n' \
	"$d/exc.conf" "$d/permit.list" "$top_srcdir/conf/freemail-domains.list" >> "$d/exc-main.conf"
sed -i '/^hold_external_recipients/d' "$d/exc-main.conf"
printf 'From: kouhou@city.example.lg.jp\nSubject: press\n\nx\n' > "$d/dp.eml"
expect_rc 0 "a destination permit is used" "$MUGAIKA" sanitize --store -c "$d/exc-main.conf" --client-ip 10.1.2.3 \
	--mail-from kouhou@city.example.lg.jp --rcpt press@gmail.com "$d/dp.eml"
"$MUGAIKA" sanitize --store -c "$d/exc-main.conf" --client-ip 10.1.2.3 --mail-from kouhou@city.example.lg.jp --rcpt press@gmail.com "$d/dp.eml" >/dev/null 2>&1
printf 'From: x@example.net\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbody\n--b\nContent-Type: text/csv; name=a.csv\nContent-Disposition: attachment; filename=a.csv\n\na,b\n--b--\n' > "$d/em.eml"
expect_rc 0 "an inbound message under the body-only emergency profile" "$MUGAIKA" sanitize --store -c "$d/exc-main.conf" \
	--report "$d/em.json" --client-ip 192.0.2.1 --mail-from x@example.net --rcpt staff@city.example.lg.jp "$d/em.eml"
expect_in "$d/em.json" "emergency profile EM-1 (body-only): attachments are not accepted" "its attachment removed under EM-1"
expect_rc 1 "the review exits 1 with an expired entry" "$MUGAIKA" exceptions -c "$d/exc-main.conf"
expect_in "$d/out" "^EM-1 *emergency-profile *post-report OVERDUE *$later *1 " "the emergency profile, its overdue report and its use"
expect_in "$d/out" "scope: sender any; recipient staff@city.example.lg.jp; profile body-only (inbound sanitization)" "its profile in the scope"
expect_in "$d/out" "^DP-1 *destination-permit *active *$later *2 " "the permit with its 2 uses from the audit log"
expect_in "$d/out" "^OLD-1 *bcc-exempt *EXPIRED" "the expired entry"
expect_in "$d/out" "^SOON-1 *size-raise *expires in 3 days" "the entry about to expire"
expect_in "$d/out" "^FWD-1 *auto-forward *active" "permit-forward.list read as auto-forward entries"
expect_in "$d/out" "requested by (not recorded), approved by kacho" "a permit line has no requester"
expect_in "$d/out" "requested by 広報課 伊藤, approved by CISO補佐 佐藤; granted $today: 報道対応" "requester, approver and reason"
expect_rc 1 "permits without FILE is the same review" "$MUGAIKA" permits -c "$d/exc-main.conf"
expect_in "$d/out" "^DP-1 " "permits lists the registry"
expect_rc 1 "exceptions --json" "$MUGAIKA" exceptions -c "$d/exc-main.conf" --json
expect_in "$d/out" '"id" : "DP-1"' "JSON review"
expect_in "$d/var/admin.log" '"command":"exceptions"' "the review is in the admin log"

# ---- check-config ----
cp "$conf" "$d/shipped.conf"
printf 'exfil_rules = %s\nexfil_rules = %s\nfreemail_domains_file = %s\nforbidden_destinations_file = %s\nexceptions_file = %s\n' \
	"$top_srcdir/conf/exfil-labels.rules" "$top_srcdir/conf/exfil-dictionary.rules" "$top_srcdir/conf/freemail-domains.list" \
	"$top_srcdir/conf/forbidden-destinations.list" "$top_srcdir/conf/exceptions.conf" >> "$d/shipped.conf"
expect_rc 0 "the shipped rule files, lists and registry load" "$MUGAIKA" check-config -c "$d/shipped.conf"
printf '[A-1]\ntype = bcc-exempt\nsender = @a.example\nrequested_by = 山田\napproved_by = 山田\nreason = r\ngranted = 2026-01-01\nexpires = 2027-01-01\n' > "$d/same.conf"
cp "$conf" "$d/bad1.conf"; printf 'exceptions_file = %s\n' "$d/same.conf" >> "$d/bad1.conf"
expect_rc 78 "requester = approver refused" "$MUGAIKA" check-config -c "$d/bad1.conf"
expect_in "$d/err" "same.conf:5: \[A-1\] approved_by: '山田' also requested it" "names file:line and the rule"
printf '[E-1]\ntype = emergency-profile\nprofile = pass-through\nrequested_by = x\napproved_by = y\nreason = r\ngranted = 2026-01-01\nexpires = 2027-01-01\nemergency = yes\npost_report_due = 2026-01-08\n' > "$d/em-bad.conf"
cp "$conf" "$d/bad-em.conf"; printf 'exceptions_file = %s\n' "$d/em-bad.conf" >> "$d/bad-em.conf"
expect_rc 78 "an unknown emergency profile refused" "$MUGAIKA" check-config -c "$d/bad-em.conf"
expect_in "$d/err" "em-bad.conf:3: \[E-1\] profile: 'pass-through' is not allowed; allowed: body-only|cdr-fallback" "names file:line, the key and what is allowed"
printf '[regex R]\nmatch = (\n' > "$d/bad.rules"
cp "$conf" "$d/bad2.conf"; printf 'exfil_rules = %s\n' "$d/bad.rules" >> "$d/bad2.conf"
expect_rc 78 "a bad regular expression refused" "$MUGAIKA" check-config -c "$d/bad2.conf"
expect_in "$d/err" "bad.rules:2: \[regex R\] match: '(' is not a regular expression" "names file:line"
cp "$conf" "$d/bad3.conf"; printf 'freemail_action = block\n' >> "$d/bad3.conf"
expect_rc 78 "freemail_action without a list refused" "$MUGAIKA" check-config -c "$d/bad3.conf"
expect_in "$d/err" "freemail_domains_file: empty, but freemail_action is not log" "names the key"
printf 'gmail.com\nnot a domain\n' > "$d/bad.list"
cp "$conf" "$d/bad4.conf"; printf 'forbidden_destinations_file = %s\n' "$d/bad.list" >> "$d/bad4.conf"
expect_rc 78 "a bad destination list refused" "$MUGAIKA" check-config -c "$d/bad4.conf"
expect_in "$d/err" "bad.list:2: 'not a domain' is not a destination" "names file:line"
cp "$conf" "$d/bad5.conf"; printf 'stop_state_file = relative/stop.state\n' >> "$d/bad5.conf"
expect_rc 78 "a relative stop_state_file refused" "$MUGAIKA" check-config -c "$d/bad5.conf"
mg_summary
