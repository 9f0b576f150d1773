/*
 * charset_jis.c - ISO-2022-JP in both directions with Microsoft's
 * CP50220/CP50221 semantics, and the name normalisation (see mg_charset.h).
 *
 * Why hand-written: glibc iconv's ISO-2022-JP is strict JIS X 0208 and
 * rejects NEC row 13 (①, ㈱, Ⅲ) and the NEC-selected IBM extensions
 * (髙, 﨑) that Windows mailers send as ISO-2022-JP; no library on Debian
 * ships CP50220.  Both directions go through CP932 (Shift_JIS), which iconv
 * has: a JIS pair maps to CP932 with the arithmetic of JIS X 0208 Annex 1,
 * which lands row 13 on 0x87xx and rows 89-92 on 0xED/0xEE exactly as CP932
 * has them.  The encoder moves the IBM extensions (0xFA-0xFC, which no JIS
 * row can carry) to their NEC-selected twins, as CP50220 does.
 *
 * Decoder states: ASCII (ESC ( B), JIS-Roman (ESC ( J, where 0x5C is ¥
 * and 0x7E is ‾, as the WHATWG Encoding Standard and the sender's screen
 * read them), half-width katakana (ESC ( I, or SO/SI of CP50222), JIS X
 * 0208 (ESC $ @, ESC $ B).  Designations of other character sets hand the
 * text to iconv's ISO-2022-JP-2/-3.  The encoder writes half-width katakana
 * with ESC ( I (CP50221; read by every Japanese client and by the WHATWG
 * decoder) rather than widening them, so that no text changes.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "charset_priv.h"
#include "mg_charset.h"

enum jis_state { JIS_ASCII, JIS_ROMAN, JIS_KANJI, JIS_KANA };

/* ---- decoding ---- */

struct jis_dec {
	GString *out;  /* UTF-8 */
	GString *sjis; /* pending CP932 bytes */
	gint64 bad;
	enum jis_state st, saved;
};

static void jis_flush(struct jis_dec *d)
{
	if (d->sjis->len)
		d->bad += mg_charset_decode_with(d->sjis->str, d->sjis->len, "CP932", d->out);
	g_string_truncate(d->sjis, 0);
}

static void jis_bad(struct jis_dec *d)
{
	jis_flush(d);
	g_string_append(d->out, MG_CHARSET_REPLACEMENT);
	d->bad++;
}

/* Parse an escape sequence at p; returns its length, 0 for one that
 * needs another converter, or -1 for an unknown one (skipped as ESC). */
static int jis_escape(struct jis_dec *d, const guchar *p, gsize left)
{
	static const struct {
		const char *seq;
		int st; /* -1: other charset (ISO-2022-JP-2/-3), -2: ignore */
	} esc[] = {
		{"(B", JIS_ASCII}, {"(J", JIS_ROMAN},  {"(H", JIS_ROMAN},  {"(I", JIS_KANA}, {"$@", JIS_KANJI},
		{"$B", JIS_KANJI}, {"$(B", JIS_KANJI}, {"$(@", JIS_KANJI}, {"&@", -2},       {"$(D", -1},
		{"$A", -1},        {"$(C", -1},        {".A", -1},         {".F", -1},       {"N", -1},
		{"$(Q", -1},       {"$(O", -1},        {"$(P", -1},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(esc); i++) {
		gsize n = strlen(esc[i].seq);
		if (left < n + 1 || memcmp(p + 1, esc[i].seq, n) != 0)
			continue;
		if (esc[i].st == -1)
			return 0;
		if (esc[i].st >= 0)
			d->st = (enum jis_state)esc[i].st;
		return (int)n + 1;
	}
	return -1;
}

void mg_charset_jis_pair_to_sjis(guchar j1, guchar j2, guchar s[2])
{
	int s1 = ((j1 - 0x21) >> 1) + 0x81;
	s[0] = (guchar)(s1 > 0x9F ? s1 + 0x40 : s1);
	if (j1 & 1)
		s[1] = (guchar)(j2 + (j2 < 0x60 ? 0x1F : 0x20));
	else
		s[1] = (guchar)(j2 + 0x7E);
}

static gsize jis_kanji(struct jis_dec *d, const guchar *p, gsize left)
{
	if (p[0] < 0x21 || p[0] > 0x7E) { /* controls and space pass, lenient */
		g_string_append_c(d->sjis, (char)p[0]);
		return 1;
	}
	if (left < 2 || p[1] < 0x21 || p[1] > 0x7E) {
		jis_bad(d);
		return 1;
	}
	guchar s[2];
	mg_charset_jis_pair_to_sjis(p[0], p[1], s);
	g_string_append_len(d->sjis, (const char *)s, 2);
	return 2;
}

