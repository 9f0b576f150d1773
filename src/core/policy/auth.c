/*
 * auth.c - the sender-authentication step (issue 16, F28; see mg_auth.h):
 * SPF, DKIM and DMARC of inbound mail before the rebuild (or the results of
 * a trusted upstream verifier), the lookalike checks, our own
 * Authentication-Results field, the warnings for the notice, the report
 * section and the configured action.
 *
 * Order inside the step: hygiene (every direction), then for mail from
 * outside: results (verify or trust-upstream), warnings, header, report,
 * action.  The action is the strongest one any rule asks for: quarantine
 * (keep the original, 550), reject (550), tempfail (451), annotate.
 */
#include "config.h"

#include <string.h>

#include "auth_ar.h"
#include "auth_priv.h"
#include "mg_auth.h"
#include "mg_json.h"
#include "mg_log.h"
#include "mg_policy.h"
#include "mg_spool.h"

/* the results of one message, built and freed inside the step */
struct auth_msg {
	struct mg_auth_spf spf;
	GPtrArray *dkim; /* struct mg_auth_dkim* */
	struct mg_auth_dmarc dmarc;
	GPtrArray *warnings;  /* const char*: catalog keys */
	const char *upstream; /* trusted authserv-id whose results we restate, or NULL */
};

enum auth_action { ACT_ANNOTATE = 0, ACT_TEMPFAIL, ACT_REJECT, ACT_QUARANTINE };

/* ---- hygiene: fields claiming our authserv-id ---- */

static void hygiene(struct mg_txn *t, const char *serv_id)
{
	int index = 0;
	GArray *forged = g_array_new(FALSE, FALSE, sizeof(int));
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Authentication-Results") != 0)
			continue;
		index++;
		struct mg_ar *ar = mg_ar_parse(h->value);
		if (mg_ar_id_equal(ar->authserv_id, serv_id))
			g_array_append_val(forged, index);
		mg_ar_free(ar);
	}
	for (guint i = forged->len; i-- > 0;) /* descending: the indexes stay valid */
		mg_txn_header_op(t, MG_HDR_DELETE, "Authentication-Results", g_array_index(forged, int, i), NULL);
	if (forged->len)
		mg_info(t->queue_id, "auth: removed %u Authentication-Results field%s claiming our authserv-id %s",
			forged->len, forged->len == 1 ? "" : "s", serv_id);
	g_array_free(forged, TRUE);
}

/* ---- the header From: domain and display name ---- */

/* The first mailbox of From (RFC 7489 6.6.1: several From domains are
 * not evaluated here; the first one is). */
static void header_from(const struct mg_txn *t, char **domain, char **name)
{
	*domain = NULL;
	*name = NULL;
	for (guint i = 0; i < t->headers->len && !*domain; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "From") != 0)
			continue;
		InternetAddressList *l = internet_address_list_parse(NULL, h->value);
		InternetAddress *a =
			l && internet_address_list_length(l) > 0 ? internet_address_list_get_address(l, 0) : NULL;
		if (a && INTERNET_ADDRESS_IS_MAILBOX(a)) {
			*domain = mg_policy_addr_domain(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)));
			*name = g_strdup(internet_address_get_name(a));
		}
		if (l)
			g_object_unref(l);
	}
	if (!*domain)
		*domain = g_strdup("");
}

/* ---- results: verify ---- */

static void verify(struct mg_txn *t, const struct mg_auth_data *a, struct auth_msg *m, const char *from_domain)
{
	struct mg_auth_ctx c = {a->dns, g_get_monotonic_time() + t->cfg->auth_time_budget * G_USEC_PER_SEC, t->queue_id,
				NULL};
	GError *err = NULL;
	mg_auth_spf_check(&c, t->conn->client_addr, t->conn->helo, t->mail_from, &m->spf);
	GMimeStream *raw = mg_spool_stream(t->raw, &err);
	GMimeStream *body =
		raw ? g_mime_stream_substream(raw, (gint64)t->body_offset, g_mime_stream_length(raw)) : NULL;
	if (body)
		mg_auth_dkim_check(&c, a->dkim, t->headers, body, m->dkim);
	else
		g_ptr_array_add(m->dkim, mg_auth_dkim_error(MG_AUTH_TEMPERROR, err ? err->message : "spool"));
	mg_auth_dmarc_check(&c, t->conn->client_addr, from_domain, &m->spf, m->dkim, &m->dmarc);
	if (body)
		g_object_unref(body);
	if (raw)
		g_object_unref(raw);
	g_clear_error(&err);
}

