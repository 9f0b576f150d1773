/*
 * charset.c - see mg_charset.h.
 *
 * Decoding goes through glibc iconv (GIConv) in a lenient loop that turns
 * each undecodable byte into U+FFFD and counts it; the count drives the
 * detection of mislabelled text.
 *
 * Why a hand-written ISO-2022-JP decoder: glibc iconv's ISO-2022-JP is
 * strict JIS X 0208 and rejects NEC row 13 (①, ㈱, Ⅲ) and the NEC-selected
 * IBM extensions (髙, 﨑) that Windows mailers send as ISO-2022-JP
 * (Microsoft's CP50220/CP50221); no library on Debian ships CP50220.  The
 * escape-sequence state machine below maps each JIS pair to its CP932
 * (Shift_JIS) code with the arithmetic of JIS X 0208 Annex 1, which lands
 * row 13 on 0x87xx and rows 89-92 on 0xED/0xEE exactly as CP932 has them,
 * and lets iconv's CP932 do the table work.  Designations it does not
 * know (ISO-2022-JP-2/-3 character sets) hand the text to iconv's
 * ISO-2022-JP-2 / ISO-2022-JP-3 instead.
 *
 * Why a hand-written RFC 2047 decoder: GMime decodes encoded words with
 * iconv by the declared label, so it inherits the ISO-2022-JP gap above
 * and cannot detect a wrong label; the word syntax itself is trivial.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mg_charset.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* Set when iconv itself failed on this thread (no memory, no descriptors):
 * not an unknown charset or a bad byte, but a conversion that did not run
 * (issue 11; read by mg_charset_to_utf8_checked). */
static _Thread_local gboolean iconv_failed;

/* iconv_open / iconv errno that is iconv's failure, not the text's. */
static gboolean iconv_own_failure(int e)
{
	return e != EINVAL && e != EILSEQ && e != E2BIG;
}

/* iconv `len` bytes from `from` into out (UTF-8); each bad byte becomes
 * U+FFFD.  Returns the number of bad bytes, or -1 if `from` is unknown. */
