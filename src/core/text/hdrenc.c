/*
 * hdrenc.c - see mg_hdrenc.h: field kinds, decoding, unstructured text.
 *
 * Why a hand-written RFC 2047 codec: GMime decodes encoded words with
 * iconv by the declared label, so it inherits glibc's ISO-2022-JP gap (no
 * NEC/IBM rows) and cannot detect a wrong label; and its encoder cuts
 * words inside characters and folds past 998 bytes (issue 13).  The word
 * syntax itself is small.
 */
#include "config.h"

#include <string.h>

#include "hdrenc_priv.h"
#include "mg_charset.h"
#include "mg_hdrenc.h"

/* ---- field kinds ---- */

static gboolean name_in(const char *name, const char *const *list)
{
	for (gsize i = 0; list[i]; i++) {
		gsize n = strlen(list[i]);
		gboolean prefix = list[i][n - 1] == '*';
		if (prefix ? g_ascii_strncasecmp(name, list[i], n - 1) == 0 : g_ascii_strcasecmp(name, list[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

enum mg_hdrenc_kind mg_hdrenc_kind_of(const char *name)
{
	static const char *const address[] = {"From",
					      "To",
					      "Cc",
					      "Bcc",
					      "Reply-To",
					      "Sender",
					      "Resent-From",
					      "Resent-To",
					      "Resent-Cc",
					      "Resent-Bcc",
					      "Resent-Sender",
					      "Disposition-Notification-To",
					      "Return-Receipt-To",
					      "Errors-To",
					      "Mail-Followup-To",
					      "Mail-Reply-To",
					      NULL};
	static const char *const opaque[] = {"Received",
					     "Return-Path",
					     "Message-ID",
					     "In-Reply-To",
					     "References",
					     "Resent-Message-ID",
					     "Date",
					     "Resent-Date",
					     "DKIM-*",
					     "DomainKey-*",
					     "ARC-*",
					     "Authentication-Results",
					     "Received-SPF",
					     "X-Google-DKIM-*",
					     "List-*",
					     "Content-*",
					     "MIME-Version",
					     "X-Mugaika-*",
					     "Thread-Index",
					     "Autocrypt*",
					     "X-MS-Exchange-*",
					     "X-Received",
					     NULL};
	if (name_in(name, address))
		return MG_HDRENC_ADDRESS;
	if (name_in(name, opaque))
		return MG_HDRENC_OPAQUE;
	return MG_HDRENC_TEXT;
}

/* ---- decoding ---- */

struct ew {
	char *charset; /* NULL: no word pending */
	GByteArray *bytes;
};

static GByteArray *ew_decode_text(char enc, const char *p, gsize n)
{
	GByteArray *b = g_byte_array_new();
	if (enc == 'B' || enc == 'b') {
		guchar *buf = g_malloc(n / 4 * 3 + 4);
		gint state = 0;
		guint save = 0;
		gsize got = g_base64_decode_step(p, n, buf, &state, &save);
		g_byte_array_append(b, buf, (guint)got);
		g_free(buf);
		return b;
	}
	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)p[i];
		if (c == '_')
			c = ' ';
		else if (c == '=' && i + 2 < n && g_ascii_isxdigit(p[i + 1]) && g_ascii_isxdigit(p[i + 2])) {
			c = (guchar)(g_ascii_xdigit_value(p[i + 1]) * 16 + g_ascii_xdigit_value(p[i + 2]));
			i += 2;
		}
		g_byte_array_append(b, &c, 1);
	}
	return b;
}

gsize mg_hdrenc_ew_parse(const char *p, char **charset, GByteArray **bytes)
{
	if (p[0] != '=' || p[1] != '?')
		return 0;
	const char *cs = p + 2, *q1 = strchr(cs, '?');
	if (!q1 || q1 == cs || q1[1] == '\0' || q1[2] != '?' || !strchr("BbQq", q1[1]))
		return 0;
	const char *text = q1 + 3, *end = strstr(text, "?=");
	if (!end)
		return 0;
	for (const char *c = cs; c < end; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
			return 0;
	char *label = g_strndup(cs, (gsize)(q1 - cs));
	char *star = strchr(label, '*'); /* RFC 2231 language suffix */
	if (star)
		*star = '\0';
	*charset = label;
	*bytes = ew_decode_text(q1[1], text, (gsize)(end - text));
	return (gsize)(end + 2 - p);
}

static void ew_flush(GString *out, struct ew *cur)
{
	if (!cur->bytes)
		return;
	char *u = mg_charset_to_utf8((const char *)cur->bytes->data, cur->bytes->len, cur->charset, NULL);
	g_string_append(out, u);
	g_free(u);
	g_byte_array_unref(cur->bytes);
	g_free(cur->charset);
	cur->bytes = NULL;
	cur->charset = NULL;
}

/* Append a run of plain text (unfolded), decoding raw 8-bit bytes and raw
 * ISO-2022-JP. */
static void plain_append(GString *out, const char *p, gsize n)
{
	GString *run = g_string_sized_new(n);
	for (gsize i = 0; i < n; i++)
		if (p[i] != '\n' && p[i] != '\r')
			g_string_append_c(run, p[i]);
	char *u = mg_charset_to_utf8(run->str, run->len, NULL, NULL);
	g_string_append(out, u);
	g_free(u);
	g_string_free(run, TRUE);
}

static gboolean only_space(const char *s, const char *e)
{
	for (; s < e; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return FALSE;
	return TRUE;
}

char *mg_hdrenc_decode_raw(const char *raw)
{
	GString *out = g_string_new(NULL);
	struct ew cur = {NULL, NULL};
	const char *p = raw, *plain = raw;
	while (*p) {
		struct ew w = {NULL, NULL};
		gsize n = mg_hdrenc_ew_parse(p, &w.charset, &w.bytes);
		if (!n) {
			p++;
			continue;
		}
		if (!(cur.bytes && only_space(plain, p))) { /* whitespace between words is dropped */
			ew_flush(out, &cur);
			plain_append(out, plain, (gsize)(p - plain));
		}
		if (cur.bytes && g_ascii_strcasecmp(cur.charset, w.charset) == 0) {
			g_byte_array_append(cur.bytes, w.bytes->data, w.bytes->len);
			g_byte_array_unref(w.bytes);
			g_free(w.charset);
		} else {
			ew_flush(out, &cur);
			cur = w;
		}
		p += n;
		plain = p;
	}
	ew_flush(out, &cur);
	plain_append(out, plain, (gsize)(p - plain));
	return g_string_free(out, FALSE);
}

char *mg_hdrenc_strip_controls(const char *utf8)
{
	GString *g = g_string_sized_new(strlen(utf8));
	for (const char *p = utf8; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\t')
			g_string_append_c(g, ' ');
		else if (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0))
			g_string_append_unichar(g, c);
	}
	return g_string_free(g, FALSE);
}

char *mg_hdrenc_decode(const char *raw)
{
	char *words = mg_hdrenc_decode_raw(raw);
	char *clean = mg_hdrenc_strip_controls(words);
	g_free(words);
	return g_strstrip(clean);
}

/* ---- folding and words ---- */

void mg_hdrenc_fold_init(struct mg_hdrenc_fold *f, const char *name)
{
	f->out = g_string_new(NULL);
	f->line = strlen(name) + 2; /* "Name: " */
	f->start = f->line;
}

void mg_hdrenc_put(struct mg_hdrenc_fold *f, const char *ws, const char *item)
{
	gsize w = strlen(ws), n = strlen(item);
	if (w && f->line > f->start && f->line + w + n > MG_HDRENC_LINE) {
		g_string_append_c(f->out, '\n');
		f->line = 0;
	}
	g_string_append(f->out, ws);
	g_string_append(f->out, item);
	f->line += w + n;
}

static GString *word_of(const char *text, gsize n, enum mg_hdrenc_cs cs)
{
	char *chunk = g_strndup(text, n);
	GString *w = g_string_new(cs == MG_HDRENC_JIS ? "=?ISO-2022-JP?B?" : "=?UTF-8?B?");
	gsize len = n;
	char *data = cs == MG_HDRENC_JIS ? mg_charset_to_iso2022jp(chunk, &len) : g_strdup(chunk);
	char *b64 = g_base64_encode((const guchar *)data, len);
	g_string_append(w, b64);
	g_string_append(w, "?=");
	g_free(b64);
	g_free(data);
	g_free(chunk);
	return w;
}

GString *mg_hdrenc_word_fit(const char *text, gsize max, enum mg_hdrenc_cs cs, gsize *used)
{
	GString *best = NULL;
	*used = 0;
	for (const char *e = g_utf8_next_char(text);; e = g_utf8_next_char(e)) {
		GString *w = word_of(text, (gsize)(e - text), cs);
		if (w->len > max) {
			g_string_free(w, TRUE);
			break;
		}
		if (best)
			g_string_free(best, TRUE);
		best = w;
		*used = (gsize)(e - text);
		if (!*e)
			break;
	}
	return best;
}

void mg_hdrenc_put_words(struct mg_hdrenc_fold *f, const char *ws, const char *text, enum mg_hdrenc_cs cs)
{
	const char *sep = ws;
	while (*text) {
		gsize room = MG_HDRENC_LINE > f->line + strlen(sep) ? MG_HDRENC_LINE - f->line - strlen(sep) : 0,
		      used = 0;
		GString *w = mg_hdrenc_word_fit(text, MIN(room, (gsize)MG_HDRENC_WORD), cs, &used);
		if (!w && f->line > f->start) { /* no room left on this line: fold */
			g_string_append_printf(f->out, "\n%s", *sep ? sep : " ");
			f->line = *sep ? strlen(sep) : 1;
			sep = "";
			continue;
		}
		if (!w) /* a line too short for one character cannot happen (room >= 40) */
			w = mg_hdrenc_word_fit(text, MG_HDRENC_WORD, cs, &used);
		mg_hdrenc_put(f, sep, w->str);
		g_string_free(w, TRUE);
		text += used;
		sep = " ";
	}
}

/* Printable ASCII that reads the same unencoded, and fits a line. */
static gboolean plain_token(const char *t, gsize n)
{
	if (n > 70)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if ((guchar)t[i] < 0x21 || (guchar)t[i] > 0x7E || (t[i] == '=' && i + 1 < n && t[i + 1] == '?'))
			return FALSE;
	return TRUE;
}

void mg_hdrenc_put_text(struct mg_hdrenc_fold *f, const char *text, enum mg_hdrenc_cs cs)
{
	GString *run = g_string_new(NULL);
	char *run_ws = NULL;
	for (const char *p = text; *p;) {
		gsize w = strspn(p, " \t"), n = strcspn(p + w, " \t");
		/* a run of whitespace stays as sent, up to a point: a line holds it */
		char *ws = w > 16 ? g_strdup(" ") : g_strndup(p, w), *tok = g_strndup(p + w, n);
		if (!n) { /* trailing whitespace */
		} else if (plain_token(tok, n)) {
			if (run->len)
				mg_hdrenc_put_words(f, run_ws, run->str, cs);
			g_string_truncate(run, 0);
			mg_hdrenc_put(f, ws, tok);
		} else if (run->len) {
			g_string_append_printf(run, "%s%s", ws, tok);
		} else {
			g_free(run_ws);
			run_ws = g_strdup(ws);
			g_string_append(run, tok);
		}
		g_free(ws);
		g_free(tok);
		p += w + n;
	}
	if (run->len)
		mg_hdrenc_put_words(f, run_ws, run->str, cs);
	g_string_free(run, TRUE);
	g_free(run_ws);
}

enum mg_hdrenc_cs mg_hdrenc_cs_for(const char *text, enum mg_hdrenc_cs cs)
{
	return cs == MG_HDRENC_JIS && mg_charset_jis_fits(text) ? MG_HDRENC_JIS : MG_HDRENC_UTF8;
}

char *mg_hdrenc_encode_text(const char *name, const char *utf8, enum mg_hdrenc_cs cs)
{
	struct mg_hdrenc_fold f;
	char *text = g_strstrip(mg_hdrenc_strip_controls(utf8));
	mg_hdrenc_fold_init(&f, name);
	mg_hdrenc_put_text(&f, text, mg_hdrenc_cs_for(text, cs));
	g_free(text);
	return g_string_free(f.out, FALSE);
}

/* ---- which fields need work ---- */

/* Raw 8-bit or control bytes, a possible encoded word, or a line that is
 * too long and has a place to fold. */
static gboolean needs_work(const char *name, const char *raw)
{
	gsize line = strlen(name) + 2;
	gboolean fold_spot = FALSE;
	for (const guchar *p = (const guchar *)raw; *p; p++) {
		if (*p >= 0x80 || (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7F)
			return TRUE;
		if (p[0] == '=' && p[1] == '?')
			return TRUE;
		if (*p == '\n') {
			line = 0;
			fold_spot = FALSE;
			continue;
		}
		fold_spot |= (*p == ' ' || *p == '\t') && line > 1;
		if (++line > 998 || (line > MG_HDRENC_LINE && fold_spot))
			return TRUE;
	}
	return FALSE;
}

static gboolean same_value(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (*a == '\r')
			a++;
		while (*b == '\r')
			b++;
		if (*a != *b)
			return FALSE;
		if (!*a)
			return TRUE;
	}
}

char *mg_hdrenc_field(const char *name, const char *raw, enum mg_hdrenc_cs cs)
{
	const char *v = raw + strspn(raw, " \t");
	enum mg_hdrenc_kind kind = mg_hdrenc_kind_of(name);
	char *out = NULL;
	if (kind == MG_HDRENC_OPAQUE)
		return mg_hdrenc_opaque(name, v);
	if (!needs_work(name, v))
		return NULL;
	if (kind == MG_HDRENC_ADDRESS) {
		out = mg_hdrenc_encode_addresses(name, v, cs);
	} else {
		char *text = mg_hdrenc_decode(v);
		out = mg_hdrenc_encode_text(name, text, cs);
		g_free(text);
	}
	if (out && same_value(out, v)) {
		g_free(out);
		out = NULL;
	}
	return out;
}
