# case_issue16_policyA.sh - sourced by tests/fullstack/run.sh (issue 16,
# items 1-4) through the private Postfix:
#  - a configuration without internal_domain is refused by the daemon (start
#    check and reload), which keeps running on the old one;
#  - a relay attempt is refused per recipient and the refused recipient is
#    in the audit record;
#  - outbound mail (client set with XCLIENT) is delivered unchanged: its DKIM
#    signature still verifies; labelled outbound mail must be encrypted;
#  - SPF, DKIM and DMARC of every generated case, verified by mugaika
#    against the loopback DNS server, in our Authentication-Results and the
#    notice's warning lines; the DNS cache; reject and tempfail actions;
#  - trust-upstream behind a real OpenDKIM (when installed), with Postfix
#    stripping forged Authentication-Results of the upstream authserv-id.
. "$top_srcdir/tests/auth/lib.sh"
i16_orig="$FS_DIR/issue16-orig.conf"
cp "$FS_CONF" "$i16_orig"
i16_dir="$FS_DIR/issue16"
mkdir -p "$i16_dir"

i16_conf() { # NAME LINES: the test config plus LINES (replacing the keys they set); prints the path
	printf '%s\n' "$2" > "$i16_dir/$1.extra"
	mg_conf_merge "$i16_orig" "$i16_dir/$1.extra" > "$i16_dir/$1.conf"
	echo "$i16_dir/$1.conf"
}
i16_reload() {
	fs_reload "$1" &&
		grep "configuration reloaded\|reload refused" "$FS_DIR/milter.log" | tail -n 1 | grep -q "configuration reloaded"
}
i16_send() { # FILE IP HELO FROM RCPT...
	_f=$1 _ip=$2 _helo=$3; shift 3
	FS_XCLIENT="ADDR=$_ip HELO=$_helo" fs_send "$_f" "$@"
}

# ---- 1. safe defaults ----------------------------------------------------
grep -v '^internal_domain' "$i16_orig" > "$i16_dir/unzoned.conf"
if "$MUGAIKA_MILTER" -n -c "$i16_dir/unzoned.conf" > "$i16_dir/n.out" 2>&1; then
	fs_fail "issue16: mugaika-milter -n accepted a configuration without internal_domain"
elif grep -q "internal_domain" "$i16_dir/n.out"; then
	fs_pass "issue16: mugaika-milter refuses to start without internal_domain and names the key"
else
	fs_fail "issue16: refusal without internal_domain does not name the key: $(cat "$i16_dir/n.out")"
fi
fs_reload "$i16_dir/unzoned.conf"
if grep "configuration reloaded\|reload refused" "$FS_DIR/milter.log" | tail -n 1 | grep -q "reload refused.*internal_domain" &&
	kill -0 "$FS_MILTER_PID" 2>/dev/null; then
	fs_pass "issue16: reload without internal_domain refused; the daemon keeps its configuration"
else
	fs_fail "issue16: reload without internal_domain not refused"
fi

if i16_reload "$(i16_conf zones 'internal_network = 10.0.0.0/8')"; then
	printf 'From: x@example.net\nTo: staff@city.example.lg.jp\nSubject: relay\nMessage-ID: <i16-relay@example.net>\n\nhi\n' \
		> "$i16_dir/relay.eml"
	if i16_send "$i16_dir/relay.eml" 198.51.100.9 mx.example.net x@example.net victim@example.com \
		staff@city.example.lg.jp && fs_fetch i16-relay@example.net > /dev/null &&
		! ls "$FS_OUT" | grep -q victim@example.com; then
		fs_pass "issue16: relay recipient refused alone, the local one delivered"
	else
		fs_fail "issue16: mixed relay/local message"
	fi
	if grep 'i16-relay@example.net' "$FS_DIR/var/audit.log" | grep -q '"refused_recipients".*victim@example.com.*relay-denied'; then
		fs_pass "issue16: the refused recipient is in the audit record with its rule"
	else
		fs_fail "issue16: refused recipient missing from the audit record"
	fi
else
	fs_fail "issue16: zones config not loaded"
fi

# ---- 2-4. needs the auth fixtures and the loopback DNS server -------------
if ! auth_fixtures "$i16_dir/auth" > "$i16_dir/mkauth.log" 2>&1; then
	mg_skip "issue16 auth: python3-dkim, python3-nacl, python3-dnspython and openssl are needed"
	fs_reload "$i16_orig"
	return 0 2>/dev/null || exit 0
