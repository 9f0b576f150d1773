# Foundation cases: a message travels SMTP -> Postfix -> mugaika-milter ->
# delivery with a rebuilt MIME tree; milter and CLI output are identical;
# structural limits refuse with the right codes; a dead milter tempfails.
fs_msg="$FS_DIR/foundation-1.eml"
cat > "$fs_msg" <<'MSG'
From: Sender <sender@example.net>
To: staff@city.example.lg.jp
Subject: foundation test
Message-ID: <foundation-1@example.net>
Date: Sun, 29 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
X-Mugaika-Status: clean (forged by the sender)
Content-Type: multipart/mixed; boundary="sender-boundary"

--sender-boundary
Content-Type: text/plain; charset=us-ascii

Hello from the Internet.
--sender-boundary
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgc=
--sender-boundary--
MSG
if fs_send "$fs_msg" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch foundation-1@example.net); then
	if grep -q '^X-Mugaika-Status: sanitized' "$d" && ! grep -q 'forged by the sender' "$d" &&
		grep -q '^Content-Type: multipart/mixed; boundary="=_mugaika_' "$d" && ! grep -q 'sender-boundary' "$d"; then
		fs_pass "delivered through Postfix with a rebuilt MIME tree and our status header only"
	else
		fs_fail "delivered copy lacks the rebuilt tree or kept the forged header ($d)"
	fi
else
	fs_fail "foundation-1 not accepted/delivered"
fi

# A body that comes out as it came in is not sent back to Postfix (issue 15:
# the milter skips the body replacement, tests/miltertest/foundation.lua sees
# no body change); the header changes still arrive and the body is intact.
fs_plain="$FS_DIR/foundation-plain.eml"
cat > "$fs_plain" <<'MSG'
From: Sender <sender@example.net>
To: staff@city.example.lg.jp
Subject: plain text kept as it came
Message-ID: <foundation-plain@example.net>
Date: Sun, 29 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello from the Internet.
A second line, plain ASCII: the body comes out as it went in.
MSG
sed '1,/^$/d' "$fs_plain" > "$FS_DIR/foundation-plain.body"
if fs_send "$fs_plain" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch foundation-plain@example.net); then
	if grep -q '^X-Mugaika-Status: sanitized' "$d" && grep -q '^Content-Type: text/plain; charset=utf-8' "$d" &&
		tr -d '\r' <"$d" | sed '1,/^$/d' | cmp -s - "$FS_DIR/foundation-plain.body"; then
		fs_pass "an unchanged body stays Postfix's copy: header changes applied, body byte for byte as sent"
	else
		fs_fail "unchanged body: header changes missing or body altered ($d)"
	fi
else
	fs_fail "foundation-plain not accepted/delivered"
fi

# Byte identity of milter and CLI output, with the same configuration.  The
# quarantine id is random per message, so both run without keeping originals
# (the store itself is tested in case_issue7_*).
cp "$FS_CONF" "$FS_DIR/orig.conf"
{ grep -v '^quarantine_keep' "$FS_CONF"; echo "quarantine_keep = none"; } > "$FS_DIR/noq.conf"
fs_reload "$FS_DIR/noq.conf"
sed 's/foundation-1@/foundation-id@/' "$fs_msg" > "$FS_DIR/foundation-id.eml"
if fs_send "$FS_DIR/foundation-id.eml" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch foundation-id@example.net); then
	"$MUGAIKA" sanitize -c "$FS_DIR/noq.conf" --client-ip 127.0.0.1 --helo sender.example.net \
		--mail-from sender@example.net --rcpt staff@city.example.lg.jp "$FS_DIR/foundation-id.eml" \
		>"$FS_DIR/cli-id.eml" 2>/dev/null
	if fs_strip_trace "$d" | cmp -s - "$FS_DIR/cli-id.eml"; then
		fs_pass "milter delivery and mugaika sanitize are byte-identical"
	else
		fs_fail "milter delivery differs from mugaika sanitize"
		fs_strip_trace "$d" | diff - "$FS_DIR/cli-id.eml" | head -20
	fi
else
	fs_fail "foundation-id not accepted/delivered"
fi
fs_reload "$FS_DIR/orig.conf"

# Deep nesting: refused with 552 5.6.0 at end of data, nothing delivered.
fs_deep="$FS_DIR/foundation-deep.eml"
{
	printf 'From: a@example.net\nTo: staff@city.example.lg.jp\nSubject: deep\nMessage-ID: <foundation-deep@example.net>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n'
	i=0; while [ $i -lt 40 ]; do printf -- '--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' $i $((i + 1)); i=$((i + 1)); done
	printf -- '--b40\nContent-Type: text/plain\n\ndeep\n'
} > "$fs_deep"
fs_send "$fs_deep" a@example.net staff@city.example.lg.jp
rc=$?
case "$rc:$FS_REPLY" in
1:552*5.6.0*) fs_pass "deeply nested MIME refused with 552 5.6.0" ;;
*) fs_fail "deeply nested MIME: expected 552 5.6.0, got rc=$rc" ;;
esac

