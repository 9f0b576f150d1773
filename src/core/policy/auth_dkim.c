/*
 * auth_dkim.c - DKIM verification (RFC 6376, RFC 8463 ed25519) with
 * libopendkim, over the message exactly as received (before the rebuild,
 * which necessarily breaks every signature).
 *
 * Contract: one struct mg_auth_dkim_lib per loaded configuration (a
 * DKIM_LIB, shared by the threads as the OpenDKIM milter shares it); keys
 * are fetched through our resolver by a key-lookup callback, so DKIM gets
 * the same timeout, deadline and cache as SPF and DMARC.  At most
 * auth_max_signatures signatures are verified (the others are ignored and
 * not reported).  Header fields are fed as "Name: value" (the MTA hands the
 * value without the space after the colon; one space is the form nearly
 * every signer uses, and relaxed canonicalisation does not depend on it);
 * the spool's LF line ends are turned back into CRLF by DKIM_LIBFLAGS_FIXCRLF.
 */
#include "config.h"

#include <string.h>

#include <opendkim/dkim.h>

#include "auth_priv.h"
#include "mg_log.h"
#include "mg_txn.h"

#define KEY_MAX 8192 /* a DKIM key record longer than this is refused */

struct mg_auth_dkim_lib {
	DKIM_LIB *lib;
	guint max_signatures;
};

static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct mg_auth_ctx *c = dkim_get_user_context(dkim);
	const char *sel = (const char *)dkim_sig_getselector(sig), *dom = (const char *)dkim_sig_getdomain(sig);
	if (!c || !sel || !dom)
		return DKIM_CBSTAT_ERROR;
	char *name = g_strdup_printf("%s._domainkey.%s", sel, dom);
	GPtrArray *rrs = NULL;
	enum mg_dns_status s = mg_auth_dns_query(c->dns, name, MG_DNS_TXT, c->deadline_us, &rrs);
	DKIM_CBSTAT ret = s == MG_DNS_TEMPFAIL ? DKIM_CBSTAT_TRYAGAIN : DKIM_CBSTAT_NOTFOUND;
	char *txt = s == MG_DNS_OK ? mg_auth_dns_txt(rrs, 0) : NULL;
	if (txt && strlen(txt) < buflen) {
		memcpy(buf, txt, strlen(txt) + 1);
		ret = DKIM_CBSTAT_CONTINUE;
	} else if (txt) {
		ret = DKIM_CBSTAT_ERROR; /* does not fit libopendkim's buffer */
	}
	g_free(txt);
	g_free(name);
	if (rrs)
		g_ptr_array_unref(rrs);
	return ret;
}

