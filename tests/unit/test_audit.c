/*
 * test_audit.c - the hash-chained audit log: append, verify (a changed,
 * removed, reordered, inserted or cut line is caught at the right line),
 * concurrent writers, times and administrator dates.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mg_audit.h"
#include "mg_pipeline.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void append_n(const char *path, int n, const char *tag)
{
	for (int i = 0; i < n; i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "type", "message");
		json_object_set_string_member(o, "tag", tag);
		json_object_set_int_member(o, "n", i);
		mg_json_set_str(o, "subject", "件名 \"quoted\" \\ back");
		GError *err = NULL;
		assert_true(mg_audit_append(path, o, &err));
		assert_null(err);
		json_object_unref(o);
	}
}

static char **read_lines(const char *path)
{
	char *text = NULL;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	return lines; /* last element is "" after the final newline */
}

static void write_lines(const char *path, char **lines, gboolean final_nl)
{
	char *text = g_strjoinv("\n", lines);
	if (!final_nl && g_str_has_suffix(text, "\n"))
		text[strlen(text) - 1] = '\0';
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
}

/* Tamperings of a 4-record file; each returns the line verify must name. */
static guint64 t_edit(char **l)
{
	char *p = strstr(l[1], "\"n\":1");
	p[4] = '7';
	return 2;
}
static guint64 t_delete(char **l)
{
	g_free(l[1]);
	memmove(&l[1], &l[2], sizeof(char *) * (g_strv_length(l) - 1));
	return 2;
}
static guint64 t_swap(char **l)
{
	char *x = l[1];
	l[1] = l[2];
	l[2] = x;
	return 2;
}
static guint64 t_insert_first(char **l)
{
	char *x = l[0];
	l[0] = g_strdup_printf("{\"type\":\"message\",\"prev_hash\":\"%s\",\"hash\":\"%064d\"}", MG_AUDIT_GENESIS, 0);
	g_free(l[3]);
	l[3] = x; /* keeps 4 lines: forged, 0, 1, 0(dup) */
	return 1;
}
static guint64 t_rehash_edit(char **l)
{
	/* change a value AND replace the hash by the hash of the changed text:
	 * the next line's prev_hash no longer matches */
	char *p = strstr(l[1], "\"n\":1");
	p[4] = '8';
	char *cut = strstr(l[1], ",\"hash\":\"");
	GString *canon = g_string_new_len(l[1], cut - l[1]);
	g_string_append_c(canon, '}');
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, canon->str, canon->len);
	g_string_truncate(canon, canon->len - 1);
	g_string_append_printf(canon, ",\"hash\":\"%s\"}", h);
	g_free(h);
	g_free(l[1]);
	l[1] = g_string_free(canon, FALSE);
	return 3;
}

