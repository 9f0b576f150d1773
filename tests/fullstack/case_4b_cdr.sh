# Issue 4b cases: a PDF whose OpenAction runs JavaScript and a PNG with a
# text chunk and a zip appended (polyglot) are delivered rebuilt: the PDF
# without the JavaScript and still passing `qpdf --check`, the PNG with
# only IHDR/IDAT/IEND and nothing after IEND.  Fixtures come from
# gen_4b.py (python3 standard library) at run time.
fs_4b_gen="$top_srcdir/tests/fullstack/gen_4b.py"

"$PYTHON3" "$fs_4b_gen" mail-pdf "$FS_DIR/4b-pdf.eml" 4b-pdf@example.net
if fs_send "$FS_DIR/4b-pdf.eml" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch 4b-pdf@example.net); then
	if "$PYTHON3" "$fs_4b_gen" check-pdf "$d" "$FS_DIR/4b-out.pdf" && qpdf --check "$FS_DIR/4b-out.pdf" >/dev/null 2>&1; then
		fs_pass "PDF with OpenAction JavaScript delivered rebuilt, without JavaScript, qpdf --check clean"
	else
		fs_fail "delivered PDF still has JavaScript or does not pass qpdf --check ($d)"
	fi
else
	fs_fail "4b-pdf not accepted/delivered"
fi

"$PYTHON3" "$fs_4b_gen" mail-png "$FS_DIR/4b-png.eml" 4b-png@example.net
if fs_send "$FS_DIR/4b-png.eml" sender@example.net staff@city.example.lg.jp && d=$(fs_fetch 4b-png@example.net); then
	if "$PYTHON3" "$fs_4b_gen" check-png "$d"; then
		fs_pass "PNG polyglot delivered rebuilt: no text chunk, no zip after IEND"
	else
		fs_fail "delivered PNG kept metadata or trailing bytes ($d)"
	fi
else
	fs_fail "4b-png not accepted/delivered"
fi
