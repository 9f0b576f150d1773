# Issue 7 through Postfix: the kept original equals what was sent, its id
# is in X-Mugaika-Quarantine-Id; release re-delivers it (SMTP back into
# Postfix); a read-only quarantine directory makes the milter tempfail (SMTP
# client gets 4xx; a local submission stays in Postfix's queue) and nothing
# is delivered; the audit log's chain is intact and has every message.
i7_base="$FS_DIR/i7-base.conf"
cp "$FS_CONF" "$i7_base"
# i7_conf NAME KEY=VALUE...: the base config with those keys replaced.
i7_conf() {
	_out="$FS_DIR/i7-$1.conf"; shift
	cp "$i7_base" "$_out"
	for _kv in "$@"; do
		_k=${_kv%%=*}
		sed -i "/^$_k *=/d" "$_out"
		printf '%s = %s\n' "$_k" "${_kv#*=}" >> "$_out"
	done
	echo "$_out"
}
i7_msg="$FS_DIR/i7-1.eml"
cat > "$i7_msg" <<'MSG'
From: Sender <sender@example.net>
To: staff@city.example.lg.jp
Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=
Message-ID: <issue7-1@example.net>
Date: Sun, 29 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Keep me.
.a line that starts with a dot
MSG

if fs_reload "$(i7_conf all quarantine_keep=all release_smtp_host=127.0.0.1:$FS_RELEASE_PORT)"; then
	if fs_send "$i7_msg" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch issue7-1@example.net); then
		qid=$(sed -n 's/^X-Mugaika-Quarantine-Id: //p' "$d")
		stored="$FS_DIR/var/quarantine/$(echo "$qid" | cut -c1-8)/$qid.eml"
		if [ -n "$qid" ] && [ -f "$stored" ] && fs_strip_trace "$stored" | cmp -s - "$i7_msg"; then
			fs_pass "issue7: original kept byte-identical to what was sent (id in X-Mugaika-Quarantine-Id)"
		else
			fs_fail "issue7: kept original missing or different (id '$qid')"
			[ -f "$stored" ] && fs_strip_trace "$stored" | diff - "$i7_msg" | head -10
		fi
		if [ "$(stat -c %a "$stored" 2>/dev/null)" = 600 ]; then
			fs_pass "issue7: kept original is mode 0600"
		else
			fs_fail "issue7: kept original mode $(stat -c %a "$stored" 2>/dev/null)"
		fi
		_nq0=$(find "$FS_DIR/var/quarantine" -name '*.eml' | wc -l)
		if "$MUGAIKA" quarantine -c "$FS_CONF" release "$qid" --to chief@city.example.lg.jp \
			--reason "fullstack release test" >"$FS_DIR/i7-release.out" 2>&1; then
			_r=""
			for _i in $(seq 1 200); do
				_r=$(grep -l -F "Message-ID: <issue7-1@example.net>" "$FS_OUT"/*chief@city.example.lg.jp*.eml 2>/dev/null | head -n 1)
				[ -n "$_r" ] && break
				sleep 0.1
			done
			# issue 14: the release goes through the listener without the
			# milter, so the recipient gets the original as it was kept, and
			# it is not sanitized or quarantined a second time
			_nq=$(find "$FS_DIR/var/quarantine" -name '*.eml' | wc -l)
			if [ -n "$_r" ] && fs_strip_trace "$_r" | cmp -s - "$i7_msg"; then
				fs_pass "issue7: release re-delivered the original unchanged to the new recipient"
			else
				fs_fail "issue7: released message not delivered, or not the original"
			fi
			if [ -n "$_r" ] && ! grep -q '^X-Mugaika-' "$_r" && [ "$_nq" -eq "$_nq0" ]; then
				fs_pass "issue14: the released original did not pass the milter again (not quarantined again)"
			else
				fs_fail "issue14: the released original passed the milter again (kept originals $_nq0 -> $_nq)"
			fi
		else
			fs_fail "issue7: release failed: $(cat "$FS_DIR/i7-release.out")"
		fi
	else
		fs_fail "issue7: message not accepted/delivered with quarantine_keep = all"
	fi
else
	fs_fail "issue7: reload to quarantine_keep = all not acknowledged"
fi

# Read-only store: a quarantine directory the milter's user may not write.
mkdir -p "$FS_DIR/var/i7-ro"
chown "$FS_MILTER_USER" "$FS_DIR/var/i7-ro"
chmod 500 "$FS_DIR/var/i7-ro"
if fs_reload "$(i7_conf ro quarantine_keep=all quarantine_dir=$FS_DIR/var/i7-ro)"; then
	sed 's/issue7-1@/issue7-2@/' "$i7_msg" > "$FS_DIR/i7-2.eml"
	fs_send "$FS_DIR/i7-2.eml" sender@example.net staff@city.example.lg.jp
	rc=$?
	case "$rc:$FS_REPLY" in
	2:451*4.3.0*) fs_pass "issue7: read-only quarantine dir -> 451 4.3.0 to the SMTP client" ;;
	*) fs_fail "issue7: read-only store: expected 451 4.3.0, got rc=$rc" ;;
	esac
	sed 's/issue7-1@/issue7-3@/' "$i7_msg" > "$FS_DIR/i7-3.eml"
	_before=$(find "$FS_DIR/queue" -type f -path '*maildrop*' -o -type f -path '*deferred*' -o -type f -path '*incoming*' -o -type f -path '*active*' 2>/dev/null | wc -l)
	if "$FS_POSTFIX_SBIN/sendmail" -C "$FS_DIR/etc" -i -f sender@example.net staff@city.example.lg.jp < "$FS_DIR/i7-3.eml" 2>"$FS_DIR/i7-sendmail.err"; then
		sleep 3
		_after=$(find "$FS_DIR/queue" -type f -path '*maildrop*' -o -type f -path '*deferred*' -o -type f -path '*incoming*' -o -type f -path '*active*' 2>/dev/null | wc -l)
		if [ "$_after" -gt "$_before" ] && ! grep -q -F "issue7-3@" "$FS_OUT"/*.eml 2>/dev/null; then
			fs_pass "issue7: read-only store -> a local submission stays queued in Postfix, nothing delivered"
		else
			fs_fail "issue7: local submission with a read-only store: queue $_before -> $_after"
		fi
	else
		mg_skip "issue7: local submission (postdrop) not available: $(head -c 200 "$FS_DIR/i7-sendmail.err")"
	fi
	grep -q -F "issue7-2@" "$FS_OUT"/*.eml 2>/dev/null && fs_fail "issue7: tempfailed message was delivered"
else
	fs_fail "issue7: reload to a read-only store not acknowledged"
fi
# Full disk: a tiny tmpfs, filled up (skipped where mounting is not allowed).
mkdir -p "$FS_DIR/var/i7-full"
if mount -t tmpfs -o size=64k,mode=0700 tmpfs "$FS_DIR/var/i7-full" 2>/dev/null; then
	chown "$FS_MILTER_USER" "$FS_DIR/var/i7-full"
	dd if=/dev/zero of="$FS_DIR/var/i7-full/filler" bs=4k 2>/dev/null
	if fs_reload "$(i7_conf full quarantine_keep=all quarantine_dir=$FS_DIR/var/i7-full/q)"; then
		sed 's/issue7-1@/issue7-4@/' "$i7_msg" > "$FS_DIR/i7-4.eml"
		fs_send "$FS_DIR/i7-4.eml" sender@example.net staff@city.example.lg.jp
		rc=$?
		case "$rc:$FS_REPLY" in
		2:451*4.3.0*) fs_pass "issue7: full quarantine disk -> 451 4.3.0 to the SMTP client" ;;
		*) fs_fail "issue7: full disk: expected 451 4.3.0, got rc=$rc" ;;
		esac
	else
		fs_fail "issue7: reload to a full store not acknowledged"
	fi
	fs_reload "$i7_base"
	umount "$FS_DIR/var/i7-full"
else
	mg_skip "issue7: full-disk case needs mount -t tmpfs"
fi
fs_reload "$i7_base"
# once the store is back, the queued local submission goes through (wake
# pickup rather than wait for its 60 s timer)
"$FS_POSTFIX_SBIN/postkick" -c "$FS_DIR/etc" public pickup W 2>/dev/null
if fs_fetch issue7-3@example.net >/dev/null; then
	fs_pass "issue7: queued message delivered once the store was writable again"
else
	mg_skip "issue7: queued local submission not retried within 20 s (pickup timing)"
fi

if "$MUGAIKA" audit -c "$FS_CONF" verify "$FS_DIR/var/audit.log" >"$FS_DIR/i7-verify.out" 2>&1 &&
	grep -q '"message_id":"<issue7-1@example.net>"' "$FS_DIR/var/audit.log" &&
	grep -q '"message_id":"<issue7-2@example.net>".*"verdict":"tempfail"' "$FS_DIR/var/audit.log"; then
	fs_pass "issue7: audit log chain intact, with the delivered and the tempfailed message"
else
	fs_fail "issue7: audit log: $(cat "$FS_DIR/i7-verify.out")"
fi