static gint64 iconv_lenient(const char *in, gsize len, const char *from, GString *out)
{
	if (g_ascii_strcasecmp(from, "UTF-8") == 0 && g_utf8_validate_len(in, len, NULL)) {
		g_string_append_len(out, in, (gssize)len); /* what iconv would copy, at memcpy speed */
		return 0;
	}
	errno = 0;
	GIConv cd = g_iconv_open("UTF-8", from);
	if (cd == (GIConv)-1) {
		if (errno && iconv_own_failure(errno))
			iconv_failed = TRUE;
		return -1;
	}
	gint64 bad = 0;
	char buf[4096];
	char *ip = (char *)in;
	gsize il = len;
	while (il > 0) {
		char *op = buf;
		gsize ol = sizeof buf;
		gsize r = g_iconv(cd, &ip, &il, &op, &ol);
		g_string_append_len(out, buf, (gssize)(op - buf));
		if (r == (gsize)-1 && iconv_own_failure(errno)) {
			iconv_failed = TRUE;
			break;
		}
		if (r == (gsize)-1 && errno != E2BIG) { /* EILSEQ or EINVAL: skip one byte */
			g_string_append(out, REPLACEMENT);
			bad++;
			ip++;
			il--;
			g_iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	char *op = buf;
	gsize ol = sizeof buf;
	g_iconv(cd, NULL, NULL, &op, &ol);
	g_string_append_len(out, buf, (gssize)(op - buf));
	g_iconv_close(cd);
	return bad;
}

/* CP932's Unicode for the six JIS X 0208 characters it maps differently,
 * and the JIS X 0208 meaning we deliver (see mg_charset.h). */
static const gunichar jis_traps[][2] = {
	{0xFF5E, 0x301C}, /* 0x2141 WAVE DASH */
	{0x2225, 0x2016}, /* 0x2142 DOUBLE VERTICAL LINE */
	{0xFF0D, 0x2212}, /* 0x215D MINUS SIGN */
	{0xFFE0, 0x00A2}, /* 0x2171 CENT SIGN */
	{0xFFE1, 0x00A3}, /* 0x2172 POUND SIGN */
	{0xFFE2, 0x00AC}, /* 0x224C NOT SIGN */
};

static gunichar trap_map(gunichar c, int from, int to)
{
	for (gsize i = 0; i < G_N_ELEMENTS(jis_traps); i++)
		if (jis_traps[i][from] == c)
			return jis_traps[i][to];
	return c;
}

/* Append valid UTF-8 s to g, trap characters mapped (from column -> to). */
static void trap_replace(GString *g, const char *s, gsize len, int from, int to)
{
	for (const char *p = s; p < s + len; p = g_utf8_next_char(p))
		g_string_append_unichar(g, trap_map(g_utf8_get_char(p), from, to));
}

/* Decode with iconv; CP932-family output gets the JIS meaning back. */
static gint64 decode_with(const char *in, gsize len, const char *cs, GString *out)
{
	GString *tmp = g_string_new(NULL);
	gint64 bad = iconv_lenient(in, len, cs, tmp);
	if (bad >= 0 && (g_str_equal(cs, "CP932") || g_str_equal(cs, "EUC-JP-MS")))
		trap_replace(out, tmp->str, tmp->len, 0, 1);
	else if (bad >= 0) {
		g_string_append_len(out, tmp->str, (gssize)tmp->len);
	}
	g_string_free(tmp, TRUE);
	return bad;
}

/* ---- ISO-2022-JP (CP50220/CP50221 semantics) ---- */

enum jis_state { JIS_ASCII, JIS_KANJI, JIS_KANA };

struct jis_dec {
	GString *out;  /* UTF-8 */
	GString *sjis; /* pending CP932 bytes */
	gint64 bad;
	enum jis_state st, saved;
};

static void jis_flush(struct jis_dec *d)
{
	if (d->sjis->len)
		d->bad += decode_with(d->sjis->str, d->sjis->len, "CP932", d->out);
	g_string_truncate(d->sjis, 0);
}

static void jis_bad(struct jis_dec *d)
{
	jis_flush(d);
	g_string_append(d->out, REPLACEMENT);
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
		{"(B", JIS_ASCII}, {"(J", JIS_ASCII},  {"(H", JIS_ASCII},  {"(I", JIS_KANA}, {"$@", JIS_KANJI},
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

/* JIS X 0208 row/cell (0x21..0x7E each) to Shift_JIS / CP932 bytes. */
static void jis_to_sjis(guchar j1, guchar j2, guchar s[2])
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
	jis_to_sjis(p[0], p[1], s);
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
	if (d->st == JIS_KANA && c >= 0x21 && c <= 0x5F)
		c = (guchar)(c + 0x80);
	g_string_append_c(d->sjis, (char)c);
	return 1;
}

/* FALSE: the text needs ISO-2022-JP-2/-3 (out untouched). */
static gboolean iso2022jp_decode(const char *in, gsize len, GString *out, gint64 *bad)
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

/* ---- labels and detection ---- */

enum cs_kind { CS_UNKNOWN, CS_ASCII, CS_UTF8, CS_JIS, CS_SJIS, CS_EUC, CS_OTHER };

static enum cs_kind cs_classify(const char *label)
{
	static const struct {
		const char *name;
		enum cs_kind kind;
	} names[] = {
		{"us-ascii", CS_ASCII},    {"ascii", CS_ASCII},       {"ansi_x3.4-1968", CS_ASCII},
		{"iso646-us", CS_ASCII},   {"utf-8", CS_UTF8},        {"utf8", CS_UTF8},
		{"iso-2022-jp", CS_JIS},   {"csiso2022jp", CS_JIS},   {"iso-2022-jp-ms", CS_JIS},
		{"cp50220", CS_JIS},       {"cp50221", CS_JIS},       {"cp50222", CS_JIS},
		{"iso-2022-jp-1", CS_JIS}, {"iso-2022-jp-2", CS_JIS}, {"iso-2022-jp-3", CS_JIS},
		{"csiso2022jp2", CS_JIS},  {"shift_jis", CS_SJIS},    {"shift-jis", CS_SJIS},
		{"sjis", CS_SJIS},         {"x-sjis", CS_SJIS},       {"ms_kanji", CS_SJIS},
		{"csshiftjis", CS_SJIS},   {"windows-31j", CS_SJIS},  {"cp932", CS_SJIS},
		{"ms932", CS_SJIS},        {"x-ms-cp932", CS_SJIS},   {"shift_jisx0213", CS_SJIS},
		{"euc-jp", CS_EUC},        {"x-euc-jp", CS_EUC},      {"eucjp", CS_EUC},
		{"euc-jp-ms", CS_EUC},     {"ujis", CS_EUC},          {"cseucpkdfmtjapanese", CS_EUC},
	};
	if (!label || !*label)
		return CS_UNKNOWN;
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(label, names[i].name) == 0)
			return names[i].kind;
	return CS_OTHER;
}

static gboolean has_8bit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return TRUE;
	return FALSE;
}

static gboolean has_jis_escape(const char *s, gsize len)
{
	for (gsize i = 0; i + 2 < len; i++)
		if (s[i] == 0x1B && (s[i + 1] == '$' || (s[i + 1] == '(' && (s[i + 2] == 'I' || s[i + 2] == 'J'))))
			return TRUE;
	return FALSE;
}

