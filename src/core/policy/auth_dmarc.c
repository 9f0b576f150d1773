/*
 * auth_dmarc.c - DMARC (RFC 7489) with libopendmarc: the record is fetched
 * here, through our resolver (timeout, deadline, cache), and handed to the
 * library with opendmarc_policy_store_dmarc; the library parses it and
 * decides alignment and the disposition.
 *
 * Contract: mg_auth_dmarc_check needs the SPF and DKIM results already
 * computed; it looks up _dmarc.<From domain>, then _dmarc.<organisational
 * domain> (public suffix list), and fills struct mg_auth_dmarc.  A DNS
 * failure of either lookup, or a failing result that an SPF or DKIM
 * temperror might have turned into a pass, is temperror.  pct below 100 is
 * applied as "not sampled" (RFC 7489 6.6.4: the next less strict policy),
 * deterministically, so the same message always gets the same answer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <opendmarc/dmarc.h>

#include "auth_priv.h"
#include "mg_config.h"
#include "mg_log.h"

/* Exported by libopendmarc (it reads the public suffix list loaded by
 * opendmarc_policy_library_init) but declared only in its internal header. */
int opendmarc_get_tld(u_char *domain, u_char *tld, size_t tld_len);

static GMutex psl_lock;
static char *psl_loaded; /* path of the list libopendmarc holds */

gboolean mg_auth_dmarc_global_init(const char *psl_path, GError **err)
{
	gboolean ok = TRUE;
	g_mutex_lock(&psl_lock);
	if (g_strcmp0(psl_loaded, psl_path) != 0) {
		if (!g_file_test(psl_path, G_FILE_TEST_IS_REGULAR)) {
			g_set_error(err, MG_CONFIG_ERROR, 1,
				    "auth_public_suffix_list: %s: no such file; allowed: the public suffix list "
				    "(Debian package publicsuffix: /usr/share/publicsuffix/public_suffix_list.dat)",
				    psl_path);
			ok = FALSE;
		} else if (!psl_loaded) {
			OPENDMARC_LIB_T lib;
			memset(&lib, 0, sizeof lib);
			lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
			g_strlcpy((char *)lib.tld_source_file, psl_path, sizeof lib.tld_source_file);
			ok = opendmarc_policy_library_init(&lib) == DMARC_PARSE_OKAY;
		} else {
			ok = opendmarc_tld_read_file((char *)psl_path, "//", "*.", "!") == 0;
		}
		if (ok) {
			g_free(psl_loaded);
			psl_loaded = g_strdup(psl_path);
		} else if (err && !*err) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "auth_public_suffix_list: %s: could not be read",
				    psl_path);
		}
	}
	g_mutex_unlock(&psl_lock);
	return ok;
}

char *mg_auth_org_domain(const char *domain)
{
	u_char buf[256];
	memset(buf, 0, sizeof buf);
	if (strlen(domain) >= sizeof buf || opendmarc_get_tld((u_char *)domain, buf, sizeof buf) != 0 || !*buf)
		return g_strdup(domain);
	return g_ascii_strdown((const char *)buf, -1);
}

/* The one TXT record of _dmarc.DOMAIN that starts with v=DMARC1 (RFC 7489
 * 6.6.3: none or several means no policy). */
static enum mg_dns_status fetch_record(struct mg_auth_ctx *c, const char *domain, char **rec)
{
	char *name = g_strdup_printf("_dmarc.%s", domain);
	GPtrArray *rrs = NULL;
	enum mg_dns_status s = mg_auth_dns_query(c->dns, name, MG_DNS_TXT, c->deadline_us, &rrs);
	guint n = 0;
	for (guint i = 0; s == MG_DNS_OK && i < rrs->len; i++) {
		char *t = mg_auth_dns_txt(rrs, i);
		if (t && g_str_has_prefix(t, "v=DMARC1") && (t[8] == '\0' || t[8] == ';' || t[8] == ' ')) {
			n++;
			g_free(*rec);
			*rec = t;
		} else {
			g_free(t);
		}
	}
	if (s == MG_DNS_OK && n != 1) {
		g_clear_pointer(rec, g_free);
		s = MG_DNS_NODATA;
	}
	if (rrs)
		g_ptr_array_unref(rrs);
	g_free(name);
	return s;
}

static int spf_outcome(enum mg_auth_res r)
{
	switch (r) {
	case MG_AUTH_PASS: return DMARC_POLICY_SPF_OUTCOME_PASS;
	case MG_AUTH_TEMPERROR: return DMARC_POLICY_SPF_OUTCOME_TMPFAIL;
	case MG_AUTH_NONE: return DMARC_POLICY_SPF_OUTCOME_NONE;
	default: return DMARC_POLICY_SPF_OUTCOME_FAIL;
	}
}

static int dkim_outcome(enum mg_auth_res r)
{
	switch (r) {
	case MG_AUTH_PASS: return DMARC_POLICY_DKIM_OUTCOME_PASS;
	case MG_AUTH_TEMPERROR: return DMARC_POLICY_DKIM_OUTCOME_TMPFAIL;
	case MG_AUTH_NONE: return DMARC_POLICY_DKIM_OUTCOME_NONE;
	default: return DMARC_POLICY_DKIM_OUTCOME_FAIL;
	}
}

