# Issue 16 items 5-9 through Postfix: exfiltration rules (reject, hold of a
# docx whose text carries an individual number), the approval hold
# (approve by another person re-delivers through a listener without the
# milter; the sender cannot approve; reject; delay + release-due), the
# free-mail list (block per recipient; permit-list with a
# destination-permit exception), the forbidden-destination list (refused,
# alerted), the stop switch (stop out per recipient, stop all at MAIL FROM,
# kept across a milter restart, start), the outbreak guard (stop-sender
# after the threshold), and the exception review counting uses from the
# audit log.  Postfix's client 127.0.0.1 is internal here: mail to outside
# domains is outbound.
b16_orig="$FS_DIR/issue16b-orig.conf"
cp "$FS_CONF" "$b16_orig"
b16_trace="$top_srcdir/tests/fullstack/smtp_trace.py"
b16_rel_port=$(mg_free_port)
b16_var="$FS_DIR/var"

# A second smtpd without the milter, for releases (as a site would have).
printf '127.0.0.1:%s inet n - n - - smtpd -o smtpd_milters= -o non_smtpd_milters=\n' "$b16_rel_port" >> "$FS_DIR/etc/master.cf"
"$FS_POSTFIX_SBIN/postfix" -c "$FS_DIR/etc" reload >/dev/null 2>&1
sleep 1

cat > "$b16_var/b16.rules" <<'RULES'
[label 極秘]
id = top-secret
action = reject
match = 極秘

[label 機密性2]
id = class-2
action = log
match = 機密性2

[mynumber 個人番号]
id = my-number
action = hold
RULES
printf 'gmail.com\n@yahoo.co.jp\n' > "$b16_var/b16-freemail.list"
printf 'mynumber.city.example.lg.jp\n' > "$b16_var/b16-forbidden.list"
b16_today=$(date +%F)
b16_later=$(date -d '30 days' +%F)
cat > "$b16_var/b16-exceptions.conf" <<EXC
[DP-1]
type = destination-permit
sender = kouhou@city.example.lg.jp
recipient = @gmail.com
requested_by = 広報課 伊藤
approved_by = CISO補佐 佐藤
reason = fullstack test
granted = $b16_today
expires = $b16_later
EXC
chmod 644 "$b16_var"/b16*

# b16_conf NAME "KEY = VALUE lines": the test config plus the issue-16 keys
# (127.0.0.1 internal, i.e. outbound mail, unless the lines set internal_network).
b16_conf() {
	{
		cat "$b16_orig"
		case "$2" in *internal_network*) ;; *) printf 'internal_network = 127.0.0.0/8\n' ;; esac # 127.0.0.1 internal
		printf 'internal_domain = city.example.lg.jp\n'
		printf 'release_smtp_host = 127.0.0.1:%s\n' "$b16_rel_port"
		# labelled mail here tests the exfiltration rules alone (the encryption
		# rule of issue 16 item 2 would refuse it first)
		printf 'bcc_max_visible_external = 0\nencryption_required = off\n%s\n' "$2"
	} > "$FS_DIR/issue16b-$1.conf"
	echo "$FS_DIR/issue16b-$1.conf"
}

b16_reload() {
	fs_reload "$1" &&
		grep "configuration reloaded\|reload refused" "$FS_DIR/milter.log" | tail -n 1 | grep -q "configuration reloaded"
}

# b16_msg ID SUBJECT [BODY]: a small message; prints its path.
b16_msg() {
	printf 'From: Taro <taro@city.example.lg.jp>\nTo: partner@example.com\nSubject: %s\nMessage-ID: <%s@city.example.lg.jp>\nDate: Tue, 01 Dec 2026 10:00:00 +0900\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n' \
		"$2" "$1" "${3:-hello}" > "$FS_DIR/$1.eml"
	echo "$FS_DIR/$1.eml"
}

# b16_send FILE FROM RCPT...: SMTP with every reply in $B16_TRACE.
b16_send() {
	B16_TRACE=$("$PYTHON3" "$b16_trace" 127.0.0.1 "$FS_SMTP_PORT" "$@")
}

