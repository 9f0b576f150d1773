/*
 * filename.c - the name of an attachment as the sender meant it (see
 * mg_mime.h, mg_mime_part_filename).
 *
 * Why a parameter parser here: GMime decodes RFC 2231 / RFC 2047 values
 * with iconv by label, which mangles ISO-2022-JP with NEC extensions and
 * cannot join an escape sequence split across continuations; so the raw
 * Content-Disposition / Content-Type value is split into parameters here
 * and the joined bytes go through mg_charset.  Real mailers' forms read:
 *  - RFC 2231 continuations (charset'lang'%XX), cut anywhere;
 *  - RFC 2047 words in quotes (Outlook, Gmail, Becky!) or unquoted and
 *    folded after a word (Lotus Notes): the words that follow the fold
 *    belong to the value;
 *  - raw 8-bit bytes in quotes (PHP, old Windows tools): a CP932 trail
 *    byte 0x5C (表 95 5C, ソ 83 5C) is part of its character, not a
 *    quoted-pair escape.
 * The name is cleaned (controls and bidirectional overrides) and put in
 * NFC (Macs send NFD), except CJK compatibility ideographs.
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"
#include "mg_mime.h"

struct param {
	char *name; /* lower case, with any "*N*" suffix */
	char *value;
};

/* A CP932 lead byte: its trail byte belongs to it (even 0x5C, '\\').
 * UTF-8 and EUC-JP never have '\\' or '"' after such a byte, so they
 * read the same either way. */
static gboolean sjis_lead(guchar c)
{
	return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
}

static const char *quoted_value(const char *p, GString *v)
{
	for (p++; *p && *p != '"'; p++) {
		if (sjis_lead((guchar)*p) && p[1]) {
			g_string_append_c(v, *p++);
		} else if (*p == '\\' && p[1]) {
			p++;
		}
		g_string_append_c(v, *p);
	}
	return *p ? p + 1 : p;
}

/* An unquoted value; one made of encoded words continues past a fold
 * when the next token is an encoded word too (Lotus Notes). */
static const char *token_value(const char *p, GString *v)
{
	for (;;) {
		while (*p && *p != ';' && !g_ascii_isspace(*p))
			g_string_append_c(v, *p++);
		const char *next = p + strspn(p, " \t\r\n");
		if (!(g_str_has_suffix(v->str, "?=") && g_str_has_prefix(next, "=?")))
			return p;
		g_string_append_c(v, ' ');
		p = next;
	}
}

static const char *param_value(const char *p, GString *v)
{
	return *p == '"' ? quoted_value(p, v) : token_value(p, v);
}

static GPtrArray *params_parse(const char *raw)
{
	GPtrArray *ps = g_ptr_array_new();
	const char *p = strchr(raw, ';');
	while (p && *p) {
		p += strspn(p, "; \t\r\n");
		const char *eq = strchr(p, '=');
		if (!*p || !eq)
			break;
		struct param *pa = g_new0(struct param, 1);
		pa->name = g_ascii_strdown(p, eq - p);
		g_strstrip(pa->name);
		p = eq + 1;
		p += strspn(p, " \t\r\n");
		GString *v = g_string_new(NULL);
		p = param_value(p, v);
		pa->value = g_string_free(v, FALSE);
		g_ptr_array_add(ps, pa);
		p = strchr(p, ';');
	}
	return ps;
}

static void params_free(GPtrArray *ps)
{
	for (guint i = 0; i < ps->len; i++) {
		struct param *pa = ps->pdata[i];
		g_free(pa->name);
		g_free(pa->value);
		g_free(pa);
	}
	g_ptr_array_free(ps, TRUE);
}

static const char *params_get(GPtrArray *ps, const char *name)
{
	for (guint i = 0; i < ps->len; i++)
		if (g_str_equal(((struct param *)ps->pdata[i])->name, name))
			return ((struct param *)ps->pdata[i])->value;
	return NULL;
}

/* Append %XX-decoded bytes; the first extended segment starts with
 * charset'language' which goes to *charset. */
static void pct_append(GString *b, const char *v, char **charset)
{
	if (charset && !*charset) {
		const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
		if (q2) {
			*charset = g_strndup(v, q1 - v);
			v = q2 + 1;
		}
	}
	for (; *v; v++) {
		if (v[0] == '%' && g_ascii_isxdigit(v[1]) && g_ascii_isxdigit(v[2])) {
			g_string_append_c(b, (char)(g_ascii_xdigit_value(v[1]) * 16 + g_ascii_xdigit_value(v[2])));
			v += 2;
		} else {
			g_string_append_c(b, *v);
		}
	}
}

static char *param_decode(GPtrArray *ps, const char *name)
{
	char *key = g_strdup_printf("%s*", name), *charset = NULL, *out = NULL;
	const char *v = params_get(ps, key);
	GString *b = g_string_new(NULL);
	if (v)
		pct_append(b, v, &charset);
	for (int i = 0; !v && i < 1000; i++) { /* RFC 2231 continuations */
		char *k = g_strdup_printf("%s*%d", name, i), *kx = g_strdup_printf("%s*%d*", name, i);
		const char *s = params_get(ps, k), *sx = params_get(ps, kx);
		if (sx)
			pct_append(b, sx, i == 0 ? &charset : NULL);
		else if (s)
			g_string_append(b, s);
		g_free(k);
		g_free(kx);
		if (!s && !sx)
			break;
	}
	if (b->len)
		out = mg_charset_to_utf8(b->str, b->len, charset && *charset ? charset : NULL, NULL);
	else if ((v = params_get(ps, name)) != NULL)
		out = mg_hdrenc_decode_raw(v); /* RFC 2047 in quotes, or raw 8-bit */
	g_string_free(b, TRUE);
	g_free(charset);
	g_free(key);
	return out;
}

static char *header_param(GMimeObject *obj, const char *header, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, header) : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!raw)
		return NULL;
	GPtrArray *ps = params_parse(raw);
	char *v = param_decode(ps, name);
	params_free(ps);
	return v;
}

/* Control characters and bidirectional formatting characters (U+202E
 * turns "txt.exe" into "exe.txt" on screen) become '_'. */
static char *name_clean(const char *v)
{
	GString *g = g_string_sized_new(strlen(v));
	for (const char *p = v; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gboolean bad = c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x061C || c == 0x200E ||
			       c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
		if (bad)
			g_string_append_c(g, '_');
		else
			g_string_append_unichar(g, c);
	}
	return g_string_free(g, FALSE);
}

char *mg_mime_part_filename(GMimePart *part)
{
	char *v = header_param(GMIME_OBJECT(part), "Content-Disposition", "filename");
	if (!v || !*v) {
		g_free(v);
		v = header_param(GMIME_OBJECT(part), "Content-Type", "name");
	}
	if (!v)
		return NULL;
	char *clean = name_clean(v);
	g_free(v);
	v = g_strstrip(mg_charset_nfc(clean));
	g_free(clean);
	if (!*v) {
		g_free(v);
		return NULL;
	}
	return v;
}