/* ---- results: trust-upstream ---- */

static const char *trusted_id(const struct mg_config *cfg, const char *id)
{
	for (char **p = cfg->auth_trusted_serv_id; id && p && *p; p++)
		if (mg_ar_id_equal(*p, id))
			return *p;
	return NULL;
}

static char *domain_of(const char *v)
{
	return v ? mg_policy_addr_domain(v) : g_strdup("");
}

/* dmarc's p= from a comment such as "(p=reject dis=none)" */
static char *comment_policy(const char *comment)
{
	const char *p = comment ? strstr(comment, "p=") : NULL;
	if (!p || (p > comment && g_ascii_isalpha(p[-1])))
		return NULL;
	p += 2;
	gsize n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	return n ? g_strndup(p, n) : NULL;
}

static void upstream_result(struct auth_msg *m, const struct mg_ar_result *r)
{
	enum mg_auth_res res = mg_auth_res_parse(r->result);
	if (strcmp(r->method, "spf") == 0) {
		const char *s = mg_ar_prop(r, "smtp.mailfrom");
		mg_auth_spf_clear(&m->spf);
		m->spf.res = res;
		m->spf.identity = g_strdup(s ? "mailfrom" : "helo");
		m->spf.sender = g_strdup(s ? s : mg_ar_prop(r, "smtp.helo"));
		m->spf.domain = domain_of(m->spf.sender);
		m->spf.reason = g_strdup(r->reason ? r->reason : r->comment);
	} else if (strcmp(r->method, "dkim") == 0) {
		const char *d = mg_ar_prop(r, "header.d"), *i = mg_ar_prop(r, "header.i");
		struct mg_auth_dkim *k = mg_auth_dkim_error(res, r->reason ? r->reason : r->comment);
		k->domain = d ? g_ascii_strdown(d, -1) : domain_of(i);
		k->selector = g_strdup(mg_ar_prop(r, "header.s"));
		k->b = g_strdup(mg_ar_prop(r, "header.b"));
		if (res != MG_AUTH_NONE)
			g_ptr_array_add(m->dkim, k);
		else
			mg_auth_dkim_free(k);
	} else if (strcmp(r->method, "dmarc") == 0) {
		mg_auth_dmarc_clear(&m->dmarc);
		m->dmarc.res = res;
		m->dmarc.from_domain = domain_of(mg_ar_prop(r, "header.from"));
		m->dmarc.policy = comment_policy(r->comment);
		m->dmarc.reason = g_strdup(r->reason ? r->reason : r->comment);
	}
}

static void upstream(struct mg_txn *t, struct auth_msg *m)
{
	m->spf.reason = g_strdup("no upstream result");
	m->dmarc.reason = g_strdup("no upstream result");
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Authentication-Results") != 0)
			continue;
		struct mg_ar *ar = mg_ar_parse(h->value);
		const char *id = trusted_id(t->cfg, ar->authserv_id);
		if (id && ar->malformed)
			mg_warn(t->queue_id, "auth: a malformed Authentication-Results of %s is not trusted", id);
		for (guint j = 0; id && !ar->malformed && j < ar->results->len; j++)
			upstream_result(m, ar->results->pdata[j]);
		if (id && !ar->malformed)
			m->upstream = id;
		mg_ar_free(ar);
	}
}

/* ---- warnings ---- */

static void warn(struct auth_msg *m, const char *key)
{
	for (guint i = 0; i < m->warnings->len; i++)
		if (strcmp(m->warnings->pdata[i], key) == 0)
			return;
	g_ptr_array_add(m->warnings, (gpointer)key);
}

static gboolean is_error(enum mg_auth_res r)
{
	return r == MG_AUTH_TEMPERROR || r == MG_AUTH_PERMERROR;
}

