/*
 * guard.c - the outbound controls' entry points for the boundary policy
 * (see mg_guard.h): configuration compile/release, the stop switch and
 * destination lists at MAIL FROM and RCPT, the outbreak counters and the
 * start of the exfiltration scan at the end of the headers, the per-message
 * state and its cleanup, and the alert function.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_charset.h"
#include "mg_exception.h"
#include "mg_exfil.h"
#include "mg_guard.h"
#include "mg_log.h"
#include "mg_policy.h"
#include "mg_txn.h"
#include "guard_priv.h"

G_DEFINE_QUARK(mg - guard - error - quark, mg_guard_error)

/* ---- alerts ---- */

void mg_guard_alert(const char *queue_id, const char *event, enum mg_alert_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	mg_alert_emit(event, sev, "%s: %s", queue_id ? queue_id : "-", text);
	g_free(text);
}

/* ---- configuration ---- */

static void data_free(struct mg_guard_data *d)
{
	if (!d)
		return;
	mg_exfil_rules_free(d->exfil);
	if (d->freemail)
		g_ptr_array_unref(d->freemail);
	if (d->forbidden)
		g_ptr_array_unref(d->forbidden);
	mg_exc_free(d->exceptions);
	g_free(d);
}

void mg_guard_config_release(struct mg_config *cfg)
{
	g_clear_pointer(&cfg->guard, data_free);
}

static gboolean check_paths(const struct mg_config *cfg, GError **err)
{
	const char *need = NULL;
	if (!g_path_is_absolute(cfg->stop_state_file))
		need = "stop_state_file";
	if (need) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: %s: '%s' is not an absolute path; allowed: /path", cfg->path,
			    need, cfg->stop_state_file);
		return FALSE;
	}
	if (cfg->freemail_action != MG_FREEMAIL_LOG && !*cfg->freemail_domains_file) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: freemail_domains_file: empty, but freemail_action is not log; allowed: the path of "
			    "a domain list (see freemail-domains.list)",
			    cfg->path);
		return FALSE;
	}
	return TRUE;
}

static void log_warnings(GPtrArray *w)
{
	for (guint i = 0; i < w->len; i++)
		mg_warn(NULL, "%s", (const char *)w->pdata[i]);
}

gboolean mg_guard_config_compile(struct mg_config *cfg, GError **err)
{
	struct mg_guard_data *d = g_new0(struct mg_guard_data, 1);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = check_paths(cfg, err) && (d->exfil = mg_exfil_rules_load(cfg->exfil_rules, err)) != NULL;
	if (ok && *cfg->freemail_domains_file)
		ok = (d->freemail = mg_destlist_load(cfg->freemail_domains_file, "freemail_domains_file", err)) != NULL;
	if (ok && *cfg->forbidden_destinations_file)
		ok = (d->forbidden = mg_destlist_load(cfg->forbidden_destinations_file, "forbidden_destinations_file",
						      err)) != NULL;
	if (ok && *cfg->exceptions_file)
		ok = (d->exceptions = mg_exc_load(cfg->exceptions_file, NULL, NULL, warnings, err)) != NULL;
	if (ok) {
		log_warnings(warnings);
		cfg->guard = d;
	} else
		data_free(d);
	g_ptr_array_unref(warnings);
	return ok;
}

/* ---- per-message state ---- */

static void txn_cleanup(struct mg_txn *t)
{
	struct mg_guard_txn *g = t->guard;
	if (!g)
		return;
	mg_exfil_scan_free(g->scan);
	mg_stop_unref(g->stop);
	g_free(g);
	t->guard = NULL;
}

struct mg_guard_txn *mg_guard_txn(struct mg_txn *t)
{
	if (!t->guard) {
		t->guard = g_new0(struct mg_guard_txn, 1);
		mg_txn_on_free(t, txn_cleanup);
	}
	return t->guard;
}

