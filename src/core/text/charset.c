/*
 * charset.c - see mg_charset.h: any declared (or missing, or wrong)
 * charset to UTF-8.
 *
 * Decoding goes through glibc iconv (GIConv) in a lenient loop that turns
 * each undecodable byte into U+FFFD and counts it.  A label is believed
 * when the bytes decode under it without errors *and* read plausibly:
 * a Latin label (iso-8859-1 and the other single-byte charsets decode any
 * byte) loses to UTF-8 that validates with multi-byte sequences and to
 * Japanese whose byte statistics look like Japanese text (PHP form
 * mailers send Shift_JIS labelled iso-8859-1); a Shift_JIS label loses to
 * EUC-JP that reads far better, and the other way round.  The statistics
 * (jp_stats) sort each Shift_JIS or EUC-JP character by the JIS row it
 * falls in: kana and Japanese punctuation are strong evidence, JIS level-1
 * kanji and NEC row 13 medium, half-width katakana a little, level-2 kanji
 * and the extension rows none, and what no Japanese text holds (user-
 * defined rows, invalid trail bytes) counts heavily against.
 *
 * Like the WHATWG Encoding Standard (what browsers and the sender's
 * screen do), iso-8859-1 and us-ascii labels are read as windows-1252.
 * ISO-2022-JP is in charset_jis.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "charset_priv.h"
#include "mg_charset.h"
#include "mg_hdrenc.h"

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
			g_string_append(out, MG_CHARSET_REPLACEMENT);
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

void mg_charset_trap_replace(GString *g, const char *s, gsize len, int from, int to)
{
	for (const char *p = s; p < s + len; p = g_utf8_next_char(p))
		g_string_append_unichar(g, trap_map(g_utf8_get_char(p), from, to));
}

/* The length of the EUC-JP character at in[i] (1 for a stray byte). */
static gsize euc_char_len(const guchar *in, gsize len, gsize i)
{
	if (in[i] == 0x8F && i + 2 < len)
		return 3;
	if ((in[i] == 0x8E || in[i] >= 0xA1) && i + 1 < len && in[i] != 0xFF)
		return 2;
	return 1;
}

/* EUC-JP as both Unix (eucJP-ms) and Windows (CP51932) write it: rows
 * 89-92 (0xF9A1..0xFCFE) hold the NEC-selected IBM extensions in CP51932
 * and in the WHATWG decoder, while glibc's EUC-JP-MS reads them as private
 * use; those pairs go through CP932 as ISO-2022-JP's do. */
static gint64 decode_euc(const char *in, gsize len, GString *out)
{
	const guchar *u = (const guchar *)in;
	gint64 bad = 0;
	gsize run = 0;
	for (gsize i = 0; i < len;) {
		gsize n = euc_char_len(u, len, i);
		if (!(n == 2 && u[i] >= 0xF9 && u[i] <= 0xFC && u[i + 1] >= 0xA1 && u[i + 1] <= 0xFE)) {
			i += n;
			continue;
		}
		bad += iconv_lenient(in + run, i - run, "EUC-JP-MS", out);
		guchar s[2];
		mg_charset_jis_pair_to_sjis(u[i] & 0x7F, u[i + 1] & 0x7F, s);
		bad += iconv_lenient((const char *)s, 2, "CP932", out);
		i += 2;
		run = i;
	}
	return bad + iconv_lenient(in + run, len - run, "EUC-JP-MS", out);
}

gint64 mg_charset_decode_with(const char *in, gsize len, const char *cs, GString *out)
{
	GString *tmp = g_string_new(NULL);
	gint64 bad = g_str_equal(cs, "EUC-JP-MS") ? decode_euc(in, len, tmp) : iconv_lenient(in, len, cs, tmp);
	if (bad >= 0 && (g_str_equal(cs, "CP932") || g_str_equal(cs, "EUC-JP-MS")))
		mg_charset_trap_replace(out, tmp->str, tmp->len, 0, 1);
	else if (bad >= 0)
		g_string_append_len(out, tmp->str, (gssize)tmp->len);
	g_string_free(tmp, TRUE);
	return bad;
}

/* ---- labels ---- */

