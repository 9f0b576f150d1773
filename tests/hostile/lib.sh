# tests/hostile/lib.sh - the configuration the hostile suite runs with
# (sourced after tests/lib.sh by run.sh and tests/fullstack/case_issue12_hostile.sh).
#
# hostile_conf CONF: set in CONF what the suite needs on top of the test
# configuration: an English notice (the checks look for file names in it,
# not for wording), and no quarantine copies (the milter and the CLI must
# write byte-identical output, and a quarantine id is random).
hostile_conf() {
	sed -i -e '/^notice_language *=/d' -e '/^quarantine_keep *=/d' "$1"
	{
		echo "# tests/hostile (issue 12)"
		echo "notice_language = en"
		echo "quarantine_keep = none"
	} >>"$1"
}