/* Does text look like EUC-JP rather than Shift_JIS?  Shift_JIS uses lead
 * bytes 0x81-0x9F for kana and common kanji, which EUC-JP only has as
 * 0x8E/0x8F prefixes. */
static gboolean looks_euc(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)s[i];
		if (c >= 0x80 && c <= 0xA0 && c != 0x8E && c != 0x8F)
			return FALSE;
	}
	return TRUE;
}

/* Decode 8-bit text of unknown charset: UTF-8, CP932, EUC-JP, else
 * windows-1252 (which decodes anything). */
static const char *detect_decode(const char *in, gsize len, GString *out)
{
	if (len >= 2 && ((guchar)in[0] == 0xFF || (guchar)in[0] == 0xFE) && ((guchar)in[1] ^ (guchar)in[0]) == 0x01) {
		if (decode_with(in, len, "UTF-16", out) >= 0)
			return "UTF-16";
	}
	if (g_utf8_validate_len(in, len, NULL)) {
		g_string_append_len(out, in, (gssize)len);
		return has_8bit(in, len) ? "UTF-8" : "US-ASCII";
	}
	GString *sj = g_string_new(NULL), *eu = g_string_new(NULL);
	gint64 bs = decode_with(in, len, "CP932", sj), be = decode_with(in, len, "EUC-JP-MS", eu);
	gboolean euc = be < bs || (be == bs && looks_euc(in, len));
	gint64 best = euc ? be : bs;
	const char *cs = euc ? "EUC-JP" : "SHIFT_JIS";
	guint high = 0;
	for (gsize i = 0; i < len; i++)
		high += (guchar)in[i] >= 0x80;
	if (best * 8 > high) { /* not Japanese: a Latin text */
		cs = "WINDOWS-1252";
		decode_with(in, len, "WINDOWS-1252", out);
	} else {
		g_string_append_len(out, euc ? eu->str : sj->str, (gssize)(euc ? eu->len : sj->len));
	}
	g_string_free(sj, TRUE);
	g_string_free(eu, TRUE);
	return cs;
}

static const char *decode_jis(const char *in, gsize len, const char *label, GString *out)
{
	gint64 bad = 0;
	if (has_8bit(in, len) && !has_jis_escape(in, len))
		return detect_decode(in, len, out); /* Shift_JIS or UTF-8 labelled ISO-2022-JP */
	if (has_8bit(in, len) && g_utf8_validate_len(in, len, NULL))
		return detect_decode(in, len, out);
	if (iso2022jp_decode(in, len, out, &bad))
		return "ISO-2022-JP";
	const char *other = g_ascii_strcasecmp(label, "iso-2022-jp-3") == 0 ? "ISO-2022-JP-3" : "ISO-2022-JP-2";
	decode_with(in, len, other, out);
	return other;
}

/* The iconv name behind a charset name that detection reports. */
static const char *iconv_name(const char *detected)
{
	if (g_str_equal(detected, "SHIFT_JIS"))
		return "CP932";
	if (g_str_equal(detected, "EUC-JP"))
		return "EUC-JP-MS";
	if (g_str_equal(detected, "US-ASCII"))
		return "UTF-8";
	return detected;
}

/* Text whose label fits badly: decode by the label, and if that produced
 * errors while detection decodes cleanly, take detection. */
static const char *decode_checked(const char *in, gsize len, const char *cs, GString *out)
{
	GString *tmp = g_string_new(NULL);
	gint64 bad = decode_with(in, len, cs, tmp);
	if (bad != 0) {
		GString *det = g_string_new(NULL);
		const char *dcs = detect_decode(in, len, det);
		GString *err_free = g_string_new(NULL);
		gboolean clean =
			!g_str_equal(dcs, "WINDOWS-1252") && decode_with(in, len, iconv_name(dcs), err_free) == 0;
		g_string_free(err_free, TRUE);
		if (bad < 0 || clean) {
			g_string_append_len(out, det->str, (gssize)det->len);
			g_string_free(det, TRUE);
			g_string_free(tmp, TRUE);
			return dcs;
		}
		g_string_free(det, TRUE);
	}
	g_string_append_len(out, tmp->str, (gssize)tmp->len);
	g_string_free(tmp, TRUE);
	return cs;
}

char *mg_charset_to_utf8_checked(const char *data, gsize len, const char *declared, char **used, GError **err)
{
	iconv_failed = FALSE;
	char *u = mg_charset_to_utf8(data, len, declared, used);
	if (!iconv_failed)
		return u;
	g_set_error(err, G_CONVERT_ERROR, G_CONVERT_ERROR_FAILED, "iconv failed (%s) while decoding %s text",
		    g_strerror(ENOMEM), declared ? declared : "unlabelled");
	g_free(u);
	if (used)
		g_clear_pointer(used, g_free);
	return NULL;
}

