/*
 * guard_exc.c - the exception registry at work in the boundary rules (see
 * mg_guard.h and mg_exception.h): size-raise for the size limits,
 * bcc-exempt for the Bcc rule, auto-forward next to permit-forward.list,
 * sanitize-bypass handed to the CDR by the step sequence, the emergency
 * profiles (body-only, cdr-fallback) the step sequence applies, and the label
 * query of the exfiltration rules.  Every use goes through mg_exc_used
 * (log line, counter, report section "exceptions").
 */
#include "config.h"

#include <string.h>

#include "mg_alert.h"
#include "mg_exception.h"
#include "mg_guard.h"
#include "mg_json.h"
#include "mg_log.h"
#include "mg_policy.h"
#include "guard_priv.h"

static const struct mg_exceptions *registry(const struct mg_txn *t)
{
	return t->cfg->guard ? t->cfg->guard->exceptions : NULL;
}

gint64 mg_guard_size_limit(struct mg_txn *t, gint64 base, gint64 size)
{
	gboolean rcpts_known = size >= 0;
	const struct mg_exceptions *x = registry(t);
	const struct mg_exception *used = NULL;
	GDate today;
	mg_policy_today(&today);
	for (guint i = 0; x && i < x->entries->len; i++) { /* the largest live raise in scope */
		const struct mg_exception *e = x->entries->pdata[i];
		if (e->type == MG_EXC_SIZE_RAISE && e->size > (used ? used->size : base) && mg_exc_live(e, &today) &&
		    mg_exc_addr_in(e->senders, t->mail_from) && (!rcpts_known || mg_exc_rcpts_in(e, t->rcpts)))
			used = e;
	}
	if (!used)
		return base;
	if (size > base) { /* a use: the raise let this size through (at MAIL FROM nothing is counted yet) */
		char *what = g_strdup_printf("size limit %" G_GINT64_FORMAT " instead of %" G_GINT64_FORMAT, used->size,
					     base);
		mg_exc_used(t->queue_id, t->report->extra, used, what);
		g_free(what);
	}
	return used->size;
}

gboolean mg_guard_bcc_exempt(struct mg_txn *t)
{
	GDate today;
	mg_policy_today(&today);
	const struct mg_exception *e =
		mg_exc_find_msg(registry(t), MG_EXC_BCC_EXEMPT, t->mail_from, t->rcpts, &today, NULL, NULL);
	if (e)
		mg_exc_used(t->queue_id, t->report->extra, e, "Bcc rule not applied");
	return e != NULL;
}

gboolean mg_guard_forward_permitted(struct mg_txn *t, const GPtrArray *sources, const char *dest, const char *markers)
{
	GDate today;
	mg_policy_today(&today);
	for (guint i = 0; sources && i < sources->len; i++) {
		const struct mg_exception *e =
			mg_exc_find_rcpt(registry(t), MG_EXC_AUTO_FORWARD, sources->pdata[i], dest, &today);
		if (!e)
			continue;
		char *what = g_strdup_printf("auto-forward from <%s> to <%s> (markers %s)",
					     (const char *)sources->pdata[i], dest, markers);
		mg_exc_used(t->queue_id, t->report->extra, e, what);
		g_free(what);
		return TRUE;
	}
	return FALSE;
}

void mg_guard_permit_line_used(struct mg_txn *t, const char *id, const char *dest)
{
	JsonObject *extra = t->report->extra;
	if (!json_object_has_member(extra, "exceptions"))
		json_object_set_array_member(extra, "exceptions", json_array_new());
	JsonObject *o = json_object_new();
	mg_json_set_str(o, "id", id);
	json_object_set_string_member(o, "type", "auto-forward");
	char *what = g_strdup_printf("auto-forward to <%s> (auto_forward_permit_file)", dest);
	mg_json_set_str(o, "use", what);
	g_free(what);
	json_array_add_object_element(json_object_get_array_member(extra, "exceptions"), o);
}

