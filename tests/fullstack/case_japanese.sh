# case_japanese.sh - sourced by tests/fullstack/run.sh (issue 13).
# The full-stack subset of the Japanese corpus (tests/japanese, cases marked
# fullstack): each message goes SMTP -> Postfix -> mugaika-milter ->
# delivery, once with body_charset = utf-8 and once with iso-2022-jp, and
# the delivered copy is checked by the same CP50220-aware checker as the
# `mugaika sanitize` run in make check.

jp_round() { # MODE CONF
	jp_mode="$1"
	jp_dir="$FS_DIR/japanese-$jp_mode"
	jp_tag="fs$$$jp_mode"
	fs_reload "$2" || { fs_fail "japanese $jp_mode: reload refused"; return; }
	"$PYTHON3" "$top_srcdir/tests/japanese/run.py" gen --tag "$jp_tag" --fullstack "$jp_dir" >"$jp_dir.list" ||
		{ fs_fail "japanese $jp_mode: corpus generation failed"; return; }
	while read -r jp_id jp_msgid; do
		fs_send "$jp_dir/$jp_id.eml" sender@example.net staff@city.example.lg.jp ||
			fs_fail "japanese $jp_mode $jp_id: not accepted: $FS_REPLY"
	done <"$jp_dir.list"
	while read -r jp_id jp_msgid; do
		if ! jp_out=$(fs_fetch "$jp_msgid"); then
			fs_fail "japanese $jp_mode $jp_id: not delivered"
		elif "$PYTHON3" "$top_srcdir/tests/japanese/run.py" check --tag "$jp_tag" --case "$jp_id" \
			--mode "$jp_mode" "$jp_out" >"$jp_dir.$jp_id.why" 2>&1; then
			fs_pass "japanese $jp_mode $jp_id through Postfix"
		else
			fs_fail "japanese $jp_mode $jp_id through Postfix"
			cat "$jp_dir.$jp_id.why"
		fi
	done <"$jp_dir.list"
}

cp "$FS_CONF" "$FS_DIR/jp-orig.conf"
{ grep -v '^body_charset' "$FS_CONF"; echo "body_charset = iso-2022-jp"; } >"$FS_DIR/jp-jis.conf"
jp_round utf-8 "$FS_DIR/jp-orig.conf"
jp_round iso-2022-jp "$FS_DIR/jp-jis.conf"
fs_reload "$FS_DIR/jp-orig.conf"
