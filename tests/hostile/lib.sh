# tests/hostile/lib.sh - the configuration the hostile suite runs with
# (sourced after tests/lib.sh by run.sh and tests/fullstack/case_issue12_hostile.sh).
#
# hostile_conf CONF: append to CONF what the suite needs on top of the
# test configuration: an English notice (the checks look for file names in
# it, not for wording), and no quarantine copies (the milter and the CLI
# must write byte-identical output, and the quarantine id is random).
hostile_conf() {
	{
		echo "# tests/hostile (issue 12)"
		echo "log_level = error"
		echo "notice_language = en"
		echo "quarantine_keep = none"
	} >>"$1"
}
