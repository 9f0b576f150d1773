# Issue 6 boundary policy through Postfix: relay attempt refused per
# recipient, SIZE= and oversize bodies refused, every auto-forward marker
# refused in deny mode, a permitted forward passing on its expiry date, and
# a permit file with a past expiry refused on reload.  Postfix's client is
# always 127.0.0.1: listing 127.0.0.0/8 in internal_network or not makes the
# mail internal-origin (outbound) or external-origin (inbound).
i6_orig="$FS_DIR/issue6-orig.conf"
cp "$FS_CONF" "$i6_orig"

# i6_conf NAME KEY-LINES: the test config plus the issue-6 keys; prints the path.
i6_conf() {
	{ cat "$i6_orig"; printf 'internal_domain = city.example.lg.jp\n%s\n' "$2"; } > "$FS_DIR/issue6-$1.conf"
	echo "$FS_DIR/issue6-$1.conf"
}

# i6_reload CONF: fs_reload, and the daemon took the new config.
i6_reload() {
	fs_reload "$1" &&
		grep "configuration reloaded\|reload refused" "$FS_DIR/milter.log" | tail -n 1 | grep -q "configuration reloaded"
}

# i6_msg ID "HEADER-LINES": a small message with extra header fields.
i6_msg() {
	{
		[ -n "$2" ] && printf '%s\n' "$2"
		printf 'From: Taro <taro@city.example.lg.jp>\nTo: someone@example.com\nSubject: issue6 %s\n' "$1"
		printf 'Message-ID: <%s@city.example.lg.jp>\nDate: Sun, 29 Nov 2026 10:00:00 +0900\n\nhello\n' "$1"
	} > "$FS_DIR/$1.eml"
	echo "$FS_DIR/$1.eml"
}

# i6_refused ID WANT-CODE NAME FROM RCPT...: sent, refused with WANT-CODE, not delivered.
i6_refused() {
	_id=$1 _want=$2 _name=$3; shift 3
	fs_send "$FS_DIR/$_id.eml" "$@"
	_rc=$?
	case "$_rc:$FS_REPLY" in
	1:*"$_want"*)
		if [ -z "$(grep -l -F "<$_id@" "$FS_OUT"/*.eml 2>/dev/null)" ]; then
			fs_pass "$_name: refused with $_want"
		else
			fs_fail "$_name: refused but delivered anyway"
		fi ;;
	*) fs_fail "$_name: expected $_want, got rc=$_rc" ;;
	esac
}

# --- open-relay guard (client 127.0.0.1 is external here) ---
if i6_reload "$(i6_conf relay 'internal_network = 10.0.0.0/8')"; then
	i6_msg i6-relay "" >/dev/null
	i6_refused i6-relay "5.7.1 Relaying denied" "relay attempt outside->outside" x@example.net victim@example.com
	if grep -q "security event: relay attempt refused (rule relay-denied).*rcpt=<victim@example.com>" "$FS_DIR/milter.log"; then
		fs_pass "relay attempt logged as a security event naming the rule"
	else
		fs_fail "relay attempt not logged as a security event"
	fi
	i6_msg i6-relay-mixed "" >/dev/null
	if fs_send "$FS_DIR/i6-relay-mixed.eml" x@example.net victim@example.com staff@city.example.lg.jp &&
		d=$(fs_fetch i6-relay-mixed@city.example.lg.jp); then
		if ls "$FS_OUT" | grep -q "victim@example.com"; then
			fs_fail "relay recipient received a copy"
		else
			fs_pass "relay recipient refused alone; the local recipient got the message"
		fi
	else
		fs_fail "message with one relay and one local recipient not delivered"
	fi
else
	fs_fail "issue6 relay config not loaded"
fi

# --- size limits: SIZE= at MAIL FROM and an oversize body ---
if i6_reload "$(i6_conf size 'inbound_max_message_size = 16K')"; then
	i6_msg i6-size-decl "" >/dev/null
	FS_REPLY=$("$PYTHON3" - "$FS_SMTP_PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
s.ehlo("sender.example.net")
code, msg = s.mail("x@example.net", ["SIZE=500000"])
print(code, msg.decode("ascii", "replace"))
s.quit()
PY
)
	case "$FS_REPLY" in
	552*5.3.4*) fs_pass "SIZE= over the inbound limit refused at MAIL FROM with 552 5.3.4" ;;
	*) fs_fail "SIZE= over the limit not refused at MAIL FROM" ;;
	esac
	{
		printf 'From: x@example.net\nTo: staff@city.example.lg.jp\nSubject: big\nMessage-ID: <i6-big@city.example.lg.jp>\n\n'
		i=0; while [ $i -lt 1000 ]; do echo "line $i of an inbound message larger than the inbound limit"; i=$((i + 1)); done
	} > "$FS_DIR/i6-big.eml"
	i6_refused i6-big "552 5.3.4" "oversize inbound body" x@example.net staff@city.example.lg.jp
	if [ "$(fs_queue_count)" -eq 0 ]; then fs_pass "oversize message not left in the queue"; else fs_fail "oversize message queued"; fi
else
	fs_fail "issue6 size config not loaded"
fi

