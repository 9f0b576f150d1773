/* test_config - the option table: parsing, ranges, errors with file:line. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <glib/gstdio.h>

#include <cmocka.h>

#include "mg_config.h"
#include "mg_pipeline.h"

struct bad_row {
	const char *text;
	const char *want; /* substring of the error */
};

static void test_defaults(void **state)
{
	struct mg_config *cfg = mg_config_defaults();
	assert_int_equal(cfg->max_message_size, 20 * 1024 * 1024);
	assert_int_equal(cfg->on_error, MG_FAIL_TEMPFAIL);
	assert_int_equal(cfg->max_mime_depth, 10);
	assert_string_equal(cfg->spool_dir, "");
	mg_config_unref(cfg);
}

static void test_values(void **state)
{
	const char *text = "# comment\n\n  max_message_size = 5M  \nmilter_timeout = 2m\n"
			   "log_level = DEBUG\non_error = reject\nspool_dir = \"/var/spool/x y\"\n"
			   "max_header_size=4K\n";
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("t.conf", text, strlen(text), &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->max_message_size, 5 * 1024 * 1024);
	assert_int_equal(cfg->milter_timeout, 120);
	assert_int_equal(cfg->log_level, MG_LOG_DEBUG);
	assert_int_equal(cfg->on_error, MG_FAIL_REJECT);
	assert_string_equal(cfg->spool_dir, "/var/spool/x y");
	assert_int_equal(cfg->max_header_size, 4096);
	mg_config_unref(cfg);
}

static void test_errors(void **state)
{
	static const struct bad_row rows[] = {
		{"nokey\n", "t.conf:1: nokey: expected 'key = value'"},
		{"\n\nbogus = 1\n", "t.conf:3: bogus: unknown key"},
		{"max_mime_depth = 0\n", "t.conf:1: max_mime_depth: 0 is out of range; allowed: 1 to 100"},
		{"max_mime_depth = ten\n", "max_mime_depth: 'ten' is not a whole number"},
		{"max_message_size = 1T\n", "is not a size"},
		{"max_message_size = 99999999999999999999\n", "is not a size"},
		{"milter_timeout = 5\n", "out of range; allowed: 10 to 3600 seconds"},
		{"on_error = accept\n", "'accept' is not allowed; allowed: tempfail|reject"},
		{"log_level = info\nlog_level = info\n", "t.conf:2: log_level: set twice (first on line 1)"},
		{"socket = /tmp/x\n", "is not a milter socket"},
		{"socket = inet:99999@127.0.0.1\n", "is not a milter socket"},
		{"spool_memory_max = 8M\nmax_message_size = 2M\n", "spool_memory_max: larger than max_message_size"},
		{"max_message_size = -1\n", "is not a size"},
		/* issue 14: socket ownership and the metrics endpoint */
		{"socket_mode = 999\n", "socket_mode: '999' is not a mode; allowed: octal"},
		{"socket_mode = 04777\n", "is not a mode"},
		{"socket_mode = rw\n", "is not a mode"},
		{"socket_group = post/fix\n", "socket_group: 'post/fix' is not a user or group name"},
		{"user = -root\n", "is not a user or group name"},
		{"metrics_listen = 0.0.0.0:9425\n", "metrics_listen: '0.0.0.0:9425' is not a loopback HOST:PORT"},
		{"metrics_listen = 127.0.0.1\n", "is not a loopback HOST:PORT"},
		{"metrics_listen = 127.0.0.1:0\n", "is not a loopback HOST:PORT"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GError *err = NULL;
		struct mg_config *cfg = mg_config_parse("t.conf", rows[i].text, strlen(rows[i].text), &err);
		assert_null(cfg);
		assert_non_null(err);
		if (!strstr(err->message, rows[i].want))
			fail_msg("row %zu: got '%s', want '%s'", i, err->message, rows[i].want);
		g_error_free(err);
	}
}

static void test_nul_refused(void **state)
{
	GError *err = NULL;
	assert_null(mg_config_parse("t.conf", "log_level = info\0x", 18, &err));
	assert_non_null(strstr(err->message, "NUL"));
	g_error_free(err);
}

/* Only `len` bytes are the file: what follows them is never read (found by
 * fuzz/fuzz_config, which passes buffers without a terminating NUL). */
static void test_len_bounds_text(void **state)
{
	const char *text = "log_level = DEBUG\nno_such_key = 1\n";
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("t.conf", text, strlen("log_level = DEBUG\n"), &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->log_level, MG_LOG_DEBUG);
	mg_config_unref(cfg);
	cfg = mg_config_parse("t.conf", text, strlen("log_level = DEB"), &err);
	assert_null(cfg); /* "DEB" is not a level */
	g_clear_error(&err);
}

/* issue 14: a relative file name in a configuration file names a file in
 * that file's directory; an absolute one stays; text parsed without a file
 * keeps it as written. */
static void test_relative_paths(void **state)
{
	char *dir = g_dir_make_tmp("mgconf-XXXXXX", NULL);
	char *conf = g_build_filename(dir, "mugaika.conf", NULL);
	char *permits = g_build_filename(dir, "permits.list", NULL);
	const char *text = "auto_forward_permit_file = permits.list\npolicy_replies = /nonexistent-dir/r.conf\n";
	assert_true(g_file_set_contents(permits, "", 0, NULL));
	assert_true(g_file_set_contents(conf, "auto_forward_permit_file = permits.list\n", -1, NULL));
	GError *err = NULL;
	struct mg_config *cfg = mg_config_load(conf, &err);
	assert_non_null(cfg);
	assert_string_equal(cfg->auto_forward_permit_file, permits);
	char *cdir = mg_config_dir(cfg);
	assert_string_equal(cdir, dir);
	g_free(cdir);
	mg_config_unref(cfg);
	assert_true(g_file_set_contents(conf, text, -1, NULL));
	assert_null(mg_config_load(conf, &err)); /* the absolute name is kept, and does not exist */
	assert_non_null(strstr(err->message, "/nonexistent-dir/r.conf"));
	g_clear_error(&err);
	cfg = mg_config_parse("t.conf", "auto_forward_permit_file = x.list\n", 34, &err);
	if (cfg) /* without a file: as written (the load of x.list may fail) */
		assert_string_equal(cfg->auto_forward_permit_file, "x.list");
	g_clear_error(&err);
	if (cfg)
		mg_config_unref(cfg);
	g_unlink(permits);
	g_unlink(conf);
	g_rmdir(dir);
	g_free(permits);
	g_free(conf);
	g_free(dir);
}

static void test_load_missing_file(void **state)
{
	GError *err = NULL;
	assert_null(mg_config_load("/nonexistent/mugaika.conf", &err));
	assert_non_null(err);
	g_error_free(err);
}

static void test_refcount_and_dump(void **state)
{
	struct mg_config *cfg = mg_config_defaults();
	mg_config_ref(cfg);
	mg_config_unref(cfg);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	mg_config_dump(f, cfg, TRUE);
	fclose(f);
	for (gsize i = 0; i < mg_config_option_count(); i++) {
		char *want = g_strdup_printf("#%s =", mg_config_option_name(i));
		if (!strstr(buf, want))
			fail_msg("dump lacks %s", want);
		g_free(want);
	}
	free(buf);
	mg_config_unref(cfg);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_len_bounds_text),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_refcount_and_dump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
