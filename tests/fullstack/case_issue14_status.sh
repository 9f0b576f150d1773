# Issue 14 through Postfix: after an accepted and a refused message, the
# metrics endpoint counts messages by verdict and direction, parts and
# scans, and `mugaika status` reports a healthy daemon (exit 0); with the
# signatures older than scan_db_max_age it reports CRITICAL (exit 2).
i14_metrics() {
	"$PYTHON3" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
		"http://127.0.0.1:$FS_METRICS_PORT/metrics" 2>/dev/null
}
# one accepted and one refused message through Postfix (the counters start
# with the daemon, which the cases before may have restarted)
"$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" clean i14-clean@example.net "$FS_DIR/i14-clean.eml"
"$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" eicar-body i14-eicar@example.net "$FS_DIR/i14-eicar.eml"
fs_send "$FS_DIR/i14-clean.eml" sender@example.net staff@city.example.lg.jp && fs_fetch i14-clean@example.net >/dev/null
fs_send "$FS_DIR/i14-eicar.eml" sender@example.net staff@city.example.lg.jp
i14_metrics >"$FS_DIR/i14-metrics.txt"
# the sum over a metric's lines that match a pattern
i14_sum() { grep "^$1" "$FS_DIR/i14-metrics.txt" | awk '{ s += $NF } END { print s + 0 }'; }
if [ "$(i14_sum 'mugaika_messages_total{verdict="accept"')" -gt 0 ] &&
	[ "$(i14_sum 'mugaika_messages_total{verdict="reject"')" -gt 0 ] &&
	[ "$(i14_sum 'mugaika_scans_total{result="clean"}')" -gt 0 ] &&
	[ "$(i14_sum 'mugaika_message_duration_seconds_count')" -gt 0 ] &&
	grep -q '^mugaika_engine_loaded 1$' "$FS_DIR/i14-metrics.txt"; then
	fs_pass "issue14: metrics endpoint counts messages (accepted and rejected), scans, latency; engine loaded"
else
	fs_fail "issue14: metrics endpoint: $(grep -c . "$FS_DIR/i14-metrics.txt") lines"
	head -40 "$FS_DIR/i14-metrics.txt"
fi
sleep 1
"$MUGAIKA" status -c "$FS_CONF" >"$FS_DIR/i14-status.out" 2>/dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^OK: .*mugaika-milter running' "$FS_DIR/i14-status.out"; then
	fs_pass "issue14: mugaika status: $(cat "$FS_DIR/i14-status.out")"
else
	fs_fail "issue14: mugaika status: exit $rc: $(cat "$FS_DIR/i14-status.out")"
fi
# Old signatures: the daemon's status says so (CRITICAL, exit 2).
cp "$FS_CONF" "$FS_DIR/i14-orig.conf"
touch -d '10 days ago' "$FS_DIR"/clamdb/*
{ grep -v '^scan_db_check_interval' "$FS_DIR/i14-orig.conf"; } >"$FS_DIR/i14-old.conf"
fs_reload "$FS_DIR/i14-old.conf"
sleep 1
"$MUGAIKA" status -c "$FS_CONF" >"$FS_DIR/i14-status.out" 2>/dev/null
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'signatures .* h old (over scan_db_max_age' "$FS_DIR/i14-status.out"; then
	fs_pass "issue14: mugaika status on old signatures: CRITICAL (exit 2)"
else
	fs_fail "issue14: mugaika status on old signatures: exit $rc: $(cat "$FS_DIR/i14-status.out")"
fi
touch "$FS_DIR"/clamdb/*
fs_reload "$FS_DIR/i14-orig.conf"
