/*
 * auth_priv.h - private to sender authentication (issue 16): the results
 * of SPF, DKIM and DMARC for one message, and the per-message context the
 * three checks share (resolver, deadline).
 *
 * Each check fills its own result and never decides what happens to the
 * message: auth.c turns the results into warnings, headers and an action.
 * A check that could not run (DNS timeout, library failure) reports
 * temperror, never none: a failure must not read as "no policy".
 */
#ifndef MG_AUTH_PRIV_H
#define MG_AUTH_PRIV_H

#include <glib.h>
#include <gmime/gmime.h>

#include "lookalike.h"
#include "mg_auth_dns.h"

/* Results in the words of RFC 8601 (Authentication-Results). */
enum mg_auth_res {
	MG_AUTH_NONE = 0,
	MG_AUTH_PASS,
	MG_AUTH_FAIL,
	MG_AUTH_SOFTFAIL,
	MG_AUTH_NEUTRAL,
	MG_AUTH_POLICY,
	MG_AUTH_TEMPERROR,
	MG_AUTH_PERMERROR
};

struct mg_auth_dkim_lib;
struct mg_auth_ctx {
	struct mg_auth_dns *dns;
	gint64 deadline_us;
	const char *qid;
	struct mg_auth_dkim_lib *dkim_lib; /* set by mg_auth_dkim_check */
};

struct mg_auth_spf {
	enum mg_auth_res res;
	char *identity; /* "mailfrom" or "helo" */
	char *domain;   /* the domain whose record was evaluated */
	char *sender;   /* smtp.mailfrom / smtp.helo value */
	char *reason;   /* the library's explanation (English) */
};

struct mg_auth_dkim {
	enum mg_auth_res res;
	char *domain;   /* d= */
	char *selector; /* s= */
	char *b;        /* first 8 characters of b= (RFC 6008 header.b) */
	char *reason;
};

struct mg_auth_dmarc {
	enum mg_auth_res res;
	char *from_domain;
	char *policy;      /* "none", "quarantine", "reject" (p= or sp=), or NULL */
	char *disposition; /* what the domain asks for this message */
	char *reason;
};

/* What mg_auth_config_compile derives from a configuration. */
struct mg_auth_data {
	char *serv_id;                 /* auth_serv_id, or the host name */
	struct mg_auth_dns *dns;       /* verify mode only */
	struct mg_auth_dkim_lib *dkim; /* verify mode only */
	struct mg_lookalike *look;
};

const char *mg_auth_res_name(enum mg_auth_res r);
enum mg_auth_res mg_auth_res_parse(const char *s);

void mg_auth_spf_check(struct mg_auth_ctx *c, const char *ip, const char *helo, const char *mail_from,
		       struct mg_auth_spf *out);
void mg_auth_spf_clear(struct mg_auth_spf *s);
/* Route libspf2's messages to our log (once per process). */
void mg_auth_spf_global_init(void);

struct mg_auth_dkim_lib *mg_auth_dkim_lib_new(guint max_signatures, GError **err);
void mg_auth_dkim_lib_free(struct mg_auth_dkim_lib *l);
/* headers: struct mg_header* (name, value with LF line ends) in order;
 * body: the body as received (LF line ends).  Appends struct mg_auth_dkim*
 * to out, one per signature looked at. */
void mg_auth_dkim_check(struct mg_auth_ctx *c, struct mg_auth_dkim_lib *l, const GPtrArray *headers, GMimeStream *body,
			GPtrArray *out);
void mg_auth_dkim_free(gpointer p);
/* A signature entry of its own: (res, reason), the rest filled by the caller. */
struct mg_auth_dkim *mg_auth_dkim_error(enum mg_auth_res res, const char *reason);
/* The best of the signatures: pass, else temperror, else fail ... none. */
enum mg_auth_res mg_auth_dkim_summary(const GPtrArray *sigs);

/* The public suffix list for organisational domains (libopendmarc's
 * table; process-wide, read again when the path changes). */
gboolean mg_auth_dmarc_global_init(const char *psl_path, GError **err);
void mg_auth_dmarc_check(struct mg_auth_ctx *c, const char *ip, const char *from_domain, const struct mg_auth_spf *spf,
			 const GPtrArray *dkim, struct mg_auth_dmarc *out);
void mg_auth_dmarc_clear(struct mg_auth_dmarc *d);
/* Organisational domain of `domain` (caller frees). */
char *mg_auth_org_domain(const char *domain);

#endif