/* An aligned DKIM pass: d= is the From domain or a parent of it. */
static gboolean dkim_aligned_pass(const struct auth_msg *m, const char *from_domain)
{
	for (guint i = 0; i < m->dkim->len; i++) {
		const struct mg_auth_dkim *k = m->dkim->pdata[i];
		gsize fl = strlen(from_domain), dl = k->domain ? strlen(k->domain) : 0;
		if (k->res == MG_AUTH_PASS && dl &&
		    (g_ascii_strcasecmp(k->domain, from_domain) == 0 ||
		     (fl > dl && from_domain[fl - dl - 1] == '.' &&
		      g_ascii_strcasecmp(from_domain + fl - dl, k->domain) == 0)))
			return TRUE;
	}
	return FALSE;
}

static void judge(struct mg_txn *t, const struct mg_auth_data *a, struct auth_msg *m, const char *from_domain,
		  const char *from_name)
{
	enum mg_auth_res dk = mg_auth_dkim_summary(m->dkim);
	gboolean authentic = m->dmarc.res == MG_AUTH_PASS || dkim_aligned_pass(m, from_domain);
	if (m->dmarc.res != MG_AUTH_PASS) {
		if (m->dmarc.res == MG_AUTH_FAIL ||
		    (m->dmarc.res == MG_AUTH_NONE && (m->spf.res == MG_AUTH_FAIL || dk == MG_AUTH_FAIL)))
			warn(m, "auth-fail");
		if (is_error(m->spf.res) || is_error(dk) || is_error(m->dmarc.res))
			warn(m, "auth-error");
	}
	if (*from_domain && mg_policy_domain_internal(t->cfg, from_domain) && !authentic)
		warn(m, "internal-spoof");
	if (*from_domain && mg_lookalike_protected(a->look, from_domain))
		return; /* the organisation's own domain: imitation is internal-spoof's business */
	if ((*from_domain && mg_lookalike_domain(a->look, from_domain)) ||
	    (m->spf.domain && *m->spf.domain && mg_lookalike_domain(a->look, m->spf.domain)))
		warn(m, "lookalike-domain");
	if (from_name && mg_lookalike_name(a->look, from_name))
		warn(m, "lookalike-name");
}

/* ---- our Authentication-Results ---- */

/* A property value we may write: printable ASCII without CFWS or ';'. */
static gboolean prop_ok(const char *v)
{
	if (!v || !*v)
		return FALSE;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 || strchr(";()\"\\", *p))
			return FALSE;
	return TRUE;
}

static void prop_add(GString *s, const char *name, const char *v)
{
	if (prop_ok(v))
		g_string_append_printf(s, " %s=%s", name, v);
}

static char *ar_value(const char *serv_id, const struct auth_msg *m)
{
	GString *s = g_string_new(serv_id);
	if (m->upstream)
		g_string_append_printf(s, " (results of %s)", m->upstream);
	g_string_append_printf(s, ";\n\tspf=%s", mg_auth_res_name(m->spf.res));
	prop_add(s, g_strcmp0(m->spf.identity, "helo") == 0 ? "smtp.helo" : "smtp.mailfrom", m->spf.sender);
	for (guint i = 0; i < m->dkim->len; i++) {
		const struct mg_auth_dkim *k = m->dkim->pdata[i];
		g_string_append_printf(s, ";\n\tdkim=%s", mg_auth_res_name(k->res));
		prop_add(s, "header.d", k->domain);
		prop_add(s, "header.s", k->selector);
		prop_add(s, "header.b", k->b);
	}
	if (m->dkim->len == 0)
		g_string_append(s, ";\n\tdkim=none");
	g_string_append_printf(s, ";\n\tdmarc=%s", mg_auth_res_name(m->dmarc.res));
	if (m->dmarc.policy)
		g_string_append_printf(s, " (p=%s dis=%s)", m->dmarc.policy,
				       m->dmarc.disposition ? m->dmarc.disposition : "none");
	prop_add(s, "header.from", m->dmarc.from_domain);
	return g_string_free(s, FALSE);
}

/* ---- the report section (carried by the audit record) ---- */

static JsonObject *report_spf(const struct mg_auth_spf *s)
{
	JsonObject *o = json_object_new();
	mg_json_set_str(o, "result", mg_auth_res_name(s->res));
	mg_json_set_str(o, "identity", s->identity);
	mg_json_set_str(o, "domain", s->domain);
	mg_json_set_str(o, "reason", s->reason);
	return o;
}

