#!/bin/sh
# issue17_accountability.sh - accountability the auditors can check, through
# the running daemon (issue 17): the daemon makes its audit key at the first
# start, writes start records and seals its logs at stop; `mugaika selftest`
# drives it over the milter protocol (7 cases pass; with the relay guard
# off the relay case fails, exit 1, and the selftest-failed alert runs the
# exec hook); a log moved away by `mv` is sealed and continued; SIGHUP with
# a changed file records the operator, the SHA-256 and the diff; a refused
# reload is recorded and alerted; check-config and permits are on record;
# every record reaches a syslog collector (RFC 5424, octet-counted TCP) as
# written; `mugaika compliance --json` reports the checks.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir issue17)
conf=$(mg_test_conf "$d")
port=$(mg_free_port)
sock="inet:$port@127.0.0.1"
rm -f "$d/audit.key" # the daemon makes it (as root)
cat >>"$conf" <<CONF
internal_domain = city.example.lg.jp
internal_network = 10.0.0.0/8
alert_exec = $d/hook.sh
alert_route = error exec
alert_interval = 0
CONF
cat >"$d/hook.sh" <<HOOK
#!/bin/sh
echo "\$1 \$2 \$(cat)" >>"$d/alerts.out"
HOOK
chmod 755 "$d/hook.sh"
# a syslog collector: every octet-counted RFC 5424 frame, one per line
cport=$(mg_free_port)
"$PYTHON3" - "$cport" "$d/collected" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(120)
out = open(sys.argv[2], "wb", buffering=0)
try:
    while True:
        c, _ = s.accept()
        buf = b""
        while True:
            data = c.recv(65536)
            if not data:
                break
            buf += data
            while b" " in buf:
                n, rest = buf.split(b" ", 1)
                if len(rest) < int(n):
                    break
                out.write(rest[:int(n)] + b"\n")
                buf = rest[int(n):]
except socket.timeout:
    pass
PY
collector=$!
echo "audit_syslog = tcp:127.0.0.1:$cport" >>"$conf"
cp "$conf" "$d/orig.conf"


start_milter() {
	"$MUGAIKA_MILTER" -f -c "$conf" -p "$sock" >>"$d/milter.log" 2>&1 &
	milter=$!
	for _i in $(seq 1 100); do
		"$PYTHON3" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null &&
			return 0
		sleep 0.1
	done
	cat "$d/milter.log"
	return 1
}
stop_milter() {
	kill "$milter" && wait "$milter"
}

if [ "$(id -u)" = 0 ]; then
	start_milter && [ -f "$d/audit.key" ] && [ "$(stat -c %a "$d/audit.key")" = 600 ] &&
		mg_pass "the daemon made its audit key (mode 0600) at the first start" ||
		mg_fail "no audit key made by the daemon"
else
	mg_test_key "$d/audit.key"
	start_milter || mg_fail "milter did not start"
	mg_skip "key made by the daemon (needs root)"
fi
M="$MUGAIKA"
C="-c $conf"

# the self-test, all cases pass
if timeout 120 $M selftest $C --milter "$sock" >"$d/st.out" 2>"$d/st.err" && [ "$(grep -c '^PASS' "$d/st.out")" = 7 ]; then
	mg_pass "selftest: 7 cases pass through the running daemon"
else
	cat "$d/st.out" "$d/st.err"
	mg_fail "selftest through the daemon"
fi
grep -q '"type":"selftest".*"passed":7,"failed":0' "$d/var/audit.log" &&
	mg_pass "the self-test is in the audit log" || mg_fail "no selftest record"

# rotation while the daemon runs: the old file is sealed, the new one links
mv "$d/var/audit.log" "$d/var/audit.log.1"
timeout 120 $M selftest $C --milter "$sock" >/dev/null 2>&1
if tail -n 1 "$d/var/audit.log.1" | grep -q '"type":"seal".*"reason":"rotate"' &&
	$M audit $C verify "$d/var/audit.log" "$d/var/audit.log.1" >"$d/v.out" 2>&1 &&
	grep -q "audit.log: .*continues .*audit.log.1" "$d/v.out"; then
	mg_pass "mv audit.log: the daemon sealed the old file and the new one continues it"
else
	cat "$d/v.out"
	mg_fail "rotation through the daemon"
fi

# a reload with a changed file: operator, hash, diff
echo "max_recipients = 500" >>"$conf"
kill -HUP "$milter"
sleep 2
if grep '"command":"config-reload"' "$d/var/admin.log" | grep -q '+max_recipients = 500' &&
	grep '"command":"config-reload"' "$d/var/admin.log" | grep -q '"operator":{"user":'; then
	mg_pass "reload recorded with the operator and the diff"
else
	grep config-reload "$d/var/admin.log"
	mg_fail "reload not recorded with its diff"
fi
# a refused reload: recorded and alerted
echo "max_recipients = many" >>"$conf"
kill -HUP "$milter"
sleep 3
grep -q '"command":"config-refused".*max_recipients' "$d/var/admin.log" &&
	grep -q "^config-refused error" "$d/alerts.out" &&
	mg_pass "refused reload recorded and alerted" || mg_fail "refused reload not recorded or alerted"
