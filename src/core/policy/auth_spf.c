/*
 * auth_spf.c - SPF (RFC 7208) with libspf2, whose DNS questions go to our
 * resolver (mg_auth_dns: timeout, deadline, cache) through a DNS layer of
 * our own instead of libspf2's resolv layer.
 *
 * Contract: mg_auth_spf_check evaluates the MAIL FROM identity (or
 * postmaster@HELO for the null sender) for the client address and fills
 * struct mg_auth_spf; it never fails silently: no client address or no
 * identity is "none" with a reason, a DNS failure "temperror".  One
 * SPF_server_t per check (they are cheap, and nothing is shared between
 * threads).  libspf2 prints to stdout by default and aborts on internal
 * assertion failures: mg_auth_spf_global_init routes its messages to our
 * log; an assertion failure still aborts (the MTA then tempfails the mail,
 * milter_default_action = tempfail).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "auth_priv.h"
#include "mg_log.h"

static G_GNUC_NORETURN void spf_log_error(const char *file, int line, const char *msg)
{
	mg_err(NULL, "libspf2 internal error (%s:%d): %s", file ? file : "?", line, msg ? msg : "");
	abort();
}

static void spf_log_debug(const char *file, int line, const char *msg)
{
	mg_debug(NULL, "libspf2: %s", msg ? msg : "");
}

void mg_auth_spf_global_init(void)
{
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		SPF_error_handler = spf_log_error;
		SPF_warning_handler = spf_log_debug;
		SPF_info_handler = spf_log_debug;
		SPF_debug_handler = spf_log_debug;
		g_once_init_leave(&once, 1);
	}
}

struct spf_hook {
	struct mg_auth_ctx *ctx;
	gboolean tempfail; /* a question went unanswered */
};

static SPF_dns_stat_t herrno_of(enum mg_dns_status s)
{
	switch (s) {
	case MG_DNS_OK: return NETDB_SUCCESS;
	case MG_DNS_NXDOMAIN: return HOST_NOT_FOUND;
	case MG_DNS_NODATA: return NO_DATA;
	default: return TRY_AGAIN;
	}
}

/* Copy our records into libspf2's form (text ones NUL-terminated). */
static void rr_fill(SPF_dns_rr_t *rr, ns_type type, const GPtrArray *rrs)
{
	gboolean text = type == ns_t_txt || type == ns_t_mx || type == ns_t_ptr;
	for (guint i = 0; rrs && i < rrs->len; i++) {
		gsize len = 0;
		const char *p = g_bytes_get_data(rrs->pdata[i], &len);
		if (SPF_dns_rr_buf_realloc(rr, (int)i, len + (text ? 1 : 0)) != SPF_E_SUCCESS)
			break;
		char *dst = (char *)rr->rr[i];
		memcpy(dst, p, len);
		if (text)
			dst[len] = '\0';
		rr->num_rr = (int)i + 1;
	}
}

/* The DNS layer: type SPF (99) is obsolete (RFC 7208 3.1) and answered
 * "no data" without asking, so a slow server is not waited on twice. */
static SPF_dns_rr_t *layer_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type, int should_cache)
{
	struct spf_hook *h = srv->hook;
	struct mg_auth_ctx *c = h->ctx;
	GPtrArray *rrs = NULL;
	enum mg_dns_status s =
		type == ns_t_spf ? MG_DNS_NODATA : mg_auth_dns_query(c->dns, domain, type, c->deadline_us, &rrs);
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(srv, domain, type, 0, herrno_of(s));
	if (rr && s == MG_DNS_OK)
		rr_fill(rr, type, rrs);
	if (rrs)
		g_ptr_array_unref(rrs);
	if (s == MG_DNS_TEMPFAIL)
		h->tempfail = TRUE;
	if (s == MG_DNS_TEMPFAIL)
		mg_info(c->qid, "SPF: DNS %s %s: no answer (temporary)", type == ns_t_txt ? "TXT" : "query", domain);
	return rr;
}