static JsonObject *report_dkim(const GPtrArray *sigs)
{
	JsonObject *o = json_object_new();
	JsonArray *a = json_array_new();
	mg_json_set_str(o, "result", mg_auth_res_name(mg_auth_dkim_summary(sigs)));
	for (guint i = 0; i < sigs->len; i++) {
		const struct mg_auth_dkim *k = sigs->pdata[i];
		JsonObject *s = json_object_new();
		mg_json_set_str(s, "result", mg_auth_res_name(k->res));
		mg_json_set_str(s, "domain", k->domain);
		mg_json_set_str(s, "selector", k->selector);
		mg_json_set_str(s, "reason", k->reason);
		json_array_add_object_element(a, s);
	}
	json_object_set_array_member(o, "signatures", a);
	return o;
}

static JsonObject *report_dmarc(const struct mg_auth_dmarc *d)
{
	JsonObject *o = json_object_new();
	mg_json_set_str(o, "result", mg_auth_res_name(d->res));
	mg_json_set_str(o, "domain", d->from_domain);
	mg_json_set_str(o, "policy", d->policy);
	mg_json_set_str(o, "disposition", d->disposition);
	mg_json_set_str(o, "reason", d->reason);
	return o;
}

static void report(struct mg_txn *t, const struct auth_msg *m, const char *action)
{
	JsonObject *o = json_object_new();
	JsonArray *w = json_array_new();
	mg_json_set_str(o, "mode",
			m->upstream || t->cfg->auth_mode == MG_AUTH_MODE_TRUST ? "trust-upstream" : "verify");
	mg_json_set_str(o, "upstream", m->upstream);
	json_object_set_object_member(o, "spf", report_spf(&m->spf));
	json_object_set_object_member(o, "dkim", report_dkim(m->dkim));
	json_object_set_object_member(o, "dmarc", report_dmarc(&m->dmarc));
	for (guint i = 0; i < m->warnings->len; i++)
		json_array_add_string_element(w, m->warnings->pdata[i]);
	json_object_set_array_member(o, "warnings", w);
	mg_json_set_str(o, "action", action);
	json_object_set_object_member(t->report->extra, "auth", o);
}

/* ---- the action ---- */

static const char *action_names[] = {"annotate", "tempfail", "reject", "quarantine"};

/* auth_on_* values "annotate|quarantine|reject" (and dmarc's "policy"). */
static enum auth_action setting(int v)
{
	return v == MG_AUTH_ON_QUARANTINE ? ACT_QUARANTINE : v == MG_AUTH_ON_REJECT ? ACT_REJECT : ACT_ANNOTATE;
}

static enum auth_action dmarc_action(const struct mg_config *cfg, const struct auth_msg *m)
{
	if (m->dmarc.res != MG_AUTH_FAIL)
		return ACT_ANNOTATE;
	if (cfg->auth_on_dmarc_fail != MG_AUTH_ON_POLICY)
		return setting(cfg->auth_on_dmarc_fail);
	if (g_strcmp0(m->dmarc.disposition, "reject") == 0)
		return ACT_REJECT;
	return g_strcmp0(m->dmarc.disposition, "quarantine") == 0 ? ACT_QUARANTINE : ACT_ANNOTATE;
}

static gboolean warned(const struct auth_msg *m, const char *key)
{
	for (guint i = 0; i < m->warnings->len; i++)
		if (strcmp(m->warnings->pdata[i], key) == 0)
			return TRUE;
	return FALSE;
}

