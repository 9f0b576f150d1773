/*
 * audit_report.c - the monthly report (issues 7, 17): counts over the
 * records of the audit log whose time falls in a range and the releases
 * from the admin audit log (the permits in force are added by the front
 * end, which may read the policy's permit file).  What each
 * count reads is the contract of docs/audit-format.md section 9;
 * tests/report/run.sh checks every count against a generated log.
 *
 * "Unscannable" is not a verdict of its own: a part counts as unscannable
 * when its reason (or the message's rule) says "unscannable", "encrypted"
 * or "password", keyed by that reason text.  A detection is counted once
 * per message and signature, wherever in the message it was found.
 */
#include "config.h"

#include <string.h>

#include "mg_audit.h"

static const char *size_rules[] = {"size-declared", "size-message", "attachment-size", "decoded-total"};

struct summary {
	gint64 from_us, to_us;
	guint64 messages, out_messages, selftest_runs, selftest_failed;
	gint64 selftest_last_us;
	char *selftest_last, *selftest_result;
	GHashTable *dir_verdict, *det_dir; /* direction -> counter */
	GHashTable *removed, *rebuilt, *converted, *signatures, *unscannable, *domains;
	GHashTable *blocks, *tempfails, *sizes, *permits, *exceptions, *alerts;
	GHashTable *out_verdict, *out_rule, *out_det;
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

static GHashTable *counter_of(GHashTable *by, const char *key)
{
	GHashTable *c = g_hash_table_lookup(by, key ? key : "(none)");
	if (!c) {
		c = counter_new();
		g_hash_table_insert(by, g_strdup(key ? key : "(none)"), c);
	}
	return c;
}

static gboolean in_range(struct summary *s, JsonObject *rec, gint64 *t)
{
	return mg_audit_time_parse(mg_json_get_str(rec, "time"), t) && *t >= s->from_us && *t < s->to_us;
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

static JsonArray *array_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static JsonObject *object_member(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonObject *element_object(JsonArray *a, guint i)
{
	JsonNode *e = json_array_get_element(a, i);
	return JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
}

/* A string element, or the "id" of an object element. */
static const char *element_id(JsonArray *a, guint i)
{
	JsonNode *e = json_array_get_element(a, i);
	if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING)
		return json_node_get_string(e);
	return JSON_NODE_HOLDS_OBJECT(e) ? mg_json_get_str(json_node_get_object(e), "id") : NULL;
}

static void count_part(struct summary *s, JsonObject *p, GHashTable *sigs)
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
		g_hash_table_add(sigs, g_strdup(mg_json_get_str(p, "virus")));
	if (is_unscannable(mg_json_get_str(p, "reason")))
		count(s->unscannable, mg_json_get_str(p, "reason"));
}

/* Parts, detections (once per signature), permits and exceptions used. */
static void count_report(struct summary *s, JsonObject *r, GHashTable *sigs)
{
	JsonArray *a = array_member(r, "parts");
	for (guint i = 0; a && i < json_array_get_length(a); i++)
		if (element_object(a, i))
			count_part(s, element_object(a, i), sigs);
	a = array_member(object_member(r, "scan"), "found");
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonObject *f = element_object(a, i);
		if (f && g_strcmp0(mg_json_get_str(f, "result"), "infected") == 0 && mg_json_get_str(f, "virus"))
			g_hash_table_add(sigs, g_strdup(mg_json_get_str(f, "virus")));
	}
	a = array_member(object_member(r, "policy"), "auto_forward_permits");
	for (guint i = 0; a && i < json_array_get_length(a); i++)
		if (element_id(a, i))
			count(s->permits, element_id(a, i));
	a = array_member(r, "exceptions");
	for (guint i = 0; a && i < json_array_get_length(a); i++)
		if (element_id(a, i))
			count(s->exceptions, element_id(a, i));
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

static void count_verdict(struct summary *s, const char *dir, const char *verdict, const char *rule)
{
	count(counter_of(s->dir_verdict, dir), verdict);
	if (g_strcmp0(verdict, "reject") == 0)
		count(s->blocks, rule);
	if (g_strcmp0(verdict, "tempfail") == 0)
		count(s->tempfails, rule);
	for (gsize i = 0; g_strcmp0(verdict, "reject") == 0 && rule && i < G_N_ELEMENTS(size_rules); i++)
		if (strcmp(rule, size_rules[i]) == 0)
			count(s->sizes, rule);
	if (g_strcmp0(dir, "outbound") == 0) {
		s->out_messages++;
		count(s->out_verdict, verdict);
		if (rule)
			count(s->out_rule, rule);
	}
}

static void on_message(struct summary *s, JsonObject *rec)
{
	GHashTable *sigs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *dir = mg_json_get_str(rec, "direction"), *rule = mg_json_get_str(rec, "rule");
	s->messages++;
	count_verdict(s, dir, mg_json_get_str(rec, "verdict"), rule);
	if (object_member(rec, "report"))
		count_report(s, object_member(rec, "report"), sigs);
	GHashTableIter it;
	gpointer sig;
	g_hash_table_iter_init(&it, sigs);
	while (g_hash_table_iter_next(&it, &sig, NULL)) {
		count(s->signatures, sig);
		count(counter_of(s->det_dir, dir), sig);
		if (g_strcmp0(dir, "outbound") == 0)
			count(s->out_det, sig);
	}
	g_hash_table_unref(sigs);
	if (is_unscannable(rule))
		count(s->unscannable, rule);
	char *d = sender_domain(mg_json_get_str(rec, "mail_from"));
	count(s->domains, d);
	g_free(d);
}

static void on_selftest(struct summary *s, JsonObject *rec, gint64 t)
{
	gboolean failed = mg_json_get_int(rec, "failed", 1) > 0;
	s->selftest_runs++;
	s->selftest_failed += failed;
	if (s->selftest_last && t <= s->selftest_last_us)
		return;
	g_free(s->selftest_last);
	s->selftest_last = g_strdup(mg_json_get_str0(rec, "time"));
	s->selftest_last_us = t;
	s->selftest_result = failed ? "fail" : "pass";
}

static gboolean on_record(JsonObject *rec, guint64 lineno, gpointer data)
{
	struct summary *s = data;
	const char *type = mg_json_get_str(rec, "type");
	gint64 t;
	(void)lineno;
	if (!in_range(s, rec, &t))
		return TRUE;
	if (g_strcmp0(type, "message") == 0)
		on_message(s, rec);
	else if (g_strcmp0(type, "alert") == 0)
		count(s->alerts, mg_json_get_str(rec, "event"));
	else if (g_strcmp0(type, "selftest") == 0)
		on_selftest(s, rec, t);
	return TRUE;
}

static gboolean on_admin(JsonObject *rec, guint64 lineno, gpointer data)
{
	struct summary *s = data;
	gint64 t;
	(void)lineno;
	if (g_strcmp0(mg_json_get_str(rec, "command"), "release") != 0 ||
	    g_strcmp0(mg_json_get_str(rec, "result"), "ok") != 0 || !in_range(s, rec, &t))
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

static JsonObject *counters_json(GHashTable *by)
{
	JsonObject *o = json_object_new();
	GList *keys = g_list_sort(g_hash_table_get_keys(by), cmp_key);
	for (GList *k = keys; k; k = k->next)
		json_object_set_object_member(o, k->data, counter_json(g_hash_table_lookup(by, k->data)));
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

static JsonObject *outbound_json(struct summary *s)
{
	JsonObject *o = json_object_new();
	json_object_set_int_member(o, "messages", (gint64)s->out_messages);
	json_object_set_object_member(o, "by_verdict", counter_json(s->out_verdict));
	json_object_set_object_member(o, "by_rule", counter_json(s->out_rule));
	json_object_set_object_member(o, "detections", counter_json(s->out_det));
	return o;
}

static JsonObject *selftests_json(struct summary *s)
{
	JsonObject *o = json_object_new();
	json_object_set_int_member(o, "runs", (gint64)s->selftest_runs);
	json_object_set_int_member(o, "failed", (gint64)s->selftest_failed);
	mg_json_set_str(o, "last", s->selftest_last);
	mg_json_set_str(o, "last_result", s->selftest_result);
	return o;
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
	json_object_set_object_member(o, "by_direction", counters_json(s->dir_verdict));
	json_object_set_object_member(o, "removed_by_type", counter_json(s->removed));
	json_object_set_object_member(o, "rebuilt_by_type", counter_json(s->rebuilt));
	json_object_set_object_member(o, "converted_by_type", counter_json(s->converted));
	json_object_set_object_member(o, "detections_by_signature", counter_json(s->signatures));
	json_object_set_object_member(o, "detections_by_direction", counters_json(s->det_dir));
	json_object_set_object_member(o, "unscannable_by_reason", counter_json(s->unscannable));
	json_object_set_object_member(o, "blocks_by_reason", counter_json(s->blocks));
	json_object_set_object_member(o, "tempfail_by_reason", counter_json(s->tempfails));
	json_object_set_object_member(o, "size_refusals", counter_json(s->sizes));
	json_object_set_object_member(o, "permit_use", counter_json(s->permits));
	json_object_set_object_member(o, "exception_use", counter_json(s->exceptions));
	json_object_set_object_member(o, "outbound", outbound_json(s));
	json_object_set_object_member(o, "alerts_by_event", counter_json(s->alerts));
	json_object_set_object_member(o, "selftests", selftests_json(s));
	json_object_set_array_member(o, "top_sender_domains", top_json(s->domains, top_n));
	json_object_set_int_member(o, "releases_count", json_array_get_length(s->releases));
	json_object_set_array_member(o, "releases", json_array_ref(s->releases));
	return o;
}

static void summary_init(struct summary *s)
{
	s->dir_verdict = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
	s->det_dir = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
	GHashTable **c[] = {&s->removed,    &s->rebuilt, &s->converted,   &s->signatures, &s->unscannable,
			    &s->domains,    &s->blocks,  &s->tempfails,   &s->sizes,      &s->permits,
			    &s->exceptions, &s->alerts,  &s->out_verdict, &s->out_rule,   &s->out_det};
	for (gsize i = 0; i < G_N_ELEMENTS(c); i++)
		*c[i] = counter_new();
	s->releases = json_array_new();
}

static void summary_clear(struct summary *s)
{
	GHashTable *c[] = {s->dir_verdict, s->det_dir, s->removed,     s->rebuilt,   s->converted, s->signatures,
			   s->unscannable, s->domains, s->blocks,      s->tempfails, s->sizes,     s->permits,
			   s->exceptions,  s->alerts,  s->out_verdict, s->out_rule,  s->out_det};
	for (gsize i = 0; i < G_N_ELEMENTS(c); i++)
		g_hash_table_unref(c[i]);
	json_array_unref(s->releases);
	g_free(s->selftest_last);
}

JsonObject *mg_audit_summary(const char *audit_log, const char *admin_log, gint64 from_us, gint64 to_us, guint top_n,
			     GError **err)
{
	struct summary s = {.from_us = from_us, .to_us = to_us};
	guint64 bad = 0;
	JsonObject *o = NULL;
	summary_init(&s);
	if (!mg_audit_foreach(audit_log, on_record, &s, &bad, err))
		goto out;
	if (admin_log && *admin_log && g_file_test(admin_log, G_FILE_TEST_EXISTS) &&
	    !mg_audit_foreach(admin_log, on_admin, &s, NULL, err))
		goto out;
	o = summary_json(&s, top_n, bad);
out:
	summary_clear(&s);
	return o;
}
