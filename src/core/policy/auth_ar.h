/*
 * auth_ar.h - Authentication-Results fields (RFC 8601), see auth_ar.c.
 */
#ifndef MG_AUTH_AR_H
#define MG_AUTH_AR_H

#include <glib.h>

struct mg_ar_result {
	char *method;      /* lower case: "spf", "dkim", "dmarc" ... */
	char *result;      /* lower case: "pass", "fail" ... */
	char *reason;      /* reason= value, or NULL */
	char *comment;     /* the comment after the result, or NULL */
	GHashTable *props; /* "header.d" -> "example.com" ... */
};

struct mg_ar {
	char *authserv_id;  /* NULL when not even that could be read */
	GPtrArray *results; /* struct mg_ar_result* */
	gboolean malformed; /* something after the authserv-id did not parse */
};

/* Parse a field value (without "Authentication-Results:"); never NULL. */
struct mg_ar *mg_ar_parse(const char *field_value);
void mg_ar_free(struct mg_ar *ar);
const char *mg_ar_prop(const struct mg_ar_result *r, const char *name);
/* authserv-ids compare case-insensitively, a trailing dot ignored. */
gboolean mg_ar_id_equal(const char *a, const char *b);

#endif
