/*
 * policy_forward.c - auto-forward control (see mg_policy.h).
 *
 * Detection is shared by all modes: mg_policy_forward_markers lists the
 * markers found in the envelope and header fields (names as in the issue
 * and in the config documentation).  mg_policy_forward_check then applies
 * the mode of the message's direction: outbound (auto_forward_outbound) or
 * inbound (auto_forward_inbound); internal mail does not cross the
 * boundary and is not checked.  deny refuses; permit-list needs a live
 * permit for a source mailbox of the message and every destination, and
 * logs each permit used; log-only logs.
 */
#include "config.h"

#include <string.h>

#include "mg_log.h"
#include "mg_guard.h"
#include "mg_policy.h"
#include "policy_priv.h"

/* Header fields whose presence alone marks a forward. */
static const char *const presence_markers[] = {
	"X-MS-Exchange-Inbox-Rules-Loop",
	"X-MS-Exchange-Generated-Message-Source",
	"X-Forwarded-To",
	"X-Forwarded-For",
	"X-Sieve-Redirected-From",
	"Resent-From",
	"Resent-To",
	"Resent-Sender",
};

/* Header fields that may name the forwarding (source) mailbox. */
static const char *const source_fields[] = {
	"Delivered-To", "Resent-From", "Resent-Sender", "X-Forwarded-For", "X-Sieve-Redirected-From", "X-Original-To",
};

static void marker_add(GPtrArray *m, const char *name)
{
	for (guint i = 0; i < m->len; i++)
		if (g_ascii_strcasecmp(m->pdata[i], name) == 0)
			return;
	g_ptr_array_add(m, (gpointer)name);
}

static gboolean is_null_sender(const struct mg_txn *t)
{
	char *b = mg_policy_addr_bare(t->mail_from);
	gboolean null = *b == '\0';
	g_free(b);
	return null;
}

/* Auto-Submitted: the keyword before any ';' or comment (RFC 3834). */
static gboolean auto_submitted_marks(const struct mg_txn *t, const char *value)
{
	char *v = g_ascii_strdown(value, -1);
	v[strcspn(v, ";( \t\n")] = '\0';
	gboolean marks = g_strcmp0(v, "no") != 0;
	if (marks && t->cfg->auto_forward_allow_replies && g_str_equal(v, "auto-replied") && is_null_sender(t))
		marks = FALSE;
	g_free(v);
	return marks;
}

static gboolean any_external(const struct mg_config *cfg, GPtrArray *addrs)
{
	for (guint i = 0; i < addrs->len; i++)
		if (!mg_policy_addr_internal(cfg, addrs->pdata[i]))
			return TRUE;
	return FALSE;
}

static gboolean any_internal(const struct mg_config *cfg, GPtrArray *addrs)
{
	for (guint i = 0; i < addrs->len; i++) {
		char *d = mg_policy_addr_domain(addrs->pdata[i]);
		gboolean in = *d && mg_policy_domain_internal(cfg, d);
		g_free(d);
		if (in)
			return TRUE;
	}
	return FALSE;
}

/* Markers that depend on the zones: Delivered-To of an internal mailbox
 * on mail leaving, and a foreign header From sent by an internal host for
 * an internal envelope sender. */
static void zone_markers(const struct mg_txn *t, const struct mg_header *h, GPtrArray *m)
{
	const struct mg_config *cfg = t->cfg;
	if (!mg_policy_zones_configured(cfg))
		return;
	gboolean dt = g_ascii_strcasecmp(h->name, "Delivered-To") == 0 && t->direction == MG_DIR_OUTBOUND;
	gboolean from = g_ascii_strcasecmp(h->name, "From") == 0 && t->origin_internal;
	if (!dt && !from)
		return;
	GPtrArray *addrs = mg_policy_field_addresses(h->value);
	if (dt && any_internal(cfg, addrs))
		marker_add(m, "Delivered-To");
	char *sd = mg_policy_addr_domain(t->mail_from);
	if (from && *sd && mg_policy_domain_internal(cfg, sd) && any_external(cfg, addrs))
		marker_add(m, "foreign-From");
	g_free(sd);
	g_ptr_array_unref(addrs);
}