enum cs_kind { CS_UNKNOWN, CS_ASCII, CS_UTF8, CS_JIS, CS_SJIS, CS_EUC, CS_LATIN, CS_OTHER };

static const struct {
	const char *name;
	enum cs_kind kind;
} label_names[] = {
	{"us-ascii", CS_ASCII},     {"ascii", CS_ASCII},       {"ansi_x3.4-1968", CS_ASCII},
	{"iso646-us", CS_ASCII},    {"utf-8", CS_UTF8},        {"utf8", CS_UTF8},
	{"iso-2022-jp", CS_JIS},    {"csiso2022jp", CS_JIS},   {"iso-2022-jp-ms", CS_JIS},
	{"cp50220", CS_JIS},        {"cp50221", CS_JIS},       {"cp50222", CS_JIS},
	{"iso-2022-jp-1", CS_JIS},  {"iso-2022-jp-2", CS_JIS}, {"iso-2022-jp-3", CS_JIS},
	{"csiso2022jp2", CS_JIS},   {"shift_jis", CS_SJIS},    {"shift-jis", CS_SJIS},
	{"sjis", CS_SJIS},          {"x-sjis", CS_SJIS},       {"ms_kanji", CS_SJIS},
	{"csshiftjis", CS_SJIS},    {"windows-31j", CS_SJIS},  {"cp932", CS_SJIS},
	{"ms932", CS_SJIS},         {"x-ms-cp932", CS_SJIS},   {"shift_jisx0213", CS_SJIS},
	{"euc-jp", CS_EUC},         {"x-euc-jp", CS_EUC},      {"eucjp", CS_EUC},
	{"euc-jp-ms", CS_EUC},      {"ujis", CS_EUC},          {"cseucpkdfmtjapanese", CS_EUC},
	{"iso-8859-1", CS_LATIN},   {"iso8859-1", CS_LATIN},   {"iso_8859-1", CS_LATIN},
	{"latin1", CS_LATIN},       {"l1", CS_LATIN},          {"cp819", CS_LATIN},
	{"windows-1252", CS_LATIN}, {"cp1252", CS_LATIN},      {"x-cp1252", CS_LATIN},
	{"iso-8859-15", CS_LATIN},  {"latin-9", CS_LATIN},     {"windows-1250", CS_LATIN},
	{"iso-8859-2", CS_LATIN},
};

static enum cs_kind cs_classify(const char *label)
{
	if (!label || !*label)
		return CS_UNKNOWN;
	for (gsize i = 0; i < G_N_ELEMENTS(label_names); i++)
		if (g_ascii_strcasecmp(label, label_names[i].name) == 0)
			return label_names[i].kind;
	return CS_OTHER;
}

/* The decoder behind a Latin-family label: iso-8859-1 is windows-1252. */
static const char *latin_decoder(const char *label)
{
	static const char *const as1252[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
					     "l1",         "cp819",     "x-cp1252"};
	for (gsize i = 0; i < G_N_ELEMENTS(as1252); i++)
		if (g_ascii_strcasecmp(label, as1252[i]) == 0)
			return "WINDOWS-1252";
	return label;
}

static gboolean has_8bit(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return TRUE;
	return FALSE;
}

gboolean mg_charset_has_jis_escape(const char *s, gsize len)
{
	for (gsize i = 0; i + 2 < len; i++)
		if (s[i] == 0x1B && (s[i + 1] == '$' || (s[i + 1] == '(' && (s[i + 2] == 'I' || s[i + 2] == 'J'))))
			return TRUE;
	return FALSE;
}

/* ---- Japanese byte statistics ---- */

struct jp_stats {
	gint64 strong, medium, kana, weak, bad, wide;
};

/* Score of one double-byte character by the row its lead byte opens
 * (Shift_JIS lead bytes, see the table in the file comment). */
static void sjis_pair(struct jp_stats *st, guchar l)
{
	st->wide++;
	if (l >= 0x81 && l <= 0x83)
		st->strong++; /* punctuation, full-width alphanumerics, kana */
	else if (l == 0x84 || l == 0x87 || (l >= 0x88 && l <= 0x98))
		st->medium++; /* box drawing, NEC row 13, level-1 kanji */
	else if ((l >= 0x99 && l <= 0x9F) || (l >= 0xE0 && l <= 0xEA) || l == 0xED || l == 0xEE || l >= 0xFA)
		st->weak++; /* level-2 kanji, extensions */
	else
		st->bad++; /* unassigned rows, user-defined area */
}

