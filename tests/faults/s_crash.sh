# Issue 11, faults 3 and 6: kill -9 in the middle of messages, under load.
# Postfix tempfails what was in flight, the sender retries, and in the end
# every message is delivered once or refused 550 (EICAR); nothing of the
# crash stays behind: no quarantine entry left "pending", no libclamav
# *-scantemp.* directory and no spool file in spool_dir (cleaned and logged
# when the daemon starts again).
ft_up || { fs_fail "crash: could not start Postfix + milter"; return 0; }
ft_load crash --duration 8 --interval 0.02 --eicar-every 3 --big-every 4 --concurrency 6 --deadline 60
for cr_at in 1.5 2.5; do
	sleep "$cr_at"
	kill -9 "$(ft_milter_pid)"
	# what a crash in mid-scan leaves in spool_dir (libclamav's per-scan
	# directory is named YYYYMMDD_HHMMSS-scantemp.RANDOM)
	cr_left="$FS_DIR/spool/20260101_000000-scantemp.0123456789"
	mkdir -p "$cr_left/sub" && head -c 100000 /dev/zero >"$cr_left/sub/member.bin"
	chown -R "$FS_MILTER_USER" "$cr_left"
	sleep 0.5
	fs_start_milter || fs_fail "crash: the milter did not start again"
done
ft_wait_load
# (an attempt killed between its audit record and its answer may leave one
# record more: the window the milter protocol leaves, see docs/faults.md)
ft_check "crash: kill -9 twice under load" --state "$FS_DIR/load-crash.json" --expect-tempfail --audit "$FS_DIR/var/audit.log" \
	--audit-crash-window
if [ "$(ft_qentries pending)" = 0 ]; then
	fs_pass "crash: no quarantine entry left pending"
else
	fs_fail "crash: $(ft_qentries pending) quarantine entries left pending"
fi
cr_stale=$(find "$FS_DIR/spool" -mindepth 1 -maxdepth 1 -name '*-scantemp.*' | wc -l)
if [ "$cr_stale" = 0 ] && grep -q "scantemp" "$FS_DIR/milter.log"; then
	fs_pass "crash: libclamav's leftovers in spool_dir removed at start (and logged)"
else
	fs_fail "crash: $cr_stale libclamav *-scantemp.* directories left in spool_dir, or their removal not logged"
fi
