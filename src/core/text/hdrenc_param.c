/*
 * hdrenc_param.c - MIME parameters (Content-Type, Content-Disposition)
 * with the attachment name in both forms, and opaque fields made safe.
 *
 * RFC 2231 names are UTF-8, percent-encoded, cut into continuations at
 * character boundaries only (a client that decodes each segment on its
 * own still reads whole characters); the RFC 2047 name= of Content-Type,
 * which Outlook 2010-era clients and Becky! read, holds the same name as
 * encoded words inside quotes.
 */
#include "config.h"

#include <string.h>

#include "hdrenc_priv.h"
#include "mg_hdrenc.h"

/* RFC 2045 token characters: printable ASCII without tspecials. */
static gboolean token_value(const char *v)
{
	if (!*v)
		return FALSE;
	for (; *v; v++)
		if ((guchar)*v <= 0x20 || (guchar)*v >= 0x7F || strchr("()<>@,;:\\\"/[]?=", *v))
			return FALSE;
	return TRUE;
}

static char *quoted(const char *v)
{
	GString *q = g_string_new("\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *v);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

/* Append ";" then " key=value" (folding before it as needed). */
static void param_put(struct mg_hdrenc_fold *f, const char *key, const char *value)
{
	char *v = token_value(value) ? g_strdup(value) : quoted(value);
	char *item = g_strdup_printf("%s=%s", key, v);
	g_string_append_c(f->out, ';');
	f->line++;
	mg_hdrenc_put(f, " ", item);
	g_free(item);
	g_free(v);
}

static gboolean plain_name(const char *name, gsize budget)
{
	for (const char *p = name; *p; p++)
		if ((guchar)*p < 0x20 || (guchar)*p > 0x7E)
			return FALSE;
	return strlen(name) <= budget && !strstr(name, "=?");
}

/* name="=?..?= =?..?=": one word per line, short enough that the
 * quotes fit too. */
static void name_2047_put(struct mg_hdrenc_fold *f, const char *name, enum mg_hdrenc_cs cs)
{
	enum mg_hdrenc_cs wcs = mg_hdrenc_cs_for(name, cs);
	g_string_append_c(f->out, ';');
	for (const char *p = name; *p;) {
		gsize used = 0;
		GString *w = mg_hdrenc_word_fit(p, 68, wcs, &used);
		if (!w) /* cannot happen: one character is at most 24 characters encoded */
			break;
		p += used;
		g_string_append_printf(f->out, "\n %s%s%s", p - used == name ? "name=\"" : "", w->str, *p ? "" : "\"");
		f->line = 1 + w->len + 7;
		g_string_free(w, TRUE);
	}
}

char *mg_hdrenc_content_type(const char *type, const char *const *params, const char *filename, enum mg_hdrenc_cs cs)
{
	struct mg_hdrenc_fold f;
	mg_hdrenc_fold_init(&f, "Content-Type");
	mg_hdrenc_put(&f, "", type);
	for (gsize i = 0; params && params[i] && params[i + 1]; i += 2)
		param_put(&f, params[i], params[i + 1]);
	if (filename && plain_name(filename, 60))
		param_put(&f, "name", filename);
	else if (filename)
		name_2047_put(&f, filename, cs);
	return g_string_free(f.out, FALSE);
}

/* RFC 2231 attribute-char: the bytes that need no %XX. */
static gboolean attr_char(guchar c)
{
	return g_ascii_isalnum(c) || strchr("!#$&+-.^_`|~", c);
}

static void pct(GString *g, const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)s[i];
		if (attr_char(c))
			g_string_append_c(g, (char)c);
		else
			g_string_append_printf(g, "%%%02X", c);
	}
}

/* filename*0*=UTF-8''...; filename*1*=...: segments of whole characters,
 * each line within MG_HDRENC_LINE. */
