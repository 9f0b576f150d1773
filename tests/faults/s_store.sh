# Issue 11, fault 3: the store follows the MTA's commit.  The audit record
# must say what the MTA was told, a kept original of mail that was not
# accepted in the end must say so, and what a crash leaves (entries still
# "pending", temporary files) is reconciled when the daemon starts again.
# The faults are injected with the LD_PRELOAD shim (tests/faults/shim.c):
# the MTA refusing the new body, and the process dying right after the store
# was written or right before it.
ft_up quarantine_keep=all || { fs_fail "store: could not start Postfix + milter"; return 0; }
st_msg() { "$PYTHON3" "$top_srcdir/tests/mkscanmsg.py" clean "$1@example.net" "$FS_DIR/$1.eml"; }

# 1. The MTA refuses the body replacement of the first message: that
# attempt is told 451; the sender's retry is accepted and delivered once.
ft_milter_shim "smfi_replacebody:fail:1"
ft_load refused --count 3 --eicar-every 0 --concurrency 1 --deadline 30
ft_wait_load
if grep -q "smfi_replacebody fail" "$FS_DIR/shim.log"; then
	ft_check "store: MTA refused the new body" --state "$FS_DIR/load-refused.json" --audit "$FS_DIR/var/audit.log"
else
	fs_fail "store: the injected refusal never fired"
fi
st_acc=$(grep -l '"verdict" *: *"accept"' "$FS_DIR"/var/quarantine/*/*.json 2>/dev/null |
	xargs grep -h '"message_id"' 2>/dev/null | sort | uniq -d | wc -l)
if [ "$st_acc" = 0 ]; then
	fs_pass "store: no message has two quarantine entries that both claim it was accepted"
else
	fs_fail "store: $st_acc messages have two quarantine entries that claim acceptance"
fi

# 2. The process dies after the store was written, before the MTA has the
# answer (in the body replacement): Postfix tempfails, the retry is
# delivered once, and only the retry has an "accept" audit record.
ft_milter_shim "smfi_replacebody:kill:1"
ft_load killed --count 2 --eicar-every 0 --concurrency 1 --deadline 40 --retry-delay 1
for _i in $(seq 1 100); do kill -0 "$(ft_milter_pid)" 2>/dev/null || break; sleep 0.1; done
ft_milter_plain
ft_wait_load
ft_check "store: crash between the store and the MTA's answer" --state "$FS_DIR/load-killed.json" --audit "$FS_DIR/var/audit.log"

# 3. The process dies after the original was kept but before the verdict
# (the third scan of a one-part message is the output scan): the entry is
# left "pending".  At the next start the daemon reconciles it and says so.
st_msg store-crash
ft_milter_shim "cl_scanmap_callback:kill:3"
fs_send "$FS_DIR/store-crash.eml" sender@example.net staff@city.example.lg.jp
st_rc=$?
st_pending=$(ft_qentries pending)
# what else a crash leaves: a half-written entry file of the store
st_day=$(ls "$FS_DIR/var/quarantine" | head -n 1)
printf 'partial' >"$FS_DIR/var/quarantine/$st_day/.20260101T000000Z-0123456789abcdef.eml.AbC123"
chown -R "$FS_MILTER_USER" "$FS_DIR/var/quarantine"
ft_milter_plain
if [ "$st_rc" = 2 ] && [ "$st_pending" -ge 1 ]; then
	fs_pass "store: a crash mid-message left $st_pending pending entry and a 4xx"
else
	fs_fail "store: the crash did not happen as planned (rc=$st_rc, pending=$st_pending)"
fi
if [ "$(ft_qentries pending)" = 0 ]; then
	fs_pass "store: no entry is left pending after the restart"
else
	fs_fail "store: $(ft_qentries pending) entries still pending after the restart"
fi
if grep -q -i "reconcil" "$FS_DIR/milter.log"; then
	fs_pass "store: the daemon logged what it reconciled at start"
else
	fs_fail "store: nothing logged about reconciling the store at start"
fi
if [ -z "$(find "$FS_DIR/var/quarantine" -name '.*' -type f)" ]; then
	fs_pass "store: temporary files of the store left by a crash are removed at start"
else
	fs_fail "store: temporary files left by a crash are still there: $(find "$FS_DIR/var/quarantine" -name '.*' -type f | head -3)"
fi