static gsize jis_byte(struct jis_dec *d, const guchar *p, gsize left)
{
	guchar c = p[0];
	if (c == '\n' || c == '\r') /* lines end in ASCII; forgive a missing ESC ( B */
		d->st = JIS_ASCII;
	if (c == 0x0E || c == 0x0F) { /* SO/SI: half-width katakana (CP50222) */
		if (c == 0x0E && d->st != JIS_KANA)
			d->saved = d->st;
		d->st = c == 0x0E ? JIS_KANA : d->saved;
		return 1;
	}
	if (c >= 0x80) { /* 8-bit: JIS8 katakana or stray CP932, passed to CP932 */
		g_string_append_c(d->sjis, (char)c);
		return 1;
	}
	if (d->st == JIS_KANJI)
		return jis_kanji(d, p, left);
	if (d->st == JIS_ROMAN && (c == 0x5C || c == 0x7E)) {
		jis_flush(d);
		g_string_append(d->out, c == 0x5C ? "\xc2\xa5" : "\xe2\x80\xbe"); /* ¥ ‾ */
		return 1;
	}
	if (d->st == JIS_KANA && c >= 0x21 && c <= 0x5F)
		c = (guchar)(c + 0x80);
	g_string_append_c(d->sjis, (char)c);
	return 1;
}

gboolean mg_charset_jis_decode(const char *in, gsize len, GString *out, gint64 *bad)
{
	struct jis_dec d = {g_string_new(NULL), g_string_new(NULL), 0, JIS_ASCII, JIS_ASCII};
	const guchar *p = (const guchar *)in;
	gboolean ok = TRUE;
	for (gsize i = 0; i < len;) {
		if (p[i] != 0x1B) {
			i += jis_byte(&d, p + i, len - i);
			continue;
		}
		jis_flush(&d);
		int n = jis_escape(&d, p + i, len - i);
		if (n == 0) {
			ok = FALSE;
			goto done;
		}
		if (n < 0)
			jis_bad(&d);
		i += n < 0 ? 1 : (gsize)n;
	}
	jis_flush(&d);
	g_string_append_len(out, d.out->str, (gssize)d.out->len);
	*bad = d.bad;
done:
	g_string_free(d.out, TRUE);
	g_string_free(d.sjis, TRUE);
	return ok;
}

/* ---- encoding ---- */

static void jis_switch(GString *out, enum jis_state *st, enum jis_state to)
{
	static const char *const esc[] = {"\x1b(B", "\x1b(J", "\x1b$B", "\x1b(I"};
	if (*st != to)
		g_string_append(out, esc[to]);
	*st = to;
}

/* Position of trail byte t among the 188 trail bytes 0x40..0xFC (no 0x7F). */
static int trail_index(guchar t)
{
	return t - 0x40 - (t > 0x7F);
}

/* CP932 code of one of the IBM extensions (0xFA40..0xFC4B) moved to the
 * NEC rows ISO-2022-JP can carry: FA40..FA5B by table, the 360 kanji
 * FA5C..FC4B in order onto ED40..EEEC (the NEC-selected copy).  FALSE for
 * codes no JIS row holds (user-defined area 0xF0..0xF9). */
static gboolean sjis_jis_capable(guchar s[2])
{
	static const guint16 fa40[28] = {
		0xEEEF, 0xEEF0, 0xEEF1, 0xEEF2, 0xEEF3, 0xEEF4, 0xEEF5, 0xEEF6, 0xEEF7, 0xEEF8,
		0x8754, 0x8755, 0x8756, 0x8757, 0x8758, 0x8759, 0x875A, 0x875B, 0x875C, 0x875D,
		0x81CA, 0xEEFA, 0xEEFB, 0xEEFC, 0x878A, 0x8782, 0x8784, 0x81E6,
	};
	if (s[0] >= 0xF0 && s[0] <= 0xF9)
		return FALSE;
	if (s[0] < 0xFA)
		return TRUE;
	int idx = (s[0] - 0xFA) * 188 + trail_index(s[1]);
	if (idx < 28) {
		s[0] = (guchar)(fa40[idx] >> 8);
		s[1] = (guchar)(fa40[idx] & 0xFF);
		return TRUE;
	}
	idx -= 28;
	if (idx >= 360)
		return FALSE;
	int r = idx % 188;
	s[0] = (guchar)(0xED + idx / 188);
	s[1] = (guchar)(0x40 + r + (r >= 0x3F));
	return TRUE;
}

