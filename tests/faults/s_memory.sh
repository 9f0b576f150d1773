# Issue 11, fault 7: memory.  The daemon runs under an address-space limit
# (RLIMIT_AS) a little above what it needs idle; one message needs far more.
# That message alone must fail (4xx): the daemon stays up and every other
# message in flight meanwhile gets its normal answer.
ft_up max_message_size=100M max_part_size=80M max_decoded_total=200M \
	inbound_max_message_size=100M inbound_max_attachment_size=80M scan_max_file_size=30M ||
	{ fs_fail "memory: could not start Postfix + milter"; return 0; }
sleep 0.5
me_idle=$(awk '/^VmSize:/ {print $2}' "/proc/$(ft_milter_pid)/status")
ft_milter_stop
(ulimit -v $((me_idle + ${ME_HEADROOM_MB:-70} * 1024)) && fs_start_milter) || { fs_fail "memory: milter restart under ulimit -v"; return 0; }
sleep 0.5
me_pid=$(ft_milter_pid)
"$PYTHON3" - "$FS_DIR/mem-big.eml" <<'PY'
import os, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "sender@example.net", "staff@city.example.lg.jp", "too big for memory"
m["Message-ID"] = "<memory-big@example.net>"
m.set_content("a large attachment\n")
m.add_attachment(os.urandom(40 * 1024 * 1024), maintype="application", subtype="pdf", filename="large.pdf")
open(sys.argv[1], "wb").write(m.as_bytes())
PY
ft_load memload --duration 8 --interval 0.05 --eicar-every 3 --concurrency 3 --deadline 40
sleep 1
fs_send "$FS_DIR/mem-big.eml" sender@example.net staff@city.example.lg.jp
me_rc=$?
me_reply=$FS_REPLY
ft_wait_load
if ft_alive "$me_pid"; then
	fs_pass "memory: the daemon survived a message larger than its memory"
else
	fs_fail "memory: the daemon died on a message larger than its memory ($(grep -i -m1 'alloc\|memory' "$FS_DIR/milter.log"))"
	fs_start_milter
fi
case "$me_rc:$me_reply" in
2:4*) fs_pass "memory: the large message alone was tempfailed ($me_reply)" ;;
*) fs_fail "memory: the large message: rc=$me_rc $me_reply" ;;
esac
ft_check "memory: the other messages in flight were answered normally" --state "$FS_DIR/load-memload.json"
if "$PYTHON3" -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(1 if any(a[1] < 200 or 400 <= a[1] < 500 for x in m for a in x["attempts"]) else 0)' "$FS_DIR/load-memload.json"; then
	fs_pass "memory: no other message was tempfailed"
else
	fs_fail "memory: other messages were tempfailed because of the large one"
fi