static enum mg_auth_res res_of(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS: return MG_AUTH_PASS;
	case SPF_RESULT_FAIL: return MG_AUTH_FAIL;
	case SPF_RESULT_SOFTFAIL: return MG_AUTH_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return MG_AUTH_NEUTRAL;
	case SPF_RESULT_NONE: return MG_AUTH_NONE;
	case SPF_RESULT_TEMPERROR: return MG_AUTH_TEMPERROR;
	default: return MG_AUTH_PERMERROR;
	}
}

static gboolean request_setup(SPF_request_t *req, const char *ip, const char *helo, const char *mail_from)
{
	if (SPF_request_set_ipv4_str(req, ip) != SPF_E_SUCCESS && SPF_request_set_ipv6_str(req, ip) != SPF_E_SUCCESS)
		return FALSE;
	if (helo && *helo && SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS)
		return FALSE;
	return SPF_request_set_env_from(req, mail_from ? mail_from : "") == 0;
}

static void spf_none(struct mg_auth_spf *out, const char *why)
{
	out->res = MG_AUTH_NONE;
	out->reason = g_strdup(why);
}

static void spf_evaluate(SPF_server_t *srv, const char *ip, const char *helo, const char *mail_from,
			 struct mg_auth_spf *out)
{
	SPF_request_t *req = SPF_request_new(srv);
	SPF_response_t *resp = NULL;
	if (!req || !request_setup(req, ip, helo, mail_from)) {
		spf_none(out, "client address or identity not usable");
	} else {
		SPF_request_query_mailfrom(req, &resp);
		out->res = resp ? res_of(SPF_response_result(resp)) : MG_AUTH_TEMPERROR;
		const char *why = resp ? SPF_response_get_header_comment(resp) : NULL;
		out->reason = g_strdup(why ? why : resp ? SPF_strerror(SPF_response_errcode(resp)) : "no response");
	}
	if (resp)
		SPF_response_free(resp);
	if (req)
		SPF_request_free(req);
}

void mg_auth_spf_check(struct mg_auth_ctx *c, const char *ip, const char *helo, const char *mail_from,
		       struct mg_auth_spf *out)
{
	gboolean null_sender = !mail_from || !*mail_from;
	memset(out, 0, sizeof *out);
	out->identity = g_strdup(null_sender ? "helo" : "mailfrom");
	out->sender = g_strdup(null_sender ? (helo ? helo : "") : mail_from);
	const char *at = strrchr(out->sender, '@');
	out->domain = g_ascii_strdown(at ? at + 1 : out->sender, -1);
	if (!ip || !*ip) {
		spf_none(out, "no client address");
		return;
	}
	if (!*out->domain) {
		spf_none(out, "no sender domain and no HELO name");
		return;
	}
	SPF_dns_server_t layer;
	memset(&layer, 0, sizeof layer);
	layer.lookup = layer_lookup;
	layer.name = "mugaika";
	struct spf_hook hook = {c, FALSE};
	layer.hook = &hook;
	SPF_server_t *srv = SPF_server_new_dns(&layer, 0);
	if (!srv) {
		out->res = MG_AUTH_TEMPERROR;
		out->reason = g_strdup("libspf2 could not start");
		return;
	}
	spf_evaluate(srv, ip, helo, mail_from, out);
	SPF_server_free(srv);
	/* libspf2 1.2.10 reports an unanswered question as permerror or none;
	 * RFC 7208 2.6.6: it is temperror unless a pass was reached first */
	if (hook.tempfail && out->res != MG_AUTH_PASS) {
		out->res = MG_AUTH_TEMPERROR;
		g_free(out->reason);
		out->reason = g_strdup("DNS lookup failed (no answer in time)");
	}
}

void mg_auth_spf_clear(struct mg_auth_spf *s)
{
	g_free(s->identity);
	g_free(s->domain);
	g_free(s->sender);
	g_free(s->reason);
	memset(s, 0, sizeof *s);
}
