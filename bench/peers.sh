#!/bin/bash
# bench/peers.sh - mugaika next to its peers through a private Postfix, one command (issue 15).
#
# usage: bench/peers.sh [-b BUILDDIR] [-p PEERBENCH] [-o OUTDIR] [-n N] [-r ROUNDS] [-s SECTIONS]
#
#   -b BUILDDIR   where mugaika-milter and mugaika are built (default: build)
#   -p PEERBENCH  the peerbench harness (default: $PEERBENCH, else ../shared/peerbench next to the
#                 project); it starts the private Postfix, smtp-sink, clamd, clamav-milter,
#                 MIMEDefang and a do-nothing libmilter milter, each stopped by PID afterwards
#   -o OUTDIR     results (default: /tmp/mugaika-peers.<date>); never inside the project
#   -n N          messages per measured run of the mixed corpus (default 500; text-only: 4 x N)
#   -r ROUNDS     interleaved rounds, read the median (default 3)
#   -s SECTIONS   comma list of mix,text,inet,conc,scale,auth (default: all)
#
# Sections:
#   mix    the mixed corpus (text, HTML, Office, PDF, zip, infected, risky names), concurrency 4:
#          none, nullmilter, clamav-milter + clamd, MIMEDefang + clamd, mugaika (unix sockets)
#   text   text-only mail (smtp-source, 5,000-byte messages): none, nullmilter, mugaika
#   inet   mugaika on a TCP loopback socket next to the same on a unix socket, plain-text mail one
#          message at a time (runs alternate, `none` in each as the anchor; compare p50)
#   conc   mugaika at concurrency 1, 4, 16 and 64 (the mixed corpus)
#   scale  one message of 1, 10 and 50 MB through `mugaika sanitize` (bench/scale.py)
#   auth   the mixed corpus with sender authentication (auth_mode = verify) next to without, runs
#          alternating; DNS is tests/auth/dnsstub.py on loopback with an empty zone (every
#          question answered NXDOMAIN at once: the cost of the checks, not of the Internet)
#
# Every other section runs with auth_mode = off: the peers do no SPF/DKIM/DMARC, and a live DNS
# lookup would measure the resolver and the Internet, not the milter.
#
# Needs root and: apt-get install -y postfix clamav-daemon clamav-milter mimedefang
# libarchive-zip-perl libnet-dns-perl libmilter-dev python3-dnspython (mimedefang.pl needs
# Net::DNS; without it every MIMEDefang message is tempfailed and its row means nothing). Compare rows of one run only: the
# machine is shared, absolute msgs/s move between runs, the ratios between modes of one run hold.
# Every run writes run-info.txt (date, command, load average) and table.md under OUTDIR.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=build PB=${PEERBENCH:-$TOP/../shared/peerbench} OUT=/tmp/mugaika-peers.$(date +%Y%m%d-%H%M%S)
N=500 ROUNDS=3 SECTIONS=mix,text,inet,conc,scale,auth
while getopts b:p:o:n:r:s: o; do
	case $o in
	b) BUILD=$OPTARG ;; p) PB=$OPTARG ;; o) OUT=$OPTARG ;; n) N=$OPTARG ;; r) ROUNDS=$OPTARG ;;
	s) SECTIONS=$OPTARG ;; *) sed -n '2,/^set -eu/p' "$0" >&2; exit 64 ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd)
