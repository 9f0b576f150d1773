# tests/fullstack/lib.sh - a private Postfix instance on 127.0.0.1 with
# mugaika-milter plugged in (sourced by run.sh, case_*.sh and the demo).
#
#   fs_setup            start milter + Postfix; delivered mail lands in $FS_OUT
#   fs_send FILE FROM RCPT...   SMTP to Postfix; 0 accepted (reply in $FS_REPLY)
#   fs_fetch MESSAGE-ID print the delivered copy's path (waits up to 20 s)
#   fs_reload CONF      install CONF as the milter's config and SIGHUP it
#   fs_queue_count      messages still in Postfix's queue
#   fs_teardown         stop everything
# Must run as root (Postfix's master runs as root and drops to `postfix`).
. "$top_srcdir/tests/lib.sh"
FS_POSTFIX_SBIN="${FS_POSTFIX_SBIN:-/usr/sbin}"
FS_MILTER_USER="${FS_MILTER_USER:-nobody}"

fs_write_postfix_conf() {
	mkdir -p "$FS_DIR/etc" "$FS_DIR/queue" "$FS_DIR/data" "$FS_OUT"
	chmod 1777 "$FS_OUT"
	chown postfix "$FS_DIR/data"
	cat > "$FS_DIR/deliver.sh" <<SH
#!/bin/sh
# pipe(8) delivery agent of the test instance: one file per recipient.
r=\$(printf '%s' "\$2" | tr -c 'A-Za-z0-9@.-' _)
cat > "$FS_OUT/\$1.\$r.eml.tmp" && mv "$FS_OUT/\$1.\$r.eml.tmp" "$FS_OUT/\$1.\$r.eml"
SH
	chmod 755 "$FS_DIR/deliver.sh"
	cat > "$FS_DIR/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $FS_DIR/queue
data_directory = $FS_DIR/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.mugaika-test.invalid
mydomain = mugaika-test.invalid
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# issue 16: the tests set the client address and HELO a message comes from (send.py FS_XCLIENT)
smtpd_authorized_xclient_hosts = 127.0.0.0/8
relay_domains = city.example.lg.jp, example.com, example.net, example.org
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
default_transport = mgdeliver
relay_transport = mgdeliver
local_transport = mgdeliver
alias_maps =
alias_database =
local_recipient_maps =
smtpd_milters = inet:127.0.0.1:$FS_MILTER_PORT
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 60s
milter_content_timeout = 300s
message_size_limit = 104857600
maillog_file = $FS_DIR/maillog
maillog_file_prefixes = $FS_DIR
smtpd_banner = \$myhostname ESMTP
biff = no
append_dot_mydomain = no
smtputf8_enable = no
delay_warning_time = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
CF
	cat > "$FS_DIR/etc/master.cf" <<CF
127.0.0.1:$FS_SMTP_PORT inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
mgdeliver unix  - n n - - pipe flags=q user=nobody argv=$FS_DIR/deliver.sh \${queue_id} \${recipient}
CF
}

fs_start_milter() {
	# As a real deployment: started as root, privileges dropped to an
	# unprivileged user once the socket exists.
	chown -R "$FS_MILTER_USER" "$FS_DIR/spool" "$FS_DIR/var"
	chmod 644 "$FS_CONF"
	"$MUGAIKA_MILTER" -f -c "$FS_CONF" -p "inet:$FS_MILTER_PORT@127.0.0.1" -u "$FS_MILTER_USER" \
		-P "$FS_DIR/milter.pid" >>"$FS_DIR/milter.log" 2>&1 &
	FS_MILTER_PID=$!
	for _i in $(seq 1 100); do
		"$PYTHON3" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$FS_MILTER_PORT)))" 2>/dev/null && return 0
		kill -0 "$FS_MILTER_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "mugaika-milter did not start:" >&2
	cat "$FS_DIR/milter.log" >&2
	return 1
}

fs_setup() {
	if [ "$(id -u)" != 0 ] || ! id postfix >/dev/null 2>&1; then
		echo "fullstack: needs root and the postfix package" >&2
		return 77
	fi
	FS_DIR=$(mg_tmpdir fullstack)
	chmod 755 "$FS_DIR" "$(dirname "$FS_DIR")"
	FS_OUT="$FS_DIR/out"
	FS_SMTP_PORT=$(mg_free_port)
	FS_MILTER_PORT=$(mg_free_port)
	FS_CONF=$(mg_test_conf "$FS_DIR")
	fs_write_postfix_conf
	fs_start_milter || return 1
	if ! "$FS_POSTFIX_SBIN/postfix" -c "$FS_DIR/etc" start >"$FS_DIR/postfix-start.log" 2>&1; then
		cat "$FS_DIR/postfix-start.log" >&2
		return 1
	fi
	for _i in $(seq 1 100); do
		"$PYTHON3" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$FS_SMTP_PORT)))" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "postfix did not listen on $FS_SMTP_PORT" >&2
	cat "$FS_DIR/maillog" >&2 2>/dev/null
	return 1
}

fs_teardown() {
	[ -n "${FS_DIR:-}" ] || return 0
	"$FS_POSTFIX_SBIN/postfix" -c "$FS_DIR/etc" stop >/dev/null 2>&1 || true
	if [ -n "${FS_MILTER_PID:-}" ]; then
		kill "$FS_MILTER_PID" 2>/dev/null || true
		wait "$FS_MILTER_PID" 2>/dev/null || true
	fi
}

fs_send() {
	_f="$1"; shift
	FS_REPLY=$("$PYTHON3" "$top_srcdir/tests/fullstack/send.py" 127.0.0.1 "$FS_SMTP_PORT" "$_f" "$@")
	_rc=$?
	return $_rc
}

fs_fetch() {
	for _i in $(seq 1 200); do
		_p=$(grep -l -F -i "Message-ID: <$1>" "$FS_OUT"/*.eml 2>/dev/null | head -n 1)
		if [ -n "$_p" ]; then
			echo "$_p"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

fs_queue_count() {
	find "$FS_DIR/queue/incoming" "$FS_DIR/queue/active" "$FS_DIR/queue/deferred" \
		"$FS_DIR/queue/hold" -type f 2>/dev/null | wc -l
}

fs_reload() {
	cp "$1" "$FS_CONF"
	chmod 644 "$FS_CONF"
	_n=$(grep -c "configuration reloaded\|reload refused" "$FS_DIR/milter.log")
	kill -HUP "$FS_MILTER_PID"
	for _i in $(seq 1 100); do
		[ "$(grep -c "configuration reloaded\|reload refused" "$FS_DIR/milter.log")" -gt "$_n" ] && return 0
		sleep 0.1
	done
	return 1
}

fs_pass() { mg_pass "$@"; }
fs_fail() {
	mg_fail "$@"
	[ -n "${FS_REPLY:-}" ] && echo "  last SMTP reply: $FS_REPLY"
	return 0
}

# The delivered copy without the trace fields Postfix added in front.
fs_strip_trace() {
	awk 'BEGIN{skip=1} skip && /^Received:/ {inrec=1; next} skip && inrec && /^[ \t]/ {next} {skip=0; inrec=0; print}' "$1"
}
