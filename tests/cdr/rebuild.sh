#!/bin/sh
# rebuild.sh - `mugaika rebuild` on generated hostile files (issue 4a):
# exit codes, the printed result, and the written file read back by an
# independent reader.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
PY=${PYTHON3:-python3}
[ -n "$PY" ] || PY=python3
M="$top_builddir/mugaika"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mg-rebuild.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
"$PY" "$top_srcdir/tests/cdr/gen_office.py" "$tmp" || exit 99
# every rebuilt file is scanned: a generated signature database (issue 5)
sh "$top_srcdir/tests/mkclamdb.sh" "$tmp/clamdb" || exit 99
printf 'clamav_database = %s\n' "$tmp/clamdb" >"$tmp/base.conf"
fails=0
expect() { # name rc-wanted grep-pattern command...
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ] || ! grep -q -- "$pat" "$tmp/out" "$tmp/err"; then
		echo "FAIL $name: exit $got (want $want), no '$pat' in output:"
		cat "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
	else
		echo "ok $name"
	fi
}
expect docm 0 "new name: macro.docx" "$M" rebuild -c "$tmp/base.conf" -o "$tmp/r.docx" "$tmp/macro.docm"
"$PY" "$top_srcdir/tests/cdr/check_office.py" "$tmp/r.docx" macro.docm || fails=$((fails + 1))
expect odt 0 "macro, script or event handler removed" "$M" rebuild -c "$tmp/base.conf" -o "$tmp/r.odt" "$tmp/macro.odt"
"$PY" "$top_srcdir/tests/cdr/check_office.py" "$tmp/r.odt" macro.odt || fails=$((fails + 1))
expect exe-as-pdf 77 "result: removed" "$M" rebuild -c "$tmp/base.conf" -o "$tmp/nothing" "$tmp/invoice.pdf"
[ ! -e "$tmp/nothing" ] || { echo "FAIL exe-as-pdf: a file was written"; fails=$((fails + 1)); }
expect encrypted 77 "result: unscannable" "$M" rebuild -c "$tmp/base.conf" "$tmp/password.docx"
printf 'clamav_database = %s\nunscannable_encrypted = reject\n' "$tmp/clamdb" >"$tmp/reject.conf"
expect encrypted-reject 77 "message: 550 5.7.1" "$M" rebuild -c "$tmp/reject.conf" "$tmp/password.docx"
printf 'clamav_database = %s\nattachment_rule = outbound text/csv keep\nattachment_rule = any text/csv rebuild\n' "$tmp/clamdb" >"$tmp/dir.conf"
expect csv-outbound-keep 0 "result: kept" "$M" rebuild -c "$tmp/dir.conf" --direction outbound "$tmp/injection.csv"
expect csv-inbound-rebuild 0 "formula cells neutralised" "$M" rebuild -c "$tmp/dir.conf" "$tmp/injection.csv"
# the file as it came is scanned first, as the milter scans every part:
# a test signature only in a PDF's JavaScript, which the rebuild drops,
# still refuses it (it was "rebuilt", exit 0; corpus sweep: ClamAV's
# clam.pdf, clam.exe.rtf, clam.exe.html)
"$PY" - "$tmp/js.pdf" <<'PDF' || exit 99
import sys
objs = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /S /JavaScript /JS (app.alert\\('CLAMAV-TEST-STRING-NOT-EICAR'\\);) >>"]
out, offs = b"%PDF-1.4\n", []
for i, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1], "wb").write(out)
PDF
expect infected-original 77 "result: infected" "$M" rebuild -c "$tmp/base.conf" -o "$tmp/nothing2" "$tmp/js.pdf"
[ ! -e "$tmp/nothing2" ] || { echo "FAIL infected-original: a file was written"; fails=$((fails + 1)); }
printf 'clamav_database = %s\nscan_on_infected = remove\n' "$tmp/clamdb" >"$tmp/remove.conf"
expect infected-remove 77 "result: infected" "$M" rebuild -c "$tmp/remove.conf" "$tmp/js.pdf"
expect bad-direction 64 "not a direction" "$M" rebuild -c "$tmp/base.conf" --direction sideways "$tmp/injection.csv"
expect no-file 64 "exactly one FILE" "$M" rebuild
[ "$fails" = 0 ]