static void stats_sjis(const guchar *s, gsize n, struct jp_stats *st)
{
	for (gsize i = 0; i < n; i++) {
		guchar c = s[i];
		if (c < 0x80)
			continue;
		if (c >= 0xA1 && c <= 0xDF) {
			st->kana++;
			continue;
		}
		guchar t = i + 1 < n ? s[i + 1] : 0;
		if (c == 0x80 || c == 0xA0 || c >= 0xFD || t < 0x40 || t == 0x7F || t > 0xFC) {
			st->bad++;
			continue;
		}
		sjis_pair(st, c);
		i++;
	}
}

static void euc_pair(struct jp_stats *st, guchar l)
{
	st->wide++;
	if (l == 0xA1 || l == 0xA3 || l == 0xA4 || l == 0xA5)
		st->strong++; /* punctuation, full-width alphanumerics, kana */
	else if (l == 0xA2 || (l >= 0xA6 && l <= 0xA8) || l == 0xAD || (l >= 0xB0 && l <= 0xCF))
		st->medium++; /* symbols, Greek, Cyrillic, box, NEC row 13, level-1 kanji */
	else if ((l >= 0xD0 && l <= 0xF4) || (l >= 0xF9 && l <= 0xFC))
		st->weak++; /* level-2 kanji, NEC-selected IBM extensions */
	else
		st->bad++;
}

static void stats_euc(const guchar *s, gsize n, struct jp_stats *st)
{
	for (gsize i = 0; i < n; i++) {
		guchar c = s[i];
		if (c < 0x80)
			continue;
		guchar t = i + 1 < n ? s[i + 1] : 0;
		if (c == 0x8E && t >= 0xA1 && t <= 0xDF) {
			st->kana++;
			i++;
		} else if (c == 0x8F && t >= 0xA1 && i + 2 < n && s[i + 2] >= 0xA1) {
			st->weak++; /* JIS X 0212 */
			i += 2;
		} else if (c >= 0xA1 && c <= 0xFE && t >= 0xA1 && t <= 0xFE) {
			euc_pair(st, c);
			i++;
		} else {
			st->bad++;
		}
	}
}

static gint64 jp_score(const struct jp_stats *st)
{
	return 4 * st->strong + 2 * st->medium + st->kana - 20 * st->bad;
}

/* Reads like Japanese: nothing impossible, and on average at least
 * medium evidence per character (text misread from Latin gives level-2
 * kanji and half-width katakana, which average lower). */
static gboolean jp_plausible(const struct jp_stats *st)
{
	gint64 chars = st->strong + st->medium + st->kana + st->weak;
	return st->bad == 0 && chars > 0 && (4 * st->strong + 2 * st->medium + st->kana) * 2 >= 3 * chars;
}

/* The better Japanese reading of 8-bit text: "CP932" or "EUC-JP-MS".  Text
 * whose Shift_JIS reading is half-width katakana only (batch mailers) is
 * Shift_JIS unless its EUC-JP reading holds kana or punctuation. */
static const char *jp_best(const char *in, gsize len, struct jp_stats *best)
{
	struct jp_stats s = {0}, e = {0};
	stats_sjis((const guchar *)in, len, &s);
	stats_euc((const guchar *)in, len, &e);
	gboolean kana_only = s.wide == 0 && s.kana > 0 && s.bad == 0 && e.strong == 0;
	gboolean euc = !kana_only && jp_score(&e) > jp_score(&s);
	*best = euc ? e : s;
	return euc ? "EUC-JP-MS" : "CP932";
}

/* ---- detection ---- */

static const char *public_name(const char *iconv_name)
{
	if (g_str_equal(iconv_name, "CP932"))
		return "SHIFT_JIS";
	if (g_str_equal(iconv_name, "EUC-JP-MS"))
		return "EUC-JP";
	return iconv_name;
}

