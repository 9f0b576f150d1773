# case_issue3_html.sh - sourced by tests/fullstack/run.sh (issue 3).
# An HTML-only Japanese message (ISO-2022-JP with NEC row-13 characters)
# goes through Postfix and the milter; the delivered copy must be
# text/plain only, readable Japanese, with the notice and our headers, and
# no HTML left.

issue3_html_msg() {
	local f="$1"
	# ISO-2022-JP bytes written with printf: "市民の皆様へ ①" and "こちら".
	{
		printf 'From: Sender <sender@example.jp>\n'
		printf 'To: staff@city.example.lg.jp\n'
		printf 'Subject: =?ISO-2022-JP?B?GyRCO1RMMSROMydNTSRYGyhC?=\n'
		printf 'Message-ID: <issue3-html-%s@example.jp>\n' "$$"
		printf 'X-Mugaika-Status: forged\n'
		printf 'MIME-Version: 1.0\n'
		printf 'Content-Type: text/html; charset=iso-2022-jp\n'
		printf 'Content-Transfer-Encoding: 7bit\n\n'
		printf '<html><head><script>alert(1)</script></head><body>\n'
		printf '<p>\033$B;TL1$N3\047MM$X\033(B \033$B-!\033(B</p>\n'
		printf '<p><a href="https://www.city.example.lg.jp/">\033$B$3$A$i\033(B</a></p>\n'
		printf '</body></html>\n'
	} >"$f"
}

issue3_html_case() {
	local msg="$FS_DIR/issue3-html.eml" out
	issue3_html_msg "$msg"
	if ! fs_send "$msg" sender@example.jp staff@city.example.lg.jp; then
		fs_fail "issue3 html-only: not accepted: $FS_REPLY"
		return
	fi
	out=$(fs_fetch "issue3-html-$$@example.jp") || { fs_fail "issue3 html-only: not delivered"; return; }
	"${PYTHON3:-python3}" - "$out" <<'PY' && fs_pass "issue3 html-only Japanese message delivered as text" || fs_fail "issue3 html-only: delivered copy wrong"
import email, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read())
assert m.get_content_type() == "text/plain", m.get_content_type()
assert m.get_all("X-Mugaika-Status") and "forged" not in " ".join(m.get_all("X-Mugaika-Status"))
assert "html-to-text" in m.get("X-Mugaika-Actions", "")
text = m.get_payload(decode=True).decode(m.get_content_charset() or "utf-8")
assert "①" in text, text
assert "https://www.city.example.lg.jp/" in text, text
assert "<p>" not in text and "alert(1)" not in text and "<html" not in text.lower(), text
assert "無害化" in text, text
PY
}

issue3_html_case
