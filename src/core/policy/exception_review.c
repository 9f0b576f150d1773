/*
 * exception_review.c - uses of the exception registry and its review for
 * the security officer (see mg_exception.h).
 */
#include "config.h"

#include <string.h>

#include "mg_json.h"
#include "mg_exception.h"
#include "mg_log.h"

static GMutex uses_lock;
static GHashTable *uses_since_start; /* id -> guint64* */

guint64 mg_exc_use_count(const char *id)
{
	g_mutex_lock(&uses_lock);
	guint64 *n = uses_since_start ? g_hash_table_lookup(uses_since_start, id) : NULL;
	guint64 v = n ? *n : 0;
	g_mutex_unlock(&uses_lock);
	return v;
}

static guint64 count_use(const char *id)
{
	g_mutex_lock(&uses_lock);
	if (!uses_since_start)
		uses_since_start = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint64 *n = g_hash_table_lookup(uses_since_start, id);
	if (!n) {
		n = g_new0(guint64, 1);
		g_hash_table_insert(uses_since_start, g_strdup(id), n);
	}
	guint64 v = ++*n;
	g_mutex_unlock(&uses_lock);
	return v;
}

static gboolean already_recorded(JsonArray *a, const char *id, const char *what)
{
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		if (o && g_strcmp0(mg_json_get_str(o, "id"), id) == 0 &&
		    g_strcmp0(mg_json_get_str(o, "use"), what) == 0)
			return TRUE;
	}
	return FALSE;
}

void mg_exc_used(const char *queue_id, JsonObject *extra, const struct mg_exception *e, const char *what)
{
	if (extra) {
		if (!json_object_has_member(extra, "exceptions"))
			json_object_set_array_member(extra, "exceptions", json_array_new());
		JsonArray *a = json_object_get_array_member(extra, "exceptions");
		if (already_recorded(a, e->id, what))
			return;
		JsonObject *o = json_object_new();
		mg_json_set_str(o, "id", e->id);
		json_object_set_string_member(o, "type", mg_exc_type_name(e->type));
		mg_json_set_str(o, "use", what);
		json_array_add_object_element(a, o);
	}
	char exp[16];
	g_date_strftime(exp, sizeof exp, "%Y-%m-%d", &e->expires);
	mg_info(queue_id,
		"exception %s (%s) used: %s; approved by %s, expires %s, use %" G_GUINT64_FORMAT " since start (%s)",
		e->id, mg_exc_type_name(e->type), what, e->approved_by ? e->approved_by : "?", exp, count_use(e->id),
		e->origin);
}

/* ---- the review ---- */

static char *date_text(const GDate *d)
{
	char buf[16] = "-";
	if (g_date_valid(d))
		g_date_strftime(buf, sizeof buf, "%Y-%m-%d", d);
	return g_strdup(buf);
}

/* Status on `today` and whether it needs attention. */
static char *exc_status(const struct mg_exception *e, const GDate *today, int warn_days, gboolean *attention)
{
	gint days = g_date_days_between(today, &e->expires);
	*attention = days < 0 || mg_exc_report_overdue(e, today);
	if (days < 0)
		return g_strdup("EXPIRED");
	if (g_date_valid(&e->granted) && g_date_compare(&e->granted, today) > 0)
		return g_strdup("not yet granted");
	if (mg_exc_report_overdue(e, today))
		return g_strdup("post-report OVERDUE");
	if (days <= warn_days)
		return g_strdup_printf("expires in %d day%s", days, days == 1 ? "" : "s");
	return g_strdup("active");
}

static char *join(const GPtrArray *a)
{
	GString *g = g_string_new(NULL);
	for (guint i = 0; a && i < a->len; i++)
		g_string_append_printf(g, "%s%s", i ? " " : "", (const char *)a->pdata[i]);
	return g_string_free(g, FALSE);
}

static char *scope_text(const struct mg_exception *e)
{
	char *s = join(e->senders), *r = join(e->recipients), *rules = join(e->rules);
	GString *g = g_string_new(NULL);
	g_string_append_printf(g, "sender %s; recipient %s", *s ? s : "any", *r ? r : "any");
	if (*e->filetype)
		g_string_append_printf(g, "; filetype %s", e->filetype);
	if (e->filename)
		g_string_append_printf(g, "; filename %s", e->filename);
	if (e->size)
		g_string_append_printf(g, "; size %" G_GINT64_FORMAT, e->size);
	if (*rules)
		g_string_append_printf(g, "; rule %s", rules);
	if (e->profile)
		g_string_append_printf(g, "; profile %s (inbound sanitization)", mg_exc_profile_name(e->profile));
	g_free(s);
	g_free(r);
	g_free(rules);
	return g_string_free(g, FALSE);
}

