/*
 * cmd_report.c - `mugaika report --from DATE --to DATE [--json]`: the
 * monthly report for the security officer, computed from the audit log
 * (mg_audit_summary) and the admin audit log (releases).
 * Exit: 0 ok, 1 the log cannot be read, 64 usage or a bad date.
 */
#include "config.h"

#include <stdio.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"

struct ropts {
	char *conf, *from, *to, *audit_log, *admin_log;
	gboolean json;
	gint top;
};

static void print_counter(JsonObject *o, const char *key, const char *title)
{
	JsonObject *c = json_object_get_object_member(o, key);
	GList *keys = json_object_get_members(c);
	printf("\n%s:%s\n", title, keys ? "" : " none");
	for (GList *k = keys; k; k = k->next)
		printf("  %-40s %" G_GINT64_FORMAT "\n", (char *)k->data, json_object_get_int_member(c, k->data));
	g_list_free(keys);
}

static void print_directions(JsonObject *o)
{
	JsonObject *dv = json_object_get_object_member(o, "by_direction");
	GList *dirs = json_object_get_members(dv);
	printf("\nBy direction and verdict:%s\n", dirs ? "" : " none");
	for (GList *d = dirs; d; d = d->next) {
		JsonObject *v = json_object_get_object_member(dv, d->data);
		GList *vs = json_object_get_members(v);
		printf("  %-10s", (char *)d->data);
		for (GList *k = vs; k; k = k->next)
			printf("  %s %" G_GINT64_FORMAT, (char *)k->data, json_object_get_int_member(v, k->data));
		printf("\n");
		g_list_free(vs);
	}
	g_list_free(dirs);
}

static void print_text(JsonObject *o)
{
	printf("mugaika report %s .. %s\n", json_object_get_string_member(o, "from"),
	       json_object_get_string_member(o, "to"));
	printf("Messages: %" G_GINT64_FORMAT " (unreadable log lines: %" G_GINT64_FORMAT ")\n",
	       json_object_get_int_member(o, "messages"), json_object_get_int_member(o, "unreadable_lines"));
	print_directions(o);
	print_counter(o, "removed_by_type", "Attachments removed, by type");
	print_counter(o, "rebuilt_by_type", "Attachments rebuilt (CDR), by type");
	print_counter(o, "converted_by_type", "Parts converted, by type");
	print_counter(o, "detections_by_signature", "Detections by signature");
	print_counter(o, "unscannable_by_reason", "Unscannable, by reason");
	JsonArray *top = json_object_get_array_member(o, "top_sender_domains");
	printf("\nTop sender domains:%s\n", json_array_get_length(top) ? "" : " none");
	for (guint i = 0; i < json_array_get_length(top); i++) {
		JsonObject *d = json_array_get_object_element(top, i);
		printf("  %-40s %" G_GINT64_FORMAT "\n", json_object_get_string_member(d, "domain"),
		       json_object_get_int_member(d, "messages"));
	}
	JsonArray *rel = json_object_get_array_member(o, "releases");
	printf("\nQuarantine releases: %u\n", json_array_get_length(rel));
	for (guint i = 0; i < json_array_get_length(rel); i++) {
		JsonObject *r = json_array_get_object_element(rel, i);
		printf("  %s  %s -> <%s> by %s: %s\n", mg_json_get_str0(r, "time"), mg_json_get_str0(r, "id"),
		       mg_json_get_str0(r, "to"), mg_json_get_str0(r, "user"), mg_json_get_str0(r, "reason"));
	}
}

static int report_parse(int argc, char **argv, struct ropts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"from", 0, 0, G_OPTION_ARG_STRING, &o->from, "first day (or time) included", "DATE"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o->to, "last day included (a time: excluded)", "DATE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "JSON instead of text", NULL},
		{"audit-log", 0, 0, G_OPTION_ARG_FILENAME, &o->audit_log, "read this audit log (default: audit_log)",
		 "FILE"},
		{"admin-log", 0, 0, G_OPTION_ARG_FILENAME, &o->admin_log, "read releases from this admin log", "FILE"},
		{"top", 0, 0, G_OPTION_ARG_INT, &o->top, "how many sender domains (default 10)", "N"},
		{NULL},
	};
	gboolean ok = mg_cli_options("report", NULL,
				     "Counts by direction and verdict, removals and rebuilds by type, detections,\n"
				     "unscannable parts, top sender domains and quarantine releases.\n"
				     "DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+09:00].",
				     entries, &argc, &argv);
	if (ok && (!o->from || !o->to || argc > 1 || o->top < 0 || o->top > 10000))
		fprintf(stderr, "mugaika report: --from DATE and --to DATE are required\n");
	return ok && o->from && o->to && argc <= 1 && o->top >= 0 && o->top <= 10000 ? MG_EX_OK : MG_EX_USAGE;
}

static int report_run(struct ropts *o, struct mg_config *cfg)
{
	gint64 from, to;
	GError *err = NULL;
	if (!mg_audit_parse_date(o->from, FALSE, &from, &err) || !mg_audit_parse_date(o->to, TRUE, &to, &err)) {
		fprintf(stderr, "mugaika report: %s\n", err->message);
		g_error_free(err);
		return MG_EX_USAGE;
	}
	const char *log = o->audit_log ? o->audit_log : cfg->audit_log;
	const char *admin = o->admin_log ? o->admin_log : cfg->admin_audit_log;
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "from", o->from);
	mg_json_set_str(d, "to", o->to);
	mg_json_set_str(d, "file", log);
	mg_admin_log(cfg, "report", d, FALSE);
	json_object_unref(d);
	JsonObject *r = mg_audit_summary(log, admin, from, to, (guint)(o->top ? o->top : 10), &err);
	if (!r) {
		fprintf(stderr, "mugaika report: %s: %s\n", log, err->message);
		g_error_free(err);
		return 1;
	}
	if (o->json) {
		JsonNode *n = json_node_init_object(json_node_alloc(), r);
		char *s = json_to_string(n, TRUE);
		printf("%s\n", s);
		g_free(s);
		json_node_unref(n);
	} else
		print_text(r);
	json_object_unref(r);
	return 0;
}

int mg_cmd_report(int argc, char **argv)
{
	struct ropts o = {0};
	int rc = report_parse(argc, argv, &o);
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(o.conf);
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc)
		rc = report_run(&o, cfg);
	if (cfg)
		mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.from);
	g_free(o.to);
	g_free(o.audit_log);
	g_free(o.admin_log);
	return rc;
}