[ -x "$PB/peerbench.sh" ] || { echo "peers.sh: no peerbench at $PB (-p DIR or PEERBENCH=DIR)" >&2; exit 66; }
[ -x "$BUILD/mugaika-milter" ] || { echo "peers.sh: no $BUILD/mugaika-milter (-b BUILDDIR)" >&2; exit 66; }
[ "$(id -u)" = 0 ] || { echo "peers.sh: peerbench needs root (postfix start)" >&2; exit 77; }
case "$OUT" in "$TOP"/*) echo "peers.sh: put -o outside the project" >&2; exit 64 ;; esac
want() { case ",$SECTIONS," in *",$1,"*) return 0 ;; esac; return 1; }

# mugaika's configuration: everything inbound from the Internet (127.0.0.1 is not internal), so
# every message gets the whole sanitization; the peers' signature database.
MG=$OUT/mg
rm -rf "$MG"
mkdir -p "$MG/spool" "$MG/q" "$OUT/corpus"
cp -r "$PB/db" "$MG/db"
printf '%s\n' 'log_level = warning' "spool_dir = $MG/spool" "clamav_database = $MG/db" \
	'internal_network = 10.0.0.0/8' 'internal_domain = example.com' "quarantine_dir = $MG/q" \
	"audit_log = $MG/audit.log" "admin_audit_log = $MG/admin.log" "pid_file = $MG/milter.pid" \
	"stop_state_file = $MG/stop.state" 'auth_mode = off' "audit_key_file = $MG/audit.key" >"$MG/mugaika.conf"
# the audit log is keyed (issue 17): a key of the bench's own, never the default under /etc
printf '%s\n' 'audit_log =' 'admin_audit_log =' 'internal_domain = example.com' \
	'internal_network = 10.0.0.0/8' >"$MG/key.conf"
"$BUILD/mugaika" audit key generate --key-file "$MG/audit.key" -c "$MG/key.conf" >/dev/null
chown -R postfix "$MG"
chown root "$MG/audit.key" # read by the daemon as root, before it drops to postfix
chmod 755 "$OUT"
mgcmd() { echo "exec $BUILD/mugaika-milter -f -c $1 -u postfix -p \$PB_SOCKET_LIBMILTER"; }
MGCMD=$(mgcmd "$MG/mugaika.conf")

pb() { # pb NAME CORPUS ARGS... : one peerbench run into $OUT/NAME, with the load average around it
	local name=$1 corpus=$2
	shift 2
	mkdir -p "$OUT/$name"
	{ echo "load before: $(cat /proc/loadavg)"; } >"$OUT/$name/load.txt"
	(cd "$PB" && ./peerbench.sh --results "$OUT/$name" --corpus "$corpus" --custom-name mugaika \
		--custom-cmd "$MGCMD" "$@") >"$OUT/$name/log.txt" 2>&1 || echo "peers.sh: run $name failed" \
		"(see $OUT/$name/log.txt)" >&2
	echo "load after: $(cat /proc/loadavg)" >>"$OUT/$name/load.txt"
	echo "== $name ($(head -c 60 "$OUT/$name/load.txt"))"
	sed -n '/^| mode/,/^$/p' "$OUT/$name/table.md" 2>/dev/null | head -20
}

SOCK=unix:$MG/mg.sock C=$OUT/corpus
[ -n "$(ls "$C")" ] || python3 "$PB/gen_corpus.py" "$C" >/dev/null
want mix && pb mix "$C" -n "$N" -c 4 --rounds "$ROUNDS" --dump none nullmilter clamav mimedefang "custom=$SOCK"
want text && pb text "$C" -n $((4 * N)) -c 4 --rounds "$ROUNDS" --loader smtp-source none nullmilter "custom=$SOCK"
if want inet; then
	# one message at a time, plain-text mail: a delayed-ACK stall (~40 ms) shows in p50 directly
	mkdir -p "$OUT/corpus-text"
	cp "$C"/*-clean-plain-* "$OUT/corpus-text/"
	for r in $(seq "$ROUNDS"); do
		pb "inet-unix.$r" "$OUT/corpus-text" -n "$N" -c 1 none "custom=$SOCK"
		pb "inet-tcp.$r" "$OUT/corpus-text" -n "$N" -c 1 none custom=inet:127.0.0.1:29117
	done
fi
if want conc; then
	for c in 1 4 16 64; do
		pb "conc-$c" "$C" -n "$N" -c "$c" --rounds 1 "custom=$SOCK"
	done
fi
if want auth; then
	# sender authentication against a loopback DNS stub (empty zone): same corpus, alternating
	: >"$MG/zone"
	rm -f "$MG/dns.port"
	DNSSTUB_IDLE=120 /usr/bin/python3 "$TOP/tests/auth/dnsstub.py" "$MG/zone" "$MG/dns.port" "$MG/dns.queries" 2>"$MG/dns.log" &
	DNS_PID=$!
	for _i in $(seq 100); do [ -s "$MG/dns.port" ] && break; sleep 0.1; done
	sed 's/^auth_mode = off$/auth_mode = verify/' "$MG/mugaika.conf" >"$MG/mugaika-auth.conf"
	echo "auth_dns_server = 127.0.0.1:$(cat "$MG/dns.port")" >>"$MG/mugaika-auth.conf"
	for r in $(seq "$ROUNDS"); do
		pb "auth-off.$r" "$C" -n "$N" -c 4 none "custom=$SOCK"
		MGCMD=$(mgcmd "$MG/mugaika-auth.conf") pb "auth-verify.$r" "$C" -n "$N" -c 4 none "custom=$SOCK"
	done
	kill "$DNS_PID" 2>/dev/null || true
	echo "auth: $(wc -l <"$MG/dns.queries" 2>/dev/null || echo 0) DNS questions answered by the stub"
fi
if want scale; then
	echo "== scale (load $(cut -d' ' -f1-3 /proc/loadavg))"
	python3 "$TOP/bench/scale.py" "$BUILD" | tee "$OUT/scale.txt"
fi
echo "results in $OUT"
