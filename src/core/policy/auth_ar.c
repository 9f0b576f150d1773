/*
 * auth_ar.c - reading Authentication-Results fields (RFC 8601): the
 * authserv-id of every incoming field (header hygiene removes the ones that
 * claim ours), and, in auth_mode = trust-upstream, the results a verifier
 * placed before mugaika wrote (OpenDKIM, OpenDMARC, a front MX).
 *
 * A hand-written parser: no library on Debian parses this field for C
 * (OpenDKIM and OpenDMARC each carry a private copy inside their milters,
 * not in libopendkim/libopendmarc).  It follows the RFC 8601 grammar:
 * CFWS with nested comments and quoted pairs, quoted-string values, an
 * optional version, "none", resinfo with reason and ptype.property=value.
 * Bounded: at most AR_MAX_RESULTS results per field and AR_MAX_PROPS
 * properties per result; the field itself is bounded by max_header_field.
 * A field that does not parse is reported as malformed (not trusted; its
 * authserv-id, when readable, still counts for hygiene).
 */
#include "config.h"

#include <string.h>

#include "auth_ar.h"
#include "auth_priv.h"

#define AR_MAX_RESULTS 64
#define AR_MAX_PROPS   32

struct cursor {
	const char *p;
	char *comment; /* the last comment skipped (kept for dmarc's "p=reject") */
	gboolean bad;  /* a comment was not closed */
};

static void skip_comment(struct cursor *c)
{
	int depth = 0;
	const char *start = c->p + 1;
	do {
		if (*c->p == '\\' && c->p[1])
			c->p++;
		else if (*c->p == '(')
			depth++;
		else if (*c->p == ')')
			depth--;
		c->p++;
	} while (*c->p && depth > 0);
	c->bad |= depth > 0;
	g_free(c->comment);
	c->comment = g_strndup(start, (gsize)MAX(c->p - start - 1, 0));
}

static void skip_cfws(struct cursor *c)
{
	for (;;) {
		while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
			c->p++;
		if (*c->p != '(')
			return;
		skip_comment(c);
	}
}

/* RFC 2045 token characters (value = token / quoted-string). */
static gboolean tokenchar(char ch)
{
	return (unsigned char)ch > 32 && (unsigned char)ch < 127 && !strchr("()<>@,;:\\\"/[]?=", ch);
}

static char *quoted(struct cursor *c)
{
	GString *s = g_string_new(NULL);
	for (c->p++; *c->p && *c->p != '"'; c->p++) {
		if (*c->p == '\\' && c->p[1])
			c->p++;
		g_string_append_c(s, *c->p);
	}
	if (*c->p != '"') {
		g_string_free(s, TRUE);
		return NULL;
	}
	c->p++;
	return g_string_free(s, FALSE);
}

static char *value(struct cursor *c)
{
	if (*c->p == '"')
		return quoted(c);
	const char *s = c->p;
	while (tokenchar(*c->p))
		c->p++;
	return c->p > s ? g_strndup(s, (gsize)(c->p - s)) : NULL;
}

/* Keyword of RFC 8601 (method, result, ptype, property names). */
static char *keyword(struct cursor *c)
{
	const char *s = c->p;
	while (g_ascii_isalnum(*c->p) || *c->p == '-' || *c->p == '_')
		c->p++;
	return c->p > s ? g_ascii_strdown(s, c->p - s) : NULL;
}

/* pvalue: a value, or [[local-part]"@"]domain-name (which may hold '@'). */
static char *pvalue(struct cursor *c)
{
	if (*c->p == '"')
		return quoted(c);
	const char *s = c->p;
	while (*c->p && !strchr(" \t\r\n;()", *c->p))
		c->p++;
	return c->p > s ? g_strndup(s, (gsize)(c->p - s)) : NULL;
}

static gboolean expect(struct cursor *c, char ch)
{
	skip_cfws(c);
	if (*c->p != ch)
		return FALSE;
	c->p++;
	skip_cfws(c);
	return TRUE;
}

static void result_free(gpointer p)
{
	struct mg_ar_result *r = p;
	g_free(r->method);
	g_free(r->result);
	g_free(r->reason);
	g_free(r->comment);
	if (r->props)
		g_hash_table_destroy(r->props);
	g_free(r);
}

