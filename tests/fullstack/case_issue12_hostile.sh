# Issue 12: the whole hostile suite (tests/hostile) through Postfix and the
# milter, each message also through `mugaika sanitize` with the same
# configuration: same answer, byte-identical delivery, and every check of
# the case passing on the copy Postfix delivered (tests/hostile/fullstack.py).
fs_h="$FS_DIR/hostile"
mkdir -p "$fs_h"
. "$top_srcdir/tests/hostile/lib.sh"
cp "$FS_CONF" "$fs_h/orig.conf"
cp "$FS_CONF" "$fs_h/base.conf"
hostile_conf "$fs_h/base.conf"
if ! "$PYTHON3" "$top_srcdir/tests/hostile/check.py" --generate "$fs_h/cases" >"$fs_h/generate.log" 2>&1; then
	fs_fail "hostile suite: a generator failed: $(tail -n 3 "$fs_h/generate.log")"
elif "$PYTHON3" "$top_srcdir/tests/hostile/fullstack.py" --mugaika "$MUGAIKA" --conf "$fs_h/base.conf" \
	--fs-conf "$FS_CONF" --milter-pid "$FS_MILTER_PID" --milter-log "$FS_DIR/milter.log" --port "$FS_SMTP_PORT" \
	--out "$FS_OUT" --work "$fs_h/work" ${HOSTILE_ONLY:+--only "$HOSTILE_ONLY"} "$fs_h/cases" >"$fs_h/result.txt" 2>&1; then
	fs_pass "hostile suite through Postfix: $(tail -n 1 "$fs_h/result.txt")"
else
	grep -A 6 '^FAIL' "$fs_h/result.txt" | head -n 200
	fs_fail "hostile suite through Postfix: $(tail -n 1 "$fs_h/result.txt") (all in $fs_h/result.txt)"
fi
fs_reload "$fs_h/orig.conf"
