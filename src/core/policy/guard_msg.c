/*
 * guard_msg.c - the outbound controls from the end of the headers to the
 * verdict (see mg_guard.h): outbreak counters, the exfiltration scan of the
 * Subject, body text, attachment names and attachment text, the
 * exfiltration verdict and the decision to hold, and outbound virus hits.
 */
#include "config.h"

#include <string.h>

#include "mg_alert.h"
#include "mg_charset.h"
#include "mg_exception.h"
#include "mg_exfil.h"
#include "mg_guard.h"
#include "mg_html2text.h"
#include "mg_json.h"
#include "mg_log.h"
#include "mg_policy.h"
#include "mg_txn.h"
#include "guard_priv.h"

static const char *const freemail_names[] = {"log", "hold", "block", "permit-list"};

const char *mg_guard_freemail_action_name(int action)
{
	return action >= 0 && action < (int)G_N_ELEMENTS(freemail_names) ? freemail_names[action] : "?";
}

/* ---- outbreak guard ---- */

static void limits_of(const struct mg_config *c, struct mg_outbreak_limits *l)
{
	l->window_s = c->outbreak_window;
	l->sender_messages = (guint)c->outbreak_sender_messages;
	l->sender_recipients = (guint)c->outbreak_sender_recipients;
	l->client_messages = (guint)c->outbreak_client_messages;
	l->client_recipients = (guint)c->outbreak_client_recipients;
	l->virus_hits = (guint)c->outbreak_virus_hits;
	l->max_tracked = (guint)c->outbreak_max_tracked;
}

struct stop_req {
	int scope;
	const char *value, *reason;
};

static gboolean add_stop(struct mg_stop_state *s, gpointer data)
{
	const struct stop_req *r = data;
	return mg_stop_add(s, r->scope, r->value, "mugaika-milter", "outbreak-guard", r->reason);
}

/* Issue 17: the automatic stop is an administrative act of the daemon's,
 * recorded in the admin log as `mugaika stop` is (mg_alert_act). */
static void outbreak_act(const struct mg_txn *t, const struct stop_req *r)
{
	JsonObject *d = json_object_new();
	json_object_set_string_member(d, "scope", mg_stop_scope_name(r->scope));
	mg_json_set_str(d, "value", r->scope == MG_STOP_SENDER || r->scope == MG_STOP_CLIENT ? r->value : NULL);
	mg_json_set_str(d, "reason", r->reason);
	mg_json_set_str(d, "state_file", t->cfg->stop_state_file);
	mg_json_set_str(d, "queue_id", t->queue_id);
	mg_alert_act("stop", "mugaika-milter", "outbreak-guard", d);
	json_object_unref(d);
}

void mg_guard_outbreak(struct mg_txn *t, const char *why, int kind, const char *value)
{
	GError *err = NULL;
	gboolean changed = FALSE;
	int action = t->cfg->outbound_abuse_action;
	mg_guard_alert(t->queue_id, MG_ALERT_OUTBREAK, MG_ALERT_CRITICAL,
		       "outbound mail over a threshold: %s (action %s)", why,
		       action == MG_ABUSE_STOP_SENDER ? "stop-sender"
		       : action == MG_ABUSE_STOP_ALL  ? "stop-all"
						      : "alert");
	mg_guard_record(t, "outbreak", why);
	if (action == MG_ABUSE_ALERT)
		return;
	struct stop_req r = {action == MG_ABUSE_STOP_ALL ? MG_STOP_OUT : kind, value, why};
	if (!mg_stop_update(t->cfg->stop_state_file, add_stop, &r, &changed, &err)) {
		mg_guard_alert(t->queue_id, MG_ALERT_OUTBREAK, MG_ALERT_ERROR,
			       "outbreak guard: the automatic stop could not be recorded: %s", err->message);
		g_error_free(err);
	} else if (changed)
		outbreak_act(t, &r);
	if (!mg_txn_decided(t))
		mg_policy_refuse(t, FALSE, "stopped-sender", "sender",
				 action == MG_ABUSE_STOP_ALL ? "this relay" : value, NULL);
}

static void outbreak_count(struct mg_txn *t)
{
	struct mg_outbreak_limits l;
	int kind = MG_STOP_SENDER;
	limits_of(t->cfg, &l);
	char *key = mg_guard_sender_key(t);
	char *why =
		mg_outbreak_count(&l, key, t->conn->client_addr, t->n_rcpt_external, FALSE, g_get_real_time(), &kind);
	mg_guard_txn(t)->counted = TRUE;
	if (why)
		mg_guard_outbreak(t, why, kind, kind == MG_STOP_CLIENT ? t->conn->client_addr : key);
	g_free(why);
	g_free(key);
}

