#!/bin/sh
# selftest_smtp.sh - `mugaika selftest --smtp` against a tiny SMTP sink
# (tests/cli/smtp_sink.py; no Postfix, no daemon): an MTA that accepts
# everything fails the run with the "does not pass mail through mugaika"
# line; a multi-line 451 at the end of DATA fails it as a temporary
# refusal; a closed port and a server that never answers (--timeout) fail
# it as unreachable; each failure exits 1, writes the selftest record
# (via smtp) and raises selftest-failed.  The messages go out in CR LF with
# the final dot.  Option errors exit 64.  (Through Postfix:
# tests/fullstack/case_selftest_smtp.sh.)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir selftest-smtp)
conf=$(mg_test_conf "$d")
cat >>"$conf" <<CONF
alert_exec = $d/hook.sh
alert_route = error exec
alert_interval = 0
CONF
printf '#!/bin/sh\necho "$1 $2 $(cat)" >>"%s/alerts.out"\n' "$d" >"$d/hook.sh"
chmod 755 "$d/hook.sh"

sink() { # MODE: start the sink on a new port ($port, $sink_pid)
	port=$(mg_free_port)
	"$PYTHON3" "$top_srcdir/tests/cli/smtp_sink.py" "$port" "$1" "$d/sink-$1.log" &
	sink_pid=$!
	for _i in $(seq 1 100); do
		"$PYTHON3" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null && return 0
		sleep 0.1
	done
	mg_fail "the SMTP sink did not start"
}
stop_sink() { kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; }
selftest() { # NAME ARGS...: run, $rc, output in $d/NAME.out
	_n=$1; shift
	"$MUGAIKA" selftest -c "$conf" "$@" >"$d/$_n.out" 2>&1
	rc=$?
}
failed_run() { # NAME WHAT: exit 1, the summary line, the alert, the record
	if [ "$rc" -eq 1 ] && grep -q '^selftest FAILED via smtp: ' "$d/$1.out" &&
		grep -q '^selftest-failed error .*via smtp' "$d/alerts.out" &&
		grep '"type":"selftest"' "$d/var/audit.log" | tail -n 1 | grep '"via":"smtp"' | grep -q '"failed":[1-9]'; then
		mg_pass "$2: FAILED (exit 1), selftest-failed raised, the record says via smtp"
	else
		mg_fail "$2: exit $rc"
		cat "$d/$1.out" "$d/alerts.out" 2>/dev/null
	fi
	: >"$d/alerts.out"
}

# An MTA that does not pass mail through mugaika.
sink accept
selftest accept --smtp "127.0.0.1:$port"
stop_sink
grep -A1 '^FAIL eicar ' "$d/accept.out" |
	grep -q 'observed: 250 2.0.0 Ok: queued as SINK at end of data .*: the MTA accepted an infected message: it does not pass mail through mugaika (check smtpd_milters / milter_default_action)' &&
	grep -q '^FAIL relay ' "$d/accept.out" && grep -q '^FAIL oversize ' "$d/accept.out" &&
	grep -q '^PASS clean ' "$d/accept.out" && [ "$(grep -c '^SKIP .*' "$d/accept.out")" -eq 4 ] &&
	mg_pass "accept-all MTA: eicar FAILS with 'does not pass mail through mugaika', relay and oversize fail" ||
	{ mg_fail "accept-all MTA"; cat "$d/accept.out"; }
failed_run accept "accept-all MTA"
# What went over the wire: CR LF everywhere, the final dot.
if "$PYTHON3" - "$d/sink-accept.log" <<'PY'; then
import sys
msgs = open(sys.argv[1], "rb").read().split(b"--- message\n")[1:]
assert len(msgs) == 4, len(msgs)  # eicar, relay, oversize, clean
for m in msgs:
    m = m[: -len(b"--- end\n")]
    assert m.endswith(b"\r\n.\r\n"), m[-20:]
    assert b"\n" not in m.replace(b"\r\n", b""), "a bare LF"
    assert b"X-Mugaika-Selftest:" in m
PY
	mg_pass "the messages went over the wire in CR LF with the final dot"