/* Outbound mail from an internal host with a real envelope sender outside
 * the internal domains: a mailbox re-sending mail it received (.forward,
 * redirect rules keep the original sender). */
static gboolean foreign_sender(const struct mg_txn *t)
{
	if (!t->cfg->auto_forward_foreign_sender || !mg_policy_zones_configured(t->cfg) || !t->origin_internal ||
	    t->direction != MG_DIR_OUTBOUND)
		return FALSE;
	char *d = mg_policy_addr_domain(t->mail_from);
	gboolean foreign = *d && !mg_policy_domain_internal(t->cfg, d);
	g_free(d);
	return foreign;
}

/* SRS0=/SRS1= (also with '+' or '-' as the separator) envelope senders. */
static gboolean srs_sender(const struct mg_txn *t)
{
	char *b = mg_policy_addr_bare(t->mail_from);
	gboolean srs = (g_str_has_prefix(b, "srs0") || g_str_has_prefix(b, "srs1")) && strchr("=+-", b[4]) && b[4];
	g_free(b);
	return srs;
}

char *mg_policy_forward_markers(const struct mg_txn *t)
{
	GPtrArray *m = g_ptr_array_new();
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Auto-Submitted") == 0 && auto_submitted_marks(t, h->value))
			marker_add(m, "Auto-Submitted");
		for (gsize k = 0; k < G_N_ELEMENTS(presence_markers); k++)
			if (g_ascii_strcasecmp(h->name, presence_markers[k]) == 0)
				marker_add(m, presence_markers[k]);
		zone_markers(t, h, m);
	}
	if (t->mail_from && srs_sender(t))
		marker_add(m, "SRS-sender");
	if (foreign_sender(t))
		marker_add(m, "foreign-sender");
	g_ptr_array_add(m, NULL);
	char *s = m->len > 1 ? g_strjoinv(",", (char **)m->pdata) : NULL;
	g_ptr_array_free(m, TRUE);
	return s;
}

/* Candidate source mailboxes: the envelope sender and the addresses of
 * the fields that name the forwarding mailbox. */
static GPtrArray *forward_sources(const struct mg_txn *t)
{
	GPtrArray *src = g_ptr_array_new_with_free_func(g_free);
	if (!is_null_sender(t))
		g_ptr_array_add(src, mg_policy_addr_bare(t->mail_from));
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		for (gsize k = 0; k < G_N_ELEMENTS(source_fields); k++) {
			if (g_ascii_strcasecmp(h->name, source_fields[k]) != 0)
				continue;
			GPtrArray *a = mg_policy_field_addresses(h->value);
			for (guint j = 0; j < a->len; j++)
				g_ptr_array_add(src, g_strdup(a->pdata[j]));
			g_ptr_array_unref(a);
		}
	}
	return src;
}

static const struct mg_permit *permit_for(const struct mg_txn *t, GPtrArray *src, const char *dest, const GDate *today)
{
	const struct mg_policy_data *pd = t->cfg->policy;
	for (guint i = 0; pd && i < src->len; i++) {
		const struct mg_permit *p = mg_permit_find(pd->permits, src->pdata[i], dest, today);
		if (p)
			return p;
	}
	return NULL;
}

/* Outbound: the external recipients are the destinations; inbound: all. */
static gboolean is_destination(const struct mg_txn *t, const char *rcpt)
{
	return t->direction != MG_DIR_OUTBOUND || !mg_policy_addr_internal(t->cfg, rcpt);
}

static const char *first_destination(const struct mg_txn *t)
{
	for (guint i = 0; i < t->rcpts->len; i++)
		if (is_destination(t, t->rcpts->pdata[i]))
			return t->rcpts->pdata[i];
	return "";
}

