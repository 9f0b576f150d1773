/*
 * test_charset.c - mg_charset: every Japanese charset, mislabelled text,
 * CP50220 extensions, the wave dash family, RFC 2047 headers, the
 * ISO-2022-JP output encoder, and garbage that must not crash.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"

struct body_row {
	const char *name;
	const char *in;
	gssize len; /* -1: strlen */
	const char *label;
	const char *want;      /* UTF-8 */
	const char *want_used; /* NULL: not checked */
};

static const struct body_row body_rows[] = {
	{"ascii", "hello", -1, "us-ascii", "hello", "US-ASCII"},
	{"jis plain", "\x1b$B%F%9%H\x1b(B ok", -1, "iso-2022-jp", "テスト ok", "ISO-2022-JP"},
	{"jis NEC row13 circled one", "\x1b$B-!\x1b(B", -1, "ISO-2022-JP", "①", "ISO-2022-JP"},
	{"jis NEC row13 kabu roman3", "\x1b$B-j-7\x1b(B", -1, "iso-2022-jp", "㈱Ⅲ", NULL},
	{"jis IBM ext taka", "\x1b$B|b\x1b(B", -1, "iso-2022-jp", "髙", NULL},
	{"jis IBM ext saki", "\x1b$Byu\x1b(B", -1, "iso-2022-jp", "﨑", NULL},
	{"jis wave dash", "\x1b$B!A\x1b(B", -1, "iso-2022-jp", "\xe3\x80\x9c", NULL},
	{"jis halfwidth kana ESC(I", "\x1b(I1\x1b(B", -1, "iso-2022-jp", "ｱ", NULL},
	{"jis halfwidth kana SO/SI",
	 "\x0e\x31\x0f"
	 "a",
	 -1, "iso-2022-jp", "ｱa", NULL},
	{"jis roman", "\x1b(Jabc\x1b(B", -1, "iso-2022-jp", "abc", NULL},
	{"jis missing reset at EOL", "\x1b$B%F\nA", -1, "iso-2022-jp", "テ\nA", NULL},
	{"jis-2 gb2312 via iconv", "\x1b$A", -1, "iso-2022-jp-2", "", "ISO-2022-JP-2"},
	{"sjis", "\x83\x65\x83\x58\x83\x67", -1, "Shift_JIS", "テスト", "SHIFT_JIS"},
	{"sjis circled one", "\x87\x40", -1, "shift_jis", "①", NULL},
	{"sjis wave dash", "\x81\x60", -1, "Shift_JIS", "\xe3\x80\x9c", NULL},
	{"cp932 wave dash", "\x81\x60", -1, "windows-31j", "\xe3\x80\x9c", NULL},
	{"sjis minus cent pound not", "\x81\x7c\x81\x91\x81\x92\x81\xca", -1, "cp932", "\xe2\x88\x92¢£¬", NULL},
	{"sjis halfwidth kana", "\xb1\xb2", -1, "shift_jis", "ｱｲ", NULL},
	{"euc", "\xc6\xfc\xcb\xdc\xb8\xec", -1, "euc-jp", "日本語", "EUC-JP"},
	{"euc IBM extensions in rows 89-92 (CP51932, WHATWG)", "\xfc\xe2\xb6\xb6", -1, "euc-jp", "髙橋", NULL},
	{"jis-roman yen", "\x1b(J\\12,800\x1b(B", -1, "iso-2022-jp", "¥12,800", NULL},
	/* issue 13: a label that decodes without errors is still doubted */
	{"sjis labelled iso-8859-1 (PHP)", "\x82\xa8\x96\xbc\x91\x4f\x81\x46\xfb\xfc\x8b\xb4", -1, "iso-8859-1",
	 "お名前：髙橋", "SHIFT_JIS"},
	{"sjis kanji only labelled iso-8859-1", "\x8e\x91\x97\xbf\x90\xbf\x8b\x81", -1, "iso-8859-1", "資料請求",
	 "SHIFT_JIS"},
	{"utf-8 labelled iso-8859-1", "お名前", -1, "iso-8859-1", "お名前", "UTF-8"},
	{"euc labelled iso-8859-1", "\xa4\xaa\xcc\xbe\xc1\xb0", -1, "latin1", "お名前", "EUC-JP"},
	{"latin-1 stays latin-1",
	 "Gr\xfc\xdf"
	 "e aus M\xfc"
	 "nchen",
	 -1, "iso-8859-1", "Grüße aus München", NULL},
	{"cp1252 quotes under iso-8859-1",
	 "the \x93"
	 "final\x94 report \x96 thanks",
	 -1, "iso-8859-1", "the \u201cfinal\u201d report \u2013 thanks", "WINDOWS-1252"},
	{"sjis half-width kana only, unlabelled", "\xbc\xbd\xc3\xd1 \xc3\xb2\xbc\xc9 \xb5\xbc\xd7\xbe", -1, NULL,
	 "ｼｽﾃﾑ ﾃｲｼﾉ ｵｼﾗｾ", "SHIFT_JIS"},
	{"euc kana labelled shift_jis", "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", -1, "shift_jis", "こんにちは",
	 "EUC-JP"},
	{"euc wave dash", "\xa1\xc1", -1, "euc-jp", "\xe3\x80\x9c", NULL},
	{"euc NEC row13", "\xad\xa1", -1, "euc-jp", "①", NULL},
	{"euc halfwidth kana", "\x8e\xb1", -1, "euc-jp", "ｱ", NULL},
	{"utf-8", "日本語", -1, "utf-8", "日本語", "UTF-8"},
	{"utf-16 bom", "\xff\xfe\xe5\x65\x2c\x67", 6, "utf-16", "日本", NULL},
	{"utf-16 bom unlabelled", "\xfe\xff\x65\xe5\x67\x2c", 6, NULL, "日本", "UTF-16"},
	{"sjis labelled iso-2022-jp", "\x83\x65\x83\x58\x83\x67", -1, "iso-2022-jp", "テスト", "SHIFT_JIS"},
	{"utf-8 labelled iso-2022-jp", "テスト", -1, "iso-2022-jp", "テスト", "UTF-8"},
	{"sjis labelled us-ascii", "\x82\xa0\x82\xa2\x82\xa4", -1, "us-ascii", "あいう", "SHIFT_JIS"},
	{"sjis unlabelled", "\x93\xfa\x96\x7b\x8c\xea", -1, NULL, "日本語", "SHIFT_JIS"},
	{"euc unlabelled", "\xc6\xfc\xcb\xdc\xb8\xec\xa4\xc7\xa4\xb9", -1, NULL, "日本語です", "EUC-JP"},
	{"jis unlabelled", "\x1b$B%F%9%H\x1b(B", -1, NULL, "テスト", "ISO-2022-JP"},
	{"sjis labelled euc-jp", "\x83\x65\x83\x58\x83\x67\x82\xc5\x82\xb7", -1, "euc-jp", "テストです", "SHIFT_JIS"},
	{"utf-8 labelled shift_jis", "テストです", -1, "shift_jis", "テストです", "UTF-8"},
	{"latin-1 labelled us-ascii", "caf\xe9 cr\xe8me", -1, "us-ascii", "café crème", "WINDOWS-1252"},
	{"unknown label", "abc", -1, "x-no-such-charset", "abc", NULL},
	{"nul bytes", "a\0b", 3, "utf-8", "a b", NULL},
	/* 5-byte form: glibc's iconv copied it through (fuzz_charset) */
	{"utf-8 5-byte form",
	 "a\xf9\x85\x85\x85\x85"
	 "b",
	 -1, "utf-8",
	 "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	 "b",
	 NULL},
};

