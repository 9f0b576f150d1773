/*
 * test_faults.c - issue 11 in the scan stage: no scan is clean unless it
 * ran.  libclamav's temporary directory is checked (missing, not a
 * directory, not writable by the daemon's user, no space), libclamav's own
 * error reports during a scan make the scan an error (also the one it makes
 * before it knows the scan's context), and what a killed run leaves in the
 * directory is removed at start - and nothing else.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <clamav.h>
#include <glib/gstdio.h>

#include <cmocka.h>

#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_scan.h"
#include "mg_txn.h"
#include "scan_engine.h"
#include "testutil.h"

static char *tmp_dir; /* removed at the end */
static char *db_dir;

static void run_mkclamdb(const char *dir)
{
	const char *top = g_getenv("top_srcdir");
	char *script = g_build_filename(top ? top : ".", "tests", "mkclamdb.sh", NULL);
	char *argv[] = {"/bin/sh", script, (char *)dir, NULL};
	int status = -1;
	assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
	assert_true(g_spawn_check_wait_status(status, NULL));
	g_free(script);
}

/* A configuration scanning with DB into spool_dir DIR (extra keys appended). */
static struct mg_config *cfg_spool(const char *dir, const char *extra)
{
	char *text = g_strdup_printf("clamav_database = %s\nlog_level = error\nspool_dir = %s\n%s", db_dir, dir,
				     extra ? extra : "spool_min_free = 0\n");
	struct mg_config *cfg = tu_config(text);
	g_free(text);
	return cfg;
}

static char *new_dir(const char *name)
{
	char *d = g_build_filename(tmp_dir, name, NULL);
	assert_int_equal(g_mkdir_with_parents(d, 0700), 0);
	return d;
}

/* ---- the directory check ---- */

struct dir_case {
	const char *name;
	const char *setup; /* "missing", "file", "ok", "full", "root-owned" */
	const char *user;  /* checked for this user (root only) */
	gboolean want_ok;
	const char *want; /* in the error */
};

static void test_check_tmpdir(void **state)
{
	const struct dir_case cases[] = {
		{"usable", "ok", NULL, TRUE, NULL},
		{"missing", "missing", NULL, FALSE, "No such file"},
		{"a file", "file", NULL, FALSE, "not a directory"},
		{"no space", "full", NULL, FALSE, "spool_min_free"},
		{"other user's", "root-owned", "nobody", FALSE, "not writable by user nobody"},
		{"unknown user", "ok", "no-such-user-mg", FALSE, "does not exist"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct dir_case *c = &cases[i];
		if (c->user && geteuid() != 0) {
			print_message("skip %s: needs root\n", c->name);
			continue;
		}
		char *dir = g_build_filename(tmp_dir, "check", c->setup, NULL);
		const char *extra = g_str_equal(c->setup, "full") ? "spool_min_free = 1024G\n" : NULL;
		g_free(new_dir("check"));
		if (g_str_equal(c->setup, "file")) {
			assert_true(g_file_set_contents(dir, "x", 1, NULL));
		} else if (!g_str_equal(c->setup, "missing")) {
			assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
		}
		struct mg_config *cfg = cfg_spool(dir, extra);
		GError *err = NULL;
		gboolean ok = mg_scan_check_tmpdir(cfg, c->user, &err);
		print_message("%s: %s\n", c->name, err ? err->message : "ok");
		assert_int_equal(ok, c->want_ok);
		if (!ok) {
			assert_non_null(strstr(err->message, "spool_dir"));
			assert_non_null(strstr(err->message, dir));
			assert_non_null(strstr(err->message, c->want));
		}
		g_clear_error(&err);
		mg_config_unref(cfg);
		g_free(dir);
	}
}

/* ---- scans without their directory ---- */

static const char *eicar(void)
{
	static char s[69];
	const char *parts[] = {"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"};
	s[0] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++)
		g_strlcat(s, parts[i], sizeof s);
	return s;
}

/* libclamav itself: its per-scan directory cannot be made, it says so
 * (before it knows the scan's context) and answers CLEAN.  The callback
 * counts the report against the scan running on this thread. */
static void test_libclamav_error_counted(void **state)
{
	char *dir = new_dir("gone");
	struct mg_config *cfg = cfg_spool(dir, NULL);
	GError *err = NULL;
	assert_true(mg_scan_reload(cfg, &err));
	assert_int_equal(g_rmdir(dir), 0);
	struct mg_scan_engine *e = mg_scan_engine_get();
	const char *data = eicar(), *vname = NULL;
	cl_fmap_t *map = cl_fmap_open_memory(data, strlen(data));
	struct mg_scan_ctx ctx = {.queue_id = "TEST"};
	cl_error_t rc = mg_scan_run(map, "eicar", &vname, e, &ctx);
	print_message("libclamav: %s, %u errors: %s\n", cl_strerror(rc), ctx.errors, ctx.first_error);
	assert_int_equal(rc, CL_CLEAN); /* the reason for all of issue 11's scan checks */
	assert_true(ctx.errors >= 1);
	assert_non_null(strstr(ctx.first_error, "temporary directory"));
	g_free(ctx.first_error);
	cl_fmap_close(map);
	mg_scan_engine_unref(e);
	mg_config_unref(cfg);
	g_free(dir);
}