static void store_results(DMARC_POLICY_T *p, const struct mg_auth_spf *spf, const GPtrArray *dkim)
{
	if (spf && spf->domain && *spf->domain)
		opendmarc_policy_store_spf(p, (u_char *)spf->domain, spf_outcome(spf->res),
					   g_strcmp0(spf->identity, "helo") == 0 ? DMARC_POLICY_SPF_ORIGIN_HELO
										 : DMARC_POLICY_SPF_ORIGIN_MAILFROM,
					   NULL);
	for (guint i = 0; dkim && i < dkim->len; i++) {
		const struct mg_auth_dkim *d = dkim->pdata[i];
		if (d->domain && *d->domain)
			opendmarc_policy_store_dkim(p, (u_char *)d->domain, (u_char *)d->selector, dkim_outcome(d->res),
						    NULL);
	}
}

static const char *policy_name(int p)
{
	switch (p) {
	case DMARC_RECORD_P_NONE: return "none";
	case DMARC_RECORD_P_QUARANTINE: return "quarantine";
	case DMARC_RECORD_P_REJECT: return "reject";
	default: return NULL;
	}
}

/* p=, or sp= when the record came from the organisational domain. */
static void record_policy(DMARC_POLICY_T *p, gboolean from_org, struct mg_auth_dmarc *out)
{
	int pol = DMARC_RECORD_P_UNSPECIFIED, sp = DMARC_RECORD_P_UNSPECIFIED;
	opendmarc_policy_fetch_p(p, &pol);
	opendmarc_policy_fetch_sp(p, &sp);
	out->policy = g_strdup(policy_name(from_org && sp != DMARC_RECORD_P_UNSPECIFIED ? sp : pol));
}

/* The disposition after pct: not sampled = one step less strict. */
static const char *disposition(DMARC_POLICY_T *p, int enforce)
{
	int pct = 100;
	opendmarc_policy_fetch_pct(p, &pct);
	gboolean sampled = pct >= 100;
	switch (enforce) {
	case DMARC_POLICY_REJECT: return sampled ? "reject" : "quarantine";
	case DMARC_POLICY_QUARANTINE: return sampled ? "quarantine" : "none";
	default: return "none";
	}
}

static gboolean any_temperror(const struct mg_auth_spf *spf, const GPtrArray *dkim)
{
	if (spf && spf->res == MG_AUTH_TEMPERROR)
		return TRUE;
	return mg_auth_dkim_summary(dkim) == MG_AUTH_TEMPERROR;
}

static void evaluate(const char *ip, const char *rec, const char *org, const struct mg_auth_spf *spf,
		     const GPtrArray *dkim, struct mg_auth_dmarc *out)
{
	gboolean v6 = ip && strchr(ip, ':');
	DMARC_POLICY_T *p = opendmarc_policy_connect_init((u_char *)(ip && *ip ? ip : "0.0.0.0"), v6);
	if (!p) {
		out->res = MG_AUTH_TEMPERROR;
		out->reason = g_strdup("libopendmarc could not start");
		return;
	}
	opendmarc_policy_store_from_domain(p, (u_char *)out->from_domain);
	store_results(p, spf, dkim);
	if (opendmarc_policy_store_dmarc(p, (u_char *)rec, (u_char *)out->from_domain, (u_char *)org) !=
	    DMARC_PARSE_OKAY) {
		out->res = MG_AUTH_PERMERROR;
		out->reason = g_strdup("the DMARC record cannot be parsed");
	} else {
		int enforce = opendmarc_get_policy_to_enforce(p);
		record_policy(p, org != NULL, out);
		out->res = enforce == DMARC_POLICY_PASS ? MG_AUTH_PASS : MG_AUTH_FAIL;
		if (out->res == MG_AUTH_FAIL && any_temperror(spf, dkim))
			out->res = MG_AUTH_TEMPERROR;
		out->disposition = g_strdup(out->res == MG_AUTH_PASS ? "none" : disposition(p, enforce));
		out->reason =
			g_strdup(out->res == MG_AUTH_PASS ? "aligned SPF or DKIM pass" : "no aligned SPF or DKIM pass");
	}
	opendmarc_policy_connect_shutdown(p);
}

void mg_auth_dmarc_check(struct mg_auth_ctx *c, const char *ip, const char *from_domain, const struct mg_auth_spf *spf,
			 const GPtrArray *dkim, struct mg_auth_dmarc *out)
{
	char *rec = NULL, *org = NULL;
	memset(out, 0, sizeof *out);
	out->from_domain = g_ascii_strdown(from_domain ? from_domain : "", -1);
	if (!*out->from_domain) {
		out->reason = g_strdup("no From domain");
		return;
	}
	enum mg_dns_status s = fetch_record(c, out->from_domain, &rec);
	if (s != MG_DNS_OK && s != MG_DNS_TEMPFAIL) {
		org = mg_auth_org_domain(out->from_domain);
		if (g_ascii_strcasecmp(org, out->from_domain) != 0)
			s = fetch_record(c, org, &rec);
	}
	if (s == MG_DNS_TEMPFAIL) {
		out->res = MG_AUTH_TEMPERROR;
		out->reason = g_strdup("DNS lookup of the DMARC record failed");
	} else if (s != MG_DNS_OK) {
		out->res = MG_AUTH_NONE;
		out->reason = g_strdup("no DMARC record");
	} else {
		evaluate(ip, rec, org && g_ascii_strcasecmp(org, out->from_domain) ? org : NULL, spf, dkim, out);
	}
	g_free(rec);
	g_free(org);
}

void mg_auth_dmarc_clear(struct mg_auth_dmarc *d)
{
	g_free(d->from_domain);
	g_free(d->policy);
	g_free(d->disposition);
	g_free(d->reason);
	memset(d, 0, sizeof *d);
}