else
	mg_fail "the messages on the wire"
fi

# --smtp-from / --smtp-rcpt choose the envelope of the inbound cases.
rm -f "$d/sink-accept.log.cmds"
sink accept
selftest envelope --smtp "127.0.0.1:$port" --smtp-from probe@example.net --smtp-rcpt postmaster@city.example.lg.jp
stop_sink
grep -A1 '^PASS clean ' "$d/envelope.out" | grep -q 'delivered to <postmaster@city.example.lg.jp>' &&
	[ "$(grep -c -a '^MAIL FROM:<probe@example.net>' "$d/sink-accept.log.cmds")" -eq 3 ] &&
	[ "$(grep -c -a '^RCPT TO:<postmaster@city.example.lg.jp>' "$d/sink-accept.log.cmds")" -eq 3 ] &&
	grep -q -a '^MAIL FROM:<selftest@example.org>' "$d/sink-accept.log.cmds" &&
	mg_pass "--smtp-from/--smtp-rcpt: the eicar, oversize and clean envelopes use them (relay keeps its own)" ||
	{ mg_fail "--smtp-rcpt"; cat "$d/envelope.out"; }
: >"$d/alerts.out"

# A dead milter behind milter_default_action = tempfail: 451 at the end of DATA.
sink tempfail
selftest tempfail --smtp "127.0.0.1:$port"
stop_sink
grep -A1 '^FAIL eicar ' "$d/tempfail.out" | grep -q 'observed: 451 4.7.1 Service unavailable at end of data .*a temporary refusal' &&
	grep -q '^FAIL clean ' "$d/tempfail.out" &&
	mg_pass "a multi-line 451 at the end of DATA: the cases fail as a temporary refusal" ||
	{ mg_fail "451 at the end of DATA"; cat "$d/tempfail.out"; }
failed_run tempfail "451 at the end of DATA"

# Nothing listening.
port=$(mg_free_port)
selftest closed --smtp "127.0.0.1:$port"
grep -A1 '^FAIL eicar ' "$d/closed.out" | grep -q 'observed: the MTA could not be reached or the conversation broke at connect' &&
	mg_pass "closed port: every checked case fails as unreachable" || { mg_fail "closed port"; cat "$d/closed.out"; }
failed_run closed "closed port"

# A server that never says anything: the per-step timeout.
sink silent
selftest silent --smtp "127.0.0.1:$port" --timeout 1
stop_sink
grep -A1 '^FAIL eicar ' "$d/silent.out" | grep -q 'observed: the MTA could not be reached or the conversation broke at connect: .*timed out' &&
	mg_pass "silent server: --timeout ends the step, the case fails" || { mg_fail "silent server"; cat "$d/silent.out"; }
failed_run silent "silent server"

# This host inside internal_network and an MTA without XCLIENT: the cases
# cannot be sent from an outside client, and fail saying so.
cp "$conf" "$d/inside.conf"
echo 'internal_network = 127.0.0.0/8' >>"$d/inside.conf"
sink accept
"$MUGAIKA" selftest -c "$d/inside.conf" --smtp "127.0.0.1:$port" >"$d/inside.out" 2>&1
rc=$?
stop_sink
[ "$rc" -eq 1 ] && grep -A1 '^FAIL eicar ' "$d/inside.out" |
	grep -q 'at EHLO: this host (127.0.0.1) is inside internal_network and the MTA offers it no XCLIENT' &&
	mg_pass "inside internal_network, no XCLIENT: the cases fail saying why (exit 1)" ||
	{ mg_fail "inside internal_network, no XCLIENT: exit $rc"; cat "$d/inside.out"; }

selftest usage1 --smtp-rcpt x@example.net
[ "$rc" -eq 64 ] && mg_pass "--smtp-rcpt without --smtp: usage (exit 64)" || mg_fail "--smtp-rcpt alone: exit $rc"
selftest usage2 --smtp 127.0.0.1:25 --smtp-from 'a b@example.net'
[ "$rc" -eq 64 ] && mg_pass "--smtp-from with a space: usage (exit 64)" || mg_fail "--smtp-from with a space: exit $rc"
mg_summary