static void test_chain_tamper(void **state)
{
	static const struct {
		const char *name;
		guint64 (*tamper)(char **lines);
		gboolean final_nl;
	} rows[] = {
		{"edited value", t_edit, TRUE},
		{"deleted line", t_delete, TRUE},
		{"swapped lines", t_swap, TRUE},
		{"forged first line", t_insert_first, TRUE},
		{"edited and rehashed", t_rehash_edit, TRUE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *path = tmp_path("chain.log");
		unlink(path);
		append_n(path, 4, rows[i].name);
		guint64 n_ok = 0, bad = 0;
		char *why = NULL;
		GError *err = NULL;
		assert_true(mg_audit_verify(path, &n_ok, &bad, &why, &err));
		assert_int_equal(n_ok, 4);
		char **lines = read_lines(path);
		guint64 want = rows[i].tamper(lines);
		write_lines(path, lines, rows[i].final_nl);
		g_strfreev(lines);
		gboolean got = mg_audit_verify(path, &n_ok, &bad, &why, &err);
		print_message("%s: line %" G_GUINT64_FORMAT ": %s\n", rows[i].name, bad, why ? why : "(intact)");
		assert_false(got);
		assert_null(err);
		assert_int_equal(bad, want);
		assert_int_equal(n_ok, want - 1);
		g_free(why);
		g_free(path);
	}
}

static void test_torn_tail_continues(void **state)
{
	char *path = tmp_path("torn.log");
	unlink(path);
	append_n(path, 2, "torn");
	FILE *f = fopen(path, "a");
	fputs("{\"type\":\"message\",\"half", f); /* a writer died mid-line */
	fclose(f);
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	assert_false(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	assert_int_equal(bad, 3);
	g_free(why);
	why = NULL;
	append_n(path, 1, "after"); /* starts a fresh line; the torn one stays visible */
	assert_false(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	assert_int_equal(bad, 3);
	g_free(why);
	g_free(path);
}

/* A record longer than the writer's read block (the tail is read backwards
 * in 64 KiB blocks) still chains. */
static void test_long_records(void **state)
{
	char *path = tmp_path("long.log");
	unlink(path);
	char *big = g_strnfill(200000, 'x');
	for (int i = 0; i < 3; i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "big", big);
		assert_true(mg_audit_append(path, o, NULL));
		json_object_unref(o);
		append_n(path, 1, "short");
	}
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	assert_true(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	assert_int_equal(n_ok, 6);
	g_free(big);
	g_free(path);
}

/* Issue 14: logrotate moves the file away; the writer's next record starts
 * the new file from the last hash of the old one (PATH.head), so a verify
 * of both, oldest first, proves the link; a file that does not continue
 * the one before it, or whose first lines were cut, is caught at line 1. */
static void test_rotation(void **state)
{
	char *path = tmp_path("rot.log"), *old = tmp_path("rot.log.1"), *other = tmp_path("other.log");
	append_n(path, 3, "before");
	assert_int_equal(rename(path, old), 0);
	append_n(path, 2, "after");
	append_n(other, 2, "unrelated");
	struct mg_audit_chain v = {{0}};
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	assert_true(mg_audit_verify_chain(old, &v, &n_ok, &bad, &why, NULL));
	assert_string_equal(v.first_prev, "");
	g_strlcpy(v.expect, v.last, sizeof v.expect);
	assert_true(mg_audit_verify_chain(path, &v, &n_ok, &bad, &why, NULL));
	assert_int_equal(n_ok, 2);
	assert_string_equal(v.first_prev, v.expect); /* the link is proven */
	char **lines = read_lines(path);
	assert_non_null(strstr(lines[0], "\"" MG_AUDIT_CONTINUES "\":true"));
	assert_null(strstr(lines[1], MG_AUDIT_CONTINUES));
	/* alone, the new file is intact and says where it continues from */
	assert_true(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	/* a file that starts its own chain does not continue the old one */
	struct mg_audit_chain w = {{0}};
	g_strlcpy(w.expect, v.expect, sizeof w.expect);
	assert_false(mg_audit_verify_chain(other, &w, &n_ok, &bad, &why, NULL));
	assert_int_equal(bad, 1);
	assert_non_null(strstr(why, "does not continue"));
	g_free(why);
	why = NULL;
	/* nor does the old file continue itself */
	struct mg_audit_chain x = {{0}};
	g_strlcpy(x.expect, MG_AUDIT_GENESIS, sizeof x.expect);
	x.expect[0] = '1';
	assert_false(mg_audit_verify_chain(path, &x, &n_ok, &bad, &why, NULL));
	assert_int_equal(bad, 1);
	g_free(why);
	why = NULL;
	/* the continued file without its first record: broken at line 1 */
	write_lines(path, lines + 1, TRUE);
	assert_false(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	assert_int_equal(bad, 1);
	g_free(why);
	g_strfreev(lines);
	g_free(path);
	g_free(old);
	g_free(other);
}

static void test_unreadable(void **state)
{
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	GError *err = NULL;
	assert_false(mg_audit_verify("/nonexistent/audit.log", &n_ok, &bad, &why, &err));
	assert_non_null(err);
	g_error_free(err);
	err = NULL;
	char *path = g_build_filename(tmpdir, "nodir", "x", "audit.log", NULL);
	JsonObject *o = json_object_new();
	assert_false(mg_audit_append(path, o, &err));
	assert_non_null(err);
	assert_non_null(strstr(err->message, path)); /* the error names the file */
	g_error_free(err);
	json_object_unref(o);
	g_free(path);
}

struct writer {
	const char *path;
	int n;
};

static gpointer writer_thread(gpointer data)
{
	struct writer *w = data;
	append_n(w->path, w->n, "thread");
	return NULL;
}

static void test_concurrent(void **state)
{
	char *path = tmp_path("threads.log");
	unlink(path);
	struct writer w = {path, 50};
	GThread *th[4];
	for (int i = 0; i < 4; i++)
		th[i] = g_thread_new("w", writer_thread, &w);
	for (int i = 0; i < 4; i++)
		g_thread_join(th[i]);
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	assert_true(mg_audit_verify(path, &n_ok, &bad, &why, NULL));
	assert_int_equal(n_ok, 200);
	g_free(path);
}

static void test_times(void **state)
{
	/* TZ is Asia/Tokyo (main) */
	gint64 us = G_GINT64_CONSTANT(1795950123123456); /* 2026-11-29T11:02:03.123456Z */
	char *s = mg_audit_time_iso(us);
	assert_string_equal(s, "2026-11-29T20:02:03.123+09:00");
	gint64 back = 0;
	assert_true(mg_audit_time_parse(s, &back));
	assert_int_equal(back, us - 456);
	g_free(s);
}

static void test_dates(void **state)
{
	static const struct {
		const char *in;
		gboolean end_of_day, ok;
		gint64 want_s; /* unix seconds */
	} rows[] = {
		{"2026-11-29", FALSE, TRUE, 1795878000}, /* JST midnight */
		{"2026-11-29", TRUE, TRUE, 1795964400},  /* the next midnight */
		{"2026-11-29T20:02:03+09:00", FALSE, TRUE, 1795950123},
		{"2026-11-29T20:02:03", FALSE, TRUE, 1795950123}, /* local */
		{"2026-11-29T11:02:03Z", TRUE, TRUE, 1795950123}, /* a time is exact */
		{"2026-02-30", FALSE, FALSE, 0},
		{"2026-13-01", FALSE, FALSE, 0},
		{"2026-1-1", FALSE, FALSE, 0},
		{"2026-11-29x", FALSE, FALSE, 0},
		{"yesterday", FALSE, FALSE, 0},
		{"", FALSE, FALSE, 0},
		{"2026-11-29T25:00:00", FALSE, FALSE, 0},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		gint64 got = 0;
		GError *err = NULL;
		gboolean ok = mg_audit_parse_date(rows[i].in, rows[i].end_of_day, &got, &err);
		print_message("%s -> %d %" G_GINT64_FORMAT "\n", rows[i].in, ok, got / G_USEC_PER_SEC);
		assert_int_equal(ok, rows[i].ok);
		if (ok)
			assert_int_equal(got, rows[i].want_s * G_USEC_PER_SEC);
		else {
			assert_non_null(err);
			assert_non_null(strstr(err->message, rows[i].in)); /* names the text */
			g_error_free(err);
		}
	}
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	g_setenv("TZ", "Asia/Tokyo", TRUE);
	tzset();
	tmpdir = g_dir_make_tmp("mg_audit_XXXXXX", NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_tamper), cmocka_unit_test(test_torn_tail_continues),
		cmocka_unit_test(test_long_records), cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_rotation),     cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_times),        cmocka_unit_test(test_dates),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
