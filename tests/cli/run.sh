#!/bin/sh
# The `mugaika` command's contract: exit codes, config errors that name
# file:line and key, the shipped configuration documents every key.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
d=$(mg_tmpdir cli)
conf=$(mg_test_conf "$d")

expect_rc() { # WANT NAME CMD...
	_want=$1 _name=$2; shift 2
	"$@" >"$d/out" 2>"$d/err"
	_rc=$?
	if [ "$_rc" -eq "$_want" ]; then mg_pass "$_name (exit $_rc)"; else mg_fail "$_name: exit $_rc, want $_want"; cat "$d/err"; fi
}
expect_err() { # PATTERN NAME
	if grep -q -- "$1" "$d/err"; then mg_pass "$2"; else mg_fail "$2: stderr lacks '$1'"; cat "$d/err"; fi
}

expect_rc 64 "no command is a usage error" "$MUGAIKA"
expect_rc 64 "unknown command is a usage error" "$MUGAIKA" frobnicate
expect_rc 64 "unknown option is a usage error" "$MUGAIKA" sanitize --no-such-option
expect_rc 0 "--help" "$MUGAIKA" sanitize --help
expect_rc 0 "check-config on the test config" "$MUGAIKA" check-config -c "$conf"
# the shipped file names system directories (/var/spool/mugaika, ...) that a
# build machine does not have: check-config would refuse them (issue 11), so
# only its syntax is checked here
expect_rc 0 "the shipped conf/mugaika.conf parses" "$MUGAIKA" config-dump -c "$top_srcdir/conf/mugaika.conf"

printf 'log_level = info\n\nmax_mime_depth = 500\n' > "$d/range.conf"
expect_rc 78 "out-of-range value refused" "$MUGAIKA" check-config -c "$d/range.conf"
expect_err "range.conf:3: max_mime_depth: 500 is out of range; allowed: 1 to 100" "range error names file:line, key and the range"
printf 'no_such_key = 1\n' > "$d/unknown.conf"
expect_rc 78 "unknown key refused" "$MUGAIKA" check-config -c "$d/unknown.conf"
expect_err "unknown.conf:1: no_such_key: unknown key" "unknown key named with file:line"
printf 'on_error = accept\n' > "$d/enum.conf"
expect_rc 78 "on_error = accept is not allowed (fail closed)" "$MUGAIKA" check-config -c "$d/enum.conf"
expect_err "allowed: tempfail|reject" "enum error lists the allowed words"
printf 'max_message_size = 20X\n' > "$d/unit.conf"
expect_rc 78 "bad size unit refused" "$MUGAIKA" check-config -c "$d/unit.conf"
printf 'log_level = info\nlog_level = debug\n' > "$d/twice.conf"
expect_rc 78 "key set twice refused" "$MUGAIKA" check-config -c "$d/twice.conf"
expect_err "twice.conf:2: log_level: set twice (first on line 1)" "duplicate names both lines"
printf 'socket = tcp:25\n' > "$d/socket.conf"
expect_rc 78 "bad socket refused" "$MUGAIKA" check-config -c "$d/socket.conf"
expect_rc 78 "milter -n refuses a bad config" "$MUGAIKA_MILTER" -n -c "$d/socket.conf"
expect_rc 0 "milter -n accepts the test config" "$MUGAIKA_MILTER" -n -c "$conf"
expect_rc 78 "sanitize refuses to run on a bad config" "$MUGAIKA" sanitize -c "$d/range.conf" "$top_srcdir/samples/basic-multipart.eml"

# Every key of the option table is documented in the shipped config.
"$MUGAIKA" config-dump --defaults > "$d/dump"
missing=""
for k in $(grep -E '^#[a-z_0-9]+ =' "$d/dump" | sed 's/^#\([a-z_0-9]*\) =.*/\1/' | sort -u); do
	grep -qE "^#? ?$k( |=)" "$top_srcdir/conf/mugaika.conf" || missing="$missing $k"
done
if [ -z "$missing" ]; then mg_pass "conf/mugaika.conf documents every key"; else mg_fail "conf/mugaika.conf lacks:$missing"; fi

# Exit codes of sanitize: 0 accepted, 77 rejected; report JSON is valid.
expect_rc 0 "accepted message exits 0" "$MUGAIKA" sanitize -c "$conf" --report "$d/r.json" "$top_srcdir/samples/basic-multipart.eml"
if "$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verdict"]=="accept"; assert [p["path"] for p in r["parts"]]==["1","2"]; assert all(len(p["sha256"])==64 for p in r["parts"]); assert r["parts"][1]["filename"]=="a.bin"' "$d/r.json"; then
	mg_pass "report JSON: verdict, paths, sha256, filename"
else
	mg_fail "report JSON content"
fi
expect_rc 77 "refused message exits 77" "$MUGAIKA" sanitize -c "$conf" --report "$d/r2.json" "$top_srcdir/samples/limit-deep-nesting.eml"
expect_err "552 5.6.0" "refusal prints the SMTP reply"
if "$PYTHON3" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["verdict"]=="reject" and r["smtp_code"]=="552" and r["enhanced_code"]=="5.6.0"' "$d/r2.json"; then
	mg_pass "report JSON of a refusal"
else
	mg_fail "report JSON of a refusal"
fi
printf 'spool_dir = /nonexistent/dir\nspool_memory_max = 0\n' > "$d/nospool.conf"
expect_rc 75 "spool failure is a temporary failure (fail closed)" "$MUGAIKA" sanitize -c "$d/nospool.conf" "$top_srcdir/samples/basic-multipart.eml"
if [ ! -s "$d/out" ]; then mg_pass "nothing written on tempfail"; else mg_fail "output written despite tempfail"; fi
mg_summary