b16_delivered() { # ID RCPT-PATTERN: delivered copy's path (waits up to 20 s)
	for _i in $(seq 1 200); do
		_p=$(grep -l -F "<$1@city.example.lg.jp>" "$FS_OUT"/*"$2"*.eml 2>/dev/null | head -n 1)
		[ -n "$_p" ] && { echo "$_p"; return 0; }
		sleep 0.1
	done
	return 1
}

b16_not_delivered() { # ID: nothing delivered for this message (after a pause)
	sleep 2
	[ -z "$(grep -l -F "<$1@city.example.lg.jp>" "$FS_OUT"/*.eml 2>/dev/null)" ]
}

# audit records (type message) for a Message-ID
b16_records() {
	grep -c "\"message_id\":\"<$1@city.example.lg.jp>\"" "$b16_var/audit.log" 2>/dev/null
}

b16_record() { # ID: the last audit record of that message
	grep -F "\"message_id\":\"<$1@city.example.lg.jp>\"" "$b16_var/audit.log" | tail -n 1
}

# A docx whose document text holds an individual number (valid check digit).
b16_docx_msg() {
	"$PYTHON3" - "$FS_DIR/$1.eml" "$1" <<'PY'
import base64, io, sys, zipfile
from email.message import EmailMessage
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>申請者の個人番号：1234 </w:t></w:r><w:r><w:t>5678 9018</w:t></w:r></w:p></w:body></w:document>')
m = EmailMessage()
m["From"] = "Taro <taro@city.example.lg.jp>"
m["To"] = "partner@example.com"
m["Subject"] = "申請書"
m["Message-ID"] = "<%s@city.example.lg.jp>" % sys.argv[2]
m.set_content("資料を送ります。\n")
m.add_attachment(buf.getvalue(), maintype="application",
                 subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="shinsei.docx")
open(sys.argv[1], "wb").write(bytes(m))
PY
	echo "$FS_DIR/$1.eml"
}

b16_hold_id() { # ID: the hold entry's quarantine id from the audit record
	b16_record "$1" | "$PYTHON3" -c 'import json,sys; r=json.loads(sys.stdin.read()); print(r["report"]["approval"]["id"])' 2>/dev/null
}

# --- exfiltration rules, approval hold, destination lists ---
if b16_reload "$(b16_conf main "exfil_rules = $b16_var/b16.rules
hold_external_recipients = 3
freemail_domains_file = $b16_var/b16-freemail.list
freemail_action = block
forbidden_destinations_file = $b16_var/b16-forbidden.list")"; then
	b16_msg b16-secret "【極秘】来期予算" >/dev/null
	b16_send "$FS_DIR/b16-secret.eml" taro@city.example.lg.jp partner@example.com
	case "$B16_TRACE" in
	*"DATA 550 5.7.1"*top-secret*)
		if b16_not_delivered b16-secret && b16_record b16-secret | grep -q '"exfil":{"action":"reject"'; then
			fs_pass "issue16b: label rule with action reject refuses outbound mail (550 5.7.1, rule id), exfil section in the audit record"
		else
			fs_fail "issue16b: rejected label mail delivered or not in the audit record"
		fi ;;
	*) fs_fail "issue16b: label reject: $B16_TRACE" ;;
	esac
	b16_msg b16-secret-in "【極秘】" >/dev/null
	if b16_send "$FS_DIR/b16-secret-in.eml" taro@city.example.lg.jp staff@city.example.lg.jp && b16_delivered b16-secret-in staff >/dev/null; then
		fs_pass "issue16b: exfil_scope = outbound leaves internal mail alone"
	else
		fs_fail "issue16b: internal mail with a label refused: $B16_TRACE"
	fi

	# a PDF whose document properties (Info /Title, UTF-16) carry the label
	"$PYTHON3" - "$FS_DIR/b16-pdf.eml" <<'PY'
import sys
from email.message import EmailMessage
title = "<FEFF" + "来期予算（極秘）".encode("utf-16-be").hex().upper() + ">"
objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>", "<< /Title %s /Author (Taro) >>" % title]
pdf, off = "%PDF-1.7\n", []
for i, o in enumerate(objs, 1):
    off.append(len(pdf))
    pdf += "%d 0 obj %s endobj\n" % (i, o)
xref = len(pdf)
pdf += "xref\n0 5\n0000000000 65535 f \n" + "".join("%010d 00000 n \n" % o for o in off)
pdf += "trailer << /Size 5 /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
m = EmailMessage()
m["From"] = "Taro <taro@city.example.lg.jp>"
m["To"] = "partner@example.com"
m["Subject"] = "資料"
m["Message-ID"] = "<b16-pdf@city.example.lg.jp>"
m.set_content("資料を送ります。\n")
m.add_attachment(pdf.encode("ascii"), maintype="application", subtype="pdf", filename="budget.pdf")
open(sys.argv[1], "wb").write(bytes(m))
PY
	b16_send "$FS_DIR/b16-pdf.eml" taro@city.example.lg.jp partner@example.com
	case "$B16_TRACE" in
	*"DATA 550 5.7.1"*top-secret*)
		if b16_not_delivered b16-pdf && b16_record b16-pdf | grep -q '"where":\["attachment-text"\]'; then
			fs_pass "issue16b: a label in a PDF's document properties refuses outbound mail (550 5.7.1, where attachment-text)"
		else
			fs_fail "issue16b: PDF label mail delivered or the audit record does not say where"
		fi ;;
	*) fs_fail "issue16b: PDF properties label: $B16_TRACE" ;;
	esac

	b16_docx_msg b16-mynum >/dev/null
	b16_send "$FS_DIR/b16-mynum.eml" taro@city.example.lg.jp partner@example.com partner2@example.org
	hid=$(b16_hold_id b16-mynum)
	if echo "$B16_TRACE" | grep -q "^DATA 250" && [ -n "$hid" ] && b16_not_delivered b16-mynum; then
		fs_pass "issue16b: an individual number split across runs of a docx holds the message (250, nothing delivered, hold id $hid)"
	else
		fs_fail "issue16b: My Number docx not held: $B16_TRACE (id '$hid')"
	fi
	if "$MUGAIKA" hold -c "$FS_CONF" list > "$FS_DIR/b16-list.out" 2>&1 && grep -q "^$hid .*pending" "$FS_DIR/b16-list.out"; then
		fs_pass "issue16b: mugaika hold list shows the held message as pending"
	else
		fs_fail "issue16b: hold list: $(cat "$FS_DIR/b16-list.out")"
	fi
	if SUDO_USER=taro "$MUGAIKA" hold -c "$FS_CONF" approve "$hid" --reason "self" > "$FS_DIR/b16-self.out" 2>&1; then
		fs_fail "issue16b: the sender approved his own message"
	elif grep -q "another person must approve" "$FS_DIR/b16-self.out" && b16_not_delivered b16-mynum; then
		fs_pass "issue16b: the sender cannot approve his own held message (送信者と別の人が確認)"
	else
		fs_fail "issue16b: self-approval: $(cat "$FS_DIR/b16-self.out")"
	fi
	if SUDO_USER=kacho "$MUGAIKA" hold -c "$FS_CONF" approve "$hid" --reason "宛先確認済み" > "$FS_DIR/b16-ok.out" 2>&1 &&
		b16_delivered b16-mynum partner@example.com >/dev/null && b16_delivered b16-mynum partner2@example.org >/dev/null; then
		fs_pass "issue16b: approval by another person releases the message to every recipient"
	else
		fs_fail "issue16b: approve: $(cat "$FS_DIR/b16-ok.out")"
	fi
	if [ "$(b16_records b16-mynum)" = 1 ]; then
		fs_pass "issue16b: the released message did not pass the milter again (one audit record)"
	else
		fs_fail "issue16b: $(b16_records b16-mynum) audit records for the released message"
	fi
	if grep '"command":"hold-approve"' "$b16_var/admin.log" | grep -q '"user":"kacho"' &&
		grep '"command":"hold-approve"' "$b16_var/admin.log" | grep -q '"user":"taro"'; then
		fs_pass "issue16b: both approval attempts are in the admin log with the person"
	else
		fs_fail "issue16b: approvals missing from the admin log"
	fi

	b16_msg b16-many "お知らせ" >/dev/null
	b16_send "$FS_DIR/b16-many.eml" taro@city.example.lg.jp a@example.com b@example.com c@example.net d@example.org
	hid=$(b16_hold_id b16-many)
	if [ -n "$hid" ] && SUDO_USER=kacho "$MUGAIKA" hold -c "$FS_CONF" reject "$hid" --reason "誤送信" >/dev/null 2>&1 &&
		b16_not_delivered b16-many && "$MUGAIKA" hold -c "$FS_CONF" show "$hid" | grep -q "^Status *rejected"; then
		fs_pass "issue16b: more than hold_external_recipients external recipients: held; reject keeps it from leaving"
	else
		fs_fail "issue16b: recipient-count hold/reject: $B16_TRACE (id '$hid')"
	fi

	b16_msg b16-free "資料" >/dev/null
	b16_send "$FS_DIR/b16-free.eml" taro@city.example.lg.jp someone@gmail.com partner@example.com
	if echo "$B16_TRACE" | grep -q "^RCPT someone@gmail.com 550 5.7.1" && b16_delivered b16-free partner@example.com >/dev/null &&
		! ls "$FS_OUT" | grep -q "someone@gmail.com"; then
		fs_pass "issue16b: freemail_action = block refuses the free-mail recipient alone"
	else
		fs_fail "issue16b: free-mail block: $B16_TRACE"
	fi

	b16_msg b16-forbid "x" >/dev/null
	b16_send "$FS_DIR/b16-forbid.eml" taro@city.example.lg.jp kojin@mynumber.city.example.lg.jp
	if echo "$B16_TRACE" | grep -q "^RCPT kojin@mynumber.city.example.lg.jp 550 5.7.1" &&
		grep -q "ALERT severity=critical event=forbidden-destination.*kojin@mynumber.city.example.lg.jp" "$FS_DIR/milter.log"; then
		fs_pass "issue16b: a forbidden destination is refused (550 5.7.1) and alerted"
	else
		fs_fail "issue16b: forbidden destination: $B16_TRACE"
	fi
else
	fs_fail "issue16b: main config not loaded: $(tail -n 3 "$FS_DIR/milter.log")"
fi

# --- permit-list with a destination-permit exception; the review counts it ---
if b16_reload "$(b16_conf permit "freemail_domains_file = $b16_var/b16-freemail.list
freemail_action = permit-list
exceptions_file = $b16_var/b16-exceptions.conf")"; then
	b16_msg b16-dp "広報" >/dev/null
	b16_send "$FS_DIR/b16-dp.eml" kouhou@city.example.lg.jp press@gmail.com
	if b16_delivered b16-dp press@gmail.com >/dev/null && b16_record b16-dp | grep -q '"exceptions":\[{"id":"DP-1"'; then
		fs_pass "issue16b: permit-list: a live destination-permit lets the sender mail the free-mail address (use in the audit record)"
	else
		fs_fail "issue16b: destination permit not used: $B16_TRACE"
	fi
	b16_msg b16-dp2 "x" >/dev/null
	b16_send "$FS_DIR/b16-dp2.eml" taro@city.example.lg.jp press@gmail.com
	case "$B16_TRACE" in
	*"RCPT press@gmail.com 550 5.7.1"*) fs_pass "issue16b: permit-list: another sender to the same address is refused" ;;
	*) fs_fail "issue16b: permit-list without a permit: $B16_TRACE" ;;
	esac
	if "$MUGAIKA" exceptions -c "$FS_CONF" > "$FS_DIR/b16-exc.out" 2>&1 && grep -q "^DP-1 .*destination-permit .*active .* 1 " "$FS_DIR/b16-exc.out"; then
		fs_pass "issue16b: mugaika exceptions lists the permit as active with 1 use (counted from the audit log)"
	else
		fs_fail "issue16b: exceptions review: $(cat "$FS_DIR/b16-exc.out")"
	fi
else
	fs_fail "issue16b: permit config not loaded"
fi

# --- stop switch ---
if b16_reload "$(b16_conf stop "")"; then
	"$MUGAIKA" stop -c "$FS_CONF" out --reason "fullstack: outbound spam" >/dev/null 2>&1
	b16_msg b16-stop "x" >/dev/null
	b16_send "$FS_DIR/b16-stop.eml" taro@city.example.lg.jp partner@example.com staff@city.example.lg.jp
	if echo "$B16_TRACE" | grep -q "^RCPT partner@example.com 451 4.3.2" && b16_delivered b16-stop staff >/dev/null &&
		! ls "$FS_OUT" | grep -q "b16-stop.*partner"; then
		fs_pass "issue16b: stop out: external recipients get 451 4.3.2, internal mail still flows"
	else
		fs_fail "issue16b: stop out: $B16_TRACE"
	fi
	"$MUGAIKA" stop -c "$FS_CONF" all --reason "fullstack: emergency" >/dev/null 2>&1
	kill "$FS_MILTER_PID"; wait "$FS_MILTER_PID" 2>/dev/null
	fs_start_milter
	b16_msg b16-stopall "x" >/dev/null
	b16_send "$FS_DIR/b16-stopall.eml" taro@city.example.lg.jp staff@city.example.lg.jp
	case "$B16_TRACE" in
	"MAIL 451 4.3.2"*) fs_pass "issue16b: stop all survives a daemon restart: 451 4.3.2 at MAIL FROM" ;;
	*) fs_fail "issue16b: stop all after restart: $B16_TRACE" ;;
	esac
	"$MUGAIKA" start -c "$FS_CONF" all >/dev/null 2>&1
	"$MUGAIKA" start -c "$FS_CONF" out >/dev/null 2>&1
	b16_msg b16-started "x" >/dev/null
	if b16_send "$FS_DIR/b16-started.eml" taro@city.example.lg.jp partner@example.com && b16_delivered b16-started partner >/dev/null; then
		fs_pass "issue16b: start lifts the stops"
	else
		fs_fail "issue16b: after start: $B16_TRACE"
	fi
	if [ "$(grep -c '"command":"stop"\|"command":"start"' "$b16_var/admin.log")" -ge 4 ]; then
		fs_pass "issue16b: every stop and start is in the admin log"
	else
		fs_fail "issue16b: stop/start missing from the admin log"
	fi
else
	fs_fail "issue16b: stop config not loaded"
fi

# --- outbreak guard: stop-sender after the threshold ---
# Issue 17: the automatic stop reaches the CISO aide as the other alerts do
# (a mail through the listener without the milter, an alert record in the
# audit log) and is an act on record in the admin log as `mugaika stop` is.
if b16_reload "$(b16_conf outbreak "outbreak_sender_messages = 2
outbound_abuse_action = stop-sender
alert_role = ciso-aide | CISO補佐 | aide@city.example.lg.jp
alert_route = critical mail:ciso-aide
alert_smtp_host = 127.0.0.1:$b16_rel_port")"; then
	for n in 1 2 3 4; do
		b16_msg "b16-burst-$n" "burst $n" >/dev/null
		b16_send "$FS_DIR/b16-burst-$n.eml" spammer@city.example.lg.jp "victim$n@example.com"
		eval "b16_t$n=\"\$B16_TRACE\""
	done
	if echo "$b16_t2" | grep -q "^DATA 250" && echo "$b16_t3" | grep -q "451 4.7.1" && echo "$b16_t4" | grep -q "^MAIL 451 4.7.1" &&
		"$MUGAIKA" stop -c "$FS_CONF" status | grep -q "^sender *spammer@city.example.lg.jp .*outbreak-guard"; then
		fs_pass "issue16b: outbreak guard: the message over outbreak_sender_messages and the sender's next ones get 451 4.7.1; the stop is in the state"
	else
		fs_fail "issue16b: outbreak: 2=[$b16_t2] 3=[$b16_t3] 4=[$b16_t4]"
	fi
	if grep -q "ALERT severity=critical event=outbreak" "$FS_DIR/milter.log"; then
		fs_pass "issue16b: the outbreak is alerted"
	else
		fs_fail "issue16b: no outbreak alert in the log"
	fi
	b16_alert=""
	for _i in $(seq 1 200); do
		b16_alert=$(grep -l "^Subject: \[mugaika\] critical outbreak on" "$FS_OUT"/*aide@city.example.lg.jp*.eml 2>/dev/null | head -n 1)
		[ -n "$b16_alert" ] && break
		sleep 0.1
	done
	if [ -n "$b16_alert" ] && "$PYTHON3" -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.exit(0 if "spammer@city.example.lg.jp" in m.get_payload(decode=True).decode() else 1)' "$b16_alert"; then
		fs_pass "issue17: the outbreak alert is mailed to the CISO aide's address (listener without the milter)"
	else
		fs_fail "issue17: no outbreak alert mail for the CISO aide in $FS_OUT"
	fi
	if grep '"type":"alert"' "$b16_var/audit.log" | grep '"event":"outbreak"' | grep -q 'mail:ciso-aide'; then
		fs_pass "issue17: the routed outbreak alert is an alert record of the audit log"
	else
		fs_fail "issue17: no alert record for the outbreak in the audit log"
	fi
	if grep '"command":"stop"' "$b16_var/admin.log" | grep '"user":"mugaika-milter"' | grep '"origin":"outbreak-guard"' |
		grep '"scope":"sender"' | grep -q '"value":"spammer@city.example.lg.jp"'; then
		fs_pass "issue17: the automatic stop is in the admin log (user mugaika-milter, origin outbreak-guard)"
	else
		fs_fail "issue17: the automatic stop is not in the admin log"
	fi
	if "$MUGAIKA" audit -c "$FS_CONF" verify "$b16_var/audit.log" "$b16_var/admin.log" >"$FS_DIR/b16-verify.out" 2>&1; then
		fs_pass "issue17: audit and admin logs verify after the automatic stop"
	else
		fs_fail "issue17: audit verify: $(head -n 3 "$FS_DIR/b16-verify.out")"
	fi
	"$MUGAIKA" start -c "$FS_CONF" sender spammer@city.example.lg.jp >/dev/null 2>&1
	"$MUGAIKA" stop -c "$FS_CONF" status | grep -q "nothing stopped" || fs_fail "issue16b: start sender did not clear the stop"
else
	fs_fail "issue16b: outbreak config not loaded"
fi
# --- exceptions on inbound mail: sanitize-bypass (still scanned) and size-raise ---
cat > "$b16_var/b16-in-exc.conf" <<EXC
[SB-1]
type = sanitize-bypass
sender = @partner.example
filetype = text/x-shellscript
requested_by = 情報政策課 田中
approved_by = CISO補佐 佐藤
reason = 共同システムの設定スクリプト
granted = $b16_today
expires = $b16_later

[SR-1]
type = size-raise
sender = @big.example
size = 64K
requested_by = 建設課 高橋
approved_by = CISO補佐 佐藤
reason = 図面
granted = $b16_today
expires = $b16_later

[EP-LATE]
type = size-raise
sender = @nobody.example
size = 20K
requested_by = 建設課 高橋
approved_by = CISO補佐 佐藤
reason = 災害対応
granted = $(date -d '10 days ago' +%F)
expires = $b16_later
emergency = yes
post_report_due = $(date -d '3 days ago' +%F)

[EP-DONE]
type = size-raise
sender = @nobody.example
size = 20K
requested_by = 建設課 高橋
approved_by = CISO補佐 佐藤
reason = 災害対応
granted = $(date -d '10 days ago' +%F)
expires = $b16_later
emergency = yes
post_report_due = $(date -d '3 days ago' +%F)
post_reported = $(date -d '4 days ago' +%F)
EXC
chmod 644 "$b16_var/b16-in-exc.conf"
# b16_script_msg ID FROM PAYLOAD-LINE: a message with a shell script attached
b16_script_msg() {
	printf 'From: %s\nTo: staff@city.example.lg.jp\nSubject: script\nMessage-ID: <%s@city.example.lg.jp>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream; name="setup.sh"\nContent-Disposition: attachment; filename="setup.sh"\n\n#!/bin/sh\n%s\n--b--\n' \
		"$2" "$1" "$3" > "$FS_DIR/$1.eml"
}
if b16_reload "$(b16_conf inexc "internal_network = 10.0.0.0/8
exceptions_file = $b16_var/b16-in-exc.conf
inbound_max_message_size = 16K")"; then
	sleep 1
	if grep -q "event=exception-report-overdue.*EP-LATE" "$FS_DIR/milter.log" &&
		! grep -q "event=exception-report-overdue.*EP-DONE" "$FS_DIR/milter.log"; then
		fs_pass "issue16b: a reload with an overdue emergency post-report raises exception-report-overdue (not once post_reported is set)"
	else
		fs_fail "issue16b: no exception-report-overdue alert for EP-LATE at reload (or one for EP-DONE)"
	fi
	b16_script_msg b16-sb1 x@partner.example 'echo configure'
	if b16_send "$FS_DIR/b16-sb1.eml" x@partner.example staff@city.example.lg.jp && p=$(b16_delivered b16-sb1 staff) &&
		grep -q "echo configure" "$p" && b16_record b16-sb1 | grep -q '"id":"SB-1","type":"sanitize-bypass"'; then
		fs_pass "issue16b: a sanitize-bypass exception delivers the script as it came, the use in the audit record"
	else
		fs_fail "issue16b: sanitize-bypass: $B16_TRACE"
	fi
	b16_script_msg b16-sb2 x@elsewhere.example 'echo configure'
	if b16_send "$FS_DIR/b16-sb2.eml" x@elsewhere.example staff@city.example.lg.jp && p=$(b16_delivered b16-sb2 staff) &&
		! grep -q "echo configure" "$p"; then
		fs_pass "issue16b: without the exception the script is removed"
	else
		fs_fail "issue16b: script from another sender: $B16_TRACE"
	fi
	b16_script_msg b16-sb3 x@partner.example "echo CLAMAV-TEST-STRING-NOT-$(echo EICAR)"
	b16_send "$FS_DIR/b16-sb3.eml" x@partner.example staff@city.example.lg.jp
	case "$B16_TRACE" in
	*"DATA 550 5.7.1"*) b16_not_delivered b16-sb3 && fs_pass "issue16b: the bypass never skips the virus scan (550 5.7.1)" ||
		fs_fail "issue16b: infected bypassed file delivered" ;;
	*) fs_fail "issue16b: infected file under a bypass: $B16_TRACE" ;;
	esac
	{
		printf 'From: a@big.example\nTo: staff@city.example.lg.jp\nSubject: plans\nMessage-ID: <b16-big@city.example.lg.jp>\n\n'
		i=0; while [ $i -lt 600 ]; do echo "line $i of a message larger than the inbound limit"; i=$((i + 1)); done
	} > "$FS_DIR/b16-big.eml"
	if b16_send "$FS_DIR/b16-big.eml" a@big.example staff@city.example.lg.jp && b16_delivered b16-big staff >/dev/null; then
		fs_pass "issue16b: a size-raise exception lets a 30K message through the 16K inbound limit"
	else
		fs_fail "issue16b: size-raise: $B16_TRACE"
	fi
	sed 's/^From: a@big.example/From: b@other.example/; s/b16-big@/b16-big2@/' "$FS_DIR/b16-big.eml" > "$FS_DIR/b16-big2.eml"
	b16_send "$FS_DIR/b16-big2.eml" b@other.example staff@city.example.lg.jp
	case "$B16_TRACE" in
	*"552 5.3.4"*) fs_pass "issue16b: another sender still gets 552 5.3.4" ;;
	*) fs_fail "issue16b: oversize without an exception: $B16_TRACE" ;;
	esac
else
	fs_fail "issue16b: inbound exceptions config not loaded"
fi
b16_reload "$b16_orig" >/dev/null 2>&1
