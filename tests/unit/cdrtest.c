/*
 * cdrtest.c - see cdrtest.h.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "cdrctx.h"
#include "cdrtest.h"

char *cdrtest_dir;

const char *cdrtest_srcdir(void)
{
	const char *s = g_getenv("top_srcdir");
	return s ? s : ".";
}

const char *cdrtest_python(void)
{
	const char *p = g_getenv("PYTHON3");
	return p && *p ? p : "python3";
}

int cdrtest_run(char **argv, char **output)
{
	int status = -1;
	GError *err = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, output, NULL, &status, &err)) {
		fprintf(stderr, "spawn %s: %s\n", argv[0], err->message);
		g_error_free(err);
		return -1;
	}
	return g_spawn_check_wait_status(status, NULL) ? 0 : 1;
}

int cdrtest_setup(void **state)
{
	cdrtest_dir = g_dir_make_tmp("mg-cdr-XXXXXX", NULL);
	char *script = g_build_filename(cdrtest_srcdir(), "tests", "cdr", "gen_office.py", NULL);
	char *argv[] = {(char *)cdrtest_python(), script, cdrtest_dir, NULL};
	int rc = cdrtest_run(argv, NULL);
	g_free(script);
	return rc;
}

int cdrtest_teardown(void **state)
{
	GDir *d = g_dir_open(cdrtest_dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(cdrtest_dir, n, NULL);
		g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(cdrtest_dir);
	g_free(cdrtest_dir);
	return 0;
}

struct mg_txn *cdrtest_txn(const char *conf)
{
	GError *err = NULL;
	struct mg_txn *t = g_new0(struct mg_txn, 1);
	t->cfg = conf ? mg_config_parse("test.conf", conf, strlen(conf), &err) : mg_config_defaults();
	if (!t->cfg)
		fail_msg("config: %s", err->message);
	t->report = mg_report_new();
	t->queue_id = g_strdup("TEST");
	t->deadline_us = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	return t;
}

void cdrtest_txn_free(struct mg_txn *t)
{
	mg_config_unref(t->cfg);
	mg_report_free(t->report);
	g_free(t->queue_id);
	g_free(t);
}

GBytes *cdrtest_sample(const char *name)
{
	char *p = g_build_filename(cdrtest_dir, name, NULL), *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	g_free(p);
	return g_bytes_new_take(data, len);
}

enum mg_cdr_status cdrtest_file(struct mg_txn *t, const char *name, GBytes *b, struct mg_cdr_out *out)
{
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	struct mg_cdr_in in = {.ctx = cdrctx(t), .data = d, .len = len, .filename = name};
	mg_cdr_out_init(out);
	enum mg_cdr_status st = mg_cdr_file(&in, out);
	cdrctx_apply(t); /* what the file asked of the message, as attach.c does */
	return st;
}

gboolean cdrtest_removed_has(const struct mg_cdr_out *out, const char *needle)
{
	for (guint i = 0; i < out->removed->len; i++)
		if (strstr(out->removed->pdata[i], needle))
			return TRUE;
	return FALSE;
}

gboolean cdrtest_zip_has_name(const GByteArray *b, const char *needle)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(b->data, b->len, 0, &ze);
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	gboolean found = FALSE;
	assert_non_null(za);
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
		char *low = g_ascii_strdown(zip_get_name(za, i, 0), -1);
		found = found || strstr(low, needle) != NULL;
		g_free(low);
	}
	zip_discard(za);
	zip_error_fini(&ze);
	return found;
}

/* Damaged documents: one byte flipped at a time.  Never a crash, never a
 * rebuilt file that still carries the macro part. */
