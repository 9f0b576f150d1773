/*
 * cmd_exceptions.c - `mugaika exceptions`: the review of the exception and
 * permit registry for the security officer (issue 16 item 9, F48, R18.2;
 * see mg_exception.h).
 *
 *   mugaika exceptions [-c CONF] [--file FILE] [--audit-log FILE]
 *                      [--warn-days N] [--json]
 *
 * Lists every entry of exceptions_file (or --file) and of
 * auto_forward_permit_file with its status today, the number of uses and
 * the last use (counted from the audit log: report.exceptions of each
 * record), who asked and who approved.  `mugaika permits` without FILE is
 * the same command.  The run is recorded in admin_audit_log.
 * Exit: 0 every entry live, 1 some expired or with an overdue post-report,
 * 78 a bad registry file (file:line on stderr), 64 usage.
 */
#include "config.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"
#include "mg_exception.h"
#include "mg_json.h"
#include "mg_policy.h"

struct exc_opts {
	char *conf, *file, *audit_log;
	gint warn_days;
	gboolean json;
};

/* ---- uses counted from the audit log (report.exceptions of each record) ---- */

static void uses_free(gpointer p)
{
	struct mg_exc_uses *u = p;
	g_free(u->last);
	g_free(u);
}

static void use_add(GHashTable *uses, const char *id, const char *time)
{
	struct mg_exc_uses *u = g_hash_table_lookup(uses, id);
	if (!u) {
		u = g_new0(struct mg_exc_uses, 1);
		g_hash_table_insert(uses, g_strdup(id), u);
	}
	u->count++;
	g_free(u->last);
	u->last = g_strdup(time);
}

static gboolean on_record(JsonObject *rec, guint64 lineno, gpointer data)
{
	JsonNode *rn = json_object_get_member(rec, "report");
	JsonObject *r = rn && JSON_NODE_HOLDS_OBJECT(rn) ? json_node_get_object(rn) : NULL;
	JsonNode *an = r ? json_object_get_member(r, "exceptions") : NULL;
	JsonArray *a = an && JSON_NODE_HOLDS_ARRAY(an) ? json_node_get_array(an) : NULL;
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal); /* one use per message */
	(void)lineno;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *en = json_array_get_element(a, i);
		const char *id = JSON_NODE_HOLDS_OBJECT(en) ? mg_json_get_str(json_node_get_object(en), "id") : NULL;
		if (id && g_hash_table_add(seen, (gpointer)id))
			use_add(data, id, mg_json_get_str(rec, "time"));
	}
	g_hash_table_destroy(seen);
	return TRUE;
}

static GHashTable *uses_from_audit(const char *audit_log, GError **err)
{
	GHashTable *uses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, uses_free);
	if (!mg_audit_foreach(audit_log, on_record, uses, NULL, err))
		g_clear_pointer(&uses, g_hash_table_unref);
	return uses;
}

/* ---- the review ---- */

static int exc_run(struct mg_config *cfg, const struct exc_opts *o)
{
	GError *err = NULL;
	GDate today;
	const char *file = o->file ? o->file : cfg->exceptions_file;
	const char *log = o->audit_log ? o->audit_log : cfg->audit_log;
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "file", file);
	mg_admin_log(cfg, "exceptions", d, FALSE);
	json_object_unref(d);
	mg_policy_today(&today);
	struct mg_exceptions *x = mg_exc_load(file, o->file ? NULL : cfg->auto_forward_permit_file, &today, NULL, &err);
	if (!x) {
		fprintf(stderr, "mugaika exceptions: %s\n", err->message);
		g_error_free(err);
		return MG_EX_CONFIG;
	}
	GHashTable *uses = *log && g_file_test(log, G_FILE_TEST_EXISTS) ? uses_from_audit(log, &err) : NULL;
	if (!uses && err) {
		fprintf(stderr, "mugaika exceptions: uses not counted: %s\n", err->message);
		g_clear_error(&err);
	}
	guint attention = mg_exc_review(stdout, x, &today, o->warn_days, uses, o->json);
	if (uses)
		g_hash_table_unref(uses);
	mg_exc_free(x);
	return attention ? 1 : MG_EX_OK;
}

int mg_cli_exceptions_review(const char *conf, const char *file, const char *audit_log, int warn_days, gboolean json)
{
	struct exc_opts o = {.conf = (char *)conf,
			     .file = (char *)file,
			     .audit_log = (char *)audit_log,
			     .warn_days = warn_days,
			     .json = json};
	struct mg_config *cfg = mg_cli_load_config(conf);
	if (!cfg)
		return MG_EX_CONFIG;
	int rc = exc_run(cfg, &o);
	mg_config_unref(cfg);
	return rc;
}

int mg_cmd_exceptions(int argc, char **argv)
{
	struct exc_opts o = {.warn_days = 14};
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.conf, "configuration file", "CONF"},
		{"file", 'f', 0, G_OPTION_ARG_FILENAME, &o.file, "review this registry file instead", "FILE"},
		{"audit-log", 0, 0, G_OPTION_ARG_FILENAME, &o.audit_log, "count uses from this audit log", "FILE"},
		{"warn-days", 'w', 0, G_OPTION_ARG_INT, &o.warn_days, "flag entries expiring within N days (14)", "N"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "JSON output", NULL},
		{NULL},
	};
	const char *summary = "Review the exception and permit registry (exceptions_file and\n"
			      "auto_forward_permit_file): status, uses, requester and approver.\n"
			      "Exit 0 all live, 1 some expired or overdue, 78 a bad file.";
	struct mg_config *cfg = NULL;
	int rc = MG_EX_OK;
	if (!mg_cli_options("exceptions", NULL, summary, entries, &argc, &argv) || argc > 1 || o.warn_days < 0) {
		if (argc > 1)
			fprintf(stderr, "mugaika exceptions: unexpected argument '%s'\n", argv[1]);
		rc = MG_EX_USAGE;
	} else if (!(cfg = mg_cli_load_config(o.conf)))
		rc = MG_EX_CONFIG;
	else
		rc = exc_run(cfg, &o);
	if (cfg)
		mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.file);
	g_free(o.audit_log);
	return rc;
}