# Oversize body: a smaller limit by reload, then 552 5.3.4.
cp "$FS_CONF" "$FS_DIR/small.conf"
sed -i 's/^max_message_size = .*/max_message_size = 64K/' "$FS_DIR/small.conf"
if fs_reload "$FS_DIR/small.conf"; then
	big="$FS_DIR/foundation-big.eml"
	{ printf 'From: a@example.net\nTo: staff@city.example.lg.jp\nSubject: big\nMessage-ID: <foundation-big@example.net>\n\n'
	  i=0; while [ $i -lt 2000 ]; do echo "line $i of a message that is larger than the configured limit"; i=$((i + 1)); done; } > "$big"
	fs_send "$big" a@example.net staff@city.example.lg.jp
	rc=$?
	case "$rc:$FS_REPLY" in
	1:552*5.3.4*) fs_pass "oversize message refused with 552 5.3.4 after a reload lowered the limit" ;;
	*) fs_fail "oversize message: expected 552 5.3.4, got rc=$rc" ;;
	esac
	fs_reload "$FS_DIR/orig.conf"
else
	fs_fail "SIGHUP reload was not acknowledged"
fi

# A broken new config on reload: refused, the old one stays, mail flows.
printf 'max_mime_depth = 1000\n' > "$FS_DIR/bad.conf"
fs_reload "$FS_DIR/bad.conf"
cp "$FS_DIR/orig.conf" "$FS_CONF"
if grep -q "reload refused.*max_mime_depth" "$FS_DIR/milter.log" && kill -0 "$FS_MILTER_PID" 2>/dev/null; then
	sed 's/foundation-1@/foundation-2@/' "$fs_msg" > "$FS_DIR/foundation-2.eml"
	if fs_send "$FS_DIR/foundation-2.eml" sender@example.net staff@city.example.lg.jp && fs_fetch foundation-2@example.net >/dev/null; then
		fs_pass "bad config refused on SIGHUP; the daemon kept running on the old one"
	else
		fs_fail "mail after a refused reload was not delivered"
	fi
else
	fs_fail "bad config on reload not refused with a named key, or the daemon died"
fi

# Milter gone: Postfix's milter_default_action = tempfail keeps the mail.
kill "$FS_MILTER_PID"; wait "$FS_MILTER_PID" 2>/dev/null
sed 's/foundation-1@/foundation-3@/' "$fs_msg" > "$FS_DIR/foundation-3.eml"
fs_send "$FS_DIR/foundation-3.eml" sender@example.net staff@city.example.lg.jp
rc=$?
case "$rc:$FS_REPLY" in
2:4*) fs_pass "milter down: Postfix answers 4xx and delivers nothing unsanitized" ;;
*) fs_fail "milter down: expected a 4xx, got rc=$rc" ;;
esac
fs_start_milter || fs_fail "milter restart"

# SIGTERM while a message is in the middle of DATA: the daemon stops taking
# new connections but finishes the session in flight, so the message is
# still sanitized and accepted; then the daemon exits.
fs_term_reply=$("$PYTHON3" - "$FS_SMTP_PORT" "$FS_MILTER_PID" <<'PY'
import os, signal, smtplib, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("sender.example.net")
s.mail("sender@example.net")
s.rcpt("staff@city.example.lg.jp")
s.putcmd("data")
code, _ = s.getreply()
assert code == 354, code
s.send(b"From: sender@example.net\r\nTo: staff@city.example.lg.jp\r\nSubject: in flight\r\n"
       b"Message-ID: <foundation-term@example.net>\r\n\r\nfirst half\r\n")
time.sleep(0.5)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
s.send(b"second half\r\n.\r\n")
code, msg = s.getreply()
print(code, msg.decode())
s.quit()
PY
)
if wait "$FS_MILTER_PID" 2>/dev/null; then :; fi
case "$fs_term_reply" in
250*)
	if fs_fetch foundation-term@example.net >/dev/null; then
		fs_pass "SIGTERM during DATA: the message in flight was finished and delivered"
	else
		fs_fail "SIGTERM during DATA: accepted but not delivered"
	fi
	;;
*) FS_REPLY=$fs_term_reply fs_fail "SIGTERM during DATA: the message in flight was not finished" ;;
esac
if kill -0 "$FS_MILTER_PID" 2>/dev/null; then
	fs_fail "mugaika-milter still running after SIGTERM"
else
	fs_pass "mugaika-milter exited after SIGTERM"
fi
fs_start_milter || fs_fail "milter restart after SIGTERM"