fi
AUTH_DIR="$i16_dir/auth"
auth_dns_start "$AUTH_DIR" || fs_fail "issue16: loopback DNS server did not start"
acommon="internal_network = 10.0.0.0/8
$(auth_conf "$AUTH_DIR")"

# ---- 2. outbound: unchanged, signature intact; encryption ----------------
if i16_reload "$(i16_conf out "$acommon")"; then
	if i16_send "$AUTH_DIR/out-signed.eml" 10.1.2.3 pc1.city.example.lg.jp taro@city.example.lg.jp partner@example.com &&
		d=$(fs_fetch out-signed@auth.test); then
		if fs_strip_trace "$d" > "$i16_dir/out-signed.got" &&
			"$AUTH_PY" "$top_srcdir/tests/auth/dkimverify.py" "$AUTH_DIR/zone" "$i16_dir/out-signed.got" > "$i16_dir/v.out" &&
			grep -q '^X-Mugaika-Status: scanned' "$d"; then
			fs_pass "issue16: outbound mail delivered unchanged, its DKIM signature still verifies"
		else
			fs_fail "issue16: outbound mail changed: $(cat "$i16_dir/v.out")"
		fi
	else
		fs_fail "issue16: outbound signed mail not delivered: $FS_REPLY"
	fi
	if "$AUTH_PY" "$top_srcdir/tests/auth/mkenc.py" "$i16_dir/enc" 2> "$i16_dir/mkenc.err"; then
		i16_send "$i16_dir/enc/enc-zipcrypto.eml" 10.1.2.3 pc1.city.example.lg.jp taro@city.example.lg.jp partner@example.com
		case "$?:$FS_REPLY" in
		1:*5.7.1*) fs_pass "issue16: labelled outbound mail with a ZipCrypto zip refused with 5.7.1" ;;
		*) fs_fail "issue16: ZipCrypto outbound: $FS_REPLY" ;;
		esac
		if i16_send "$i16_dir/enc/enc-aes256.eml" 10.1.2.3 pc1.city.example.lg.jp taro@city.example.lg.jp partner@example.com &&
			fs_fetch enc-aes256@city.example.lg.jp > /dev/null; then
			fs_pass "issue16: labelled outbound mail with an AES-256 zip delivered"
		else
			fs_fail "issue16: AES-256 outbound: $FS_REPLY"
		fi
	else
		fs_fail "issue16: encryption fixtures: $(tail -n 1 "$i16_dir/mkenc.err")"
	fi
else
	fs_fail "issue16: outbound config not loaded"
fi

# ---- 3-4. inbound: every case ---------------------------------------------
if i16_reload "$(i16_conf auth "$acommon")"; then
	while IFS="$(printf '\t')" read -r name ip helo from _rest; do
		if ! i16_send "$AUTH_DIR/$name.eml" "$ip" "$helo" "$from" staff@city.example.lg.jp ||
			! d=$(fs_fetch "$name@auth.test"); then
			fs_fail "issue16 auth $name: not delivered: $FS_REPLY"
			continue
		fi
		if "$AUTH_PY" "$top_srcdir/tests/auth/check.py" "$AUTH_DIR/cases.tsv" "$name" "$d" \
			--notice "$top_srcdir/conf/notice.ja.txt" > "$i16_dir/check.out"; then
			fs_pass "issue16 auth $name through Postfix"
		else
			fs_fail "issue16 auth $name: $(cat "$i16_dir/check.out")"
		fi
	done < "$AUTH_DIR/cases.tsv"
	n0=$(wc -l < "$AUTH_DIR/queries")
	sed 's/dkim-pass@auth.test/dkim-pass-2@auth.test/' "$AUTH_DIR/dkim-pass.eml" > "$i16_dir/again.eml"
	if i16_send "$i16_dir/again.eml" 192.0.2.10 mx.sender.example.net a@example.com staff@city.example.lg.jp &&
		fs_fetch dkim-pass-2@auth.test > /dev/null && [ "$(wc -l < "$AUTH_DIR/queries")" = "$n0" ]; then
		fs_pass "issue16: the daemon answers a known sender from its DNS cache"
	else
		fs_fail "issue16: DNS cache: $n0 -> $(wc -l < "$AUTH_DIR/queries") questions"
	fi
else
	fs_fail "issue16: auth config not loaded"
fi