/* Verify only the first max_signatures signatures. */
static DKIM_CBSTAT prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	const struct mg_auth_ctx *c = dkim_get_user_context(dkim);
	for (int i = c && c->dkim_lib ? (int)c->dkim_lib->max_signatures : nsigs; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

struct mg_auth_dkim_lib *mg_auth_dkim_lib_new(guint max_signatures, GError **err)
{
	struct mg_auth_dkim_lib *l = g_new0(struct mg_auth_dkim_lib, 1);
	u_int flags = DKIM_LIBFLAGS_FIXCRLF;
	l->max_signatures = MAX(max_signatures, 1);
	l->lib = dkim_init(NULL, NULL);
	if (!l->lib || dkim_options(l->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(l->lib, key_lookup) != DKIM_STAT_OK ||
	    dkim_set_prescreen(l->lib, prescreen) != DKIM_STAT_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "libopendkim could not be initialised");
		mg_auth_dkim_lib_free(l);
		return NULL;
	}
	return l;
}

void mg_auth_dkim_lib_free(struct mg_auth_dkim_lib *l)
{
	if (!l)
		return;
	if (l->lib)
		dkim_close(l->lib);
	g_free(l);
}

void mg_auth_dkim_free(gpointer p)
{
	struct mg_auth_dkim *d = p;
	g_free(d->domain);
	g_free(d->selector);
	g_free(d->b);
	g_free(d->reason);
	g_free(d);
}

struct mg_auth_dkim *mg_auth_dkim_error(enum mg_auth_res res, const char *reason)
{
	struct mg_auth_dkim *d = g_new0(struct mg_auth_dkim, 1);
	d->res = res;
	d->reason = g_strdup(reason);
	return d;
}

static struct mg_auth_dkim *dkim_new(GPtrArray *out, enum mg_auth_res res, const char *reason)
{
	struct mg_auth_dkim *d = mg_auth_dkim_error(res, reason);
	g_ptr_array_add(out, d);
	return d;
}

static enum mg_auth_res sig_res(DKIM_SIGINFO *sig)
{
	unsigned flags = dkim_sig_getflags(sig);
	if ((flags & DKIM_SIGFLAG_PASSED) && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH)
		return MG_AUTH_PASS;
	switch (dkim_sig_geterror(sig)) {
	case DKIM_SIGERROR_KEYFAIL:
	case DKIM_SIGERROR_MULTIREPLY: return MG_AUTH_TEMPERROR;
	case DKIM_SIGERROR_BADSIG:
	case DKIM_SIGERROR_OK: /* processed, not passed: the body hash did not match */
	case DKIM_SIGERROR_EXPIRED:
	case DKIM_SIGERROR_FUTURE:
	case DKIM_SIGERROR_TOOLARGE_L: return MG_AUTH_FAIL;
	default: return MG_AUTH_PERMERROR; /* no key, bad key, malformed signature */
	}
}

static void sig_report(DKIM_SIGINFO *sig, GPtrArray *out)
{
	int err = dkim_sig_geterror(sig);
	enum mg_auth_res res = sig_res(sig);
	const char *why = res == MG_AUTH_PASS       ? "good signature"
			  : err == DKIM_SIGERROR_OK ? "body hash did not verify"
						    : dkim_sig_geterrorstr(err);
	struct mg_auth_dkim *d = dkim_new(out, res, why ? why : "unknown error");
	const u_char *b = dkim_sig_gettagvalue(sig, FALSE, (u_char *)"b");
	d->domain = g_ascii_strdown((const char *)dkim_sig_getdomain(sig), -1);
	d->selector = g_strdup((const char *)dkim_sig_getselector(sig));
	d->b = g_strndup(b ? (const char *)b : "", 8);
}

static DKIM_STAT feed_headers(DKIM *dk, const GPtrArray *headers)
{
	DKIM_STAT st = DKIM_STAT_OK;
	for (guint i = 0; i < headers->len && st == DKIM_STAT_OK; i++) {
		const struct mg_header *h = headers->pdata[i];
		char **lines = g_strsplit(h->value, "\n", -1);
		char *v = g_strjoinv("\r\n", lines), *f = g_strdup_printf("%s: %s", h->name, v);
		st = dkim_header(dk, (u_char *)f, strlen(f));
		g_strfreev(lines);
		g_free(v);
		g_free(f);
	}
	return st == DKIM_STAT_OK ? dkim_eoh(dk) : st;
}

static DKIM_STAT feed_body(DKIM *dk, GMimeStream *body)
{
	char buf[16384];
	ssize_t n;
	DKIM_STAT st = DKIM_STAT_OK;
	g_mime_stream_reset(body);
	while (st == DKIM_STAT_OK && (n = g_mime_stream_read(body, buf, sizeof buf)) > 0)
		st = dkim_body(dk, (u_char *)buf, (size_t)n);
	if (n < 0)
		return DKIM_STAT_INTERNAL;
	return st == DKIM_STAT_OK ? dkim_eom(dk, NULL) : st;
}

static void collect(DKIM *dk, GPtrArray *out)
{
	DKIM_SIGINFO **sigs = NULL;
	int n = 0;
	if (dkim_getsiglist(dk, &sigs, &n) != DKIM_STAT_OK)
		return;
	for (int i = 0; i < n; i++)
		if (!(dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE))
			sig_report(sigs[i], out);
}

void mg_auth_dkim_check(struct mg_auth_ctx *c, struct mg_auth_dkim_lib *l, const GPtrArray *headers, GMimeStream *body,
			GPtrArray *out)
{
	DKIM_STAT st;
	DKIM *dk = dkim_verify(l->lib, (const u_char *)(c->qid ? c->qid : "NOQUEUE"), NULL, &st);
	if (!dk) {
		dkim_new(out, MG_AUTH_TEMPERROR, "libopendkim could not start a verification");
		return;
	}
	c->dkim_lib = l;
	dkim_set_user_context(dk, c);
	st = feed_headers(dk, headers);
	if (st == DKIM_STAT_OK)
		st = feed_body(dk, body);
	guint before = out->len;
	if (st != DKIM_STAT_NOSIG)
		collect(dk, out);
	if (out->len == before && st != DKIM_STAT_NOSIG) /* nothing to show, yet not "no signature" */
		dkim_new(out, st == DKIM_STAT_SYNTAX ? MG_AUTH_PERMERROR : MG_AUTH_TEMPERROR, dkim_getresultstr(st));
	dkim_free(dk);
}

enum mg_auth_res mg_auth_dkim_summary(const GPtrArray *sigs)
{
	static const enum mg_auth_res order[] = {MG_AUTH_PASS, MG_AUTH_TEMPERROR, MG_AUTH_FAIL, MG_AUTH_PERMERROR,
						 MG_AUTH_NEUTRAL};
	for (gsize k = 0; k < G_N_ELEMENTS(order); k++)
		for (guint i = 0; sigs && i < sigs->len; i++)
			if (((const struct mg_auth_dkim *)sigs->pdata[i])->res == order[k])
				return order[k];
	return MG_AUTH_NONE;
}
