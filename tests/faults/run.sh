#!/bin/sh
# Fault scenarios of issue 11 through a private Postfix: every fault ends in
# a 4xx or a correct final answer - no EICAR delivered, nothing lost,
# nothing duplicated.  Each s_*.sh gets its own Postfix + milter instance.
#   FAULTS="tmpdir kill9"   run only these scenarios (file names s_NAME.sh)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/faults/lib.sh"

if [ "$(id -u)" != 0 ] || ! id postfix >/dev/null 2>&1; then
	if [ -n "${MUGAIKA_REQUIRE_FULLSTACK:-}" ]; then
		echo "FAIL: the fault scenarios must run as root (Postfix)"; exit 1
	fi
	echo "SKIP: fault scenarios need root and Postfix"; exit 77
fi
trap 'ft_down' EXIT INT TERM
for s in "$top_srcdir"/tests/faults/s_*.sh; do
	name=$(basename "$s" .sh); name=${name#s_}
	if [ -n "${FAULTS:-}" ]; then
		case " $FAULTS " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "== $name ($(date +%T))"
	. "$s"
	ft_down
done
mg_summary