/* ---- end of headers ---- */

static gboolean exfil_applies(const struct mg_txn *t)
{
	const struct mg_guard_data *d = t->cfg->guard;
	if (!d || !d->exfil || d->exfil->rules->len == 0)
		return FALSE;
	switch (t->cfg->exfil_scope) {
	case MG_EXFIL_SCOPE_OUTBOUND: return t->direction == MG_DIR_OUTBOUND;
	case MG_EXFIL_SCOPE_OUT_INTERNAL: return t->direction == MG_DIR_OUTBOUND || t->direction == MG_DIR_INTERNAL;
	default: return TRUE;
	}
}

static void scan_subject(struct mg_txn *t, struct mg_exfil_scan *s)
{
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Subject") != 0)
			continue;
		char *dec = mg_charset_decode_header(h->value);
		mg_exfil_scan_text(s, MG_EXW_SUBJECT, dec, strlen(dec));
		g_free(dec);
	}
}

gboolean mg_guard_eoh(struct mg_txn *t)
{
	struct mg_guard_txn *g = mg_guard_txn(t);
	if (t->direction == MG_DIR_OUTBOUND && !g->counted)
		outbreak_count(t);
	if (mg_txn_decided(t))
		return FALSE;
	if (t->direction == MG_DIR_OUTBOUND && t->cfg->hold_external_recipients > 0 &&
	    t->n_rcpt_external > (guint)t->cfg->hold_external_recipients)
		mg_guard_hold_reason(t, "%u external recipients (hold_external_recipients %" G_GINT64_FORMAT ")",
				     t->n_rcpt_external, (gint64)t->cfg->hold_external_recipients);
	if (exfil_applies(t) && !g->scan) {
		g->scan = mg_exfil_scan_new(t->cfg->guard->exfil, (gsize)t->cfg->exfil_max_text);
		scan_subject(t, g->scan);
	}
	return TRUE;
}

/* ---- each leaf ---- */

static const char *leaf_charset(const struct mg_leaf *leaf)
{
	return leaf->orig ? g_mime_object_get_content_type_parameter(GMIME_OBJECT(leaf->orig), "charset") : NULL;
}

static void scan_body(struct mg_exfil_scan *s, const struct mg_leaf *leaf)
{
	const char *cs = leaf_charset(leaf);
	char *text = NULL;
	if (g_strcmp0(leaf->mime_type, "text/html") == 0) {
		struct mg_html2text_opts o = {.max_output = mg_exfil_scan_room(s) + 1};
		text = mg_html2text((const char *)leaf->data->data, leaf->data->len, cs, &o, NULL);
	}
	if (!text) /* plain text, or HTML that could not be converted: its text with the tags */
		text = mg_charset_to_utf8((const char *)leaf->data->data, leaf->data->len, cs, NULL);
	mg_exfil_scan_text(s, MG_EXW_BODY, text, strlen(text));
	g_free(text);
}

gboolean mg_guard_leaf(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	struct mg_exfil_scan *s = t->guard ? t->guard->scan : NULL;
	if (!s || mg_exfil_scan_room(s) == 0)
		return TRUE;
	if (leaf->inline_text) {
		scan_body(s, leaf);
		return TRUE;
	}
	if (leaf->filename)
		mg_exfil_scan_text(s, MG_EXW_ATT_NAME, leaf->filename, strlen(leaf->filename));
	if (t->cfg->exfil_attachment_text) {
		struct mg_exfil_text_limits lim = {.entries_max = (guint)t->cfg->office_max_entries,
						   .part_max = (gsize)t->cfg->office_max_expanded,
						   .charset = leaf_charset(leaf)};
		mg_exfil_attachment(s, leaf->data->data, leaf->data->len, leaf->mime_type, &lim);
	}
	return TRUE;
}

/* ---- end of message: the exfiltration verdict ---- */

static gboolean rule_listed(const struct mg_exception *e, gconstpointer data)
{
	const struct mg_exfil_rule *r = data;
	for (guint i = 0; i < e->rules->len; i++)
		if (strcmp(e->rules->pdata[i], r->name) == 0 || strcmp(e->rules->pdata[i], r->id) == 0)
			return TRUE;
	return FALSE;
}

/* The strongest action after exfil-permit exceptions: a hit whose rule a
 * live exception lets this sender send to these recipients counts as log. */