static void name_2231_put(struct mg_hdrenc_fold *f, const char *name)
{
	GString *all = g_string_new(NULL);
	pct(all, name, strlen(name));
	gboolean one = strlen(" filename*=UTF-8''") + all->len <= MG_HDRENC_LINE;
	g_string_free(all, TRUE);
	g_string_append_c(f->out, ';');
	if (one) {
		GString *seg = g_string_new("filename*=UTF-8''");
		pct(seg, name, strlen(name));
		g_string_append_printf(f->out, "\n %s", seg->str);
		f->line = 1 + seg->len;
		g_string_free(seg, TRUE);
		return;
	}
	const char *p = name;
	for (int n = 0; *p; n++) {
		GString *seg = g_string_new(NULL);
		g_string_append_printf(seg, "filename*%d*=%s", n, n == 0 ? "UTF-8''" : "");
		while (*p) {
			const char *e = g_utf8_next_char(p);
			gsize before = seg->len;
			pct(seg, p, (gsize)(e - p));
			if (1 + seg->len + 1 > MG_HDRENC_LINE && before > strlen("filename*99*=UTF-8''")) {
				g_string_truncate(seg, before);
				break;
			}
			p = e;
		}
		g_string_append_printf(f->out, "%s\n %s", n ? ";" : "", seg->str);
		f->line = 1 + seg->len;
		g_string_free(seg, TRUE);
	}
}

char *mg_hdrenc_disposition(const char *disposition, const char *filename)
{
	struct mg_hdrenc_fold f;
	mg_hdrenc_fold_init(&f, "Content-Disposition");
	mg_hdrenc_put(&f, "", disposition);
	if (filename && plain_name(filename, 60))
		param_put(&f, "filename", filename);
	else if (filename)
		name_2231_put(&f, filename);
	return g_string_free(f.out, FALSE);
}

/* ---- opaque fields ---- */

static gboolean bad_byte(guchar c)
{
	return c >= 0x80 || c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r');
}

/* Fold one physical line (without its newline) at whitespace so that
 * each piece is at most MG_HDRENC_LINE where a fold is possible. */
static void refold_line(GString *out, const char *s, gsize n, gsize col)
{
	while (col + n > MG_HDRENC_LINE) {
		gsize cut = 0;
		for (gsize i = 1; i < n && col + i <= MG_HDRENC_LINE; i++)
			if (s[i] == ' ' || s[i] == '\t')
				cut = i;
		if (!cut) /* nothing before the limit: the first space after it */
			for (gsize i = 1; i < n && !cut; i++)
				if ((s[i] == ' ' || s[i] == '\t') && strspn(s, " \t") < i)
					cut = i;
		gboolean hard = !cut && col + n > 998; /* no fold anywhere: a line must still end by 998 */
		if (hard)
			cut = 998 - MIN(col, 900);
		if (!cut)
			break;
		g_string_append_len(out, s, (gssize)cut);
		g_string_append(out, hard ? "\n " : "\n");
		s += cut;
		n -= cut;
		col = 0;
	}
	g_string_append_len(out, s, (gssize)n);
}

char *mg_hdrenc_opaque(const char *name, const char *raw)
{
	GString *clean = g_string_sized_new(strlen(raw));
	for (const char *p = raw; *p; p++) {
		if (*p == '\r')
			continue;
		g_string_append_c(clean, bad_byte((guchar)*p) ? '?' : *p);
		if (*p == '\n' && p[1] != ' ' && p[1] != '\t') /* a line break is always a fold */
			g_string_append_c(clean, ' ');
	}
	GString *out = g_string_sized_new(clean->len + 8);
	gsize col = strlen(name) + 2;
	for (const char *p = clean->str;;) {
		const char *nl = strchr(p, '\n');
		gsize n = nl ? (gsize)(nl - p) : strlen(p);
		refold_line(out, p, n, col);
		if (!nl)
			break;
		g_string_append_c(out, '\n');
		p = nl + 1;
		col = 0;
	}
	g_string_free(clean, TRUE);
	gboolean same = TRUE;
	for (const char *a = raw, *b = out->str; same; a++, b++) {
		while (*a == '\r')
			a++;
		same = *a == *b;
		if (!*a)
			break;
	}
	if (same) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
