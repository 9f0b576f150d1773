# tests/faults/lib.sh - helpers for the fault scenarios of issue 11 (sourced
# by tests/faults/run.sh).  Each scenario gets its own private Postfix and
# milter (tests/fullstack/lib.sh), so a scenario that kills, stops or
# starves the milter leaves nothing behind for the next one.
#
#   ft_up [KEY=VALUE...]   fresh instance; the test config with those keys set
#   ft_down                stop it (and unmount what ft_tmpfs mounted)
#   ft_load NAME [ARGS]    start the retrying sender in the background
#   ft_wait_load           wait for it
#   ft_check NAME [ARGS]   check the promises (no EICAR delivered, nothing lost,
#                          nothing duplicated) for the loads given with --state
#   ft_milter_restart      start the milter again on the same instance
#   ft_tmpfs DIR SIZE      mount a small tmpfs (1 when not allowed)
#   ft_fill DIR [inodes]   fill the filesystem of DIR (ENOSPC from now on;
#                          with "inodes", no new file or directory either)
. "$top_srcdir/tests/fullstack/lib.sh"
FT_LOAD="$top_srcdir/tests/faults/load.py"
FT_MOUNTS=""

ft_up() {
	FT_SETS="$*"
	FS_DIR=$(mg_tmpdir faults)
	chmod 755 "$FS_DIR" "$(dirname "$FS_DIR")"
	FS_OUT="$FS_DIR/out"
	FS_SMTP_PORT=$(mg_free_port)
	FS_MILTER_PORT=$(mg_free_port)
	FS_CONF=$(mg_test_conf "$FS_DIR")
	ft_conf_set "$FS_CONF" "$@"
	fs_write_postfix_conf
	# a shorter retry period: the fault scenarios wait for deferred mail
	sed -i 's/^queue_run_delay = .*/queue_run_delay = 2s/; s/^minimal_backoff_time = .*/minimal_backoff_time = 2s/; s/^maximal_backoff_time = .*/maximal_backoff_time = 4s/' "$FS_DIR/etc/main.cf"
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
	return 1
}

# ft_conf_set FILE KEY=VALUE...: replace or add keys.
ft_conf_set() {
	_f="$1"; shift
	for _kv in "$@"; do
		_k=${_kv%%=*}
		sed -i "/^$_k *=/d" "$_f"
		printf '%s = %s\n' "$_k" "${_kv#*=}" >>"$_f"
	done
}

ft_down() {
	[ -n "${FT_LOAD_PID:-}" ] && kill "$FT_LOAD_PID" 2>/dev/null
	FT_LOAD_PID=""
	if [ "$mg_fail_count" -gt "${FT_FAILS_BEFORE:-0}" ] && [ -n "${FS_DIR:-}" ]; then
		echo "--- milter log (tail) ---"; tail -n 25 "$FS_DIR/milter.log"
	fi
	fs_teardown
	# a milter started by ft_milter_restart is not FS_MILTER_PID's child
	[ -f "$FS_DIR/milter.pid" ] && kill "$(cat "$FS_DIR/milter.pid")" 2>/dev/null
	for _m in $FT_MOUNTS; do umount "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null; done
	FT_MOUNTS=""
	FT_FAILS_BEFORE=$mg_fail_count
	FS_DIR=""
}

ft_load() {
	_name="$1"; shift
	"$PYTHON3" "$FT_LOAD" send --port "$FS_SMTP_PORT" --state "$FS_DIR/load-$_name.json" \
		--prefix "$_name" "$@" >"$FS_DIR/load-$_name.out" 2>&1 &
	FT_LOAD_PID=$!
}

ft_wait_load() {
	wait "$FT_LOAD_PID"
	FT_LOAD_PID=""
}

# ft_check LABEL --state FILE... [--audit FILE] [--allow-pending]
ft_check() {
	_label="$1"; shift
	if "$PYTHON3" "$FT_LOAD" check --out "$FS_OUT" --queue "$FS_DIR/queue" "$@" >"$FS_DIR/check.out" 2>&1; then
		fs_pass "$_label: $(tail -n 1 "$FS_DIR/check.out")"
	else
		fs_fail "$_label"
		awk -v n="$(wc -l <"$FS_DIR/check.out")" 'NR <= 24 || NR == n' "$FS_DIR/check.out" | sed 's/^/    /'
	fi
}

ft_milter_restart() {
	fs_start_milter
}

