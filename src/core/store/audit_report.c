/*
 * audit_report.c - the monthly report (issue 7): counts over the audit log
 * records of a time range, plus the releases from the admin audit log.
 * See mg_audit_summary() in mg_audit.h for the shape of the result.
 *
 * "Unscannable" is not a verdict of its own: a part counts as unscannable
 * when its reason (or the message's rule) says "unscannable", "encrypted"
 * or "password", keyed by that reason text.
 */
#include "config.h"

#include <string.h>

#include "mg_audit.h"

struct summary {
	gint64 from_us, to_us;
	guint64 messages;
	GHashTable *dir_verdict; /* "inbound" -> GHashTable verdict -> count */
	GHashTable *removed, *rebuilt, *converted, *signatures, *unscannable, *domains;
	JsonArray *releases;
};

static GHashTable *counter_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void count(GHashTable *h, const char *key)
{
	if (!key || !*key)
		key = "(none)";
	gpointer old = g_hash_table_lookup(h, key);
	g_hash_table_replace(h, g_strdup(key), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
}

static gboolean in_range(struct summary *s, JsonObject *rec)
{
	gint64 t;
	return mg_audit_time_parse(mg_json_get_str(rec, "time"), &t) && t >= s->from_us && t < s->to_us;
}

static gboolean is_unscannable(const char *reason)
{
	if (!reason)
		return FALSE;
	char *l = g_ascii_strdown(reason, -1);
	gboolean u = strstr(l, "unscannable") || strstr(l, "encrypted") || strstr(l, "password");
	g_free(l);
	return u;
}

static void count_part(struct summary *s, JsonObject *p)
{
	const char *action = mg_json_get_str(p, "action"), *type = mg_json_get_str(p, "detected_type");
	if (!type)
		type = mg_json_get_str(p, "declared_type");
	if (g_strcmp0(action, "removed") == 0)
		count(s->removed, type);
	else if (g_strcmp0(action, "rebuilt") == 0)
		count(s->rebuilt, type);
	else if (g_strcmp0(action, "converted") == 0)
		count(s->converted, type);
	if (mg_json_get_str(p, "virus"))
		count(s->signatures, mg_json_get_str(p, "virus"));
	if (is_unscannable(mg_json_get_str(p, "reason")))
		count(s->unscannable, mg_json_get_str(p, "reason"));
}

static void count_report(struct summary *s, JsonObject *rec)
{
	JsonNode *rn = json_object_get_member(rec, "report");
	if (!rn || !JSON_NODE_HOLDS_OBJECT(rn))
		return;
	JsonObject *r = json_node_get_object(rn);
	JsonNode *pn = json_object_get_member(r, "parts");
	if (pn && JSON_NODE_HOLDS_ARRAY(pn)) {
		JsonArray *parts = json_node_get_array(pn);
		for (guint i = 0; i < json_array_get_length(parts); i++) {
			JsonNode *e = json_array_get_element(parts, i);
			if (JSON_NODE_HOLDS_OBJECT(e))
				count_part(s, json_node_get_object(e));
		}
	}
	JsonNode *scan = json_object_get_member(r, "scan");
	if (scan && JSON_NODE_HOLDS_OBJECT(scan) && mg_json_get_str(json_node_get_object(scan), "virus"))
		count(s->signatures, mg_json_get_str(json_node_get_object(scan), "virus"));
}

static char *sender_domain(const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;
	if (!from || !*from)
		return g_strdup("(null sender)");
	if (!at || !at[1])
		return g_strdup("(no domain)");
	char *d = g_ascii_strdown(at + 1, -1);
	g_strdelimit(d, ">", '\0');
	return d;
}

static gboolean on_message(JsonObject *rec, guint64 lineno, gpointer data)
{
	struct summary *s = data;
	if (g_strcmp0(mg_json_get_str(rec, "type"), "message") != 0 || !in_range(s, rec))
		return TRUE;
	s->messages++;
	const char *dir = mg_json_get_str(rec, "direction");
	GHashTable *v = g_hash_table_lookup(s->dir_verdict, dir ? dir : "(none)");
	if (!v) {
		v = counter_new();
		g_hash_table_insert(s->dir_verdict, g_strdup(dir ? dir : "(none)"), v);
	}
	count(v, mg_json_get_str(rec, "verdict"));
	count_report(s, rec);
	if (is_unscannable(mg_json_get_str(rec, "rule")))
		count(s->unscannable, mg_json_get_str(rec, "rule"));
	char *d = sender_domain(mg_json_get_str(rec, "mail_from"));
	count(s->domains, d);
	g_free(d);
	return TRUE;
}

static gboolean on_admin(JsonObject *rec, guint64 lineno, gpointer data)
{
	struct summary *s = data;
	if (g_strcmp0(mg_json_get_str(rec, "command"), "release") != 0 ||
	    g_strcmp0(mg_json_get_str(rec, "result"), "ok") != 0 || !in_range(s, rec))
		return TRUE;
	JsonObject *r = json_object_new();
	static const char *keys[] = {"time", "id", "to", "user", "reason"};
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		mg_json_set_str(r, keys[i], mg_json_get_str(rec, keys[i]));
	json_array_add_object_element(s->releases, r);
	return TRUE;
}

static gint cmp_key(gconstpointer a, gconstpointer b)
{
	return strcmp(a, b);
}

static JsonObject *counter_json(GHashTable *h)
{
	JsonObject *o = json_object_new();
	GList *keys = g_list_sort(g_hash_table_get_keys(h), cmp_key);
	for (GList *k = keys; k; k = k->next)
		json_object_set_int_member(o, k->data, (gint64)GPOINTER_TO_SIZE(g_hash_table_lookup(h, k->data)));
	g_list_free(keys);
	return o;
}

static gint cmp_rank(gconstpointer a, gconstpointer b, gpointer table)
{
	gsize x = GPOINTER_TO_SIZE(g_hash_table_lookup(table, a));
	gsize y = GPOINTER_TO_SIZE(g_hash_table_lookup(table, b));
	return x != y ? (x < y ? 1 : -1) : strcmp(a, b);
}

static JsonArray *top_json(GHashTable *h, guint top_n)
{
	JsonArray *a = json_array_new();
	GList *keys = g_list_sort_with_data(g_hash_table_get_keys(h), cmp_rank, h);
	guint n = 0;
	for (GList *k = keys; k && n < top_n; k = k->next, n++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "domain", k->data);
		json_object_set_int_member(o, "messages", (gint64)GPOINTER_TO_SIZE(g_hash_table_lookup(h, k->data)));
		json_array_add_object_element(a, o);
	}
	g_list_free(keys);
	return a;
}

