/*
 * test_html_guard.c - the HTML bound in front of libxml2 (text/html_guard.c):
 * what it keeps, what it cuts, and that libxml2 then never holds more
 * open elements than allowed (counted with libxml2's own SAX events).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>

#include "mg_html_guard.h"

static char *guard(const char *in, gint64 attrs, gint64 depth, struct mg_html_guard_stats *st)
{
	struct mg_html_guard_limits lim = {attrs, depth, 0};
	GString *g = g_string_new(NULL);
	assert_true(mg_html_guard(in, strlen(in), &lim, g, st));
	return g_string_free(g, FALSE);
}

static void test_rows(void **state)
{
	static const struct {
		const char *in, *want;
		gint64 attrs, depth;
	} rows[] = {
		/* within the limits: byte for byte */
		{"<p class=x>a<br>b</p><!-- <i a b c> --><script>if (a<b) x='<b c d e>';</script>",
		 "<p class=x>a<br>b</p><!-- <i a b c> --><script>if (a<b) x='<b c d e>';</script>", 8, 8},
		/* attributes past the limit go, the tag stays closed */
		{"<a href=\"http://x/\" b c d e>t</a>", "<a href=\"http://x/\" b>t</a>", 2, 8},
		{"<img src=x a b c/>t", "<img src=x a/>t", 2, 8},
		/* a quoted value holding '>' and blanks is one attribute */
		{"<i t=\"a > b c\" d e>x</i>", "<i t=\"a > b c\">x</i>", 1, 8},
		/* deeper start tags go, their text stays; stray end tags go */
		{"<b><i><u>deep</u></i></b>", "<b><i>deep</i></b>", 8, 2},
		{"<div>x</span></div>", "<div>x</div>", 8, 8},
		/* self-closing elements (<p>, <li>) and empty ones do not pile up */
		{"<ul><li>a<li>b<li>c</ul>", "<ul><li>a<li>b<li>c</ul>", 8, 3},
		{"<p>a<p>b<p>c<br><br>", "<p>a<p>b<p>c<br><br>", 8, 2},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_html_guard_stats st;
		char *got = guard(rows[i].in, rows[i].attrs, rows[i].depth, &st);
		if (!g_str_equal(got, rows[i].want))
			fail_msg("row %zu:\n got  %s\n want %s", i, got, rows[i].want);
		g_free(got);
	}
}

/* A name longer than libxml2's 100 characters: the rest starts the next
 * attribute, as htmlParseHTMLName reads it. */
static void test_long_name(void **state)
{
	char *a100 = g_strnfill(100, 'a'), *a130 = g_strnfill(130, 'a');
	char *in = g_strdup_printf("<i %s>x</i>", a130), *want = g_strdup_printf("<i %s>x</i>", a100);
	struct mg_html_guard_stats st;
	char *got = guard(in, 1, 8, &st);
	assert_string_equal(got, want);
	assert_int_equal(st.attributes_dropped, 1);
	g_free(got);
	g_free(in);
	g_free(want);
	g_free(a100);
	g_free(a130);
}

static int sax_depth, sax_max;
static void sax_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
	(void)ud, (void)name, (void)atts;
	sax_depth++;
	sax_max = MAX(sax_max, sax_depth);
}
static void sax_end(void *ud, const xmlChar *name)
{
	(void)ud, (void)name;
	sax_depth--;
}

/* libxml2's own open-element count after the guard, on shapes that grow
 * its stack: end tags that an open higher-priority element blocks, nested
 * inline elements, unclosed blocks. */
static void test_libxml2_depth(void **state)
{
	static const char *const unit[] = {"<b><div></b>", "<span>", "<div><table><tr><td>", "<p><b>"};
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = sax_start;
	sax.endElement = sax_end;
	for (gsize i = 0; i < G_N_ELEMENTS(unit); i++) {
		GString *in = g_string_new("<html><body>");
		for (int k = 0; k < 5000; k++)
			g_string_append(in, unit[i]);
		g_string_append(in, "end</body></html>");
		struct mg_html_guard_stats st;
		char *out = guard(in->str, 64, 100, &st);
		sax_depth = sax_max = 0;
		htmlDocPtr doc = htmlSAXParseDoc((const xmlChar *)out, "utf-8", &sax, NULL);
		if (doc)
			xmlFreeDoc(doc);
		if (sax_max > 100 + 3) /* html, body and an implied p */
			fail_msg("%s x 5000: libxml2 held %d open elements", unit[i], sax_max);
		assert_true(st.elements_flattened > 0 || g_str_equal(unit[i], "<p><b>")); /* <p> closes both */
		g_free(out);
		g_string_free(in, TRUE);
	}
}

static void test_deadline(void **state)
{
	struct mg_html_guard_limits lim = {64, 256, 1}; /* long past */
	struct mg_html_guard_stats st;
	GString *in = g_string_new(NULL), *out = g_string_new(NULL);
	for (int k = 0; k < 100000; k++)
		g_string_append(in, "<i>x</i>");
	assert_false(mg_html_guard(in->str, in->len, &lim, out, &st));
	g_string_free(in, TRUE);
	g_string_free(out, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_libxml2_depth),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
