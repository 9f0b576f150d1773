# Issue 11, fault 1: libclamav's temporary directory (spool_dir) missing,
# removed while running, or not writable by the daemon's user.  libclamav
# then cannot make its per-scan directory and reports the scan clean; the
# promise is that no scan counts as clean unless it ran: the affected mail
# is tempfailed and retried, nothing infected is delivered, and a
# configuration naming an unusable directory is refused up front.
ft_up || { fs_fail "tmpdir: could not start Postfix + milter"; return 0; }
td_spool="$FS_DIR/spool"

# Removed under load, then put back: the retrying sender's mail all ends
# delivered (clean) or refused 550 (EICAR).
ft_load removed --duration 8 --interval 0.05 --eicar-every 3 --concurrency 4 --deadline 60
sleep 1
rm -rf "$td_spool"
sleep 4
install -d -o "$FS_MILTER_USER" -m 0700 "$td_spool"
ft_wait_load
ft_check "tmpdir: spool_dir removed under load" --state "$FS_DIR/load-removed.json" --expect-tempfail --audit "$FS_DIR/var/audit.log"
grep -q "spool_dir.*$td_spool\|$td_spool.*spool_dir" "$FS_DIR/milter.log" &&
	fs_pass "tmpdir: the log names spool_dir and the directory" ||
	fs_fail "tmpdir: nothing in the log names spool_dir $td_spool"

# Not writable by the daemon's user, then writable again.
ft_load unwritable --duration 8 --interval 0.05 --eicar-every 3 --concurrency 4 --deadline 60
sleep 1
chown root "$td_spool"; chmod 0755 "$td_spool"
sleep 4
chown "$FS_MILTER_USER" "$td_spool"; chmod 0700 "$td_spool"
ft_wait_load
ft_check "tmpdir: spool_dir not writable by the daemon's user under load" --state "$FS_DIR/load-unwritable.json" --expect-tempfail

# Refused up front: mugaika-milter -n, mugaika check-config, the daemon's
# start and a reload, for a missing and for an unwritable directory.
td_conf="$FS_DIR/td.conf"
for td_case in missing unwritable; do
	cp "$FS_CONF" "$td_conf"
	if [ $td_case = missing ]; then
		td_dir="$FS_DIR/no-such-spool"
	else
		td_dir="$FS_DIR/root-spool"; install -d -o root -m 0755 "$td_dir"
	fi
	ft_conf_set "$td_conf" "spool_dir=$td_dir" "user=$FS_MILTER_USER"
	chmod 644 "$td_conf"
	"$MUGAIKA_MILTER" -n -c "$td_conf" >"$FS_DIR/td-n.out" 2>&1
	rc=$?
	if [ $rc = 78 ] && grep -q "spool_dir" "$FS_DIR/td-n.out"; then
		fs_pass "tmpdir: mugaika-milter -n refuses a $td_case spool_dir (78, names the key)"
	else
		fs_fail "tmpdir: mugaika-milter -n with a $td_case spool_dir: rc=$rc $(ft_head "$FS_DIR/td-n.out")"
	fi
	"$MUGAIKA" check-config -c "$td_conf" >"$FS_DIR/td-cc.out" 2>&1
	rc=$?
	if [ $rc = 78 ] && grep -q "spool_dir" "$FS_DIR/td-cc.out"; then
		fs_pass "tmpdir: mugaika check-config refuses a $td_case spool_dir (78, names the key)"
	else
		fs_fail "tmpdir: check-config with a $td_case spool_dir: rc=$rc $(ft_head "$FS_DIR/td-cc.out")"
	fi
	td_port=$(mg_free_port)
	timeout 20 "$MUGAIKA_MILTER" -f -c "$td_conf" -p "inet:$td_port@127.0.0.1" -u "$FS_MILTER_USER" \
		-P "$FS_DIR/td.pid" >"$FS_DIR/td-start.out" 2>&1 &
	td_pid=$!
	sleep 2
	if kill -0 $td_pid 2>/dev/null; then
		fs_fail "tmpdir: the daemon started with a $td_case spool_dir"
		kill $td_pid 2>/dev/null
		wait $td_pid 2>/dev/null
	else
		wait $td_pid
		rc=$?
		if [ $rc = 78 ] && grep -q "spool_dir" "$FS_DIR/td-start.out"; then
			fs_pass "tmpdir: the daemon refuses to start with a $td_case spool_dir (78, names the key)"
		else
			fs_fail "tmpdir: the daemon with a $td_case spool_dir: rc=$rc $(ft_head "$FS_DIR/td-start.out")"
		fi
	fi
	cp "$FS_CONF" "$FS_DIR/td-good.conf"
	if fs_reload "$td_conf" && grep -q "reload refused.*spool_dir" "$FS_DIR/milter.log"; then
		fs_pass "tmpdir: a reload to a $td_case spool_dir is refused"
	else
		fs_fail "tmpdir: a reload to a $td_case spool_dir was not refused"
	fi
	fs_reload "$FS_DIR/td-good.conf"
done