static JsonObject *summary_json(struct summary *s, guint top_n, guint64 bad)
{
	JsonObject *o = json_object_new();
	char *f = mg_audit_time_iso(s->from_us), *t = mg_audit_time_iso(s->to_us);
	json_object_set_string_member(o, "from", f);
	json_object_set_string_member(o, "to", t);
	g_free(f);
	g_free(t);
	json_object_set_int_member(o, "messages", (gint64)s->messages);
	json_object_set_int_member(o, "unreadable_lines", (gint64)bad);
	JsonObject *dv = json_object_new();
	GList *dirs = g_list_sort(g_hash_table_get_keys(s->dir_verdict), cmp_key);
	for (GList *d = dirs; d; d = d->next)
		json_object_set_object_member(dv, d->data, counter_json(g_hash_table_lookup(s->dir_verdict, d->data)));
	g_list_free(dirs);
	json_object_set_object_member(o, "by_direction", dv);
	json_object_set_object_member(o, "removed_by_type", counter_json(s->removed));
	json_object_set_object_member(o, "rebuilt_by_type", counter_json(s->rebuilt));
	json_object_set_object_member(o, "converted_by_type", counter_json(s->converted));
	json_object_set_object_member(o, "detections_by_signature", counter_json(s->signatures));
	json_object_set_object_member(o, "unscannable_by_reason", counter_json(s->unscannable));
	json_object_set_array_member(o, "top_sender_domains", top_json(s->domains, top_n));
	json_object_set_int_member(o, "releases_count", json_array_get_length(s->releases));
	json_object_set_array_member(o, "releases", json_array_ref(s->releases));
	return o;
}

JsonObject *mg_audit_summary(const char *audit_log, const char *admin_log, gint64 from_us, gint64 to_us, guint top_n,
			     GError **err)
{
	struct summary s = {.from_us = from_us, .to_us = to_us};
	guint64 bad = 0;
	JsonObject *o = NULL;
	s.dir_verdict = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
	s.removed = counter_new(), s.rebuilt = counter_new(), s.converted = counter_new();
	s.signatures = counter_new(), s.unscannable = counter_new(), s.domains = counter_new();
	s.releases = json_array_new();
	if (!mg_audit_foreach(audit_log, on_message, &s, &bad, err))
		goto out;
	if (admin_log && *admin_log && g_file_test(admin_log, G_FILE_TEST_EXISTS) &&
	    !mg_audit_foreach(admin_log, on_admin, &s, NULL, err))
		goto out;
	o = summary_json(&s, top_n, bad);
out:
	g_hash_table_unref(s.dir_verdict);
	GHashTable *c[] = {s.removed, s.rebuilt, s.converted, s.signatures, s.unscannable, s.domains};
	for (gsize i = 0; i < G_N_ELEMENTS(c); i++)
		g_hash_table_unref(c[i]);
	json_array_unref(s.releases);
	return o;
}
