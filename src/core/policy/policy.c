/*
 * policy.c - the pipeline hooks of the boundary policy (see mg_policy.h):
 * direction, size limits, recipient count, open-relay guard, attachment
 * count and size.  The auto-forward rule lives in policy_forward.c, the
 * Bcc rule in policy_bcc.c, zones in policy_zone.c, permits in permit.c,
 * reply texts in policy_reply.c.
 *
 * Direction: the client address decides the origin (internal_network);
 * the recipient domains decide the destination (internal_domain).  Size
 * limits follow the origin (inbound_* for external clients, outbound_* for
 * internal ones), so they are known at MAIL FROM, when SIZE= is checked and
 * the spool's hard limit is lowered: the body is never stored past it.
 * The open-relay guard refuses each outside-to-outside RCPT (550 5.7.1);
 * it has no switch.  Without internal_domain no recipient is internal, so
 * the guard refuses every outside-to-outside recipient (issue 16: safe with
 * no configuration; the daemon also refuses such a configuration, see
 * mg_policy_config_ready).  At direction_final the profile of the
 * direction is chosen (profile.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mg_alert.h"
#include "mg_auth.h"
#include "mg_log.h"
#include "mg_guard.h"
#include "mg_policy.h"

/* size: of the message (end of message), or -1 (MAIL FROM: recipients not known yet). */
static gint64 limit_message(struct mg_txn *t, gint64 size)
{
	const struct mg_config *c = t->cfg;
	gint64 dir = t->origin_internal ? c->outbound_max_message_size : c->inbound_max_message_size;
	dir = mg_guard_size_limit(t, dir, size); /* issue 16: size-raise exceptions */
	return MIN(dir, c->max_message_size);
}

static gint64 limit_attachment(struct mg_txn *t, gint64 size)
{
	const struct mg_config *c = t->cfg;
	gint64 dir = t->origin_internal ? c->outbound_max_attachment_size : c->inbound_max_attachment_size;
	return mg_guard_size_limit(t, dir, size); /* issue 16: size-raise exceptions */
}

static const char *origin_label(const struct mg_txn *t, gboolean internal)
{
	if (!internal)
		return "Internet";
	return t->cfg->zone_mode == MG_ZONE_LGWAN ? "LGWAN" : "internal";
}

/* The ESMTP SIZE= value of MAIL FROM; -1 when absent or not a number. */
static gint64 declared_size(const struct mg_txn *t)
{
	for (char **a = t->mail_args; a && *a; a++) {
		if (g_ascii_strncasecmp(*a, "SIZE=", 5) != 0)
			continue;
		const char *v = *a + 5;
		char *end = NULL;
		if (!g_ascii_isdigit(*v))
			return -1;
		errno = 0;
		guint64 n = g_ascii_strtoull(v, &end, 10);
		if (errno || *end)
			return errno == ERANGE ? G_MAXINT64 : -1;
		return n > (guint64)G_MAXINT64 ? G_MAXINT64 : (gint64)n;
	}
	return -1;
}

static gboolean check_declared_size(struct mg_txn *t)
{
	gint64 size = declared_size(t);
	if (size <= t->size_limit)
		return TRUE;
	char *s = g_strdup_printf("%" G_GINT64_FORMAT, size), *l = g_strdup_printf("%" G_GINT64_FORMAT, t->size_limit);
	mg_policy_refuse(t, FALSE, "size-declared", "size", s, "limit", l, "direction",
			 t->origin_internal ? "outbound" : "inbound", NULL);
	g_free(s);
	g_free(l);
	return FALSE;
}

static void set_size_limit(struct mg_txn *t)
{
	t->size_limit = limit_message(t, -1);
	mg_spool_set_hard_max(t->raw, (gsize)t->size_limit);
}

gboolean mg_policy_mail_from(struct mg_txn *t)
{
	t->origin_internal = mg_policy_client_internal(t->cfg, t->conn->client_addr);
	t->direction = t->origin_internal ? MG_DIR_OUTBOUND : MG_DIR_INBOUND;
	set_size_limit(t);
	return mg_guard_mail_from(t) && check_declared_size(t); /* issue 16: stop switch first */
}

/* A real (non-null) envelope sender in an internal domain. */
static gboolean sender_internal(const struct mg_txn *t)
{
	char *d = mg_policy_addr_domain(t->mail_from);
	gboolean in = *d && mg_policy_domain_internal(t->cfg, d);
	g_free(d);
	return in;
}

/* Outside-to-outside: in lgwan mode nobody outside may relay; in gateway
 * mode a client that authenticated to the MTA (SMTP AUTH) with an internal
 * envelope sender may (roaming staff). */
static gboolean relay_check(struct mg_txn *t, const char *addr)
{
	if (t->origin_internal || mg_policy_addr_internal(t->cfg, addr))
		return TRUE;
	if (t->cfg->zone_mode == MG_ZONE_GATEWAY && t->auth_user && *t->auth_user && sender_internal(t))
		return TRUE;
	char *rcpt = mg_policy_addr_bare(addr), *sender = mg_policy_addr_bare(t->mail_from);
	mg_warn(t->queue_id,
		"security event: relay attempt refused (rule relay-denied): client=[%s] sender=<%s> rcpt=<%s> auth=%s",
		t->conn->client_addr, sender, rcpt, t->auth_user && *t->auth_user ? t->auth_user : "none");
	mg_alert_emit(MG_ALERT_RELAY_ATTEMPT, MG_ALERT_INFO, "relay attempt refused: client [%s] sender <%s> rcpt <%s>",
		      t->conn->client_addr, sender, rcpt);
	g_free(sender);
	mg_policy_refuse(t, TRUE, "relay-denied", "rcpt", rcpt, "client", t->conn->client_addr, NULL);
	g_free(rcpt);
	return FALSE;
}