GPtrArray *mg_guard_bypass_list(struct mg_txn *t)
{
	const struct mg_exceptions *x = registry(t);
	GPtrArray *out = NULL;
	GDate today;
	mg_policy_today(&today);
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		if (e->type != MG_EXC_SANITIZE_BYPASS || !mg_exc_live(e, &today) ||
		    !mg_exc_addr_in(e->senders, t->mail_from) || !mg_exc_rcpts_in(e, t->rcpts))
			continue;
		if (!out)
			out = g_ptr_array_new();
		g_ptr_array_add(out, (gpointer)e);
	}
	return out;
}

void mg_guard_bypass_used(struct mg_txn *t, const char *id, const char *what)
{
	const struct mg_exceptions *x = registry(t);
	for (guint i = 0; x && i < x->entries->len; i++) {
		const struct mg_exception *e = x->entries->pdata[i];
		if (strcmp(e->id, id) == 0) {
			mg_exc_used(t->queue_id, t->report->extra, e, what);
			return;
		}
	}
}

/* ---- emergency profiles (F31, R16.4, R17.9) ---- */

static gboolean profile_is(const struct mg_exception *e, gconstpointer profile)
{
	return e->profile == *(const enum mg_exc_profile *)profile;
}

const struct mg_exception *mg_guard_emergency(const struct mg_txn *t, enum mg_exc_profile profile)
{
	const struct mg_exceptions *x = registry(t);
	GDate today;
	if (!x || t->direction != MG_DIR_INBOUND)
		return NULL;
	mg_policy_today(&today);
	return mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, t->mail_from, t->rcpts, &today, profile_is, &profile);
}

void mg_guard_emergency_used(struct mg_txn *t, const struct mg_exception *e, const char *what)
{
	GDate today;
	mg_policy_today(&today);
	mg_exc_used(t->queue_id, t->report->extra, e, what);
	mg_txn_event_once(t, "emergency-profile");
	t->force_quarantine = TRUE; /* the original, to sanitize again once the profile ends */
	if (mg_exc_report_overdue(e, &today)) {
		char due[16];
		g_date_strftime(due, sizeof due, "%Y-%m-%d", &e->post_report_due);
		mg_warn(t->queue_id, "emergency exception %s: the report to the CISO was due %s; record it (%s)", e->id,
			due, e->origin);
		mg_alert_emit(MG_ALERT_EXC_REPORT_OVERDUE, MG_ALERT_WARNING,
			      "%s: emergency exception %s used although its report to the CISO was due %s (%s)",
			      t->queue_id, e->id, due, e->origin);
	}
}

void mg_guard_registry_alerts(const struct mg_config *cfg)
{
	const struct mg_guard_data *d = cfg->guard;
	if (!d || !d->exceptions)
		return;
	GDate today;
	mg_policy_today(&today);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free), *events = g_ptr_array_new();
	mg_exc_attention(d->exceptions, &today, MG_GUARD_EXPIRED_RECENT_DAYS, lines, events);
	for (guint i = 0; i < lines->len; i++)
		mg_alert_emit(events->pdata[i], MG_ALERT_WARNING, "%s", (const char *)lines->pdata[i]);
	g_ptr_array_unref(lines);
	g_ptr_array_unref(events);
}

/* ---- labels, for the other rules ---- */

gboolean mg_exfil_has_label(const struct mg_txn *t, const char *label)
{
	return t->guard && t->guard->scan && mg_exfil_scan_has_label(t->guard->scan, label);
}

GPtrArray *mg_exfil_labels(const struct mg_txn *t)
{
	GPtrArray *out = g_ptr_array_new();
	const struct mg_exfil_rules *r = t->cfg->guard ? t->cfg->guard->exfil : NULL;
	for (guint i = 0; r && t->guard && t->guard->scan && i < r->rules->len; i++) {
		const struct mg_exfil_rule *rule = r->rules->pdata[i];
		if (rule->kind == MG_EXFIL_LABEL && mg_exfil_scan_hit(t->guard->scan, i))
			g_ptr_array_add(out, rule->name);
	}
	return out;
}
