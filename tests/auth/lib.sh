# tests/auth/lib.sh - sender-authentication fixtures for the script tests
# (issue 16).  Sourced after tests/lib.sh.
#
#   auth_python                 print a python3 that has dkimpy and dnspython
#                               (Debian: python3-dkim python3-dnspython), or
#                               nothing
#   auth_fixtures DIR           keys, signed messages, zone (tests/auth/mkauth.py)
#   auth_dns_start DIR          loopback DNS server on DIR/zone; sets AUTH_DNS_PORT
#                               and AUTH_DNS_PID; questions logged to DIR/queries
#   auth_dns_stop               stop it
#   auth_conf DIR               the auth keys of a test configuration (stdout)
#   auth_case_field NAME N      field N (1-based) of case NAME in DIR/cases.tsv
auth_python() {
	for _p in "${PYTHON3:-python3}" /usr/bin/python3; do
		if "$_p" -c 'import dkim, nacl, dns.message' 2>/dev/null; then
			echo "$_p"
			return 0
		fi
	done
	return 1
}

auth_fixtures() {
	AUTH_PY=$(auth_python) || return 1
	"$AUTH_PY" "$top_srcdir/tests/auth/mkauth.py" "$1"
}

auth_dns_start() {
	rm -f "$1/dns.port" "$1/queries"
	"$AUTH_PY" "$top_srcdir/tests/auth/dnsstub.py" "$1/zone" "$1/dns.port" "$1/queries" 2>>"$1/dns.log" &
	AUTH_DNS_PID=$!
	for _i in $(seq 1 100); do
		if [ -s "$1/dns.port" ]; then
			AUTH_DNS_PORT=$(cat "$1/dns.port")
			return 0
		fi
		kill -0 "$AUTH_DNS_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "dnsstub did not start:" >&2
	cat "$1/dns.log" >&2
	return 1
}

auth_dns_stop() {
	if [ -n "${AUTH_DNS_PID:-}" ]; then
		kill "$AUTH_DNS_PID" 2>/dev/null || true
		wait "$AUTH_DNS_PID" 2>/dev/null || true
		AUTH_DNS_PID=
	fi
}

# The keys every auth test sets: our authserv-id, the loopback DNS server,
# a short timeout (the TIMEOUT cases wait for it), the test suffix list.
auth_conf() {
	cat <<CONF
internal_domain = city.example.lg.jp
auth_mode = verify
auth_serv_id = mugaika.test
auth_dns_server = 127.0.0.1:$AUTH_DNS_PORT
auth_dns_timeout = 1
auth_public_suffix_list = $1/psl.dat
auth_protected_name = 市長
CONF
}

auth_case_field() {
	awk -F '\t' -v n="$1" -v f="$2" '$1 == n { print $f }' "$AUTH_DIR/cases.tsv"
}
