# case_issue4a_attachments.sh - sourced by tests/fullstack/run.sh (issue 4a).
# An Office macro document and a remote-template document cross the relay:
# the delivered copy carries report.docx (was .docm) without its VBA part
# and letter.docx without the external template, both readable by Python's
# zipfile/ElementTree; the disguised-executable sample arrives without any
# executable attachment.

issue4a_check_office() { # $1 = delivered message file
	"${PYTHON3:-python3}" - "$1" <<'PYEOF'
import email, io, sys, zipfile
import xml.etree.ElementTree as ET
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
names = {p.get_filename(): p.get_payload(decode=True) for p in m.walk() if p.get_filename()}
assert "report.docx" in names and "report.docm" not in names, names.keys()
for fn in ("report.docx", "letter.docx"):
    z = zipfile.ZipFile(io.BytesIO(names[fn]))
    assert z.testzip() is None
    for n in z.namelist():
        assert "vbaProject" not in n, n
        if n.endswith(".xml") or n.endswith(".rels"):
            ET.fromstring(z.read(n))
            assert b"attacker.example" not in z.read(n), n
PYEOF
}

issue4a_check_disguised() { # $1 = delivered message file
	"${PYTHON3:-python3}" - "$1" <<'PYEOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
names = [p.get_filename() for p in m.walk() if p.get_filename()]
assert names == ["notes.txt"], names
PYEOF
}

issue4a_case() { # $1 = sample, $2 = message-id, $3 = check function
	if ! fs_send "$top_srcdir/samples/$1.eml" sender@example.com user@city.example.lg.jp; then
		fs_fail "issue4a $1: refused: $FS_REPLY"
		return
	fi
	delivered=$(fs_fetch "$2") || { fs_fail "issue4a $1: not delivered"; return; }
	if "$3" "$delivered"; then fs_pass "issue4a $1"; else fs_fail "issue4a $1: delivered copy wrong"; fi
}

issue4a_case attach-office-macro "<office@example.com>" issue4a_check_office
issue4a_case attach-disguised "<disguised@example.com>" issue4a_check_disguised
