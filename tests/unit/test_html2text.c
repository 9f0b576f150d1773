/*
 * test_html2text.c - mg_html2text: layout rows fed whole and one byte at a
 * time (same text both ways), links and defanging, hidden content, and
 * hostile input generated here: 10 MB of nested tags, entity bombs,
 * invalid bytes, output and time limits.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_html2text.h"

struct row {
	const char *name, *html, *want;
};

static const struct row rows[] = {
	{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo\n"},
	{"br and collapse", "<div>a  \n b<br>c</div>", "a b\nc\n"},
	{"entities", "<p>&amp;&lt;&gt;&quot;&#x2460;&#12354;&nbsp;x&copy;</p>", "&<>\"①あ x©\n"},
	{"headings", "<h1>Title</h1>text", "Title\n\ntext\n"},
	{"ul", "<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"},
	{"ol nested", "<ol><li>x<ul><li>y</li></ul></li><li>z</li></ol>", "1. x\n  - y\n2. z\n"},
	{"table", "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>", "A | B\n1 | 2\n"},
	{"table empty cell", "<table><tr><td>1</td><td></td><td>3</td></tr></table>", "1 | 3\n"},
	{"blockquote", "<p>x</p><blockquote>q1<br>q2</blockquote><p>y</p>", "x\n\n> q1\n> q2\n\ny\n"},
	{"pre", "<pre>  a  b\n   c</pre>", "  a  b\n   c\n"},
	{"script style head comment",
	 "<head><title>T</title><style>p{}</style></head><script>evil()</script><!-- c --><p>ok</p>", "ok\n"},
	{"form: text kept, controls dropped",
	 "<form action=x><input value=v>in form<button>b</button><textarea>t</textarea></form>after",
	 "in form\nafter\n"},
	{"whole body in a form (ASP.NET pages)",
	 "<body><form id=f1 method=post action=x><p>\xe3\x81\x8a\xe7\x9f\xa5\xe3\x82\x89\xe3\x81\x9b</p>"
	 "<table><tr><td>a</td><td>b</td></tr></table></form></body>",
	 "\xe3\x81\x8a\xe7\x9f\xa5\xe3\x82\x89\xe3\x81\x9b\n\na | b\n"},
	{"hidden",
	 "<div style=\"display: none\">h1</div><span hidden>h2</span><p style=\"visibility:hidden\">h3</p><span "
	 "style=\"font-size:0px\">h4</span>shown",
	 "shown\n"},
	{"image alt", "see <img src=\"cid:x@y\" alt=\"logo\"> here", "see [画像: logo] here\n"},
	{"image no alt", "<img src=\"a.png\">", "[画像]\n"},
	{"tracking pixel", "a<img src=\"http://t/p.gif\" width=\"1\" height=\"1\">b", "ab\n"},
	{"link", "<a href=\"https://portal.example.jp/a?b=1\">Portal</a>",
	 "Portal <https://portal.example.jp/a?b=1>\n"},
	{"link text is url", "<a href=\"https://x.example/\">https://x.example/</a>", "https://x.example/\n"},
	{"javascript link", "<a href=\"javascript:alert(1)\">click</a>", "click\n"},
	{"mailto", "<a href=\"mailto:a@b.jp\">mail us</a>", "mail us <a@b.jp>\n"},
	{"japanese", "<p>こんにちは、<b>世界</b>。</p><p>①㈱髙﨑</p>", "こんにちは、世界。\n\n①㈱髙﨑\n"},
	{"japanese line wrap", "<p>市役所の\n山田です。 次\nABC\nです</p>", "市役所の山田です。 次 ABC です\n"},
	{"text after </html>", "<html><body>a</body></html>b<p>c</p>", "a\n\nb\n\nc\n"},
	{"unclosed tags", "<p>a<p>b<div>c", "a\n\nb\n\nc\n"},
	{"garbage tags", "<<<>>> <p <p>x</ p> </div></div></table>", "<<<\n\nx p>\n"},
	{"hr", "a<hr>b", "a\n\n----------\nb\n"},
	{"empty", "", ""},
};

/* An empty part arrives as NULL data. */
static void test_null_input(void **state)
{
	(void)state;
	char *got = mg_html2text(NULL, 0, NULL, &(struct mg_html2text_opts){0}, NULL);
	assert_string_equal(got, "");
	g_free(got);
}

static const struct mg_html2text_opts defaults = {FALSE, 0, 0, 0, NULL};