static int exfil_action(struct mg_txn *t, const struct mg_exfil_scan *s, const struct mg_exfil_rule **rule)
{
	const struct mg_exfil_rules *rules = t->cfg->guard->exfil;
	int best = MG_EXFIL_NONE;
	GDate today;
	mg_policy_today(&today);
	*rule = NULL;
	for (guint i = 0; i < rules->rules->len; i++) {
		const struct mg_exfil_rule *r = rules->rules->pdata[i];
		int a = r->action;
		if (!mg_exfil_scan_hit(s, i))
			continue;
		const struct mg_exception *e = a > MG_EXFIL_LOG
						       ? mg_exc_find_msg(t->cfg->guard->exceptions, MG_EXC_EXFIL_PERMIT,
									 t->mail_from, t->rcpts, &today, rule_listed, r)
						       : NULL;
		if (e) {
			char *what = g_strdup_printf("exfiltration rule %s (%s) let through", r->id,
						     mg_exfil_action_name(a));
			mg_exc_used(t->queue_id, t->report->extra, e, what);
			g_free(what);
			a = MG_EXFIL_LOG;
		}
		if (a > best) {
			best = a;
			*rule = r;
		}
	}
	return best;
}

static void exfil_verdict(struct mg_txn *t, struct mg_exfil_scan *s)
{
	const struct mg_exfil_rule *r = NULL;
	int action = exfil_action(t, s, &r);
	JsonObject *o = mg_exfil_scan_report(s);
	if (o) {
		json_object_set_string_member(o, "action", mg_exfil_action_name(action));
		json_object_set_object_member(t->report->extra, "exfil", o);
	}
	if (action == MG_EXFIL_NONE)
		return;
	mg_info(t->queue_id, "exfiltration rule %s (%s) hit: action %s", r->id, mg_exfil_kind_name(r->kind),
		mg_exfil_action_name(action));
	if (action == MG_EXFIL_ALERT)
		mg_guard_alert(t->queue_id, MG_ALERT_EXFILTRATION, MG_ALERT_WARNING,
			       "outbound mail hit exfiltration rule %s: sender=<%s>", r->id, t->mail_from);
	else if (action == MG_EXFIL_HOLD)
		mg_guard_hold_reason(t, "exfiltration rule %s", r->id);
	else if (action == MG_EXFIL_REJECT)
		mg_policy_refuse(t, FALSE, "exfil-reject", "rule", r->id, NULL);
}

gboolean mg_guard_message_step(struct mg_txn *t)
{
	struct mg_guard_txn *g = t->guard;
	if (g && g->scan)
		exfil_verdict(t, g->scan);
	return !mg_txn_decided(t); /* a hold is kept by the store's step (t->hold_reasons) */
}

/* ---- after the verdict: outbound virus hits ---- */

/* Did the scanner find a virus anywhere (the record's scan section, the
 * parts, the verdict)? */
static gboolean virus_found(const struct mg_txn *t)
{
	JsonObject *sc = json_object_has_member(t->report->extra, "scan")
				 ? json_object_get_object_member(t->report->extra, "scan")
				 : NULL;
	JsonArray *found = sc && json_object_has_member(sc, "found") ? json_object_get_array_member(sc, "found") : NULL;
	for (guint i = 0; found && i < json_array_get_length(found); i++)
		if (g_strcmp0(mg_json_get_str(json_array_get_object_element(found, i), "result"), "infected") == 0)
			return TRUE;
	if (t->scan_raw_virus || t->scan_removed_infected || g_strcmp0(t->report->verdict.rule, "virus-found") == 0)
		return TRUE;
	for (guint i = 0; i < t->report->parts->len; i++)
		if (((const struct mg_part_report *)t->report->parts->pdata[i])->virus)
			return TRUE;
	return FALSE;
}

void mg_guard_after_verdict(struct mg_txn *t)
{
	if (t->direction != MG_DIR_OUTBOUND || !virus_found(t))
		return;
	struct mg_outbreak_limits l;
	int kind = MG_STOP_SENDER;
	limits_of(t->cfg, &l);
	char *key = mg_guard_sender_key(t);
	/* the virus-outbound alert itself is raised by the scan stage when it finds the virus */
	char *why = mg_outbreak_count(&l, key, t->conn->client_addr, 0, TRUE, g_get_real_time(), &kind);
	if (why)
		mg_guard_outbreak(t, why, kind, kind == MG_STOP_CLIENT ? t->conn->client_addr : key);
	g_free(why);
	g_free(key);
}
