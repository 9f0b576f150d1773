/*
 * lookalike.c - does a sender imitate the organisation?  The entry measure
 * against targeted mail (標的型攻撃, R12.1): a From domain that looks like
 * a protected domain without being it, and a display name that borrows a
 * protected name (市長, 総務課 ...) or an internal address.
 *
 * Contract: mg_lookalike_new compiles the protected domains (internal_domain
 * and auth_protected_domain) and names (auth_protected_name) once per
 * configuration; the checks are read-only and thread-safe.
 *  - A domain is compared in Unicode (IDNA A-labels decoded by GLib) by its
 *    confusable skeleton (Unicode UTS #39, ICU's spoof checker: Cyrillic
 *    'с', digit '1' for 'l', "rn" for "m" ...), by edit distance between
 *    skeletons (Damerau-Levenshtein, transpositions count once; only names
 *    of at least LOOKALIKE_MIN_LEN characters, so short names do not all look
 *    alike), and for embedding ("city.example.lg.jp.example.net").
 *  - A display name is compared after NFKC and case folding with spaces
 *    removed (full-width letters, odd spacing), and by skeleton.
 * The edit distance is a dozen lines written here: neither GLib nor ICU
 * has one.
 */
#include "config.h"

#include <string.h>
#include <unicode/uspoof.h>

#include "lookalike.h"
#include "mg_config.h"

#define LOOKALIKE_MIN_LEN 6
#define SKELETON_MAX      1024

struct mg_lookalike {
	USpoofChecker *sc;
	GPtrArray *domains;   /* char*: protected domains, Unicode, lower case */
	GPtrArray *dom_skel;  /* char*: their skeletons */
	GPtrArray *names;     /* char*: protected names, normalised */
	GPtrArray *name_skel; /* char*: their skeletons */
	int distance;
};

/* NFKC, case folded, white space removed. */
static char *norm(const char *s)
{
	char *valid = g_utf8_make_valid(s, -1);
	char *n = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
	g_free(valid);
	char *f = g_utf8_casefold(n ? n : "", -1);
	GString *out = g_string_new(NULL);
	for (const char *p = f; *p; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			g_string_append_unichar(out, g_utf8_get_char(p));
	g_free(n);
	g_free(f);
	return g_string_free(out, FALSE);
}

static char *skeleton(const struct mg_lookalike *l, const char *s)
{
	UErrorCode st = U_ZERO_ERROR;
	char buf[SKELETON_MAX];
	int32_t n = uspoof_getSkeletonUTF8(l->sc, 0, s, -1, buf, sizeof buf, &st);
	if (U_FAILURE(st) || n < 0 || n >= (int32_t)sizeof buf)
		return g_strdup(s); /* too long to matter: compare as it is */
	return g_strndup(buf, (gsize)n);
}

static char *domain_unicode(const char *d)
{
	char *valid = g_utf8_make_valid(d, -1); /* raw 8-bit from a header: never read as UTF-8 unchecked */
	char *low = g_ascii_strdown(valid, -1);
	g_free(valid);
	gsize n = strlen(low);
	while (n && low[n - 1] == '.')
		low[--n] = '\0';
	char *u = g_hostname_is_ascii_encoded(low) ? g_hostname_to_unicode(low) : NULL;
	if (!u)
		return low;
	g_free(low);
	char *f = g_utf8_casefold(u, -1);
	g_free(u);
	return f;
}

struct mg_lookalike *mg_lookalike_new(char **internal, char **protected_domains, char **names, int distance,
				      GError **err)
{
	UErrorCode st = U_ZERO_ERROR;
	struct mg_lookalike *l = g_new0(struct mg_lookalike, 1);
	l->sc = uspoof_open(&st);
	if (U_FAILURE(st)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "ICU spoof checker: %s", u_errorName(st));
		mg_lookalike_free(l);
		return NULL;
	}
	l->distance = distance;
	l->domains = g_ptr_array_new_with_free_func(g_free);
	l->dom_skel = g_ptr_array_new_with_free_func(g_free);
	l->names = g_ptr_array_new_with_free_func(g_free);
	l->name_skel = g_ptr_array_new_with_free_func(g_free);
	char **lists[] = {internal, protected_domains};
	for (gsize k = 0; k < G_N_ELEMENTS(lists); k++)
		for (char **p = lists[k]; p && *p; p++) {
			char *u = domain_unicode(*p);
			g_ptr_array_add(l->dom_skel, skeleton(l, u));
			g_ptr_array_add(l->domains, u);
		}
	for (char **p = names; p && *p; p++) {
		char *n = norm(*p);
		g_ptr_array_add(l->name_skel, skeleton(l, n));
		g_ptr_array_add(l->names, n);
	}
	return l;
}