static char *feed_bytes(const char *html, const struct mg_html2text_opts *o)
{
	struct mg_html2text *h = mg_html2text_new(o);
	for (gsize i = 0; html[i]; i++)
		if (!mg_html2text_feed(h, html + i, 1, NULL))
			break;
	return mg_html2text_finish(h, NULL);
}

static void test_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GError *err = NULL;
		char *whole = mg_html2text(rows[i].html, strlen(rows[i].html), "utf-8", &defaults, &err);
		char *bytes = feed_bytes(rows[i].html, &defaults);
		if (!whole || strcmp(whole, rows[i].want) != 0)
			fail_msg("%s (whole): got '%s', want '%s'", rows[i].name, whole, rows[i].want);
		if (!bytes || strcmp(bytes, rows[i].want) != 0)
			fail_msg("%s (byte at a time): got '%s', want '%s'", rows[i].name, bytes, rows[i].want);
		g_free(whole);
		g_free(bytes);
	}
}

static void test_defang_and_label(void **state)
{
	(void)state;
	struct mg_html2text_opts o = defaults;
	o.defang_links = TRUE;
	o.image_label = "image";
	const char *html = "<a href=\"https://e.example/\">E</a> <a href=\"http://f.example/\">http://f.example/</a> "
			   "<img alt=\"x\">";
	char *got = mg_html2text(html, strlen(html), "utf-8", &o, NULL);
	assert_string_equal(got, "E <hxxps://e.example/> http://f.example/ <hxxp://f.example/> [image: x]\n");
	g_free(got);
}

/* What was dropped is counted by kind for the report. */
static void test_removed_counts(void **state)
{
	(void)state;
	GHashTable *removed = g_hash_table_new(g_str_hash, g_str_equal);
	struct mg_html2text_opts o = defaults;
	o.removed = removed;
	const char *html = "<script>a</script><script>b</script><form><input><select><option>o</select></form><div "
			   "hidden><script>c</script></div>"
			   "<a href=\"javascript:x()\">j</a><img width=1 height=1 src=x><iframe src=x></iframe>ok";
	char *got = mg_html2text(html, strlen(html), "utf-8", &o, NULL);
	assert_string_equal(got, "jok\n");
	static const struct {
		const char *kind;
		guint n;
	} want[] = {{"script", 3},      {"form", 1},           {"hidden element", 1},
		    {"script link", 1}, {"tracking image", 1}, {"frame", 1}};
	for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
		if (GPOINTER_TO_UINT(g_hash_table_lookup(removed, want[i].kind)) != want[i].n)
			fail_msg("%s: got %u, want %u", want[i].kind,
				 GPOINTER_TO_UINT(g_hash_table_lookup(removed, want[i].kind)), want[i].n);
	g_free(got);
	g_hash_table_destroy(removed);
}

static void test_charsets(void **state)
{
	(void)state;
	static const struct {
		const char *html, *charset, *want;
	} cs[] = {
		{"<p>\x1b$B$3$s$K$A$O-!\x1b(B</p>", "iso-2022-jp", "こんにちは①\n"},
		{"<p>\x82\xb1\x82\xf1\x81\x60</p>", "shift_jis", "こん\xe3\x80\x9c\n"},
		{"<meta charset=\"euc-jp\"><p>\xc6\xfc\xcb\xdc</p>", NULL, "日本\n"},
		{"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"><p>\x93\xfa</p>", NULL,
		 "日\n"},
		{"<p>\x93\xfa\x96\x7b\x8c\xea</p>", NULL, "日本語\n"}, /* no label at all */
		{"<p>ok\xff\xfe\x80</p>", "utf-8", NULL},              /* invalid bytes: text, no crash */
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cs); i++) {
		char *got = mg_html2text(cs[i].html, strlen(cs[i].html), cs[i].charset, &defaults, NULL);
		assert_non_null(got);
		assert_true(g_utf8_validate(got, -1, NULL));
		if (cs[i].want)
			assert_string_equal(got, cs[i].want);
		else
			assert_non_null(strstr(got, "ok"));
		g_free(got);
	}
}

