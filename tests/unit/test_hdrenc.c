/*
 * test_hdrenc.c - the header encoder/decoder (issue 13): every field out
 * is printable ASCII, folded under 78 where it can be and never over 998,
 * with encoded words of whole characters <= 75 characters that decode on
 * their own; decoding joins split words and doubts labels.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"

static gboolean jis_ends_ascii(const guchar *b, gsize n)
{
	for (gsize i = n; i-- > 0;)
		if (b[i] == 0x1b)
			return i + 2 < n && b[i + 1] == '(' && (b[i + 2] == 'B' || b[i + 2] == 'J');
	return TRUE;
}

/* The form checks of the corpus test (tests/japanese/jcheck.py), in C:
 * lines, bytes, and each encoded word on its own. */
static void check_form(const char *name, const char *v)
{
	gsize line = strlen(name) + 2;
	for (const char *p = v; *p; p++) {
		if (*p == '\n') {
			line = 0;
			if (p[1] != ' ' && p[1] != '\t') /* a fold, never an end of field */
				fail_msg("%s: newline without a fold in '%s'", name, v);
			continue;
		}
		if (((guchar)*p < 0x20 && *p != '\t') || (guchar)*p > 0x7E)
			fail_msg("%s: byte %02X in '%s'", name, (guchar)*p, v);
		if (++line > 998)
			fail_msg("%s: line over 998 in '%s'", name, v);
	}
	for (const char *w = strstr(v, "=?"); mg_hdrenc_kind_of(name) != MG_HDRENC_OPAQUE && w;
	     w = strstr(w + 2, "=?")) {
		const char *q = strchr(w + 2, '?');
		const char *e = q && q[1] && q[2] == '?' ? strstr(q + 3, "?=") : NULL;
		if (!e)
			continue;
		gsize n = (gsize)(e + 2 - w);
		if (n > 75)
			fail_msg("%s: encoded word of %zu characters in '%s'", name, n, v);
		/* on its own: whole UTF-8 characters, or ISO-2022-JP back in ASCII */
		char *cs = g_strndup(w + 2, (gsize)(q - w - 2));
		gsize blen = 0;
		char *b64 = g_strndup(q + 3, (gsize)(e - q - 3));
		guchar *bytes = g_base64_decode(b64, &blen);
		gboolean ok = g_ascii_strcasecmp(cs, "UTF-8") == 0 ? g_utf8_validate((char *)bytes, (gssize)blen, NULL)
								   : jis_ends_ascii(bytes, blen);
		if (!ok || (q[1] != 'B'))
			fail_msg("%s: word %.*s does not decode on its own", name, (int)n, w);
		g_free(bytes);
		g_free(b64);
		g_free(cs);
		w = e;
	}
}

/* Lines of at most 78 characters (name included) unless one token cannot
 * be folded. */
static void check_folded(const char *name, const char *v)
{
	gsize line = strlen(name) + 2;
	for (const char *p = v;; p++) {
		if (*p == '\n' || !*p) {
			if (line > 78)
				fail_msg("%s: line of %zu characters in '%s'", name, line, v);
			if (!*p)
				break;
			line = 0;
			continue;
		}
		line++;
	}
}