void mg_ar_free(struct mg_ar *ar)
{
	if (!ar)
		return;
	g_free(ar->authserv_id);
	g_ptr_array_unref(ar->results);
	g_free(ar);
}

static gboolean prop(struct cursor *c, struct mg_ar_result *r, const char *ptype)
{
	if (g_hash_table_size(r->props) >= AR_MAX_PROPS)
		return FALSE;
	if (strcmp(ptype, "reason") == 0) {
		if (!expect(c, '='))
			return FALSE;
		g_free(r->reason);
		r->reason = value(c);
		return r->reason != NULL;
	}
	if (!expect(c, '.'))
		return FALSE;
	char *property = keyword(c);
	char *v = property && expect(c, '=') ? pvalue(c) : NULL;
	if (v)
		g_hash_table_replace(r->props, g_strdup_printf("%s.%s", ptype, property), v);
	g_free(property);
	return v != NULL;
}

/* One resinfo after its ';': method[/version] = result [reason] [props]. */
static struct mg_ar_result *resinfo(struct cursor *c)
{
	struct mg_ar_result *r = g_new0(struct mg_ar_result, 1);
	r->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->method = keyword(c);
	skip_cfws(c);
	if (r->method && *c->p == '/') { /* method version: ignored */
		c->p++;
		skip_cfws(c);
		while (g_ascii_isdigit(*c->p))
			c->p++;
	}
	g_clear_pointer(&c->comment, g_free);
	r->result = r->method && expect(c, '=') ? keyword(c) : NULL;
	gboolean ok = r->result != NULL;
	skip_cfws(c);
	r->comment = g_steal_pointer(&c->comment);
	while (ok && *c->p && *c->p != ';') {
		char *ptype = keyword(c);
		ok = ptype && prop(c, r, ptype);
		g_free(ptype);
		skip_cfws(c);
	}
	if (!ok) {
		result_free(r);
		return NULL;
	}
	return r;
}

struct mg_ar *mg_ar_parse(const char *field_value)
{
	struct cursor c = {field_value, NULL, FALSE};
	struct mg_ar *ar = g_new0(struct mg_ar, 1);
	ar->results = g_ptr_array_new_with_free_func(result_free);
	skip_cfws(&c);
	ar->authserv_id = value(&c);
	skip_cfws(&c);
	while (g_ascii_isdigit(*c.p)) /* authres-version */
		c.p++;
	skip_cfws(&c);
	gboolean ok = ar->authserv_id != NULL;
	while (ok && *c.p == ';') {
		c.p++;
		skip_cfws(&c);
		if (g_ascii_strncasecmp(c.p, "none", 4) == 0 && !g_ascii_isalnum(c.p[4]) && c.p[4] != '=') {
			c.p += 4;
			skip_cfws(&c);
			break;
		}
		struct mg_ar_result *r = ar->results->len < AR_MAX_RESULTS ? resinfo(&c) : NULL;
		if (r)
			g_ptr_array_add(ar->results, r);
		ok = r != NULL;
	}
	ar->malformed = !ok || c.bad || *c.p != '\0';
	g_free(c.comment);
	return ar;
}

const char *mg_ar_prop(const struct mg_ar_result *r, const char *name)
{
	return r->props ? g_hash_table_lookup(r->props, name) : NULL;
}

gboolean mg_ar_id_equal(const char *a, const char *b)
{
	if (!a || !b)
		return FALSE;
	gsize la = strlen(a), lb = strlen(b);
	while (la && a[la - 1] == '.')
		la--;
	while (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && g_ascii_strncasecmp(a, b, la) == 0;
}

static const char *res_names[] = {"none", "pass", "fail", "softfail", "neutral", "policy", "temperror", "permerror"};

const char *mg_auth_res_name(enum mg_auth_res r)
{
	return (guint)r < G_N_ELEMENTS(res_names) ? res_names[r] : "permerror";
}

enum mg_auth_res mg_auth_res_parse(const char *s)
{
	for (gsize i = 0; s && i < G_N_ELEMENTS(res_names); i++)
		if (g_ascii_strcasecmp(s, res_names[i]) == 0)
			return (enum mg_auth_res)i;
	return MG_AUTH_PERMERROR; /* a word we do not know is not a pass */
}