gboolean mg_policy_rcpt(struct mg_txn *t, const char *addr)
{
	if (t->rcpts->len >= (guint)t->cfg->max_recipients) {
		char *l = g_strdup_printf("%" G_GINT64_FORMAT, t->cfg->max_recipients);
		mg_policy_refuse(t, TRUE, "max-recipients", "limit", l, "rcpt", addr, NULL);
		g_free(l);
		t->n_rcpt_refused++;
		return FALSE;
	}
	if (!relay_check(t, addr) || !mg_guard_rcpt(t, addr, mg_policy_addr_internal(t->cfg, addr))) {
		t->n_rcpt_refused++;
		return FALSE;
	}
	if (mg_policy_addr_internal(t->cfg, addr))
		t->n_rcpt_internal++;
	else
		t->n_rcpt_external++;
	return TRUE;
}

static void direction_final(struct mg_txn *t)
{
	if (t->n_rcpt_external == 0)
		t->direction = t->origin_internal ? MG_DIR_INTERNAL : MG_DIR_INBOUND;
	else
		t->direction = MG_DIR_OUTBOUND; /* internal client, or roaming sender in gateway mode */
	t->direction_final = TRUE;
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "direction", mg_policy_direction_name(t->direction));
	json_object_set_string_member(o, "origin", origin_label(t, t->origin_internal));
	t->profile = mg_profile_of(t); /* issue 16: what is done to the content */
	json_object_set_string_member(o, "profile", mg_profile_name(t->profile));
	json_object_set_object_member(t->report->extra, "policy", o);
	mg_debug(t->queue_id, "direction %s (from %s; %u internal, %u external recipients)",
		 mg_policy_direction_name(t->direction), origin_label(t, t->origin_internal), t->n_rcpt_internal,
		 t->n_rcpt_external);
}

gboolean mg_policy_eoh(struct mg_txn *t)
{
	if (t->rcpts->len == 0 && t->rcpt_verdict.kind != MG_VERDICT_CONTINUE) {
		/* every recipient was refused (the CLI goes on; an MTA would not) */
		const struct mg_verdict *v = &t->rcpt_verdict;
		mg_txn_fail(t, v->kind, v->code, v->ecode, v->rule, "%s", v->reason ? v->reason : "");
		return FALSE;
	}
	direction_final(t);
	return mg_policy_forward_check(t) && mg_policy_bcc_check(t) && mg_guard_eoh(t); /* issue 16 */
}

/* All decoded leaves (body text too) against the direction's total. */
static gboolean check_decoded_total(struct mg_txn *t)
{
	const struct mg_config *c = t->cfg;
	gint64 limit = t->origin_internal ? c->outbound_max_decoded_total : c->inbound_max_decoded_total;
	if (t->decoded_total <= limit)
		return TRUE;
	char *l = g_strdup_printf("%" G_GINT64_FORMAT, limit);
	mg_policy_refuse(t, FALSE, "decoded-total", "limit", l, "direction",
			 t->origin_internal ? "outbound" : "inbound", NULL);
	g_free(l);
	return FALSE;
}

gboolean mg_policy_leaf(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	if (!check_decoded_total(t))
		return FALSE;
	mg_encryption_leaf(leaf); /* issue 16: labels in names, the scheme of each file */
	mg_guard_leaf(leaf);      /* issue 16: names and text through the exfiltration rules */
	if (leaf->inline_text)
		return TRUE;
	char *lim = NULL, *size = NULL;
	if (++t->n_attachments > (guint)t->cfg->max_attachments) {
		lim = g_strdup_printf("%" G_GINT64_FORMAT, t->cfg->max_attachments);
		mg_policy_refuse(t, FALSE, "max-attachments", "limit", lim, NULL);
	} else if ((gint64)leaf->data->len > limit_attachment(t, (gint64)leaf->data->len)) {
		lim = g_strdup_printf("%" G_GINT64_FORMAT, limit_attachment(t, (gint64)leaf->data->len));
		size = g_strdup_printf("%u", leaf->data->len);
		mg_policy_refuse(t, FALSE, "attachment-size", "part", leaf->path, "size", size, "limit", lim,
				 "direction", t->origin_internal ? "outbound" : "inbound", NULL);
	}
	g_free(lim);
	g_free(size);
	return !mg_txn_decided(t);
}

gboolean mg_policy_message_step(struct mg_txn *t)
{
	if (t->size_limit == 0)
		set_size_limit(t); /* MAIL FROM never came (cannot happen via the front ends) */
	t->size_limit = limit_message(t, t->report->size_in); /* issue 16: a size-raise, now in the recipients' scope */
	if (t->report->size_in <= t->size_limit)
		return TRUE;
	char *s = g_strdup_printf("%" G_GINT64_FORMAT, t->report->size_in);
	char *l = g_strdup_printf("%" G_GINT64_FORMAT, t->size_limit);
	mg_policy_refuse(t, FALSE, "size-message", "size", s, "limit", l, "direction",
			 t->origin_internal ? "outbound" : "inbound", NULL);
	g_free(s);
	g_free(l);
	return FALSE;
}