/* Decode 8-bit text of unknown charset: UTF-16 with a BOM, UTF-8, the
 * better Japanese reading, else windows-1252 (which decodes anything). */
static const char *detect_decode(const char *in, gsize len, GString *out)
{
	if (len >= 2 && ((guchar)in[0] == 0xFF || (guchar)in[0] == 0xFE) && ((guchar)in[1] ^ (guchar)in[0]) == 0x01) {
		if (mg_charset_decode_with(in, len, "UTF-16", out) >= 0)
			return "UTF-16";
	}
	if (g_utf8_validate_len(in, len, NULL)) {
		g_string_append_len(out, in, (gssize)len);
		return has_8bit(in, len) ? "UTF-8" : "US-ASCII";
	}
	struct jp_stats st;
	const char *cs = jp_best(in, len, &st);
	GString *tmp = g_string_new(NULL);
	gint64 bad = mg_charset_decode_with(in, len, cs, tmp);
	guint high = 0;
	for (gsize i = 0; i < len; i++)
		high += (guchar)in[i] >= 0x80;
	if (bad * 8 > high || st.bad * 8 > high) { /* not Japanese: a Latin text */
		cs = "WINDOWS-1252";
		mg_charset_decode_with(in, len, cs, out);
	} else {
		g_string_append_len(out, tmp->str, (gssize)tmp->len);
	}
	g_string_free(tmp, TRUE);
	return public_name(cs);
}

/* Japanese (or UTF-8) that reads far better than a Latin label: the
 * charset used, or NULL (out untouched). */
static const char *plausible_other(const char *in, gsize len, GString *out)
{
	if (g_utf8_validate_len(in, len, NULL)) {
		g_string_append_len(out, in, (gssize)len);
		return "UTF-8";
	}
	struct jp_stats st;
	const char *cs = jp_best(in, len, &st);
	if (!jp_plausible(&st))
		return NULL;
	GString *tmp = g_string_new(NULL);
	gint64 bad = mg_charset_decode_with(in, len, cs, tmp);
	if (bad == 0)
		g_string_append_len(out, tmp->str, (gssize)tmp->len);
	g_string_free(tmp, TRUE);
	return bad == 0 ? public_name(cs) : NULL;
}

static const char *decode_latin(const char *in, gsize len, const char *label, GString *out)
{
	const char *other = has_8bit(in, len) ? plausible_other(in, len, out) : NULL;
	if (other)
		return other;
	const char *dec = latin_decoder(label);
	if (mg_charset_decode_with(in, len, dec, out) < 0)
		return detect_decode(in, len, out);
	return dec;
}

/* A Japanese label that decodes cleanly still loses to the other
 * Japanese encoding when that reads plausibly and scores twice as well
 * (EUC-JP kana decode without errors as Shift_JIS half-width katakana). */
static gboolean other_japanese_wins(const char *in, gsize len, const char *cs)
{
	struct jp_stats s = {0}, e = {0};
	stats_sjis((const guchar *)in, len, &s);
	stats_euc((const guchar *)in, len, &e);
	const struct jp_stats *mine = g_str_equal(cs, "CP932") ? &s : &e, *other = mine == &s ? &e : &s;
	return jp_plausible(other) && jp_score(other) > 2 * MAX(jp_score(mine), 0);
}

/* Decode by the label; if that produced errors while detection decodes
 * cleanly (or the label is Japanese and the other Japanese reading is far
 * more plausible), take detection. */