char *mg_charset_to_utf8(const char *data, gsize len, const char *declared, char **used)
{
	GString *out = g_string_sized_new(len + 16);
	const char *cs;
	if (!data) /* an empty GByteArray has no data */
		data = "", len = 0;
	switch (cs_classify(declared)) {
	case CS_JIS: cs = decode_jis(data, len, declared, out); break;
	case CS_SJIS: cs = decode_checked(data, len, "CP932", out); break;
	case CS_EUC: cs = decode_checked(data, len, "EUC-JP-MS", out); break;
	case CS_OTHER: cs = decode_checked(data, len, declared, out); break;
	case CS_UTF8: /* invalid bytes: U+FFFD, unless another charset fits cleanly */
		cs = has_jis_escape(data, len) && !has_8bit(data, len) ? decode_jis(data, len, "iso-2022-jp", out)
								       : decode_checked(data, len, "UTF-8", out);
		break;
	case CS_ASCII:
	case CS_UNKNOWN:
	default:
		cs = has_jis_escape(data, len) && !has_8bit(data, len) ? decode_jis(data, len, "iso-2022-jp", out)
								       : detect_decode(data, len, out);
		break;
	}
	if (used)
		*used = g_ascii_strup(g_str_equal(cs, "CP932") ? "SHIFT_JIS" : cs, -1);
	/* NUL never reaches a mail body; everything else is valid UTF-8 now */
	for (gsize i = 0; i < out->len; i++)
		if (out->str[i] == '\0')
			out->str[i] = ' ';
	/* glibc's UTF-8 decoder passes 5- and 6-byte forms (F8..FD) through
	 * unchanged (found by fuzz/fuzz_charset): the contract is enforced
	 * here, whatever the converter did. */
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL)) {
		char *valid = g_utf8_make_valid(out->str, (gssize)out->len);
		g_string_free(out, TRUE);
		return valid;
	}
	return g_string_free(out, FALSE);
}

/* ---- RFC 2047 ---- */

struct ew {
	char *charset; /* NULL: plain text run */
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

/* Parse "=?cs?e?text?=" at p; on success fills *w and returns its length. */
static gsize ew_parse(const char *p, struct ew *w)
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
		if (*c == ' ' || *c == '\t' || *c == '\n')
			return 0;
	char *label = g_strndup(cs, (gsize)(q1 - cs));
	char *star = strchr(label, '*'); /* RFC 2231 language suffix */
	if (star)
		*star = '\0';
	w->charset = label;
	w->bytes = ew_decode_text(q1[1], text, (gsize)(end - text));
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

/* Append a run of plain text (unfolded), decoding raw 8-bit bytes. */
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

char *mg_charset_decode_header(const char *raw)
{
	GString *out = g_string_new(NULL);
	struct ew cur = {NULL, NULL};
	const char *p = raw, *plain = raw;
	while (*p) {
		struct ew w = {NULL, NULL};
		gsize n = ew_parse(p, &w);
		if (!n) {
			p++;
			continue;
		}
		gboolean only_space = TRUE;
		for (const char *s = plain; s < p; s++)
			only_space = only_space && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r');
		if (!(cur.bytes && only_space)) { /* whitespace between words is dropped */
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

char *mg_charset_to_iso2022jp(const char *utf8, gsize *out_len)
{
	GString *mapped = g_string_new(NULL);
	trap_replace(mapped, utf8, strlen(utf8), 0, 1);
	gsize w = 0;
	char *out = g_convert(mapped->str, (gssize)mapped->len, "ISO-2022-JP", "UTF-8", NULL, &w, NULL);
	g_string_free(mapped, TRUE);
	if (out && out_len)
		*out_len = w;
	return out;
}

/* The decoded UTF-8 text of a text part, read in its labelled charset
 * (a wrong or missing label is detected as in mg_charset_to_utf8). */
char *mg_charset_part_text(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	if (w)
		g_mime_data_wrapper_write_to_stream(w, mem);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
	char *text = mg_charset_to_utf8((const char *)ba->data, ba->len, cs, NULL);
	g_object_unref(mem);
	return text;
}

/* GMime parser options shared by every parse: loose RFC 2047/2231 and
 * address parsing, and the fallback charsets of Japanese mail. */
static GMimeParserOptions *parser_options;
static GOnce parser_once = G_ONCE_INIT;

static gpointer parser_options_init(gpointer unused)
{
	static const char *fallback[] = {"UTF-8", "CP932", "EUC-JP", NULL};
	GMimeParserOptions *o = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	parser_options = o;
	return o;
}

GMimeParserOptions *mg_charset_parser_options(void)
{
	return g_once(&parser_once, parser_options_init, NULL);
}