static const struct {
	const char *name, *raw, *text; /* text: what the clean value decodes to; NULL: unchanged */
	int jis;                       /* 1: ISO-2022-JP mode, words in it; 2: that mode, but UTF-8 words */
} rows[] = {
	/* encoded words split inside a character (Outlook 365, iPhone) */
	{"Subject", "=?utf-8?B?6IG35ZOh56CU5L+u44Gu44GU5qGI5YaF77yI56ysMw==?= =?utf-8?B?5Zue77yJ?=",
	 "職員研修のご案内（第3回）", 0},
	/* ISO-2022-JP split inside an escape sequence */
	{"Subject",
	 "=?ISO-2022-JP?B?GyRCPyYwdzgmPSQbKEIgGyQ=?=\n =?ISO-2022-JP?B?QkJoGyhCMxskQjJzGyhCIBskQiROJDQwRkZiGyhC?=",
	 "職員研修 第3回 のご案内", 0},
	/* raw ESC $ B (old Unix MUAs) */
	{"Subject", "\x1b$B2q5D$NF|Dx$K$D$$$F\x1b(B", "会議の日程について", 0},
	/* raw Shift_JIS, raw half-width kana Shift_JIS (batch mailers) */
	{"Subject", "\x8c\xa9\x90\xcf\x8f\x91", "見積書", 0},
	{"Subject", "\xbc\xbd\xc3\xd1 \xc3\xb2\xbc\xc9 \xb5\xbc\xd7\xbe", "ｼｽﾃﾑ ﾃｲｼﾉ ｵｼﾗｾ", 0},
	/* Shift_JIS labelled iso-8859-1 (PHP) */
	{"Subject", "=?ISO-8859-1?B?gqiW4oKijYeC7YK5?=", "お問い合わせ", 0},
	/* control characters go */
	{"Subject", "=?UTF-8?Q?=E5=AE=9B=E5=85=88=07=1B[31m?= =?UTF-8?B?56K66KqNDQo=?=", "宛先[31m確認", 0},
	/* ASCII words stay readable, the rest is encoded */
	{"Subject", "Re: [info:1234] =?ISO-2022-JP?B?GyRCMnE1RBsoQg==?= (2)", "Re: [info:1234] 会議 (2)", 0},
	{"Subject", "Re: [info:1234] =?UTF-8?B?5Lya6K2w?= (2)", NULL, 0}, /* as mugaika writes it: kept */
	/* clean fields are left as they are */
	{"Subject", "Re: plain ascii", NULL, 0},
	{"Subject", "=?UTF-8?B?44GC?=", NULL, 0},
	{"Subject", "=?ISO-2022-JP?B?GyRCJCIbKEI=?=", NULL, 1},
	/* the output charset: ISO-2022-JP words in that mode when the text fits */
	{"Subject", "=?UTF-8?B?44GC?=", "あ", 1},
	{"Subject", "=?ISO-2022-JP?B?GyRCJCIbKEI=?=", "あ", 0},
	{"Subject", "=?UTF-8?B?8J+Zhw==?= =?UTF-8?B?44GC?=", "🙇あ", 2}, /* 🙇 fits no JIS row: UTF-8 */
	/* NEC row 13 and IBM extensions through CP50220 */
	{"Subject", "=?ISO-2022-JP?B?GyRCLSEtanxieXUbKEI=?=", "①㈱髙﨑", 0},
	/* address lists: names re-encoded, addresses kept */
	{"From", "\x1b$B;3ED\x1b(B \x1b$BB@O:\x1b(B <yamada@example.ac.jp>", "山田 太郎 <yamada@example.ac.jp>", 0},
	{"From", "\"=?ISO-2022-JP?B?GyRCO1RMMSROMydNTSRYGyhC?=\" <a@b.jp>", "市民の皆様へ <a@b.jp>", 0},
	{"To", "=?Shift_JIS?B?lbKTYw==?= <a@b.jp>, Foo <c@d.jp>", "粉田 <a@b.jp>, Foo <c@d.jp>", 0},
	{"From", "root@host (=?UTF-8?B?44Kv44Ot44Oz?=)", "クロン <root@host>", 0},
	{"To", "Undisclosed recipients:;", NULL, 0},
	/* opaque fields: only made safe */
	{"Message-ID", "<abc@example.jp>", NULL, 0},
	{"Received", "from x (\xe6\x97\xa5 [192.0.2.1])", "from x (??? [192.0.2.1])", 0},
};

static void test_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *v = mg_hdrenc_field(rows[i].name, rows[i].raw, rows[i].jis ? MG_HDRENC_JIS : MG_HDRENC_UTF8);
		if (!rows[i].text) {
			if (v)
				fail_msg("row %zu: '%s' changed to '%s'", i, rows[i].raw, v);
			continue;
		}
		if (!v)
			fail_msg("row %zu: '%s' left unchanged", i, rows[i].raw);
		check_form(rows[i].name, v);
		check_folded(rows[i].name, v);
		char *got = mg_hdrenc_kind_of(rows[i].name) == MG_HDRENC_OPAQUE ? g_strdup(v) : mg_hdrenc_decode(v);
		if (strcmp(got, rows[i].text) != 0)
			fail_msg("row %zu: '%s' -> '%s' reads '%s', want '%s'", i, rows[i].raw, v, got, rows[i].text);
		if ((rows[i].jis == 1) != (strstr(v, "ISO-2022-JP") != NULL))
			fail_msg("row %zu: '%s' in the wrong charset", i, v);
		g_free(got);
		g_free(v);
	}
}