/* Through mugaika: EICAR, with the directory removed after the engine was
 * loaded, is an error naming spool_dir - never clean. */
static void test_scan_without_tmpdir(void **state)
{
	char *dir = new_dir("removed");
	struct mg_config *cfg = cfg_spool(dir, NULL);
	GError *err = NULL;
	assert_true(mg_scan_reload(cfg, &err));
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	struct mg_txn *t = mg_txn_new(c, cfg);
	char *virus = NULL, *why = NULL;
	assert_int_equal(g_rmdir(dir), 0);
	enum mg_scan_result got = mg_scan_buffer(t, eicar(), 68, "eicar", &virus, &why);
	print_message("without the directory: %d %s\n", got, why ? why : "");
	assert_int_equal(got, MG_SCAN_ERROR);
	assert_non_null(strstr(why, "spool_dir"));
	g_free(virus);
	g_free(why);
	/* a reload to it is refused, naming the key */
	assert_false(mg_scan_reload(cfg, &err));
	assert_non_null(strstr(err->message, "spool_dir"));
	g_clear_error(&err);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
	g_free(dir);
}

/* ---- leftovers ---- */

static void put(const char *dir, const char *name, gboolean is_dir)
{
	char *p = g_build_filename(dir, name, NULL);
	if (is_dir) {
		char *sub = g_build_filename(p, "sub", NULL), *f = g_build_filename(sub, "member.bin", NULL);
		assert_int_equal(g_mkdir_with_parents(sub, 0700), 0);
		assert_true(g_file_set_contents(f, "extracted", -1, NULL));
		g_free(f);
		g_free(sub);
	} else {
		assert_true(g_file_set_contents(p, "x", -1, NULL));
	}
	g_free(p);
}

static gboolean exists(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL);
	gboolean e = g_file_test(p, G_FILE_TEST_EXISTS);
	g_free(p);
	return e;
}

static void test_cleanup_leftovers(void **state)
{
	static const struct {
		const char *name;
		gboolean dir, removed;
	} rows[] = {
		{"20261204_101010-scantemp.0a1b2c3d4e", TRUE, TRUE},
		{"clamav-0123456789abcdef0123456789abcdef0123456789abcdef.tmp", FALSE, TRUE},
		{"20261204_101010-scantemp.not-hex", TRUE, FALSE},
		{"2026120_101010-scantemp.0a1b", TRUE, FALSE},
		{"mugaika-keep.eml", FALSE, FALSE},
		{"clamav-xyz.tmp", FALSE, FALSE},
	};
	char *dir = new_dir("leftovers");
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		put(dir, rows[i].name, rows[i].dir);
	g_usleep(20000);
	gint64 started = g_get_real_time();
	g_usleep(20000);
	put(dir, "20261204_101011-scantemp.ffff", TRUE); /* a scan of another process, after our start */
	struct mg_config *cfg = cfg_spool(dir, NULL);
	assert_int_equal(mg_scan_cleanup_tmpdir(cfg, started), 2);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		print_message("%s: %s\n", rows[i].name, exists(dir, rows[i].name) ? "kept" : "removed");
		assert_int_equal(exists(dir, rows[i].name), !rows[i].removed);
	}
	assert_true(exists(dir, "20261204_101011-scantemp.ffff"));
	mg_config_unref(cfg);
	g_free(dir);
}

/* ---- setup ---- */

static int group_setup(void **state)
{
	mg_pipeline_global_init();
	mg_log_set_level(g_getenv("MG_TEST_VERBOSE") ? MG_LOG_DEBUG : MG_LOG_ERR);
	tmp_dir = g_dir_make_tmp("test_faults.XXXXXX", NULL);
	if (!tmp_dir)
		return -1;
	g_chmod(tmp_dir, 0755); /* the "other user's" case looks inside as nobody */
	db_dir = g_build_filename(tmp_dir, "db", NULL);
	run_mkclamdb(db_dir);
	GError *err = NULL;
	struct mg_config *cfg = cfg_spool(tmp_dir, NULL);
	gboolean ok = mg_scan_global_init(cfg, &err);
	mg_config_unref(cfg);
	if (!ok)
		fprintf(stderr, "scan init: %s\n", err->message);
	return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
	mg_scan_global_shutdown();
	char *argv[] = {"rm", "-rf", tmp_dir, NULL};
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	g_free(tmp_dir);
	g_free(db_dir);
	mg_pipeline_global_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_tmpdir),
		cmocka_unit_test(test_libclamav_error_counted),
		cmocka_unit_test(test_scan_without_tmpdir),
		cmocka_unit_test(test_cleanup_leftovers),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
