# Issue 11, fault 5: drain by messages.  SIGTERM stops taking new work, lets
# the messages in end-of-message finish with their real verdict, does not
# wait for sessions that have no message (Postfix answers their next
# command 4xx once the milter is gone), and the daemon exits within a few
# seconds.  An idle daemon stops at once.
ft_up || { fs_fail "sigterm: could not start Postfix + milter"; return 0; }

sg_pid=$(ft_milter_pid)
kill -TERM "$sg_pid"
if sg_t=$(ft_wait_exit "$sg_pid" 30); then
	if awk -v t="$sg_t" 'BEGIN { exit !(t < 2.5) }'; then
		fs_pass "sigterm: an idle daemon stopped at once (${sg_t}s)"
	else
		fs_fail "sigterm: an idle daemon took ${sg_t}s to stop"
	fi
else
	fs_fail "sigterm: an idle daemon still running 30 s after SIGTERM"
fi

# Three idle SMTP sessions (each has a milter session), and one message
# whose end-of-message takes 2 s (the first scan sleeps): SIGTERM while it
# is in end-of-message.
ft_milter_shim "cl_scanmap_callback:sleep:1:2000"
"$PYTHON3" "$FT_LOAD" idle --port "$FS_SMTP_PORT" --count 3 --hold 60 --go-file "$FS_DIR/idle-go" \
	--result "$FS_DIR/idle.json" >"$FS_DIR/idle.out" 2>&1 &
sg_idle=$!
sleep 1
"$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" clean sigterm-eom@example.net "$FS_DIR/sg-eom.eml"
fs_send "$FS_DIR/sg-eom.eml" sender@example.net staff@city.example.lg.jp >/dev/null &
sg_send=$!
for _i in $(seq 1 100); do grep -q "cl_scanmap_callback sleep" "$FS_DIR/shim.log" && break; sleep 0.05; done
sg_pid=$(ft_milter_pid)
kill -TERM "$sg_pid"
if sg_t=$(ft_wait_exit "$sg_pid" 30); then
	if kill -0 "$sg_idle" 2>/dev/null && awk -v t="$sg_t" 'BEGIN { exit !(t < 10) }'; then
		fs_pass "sigterm: exited in ${sg_t}s with idle sessions still open"
	else
		fs_fail "sigterm: took ${sg_t}s to exit with idle sessions open"
	fi
else
	fs_fail "sigterm: still running 30 s after SIGTERM with idle sessions open"
fi
wait "$sg_send"
if fs_fetch sigterm-eom@example.net >/dev/null; then
	fs_pass "sigterm: the message in end-of-message was finished and delivered"
else
	fs_fail "sigterm: the message in end-of-message was not delivered"
fi
touch "$FS_DIR/idle-go"
wait "$sg_idle"
if "$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r and all(400 <= c < 500 or c == 0 for c, _ in r) else 1)' "$FS_DIR/idle.json" 2>/dev/null; then
	fs_pass "sigterm: the idle sessions' next command got a 4xx (or the connection closed)"
else
	fs_fail "sigterm: idle sessions after the stop: $(cat "$FS_DIR/idle.json" "$FS_DIR/idle.out" 2>/dev/null | head -c 300)"
fi
fs_start_milter || fs_fail "sigterm: milter restart"