cp "$d/orig.conf" "$conf"
kill -HUP "$milter"
sleep 2

# the relay guard opened (the self-test's outside domain counted as internal;
# a daemon without internal_domain no longer starts or reloads, issue 16):
# the self-test says so and fails, with an alert
echo "internal_domain = example.com" >>"$conf"
kill -HUP "$milter"
sleep 2
if ! timeout 120 $M selftest -c "$d/orig.conf" --milter "$sock" >"$d/st2.out" 2>&1 && grep -q "^FAIL relay" "$d/st2.out" &&
	grep -q "^selftest-failed error" "$d/alerts.out"; then
	mg_pass "selftest fails the relay case when the guard lets outside-to-outside through, exit 1, alert raised"
else
	cat "$d/st2.out" "$d/alerts.out"
	mg_fail "a failing self-test"
fi
cp "$d/orig.conf" "$conf"
kill -HUP "$milter"
sleep 1
timeout 120 $M selftest $C --milter "$sock" >/dev/null 2>&1 || mg_fail "selftest after the guard is back"

# check-config and permits are on record
$M check-config $C >"$d/cc.out" 2>&1
printf 'P1 a@city.example.lg.jp b@example.net boss@city.example.lg.jp 2099-12-31 test\n' >"$d/permits"
$M permits $C "$d/permits" >/dev/null 2>&1
grep -q '"command":"check-config".*"sha256"' "$d/var/admin.log" && grep -q '"command":"permits"' "$d/var/admin.log" &&
	grep -q "signed with key" "$d/cc.out" &&
	mg_pass "check-config and permits recorded in the admin log" || mg_fail "check-config/permits not recorded"

# compliance: the checks are there (the clock's state is this host's)
$M compliance $C --json >"$d/comp.json" 2>"$d/comp.err"
rc=$?
if "$PYTHON3" - "$d/comp.json" "$rc" <<'PY'; then
import json, sys
o = json.load(open(sys.argv[1]))
st = {c["check"]: c["status"] for c in o["checks"]}
need = {"relay-guard": "pass", "audit-log": "pass", "admin-log": "pass", "selftest": "pass",
        "log-forwarding": "pass", "auto-forward": "pass"}
bad = {k: st.get(k) for k, v in need.items() if st.get(k) != v}
fails = o["summary"]["fail"]
assert not bad, bad
assert "clock" in st and "signatures" in st and "permits" in st, st
assert (int(sys.argv[2]) == 1) == (fails > 0), (sys.argv[2], fails)
PY
	mg_pass "compliance --json: the checklist, exit 1 only with a failed check"
else
	cat "$d/comp.json" "$d/comp.err"
	mg_fail "compliance"
fi

# an executable replaced under the running daemon (a package upgrade without
# a restart): found at the next check, alerted, recorded
stop_milter
mkdir -p "$d/bin"
cp "$MUGAIKA_MILTER" "$d/bin/mugaika-milter"
MUGAIKA_MILTER="$d/bin/mugaika-milter"
echo "clock_check_interval = 1" >>"$conf"
start_milter || mg_fail "the copied milter did not start"
cp "$d/bin/mugaika-milter" "$d/bin/new" && printf 'x' >>"$d/bin/new" && mv "$d/bin/new" "$d/bin/mugaika-milter"
for _i in $(seq 1 50); do
	grep -q "^binary-changed critical" "$d/alerts.out" 2>/dev/null && break
	sleep 0.2
done
grep -q "^binary-changed critical .*bin/mugaika-milter differs" "$d/alerts.out" &&
	grep -q '"command":"binary-changed"' "$d/var/admin.log" &&
	mg_pass "an executable replaced under the daemon is alerted and recorded" ||
	mg_fail "binary change not found"

# stop: each log ends in a seal; the chains verify with --require-seal
stop_milter
if $M audit $C verify --require-seal "$d/var/audit.log.1" "$d/var/audit.log" >"$d/v2.out" 2>&1; then
	mg_pass "audit log sealed at stop, chain intact across the rotation"
else
	cat "$d/v2.out"
	mg_fail "seal at stop"
fi

# the collector got the records as written
sleep 1
kill "$collector" 2>/dev/null
wait "$collector" 2>/dev/null
if "$PYTHON3" - "$d/collected" "$d/var/audit.log" <<'PY'; then
import re, sys
got = open(sys.argv[1], "rb").read().decode().splitlines()
frame = re.compile(r"^<(\d+)>1 \S+[+-]\d\d:\d\d \S+ mugaika \d+ (audit|admin) - (\{.*\})$")
msgs = []
for g in got:
    m = frame.match(g)
    assert m, g[:200]
    msgs.append(m.group(3))
for line in open(sys.argv[2], encoding="utf-8").read().splitlines():
    assert line in msgs, "not forwarded: " + line[:120]
assert any(m.startswith('{"type":"seal"') for m in msgs)
PY
	mg_pass "every audit record reached the collector as RFC 5424, unchanged"
else
	head -c 2000 "$d/collected"
	mg_fail "forwarding to the collector"
fi
rm -rf "$d"
mg_summary
