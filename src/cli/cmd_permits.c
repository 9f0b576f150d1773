/*
 * cmd_permits.c - `mugaika permits FILE`: the auto-forward permit review
 * (issue 6).  Without FILE it is `mugaika exceptions` (issue 16): the
 * permit file is one type of the exception registry.  Lists every permit of a permit file with its status today:
 * active, expiring within --warn-days, or EXPIRED (which the daemon would
 * refuse to load).  For the report to the CISO deputy and for cron.
 * Exit 0 when every permit is live, 1 when one has expired, 78 when the
 * file has a bad line (file:line on stderr), 64 on usage errors.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "mg_account.h"
#include "mg_json.h"
#include "mg_policy.h"

/* The review is on record in the admin log of the default configuration (issue 17). */
static void record(const char *conf, const char *file, guint n, guint expired)
{
	if (!conf && !g_file_test(mg_cli_default_config(), G_FILE_TEST_EXISTS))
		return; /* no configuration, no admin log */
	struct mg_config *cfg = mg_cli_load_config(conf);
	if (!cfg)
		return;
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "file", file);
	json_object_set_int_member(d, "permits", n);
	json_object_set_int_member(d, "expired", expired);
	mg_admin_log(cfg, "permits", d, FALSE);
	json_object_unref(d);
	mg_config_unref(cfg);
}

int mg_cmd_permits(int argc, char **argv)
{
	gint warn_days = 14;
	char **files = NULL, *conf = NULL, *audit_log = NULL;
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"warn-days", 'w', 0, G_OPTION_ARG_INT, &warn_days, "flag permits expiring within N days (14)", "N"},
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &conf,
		 "the configuration (no FILE: of the registry; its admin log records the review)", "CONF"},
		{"audit-log", 0, 0, G_OPTION_ARG_FILENAME, &audit_log, "no FILE: count uses from this audit log",
		 "FILE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "no FILE: JSON output", NULL},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE"},
		{NULL},
	};
	const char *summary = "Review an auto-forward permit file (auto_forward_permit_file):\n"
			      "every permit with its status today.  Exit 0 all live, 1 some expired,\n"
			      "78 a bad line.  Without FILE: the whole exception registry, as\n"
			      "`mugaika exceptions`.";
	GError *err = NULL;
	int rc = MG_EX_OK;
	if (!mg_cli_options("permits", "FILE", summary, entries, &argc, &argv)) {
		rc = MG_EX_USAGE;
		goto out;
	}
	if (!files && warn_days >= 0) {
		rc = mg_cli_exceptions_review(conf, NULL, audit_log, warn_days, json);
		goto out;
	}
	if (!files || g_strv_length(files) != 1 || warn_days < 0) {
		fprintf(stderr, "mugaika permits: give one permit FILE (or none for the whole registry)\n");
		rc = MG_EX_USAGE;
		goto out;
	}
	GPtrArray *permits = mg_permit_load_all(files[0], &err);
	if (!permits) {
		fprintf(stderr, "mugaika permits: %s\n", err->message);
		rc = MG_EX_CONFIG;
		goto out;
	}
	GDate today;
	mg_policy_today(&today);
	guint expired = mg_permit_report(stdout, permits, &today, warn_days);
	if (expired > 0)
		rc = 1;
	record(conf, files[0], permits->len, expired);
	g_ptr_array_unref(permits);
out:
	g_clear_error(&err);
	g_strfreev(files);
	g_free(conf);
	g_free(audit_log);
	return rc;
}