static const char *decode_checked(const char *in, gsize len, const char *cs, GString *out)
{
	GString *tmp = g_string_new(NULL);
	gint64 bad = mg_charset_decode_with(in, len, cs, tmp);
	gboolean japanese = g_str_equal(cs, "CP932") || g_str_equal(cs, "EUC-JP-MS");
	if (bad != 0 || (japanese && other_japanese_wins(in, len, cs))) {
		GString *det = g_string_new(NULL);
		const char *dcs = detect_decode(in, len, det);
		GString *err_free = g_string_new(NULL);
		const char *dec = g_str_equal(dcs, "SHIFT_JIS") ? "CP932"
				  : g_str_equal(dcs, "EUC-JP")  ? "EUC-JP-MS"
								: dcs;
		gboolean clean =
			!g_str_equal(dcs, "WINDOWS-1252") &&
			mg_charset_decode_with(in, len, g_str_equal(dec, "US-ASCII") ? "UTF-8" : dec, err_free) == 0;
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
	return public_name(cs);
}

static const char *decode_jis(const char *in, gsize len, const char *label, GString *out)
{
	gint64 bad = 0;
	if (has_8bit(in, len) && !mg_charset_has_jis_escape(in, len))
		return detect_decode(in, len, out); /* Shift_JIS or UTF-8 labelled ISO-2022-JP */
	if (has_8bit(in, len) && g_utf8_validate_len(in, len, NULL))
		return detect_decode(in, len, out);
	if (mg_charset_jis_decode(in, len, out, &bad))
		return "ISO-2022-JP";
	const char *other = g_ascii_strcasecmp(label, "iso-2022-jp-3") == 0 ? "ISO-2022-JP-3" : "ISO-2022-JP-2";
	mg_charset_decode_with(in, len, other, out);
	return other;
}

/* One label: the charset used (out filled). */
static const char *decode_label(const char *data, gsize len, const char *declared, GString *out)
{
	gboolean jis7 = mg_charset_has_jis_escape(data, len) && !has_8bit(data, len);
	switch (cs_classify(declared)) {
	case CS_JIS: return decode_jis(data, len, declared, out);
	case CS_SJIS: return decode_checked(data, len, "CP932", out);
	case CS_EUC: return decode_checked(data, len, "EUC-JP-MS", out);
	case CS_LATIN: return jis7 ? decode_jis(data, len, "iso-2022-jp", out) : decode_latin(data, len, declared, out);
	case CS_OTHER: return decode_checked(data, len, declared, out);
	case CS_UTF8: /* invalid bytes: U+FFFD, unless another charset fits cleanly */
		return jis7 ? decode_jis(data, len, "iso-2022-jp", out) : decode_checked(data, len, "UTF-8", out);
	case CS_ASCII:
	case CS_UNKNOWN:
	default: return jis7 ? decode_jis(data, len, "iso-2022-jp", out) : detect_decode(data, len, out);
	}
}

/* A label is trusted when it is Japanese or UTF-8 and decodes cleanly;
 * a Latin label or none is not (the hint, e.g. HTML's meta charset, then
 * goes first). */
static gboolean label_trusted(const char *data, gsize len, const char *declared)
{
	enum cs_kind k = cs_classify(declared);
	if (k == CS_UNKNOWN || k == CS_LATIN || k == CS_ASCII)
		return !has_8bit(data, len);
	GString *tmp = g_string_new(NULL);
	const char *cs = decode_label(data, len, declared, tmp);
	gboolean ok = !strstr(tmp->str, MG_CHARSET_REPLACEMENT) && cs_classify(cs) == k;
	g_string_free(tmp, TRUE);
	return ok;
}

static char *finish(GString *out, const char *cs, char **used)
{
	if (used)
		*used = g_ascii_strup(cs, -1);
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

char *mg_charset_to_utf8_hint(const char *data, gsize len, const char *declared, const char *hint, char **used)
{
	GString *out = g_string_sized_new(len + 16);
	if (!data) /* an empty GByteArray has no data */
		data = "", len = 0;
	const char *label = declared;
	if (hint && *hint && !label_trusted(data, len, declared) && label_trusted(data, len, hint))
		label = hint;
	const char *cs = decode_label(data, len, label, out);
	return finish(out, cs, used);
}

char *mg_charset_to_utf8_checked(const char *data, gsize len, const char *declared, char **used, GError **err)
{
	return mg_charset_to_utf8_hint_checked(data, len, declared, NULL, used, err);
}

char *mg_charset_to_utf8_hint_checked(const char *data, gsize len, const char *declared, const char *hint, char **used,
				      GError **err)
{
	iconv_failed = FALSE;
	char *u = mg_charset_to_utf8_hint(data, len, declared, hint, used);
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
	return mg_charset_to_utf8_hint(data, len, declared, NULL, used);
}

char *mg_charset_decode_header(const char *raw)
{
	return mg_hdrenc_decode_raw(raw);
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
