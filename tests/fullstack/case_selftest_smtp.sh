# selftest --smtp through the private Postfix: on the listener with the
# milter every case whose outcome shows in the SMTP reply passes (EICAR
# refused 550 5.7.1, relay refused, oversize 552, a clean message 250) and
# the others are reported as not checked; on the release listener (no
# milter: smtpd_milters empty, as a forgotten listener would be) the EICAR
# message is accepted, the run FAILS with the "does not pass mail through
# mugaika" line, exit 1, and the selftest-failed alert runs the hook.
st_conf="$FS_DIR/st-smtp.conf"
{ cat "$FS_CONF"; printf 'alert_exec = %s/st-hook.sh\nalert_route = error exec\nalert_interval = 0\n' "$FS_DIR"; } >"$st_conf"
printf '#!/bin/sh\necho "$1 $2 $(cat)" >>"%s/st-alerts.out"\n' "$FS_DIR" >"$FS_DIR/st-hook.sh"
chmod 755 "$FS_DIR/st-hook.sh"
"$MUGAIKA" selftest -c "$st_conf" --smtp "127.0.0.1:$FS_SMTP_PORT" --timeout 60 >"$FS_DIR/st-smtp.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^PASS eicar .*refused 550 5.7.1' "$FS_DIR/st-smtp.out" &&
	grep -A1 '^PASS eicar' "$FS_DIR/st-smtp.out" | grep -q 'observed: 550 5.7.1 .* at end of data' &&
	grep -q '^PASS relay ' "$FS_DIR/st-smtp.out" && grep -q '^PASS oversize ' "$FS_DIR/st-smtp.out" &&
	grep -A1 '^PASS clean ' "$FS_DIR/st-smtp.out" | grep -q 'observed: 250 ' &&
	[ "$(grep -c 'not checked in SMTP mode' "$FS_DIR/st-smtp.out")" -eq 4 ] &&
	[ "$(grep -c '^SKIP ' "$FS_DIR/st-smtp.out")" -eq 4 ] && ! grep -q '^FAIL' "$FS_DIR/st-smtp.out"; then
	fs_pass "selftest --smtp through Postfix with the milter: eicar, relay, oversize, clean pass; 4 not checked (exit 0)"
else
	fs_fail "selftest --smtp through Postfix with the milter: exit $rc"
	cat "$FS_DIR/st-smtp.out"
fi
# the clean message was really delivered (the queue id of its 250 reply)
st_qid=$(sed -n 's/.*observed: 250 .*queued as \([0-9A-F]*\) at end of data.*/\1/p' "$FS_DIR/st-smtp.out")
for _i in $(seq 1 200); do
	[ -n "$st_qid" ] && ls "$FS_OUT/$st_qid".*.eml >/dev/null 2>&1 && break
	sleep 0.1
done
if [ -n "$st_qid" ] && grep -q '^Subject: mugaika selftest: clean' "$FS_OUT/$st_qid".*.eml 2>/dev/null; then
	fs_pass "selftest --smtp: the clean message ($st_qid) reached the recipient through Postfix"
else
	fs_fail "selftest --smtp: the clean message (queue id '$st_qid') was not delivered"
fi
"$MUGAIKA" selftest -c "$st_conf" --smtp "127.0.0.1:$FS_SMTP_PORT" --json >"$FS_DIR/st-smtp.json" 2>/dev/null
rc=$?
if [ "$rc" -eq 0 ] && "$PYTHON3" - "$FS_DIR/st-smtp.json" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
names = [c["name"] for c in r["cases"]]
assert r["type"] == "selftest" and r["via"] == "smtp", r
assert r["failed"] == 0 and r["passed"] == 4 and r["not_checked"] == 4, r
assert names == ["eicar", "macro-docx", "html-lure", "encrypted-zip", "relay", "auto-forward", "oversize", "clean"], names
for c in r["cases"]:
    assert set(c) == {"name", "expected", "observed", "pass", "checked"}, c
    assert c["pass"] == c["checked"], c
PY
	fs_pass "selftest --smtp --json: the milter mode's shape, via smtp, 4 passed, 4 not checked"
else
	fs_fail "selftest --smtp --json: exit $rc"
	cat "$FS_DIR/st-smtp.json"
fi
# The listener without the milter: the infected message is accepted.
: >"$FS_DIR/st-alerts.out"
"$MUGAIKA" selftest -c "$st_conf" --smtp "127.0.0.1:$FS_RELEASE_PORT" >"$FS_DIR/st-nomilter.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^FAIL eicar ' "$FS_DIR/st-nomilter.out" &&
	grep -A1 '^FAIL eicar ' "$FS_DIR/st-nomilter.out" | grep -q 'observed: 250 .*the MTA accepted an infected message: it does not pass mail through mugaika (check smtpd_milters / milter_default_action)' &&
	grep -q '^FAIL oversize ' "$FS_DIR/st-nomilter.out" && grep -q '^selftest FAILED via smtp: ' "$FS_DIR/st-nomilter.out"; then
	fs_pass "selftest --smtp on the listener without the milter: FAILED, 'does not pass mail through mugaika' (exit 1)"
else
	fs_fail "selftest --smtp on the listener without the milter: exit $rc"
	cat "$FS_DIR/st-nomilter.out"
fi
if grep -q '^selftest-failed error .*via smtp' "$FS_DIR/st-alerts.out" &&
	grep '"type":"selftest"' "$FS_DIR/var/audit.log" | tail -n 1 | grep '"via":"smtp"' | grep -q '"failed":[1-9]'; then
	fs_pass "selftest --smtp failure: selftest-failed alert raised, selftest record (via smtp, failed) in the audit log"
else
	fs_fail "selftest --smtp failure: alert/record missing"
	cat "$FS_DIR/st-alerts.out"
	grep '"type":"selftest"' "$FS_DIR/var/audit.log" | tail -n 2
fi
# This host inside internal_network (the CLI's configuration): the cases
# need an outside client, so selftest asks Postfix for XCLIENT ADDR=192.0.2.1
# (smtpd_authorized_xclient_hosts) and still passes.
{ cat "$st_conf"; echo 'internal_network = 127.0.0.0/8'; } >"$FS_DIR/st-inside.conf"
st_lines=$(wc -l <"$FS_DIR/maillog")
"$MUGAIKA" selftest -c "$FS_DIR/st-inside.conf" --smtp "127.0.0.1:$FS_SMTP_PORT" >"$FS_DIR/st-inside.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^PASS eicar ' "$FS_DIR/st-inside.out" && grep -q '^PASS clean ' "$FS_DIR/st-inside.out" &&
	tail -n "+$((st_lines + 1))" "$FS_DIR/maillog" | grep -q 'client=unknown\[192.0.2.1\]'; then
	fs_pass "selftest --smtp from inside internal_network: XCLIENT ADDR=192.0.2.1, the cases pass (exit 0)"
else
	fs_fail "selftest --smtp from inside internal_network: exit $rc"
	cat "$FS_DIR/st-inside.out"
fi
