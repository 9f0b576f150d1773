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
#include "mg_clock.h"
#include "mg_policy.h"

struct ropts {
	char *conf, *from, *to, *audit_log, *admin_log, *permit_file;
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

static void print_permits(JsonObject *o, const char *key, const char *title)
{
	JsonArray *a = json_object_get_array_member(o, key);
	printf("\n%s:%s\n", title, json_array_get_length(a) ? "" : " none");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *p = json_array_get_object_element(a, i);
		printf("  %s  %s -> %s  expires %s  approved by %s\n", mg_json_get_str0(p, "id"),
		       mg_json_get_str0(p, "source"), mg_json_get_str0(p, "destination"),
		       mg_json_get_str0(p, "expires"), mg_json_get_str0(p, "approver"));
	}
}

static void print_outbound(JsonObject *o)
{
	JsonObject *out = json_object_get_object_member(o, "outbound");
	printf("\nOutbound messages: %" G_GINT64_FORMAT "\n", json_object_get_int_member(out, "messages"));
	print_counter(out, "by_verdict", "Outbound, by verdict");
	print_counter(out, "by_rule", "Outbound events, by rule");
	print_counter(out, "detections", "Outbound detections, by signature");
}

static void print_selftests(JsonObject *o)
{
	JsonObject *s = json_object_get_object_member(o, "selftests");
	printf("\nSelf-tests: %" G_GINT64_FORMAT " runs, %" G_GINT64_FORMAT " failed; last %s (%s)\n",
	       json_object_get_int_member(s, "runs"), json_object_get_int_member(s, "failed"),
	       mg_json_get_str(s, "last") ? mg_json_get_str(s, "last") : "none",
	       mg_json_get_str(s, "last_result") ? mg_json_get_str(s, "last_result") : "-");
}

static void print_directions_of(JsonObject *o, const char *key, const char *title)
{
	JsonObject *dv = json_object_get_object_member(o, key);
	GList *dirs = json_object_get_members(dv);
	printf("\n%s:%s\n", title, dirs ? "" : " none");
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
	print_directions_of(o, "by_direction", "By direction and verdict");
	print_counter(o, "removed_by_type", "Attachments removed, by type");
	print_counter(o, "rebuilt_by_type", "Attachments rebuilt (CDR), by type");
	print_counter(o, "converted_by_type", "Parts converted, by type");
	print_counter(o, "detections_by_signature", "Detections by signature");
	print_directions_of(o, "detections_by_direction", "Detections by direction and signature");
	print_counter(o, "unscannable_by_reason", "Unscannable, by reason");
	print_counter(o, "blocks_by_reason", "Refused messages, by rule");
	print_counter(o, "size_refusals", "Size refusals, by rule");
	print_counter(o, "tempfail_by_reason", "Temporary failures, by rule");
	print_counter(o, "permit_use", "Auto-forward permits used");
	print_counter(o, "exception_use", "Exceptions used");
	print_permits(o, "auto_forward_permits_in_force", "Auto-forward permits in force at the end of the period");
	print_permits(o, "auto_forward_permits_expired_in_period", "Auto-forward permits that expired in the period");
	print_outbound(o);
	print_counter(o, "alerts_by_event", "Alerts, by event");
	print_selftests(o);
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
		{"permit-file", 0, 0, G_OPTION_ARG_FILENAME, &o->permit_file,
		 "auto-forward permits to list (default: auto_forward_permit_file)", "FILE"},
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

/* The calendar day (in log_timezone) of a time. */
static void day_of(gint64 us, GDate *d)
{
	GDateTime *t = g_date_time_new_from_unix_utc((us - 1) / G_USEC_PER_SEC + mg_clock_offset());
	g_date_set_dmy(d, (GDateDay)g_date_time_get_day_of_month(t), (GDateMonth)g_date_time_get_month(t),
		       (GDateYear)g_date_time_get_year(t));
	g_date_time_unref(t);
}

static JsonObject *permit_json(const struct mg_permit *p)
{
	JsonObject *o = json_object_new();
	mg_json_set_str(o, "id", p->id);
	mg_json_set_str(o, "source", p->source);
	mg_json_set_str(o, "destination", p->destination);
	mg_json_set_str(o, "approver", p->approver);
	mg_json_set_str(o, "expires", p->expires);
	mg_json_set_str(o, "reason", p->reason);
	return o;
}

/* Auto-forward permits in force on the last day of the period, and those
 * that expired during it (F22, F39: the report to the CISO補佐). */
static gboolean add_permits(JsonObject *r, const char *file, gint64 from, gint64 to, GError **err)
{
	JsonArray *in_force = json_array_new(), *expired = json_array_new();
	GPtrArray *permits = file && *file ? mg_permit_load_all(file, err) : g_ptr_array_new();
	GDate first, last;
	day_of(from + 1, &first);
	day_of(to, &last);
	for (guint i = 0; permits && i < permits->len; i++) {
		const struct mg_permit *p = permits->pdata[i];
		if (g_date_compare(&p->date, &last) >= 0)
			json_array_add_object_element(in_force, permit_json(p));
		else if (g_date_compare(&p->date, &first) >= 0)
			json_array_add_object_element(expired, permit_json(p));
	}
	json_object_set_array_member(r, "auto_forward_permits_in_force", in_force);
	json_object_set_array_member(r, "auto_forward_permits_expired_in_period", expired);
	if (permits)
		g_ptr_array_unref(permits);
	return permits != NULL;
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
	if (!add_permits(r, o->permit_file ? o->permit_file : cfg->auto_forward_permit_file, from, to, &err)) {
		fprintf(stderr, "mugaika report: %s\n", err->message);
		g_error_free(err);
		json_object_unref(r);
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
	g_free(o.permit_file);
	return rc;
}
