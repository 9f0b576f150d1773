/*
 * report.c - see mg_report.h.  JSON is produced with json-glib.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_report.h"

static void part_free(gpointer p)
{
	struct mg_part_report *pr = p;
	g_free(pr->path);
	g_free(pr->filename);
	g_free(pr->declared_type);
	g_free(pr->detected_type);
	g_free(pr->reason);
	g_free(pr->new_sha256);
	g_free(pr->new_type);
	g_free(pr->new_filename);
	g_free(pr->virus);
	g_ptr_array_unref(pr->removed);
	g_free(pr);
}

struct mg_report *mg_report_new(void)
{
	struct mg_report *r = g_new0(struct mg_report, 1);
	r->parts = g_ptr_array_new_with_free_func(part_free);
	r->events = g_ptr_array_new_with_free_func(g_free);
	r->warnings = g_ptr_array_new_with_free_func(g_free);
	r->extra = json_object_new();
	return r;
}

void mg_report_free(struct mg_report *r)
{
	if (!r)
		return;
	mg_verdict_clear(&r->verdict);
	g_ptr_array_unref(r->parts);
	g_ptr_array_unref(r->events);
	g_ptr_array_unref(r->warnings);
	g_free(r->status);
	g_free(r->actions);
	json_object_unref(r->extra);
	g_free(r);
}

struct mg_part_report *mg_report_add_part(struct mg_report *r, const char *path)
{
	struct mg_part_report *p = g_new0(struct mg_part_report, 1);
	p->path = g_strdup(path);
	p->removed = g_ptr_array_new_with_free_func(g_free);
	p->new_size = -1;
	g_ptr_array_add(r->parts, p);
	return p;
}

void mg_part_report_removed(struct mg_part_report *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_ptr_array_add(p->removed, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

void mg_report_event(struct mg_report *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_ptr_array_add(r->events, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

void mg_report_warning(struct mg_report *r, const char *key)
{
	for (guint i = 0; i < r->warnings->len; i++)
		if (g_str_equal(r->warnings->pdata[i], key))
			return;
	g_ptr_array_add(r->warnings, g_strdup(key));
}

void mg_verdict_set(struct mg_verdict *v, enum mg_verdict_kind kind, const char *code, const char *ecode,
		    const char *rule, const char *fmt, ...)
{
	va_list ap;
	mg_verdict_clear(v);
	v->kind = kind;
	g_strlcpy(v->code, code ? code : "", sizeof v->code);
	g_strlcpy(v->ecode, ecode ? ecode : "", sizeof v->ecode);
	v->rule = g_strdup(rule);
	if (fmt) {
		va_start(ap, fmt);
		v->reason = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
}

void mg_verdict_clear(struct mg_verdict *v)
{
	g_free(v->reason);
	g_free(v->rule);
	memset(v, 0, sizeof *v);
}

const char *mg_verdict_name(enum mg_verdict_kind kind)
{
	static const char *names[] = {"continue", "accept", "reject", "tempfail"};
	return names[kind];
}

const char *mg_action_name(enum mg_action a)
{
	static const char *names[] = {"kept", "converted", "rebuilt", "removed"};
	return names[a];
}

void mg_report_count(const struct mg_report *r, int counts[4])
{
	memset(counts, 0, 4 * sizeof counts[0]);
	for (guint i = 0; i < r->parts->len; i++)
		counts[((struct mg_part_report *)r->parts->pdata[i])->action]++;
}

static void add_str(JsonBuilder *b, const char *key, const char *val)
{
	json_builder_set_member_name(b, key);
	if (val)
		json_builder_add_string_value(b, val);
	else
		json_builder_add_null_value(b);
}

static void add_strv(JsonBuilder *b, const char *key, GPtrArray *a)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; i < a->len; i++)
		json_builder_add_string_value(b, a->pdata[i]);
	json_builder_end_array(b);
}

static void part_to_json(JsonBuilder *b, const struct mg_part_report *p)
{
	json_builder_begin_object(b);
	add_str(b, "path", p->path);
	add_str(b, "filename", p->filename);
	add_str(b, "declared_type", p->declared_type);
	add_str(b, "detected_type", p->detected_type);
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, p->size);
	add_str(b, "sha256", p->sha256);
	add_str(b, "action", mg_action_name(p->action));
	add_str(b, "reason", p->reason);
	add_strv(b, "removed", p->removed);
	if (p->new_size >= 0) {
		add_str(b, "new_type", p->new_type);
		add_str(b, "new_filename", p->new_filename);
		json_builder_set_member_name(b, "new_size");
		json_builder_add_int_value(b, p->new_size);
		add_str(b, "new_sha256", p->new_sha256);
	}
	if (p->virus)
		add_str(b, "virus", p->virus);
	json_builder_end_object(b);
}

JsonNode *mg_report_to_json(const struct mg_report *r)
{
	JsonBuilder *b = json_builder_new();
	const struct mg_verdict *v = &r->verdict;
	json_builder_begin_object(b);
	add_str(b, "verdict", mg_verdict_name(v->kind));
	add_str(b, "smtp_code", v->code[0] ? v->code : NULL);
	add_str(b, "enhanced_code", v->ecode[0] ? v->ecode : NULL);
	add_str(b, "reason", v->reason);
	add_str(b, "rule", v->rule);
	add_str(b, "status", r->status);
	add_str(b, "actions", r->actions);
	json_builder_set_member_name(b, "size_in");
	json_builder_add_int_value(b, r->size_in);
	json_builder_set_member_name(b, "size_out");
	json_builder_add_int_value(b, r->size_out);
	add_strv(b, "events", r->events);
	add_strv(b, "warnings", r->warnings);
	json_builder_set_member_name(b, "parts");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->parts->len; i++)
		part_to_json(b, r->parts->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	g_object_unref(b);
	/* other modules' sections */
	JsonObject *o = json_node_get_object(root);
	GList *members = json_object_get_members(r->extra);
	for (GList *m = members; m; m = m->next)
		json_object_set_member(o, m->data, json_node_copy(json_object_get_member(r->extra, m->data)));
	g_list_free(members);
	return root;
}

char *mg_report_to_json_string(const struct mg_report *r, gboolean pretty)
{
	JsonNode *root = mg_report_to_json(r);
	JsonGenerator *g = json_generator_new();
	json_generator_set_pretty(g, pretty);
	json_generator_set_root(g, root);
	char *s = json_generator_to_data(g, NULL);
	g_object_unref(g);
	json_node_unref(root);
	return s;
}

void mg_report_refused_rcpt(struct mg_report *r, const char *rcpt, const struct mg_verdict *v)
{
	JsonArray *a = json_object_has_member(r->extra, "refused_recipients")
			       ? json_object_get_array_member(r->extra, "refused_recipients")
			       : NULL;
	if (!a) {
		a = json_array_new();
		json_object_set_array_member(r->extra, "refused_recipients", a);
	}
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "rcpt", rcpt ? rcpt : "");
	json_object_set_string_member(o, "code", v->code);
	json_object_set_string_member(o, "ecode", v->ecode);
	json_object_set_string_member(o, "rule", v->rule ? v->rule : "");
	json_object_set_string_member(o, "reason", v->reason ? v->reason : "");
	json_array_add_object_element(a, o);
}