/* 10 MB of nested tags: bounded time, the text is still there. */
static void test_deep_nesting(void **state)
{
	(void)state;
	GString *g = g_string_new(NULL);
	while (g->len < 10 * 1024 * 1024)
		g_string_append(g, "<div><span>");
	g_string_append(g, "deep text");
	gint64 t0 = g_get_monotonic_time();
	struct mg_html2text_opts o = defaults;
	o.deadline_us = t0 + 30 * G_USEC_PER_SEC;
	GError *err = NULL;
	char *got = mg_html2text(g->str, g->len, "utf-8", &o, &err);
	assert_non_null(got);
	assert_non_null(strstr(got, "deep text"));
	assert_true(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC);
	g_free(got);
	g_string_free(g, TRUE);
}

/* Entity declarations are never expanded (no DTD in HTML). */
static void test_entity_bomb(void **state)
{
	(void)state;
	GString *g = g_string_new("<!DOCTYPE html [<!ENTITY a0 \"lol\">");
	for (int i = 1; i < 10; i++)
		g_string_append_printf(g, "<!ENTITY a%d \"&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;\">", i,
				       i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	g_string_append(g, "]><p>&a9;</p>");
	for (int i = 0; i < 100000; i++)
		g_string_append(g, "&amp;");
	char *got = mg_html2text(g->str, g->len, "utf-8", &defaults, NULL);
	assert_non_null(got);
	assert_true(strlen(got) < 2 * g->len);
	assert_null(strstr(got, "lollol"));
	g_free(got);
	g_string_free(g, TRUE);
}

static void test_limits(void **state)
{
	(void)state;
	GString *g = g_string_new(NULL);
	for (int i = 0; i < 10000; i++)
		g_string_append(g, "<p>some text here</p>");
	struct mg_html2text_opts o = defaults;
	o.max_output = 1000;
	GError *err = NULL;
	assert_null(mg_html2text(g->str, g->len, "utf-8", &o, &err));
	assert_true(g_error_matches(err, MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_LIMIT));
	g_clear_error(&err);
	o.max_output = 0;
	o.deadline_us = g_get_monotonic_time() - 1;
	assert_null(mg_html2text(g->str, g->len, "utf-8", &o, &err));
	assert_true(g_error_matches(err, MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_TIME));
	g_clear_error(&err);
	o.deadline_us = 0;
	o.max_depth = 8; /* beyond the depth: layout lost, text kept */
	const char *deep = "<div><div><div><div><div><div><div><div><p>x</p><p>y</p>";
	char *got = mg_html2text(deep, strlen(deep), "utf-8", &o, NULL);
	assert_non_null(got);
	assert_non_null(strstr(got, "x"));
	assert_non_null(strstr(got, "y"));
	g_free(got);
	g_string_free(g, TRUE);
}

/* Random bytes and random tag soup, fed whole and in random chunks. */
static void test_fuzz(void **state)
{
	(void)state;
	static const char *bits[] = {"<p>",
				     "</p>",
				     "<a href=\"http://x/\">",
				     "</a>",
				     "<table><tr><td>",
				     "<li>",
				     "<pre>",
				     "</pre>",
				     "<blockquote>",
				     "&amp;",
				     "&#",
				     "<!--",
				     "-->",
				     "<script>",
				     "</script>",
				     "日本",
				     "\xff",
				     "\x1b$B",
				     "<img alt=\"",
				     "\"",
				     ">",
				     " ",
				     "\n",
				     "x"};
	GRand *r = g_rand_new_with_seed(7);
	for (int round = 0; round < 200; round++) {
		GString *g = g_string_new(NULL);
		int n = g_rand_int_range(r, 0, 200);
		for (int i = 0; i < n; i++)
			g_string_append(g, bits[g_rand_int_range(r, 0, G_N_ELEMENTS(bits))]);
		char *whole = mg_html2text(g->str, g->len, round % 2 ? "utf-8" : NULL, &defaults, NULL);
		assert_non_null(whole);
		assert_true(g_utf8_validate(whole, -1, NULL));
		struct mg_html2text *h = mg_html2text_new(&defaults);
		char *u = g_utf8_make_valid(g->str, (gssize)g->len);
		for (gsize i = 0, len = strlen(u); i < len;) {
			gsize want = (gsize)g_rand_int_range(r, 1, 17), c = MIN(len - i, want);
			mg_html2text_feed(h, u + i, c, NULL);
			i += c;
		}
		char *chunked = mg_html2text_finish(h, NULL);
		assert_non_null(chunked);
		g_free(u);
		g_free(whole);
		g_free(chunked);
		g_string_free(g, TRUE);
	}
	g_rand_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),           cmocka_unit_test(test_defang_and_label),
		cmocka_unit_test(test_charsets),       cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_entity_bomb),    cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fuzz),           cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_removed_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