/* The mailbox to name in logs and replies: the first internal candidate
 * (the mailbox that forwards), else the first one. */
static const char *main_source(const struct mg_txn *t, GPtrArray *src)
{
	for (guint i = 0; i < src->len; i++) {
		char *d = mg_policy_addr_domain(src->pdata[i]);
		gboolean in = *d && mg_policy_domain_internal(t->cfg, d);
		g_free(d);
		if (in)
			return src->pdata[i];
	}
	return src->len ? src->pdata[0] : "";
}

static void refuse_forward(struct mg_txn *t, const char *rule, const char *markers, GPtrArray *src, const char *dest)
{
	const char *source = main_source(t, src);
	mg_warn(t->queue_id, "auto-forward refused (rule %s): source=<%s> destination=<%s> markers=%s", rule, source,
		dest, markers);
	mg_policy_refuse(t, FALSE, rule, "markers", markers, "source", source, "destination", dest, "direction",
			 mg_policy_direction_name(t->direction), NULL);
}

/* Each use of a permit is logged and listed in the report (audit record). */
static void permit_used(struct mg_txn *t, const struct mg_permit *p, const char *dest, const char *markers)
{
	mg_info(t->queue_id,
		"auto-forward permitted by %s (%s): source=%s destination=<%s> approver=%s expires=%s reason=%s "
		"markers=%s",
		p->id, p->where, p->source, dest, p->approver, p->expires, p->reason, markers);
	mg_guard_permit_line_used(t, p->id, dest); /* issue 16: a use of the registry, counted by the review */
	JsonObject *o = json_object_get_object_member(t->report->extra, "policy");
	if (!o)
		return;
	if (!json_object_has_member(o, "auto_forward_permits"))
		json_object_set_array_member(o, "auto_forward_permits", json_array_new());
	json_array_add_string_element(json_object_get_array_member(o, "auto_forward_permits"), p->id);
}

static gboolean permit_check(struct mg_txn *t, const char *markers, GPtrArray *src)
{
	GDate today;
	mg_policy_today(&today);
	for (guint i = 0; i < t->rcpts->len; i++) {
		char *dest = mg_policy_addr_bare(t->rcpts->pdata[i]);
		const struct mg_permit *p = is_destination(t, dest) ? permit_for(t, src, dest, &today) : NULL;
		if (p)
			permit_used(t, p, dest, markers);
		else if (is_destination(t, dest) && !mg_guard_forward_permitted(t, src, dest, markers)) /* issue 16 */
			refuse_forward(t, "auto-forward-unpermitted", markers, src, dest);
		g_free(dest);
		if (mg_txn_decided(t))
			return FALSE;
	}
	return TRUE;
}

static int forward_mode(const struct mg_txn *t)
{
	if (t->direction == MG_DIR_OUTBOUND)
		return t->cfg->auto_forward_outbound;
	if (t->direction == MG_DIR_INBOUND)
		return t->cfg->auto_forward_inbound;
	return MG_FWD_OFF;
}

gboolean mg_policy_forward_check(struct mg_txn *t)
{
	int mode = forward_mode(t);
	char *markers = mode == MG_FWD_OFF ? NULL : mg_policy_forward_markers(t);
	if (!markers)
		return TRUE;
	JsonObject *o = json_object_get_object_member(t->report->extra, "policy");
	if (o)
		json_object_set_string_member(o, "auto_forward", markers);
	GPtrArray *src = forward_sources(t);
	gboolean ok = TRUE;
	if (mode == MG_FWD_LOG_ONLY)
		mg_info(t->queue_id, "auto-forward detected (log-only, %s): source=<%s> markers=%s",
			mg_policy_direction_name(t->direction), main_source(t, src), markers);
	else if (mode == MG_FWD_DENY)
		refuse_forward(t, "auto-forward-deny", markers, src, first_destination(t));
	else
		ok = permit_check(t, markers, src);
	g_ptr_array_unref(src);
	g_free(markers);
	return ok && !mg_txn_decided(t);
}