if i16_reload "$(i16_conf act "$acommon
auth_on_dmarc_fail = reject
auth_on_temperror = tempfail")"; then
	i16_send "$AUTH_DIR/dkim-body.eml" 198.51.100.9 mx.sender.example.net a@example.com staff@city.example.lg.jp
	case "$?:$FS_REPLY" in
	1:*550*5.7.1*) fs_pass "issue16: DMARC failure refused with 550 5.7.1 (auth_on_dmarc_fail = reject)" ;;
	*) fs_fail "issue16: DMARC reject: $FS_REPLY" ;;
	esac
	i16_send "$AUTH_DIR/temperror.eml" 198.51.100.9 mx.sender.example.net a@slow.test staff@city.example.lg.jp
	case "$?:$FS_REPLY" in
	2:*451*4.7.*) fs_pass "issue16: DNS timeout answered 451 4.7.x (auth_on_temperror = tempfail)" ;;
	*) fs_fail "issue16: temperror tempfail: $FS_REPLY" ;;
	esac
	postsuper -c "$FS_DIR/etc" -d ALL > /dev/null 2>&1 || true
else
	fs_fail "issue16: action config not loaded"
fi

# ---- 4. trust-upstream behind OpenDKIM ------------------------------------
ODK=${FS_OPENDKIM:-/usr/sbin/opendkim}
if [ -x "$ODK" ]; then
	odk_port=$(mg_free_port)
	cat > "$i16_dir/opendkim.conf" <<CONF
Mode v
Socket inet:$odk_port@127.0.0.1
AuthservID upstream.test
AlwaysAddARHeader yes
TestPublicKeys $AUTH_DIR/opendkim-keys
Syslog no
UserID nobody
CONF
	"$ODK" -f -x "$i16_dir/opendkim.conf" > "$i16_dir/opendkim.log" 2>&1 &
	odk_pid=$!
	cp "$FS_DIR/etc/main.cf" "$i16_dir/main.cf.orig"
	printf '/^Authentication-Results:[[:space:]]*upstream\\.test[[:space:];]/ IGNORE\n' > "$FS_DIR/etc/strip-ar"
	sed -i "s|^smtpd_milters = .*|smtpd_milters = inet:127.0.0.1:$odk_port, inet:127.0.0.1:$FS_MILTER_PORT|" "$FS_DIR/etc/main.cf"
	echo "header_checks = regexp:$FS_DIR/etc/strip-ar" >> "$FS_DIR/etc/main.cf"
	sleep 1
	"$FS_POSTFIX_SBIN/postfix" -c "$FS_DIR/etc" reload > /dev/null 2>&1
	if i16_reload "$(i16_conf up "$(printf '%s\n' "$acommon" | grep -v '^auth_mode')
auth_mode = trust-upstream
auth_trusted_serv_id = upstream.test")"; then
		for name in dkim-pass dkim-body; do
			# the same message again (Message-ID is signed): the earlier copy goes first
			grep -l -F "Message-ID: <$name@auth.test>" "$FS_OUT"/*.eml 2>/dev/null | xargs rm -f
			sed "1i Authentication-Results: upstream.test; dkim=pass header.d=example.com" "$AUTH_DIR/$name.eml" \
				> "$i16_dir/up-$name.eml"
			want=$(auth_case_field "$name" 6)
			if i16_send "$i16_dir/up-$name.eml" 198.51.100.9 mx.sender.example.net a@example.com staff@city.example.lg.jp &&
				d=$(fs_fetch "$name@auth.test") &&
				grep -A4 '^Authentication-Results: mugaika.test' "$d" | grep -q "dkim=$want"; then
				fs_pass "issue16: trust-upstream behind OpenDKIM: $name dkim=$want (a forged upstream field was stripped by Postfix)"
			else
				fs_fail "issue16: trust-upstream $name: want dkim=$want"
				grep -i -A3 '^Authentication-Results' "$d" 2>/dev/null | head -n 12
			fi
		done
	else
		fs_fail "issue16: trust-upstream config not loaded"
	fi
	cp "$i16_dir/main.cf.orig" "$FS_DIR/etc/main.cf"
	"$FS_POSTFIX_SBIN/postfix" -c "$FS_DIR/etc" reload > /dev/null 2>&1
	kill "$odk_pid" 2>/dev/null
	wait "$odk_pid" 2>/dev/null
else
	mg_skip "issue16: trust-upstream behind OpenDKIM (the opendkim package is not installed)"
fi

auth_dns_stop
fs_reload "$i16_orig" || fs_fail "issue16: restoring the test config"