# The milter's pid (also after a restart).
ft_milter_pid() {
	cat "$FS_DIR/milter.pid" 2>/dev/null || echo "$FS_MILTER_PID"
}

ft_tmpfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2,nr_inodes=2048,mode=0755" tmpfs "$1" 2>/dev/null || return 1
	FT_MOUNTS="$1 $FT_MOUNTS"
	chown "$FS_MILTER_USER" "$1"
}

ft_fill() {
	dd if=/dev/zero of="$1/.filler" bs=4k 2>/dev/null
	[ "${2:-}" = inodes ] || return 0
	# the inodes too (a directory or an empty file costs no block on tmpfs)
	_n=0
	while [ $_n -lt 5000 ] && touch "$1/.f$_n" 2>/dev/null; do _n=$((_n + 1)); done
	return 0
}

ft_unfill() {
	rm -f "$1/.filler" "$1"/.f*
}

# PID is running (a zombie child of this shell counts as gone).
ft_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Wait until the milter process PID has exited (up to $2 seconds); prints
# the seconds it took, returns 1 when it is still running.
ft_wait_exit() {
	_t0=$(date +%s.%N)
	_n=0
	while ft_alive "$1"; do
		_n=$((_n + 1))
		[ $_n -gt $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	echo "$(date +%s.%N) $_t0" | awk '{printf "%.1f", $1 - $2}'
}

# The first 200 characters of a file on one line.
ft_head() {
	tr '\n' ' ' <"$1" | cut -c1-200
}

# The LD_PRELOAD fault shim (tests/faults/shim.c), built on first use.
ft_shim() {
	FT_SHIM="$top_builddir/tests/faults/shim.so"
	if [ ! -f "$FT_SHIM" ] || [ "$top_srcdir/tests/faults/shim.c" -nt "$FT_SHIM" ]; then
		mkdir -p "$top_builddir/tests/faults"
		${CC:-cc} -shared -fPIC -O1 -o "$FT_SHIM" "$top_srcdir/tests/faults/shim.c" -ldl || return 1
	fi
	echo "$FT_SHIM"
}

# ft_milter_shim SPEC: restart the milter with the fault shim armed with
# SPEC (see shim.c); faults fired are logged to $FS_DIR/shim.log; a point
# fires only while $FS_DIR/gate/POINT exists when FT_GATED=1.
ft_milter_shim() {
	_shim=$(ft_shim) || return 1
	ft_milter_stop
	mkdir -p "$FS_DIR/gate"; chmod 755 "$FS_DIR/gate"
	: >"$FS_DIR/shim.log"; chmod 666 "$FS_DIR/shim.log"
	export LD_PRELOAD="$_shim" MG_SHIM="$1" MG_SHIM_LOG="$FS_DIR/shim.log"
	_asan=${ASAN_OPTIONS-}
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	[ "${FT_GATED:-0}" = 1 ] && export MG_SHIM_GATE="$FS_DIR/gate"
	fs_start_milter
	_rc=$?
	unset LD_PRELOAD MG_SHIM MG_SHIM_LOG MG_SHIM_GATE
	ASAN_OPTIONS=$_asan
	[ -n "$_asan" ] || unset ASAN_OPTIONS
	return $_rc
}

# ft_milter_stop: stop the milter (SIGKILL after 10 s).
ft_milter_stop() {
	_pid=$(ft_milter_pid)
	kill "$_pid" 2>/dev/null
	ft_wait_exit "$_pid" 10 >/dev/null || kill -9 "$_pid" 2>/dev/null
	rm -f "$FS_DIR/milter.pid"
}

# ft_milter_plain: restart the milter without the shim.
ft_milter_plain() {
	ft_milter_stop
	fs_start_milter
}

# ft_qentries STATE: quarantine entries (json) whose "state" is STATE.
ft_qentries() {
	grep -l "\"state\" *: *\"$1\"" "$FS_DIR"/var/quarantine/*/*.json 2>/dev/null | wc -l
}

# ft_reload CONF: install CONF and SIGHUP; fails (naming the scenario step)
# unless the milter says it reloaded - a refused reload would leave the old
# configuration in force and the scenario testing nothing.
ft_reload() {
	_ok=$(grep -c "configuration reloaded" "$FS_DIR/milter.log")
	fs_reload "$1" && [ "$(grep -c "configuration reloaded" "$FS_DIR/milter.log")" -gt "$_ok" ] && return 0
	fs_fail "reload to $(basename "$1") not taken: $(grep "reload refused" "$FS_DIR/milter.log" | tail -n 1)"
	return 1
}