static enum auth_action decide(const struct mg_config *cfg, const struct auth_msg *m, const char **rule)
{
	gboolean dmarc_pass = m->dmarc.res == MG_AUTH_PASS;
	enum auth_action a = ACT_ANNOTATE, b;
	*rule = NULL;
#define RAISE(act, name)                                                                                               \
	do {                                                                                                           \
		b = (act);                                                                                             \
		if (b > a) {                                                                                           \
			a = b;                                                                                         \
			*rule = (name);                                                                                \
		}                                                                                                      \
	} while (0)
	RAISE(dmarc_action(cfg, m), "auth-fail");
	if (!dmarc_pass && m->spf.res == MG_AUTH_FAIL)
		RAISE(setting(cfg->auth_on_spf_fail), "auth-fail");
	if (!dmarc_pass && mg_auth_dkim_summary(m->dkim) == MG_AUTH_FAIL)
		RAISE(setting(cfg->auth_on_dkim_fail), "auth-fail");
	if (warned(m, "auth-error") && cfg->auth_on_temperror == MG_AUTH_TEMP_TEMPFAIL)
		RAISE(ACT_TEMPFAIL, "auth-temperror");
	if (warned(m, "internal-spoof") || warned(m, "lookalike-domain") || warned(m, "lookalike-name"))
		RAISE(setting(cfg->auth_on_lookalike), "auth-lookalike");
#undef RAISE
	return a;
}

static char *results_text(const struct auth_msg *m)
{
	return g_strdup_printf("spf=%s dkim=%s dmarc=%s", mg_auth_res_name(m->spf.res),
			       mg_auth_res_name(mg_auth_dkim_summary(m->dkim)), mg_auth_res_name(m->dmarc.res));
}

static char *warnings_text(const struct auth_msg *m)
{
	GString *w = g_string_new(NULL);
	for (guint i = 0; i < m->warnings->len; i++)
		g_string_append_printf(w, "%s%s", i ? "," : "", (const char *)m->warnings->pdata[i]);
	return g_string_free(w, FALSE);
}

static void act(struct mg_txn *t, const struct auth_msg *m, enum auth_action a, const char *rule)
{
	if (a == ACT_ANNOTATE)
		return;
	if (a == ACT_QUARANTINE)
		t->force_quarantine = TRUE;
	char *res = results_text(m), *warn_list = warnings_text(m);
	mg_policy_refuse(t, FALSE, rule, "results", res, "warnings", *warn_list ? warn_list : "none", NULL);
	g_free(warn_list);
	g_free(res);
}

/* ---- the step ---- */

static void auth_msg_free(struct auth_msg *m)
{
	mg_auth_spf_clear(&m->spf);
	g_ptr_array_unref(m->dkim);
	mg_auth_dmarc_clear(&m->dmarc);
	g_ptr_array_unref(m->warnings);
	g_free(m);
}

static void evaluate(struct mg_txn *t, const struct mg_auth_data *a)
{
	struct auth_msg *m = g_new0(struct auth_msg, 1);
	char *from_domain = NULL, *from_name = NULL, *res = NULL;
	const char *rule = NULL;
	m->dkim = g_ptr_array_new_with_free_func(mg_auth_dkim_free);
	m->warnings = g_ptr_array_new();
	header_from(t, &from_domain, &from_name);
	if (t->cfg->auth_mode == MG_AUTH_MODE_TRUST)
		upstream(t, m);
	else
		verify(t, a, m, from_domain);
	judge(t, a, m, from_domain, from_name);
	enum auth_action action = decide(t->cfg, m, &rule);
	char *value = ar_value(a->serv_id, m);
	mg_txn_header_op(t, MG_HDR_INSERT, "Authentication-Results", 0, value);
	for (guint i = 0; i < m->warnings->len; i++)
		mg_report_warning(t->report, m->warnings->pdata[i]); /* the notice's [warning] lines */
	report(t, m, action_names[action]);
	res = results_text(m);
	char *wl = warnings_text(m);
	mg_info(t->queue_id, "auth: %s warnings=%s action=%s%s%s", res, *wl ? wl : "none", action_names[action],
		m->upstream ? " upstream=" : "", m->upstream ? m->upstream : "");
	g_free(wl);
	act(t, m, action, rule);
	g_free(res);
	g_free(value);
	g_free(from_domain);
	g_free(from_name);
	auth_msg_free(m);
}

gboolean mg_auth_step(struct mg_txn *t)
{
	const struct mg_auth_data *a = t->cfg->auth;
	if (!a)
		return TRUE; /* a configuration built without the hooks (tests of other stages) */
	hygiene(t, a->serv_id);
	if (t->cfg->auth_mode == MG_AUTH_MODE_OFF || t->origin_internal)
		return TRUE;
	evaluate(t, a);
	return !mg_txn_decided(t);
}