# --- auto-forward markers, deny mode (127.0.0.1 internal: outbound) ---
if i6_reload "$(i6_conf deny 'internal_network = 127.0.0.0/8
auto_forward_outbound = deny')"; then
	i6_msg i6-clean "" >/dev/null
	if fs_send "$FS_DIR/i6-clean.eml" taro@city.example.lg.jp someone@example.com && fs_fetch i6-clean@city.example.lg.jp >/dev/null; then
		fs_pass "outbound mail without forward markers passes in deny mode"
	else
		fs_fail "clean outbound mail refused in deny mode"
	fi
	n=0
	for h in "Auto-Submitted: auto-forwarded" "X-MS-Exchange-Inbox-Rules-Loop: taro@city.example.lg.jp" \
		"X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent" "X-Forwarded-To: someone@example.com" \
		"X-Forwarded-For: taro@city.example.lg.jp someone@example.com" \
		"X-Sieve-Redirected-From: taro@city.example.lg.jp" "Resent-From: taro@city.example.lg.jp" \
		"Resent-To: someone@example.com" "Resent-Sender: taro@city.example.lg.jp" \
		"Delivered-To: taro@city.example.lg.jp"; do
		n=$((n + 1))
		i6_msg "i6-fwd-$n" "$h" >/dev/null
		i6_refused "i6-fwd-$n" "5.7.1 Automatic forwarding" "forward marker ${h%%:*} refused (deny)" taro@city.example.lg.jp someone@example.com
	done
	i6_msg i6-fwd-srs "" >/dev/null
	i6_refused i6-fwd-srs "5.7.1 Automatic forwarding" "SRS envelope sender refused (deny)" \
		"SRS0=HHH=TT=example.org=bob@city.example.lg.jp" someone@example.com
	i6_msg i6-fwd-from "" >/dev/null
	sed -i 's/^From: .*/From: Bob <bob@example.org>/' "$FS_DIR/i6-fwd-from.eml"
	i6_refused i6-fwd-from "5.7.1 Automatic forwarding" "foreign header From from an internal host refused (deny)" \
		taro@city.example.lg.jp someone@example.com
	# A local forward re-injected through sendmail(1)/pickup: Postfix runs
	# non_smtpd_milters with client 127.0.0.1; the refusal bounces to the sender.
	i6_msg i6-fwd-local "Delivered-To: taro@city.example.lg.jp" >/dev/null
	if "$FS_POSTFIX_SBIN/sendmail" -C "$FS_DIR/etc" -f taro@city.example.lg.jp someone@example.com \
		< "$FS_DIR/i6-fwd-local.eml" 2>"$FS_DIR/i6-sendmail.err"; then
		_bounce=""
		for _i in $(seq 1 200); do
			_bounce=$(grep -l "Automatic forwarding is not permitted" "$FS_OUT"/*taro@city.example.lg.jp*.eml 2>/dev/null | head -n 1)
			[ -n "$_bounce" ] && break
			sleep 0.1
		done
		if [ -n "$_bounce" ] && [ -z "$(grep -l -F "<i6-fwd-local@" "$FS_OUT"/*someone@example.com*.eml 2>/dev/null)" ]; then
			fs_pass "local forward via sendmail/pickup refused; the sender got a bounce with the reason"
		else
			fs_fail "local forward via sendmail/pickup not refused (or no bounce)"
		fi
	else
		fs_fail "sendmail(1) submission failed: $(cat "$FS_DIR/i6-sendmail.err")"
	fi
	i6_msg i6-fwd-sender "" >/dev/null
	i6_refused i6-fwd-sender "5.7.1 Automatic forwarding" "foreign envelope sender from an internal host refused (deny)" \
		someone@example.org someone@example.com
else
	fs_fail "issue6 deny config not loaded"
fi

# --- permit list: a forward permitted through today passes; others do not ---
today=$(date +%F)
printf '# test permits\nFWD-T1 taro@city.example.lg.jp taro.home@example.net kacho %s test of the last day\n' "$today" \
	> "$FS_DIR/issue6-permit.list"
if i6_reload "$(i6_conf permit "internal_network = 127.0.0.0/8
auto_forward_outbound = permit-list
auto_forward_permit_file = $FS_DIR/issue6-permit.list")"; then
	i6_msg i6-permit-ok "Delivered-To: taro@city.example.lg.jp" >/dev/null
	if fs_send "$FS_DIR/i6-permit-ok.eml" taro@city.example.lg.jp taro.home@example.net &&
		fs_fetch i6-permit-ok@city.example.lg.jp >/dev/null; then
		fs_pass "permitted forward passes on its expiry date"
	else
		fs_fail "permitted forward refused"
	fi
	if grep -q "auto-forward permitted by FWD-T1" "$FS_DIR/milter.log"; then
		fs_pass "use of the permit logged with its ID"
	else
		fs_fail "use of the permit not logged"
	fi
	i6_msg i6-permit-other "Delivered-To: taro@city.example.lg.jp" >/dev/null
	i6_refused i6-permit-other "5.7.1 Automatic forwarding from" "forward to a destination without a permit" \
		taro@city.example.lg.jp other@example.net
	yesterday=$(date -d yesterday +%F)
	sed "s/$today/$yesterday/" "$FS_DIR/issue6-permit.list" > "$FS_DIR/issue6-permit-old.list"
	sed "s|issue6-permit.list|issue6-permit-old.list|" "$FS_DIR/issue6-permit.conf" > "$FS_DIR/issue6-permit-old.conf"
	fs_reload "$FS_DIR/issue6-permit-old.conf"
	if grep -q "reload refused.*issue6-permit-old.list:2: permit expired" "$FS_DIR/milter.log" &&
		kill -0 "$FS_MILTER_PID" 2>/dev/null; then
		fs_pass "permit file with a past expiry refused on reload with file:line; daemon kept running"
	else
		fs_fail "expired permit file not refused on reload with file:line"
	fi
else
	fs_fail "issue6 permit config not loaded"
fi

fs_reload "$i6_orig" || fs_fail "restoring the test config"
