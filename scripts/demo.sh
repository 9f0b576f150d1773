#!/bin/sh
# One command for a fresh Debian 12 machine: install what is needed, build,
# start a private Postfix on 127.0.0.1 with mugaika-milter plugged in, send
# every mail in samples/ through it over SMTP, and print what was delivered
# (or how it was refused).  Everything stops at the end; nothing touches the
# system's own Postfix configuration.
#   sudo sh scripts/demo.sh            build and run
#   sudo sh scripts/demo.sh --keep     leave the relay running afterwards
set -eu
cd "$(dirname "$0")/.."
keep=no
[ "${1:-}" = "--keep" ] && keep=yes
sh scripts/install-deps.sh
# Out-of-tree build (build-demo/), so that scripts/test.sh can still use
# its own build directories afterwards.
[ -x ./configure ] || autoreconf -fi
mkdir -p build-demo
(cd build-demo && { [ -f Makefile ] || ../configure; } && make -j"$(nproc 2>/dev/null || echo 2)")

top_srcdir=$(pwd)
top_builddir=$(pwd)/build-demo
set +e
. "$top_srcdir/tests/fullstack/lib.sh"
fs_setup || { echo "could not start the relay"; exit 1; }
[ "$keep" = yes ] || trap fs_teardown EXIT INT TERM
# The example municipality: mail for city.example.lg.jp is internal; the
# demo's SMTP client on 127.0.0.1 plays the Internet side (inbound mail).
{ cat "$FS_CONF"; printf 'internal_domain = city.example.lg.jp\ninternal_network = 10.0.0.0/8\n'; } >"$FS_DIR/demo.conf"
fs_reload "$FS_DIR/demo.conf"
echo "relay: Postfix on 127.0.0.1:$FS_SMTP_PORT -> mugaika-milter on inet:$FS_MILTER_PORT@127.0.0.1"
echo "       (config $FS_CONF, delivered mail in $FS_OUT)"
for eml in samples/*.eml; do
	name=$(basename "$eml" .eml)
	from=sender@example.net
	rcpt=staff@city.example.lg.jp
	if [ -f "samples/$name.args" ]; then
		a=$(cat "samples/$name.args")
		f=$(printf '%s\n' "$a" | sed -n 's/.*--mail-from \([^ ]*\).*/\1/p')
		r=$(printf '%s\n' "$a" | sed -n 's/.*--rcpt \([^ ]*\).*/\1/p')
		[ -n "$f" ] && from=$f
		[ -n "$r" ] && rcpt=$r
	fi
	printf '\n######## %s  (MAIL FROM:<%s> RCPT TO:<%s>)\n' "$name" "$from" "$rcpt"
	before=$(ls "$FS_OUT" | wc -l)
	fs_send "$eml" "$from" "$rcpt"
	echo "SMTP: $FS_REPLY"
	case "$FS_REPLY" in
	2*)
		for _i in $(seq 1 100); do
			[ "$(ls "$FS_OUT" | wc -l)" -gt "$before" ] && break
			sleep 0.1
		done
		out=$(ls -t "$FS_OUT"/*.eml 2>/dev/null | head -n 1)
		if [ -n "$out" ]; then
			echo "--- delivered ($(wc -c <"$out") bytes), header:"
			sed '/^$/q' "$out"
			echo "--- the text the recipient reads (decoded):"
			"${PYTHON3:-python3}" - "$out" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_type() == "text/plain" and not p.get_filename():
        t = p.get_payload(decode=True) or b""
        print(t.decode(p.get_content_charset() or "utf-8", "replace").rstrip()[:3000])
    elif not p.is_multipart():
        print("[attachment: %s, %s]" % (p.get_filename(), p.get_content_type()))
PY
		else
			echo "--- accepted but not yet delivered"
		fi
		;;
	esac
done
echo
echo "milter log: $FS_DIR/milter.log    postfix log: $FS_DIR/maillog"