static JsonObject *entry_json(const struct mg_exception *e, const char *status, const struct mg_exc_uses *u)
{
	JsonObject *o = json_object_new();
	char *g = date_text(&e->granted), *x = date_text(&e->expires), *p = date_text(&e->post_report_due);
	char *pr = date_text(&e->post_reported);
	char *scope = scope_text(e);
	mg_json_set_str(o, "id", e->id);
	json_object_set_string_member(o, "type", mg_exc_type_name(e->type));
	mg_json_set_str(o, "status", status);
	mg_json_set_str(o, "scope", scope);
	mg_json_set_str(o, "requested_by", e->requested_by);
	mg_json_set_str(o, "approved_by", e->approved_by);
	mg_json_set_str(o, "consultee", e->consultee);
	mg_json_set_str(o, "reason", e->reason);
	mg_json_set_str(o, "application_ref", e->application_ref);
	mg_json_set_str(o, "granted", g_date_valid(&e->granted) ? g : NULL);
	mg_json_set_str(o, "expires", x);
	json_object_set_boolean_member(o, "emergency", e->emergency);
	mg_json_set_str(o, "post_report_due", g_date_valid(&e->post_report_due) ? p : NULL);
	mg_json_set_str(o, "post_reported", g_date_valid(&e->post_reported) ? pr : NULL);
	json_object_set_int_member(o, "uses", u ? (gint64)u->count : 0);
	mg_json_set_str(o, "last_use", u ? u->last : NULL);
	mg_json_set_str(o, "origin", e->origin);
	g_free(g);
	g_free(x);
	g_free(p);
	g_free(pr);
	g_free(scope);
	return o;
}

static void entry_text(FILE *out, JsonObject *o)
{
	fprintf(out, "%-16s %-18s %-20s %-10s %6" G_GINT64_FORMAT "  %s\n", mg_json_get_str0(o, "id"),
		mg_json_get_str0(o, "type"), mg_json_get_str0(o, "status"), mg_json_get_str0(o, "expires"),
		mg_json_get_int(o, "uses", 0), mg_json_get_str(o, "last_use") ? mg_json_get_str(o, "last_use") : "-");
	fprintf(out, "    scope: %s\n", mg_json_get_str0(o, "scope"));
	fprintf(out, "    requested by %s, approved by %s%s%s%s%s; granted %s: %s\n",
		mg_json_get_str(o, "requested_by") ? mg_json_get_str(o, "requested_by") : "(not recorded)",
		mg_json_get_str0(o, "approved_by"), mg_json_get_str(o, "consultee") ? ", consultee " : "",
		mg_json_get_str(o, "consultee") ? mg_json_get_str(o, "consultee") : "",
		mg_json_get_str(o, "application_ref") ? ", ref " : "",
		mg_json_get_str(o, "application_ref") ? mg_json_get_str(o, "application_ref") : "",
		mg_json_get_str(o, "granted") ? mg_json_get_str(o, "granted") : "-", mg_json_get_str0(o, "reason"));
}

guint mg_exc_review(FILE *out, const struct mg_exceptions *x, const GDate *today, int warn_days, GHashTable *uses,
		    gboolean json)
{
	guint attention = 0;
	JsonArray *all = json_array_new();
	if (!json)
		fprintf(out, "%-16s %-18s %-20s %-10s %6s  %s\n", "ID", "TYPE", "STATUS", "EXPIRES", "USES",
			"LAST USE");
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		gboolean att = FALSE;
		char *status = exc_status(e, today, warn_days, &att);
		JsonObject *o = entry_json(e, status, uses ? g_hash_table_lookup(uses, e->id) : NULL);
		attention += att;
		if (!json)
			entry_text(out, o);
		json_array_add_object_element(all, o);
		g_free(status);
	}
	if (json) {
		JsonNode *n = json_node_init_array(json_node_alloc(), all);
		char *s = json_to_string(n, TRUE);
		fprintf(out, "%s\n", s);
		g_free(s);
		json_node_unref(n);
	} else
		json_array_unref(all);
	return attention;
}