void mg_lookalike_free(struct mg_lookalike *l)
{
	if (!l)
		return;
	if (l->sc)
		uspoof_close(l->sc);
	if (l->domains) {
		g_ptr_array_unref(l->domains);
		g_ptr_array_unref(l->dom_skel);
		g_ptr_array_unref(l->names);
		g_ptr_array_unref(l->name_skel);
	}
	g_free(l);
}

/* d equals p or is a subdomain of it. */
static gboolean within(const char *d, const char *p)
{
	gsize dl = strlen(d), pl = strlen(p);
	return strcmp(d, p) == 0 || (dl > pl && d[dl - pl - 1] == '.' && strcmp(d + dl - pl, p) == 0);
}

gboolean mg_lookalike_protected(const struct mg_lookalike *l, const char *domain)
{
	char *u = domain_unicode(domain);
	gboolean in = FALSE;
	for (guint i = 0; !in && i < l->domains->len; i++)
		in = within(u, l->domains->pdata[i]);
	g_free(u);
	return in;
}

/* Optimal string alignment distance over Unicode characters, stopping
 * early once every value of a row is over `limit`. */
static int edit_distance(const char *a, const char *b, int limit)
{
	glong n = 0, m = 0;
	gunichar *x = g_utf8_to_ucs4_fast(a, -1, &n), *y = g_utf8_to_ucs4_fast(b, -1, &m);
	int *d = g_new(int, (gsize)((n + 1) * (m + 1)));
	int result = limit + 1;
#define D(i, j) d[(i) * (m + 1) + (j)]
	for (glong i = 0; i <= n; i++)
		D(i, 0) = (int)i;
	for (glong j = 0; j <= m; j++)
		D(0, j) = (int)j;
	for (glong i = 1; i <= n; i++) {
		int row_min = G_MAXINT;
		for (glong j = 1; j <= m; j++) {
			int cost = x[i - 1] != y[j - 1];
			int v = MIN(MIN(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
				v = MIN(v, D(i - 2, j - 2) + 1);
			D(i, j) = v;
			row_min = MIN(row_min, v);
		}
		if (row_min > limit)
			goto out;
	}
	result = D(n, m);
out:
#undef D
	g_free(d);
	g_free(x);
	g_free(y);
	return result;
}

/* `u` carries p as a label sequence followed by '.' or '-' without being
 * within it: "city.example.lg.jp.evil.example", "city.example.lg.jp-login.example". */
static gboolean embeds(const char *u, const char *p)
{
	gsize pl = strlen(p);
	for (const char *s = strstr(u, p); s; s = strstr(s + 1, p))
		if ((s == u || s[-1] == '.' || s[-1] == '-') && (s[pl] == '.' || s[pl] == '-'))
			return TRUE;
	return FALSE;
}

const char *mg_lookalike_domain(const struct mg_lookalike *l, const char *domain)
{
	char *u = domain_unicode(domain);
	char *sk = skeleton(l, u);
	const char *hit = NULL;
	for (guint i = 0; !hit && i < l->domains->len; i++) {
		const char *p = l->domains->pdata[i], *ps = l->dom_skel->pdata[i];
		if (within(u, p)) {
			hit = NULL;
			break; /* the genuine domain (or its subdomain) */
		}
		gboolean longish = g_utf8_strlen(ps, -1) >= LOOKALIKE_MIN_LEN;
		if (strcmp(sk, ps) == 0 || embeds(u, p) ||
		    (longish && l->distance > 0 && edit_distance(sk, ps, l->distance) <= l->distance))
			hit = p;
	}
	g_free(sk);
	g_free(u);
	return hit;
}

/* A display name carrying an address or domain of a protected domain:
 * '"soumu@city.example.lg.jp" <x@example.net>'. */
static const char *name_domain(const struct mg_lookalike *l, const char *n)
{
	for (guint i = 0; i < l->domains->len; i++)
		if (strstr(n, l->domains->pdata[i]))
			return l->domains->pdata[i];
	return NULL;
}

const char *mg_lookalike_name(const struct mg_lookalike *l, const char *display_name)
{
	if (!display_name || !*display_name)
		return NULL;
	char *n = norm(display_name);
	char *sk = skeleton(l, n);
	const char *hit = name_domain(l, n);
	for (guint i = 0; !hit && i < l->names->len; i++)
		if (*(char *)l->names->pdata[i] &&
		    (strstr(n, l->names->pdata[i]) || strstr(sk, l->name_skel->pdata[i])))
			hit = l->names->pdata[i];
	g_free(sk);
	g_free(n);
	return hit;
}
