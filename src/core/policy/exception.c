/*
 * exception.c - loading and matching the exception registry (see
 * mg_exception.h and conf/exceptions.conf).
 */
#include "config.h"

#include <string.h>

#include "mg_alert.h"
#include "mg_config.h"
#include "mg_config_table.h"
#include "mg_exception.h"
#include "mg_policy.h"
#include "mg_stanza.h"

#define ENTRIES_MAX 10000

static const char *const type_names[] = {"sanitize-bypass",    "size-raise",   "auto-forward",     "bcc-exempt",
					 "destination-permit", "exfil-permit", "emergency-profile"};
G_STATIC_ASSERT(G_N_ELEMENTS(type_names) == MG_EXC_N_TYPES);

static const char *const profile_names[] = {"", "body-only", "cdr-fallback"};

const char *mg_exc_type_name(enum mg_exc_type t)
{
	return (guint)t < G_N_ELEMENTS(type_names) ? type_names[t] : "?";
}

const char *mg_exc_profile_name(enum mg_exc_profile p)
{
	return (guint)p < G_N_ELEMENTS(profile_names) ? profile_names[p] : "?";
}

static void exc_free(gpointer p)
{
	struct mg_exception *e = p;
	g_free(e->id);
	g_ptr_array_unref(e->senders);
	g_ptr_array_unref(e->recipients);
	g_ptr_array_unref(e->rules);
	g_free(e->filetype);
	g_free(e->filename);
	g_free(e->requested_by);
	g_free(e->approved_by);
	g_free(e->consultee);
	g_free(e->reason);
	g_free(e->application_ref);
	g_free(e->origin);
	g_free(e);
}

void mg_exc_free(struct mg_exceptions *x)
{
	if (!x)
		return;
	g_ptr_array_unref(x->entries);
	g_free(x);
}

static struct mg_exception *exc_new(const char *id, const char *origin)
{
	struct mg_exception *e = g_new0(struct mg_exception, 1);
	e->id = g_strdup(id);
	e->origin = g_strdup(origin);
	e->senders = g_ptr_array_new_with_free_func(g_free);
	e->recipients = g_ptr_array_new_with_free_func(g_free);
	e->rules = g_ptr_array_new_with_free_func(g_free);
	g_date_clear(&e->granted, 1);
	g_date_clear(&e->expires, 1);
	g_date_clear(&e->post_report_due, 1);
	g_date_clear(&e->post_reported, 1);
	return e;
}

/* ---- one stanza ---- */

/* Keys each type may have besides the common ones, and the scope it needs. */
static const struct {
	const char *const extra[4];
	const char *const needs[4];
} type_keys[] = {
	[MG_EXC_SANITIZE_BYPASS] = {{"filetype", "filename", NULL}, {"sender", "filetype", NULL}},
	[MG_EXC_SIZE_RAISE] = {{"size", NULL}, {"size", NULL}},
	[MG_EXC_AUTO_FORWARD] = {{NULL}, {"sender", "recipient", NULL}},
	[MG_EXC_BCC_EXEMPT] = {{NULL}, {"sender", NULL}},
	[MG_EXC_DEST_PERMIT] = {{NULL}, {"sender", "recipient", NULL}},
	[MG_EXC_EXFIL_PERMIT] = {{"rule", NULL}, {"sender", "rule", NULL}},
	[MG_EXC_EMERGENCY_PROFILE] = {{"profile", NULL}, {"profile", "emergency", "post_report_due"}},
};

static const char *const common_keys[] = {
	"type",    "sender",  "recipient", "requested_by",    "approved_by",  "consultee", "reason", "application_ref",
	"granted", "expires", "emergency", "post_report_due", "post_reported"};

static gboolean id_ok(const char *s)
{
	if (!*s || strlen(s) > 64 || !g_utf8_validate(s, -1, NULL))
		return FALSE;
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isspace(c) || !g_unichar_isprint(c) || c == '[' || c == ']')
			return FALSE;
	}
	return TRUE;
}

