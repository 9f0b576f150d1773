# Issue 11, fault 1 (the other libraries): a library call that fails for a
# reason that is not the message's (no memory, an internal error) must
# fail the message with a 4xx, never read as "nothing found", "not this
# type" or "corrupt file" (which would strip a valid attachment) and never as
# a final refusal.  Each failure is injected into the running daemon by the
# LD_PRELOAD shim (tests/faults/shim.c), one at a time; without it the same
# message is delivered.  At the end, F31: the same qpdf failure under an
# emergency cdr-fallback profile of the exception registry.
ft_up || { fs_fail "libfail: could not start Postfix + milter"; return 0; }
FT_GATED=1 ft_milter_shim "magic_buffer,qpdf_read_memory,png_create_read_struct,DGifOpen,zip_source_buffer_create,zip_open_from_source,xmlReadMemory,archive_read_open_memory,htmlCreateMemoryParserCtxt,iconv_open,cl_scanmap_callback" ||
	{ fs_fail "libfail: milter with the fault shim did not start"; return 0; }
"$PYTHON3" "$top_srcdir/tests/faults/mkfixtures.py" "$FS_DIR/fx" lf >/dev/null
lf_n=0
# lf_case FIXTURE POINT: FIXTURE is delivered without the fault, and gets a
# 4xx with POINT failing.
lf_case() {
	lf_n=$((lf_n + 1))
	sed "s/<lf-$1@/<lf-$lf_n-ok@/" "$FS_DIR/fx/$1.eml" >"$FS_DIR/lf-$lf_n-ok.eml"
	sed "s/<lf-$1@/<lf-$lf_n-fault@/" "$FS_DIR/fx/$1.eml" >"$FS_DIR/lf-$lf_n-fault.eml"
	if ! fs_send "$FS_DIR/lf-$lf_n-ok.eml" sender@example.net staff@city.example.lg.jp ||
		! fs_fetch "lf-$lf_n-ok@example.net" >/dev/null; then
		fs_fail "libfail: $1 not delivered even without a fault"
		return 0
	fi
	_fired=$(grep -c "^$2 " "$FS_DIR/shim.log")
	touch "$FS_DIR/gate/$2"
	fs_send "$FS_DIR/lf-$lf_n-fault.eml" sender@example.net staff@city.example.lg.jp
	_rc=$?
	rm -f "$FS_DIR/gate/$2"
	if [ "$(grep -c "^$2 " "$FS_DIR/shim.log")" = "$_fired" ]; then
		fs_fail "libfail: $2 never called for $1 (the fault did not fire)"
	elif [ "$_rc" = 2 ]; then
		fs_pass "libfail: $1 with $2 failing -> $FS_REPLY"
	else
		fs_fail "libfail: $1 with $2 failing -> rc=$_rc (want a 4xx)"
	fi
}
lf_case pdf magic_buffer
lf_case pdf qpdf_read_memory
lf_case png png_create_read_struct
lf_case gif DGifOpen
lf_case docx zip_source_buffer_create
lf_case docx xmlReadMemory
lf_case zip zip_open_from_source
lf_case zip archive_read_open_memory
lf_case tar archive_read_open_memory
lf_case html htmlCreateMemoryParserCtxt
lf_case sjis iconv_open
lf_case png cl_scanmap_callback

# F31: an emergency profile of type cdr-fallback in the exception registry.
# The same qpdf failure is then the PDF removed with a notice that names it
# and the emergency measure (250, the use in the log); a failing virus scan
# is still a 4xx (only the rebuild degrades, and only to removal).
cat >"$FS_DIR/exceptions.conf" <<'REG'
[EP-LF]
type = emergency-profile
profile = cdr-fallback
requested_by = 情報政策課 田中
approved_by = CISO補佐 佐藤
reason = CDR 障害 (試験)
granted = 2020-01-01
expires = 2099-12-31
emergency = yes
post_report_due = 2099-12-31
REG
chmod 644 "$FS_DIR/exceptions.conf"
ft_conf_set "$FS_CONF" "exceptions_file=$FS_DIR/exceptions.conf"
FT_GATED=1 ft_milter_shim "qpdf_read_memory,cl_scanmap_callback" ||
	{ fs_fail "libfail: milter with the registry and the fault shim did not start"; return 0; }
sed "s/<lf-pdf@/<lf-emerg-pdf@/" "$FS_DIR/fx/pdf.eml" >"$FS_DIR/lf-emerg-pdf.eml"
touch "$FS_DIR/gate/qpdf_read_memory"
fs_send "$FS_DIR/lf-emerg-pdf.eml" sender@example.net staff@city.example.lg.jp
_rc=$?
rm -f "$FS_DIR/gate/qpdf_read_memory"
if [ "$_rc" != 0 ] || ! _got=$(fs_fetch "lf-emerg-pdf@example.net"); then
	fs_fail "libfail: cdr-fallback: pdf with qpdf_read_memory failing -> rc=$_rc $FS_REPLY (want 250, delivered)"
elif ! "$PYTHON3" - "$_got" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
parts = list(m.walk())
if any(p.get_content_type() == "application/pdf" or p.get_filename() for p in parts):
    sys.exit("an attachment was delivered")
text = m.get_body(("plain",)).get_content()
for want in ("report.pdf", "EP-LF", "緊急時の運用"):
    if want not in text:
        sys.exit("the notice lacks %r:\n%s" % (want, text))
PY
then
	fs_fail "libfail: cdr-fallback: the delivered message"
elif ! grep -q "exception EP-LF (emergency-profile) used: cdr-fallback: attachment report.pdf removed" "$FS_DIR/milter.log"; then
	fs_fail "libfail: cdr-fallback: the use of EP-LF is not logged"
else
	fs_pass "libfail: cdr-fallback: pdf with qpdf_read_memory failing -> 250, the PDF removed with a notice"
fi
sed "s/<lf-pdf@/<lf-emerg-scan@/" "$FS_DIR/fx/pdf.eml" >"$FS_DIR/lf-emerg-scan.eml"
touch "$FS_DIR/gate/cl_scanmap_callback"
fs_send "$FS_DIR/lf-emerg-scan.eml" sender@example.net staff@city.example.lg.jp
_rc=$?
rm -f "$FS_DIR/gate/cl_scanmap_callback"
if [ "$_rc" = 2 ]; then
	fs_pass "libfail: cdr-fallback: a failing scan is still $FS_REPLY"
else
	fs_fail "libfail: cdr-fallback: a failing scan -> rc=$_rc $FS_REPLY (want a 4xx)"
fi
