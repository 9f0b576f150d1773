#!/bin/sh
# issue7_admin.sh - the admin commands end to end on a private store:
# sanitize keeps the original, list/show/export/release/hold/purge, bad
# input (unknown and malformed ids, corrupt metadata, bad dates), audit
# verify on an edited line, and report counts against the audit log.
set -u
B=${top_builddir:-.}
M="$B/mugaika"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { N=$((N + 1)); echo "ok $N - $*"; }
expect_rc() { # WANT DESCRIPTION CMD...
	want=$1 what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] || { cat "$T/out" "$T/err"; fail "$what: exit $rc, want $want"; }
	ok "$what"
}

cat >"$T/sendmail.sh" <<EOS
#!/bin/sh
echo "\$@" > "$T/sm.args"
cat > "$T/sm.in"
exit \${FAKE_SENDMAIL_RC:-0}
EOS
chmod +x "$T/sendmail.sh"
sh "$top_srcdir/tests/mkclamdb.sh" "$T/clamdb" # issue 5: every message is scanned
cat >"$T/m.conf" <<EOC
clamav_database = $T/clamdb
quarantine_dir = $T/q
audit_log = $T/audit.log
admin_audit_log = $T/admin.log
audit_key_file = $T/audit.key
quarantine_keep = all
release_sendmail = $T/sendmail.sh
internal_domain = city.example.lg.jp
auth_mode = off
EOC
C="-c $T/m.conf"
printf "audit_log =\nadmin_audit_log =\n" >"$T/key.conf"
"$M" audit key generate --key-file "$T/audit.key" -c "$T/key.conf" >/dev/null 2>&1 || fail "audit key generate"
printf 'From: Sender <s@example.com>\nTo: u@city.example.lg.jp\nSubject: report\nMessage-ID: <m1@example.com>\n\nline 1\n.dot line\n' >"$T/m1.eml"
printf 'From: x@other.example\nSubject: second\n\nbody\n' >"$T/m2.eml"

# keeping the originals
expect_rc 0 "sanitize keeps m1" "$M" sanitize $C --mail-from s@example.com --rcpt u@city.example.lg.jp "$T/m1.eml"
ID=$(sed -n 's/^X-Mugaika-Quarantine-Id: //p' "$T/out")
[ -n "$ID" ] || fail "no X-Mugaika-Quarantine-Id header"
expect_rc 0 "sanitize keeps m2" "$M" sanitize $C --mail-from x@other.example --rcpt u@city.example.lg.jp "$T/m2.eml"
ID2=$(sed -n 's/^X-Mugaika-Quarantine-Id: //p' "$T/out")

# a blocked message (rejected at end of data) is kept too
printf 'max_mime_parts = 2\n' >"$T/deep.conf"
cat "$T/m.conf" >>"$T/deep.conf"
printf 'From: m@bad.example\nMessage-ID: <deep@bad.example>\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n\nx\n--c--\n--b--\n--a--\n' >"$T/deep.eml"
expect_rc 77 "sanitize rejects and keeps the deep message" "$M" sanitize -c "$T/deep.conf" --mail-from m@bad.example --rcpt u@city.example.lg.jp "$T/deep.eml"
IDB=$(sed -n 's/.*original kept: quarantine id \([^ ]*\) (blocked).*/\1/p' "$T/err")
[ -n "$IDB" ] || fail "blocked message not kept"
expect_rc 1 "release of a blocked message needs --force" "$M" quarantine $C release "$IDB" --to a@city.example.lg.jp --reason x
grep -q "only with --force" "$T/err" || fail "no --force hint"
expect_rc 0 "release of a blocked message with --force" "$M" quarantine $C release "$IDB" --to a@city.example.lg.jp --reason "checked by CSIRT" --force
# an entry the MTA never accepted (left by a killed daemon, issue 11): its
# sender retries it, so a release could deliver it twice
MJ=$(find "$T/q" -name "$ID2.json")
sed 's/"state" *: *"final"/"state":"not-accepted"/' "$MJ" >"$T/na.json" && cat "$T/na.json" >"$MJ"
grep -q '"state":"not-accepted"' "$MJ" || fail "could not mark $ID2 not-accepted"
expect_rc 1 "release of a not-accepted entry needs --force" "$M" quarantine $C release "$ID2" --to a@city.example.lg.jp --reason x
grep -q "never accepted" "$T/err" || fail "no explanation for the not-accepted refusal"
expect_rc 0 "release of a not-accepted entry with --force" "$M" quarantine $C release "$ID2" --to a@city.example.lg.jp --reason "not retried" --force

# list with filters
expect_rc 0 "list" "$M" quarantine $C list
grep -q "$ID" "$T/out" && grep -q "$ID2" "$T/out" || fail "list misses an entry"
expect_rc 0 "list --sender" "$M" quarantine $C list --sender other.example
grep -q "$ID2" "$T/out" && ! grep -q "$ID" "$T/out" || fail "--sender filter"
expect_rc 0 "list --since tomorrow" "$M" quarantine $C list --since "$(TZ=UTC-9 date -d tomorrow +%F)"
[ ! -s "$T/out" ] || fail "--since tomorrow lists something"
expect_rc 0 "list --until today (inclusive)" "$M" quarantine $C list --until "$(TZ=UTC-9 date +%F)" --verdict accept
[ "$(wc -l <"$T/out")" = 2 ] || fail "--until today with --verdict accept should list both"
expect_rc 64 "list --since bad date" "$M" quarantine $C list --since 2026-02-30
grep -q "2026-02-30" "$T/err" || fail "bad date not named"
expect_rc 64 "list --verdict unknown" "$M" quarantine $C list --verdict maybe
grep -q "'maybe'" "$T/err" || fail "bad verdict not named"