static void test_body_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(body_rows); i++) {
		const struct body_row *r = &body_rows[i];
		char *used = NULL;
		gsize len = r->len < 0 ? strlen(r->in) : (gsize)r->len;
		char *got = mg_charset_to_utf8(r->in, len, r->label, &used);
		if (strcmp(got, r->want) != 0 || (r->want_used && strcmp(used, r->want_used) != 0))
			fail_msg("%s: got '%s' (%s), want '%s' (%s)", r->name, got, used, r->want,
				 r->want_used ? r->want_used : "-");
		g_free(got);
		g_free(used);
	}
}

struct hdr_row {
	const char *in, *want;
};

static const struct hdr_row hdr_rows[] = {
	{"=?iso-2022-jp?b?GyRCLSEbKEI=?=", "①"},
	{"=?sjis?b?h0A=?=", "①"},
	{"Re: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= ok", "Re: テスト ok"},
	{"=?UTF-8?B?44E=?= =?UTF-8?B?gg==?=", "あ"},                 /* split multibyte */
	{"=?UTF-8?B?44GC?=\n =?UTF-8?B?44GE?=", "あい"},             /* folded */
	{"=?ISO-2022-JP?B?GyRCJUYbKEI=?= =?UTF-8?B?44GC?=", "テあ"}, /* mixed charsets */
	{"=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"},
	{"\x82\xa0\x82\xa2 raw", "あい raw"},   /* raw CP932 in Subject */
	{"=?iso-2022-jp?B?gqCCog==?=", "あい"}, /* Shift_JIS labelled ISO-2022-JP */
	{"a =?bogus", "a =?bogus"},
	{"=?utf-8*ja?b?44GC?=", "あ"}, /* RFC 2231 language */
	{"plain  text", "plain  text"},
	{"=?x-unknown?b?YWJj?=", "abc"},
	{"=?utf)8?q?=F9=85=85=85=85?=",
	 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* fuzz_charset */
};

static void test_header_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(hdr_rows); i++) {
		char *got = mg_hdrenc_decode(hdr_rows[i].in);
		if (strcmp(got, hdr_rows[i].want) != 0)
			fail_msg("header '%s': got '%s', want '%s'", hdr_rows[i].in, got, hdr_rows[i].want);
		g_free(got);
	}
}