/* A 300-character raw UTF-8 Subject (issue 13, item 6): folded, words of
 * at most 75 characters, and it reads back the same, in both modes. */
static void test_long(void **state)
{
	(void)state;
	GString *s = g_string_new("【お知らせ】");
	while (g_utf8_strlen(s->str, -1) < 300)
		g_string_append(s, "令和６年度の住民税の申告受付期間および会場の変更について、");
	for (int jis = 0; jis < 2; jis++) {
		char *v = mg_hdrenc_field("Subject", s->str, jis ? MG_HDRENC_JIS : MG_HDRENC_UTF8);
		assert_non_null(v);
		check_form("Subject", v);
		check_folded("Subject", v);
		char *back = mg_hdrenc_decode(v);
		assert_string_equal(back, s->str);
		g_free(back);
		g_free(v);
	}
	g_string_free(s, TRUE);
}

/* Names: RFC 2231 on character boundaries, RFC 2047 name= in quotes. */
static void test_names(void **state)
{
	(void)state;
	static const char *const names[] = {
		"予定表_能登.txt",
		"令和６年度_第２回_情報セキュリティ研修_標的型攻撃メール訓練_実施結果報告書（最終版・部外秘）①.txt",
		"report.pdf", "a \"quoted\" name.txt"};
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		for (int jis = 0; jis < 2; jis++) {
			const char *params[] = {"charset", "utf-8", NULL};
			char *ct = mg_hdrenc_content_type("text/plain", params, names[i],
							  jis ? MG_HDRENC_JIS : MG_HDRENC_UTF8);
			char *cd = mg_hdrenc_disposition("attachment", names[i]);
			check_form("Content-Type", ct);
			check_folded("Content-Type", ct);
			check_form("Content-Disposition", cd);
			check_folded("Content-Disposition", cd);
			assert_non_null(strstr(ct, "charset=utf-8"));
			if (names[i][0] & 0x80) {
				assert_non_null(strstr(ct, "name=\"=?"));
				assert_non_null(strstr(cd, "filename*"));
				/* every %XX run of a segment is whole UTF-8 */
				for (const char *p = strstr(cd, "filename*"); p; p = strstr(p + 1, "filename*")) {
					const char *v = strchr(p, '=') + 1, *e = strpbrk(v, ";\n");
					if (g_str_has_prefix(v, "UTF-8''"))
						v += 7;
					GString *b = g_string_new(NULL);
					for (; v < (e ? e : v + strlen(v)); v++)
						if (*v == '%')
							g_string_append_c(b, (char)g_ascii_xdigit_value(v[1]) * 16 +
										     g_ascii_xdigit_value(v[2])),
								v += 2;
						else
							g_string_append_c(b, *v);
					assert_true(g_utf8_validate(b->str, (gssize)b->len, NULL));
					g_string_free(b, TRUE);
				}
			}
			g_free(ct);
			g_free(cd);
		}
	}
}

/* Whatever comes in, what goes out keeps the contract (random bytes,
 * escape sequences, broken words). */
static void test_garbage(void **state)
{
	(void)state;
	static const char *const fields[] = {"Subject", "From", "To", "Received", "X-Anything"};
	static const char alphabet[] = "\x1b$B(J@ \t\n=?Bq_<>\",;:()\\\x80\x82\xa0\xff\x07"
				       "abc";
	GRand *r = g_rand_new_with_seed(13);
	for (int round = 0; round < 2000; round++) {
		gsize len = (gsize)g_rand_int_range(r, 0, round % 10 == 0 ? 3000 : 120);
		char *buf = g_malloc(len + 1);
		for (gsize i = 0; i < len; i++)
			buf[i] = round % 2 ? alphabet[g_rand_int_range(r, 0, sizeof alphabet - 1)]
					   : (char)g_rand_int_range(r, 1, 256);
		buf[len] = '\0';
		const char *name = fields[round % G_N_ELEMENTS(fields)];
		char *v = mg_hdrenc_field(name, buf, round % 3 ? MG_HDRENC_UTF8 : MG_HDRENC_JIS);
		if (v)
			check_form(name, v);
		g_free(v);
		char *d = mg_hdrenc_decode(buf);
		assert_true(g_utf8_validate(d, -1, NULL));
		g_free(d);
		g_free(buf);
	}
	g_rand_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
