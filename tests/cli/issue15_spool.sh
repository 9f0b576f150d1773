#!/bin/sh
# issue15_spool.sh - issue 15, deliverable 4: an archive member past
# spool_memory_max waits for the rebuilt zip in a spool file, not in memory.
# The message stays under spool_memory_max (its raw spool is in memory), one
# zip member is rebuilt to 360 KB: the delivered message is byte for byte
# the one built with everything in memory; a full disk under the member
# spool (the fault shim, tests/faults/shim.c: write(2) on spool_dir/mugaika-*
# fails with ENOSPC) is a 451, never a delivery.  On code that kept the
# members in memory the shim never fires and the message is delivered.
set -u
B=${top_builddir:-.}
M="$B/mugaika"
SHIM="$B/tests/faults/shim.so"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=0
fail() {
	echo "FAIL: $*"
	exit 1
}
ok() {
	N=$((N + 1))
	echo "ok $N - $*"
}
[ -f "$SHIM" ] || {
	echo "SKIP: $SHIM not built"
	exit 77
}
sh "$top_srcdir/tests/mkclamdb.sh" "$T/clamdb"
mkdir -p "$T/spool"
conf() { # NAME SPOOL_MEMORY_MAX
	cat >"$T/$1.conf" <<EOC
clamav_database = $T/clamdb
quarantine_dir = $T/q
audit_log =
admin_audit_log =
internal_domain = city.example.lg.jp
auth_mode = off
spool_dir = $T/spool
spool_memory_max = $2
log_level = info
EOC
}
conf small 64K
conf big 16M
"$PYTHON3" - "$T/m.eml" <<'EOP'
import base64, io, sys, zipfile
z = io.BytesIO()
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr("data/list.csv", "1,name,7\n" * 40000)
open(sys.argv[1], "w").write(
    "From: a@example.net\nTo: staff@city.example.lg.jp\nSubject: spool\nMessage-ID: <spool@example.net>\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee\n"
    "--b\nContent-Type: application/zip\nContent-Disposition: attachment; filename=\"export.zip\"\n"
    "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(z.getvalue()).decode() + "--b--\n")
EOP
[ "$(wc -c <"$T/m.eml")" -lt 65536 ] || fail "the test message is not under spool_memory_max"

"$M" sanitize -c "$T/small.conf" "$T/m.eml" >"$T/small.out" 2>"$T/small.err" ||
	fail "spooled members: exit $? ($(tail -1 "$T/small.err"))"
"$M" sanitize -c "$T/big.conf" "$T/m.eml" >"$T/big.out" 2>"$T/big.err" || fail "members in memory: exit $?"
cmp -s "$T/small.out" "$T/big.out" || fail "the message differs when the members are spooled"
ok "members spooled or in memory: the same delivered bytes"

: >"$T/shim.log"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" LD_PRELOAD="$SHIM" MG_SHIM=enospc \
	MG_SHIM_ENOSPC="$T/spool/mugaika-" MG_SHIM_LOG="$T/shim.log" \
	"$M" sanitize -c "$T/small.conf" "$T/m.eml" >"$T/full.out" 2>"$T/full.err"
rc=$?
grep -q '^enospc ' "$T/shim.log" || fail "the member spool was never written (the fault did not fire)"
[ "$rc" = 75 ] || fail "full member spool: exit $rc, want 75 (tempfail)"
grep -q '451 4.3.0' "$T/full.err" && grep -q 'archive member spool' "$T/full.err" ||
	fail "full member spool: $(tail -2 "$T/full.err")"
[ ! -s "$T/full.out" ] || fail "full member spool: something was written out"
ok "a full disk under the member spool is 451 4.3.0"
echo "1..$N"
