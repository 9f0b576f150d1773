# Issue 11, fault 2: a full spool, quarantine or audit filesystem under
# load (a small tmpfs, filled while mail flows, then emptied).  Every message
# ends accepted and delivered once, refused 550 (EICAR), or tempfailed and
# retried; the audit chain still verifies afterwards.
ft_up || { fs_fail "full: could not start Postfix + milter"; return 0; }
if ! ft_tmpfs "$FS_DIR/fs-spool" 4m; then
	mg_skip "full: mount -t tmpfs not allowed here"
	return 0
fi
ft_tmpfs "$FS_DIR/fs-q" 64m
ft_tmpfs "$FS_DIR/fs-audit" 4m
fu_base="$FS_DIR/fu-base.conf"
cp "$FS_CONF" "$fu_base"

# fu_round NAME DIR [inodes]: load with big (spooled to disk) and infected
# mail; DIR's filesystem full from second 1 to second 5.
fu_round() {
	ft_load "$1" --duration 8 --interval 0.05 --eicar-every 3 --big-every 4 --concurrency 4 --deadline 60
	sleep 1
	ft_fill "$2" "${3:-}"
	sleep 4
	ft_unfill "$2"
	ft_wait_load
}

install -d -o "$FS_MILTER_USER" -m 0700 "$FS_DIR/fs-spool/s"
cp "$fu_base" "$FS_DIR/fu.conf"
ft_conf_set "$FS_DIR/fu.conf" "spool_dir=$FS_DIR/fs-spool/s" spool_min_free=1M
ft_reload "$FS_DIR/fu.conf"
fu_round spool "$FS_DIR/fs-spool"
ft_check "full: spool filesystem full under load (blocks)" --state "$FS_DIR/load-spool.json" --expect-tempfail
fu_round spooli "$FS_DIR/fs-spool" inodes
ft_check "full: spool filesystem full under load (blocks and inodes)" --state "$FS_DIR/load-spooli.json" --expect-tempfail
# Issue 15 spools archive members and rebuilt parts past spool_memory_max
# too: with a tiny threshold every zip member, rebuilt file and body goes
# through a spool file, and a write that fails there must be a 451 for that
# message, never a short part delivered.
cp "$fu_base" "$FS_DIR/fu.conf"
ft_conf_set "$FS_DIR/fu.conf" "spool_dir=$FS_DIR/fs-spool/s" spool_min_free=1M spool_memory_max=1K
ft_reload "$FS_DIR/fu.conf"
fu_round spoolparts "$FS_DIR/fs-spool"
ft_check "full: spool filesystem full under load, parts and members spooled (spool_memory_max = 1K)" --state "$FS_DIR/load-spoolparts.json" --expect-tempfail

cp "$fu_base" "$FS_DIR/fu.conf"
ft_conf_set "$FS_DIR/fu.conf" "quarantine_dir=$FS_DIR/fs-q/q" "quarantine_keep=all"
ft_reload "$FS_DIR/fu.conf"
fu_round quarantine "$FS_DIR/fs-q"
ft_check "full: quarantine filesystem full under load" --state "$FS_DIR/load-quarantine.json" --expect-tempfail
fu_q_bad=$(find "$FS_DIR/fs-q/q" -name '.*' -type f | wc -l)
if [ "$fu_q_bad" = 0 ]; then
	fs_pass "full: no partial quarantine files left behind"
else
	fs_fail "full: $fu_q_bad partial quarantine files left behind"
fi

cp "$fu_base" "$FS_DIR/fu.conf"
ft_conf_set "$FS_DIR/fu.conf" "audit_log=$FS_DIR/fs-audit/audit.log"
ft_reload "$FS_DIR/fu.conf"
fu_round audit "$FS_DIR/fs-audit"
ft_check "full: audit filesystem full under load" --state "$FS_DIR/load-audit.json" --expect-tempfail --audit "$FS_DIR/fs-audit/audit.log"
# Issue 17 (issue 11 item 4): records are appended whole or not at all (a
# short write or ENOSPC is cut back), so after the disk was full the keyed
# chain verifies, every line is a keyed record ("seq"), and the writer never
# had to repair a torn tail (no "repair" record).
fu_log="$FS_DIR/fs-audit/audit.log"
fu_recs=$(grep -c '"seq":' "$fu_log" 2>/dev/null || true)
if "$MUGAIKA" audit -c "$FS_DIR/fu.conf" verify "$fu_log" >"$FS_DIR/fu-verify.out" 2>&1 && [ "${fu_recs:-0}" -gt 1 ] &&
	! grep -v '"seq":' "$fu_log" | grep -q . && ! grep -q '"type":"repair"' "$fu_log"; then
	fs_pass "full: the keyed audit chain verifies after the disk was full ($fu_recs records, no repair)"
else
	fs_fail "full: audit chain after a full disk ($fu_recs keyed records, $(grep -c '"type":"repair"' "$fu_log") repairs): $(grep -v internal_domain "$FS_DIR/fu-verify.out" | ft_head /dev/stdin)"
fi
fs_reload "$fu_base"
