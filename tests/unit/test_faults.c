/*
 * test_faults.c - issue 11 in the scan stage: no scan is clean unless it
 * ran.  libclamav's temporary directory is checked (missing, not a
 * directory, not writable by the daemon's user, no space), libclamav's own
 * error reports during a scan make the scan an error (also the one it makes
 * before it knows the scan's context), and what a killed run leaves in the
 * directory is removed at start - and nothing else.  In the store: the
 * audit record and the kept original say what the MTA was told (commit
 * after the front end acted), and what a killed daemon left is reconciled.
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

#include "mg_json.h"
#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_quarantine.h"
#include "mg_store.h"
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

/* The engine back on a directory that exists, for the tests after. */
static void engine_back(void)
{
	GError *err = NULL;
	struct mg_config *cfg = cfg_spool(tmp_dir, NULL);
	if (!mg_scan_reload(cfg, &err))
		fail_msg("reload: %s", err->message);
	mg_config_unref(cfg);
}

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
	engine_back();
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
	engine_back();
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

/* ---- the store follows the MTA's commit ---- */

struct store_env {
	char *dir, *qdir, *audit;
	struct mg_config *cfg;
	struct mg_conn *conn;
};

static void store_env_new(struct store_env *e, const char *name)
{
	e->dir = new_dir(name);
	e->qdir = g_build_filename(e->dir, "q", NULL);
	e->audit = g_build_filename(e->dir, "audit.log", NULL);
	char *extra = g_strdup_printf(
		"quarantine_keep = all\nquarantine_dir = %s\naudit_log = %s\nspool_min_free = 0\n", e->qdir, e->audit);
	e->cfg = cfg_spool(tmp_dir, extra);
	e->conn = mg_conn_new("192.0.2.7", "mx.example.com");
	g_free(extra);
}

static void store_env_free(struct store_env *e)
{
	mg_conn_free(e->conn);
	mg_config_unref(e->cfg);
	g_free(e->dir);
	g_free(e->qdir);
	g_free(e->audit);
}

/* A one-part message up to end-of-message, prepared, nothing committed. */
static struct mg_txn *prepared(struct store_env *e, const char *msgid)
{
	struct mg_txn *t = mg_txn_new(e->conn, e->cfg);
	mg_txn_set_queue_id(t, "TESTF1");
	mg_txn_mail_from(t, "<alice@example.com>", NULL);
	mg_txn_rcpt(t, "<user@city.example.lg.jp>", NULL);
	mg_txn_header(t, "From", "alice@example.com");
	mg_txn_header(t, "Message-ID", msgid);
	mg_txn_eoh(t);
	mg_txn_body(t, "Hello.\n", 7);
	assert_int_equal(mg_txn_eom_prepare(t)->kind, MG_VERDICT_ACCEPT);
	assert_non_null(t->quarantine_id);
	return t;
}

static gboolean marked(const struct store_env *e, const char *id)
{
	char *p = g_build_filename(e->qdir, ".pending", id, NULL);
	gboolean m = g_file_test(p, G_FILE_TEST_EXISTS);
	g_free(p);
	return m;
}

/* The verdict of the last audit record, or "" when there is none. */
static char *last_verdict(const struct store_env *e)
{
	char *text = NULL;
	if (!g_file_get_contents(e->audit, &text, NULL, NULL))
		return g_strdup("");
	char **lines = g_strsplit(g_strchomp(text), "\n", -1);
	guint n = g_strv_length(lines);
	JsonParser *p = json_parser_new();
	char *v = g_strdup("");
	if (n && json_parser_load_from_data(p, lines[n - 1], -1, NULL)) {
		JsonObject *o = json_node_get_object(json_parser_get_root(p));
		g_free(v);
		v = g_strdup(json_object_get_string_member_with_default(o, "verdict", ""));
	}
	g_object_unref(p);
	g_strfreev(lines);
	g_free(text);
	return v;
}

static gboolean has_id_header(struct mg_txn *t)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++)
		if (g_str_equal(((const struct mg_hdr_op *)ops->pdata[i])->name, "X-Mugaika-Quarantine-Id"))
			return TRUE;
	return FALSE;
}

