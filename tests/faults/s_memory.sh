# Issue 11, fault 7: memory.  GLib ends the process when an allocation
# fails, and every session lives in that process, so one message too large
# for memory must fail alone, before it takes the others with it:
#  - over max_memory (all messages in flight together): 451 4.3.1 for it
#    alone, the others go on (resources change: it is retried);
#  - over max_message_memory: a final 552 5.3.4 (it always needs that much);
#  - an allocation the budgets did not prevent (g_try_malloc failing,
#    injected with the shim): 451 for that message alone, the daemon stays.
# Each time, other mail flows meanwhile and must get its normal answer.
ft_up max_message_size=100M max_part_size=80M max_decoded_total=200M \
	inbound_max_message_size=100M inbound_max_attachment_size=80M ||
	{ fs_fail "memory: could not start Postfix + milter"; return 0; }
"$PYTHON3" - "$FS_DIR/mem-big.eml" <<'PY'
import os, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "sender@example.net", "staff@city.example.lg.jp", "needs much memory"
m["Message-ID"] = "<memory-big@example.net>"
m.set_content("a large attachment\n")
m.add_attachment(os.urandom(40 * 1024 * 1024), maintype="application", subtype="pdf", filename="large.pdf")
open(sys.argv[1], "wb").write(m.as_bytes())
PY
me_base="$FS_DIR/me-base.conf"
cp "$FS_CONF" "$me_base"

# me_round NAME WANT-RC WANT-REPLY-PATTERN: the large message among a load.
me_round() {
	ft_load "$1" --duration 6 --interval 0.05 --eicar-every 3 --concurrency 3 --deadline 40
	sleep 1
	_pid=$(ft_milter_pid)
	fs_send "$FS_DIR/mem-big.eml" sender@example.net staff@city.example.lg.jp
	_rc=$?
	ft_wait_load
	case "$_rc:$FS_REPLY" in
	$2:$3) fs_pass "memory: $1: the large message alone got $FS_REPLY" ;;
	*) fs_fail "memory: $1: the large message got rc=$_rc $FS_REPLY" ;;
	esac
	if ft_alive "$_pid"; then
		fs_pass "memory: $1: the daemon is still running"
	else
		fs_fail "memory: $1: the daemon died"
		fs_start_milter
	fi
	ft_check "memory: $1: the other messages were answered normally" --state "$FS_DIR/load-$1.json"
	if "$PYTHON3" -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(1 if any(a[1] < 200 or 400 <= a[1] < 500 for x in m for a in x["attempts"]) else 0)' "$FS_DIR/load-$1.json"; then
		fs_pass "memory: $1: no other message was tempfailed"
	else
		fs_fail "memory: $1: other messages were tempfailed because of the large one"
	fi
}

cp "$me_base" "$FS_DIR/me.conf"
ft_conf_set "$FS_DIR/me.conf" max_memory=30M
ft_reload "$FS_DIR/me.conf"
me_round budget 2 '451 4.3.1*'

ft_conf_set "$FS_DIR/me.conf" max_memory=1G max_message_memory=30M
ft_reload "$FS_DIR/me.conf"
me_round message 1 '552 5.3.4*'

cp "$me_base" "$FS_CONF"
ft_milter_shim "g_try_malloc:fail:0:16000000" || { fs_fail "memory: milter with the shim"; return 0; }
me_round allocation 2 '451 4.3.0*'
grep -q "^g_try_malloc fail" "$FS_DIR/shim.log" || fs_fail "memory: the injected allocation failure never fired"
