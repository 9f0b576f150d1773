# Issue 11, fault 1 (the other libraries): a library call that fails for a
# reason that is not the message's (no memory, an internal error) must
# fail the message with a 4xx, never read as "nothing found", "not this
# type" or "corrupt file" (which would strip a valid attachment) and never as
# a final refusal.  Each failure is injected into the running daemon by the
# LD_PRELOAD shim (tests/faults/shim.c), one at a time; without it the same
# message is delivered.
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