static gboolean check_keys(const struct mg_stanza *s, enum mg_exc_type type, GError **err)
{
	static const char *const repeatable[] = {"sender", "recipient", "rule", NULL};
	const char *allowed[G_N_ELEMENTS(common_keys) + 5];
	static const char *const required[] = {"type",    "requested_by", "approved_by", "reason",
					       "granted", "expires",      NULL};
	gsize n = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(common_keys); i++)
		allowed[n++] = common_keys[i];
	for (gsize i = 0; type_keys[type].extra[i]; i++)
		allowed[n++] = type_keys[type].extra[i];
	allowed[n] = NULL;
	if (!mg_stanza_check(s, allowed, repeatable, required, err))
		return FALSE;
	for (gsize i = 0; type_keys[type].needs[i]; i++)
		if (!mg_stanza_get(s, type_keys[type].needs[i])) {
			mg_stanza_error(err, s, type_keys[type].needs[i], "missing; type %s needs it",
					type_names[type]);
			return FALSE;
		}
	if (type == MG_EXC_SIZE_RAISE && !mg_stanza_get(s, "sender") && !mg_stanza_get(s, "recipient")) {
		mg_stanza_error(err, s, NULL, "type size-raise needs a sender or a recipient");
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_addrs(const struct mg_stanza *s, const char *key, GPtrArray *out, GError **err)
{
	GPtrArray *v = mg_stanza_all(s, key);
	gboolean ok = TRUE;
	for (guint i = 0; i < v->len && ok; i++) {
		char *why = NULL;
		ok = mg_policy_check_address(v->pdata[i], &why);
		if (ok)
			g_ptr_array_add(out, g_ascii_strdown(v->pdata[i], -1));
		else
			mg_stanza_error(err, s, key, "%s", why);
		g_free(why);
	}
	g_ptr_array_unref(v);
	return ok;
}

static gboolean parse_date(const struct mg_stanza *s, const char *key, GDate *out, GError **err)
{
	const char *v = mg_stanza_get(s, key);
	if (!v || mg_stanza_date(v, out))
		return TRUE;
	mg_stanza_error(err, s, key, "'%s' is not a date; allowed: YYYY-MM-DD", v);
	return FALSE;
}

/* The same person, written with other spacing or case, is the same person. */
static gboolean same_person(const char *a, const char *b)
{
	char *x = g_utf8_casefold(a, -1), *y = g_utf8_casefold(b, -1);
	GString *gx = g_string_new(NULL), *gy = g_string_new(NULL);
	for (const char *p = x; *p; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			g_string_append_unichar(gx, g_utf8_get_char(p));
	for (const char *p = y; *p; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			g_string_append_unichar(gy, g_utf8_get_char(p));
	gboolean same = strcmp(gx->str, gy->str) == 0;
	g_string_free(gx, TRUE);
	g_string_free(gy, TRUE);
	g_free(x);
	g_free(y);
	return same;
}

static gboolean parse_people(const struct mg_stanza *s, struct mg_exception *e, GError **err)
{
	e->requested_by = g_strdup(mg_stanza_get(s, "requested_by"));
	e->approved_by = g_strdup(mg_stanza_get(s, "approved_by"));
	e->consultee = g_strdup(mg_stanza_get(s, "consultee"));
	e->reason = g_strdup(mg_stanza_get(s, "reason"));
	e->application_ref = g_strdup(mg_stanza_get(s, "application_ref"));
	const char *empty = !*e->requested_by  ? "requested_by"
			    : !*e->approved_by ? "approved_by"
			    : !*e->reason      ? "reason"
					       : NULL;
	if (empty) {
		mg_stanza_error(err, s, empty, "empty; allowed: a name or text");
		return FALSE;
	}
	if (same_person(e->requested_by, e->approved_by)) {
		mg_stanza_error(err, s, "approved_by",
				"'%s' also requested it; allowed: an approver other than the "
				"requester (兼務の禁止)",
				e->approved_by);
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_dates(const struct mg_stanza *s, struct mg_exception *e, GError **err)
{
	const char *em = mg_stanza_get(s, "emergency");
	if (!parse_date(s, "granted", &e->granted, err) || !parse_date(s, "expires", &e->expires, err) ||
	    !parse_date(s, "post_report_due", &e->post_report_due, err) ||
	    !parse_date(s, "post_reported", &e->post_reported, err))
		return FALSE;
	if (g_date_compare(&e->granted, &e->expires) > 0) {
		mg_stanza_error(err, s, "expires", "before granted; allowed: a date on or after granted");
		return FALSE;
	}
	if (em && !mg_parse_bool(em, &e->emergency)) {
		mg_stanza_error(err, s, "emergency", "'%s' is not allowed; allowed: yes|no", em);
		return FALSE;
	}
	if (e->emergency && !g_date_valid(&e->post_report_due)) {
		mg_stanza_error(err, s, "post_report_due",
				"missing; an emergency exception needs the date its "
				"report is due");
		return FALSE;
	}
	return TRUE;
}

/* emergency-profile: which degraded profile, and always an emergency
 * (F31: logged as an exception with a post-report due date). */
static gboolean parse_profile(const struct mg_stanza *s, struct mg_exception *e, GError **err)
{
	const char *v = mg_stanza_get(s, "profile");
	if (e->type != MG_EXC_EMERGENCY_PROFILE)
		return TRUE;
	for (gsize i = 1; i < G_N_ELEMENTS(profile_names); i++)
		if (strcmp(v, profile_names[i]) == 0)
			e->profile = (enum mg_exc_profile)i;
	if (!e->profile) {
		mg_stanza_error(err, s, "profile", "'%s' is not allowed; allowed: body-only|cdr-fallback", v);
		return FALSE;
	}
	if (!e->emergency) {
		mg_stanza_error(err, s, "emergency",
				"'%s' is not allowed; allowed: yes (an emergency profile is always an "
				"emergency measure, reported afterwards)",
				mg_stanza_get(s, "emergency"));
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_scope(const struct mg_stanza *s, struct mg_exception *e, GError **err)
{
	const char *v;
	if (!parse_addrs(s, "sender", e->senders, err) || !parse_addrs(s, "recipient", e->recipients, err))
		return FALSE;
	e->filetype = g_ascii_strdown(mg_stanza_get(s, "filetype") ? mg_stanza_get(s, "filetype") : "", -1);
	e->filename = g_strdup(mg_stanza_get(s, "filename"));
	GPtrArray *rules = mg_stanza_all(s, "rule");
	for (guint i = 0; i < rules->len; i++)
		g_ptr_array_add(e->rules, g_strdup(rules->pdata[i]));
	g_ptr_array_unref(rules);
	if ((v = mg_stanza_get(s, "size"))) {
		int64_t n = 0;
		if (!mg_parse_number(MG_OPT_SIZE, v, &n) || n < 1024 || n > G_GINT64_CONSTANT(2147483648)) {
			mg_stanza_error(err, s, "size", "'%s' is out of range; allowed: 1K to 2G", v);
			return FALSE;
		}
		e->size = n;
	}
	return TRUE;
}

static int type_index(const char *type)
{
	for (gsize i = 0; type && i < G_N_ELEMENTS(type_names); i++)
		if (strcmp(type, type_names[i]) == 0)
			return (int)i;
	return -1;
}

static struct mg_exception *exc_from_stanza(const struct mg_stanza *s, GError **err)
{
	char *origin = g_strdup_printf("%s:%d", s->file, s->line);
	struct mg_exception *e = exc_new(s->head, origin);
	const char *type = mg_stanza_get(s, "type");
	int t = type_index(type);
	g_free(origin);
	if (!id_ok(s->head)) {
		mg_stanza_error(err, s, NULL,
				"'%s' is not an id; allowed: printable text without spaces, 64 "
				"bytes at most",
				s->head);
		goto fail;
	}
	if (!type) {
		mg_stanza_error(err, s, "type", "missing; every exception needs a type");
		goto fail;
	}
	if (t < 0) {
		mg_stanza_error(err, s, "type",
				"'%s' is not allowed; allowed: sanitize-bypass|size-raise|"
				"auto-forward|bcc-exempt|destination-permit|exfil-permit|"
				"emergency-profile",
				type);
		goto fail;
	}
	e->type = (enum mg_exc_type)t;
	if (check_keys(s, e->type, err) && parse_scope(s, e, err) && parse_people(s, e, err) &&
	    parse_dates(s, e, err) && parse_profile(s, e, err))
		return e;
fail:
	exc_free(e);
	return NULL;
}

/* ---- the registry ---- */

static void warn_dates(const struct mg_exception *e, const GDate *today, GPtrArray *warnings)
{
	char *w = NULL;
	if (g_date_compare(&e->expires, today) < 0)
		w = g_strdup_printf("%s: exception %s (%s) expired; it no longer applies", e->origin, e->id,
				    type_names[e->type]);
	else if (g_date_valid(&e->granted) && g_date_compare(&e->granted, today) > 0)
		w = g_strdup_printf("%s: exception %s (%s) is not granted yet; it applies from its granted date",
				    e->origin, e->id, type_names[e->type]);
	else if (mg_exc_report_overdue(e, today))
		w = g_strdup_printf("%s: emergency exception %s: the report to the CISO was due; record it", e->origin,
				    e->id);
	if (w && warnings)
		g_ptr_array_add(warnings, w);
	else
		g_free(w);
}

static gboolean exc_add(struct mg_exceptions *x, struct mg_exception *e, GError **err)
{
	for (guint i = 0; i < x->entries->len; i++) {
		const struct mg_exception *o = x->entries->pdata[i];
		if (strcmp(o->id, e->id) == 0) {
			g_set_error(err, MG_CONFIG_ERROR, 1,
				    "%s: [%s] id given twice (first at %s); allowed: a unique "
				    "id per exception",
				    e->origin, e->id, o->origin);
			exc_free(e);
			return FALSE;
		}
	}
	if (x->entries->len >= ENTRIES_MAX) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: more than %d exceptions", e->origin, ENTRIES_MAX);
		exc_free(e);
		return FALSE;
	}
	g_ptr_array_add(x->entries, e);
	return TRUE;
}

static gboolean add_stanzas(struct mg_exceptions *x, GPtrArray *st, const GDate *today, GPtrArray *warnings,
			    GError **err)
{
	for (guint i = 0; i < st->len; i++) {
		struct mg_exception *e = exc_from_stanza(st->pdata[i], err);
		if (!e || !exc_add(x, e, err))
			return FALSE;
		warn_dates(e, today, warnings);
	}
	return TRUE;
}

/* A line of permit-forward.list as an auto-forward exception. */
static struct mg_exception *exc_from_permit(const struct mg_permit *p)
{
	struct mg_exception *e = exc_new(p->id, p->where);
	e->type = MG_EXC_AUTO_FORWARD;
	e->legacy = TRUE;
	g_ptr_array_add(e->senders, g_strdup(p->source));
	g_ptr_array_add(e->recipients, g_strdup(p->destination));
	e->filetype = g_strdup("");
	e->approved_by = g_strdup(p->approver);
	e->reason = g_strdup(p->reason);
	e->expires = p->date;
	return e;
}

static gboolean add_permits(struct mg_exceptions *x, const char *path, GError **err)
{
	GPtrArray *permits = mg_permit_load_all(path, err);
	gboolean ok = permits != NULL;
	for (guint i = 0; ok && i < permits->len; i++)
		ok = exc_add(x, exc_from_permit(permits->pdata[i]), err);
	if (permits)
		g_ptr_array_unref(permits);
	return ok;
}

static struct mg_exceptions *exc_new_registry(void)
{
	struct mg_exceptions *x = g_new0(struct mg_exceptions, 1);
	x->entries = g_ptr_array_new_with_free_func(exc_free);
	return x;
}

struct mg_exceptions *mg_exc_load(const char *registry, const char *permit_file, const GDate *today,
				  GPtrArray *warnings, GError **err)
{
	GDate now;
	if (!today)
		mg_policy_today(&now);
	struct mg_exceptions *x = exc_new_registry();
	GPtrArray *st = registry && *registry ? mg_stanza_load(registry, "exceptions_file", err) : NULL;
	gboolean ok = !(registry && *registry) || (st && add_stanzas(x, st, today ? today : &now, warnings, err));
	if (ok && permit_file && *permit_file)
		ok = add_permits(x, permit_file, err);
	if (st)
		g_ptr_array_unref(st);
	if (!ok)
		g_clear_pointer(&x, mg_exc_free);
	return x;
}

struct mg_exceptions *mg_exc_parse(const char *name, const char *text, const GDate *today, GPtrArray *warnings,
				   GError **err)
{
	struct mg_exceptions *x = exc_new_registry();
	GPtrArray *st = mg_stanza_parse(name, text, strlen(text), err);
	if (!st || !add_stanzas(x, st, today, warnings, err))
		g_clear_pointer(&x, mg_exc_free);
	if (st)
		g_ptr_array_unref(st);
	return x;
}

/* ---- matching ---- */

gboolean mg_exc_report_overdue(const struct mg_exception *e, const GDate *today)
{
	return e->emergency && g_date_valid(&e->post_report_due) && !g_date_valid(&e->post_reported) &&
	       g_date_compare(&e->post_report_due, today) < 0;
}

void mg_exc_attention(const struct mg_exceptions *x, const GDate *today, int recent_days, GPtrArray *out,
		      GPtrArray *events)
{
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		char day[16];
		if (mg_exc_report_overdue(e, today)) {
			g_date_strftime(day, sizeof day, "%Y-%m-%d", &e->post_report_due);
			g_ptr_array_add(out,
					g_strdup_printf("emergency exception %s (%s): the report to the CISO was due "
							"%s and post_reported is not set (%s)",
							e->id, type_names[e->type], day, e->origin));
			g_ptr_array_add(events, (gpointer)MG_ALERT_EXC_REPORT_OVERDUE);
		}
		gint ago = g_date_days_between(&e->expires, today);
		if (!e->legacy && ago > 0 && ago <= recent_days) {
			g_date_strftime(day, sizeof day, "%Y-%m-%d", &e->expires);
			g_ptr_array_add(out,
					g_strdup_printf("exception %s (%s) expired on %s and no longer applies (%s)",
							e->id, type_names[e->type], day, e->origin));
			g_ptr_array_add(events, (gpointer)MG_ALERT_PERMIT_EXPIRED);
		}
	}
}

gboolean mg_exc_live(const struct mg_exception *e, const GDate *today)
{
	if (g_date_compare(&e->expires, today) < 0)
		return FALSE;
	return !g_date_valid(&e->granted) || g_date_compare(&e->granted, today) <= 0;
}

gboolean mg_exc_addr_in(const GPtrArray *patterns, const char *addr)
{
	if (!patterns || patterns->len == 0)
		return TRUE;
	for (guint i = 0; i < patterns->len; i++)
		if (mg_policy_addr_matches(patterns->pdata[i], addr ? addr : ""))
			return TRUE;
	return FALSE;
}

const struct mg_exception *mg_exc_find_rcpt(const struct mg_exceptions *x, enum mg_exc_type type, const char *sender,
					    const char *rcpt, const GDate *today)
{
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		if (e->type == type && mg_exc_live(e, today) && mg_exc_addr_in(e->senders, sender) &&
		    mg_exc_addr_in(e->recipients, rcpt))
			return e;
	}
	return NULL;
}

gboolean mg_exc_rcpts_in(const struct mg_exception *e, const GPtrArray *rcpts)
{
	for (guint i = 0; rcpts && i < rcpts->len; i++)
		if (!mg_exc_addr_in(e->recipients, rcpts->pdata[i]))
			return FALSE;
	return TRUE;
}

const struct mg_exception *mg_exc_find_msg(const struct mg_exceptions *x, enum mg_exc_type type, const char *sender,
					   const GPtrArray *rcpts, const GDate *today, mg_exc_accept_fn accept,
					   gconstpointer data)
{
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		if (e->type == type && mg_exc_live(e, today) && mg_exc_addr_in(e->senders, sender) &&
		    mg_exc_rcpts_in(e, rcpts) && (!accept || accept(e, data)))
			return e;
	}
	return NULL;
}