# show, export
expect_rc 0 "show" "$M" quarantine $C show "$ID"
grep -q "Subject *report" "$T/out" || fail "show lacks the subject"
expect_rc 1 "show unknown id" "$M" quarantine $C show 20261129T110203Z-0123456789abcdef
grep -q "20261129T110203Z-0123456789abcdef" "$T/err" || fail "unknown id not named"
expect_rc 64 "show malformed id" "$M" quarantine $C show ../../etc/passwd
expect_rc 0 "export" "$M" quarantine $C export "$ID" -o "$T/exported.eml"
cmp -s "$T/exported.eml" "$T/m1.eml" || fail "exported original differs from what was received"
expect_rc 1 "export never overwrites" "$M" quarantine $C export "$ID" -o "$T/exported.eml"

# release
expect_rc 64 "release without --reason" "$M" quarantine $C release "$ID" --to a@city.example.lg.jp
expect_rc 64 "release to an option-like address" "$M" quarantine $C release "$ID" --to -oi --reason x
expect_rc 0 "release" "$M" quarantine $C release "$ID" --to a@city.example.lg.jp --reason "false positive"
cmp -s "$T/sm.in" "$T/m1.eml" || fail "released message differs from the original"
[ "$(cat "$T/sm.args")" = "-i -f s@example.com -- a@city.example.lg.jp" ] || fail "sendmail args: $(cat "$T/sm.args")"
FAKE_SENDMAIL_RC=75 expect_rc 1 "release with failing sendmail" "$M" quarantine $C release "$ID" --to a@city.example.lg.jp --reason retry
tail -1 "$T/admin.log" | grep -q '"result":"error: ' || fail "failed release not recorded"
expect_rc 0 "show lists the release" "$M" quarantine $C show "$ID"
grep -q "by .* to <a@city.example.lg.jp>: false positive" "$T/out" || fail "release not in metadata"

# hold and purge
expect_rc 0 "hold" "$M" quarantine $C hold "$ID"
expect_rc 0 "list shows HOLD" "$M" quarantine $C list
grep "$ID" "$T/out" | grep -q HOLD || fail "hold flag not listed"
expect_rc 0 "purge (nothing expired)" "$M" quarantine $C purge
grep -q "0 removed, 1 on legal hold kept" "$T/out" || fail "purge summary: $(cat "$T/out")"
expect_rc 0 "hold --off" "$M" quarantine $C hold "$ID" --off

# corrupt metadata: named, non-zero exit, the other entry still listed
D=$(echo "$ID2" | cut -c1-8)
echo '{"id": "broken' >"$T/q/$D/$ID2.json"
expect_rc 1 "list with a corrupt entry" "$M" quarantine $C list
grep -q "$ID2.json: corrupt metadata" "$T/err" || fail "corrupt metadata not named"
grep -q "$ID" "$T/out" || fail "other entry not listed"

# every admin command was recorded, with who ran it
grep -c '"type":"admin"' "$T/admin.log" | grep -qv '^0$' || fail "no admin records"
grep -q '"command":"release".*"to":"a@city.example.lg.jp".*"reason":"false positive".*"result":"ok"' "$T/admin.log" ||
	fail "release not in the admin log"

# audit verify
expect_rc 0 "audit verify intact" "$M" audit $C verify "$T/audit.log" "$T/admin.log"
sed '1s/"s@example.com"/"t@example.com"/' "$T/audit.log" >"$T/edited.log"
expect_rc 1 "audit verify edited line" "$M" audit $C verify "$T/edited.log"
grep -q "line 1 (seq 1): broken: MAC does not match" "$T/out" || fail "edited line not named: $(cat "$T/out")"

# report
expect_rc 0 "report --json" "$M" report $C --from "$(TZ=UTC-9 date +%F)" --to "$(TZ=UTC-9 date +%F)" --json
grep -q "\"messages\" : $(wc -l <"$T/audit.log")" "$T/out" || fail "report count differs from the audit log"
grep -q '"releases_count" : 3' "$T/out" || fail "report releases (blocked, not-accepted and m1 released)"
grep -q '"example.com"' "$T/out" || fail "report top domains"
expect_rc 0 "report text" "$M" report $C --from "$(TZ=UTC-9 date +%F)" --to "$(TZ=UTC-9 date +%F)"
grep -q "Quarantine releases: 3" "$T/out" || fail "text report"
expect_rc 64 "report bad date" "$M" report $C --from 2026-11-31 --to 2026-12-01
grep -q "2026-11-31" "$T/err" || fail "bad date not named"
expect_rc 64 "report without --to" "$M" report $C --from 2026-11-01
echo "PASS: $N checks"
