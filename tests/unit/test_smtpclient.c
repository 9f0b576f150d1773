/* test_smtpclient - the reply parsing and DATA encoding of the minimal SMTP
 * client behind `mugaika selftest --smtp` (src/cli/smtpclient.c):
 * multi-line replies, malformed and inconsistent lines refused, bounded
 * length, EHLO keywords, CRLF line ends and dot-stuffing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "smtpclient.h"

/* Feed the lines; TRUE when every one was taken. */
static gboolean feed(struct mg_sc_reply *r, const char *const *lines)
{
	gboolean ok = TRUE;
	for (gsize i = 0; ok && lines[i]; i++) {
		GError *err = NULL;
		ok = mg_sc_reply_feed(r, lines[i], &err);
		assert_true(ok == (err == NULL));
		g_clear_error(&err);
	}
	return ok;
}

static void test_single_line(void **state)
{
	(void)state;
	struct mg_sc_reply r = {0};
	const char *l[] = {"550 5.7.1 Message contains a virus (Eicar-Test-Signature)", NULL};
	assert_true(feed(&r, l));
	assert_true(r.done);
	assert_int_equal(r.code, 550);
	char *d = mg_sc_reply_describe(&r);
	assert_string_equal(d, l[0]);
	g_free(d);
	mg_sc_reply_clear(&r);
	const char *bare[] = {"250", NULL};
	assert_true(feed(&r, bare));
	assert_true(r.done);
	assert_int_equal(r.code, 250);
	mg_sc_reply_clear(&r);
}

static void test_multi_line(void **state)
{
	(void)state;
	struct mg_sc_reply r = {0};
	const char *l[] = {"250-relay.example ESMTP", "250-PIPELINING", "250-SIZE 104857600", "250-XCLIENT NAME ADDR",
			   NULL};
	assert_true(feed(&r, l));
	assert_false(r.done);
	const char *end[] = {"250 8BITMIME", NULL};
	assert_true(feed(&r, end));
	assert_true(r.done);
	assert_int_equal(r.lines, 5);
	assert_true(mg_sc_reply_has_keyword(&r, "XCLIENT"));
	assert_true(mg_sc_reply_has_keyword(&r, "size"));
	assert_true(mg_sc_reply_has_keyword(&r, "8BITMIME"));
	assert_false(mg_sc_reply_has_keyword(&r, "PIPE"));
	assert_false(mg_sc_reply_has_keyword(&r, "relay.example")); /* the greeting line is no keyword */
	char *d = mg_sc_reply_describe(&r);
	assert_string_equal(d, "250 relay.example ESMTP");
	g_free(d);
	const char *after[] = {"250 more", NULL};
	assert_false(feed(&r, after)); /* the reply had ended */
	mg_sc_reply_clear(&r);
}

static void test_refused_lines(void **state)
{
	(void)state;
	static const char *const bad[][3] = {
		{"hello", NULL},    {"25", NULL},     {"2500 x", NULL}, {"650 x", NULL}, {"1xx x", NULL},
		{"250-a", "251 b"}, {"25a ok", NULL}, {"", NULL},       {"250-a", "ok"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct mg_sc_reply r = {0};
		if (feed(&r, bad[i]))
			fail_msg("case %zu accepted: '%s' '%s'", i, bad[i][0], bad[i][1] ? bad[i][1] : "");
		mg_sc_reply_clear(&r);
	}
}

static void test_bounded(void **state)
{
	(void)state;
	struct mg_sc_reply r = {0};
	GError *err = NULL;
	gboolean ok = TRUE;
	guint n = 0;
	while (ok && n < MG_SC_LINES + 5)
		ok = mg_sc_reply_feed(&r, "250-again", &err), n++;
	assert_false(ok);
	assert_int_equal(n, MG_SC_LINES + 1);
	assert_non_null(strstr(err->message, "too many lines"));
	g_clear_error(&err);
	mg_sc_reply_clear(&r);
}

static void assert_encoded(const char *in, const char *want)
{
	GString *s = mg_sc_data_encode(in, strlen(in));
	assert_string_equal(s->str, want);
	g_string_free(s, TRUE);
}

static void test_data_encode(void **state)
{
	(void)state;
	assert_encoded("Subject: x\n\nbody\n", "Subject: x\r\n\r\nbody\r\n.\r\n");
	assert_encoded("a\r\nb\r\n", "a\r\nb\r\n.\r\n");                          /* CR LF kept as it is */
	assert_encoded("no end", "no end\r\n.\r\n");                              /* a last line gets its CR LF */
	assert_encoded("", ".\r\n");                                              /* nothing: just the end */
	assert_encoded(".\n..x\n.y\r\nz.\n", "..\r\n...x\r\n..y\r\nz.\r\n.\r\n"); /* dot-stuffing */
	assert_encoded(".", "..\r\n.\r\n");
	assert_encoded("a\rb\n", "a\rb\r\n.\r\n"); /* a lone CR is data */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_line),   cmocka_unit_test(test_multi_line),
		cmocka_unit_test(test_refused_lines), cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_data_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