/* HTML's meta charset against the Content-Type label. */
static void test_hint(void **state)
{
	(void)state;
	static const char sjis[] = "\x82\xa8\x96\xbc\x91\x4f";
	static const struct {
		const char *label, *hint, *want_used;
	} rows[] = {
		{"iso-8859-1", "Shift_JIS", "SHIFT_JIS"}, /* the label decodes anything: the document wins */
		{NULL, "shift_jis", "SHIFT_JIS"},
		{"shift_jis", "utf-8", "SHIFT_JIS"}, /* a Japanese label that fits wins over a wrong meta */
		{"utf-8", "shift_jis", "SHIFT_JIS"}, /* a label that does not fit loses */
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *used = NULL;
		char *got = mg_charset_to_utf8_hint(sjis, strlen(sjis), rows[i].label, rows[i].hint, &used);
		assert_string_equal(got, "お名前");
		assert_string_equal(used, rows[i].want_used);
		g_free(got);
		g_free(used);
	}
}

static void test_nfc(void **state)
{
	(void)state;
	char *n =
		mg_charset_nfc("テ\xe3\x82\x99ータ ﾃﾞｰﾀ \xef\xa8\x90"); /* NFD デ; half-width stays; 塚 U+FA10 stays */
	assert_string_equal(n, "データ ﾃﾞｰﾀ \xef\xa8\x90");
	g_free(n);
}

static void test_iso2022jp_out(void **state)
{
	(void)state;
	gsize n = 0;
	char *jis = mg_charset_to_iso2022jp("テスト\xef\xbd\x9e", &n); /* fullwidth tilde -> 0x2141 */
	assert_non_null(jis);
	assert_memory_equal(jis, "\x1b$B%F%9%H!A\x1b(B", n);
	char *back = mg_charset_to_utf8(jis, n, "iso-2022-jp", NULL);
	assert_string_equal(back, "テスト\xe3\x80\x9c");
	g_free(back);
	g_free(jis);
	static const struct {
		const char *in, *want;
	} cp50220[] = {
		{"①㈱Ⅲ", "\x1b$B-!-j-7\x1b(B"},   /* NEC row 13 */
		{"髙﨑", "\x1b$B|byu\x1b(B"},     /* IBM extensions as NEC-selected rows 89-92 */
		{"ⅰ￤", "\x1b$B|q||\x1b(B"},      /* IBM FA40/FA55 moved to row 92 */
		{"¥12 ‾", "\x1b(J\\12 ~\x1b(B"},  /* JIS-Roman */
		{"ｼｽﾃﾑ\n", "\x1b(I<=CQ\x1b(B\n"}, /* half-width kana, CP50221, ASCII at the line end */
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cp50220); i++) {
		char *j = mg_charset_to_iso2022jp(cp50220[i].in, &n);
		if (!j || strlen(cp50220[i].want) != n || memcmp(j, cp50220[i].want, n) != 0)
			fail_msg("%s: got %s", cp50220[i].in, j ? j : "NULL");
		char *u = mg_charset_to_utf8(j, n, "iso-2022-jp", NULL);
		assert_string_equal(u, cp50220[i].in); /* and back */
		g_free(u);
		g_free(j);
	}
	assert_null(mg_charset_to_iso2022jp("🙇", NULL));            /* outside every JIS row */
	assert_null(mg_charset_to_iso2022jp("\xee\x80\x80", NULL)); /* private use (CP932 user-defined) */
}

/* Random bytes in every charset: valid UTF-8 out, no crash. */
static void test_garbage(void **state)
{
	(void)state;
	static const char *labels[] = {"iso-2022-jp", "shift_jis", "euc-jp", "utf-8", "utf-16", NULL, "iso-2022-jp-2"};
	GRand *r = g_rand_new_with_seed(42);
	for (int round = 0; round < 300; round++) {
		guchar buf[257];
		gsize len = (gsize)g_rand_int_range(r, 0, 256);
		for (gsize i = 0; i < len; i++)
			buf[i] = (guchar)(round % 3 == 0 ? "\x1b$B(I@\x0e\x0f\x80\xff"[g_rand_int_range(r, 0, 11)]
							 : g_rand_int_range(r, 0, 256));
		buf[len] = 0;
		char *got = mg_charset_to_utf8((char *)buf, len, labels[round % G_N_ELEMENTS(labels)], NULL);
		assert_true(g_utf8_validate(got, -1, NULL));
		g_free(got);
		char *h = mg_hdrenc_decode((char *)buf);
		assert_true(g_utf8_validate(h, -1, NULL));
		g_free(h);
	}
	g_rand_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_rows),     cmocka_unit_test(test_header_rows),
		cmocka_unit_test(test_iso2022jp_out), cmocka_unit_test(test_hint),
		cmocka_unit_test(test_nfc),           cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