static void sjis_to_jis(const guchar s[2], guchar j[2])
{
	int row = (s[0] < 0xA0 ? s[0] - 0x81 : s[0] - 0xC1) * 2 + 0x21;
	if (s[1] >= 0x9F) {
		j[0] = (guchar)(row + 1);
		j[1] = (guchar)(s[1] - 0x7E);
	} else {
		j[0] = (guchar)row;
		j[1] = (guchar)(s[1] - (s[1] < 0x80 ? 0x1F : 0x20));
	}
}

/* A run of JIS X 0208 characters (valid UTF-8, JIS meaning of the wave
 * dash family) as ESC $ B pairs; FALSE when one does not fit. */
static gboolean jis_kanji_run(GIConv cd, const char *run, gsize n, GString *out, enum jis_state *st)
{
	GString *u = g_string_sized_new(n);
	mg_charset_trap_replace(u, run, n, 1, 0);
	gsize cap = u->len * 2 + 4, olen = cap;
	char *buf = g_malloc(cap), *ip = u->str, *op = buf;
	gsize il = u->len;
	gboolean ok = g_iconv(cd, &ip, &il, &op, &olen) != (gsize)-1 && il == 0;
	gsize got = cap - olen;
	jis_switch(out, st, JIS_KANJI);
	for (gsize i = 0; ok && i < got; i += 2) {
		guchar s[2] = {(guchar)buf[i], i + 1 < got ? (guchar)buf[i + 1] : 0}, j[2];
		ok = s[0] >= 0x81 && i + 1 < got && sjis_jis_capable(s);
		if (ok) {
			sjis_to_jis(s, j);
			g_string_append_len(out, (const char *)j, 2);
		}
	}
	g_free(buf);
	g_string_free(u, TRUE);
	return ok;
}

static gboolean is_kanji_class(gunichar c)
{
	return c >= 0x80 && c != 0xA5 && c != 0x203E && !(c >= 0xFF61 && c <= 0xFF9F);
}

/* One character outside the JIS X 0208 class. */
static void jis_single(GString *out, enum jis_state *st, gunichar c)
{
	if (c < 0x80) { /* JIS-Roman is ASCII but for 0x5C and 0x7E; lines end in ASCII */
		gboolean roman = *st == JIS_ROMAN && c != 0x5C && c != 0x7E && c != '\n' && c != '\r';
		jis_switch(out, st, roman ? JIS_ROMAN : JIS_ASCII);
		g_string_append_c(out, (char)c);
	} else if (c == 0xA5 || c == 0x203E) {
		jis_switch(out, st, JIS_ROMAN);
		g_string_append_c(out, c == 0xA5 ? 0x5C : 0x7E);
	} else {
		jis_switch(out, st, JIS_KANA);
		g_string_append_c(out, (char)(c - 0xFF61 + 0x21));
	}
}

char *mg_charset_to_iso2022jp(const char *utf8, gsize *out_len)
{
	GIConv cd = g_iconv_open("CP932", "UTF-8");
	if (cd == (GIConv)-1)
		return NULL;
	GString *out = g_string_sized_new(strlen(utf8) + 16);
	enum jis_state st = JIS_ASCII;
	gboolean ok = TRUE;
	for (const char *p = utf8; ok && *p;) {
		const char *q = p;
		while (*q && is_kanji_class(g_utf8_get_char(q)))
			q = g_utf8_next_char(q);
		if (q > p) {
			ok = jis_kanji_run(cd, p, (gsize)(q - p), out, &st);
			p = q;
			continue;
		}
		jis_single(out, &st, g_utf8_get_char(p));
		p = g_utf8_next_char(p);
	}
	jis_switch(out, &st, JIS_ASCII);
	g_iconv_close(cd);
	if (!ok) {
		g_string_free(out, TRUE);
		return NULL;
	}
	if (out_len)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}

gboolean mg_charset_jis_fits(const char *utf8)
{
	char *j = mg_charset_to_iso2022jp(utf8, NULL);
	g_free(j);
	return j != NULL;
}

/* ---- names ---- */

static gboolean is_compat_ideograph(gunichar c)
{
	return (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

char *mg_charset_nfc(const char *utf8)
{
	GString *out = g_string_sized_new(strlen(utf8));
	const char *p = utf8;
	while (*p) {
		const char *q = p;
		while (*q && !is_compat_ideograph(g_utf8_get_char(q)))
			q = g_utf8_next_char(q);
		char *n = q > p ? g_utf8_normalize(p, q - p, G_NORMALIZE_NFC) : NULL;
		if (n)
			g_string_append(out, n);
		g_free(n);
		if (*q) { /* 﨑 U+FA11 stays 﨑; NFC would keep it, but 塚 U+FA10 would become 塚 */
			const char *e = g_utf8_next_char(q);
			g_string_append_len(out, q, e - q);
			q = e;
		}
		p = q;
	}
	return g_string_free(out, FALSE);
}
