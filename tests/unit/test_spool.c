/* test_spool - memory then private file, hard limit, read back. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mg_spool.h"

static char *read_all(struct mg_spool *sp)
{
	GMimeStream *s = mg_spool_stream(sp, NULL);
	GString *g = g_string_new(NULL);
	char buf[7]; /* small reads on purpose */
	gssize n;
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_string_append_len(g, buf, n);
	assert_int_equal(n, 0); /* the end is 0, not an error */
	g_object_unref(s);
	return g_string_free(g, FALSE);
}

struct spool_row {
	gsize mem_max, hard_max;
	const char *chunks[4];
	gboolean want_disk;
	enum mg_spool_status want_last;
	const char *want_content;
};

static void test_spool_rows(void **state)
{
	static const struct spool_row rows[] = {
		{100, 1000, {"abc", "def", NULL}, FALSE, MG_SPOOL_OK, "abcdef"},
		{4, 1000, {"abc", "def", "ghi", NULL}, TRUE, MG_SPOOL_OK, "abcdefghi"},
		{0, 1000, {"x", NULL}, TRUE, MG_SPOOL_OK, "x"},
		{100, 5, {"abc", "def", NULL}, FALSE, MG_SPOOL_FULL, "abc"},
		{2, 5, {"abc", "de", "f", NULL}, TRUE, MG_SPOOL_FULL, "abcde"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_spool *sp = mg_spool_new(NULL, rows[i].mem_max, rows[i].hard_max);
		enum mg_spool_status st = MG_SPOOL_OK;
		for (int c = 0; rows[i].chunks[c]; c++)
			st = mg_spool_write(sp, rows[i].chunks[c], strlen(rows[i].chunks[c]), NULL);
		assert_int_equal(st, rows[i].want_last);
		assert_int_equal(mg_spool_on_disk(sp), rows[i].want_disk);
		char *got = read_all(sp);
		assert_string_equal(got, rows[i].want_content);
		char *again = read_all(sp); /* streams are independent */
		assert_string_equal(again, rows[i].want_content);
		g_free(got);
		g_free(again);
		mg_spool_free(sp);
	}
}

static void test_spool_bad_dir(void **state)
{
	GError *err = NULL;
	struct mg_spool *sp = mg_spool_new("/nonexistent/spool", 1, 100);
	assert_int_equal(mg_spool_write(sp, "abc", 3, &err), MG_SPOOL_ERROR);
	assert_non_null(err);
	g_error_free(err);
	mg_spool_free(sp);
}

static void test_spool_private_file(void **state)
{
	char *dir = g_dir_make_tmp("mgspool-XXXXXX", NULL);
	struct mg_spool *sp = mg_spool_new(dir, 1, 100);
	assert_int_equal(mg_spool_write(sp, "secret", 6, NULL), MG_SPOOL_OK);
	assert_true(mg_spool_on_disk(sp));
	GDir *d = g_dir_open(dir, 0, NULL);
	assert_null(g_dir_read_name(d)); /* unlinked at once: nothing by name */
	g_dir_close(d);
	GMimeStream *s = mg_spool_sink(dir, TRUE, NULL);
	assert_non_null(s);
	assert_int_equal(g_mime_stream_write(s, "out", 3), 3);
	g_object_unref(s);
	mg_spool_free(sp);
	rmdir(dir);
	g_free(dir);
}

int main(void)
{
	g_mime_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_rows),
		cmocka_unit_test(test_spool_bad_dir),
		cmocka_unit_test(test_spool_private_file),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