void mg_guard_hold_reason(struct mg_txn *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!t->hold_reasons) /* owned by the record */
		t->hold_reasons = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(t->hold_reasons, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* The sender the stop switch and the outbreak guard know: the SMTP AUTH
 * identity when there is one, else the envelope sender (bare). */
char *mg_guard_sender_key(const struct mg_txn *t)
{
	if (t->auth_user && *t->auth_user)
		return g_ascii_strdown(t->auth_user, -1);
	return mg_policy_addr_bare(t->mail_from);
}

/* ---- MAIL FROM: stop all, stop sender / client ---- */

gboolean mg_guard_mail_from(struct mg_txn *t)
{
	GError *err = NULL;
	struct mg_guard_txn *g = mg_guard_txn(t);
	mg_stop_unref(g->stop);
	g->stop = mg_stop_current(t->cfg->stop_state_file, &err);
	if (!g->stop) { /* cannot tell what is stopped: fail closed */
		mg_txn_internal_error(t, "stop state", err);
		g_error_free(err);
		return FALSE;
	}
	if (mg_stop_lookup(g->stop, MG_STOP_ALL, NULL)) {
		mg_policy_refuse(t, FALSE, "stopped", "scope", "all", NULL);
		return FALSE;
	}
	char *key = mg_guard_sender_key(t), *bare = mg_policy_addr_bare(t->mail_from);
	const char *who = NULL;
	if ((*key && mg_stop_lookup(g->stop, MG_STOP_SENDER, key)) ||
	    (*bare && mg_stop_lookup(g->stop, MG_STOP_SENDER, bare)))
		who = *key ? key : bare;
	else if (mg_stop_lookup(g->stop, MG_STOP_CLIENT, t->conn->client_addr))
		who = t->conn->client_addr;
	if (who)
		mg_policy_refuse(t, FALSE, "stopped-sender", "sender", who, NULL);
	g_free(key);
	g_free(bare);
	return who == NULL;
}

/* ---- RCPT: forbidden destinations, stop in/out, free-mail list ---- */

static gboolean freemail_rcpt(struct mg_txn *t, const char *rcpt, const char *entry)
{
	const struct mg_guard_data *d = t->cfg->guard;
	GDate today;
	switch (t->cfg->freemail_action) {
	case MG_FREEMAIL_HOLD: mg_guard_hold_reason(t, "free-mail or online-storage recipient <%s>", rcpt); break;
	case MG_FREEMAIL_BLOCK: mg_policy_refuse(t, TRUE, "destination-blocked", "rcpt", rcpt, NULL); return FALSE;
	case MG_FREEMAIL_PERMIT_LIST: {
		mg_policy_today(&today);
		const struct mg_exception *e =
			mg_exc_find_rcpt(d->exceptions, MG_EXC_DEST_PERMIT, t->mail_from, rcpt, &today);
		if (!e) {
			mg_policy_refuse(t, TRUE, "destination-blocked", "rcpt", rcpt, NULL);
			return FALSE;
		}
		char *what = g_strdup_printf("destination <%s>", rcpt);
		mg_exc_used(t->queue_id, t->report->extra, e, what);
		g_free(what);
		break;
	}
	default: break;
	}
	mg_info(t->queue_id, "free-mail destination <%s> (list entry %s, freemail_action %s)", rcpt, entry,
		mg_guard_freemail_action_name(t->cfg->freemail_action));
	mg_guard_record(t, "freemail", rcpt);
	return TRUE;
}

gboolean mg_guard_rcpt(struct mg_txn *t, const char *rcpt, gboolean internal)
{
	static const struct mg_guard_data none = {0};
	const struct mg_guard_data *d = t->cfg->guard ? t->cfg->guard : &none;
	struct mg_guard_txn *g = mg_guard_txn(t);
	const char *entry = mg_destlist_match(d->forbidden, rcpt);
	if (entry) {
		mg_guard_alert(t->queue_id, MG_ALERT_FORBIDDEN_DEST, MG_ALERT_CRITICAL,
			       "mail to a forbidden destination refused: rcpt=<%s> (entry %s) sender=<%s> client=[%s]",
			       rcpt, entry, t->mail_from, t->conn->client_addr);
		mg_guard_record(t, "forbidden", rcpt);
		mg_policy_refuse(t, TRUE, "destination-forbidden", "rcpt", rcpt, NULL);
		return FALSE;
	}
	gboolean from_outside = !t->origin_internal || !mg_policy_zones_configured(t->cfg);
	if (g->stop && internal && from_outside && mg_stop_lookup(g->stop, MG_STOP_IN, NULL)) {
		mg_policy_refuse(t, TRUE, "stopped", "scope", "inbound", NULL);
		return FALSE;
	}
	if (g->stop && !internal && mg_stop_lookup(g->stop, MG_STOP_OUT, NULL)) {
		mg_policy_refuse(t, TRUE, "stopped", "scope", "outbound", NULL);
		return FALSE;
	}
	if (!internal && t->origin_internal && (entry = mg_destlist_match(d->freemail, rcpt)) != NULL)
		return freemail_rcpt(t, rcpt, entry);
	return TRUE;
}

/* Append a value to the report section "destinations" (audit record). */
void mg_guard_record(struct mg_txn *t, const char *list, const char *value)
{
	JsonObject *extra = t->report->extra;
	if (!json_object_has_member(extra, "destinations"))
		json_object_set_object_member(extra, "destinations", json_object_new());
	JsonObject *o = json_object_get_object_member(extra, "destinations");
	if (!json_object_has_member(o, list))
		json_object_set_array_member(o, list, json_array_new());
	json_array_add_string_element(json_object_get_array_member(o, list), value);
}
