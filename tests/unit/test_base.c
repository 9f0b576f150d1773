/*
 * test_base - the bottom layer's shared mechanisms: the one glob matcher,
 * the one `key = value` line reader, the one {placeholder} syntax.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_glob.h"
#include "mg_kv.h"
#include "mg_tmpl.h"

static void test_glob(void **state)
{
	static const struct {
		const char *pattern, *s;
		gboolean want;
	} rows[] = {
		{"application/pdf", "application/pdf", TRUE},
		{"application/pdf", "application/pdfx", FALSE},
		{"image/*", "image/png", TRUE},
		{"image/*", "image/", TRUE},
		{"image/*", "text/plain", FALSE},
		{"application/vnd.ms-*.macroenabled.12", "application/vnd.ms-excel.sheet.macroenabled.12", TRUE},
		{"application/vnd.ms-*.macroenabled.12", "application/vnd.ms-excel.sheet.macroenabled.13", FALSE},
		{"*", "", TRUE},
		{"", "", TRUE},
		{"", "x", FALSE},
		{"a?c", "abc", TRUE},
		{"a?c", "ac", FALSE},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", TRUE}, /* backtracking */
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FALSE},
		{"word/*.bin", "word/vbaproject.bin", TRUE},
		{"word/*.bin", "word/media/x.png", FALSE},
		{"*/*", "a/b/c", TRUE},
	};
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		if (mg_glob_match(rows[i].pattern, rows[i].s) != rows[i].want)
			fail_msg("row %zu: '%s' ~ '%s': want %d", i, rows[i].pattern, rows[i].s, rows[i].want);
}

static void test_kv(void **state)
{
	static const struct {
		const char *line;
		gboolean is_kv;
		const char *key, *value, *why;
	} rows[] = {
		{"", FALSE, NULL, NULL, NULL},
		{"   ", FALSE, NULL, NULL, NULL},
		{"# comment = no", FALSE, NULL, NULL, NULL},
		{"  # indented comment", FALSE, NULL, NULL, NULL},
		{"key = value", TRUE, "key", "value", NULL},
		{"  key=value  ", TRUE, "key", "value", NULL},
		{"k = a = b", TRUE, "k", "a = b", NULL},
		{"k = \"quoted value \"", TRUE, "k", "quoted value ", NULL},
		{"k =", TRUE, "k", "", NULL},
		{"no equals sign", TRUE, NULL, NULL, "expected 'key = value'"},
	};
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *line = g_strdup(rows[i].line), *key = NULL, *value = NULL, *why = NULL;
		gboolean got = mg_kv_split(line, &key, &value, &why);
		if (got != rows[i].is_kv)
			fail_msg("row %zu: '%s': kv %d", i, rows[i].line, got);
		if (rows[i].why)
			assert_string_equal(why, rows[i].why);
		else if (got) {
			assert_null(why);
			assert_string_equal(key, rows[i].key);
			assert_string_equal(value, rows[i].value);
		}
		g_free(why);
		g_free(line);
	}
}

static void test_tmpl_check(void **state)
{
	static const struct {
		const char *text, *allowed, *where, *want; /* want: substring of the error, NULL = valid */
	} rows[] = {
		{"plain text", "", NULL, NULL},
		{"{a} and {b}", "a b", NULL, NULL},
		{"{a} and {b}", "a,b", NULL, NULL},
		{"{{literal}} braces", "", NULL, NULL},
		{"{c}", "a b", "[part]", "unknown placeholder {c} in [part]; allowed: a b"},
		{"{}", "a", NULL, "unknown placeholder {}"},
		{"{a", "a", NULL, "is not closed"},
		{"a}", "a", NULL, "'}' without '{'"},
		{"{ab}", "a b", NULL, "unknown placeholder {ab}"},
		{"{x}", "", NULL, "allowed: none"},
	};
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *why = mg_tmpl_check(rows[i].text, rows[i].allowed, rows[i].where);
		if (!rows[i].want && why)
			fail_msg("row %zu: '%s': unexpected %s", i, rows[i].text, why);
		if (rows[i].want && (!why || !strstr(why, rows[i].want)))
			fail_msg("row %zu: '%s': got %s, want %s", i, rows[i].text, why ? why : "(valid)",
				 rows[i].want);
		g_free(why);
	}
}

static void test_tmpl_expand(void **state)
{
	static const struct mg_tmpl_var vars[] = {{"name", "report.pdf"}, {"size", NULL}, {"evil", "{name}"}};
	static const struct {
		const char *text, *want;
	} rows[] = {
		{"{name} ({size})", "report.pdf (-)"},
		{"{{name}} is {name}", "{name} is report.pdf"},
		{"{evil}", "{name}"}, /* a value never becomes a placeholder */
		{"{unknown}x", "x"},
		{"a { b", "a { b"},
	};
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GString *out = g_string_new(NULL);
		mg_tmpl_expand(out, rows[i].text, vars, G_N_ELEMENTS(vars));
		if (!g_str_equal(out->str, rows[i].want))
			fail_msg("row %zu: got '%s' want '%s'", i, out->str, rows[i].want);
		g_string_free(out, TRUE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_tmpl_check),
		cmocka_unit_test(test_tmpl_expand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