static void test_commit(void **state)
{
	static const struct {
		const char *name;
		int how; /* 0 applied, 1 the MTA refused a change, 2 never answered */
		enum mg_verdict_kind want;
		const char *want_record;
		gboolean kept;
	} rows[] = {
		{"applied", 0, MG_VERDICT_ACCEPT, "accept", TRUE},
		{"MTA refused a change", 1, MG_VERDICT_TEMPFAIL, "tempfail", FALSE},
		{"never answered", 2, MG_VERDICT_ACCEPT, "aborted", FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct store_env e;
		char *name = g_strdup_printf("commit%zu", i);
		store_env_new(&e, name);
		struct mg_txn *t = prepared(&e, "<commit@example.com>");
		char *id = g_strdup(t->quarantine_id);
		assert_true(marked(&e, id));
		char *before = last_verdict(&e);
		assert_string_equal(before, ""); /* nothing on record before the commit */
		if (rows[i].how < 2) {
			const struct mg_verdict *v = mg_txn_commit(t, rows[i].how == 0);
			assert_int_equal(v->kind, rows[i].want);
			assert_int_equal(has_id_header(t), rows[i].kept);
		}
		mg_txn_free(t);
		char *got = last_verdict(&e);
		print_message("%s: record %s, entry %s\n", rows[i].name, got, rows[i].kept ? "kept" : "gone");
		assert_string_equal(got, rows[i].want_record);
		assert_false(marked(&e, id));
		struct mg_qstore *s = mg_qstore_open(e.cfg);
		JsonObject *m = s->ops->get_meta(s, id, NULL);
		assert_int_equal(m != NULL, rows[i].kept);
		if (m) {
			assert_string_equal(mg_json_get_str(m, "state"), "final");
			json_object_unref(m);
		}
		mg_qstore_close(s);
		g_free(before);
		g_free(got);
		g_free(id);
		g_free(name);
		store_env_free(&e);
	}
}

static void write_entry(struct mg_qstore *s, const char *id, const char *state, gboolean with_meta)
{
	GMimeStream *in = g_mime_stream_mem_new_with_buffer("From: a@b\n\nx\n", 13);
	char sha[65];
	gint64 size = 0;
	assert_true(s->ops->set_pending(s, id, TRUE, NULL));
	assert_true(s->ops->put_original(s, id, in, sha, &size, NULL));
	g_object_unref(in);
	if (with_meta) {
		JsonObject *m = json_object_new();
		json_object_set_string_member(m, "id", id);
		json_object_set_string_member(m, "state", state);
		assert_true(s->ops->put_meta(s, id, m, NULL));
		json_object_unref(m);
	}
}

static void test_reconcile(void **state)
{
	struct store_env e;
	store_env_new(&e, "reconcile");
	struct mg_qstore *s = mg_qstore_open(e.cfg);
	gint64 now = g_get_real_time();
	char *pending = mg_quarantine_new_id(now), *incomplete = mg_quarantine_new_id(now),
	     *final = mg_quarantine_new_id(now), *nothing = mg_quarantine_new_id(now);
	write_entry(s, pending, "pending", TRUE);
	write_entry(s, incomplete, NULL, FALSE);
	write_entry(s, final, "final", TRUE);
	assert_true(s->ops->set_pending(s, nothing, TRUE, NULL));
	char *day = g_build_filename(e.qdir, "XXXXXXXX", NULL);
	memcpy(day + strlen(day) - 8, pending, 8);
	char *old_tmp = g_strdup_printf("%s/.%s.eml.AbC123", day, pending), *new_tmp = NULL;
	assert_true(g_file_set_contents(old_tmp, "partial", -1, NULL));
	g_usleep(20000);
	gint64 started = g_get_real_time();
	g_usleep(20000);
	new_tmp = g_strdup_printf("%s/.%s.json.XyZ789", day, final); /* a write after the start: not ours */
	assert_true(g_file_set_contents(new_tmp, "in progress", -1, NULL));

	assert_int_equal(mg_store_reconcile(e.cfg, started), 5); /* four marked ids, one temporary file */
	JsonObject *m = s->ops->get_meta(s, pending, NULL);
	assert_string_equal(mg_json_get_str(m, "state"), "not-accepted");
	json_object_unref(m);
	m = s->ops->get_meta(s, final, NULL);
	assert_string_equal(mg_json_get_str(m, "state"), "final");
	json_object_unref(m);
	GError *err = NULL;
	assert_null(s->ops->get_meta(s, incomplete, &err));
	assert_true(g_error_matches(err, MG_QUARANTINE_ERROR, MG_QERR_NOT_FOUND)); /* removed */
	g_clear_error(&err);
	assert_false(g_file_test(old_tmp, G_FILE_TEST_EXISTS));
	assert_true(g_file_test(new_tmp, G_FILE_TEST_EXISTS));
	const char *ids[] = {pending, incomplete, final, nothing};
	for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
		assert_false(marked(&e, ids[i]));
	assert_int_equal(mg_store_reconcile(e.cfg, g_get_real_time()), 1); /* only the newer temporary file */
	mg_qstore_close(s);
	g_free(day);
	g_free(old_tmp);
	g_free(new_tmp);
	g_free(pending);
	g_free(incomplete);
	g_free(final);
	g_free(nothing);
	store_env_free(&e);
}

/* ---- memory budgets ---- */

/* A message with a PDF of LINES lines of base64 (48 bytes each decoded). */
static struct mg_txn *pdf_message(struct mg_config *cfg, struct mg_conn *c, int lines)
{
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_mail_from(t, "<alice@example.com>", NULL);
	mg_txn_rcpt(t, "<user@city.example.lg.jp>", NULL);
	mg_txn_header(t, "From", "alice@example.com");
	mg_txn_header(t, "MIME-Version", "1.0");
	mg_txn_header(t, "Content-Type", "multipart/mixed; boundary=\"b\"");
	mg_txn_eoh(t);
	GString *body = g_string_new("--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: application/pdf\n"
				     "Content-Transfer-Encoding: base64\n\n");
	for (int i = 0; i < lines; i++)
		g_string_append(body, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n");
	g_string_append(body, "--b--\n");
	mg_txn_body(t, body->str, body->len);
	g_string_free(body, TRUE);
	mg_txn_eom(t);
	return t;
}

static struct mg_txn *big_message(struct mg_config *cfg, struct mg_conn *c)
{
	return pdf_message(cfg, c, 40000); /* 3 MB of base64 */
}

static void test_memory_budgets(void **state)
{
	static const struct {
		const char *conf;
		enum mg_verdict_kind want;
		const char *code;
	} rows[] = {
		{"max_message_memory = 1M\n", MG_VERDICT_REJECT, "5.3.4"},
		{"max_memory = 1M\n", MG_VERDICT_TEMPFAIL, "4.3.1"},
		{"max_message_memory = 0\nmax_memory = 0\n", MG_VERDICT_ACCEPT, "2.0.0"},
	};
	gint64 before = mg_txn_mem_in_use();
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *extra = g_strdup_printf("%sspool_min_free = 0\nquarantine_keep = none\n", rows[i].conf);
		struct mg_config *cfg = cfg_spool(tmp_dir, extra);
		struct mg_conn *c = mg_conn_new(NULL, NULL);
		struct mg_txn *t = big_message(cfg, c);
		const struct mg_verdict *v = mg_txn_report(t) ? &mg_txn_report(t)->verdict : NULL;
		print_message("%s-> %s %s\n", rows[i].conf, v->code, v->ecode);
		assert_int_equal(v->kind, rows[i].want);
		assert_string_equal(v->ecode, rows[i].code);
		if (v->kind == MG_VERDICT_ACCEPT) {
			assert_true(mg_txn_mem_in_use() > before); /* held while the message lives */
		} else {
			/* the refused charge (the 1.9 MB PDF) is not held: it was never
			 * allocated, and holding it would refuse every other message */
			assert_true(mg_txn_mem_in_use() - before < 1024 * 1024);
			struct mg_conn *c2 = mg_conn_new(NULL, NULL);
			struct mg_txn *small = pdf_message(cfg, c2, 1000); /* 48 KB */
			const struct mg_verdict *v2 = &mg_txn_report(small)->verdict;
			print_message("  meanwhile a small message -> %s %s\n", v2->code, v2->ecode);
			assert_int_not_equal(v2->kind, MG_VERDICT_TEMPFAIL);
			mg_txn_free(small);
			mg_conn_free(c2);
		}
		mg_txn_free(t);
		assert_int_equal(mg_txn_mem_in_use(), before); /* and given back */
		mg_conn_free(c);
		mg_config_unref(cfg);
		g_free(extra);
	}
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
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_memory_budgets),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
