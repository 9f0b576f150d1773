/*
 * test_quarantine.c - keeping originals through the pipeline (byte-identical
 * copy, which messages are kept, X-Mugaika-Quarantine-Id), fail-closed
 * behaviour (unwritable store or audit log -> tempfail), the directory
 * store (ids, bad input), purge (retention per class, legal hold), and the
 * report over the audit records of a test run.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mg_audit.h"
#include "mg_quarantine.h"
#include "mg_scan.h"
#include "testutil.h"
#include "mg_store.h"
#include "mg_txn.h"
#include "mg_pipeline.h"

static char *tmpdir;
static int case_no;

/* A fresh directory per case, with a config that points into it. */
struct env {
	char *dir, *qdir, *audit;
	struct mg_config *cfg;
};

/* qdir/audit: paths to use instead of the case directory's (NULL: those) */
static void env_new_paths(struct env *e, const char *extra, const char *qdir, const char *audit)
{
	e->dir = g_strdup_printf("%s/case%d", tmpdir, ++case_no);
	assert_int_equal(g_mkdir_with_parents(e->dir, 0700), 0);
	e->qdir = qdir ? g_strdup(qdir) : g_build_filename(e->dir, "q", NULL);
	e->audit = audit ? g_strdup(audit) : g_build_filename(e->dir, "audit.log", NULL);
	/* issue 16: the organisation's domain, no sender authentication (DNS) */
	char *text = g_strdup_printf("quarantine_dir = %s\naudit_log = %s\nadmin_audit_log = %s/admin.log\n"
				     "internal_domain = city.example.lg.jp\nauth_mode = off\n%s",
				     e->qdir, e->audit, e->dir, extra ? extra : "");
	GError *err = NULL;
	tu_audit_keys(); /* issue 17: the logs are keyed */
	e->cfg = mg_config_parse("test.conf", text, strlen(text), &err);
	if (!e->cfg)
		fail_msg("config: %s", err->message);
	g_free(text);
}

static void env_new(struct env *e, const char *extra)
{
	env_new_paths(e, extra, NULL, NULL);
}

static void env_free(struct env *e)
{
	mg_config_unref(e->cfg);
	g_free(e->dir);
	g_free(e->qdir);
	g_free(e->audit);
}

/* The result of one message through the pipeline. */
struct run {
	enum mg_verdict_kind verdict;
	char *qid;     /* t->quarantine_id at the end */
	char *hdr_qid; /* value of the X-Mugaika-Quarantine-Id ADD, if any */
	gboolean aborted;
};

static void run_clear(struct run *r)
{
	g_free(r->qid);
	g_free(r->hdr_qid);
	memset(r, 0, sizeof *r);
}

/* Feed header fields (split as an MTA does: value without the leading
 * space, folded lines kept) and the body. */
static void feed_message(struct mg_txn *t, const char *msg)
{
	const char *sep = strstr(msg, "\n\n");
	assert_non_null(sep);
	char *head = g_strndup(msg, sep - msg + 1);
	char **lines = g_strsplit(head, "\n", -1);
	GString *field = NULL;
	for (int i = 0; lines[i]; i++) {
		if (field && (lines[i][0] == ' ' || lines[i][0] == '\t')) {
			g_string_append_printf(field, "\n%s", lines[i]);
			continue;
		}
		if (field) {
			char *colon = strchr(field->str, ':');
			*colon = '\0';
			mg_txn_header(t, field->str, colon[1] == ' ' ? colon + 2 : colon + 1);
			g_string_free(field, TRUE);
			field = NULL;
		}
		if (lines[i][0])
			field = g_string_new(lines[i]);
	}
	g_strfreev(lines);
	g_free(head);
	mg_txn_eoh(t);
	const char *body = sep + 2;
	for (gsize off = 0, n = strlen(body); off < n; off += 7) /* small chunks */
		mg_txn_body(t, body + off, MIN(7, n - off));
}

typedef void (*mg_mid_fn)(struct mg_txn *t);

static void run_message(struct env *e, const char *from, const char *msg, mg_mid_fn mid, struct run *r)
{
	struct mg_conn *c = mg_conn_new("192.0.2.7", "mx.example.com");
	mg_conn_helo(c, "mx.example.com");
	struct mg_txn *t = mg_txn_new(c, e->cfg);
	mg_txn_set_queue_id(t, "TESTQ1");
	mg_txn_mail_from(t, from, NULL);
	mg_txn_rcpt(t, "user@city.example.lg.jp", NULL);
	feed_message(t, msg);
	if (mid)
		mid(t);
	r->verdict = mg_txn_eom(t)->kind;
	r->qid = g_strdup(t->quarantine_id);
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD && strcmp(op->name, "X-Mugaika-Quarantine-Id") == 0)
			r->hdr_qid = g_strdup(op->value);
	}
	mg_txn_free(t);
	mg_conn_free(c);
}

static const char *plain_msg = "From: Alice <alice@example.com>\n"
			       "To: user@city.example.lg.jp\n"
			       "Subject: =?UTF-8?B?5Lya6K2w44Gu44GK55+l44KJ44Gb?=\n"
			       " (folded)\n"
			       "Message-ID: <plain.1@example.com>\n"
			       "Content-Type: text/plain; charset=UTF-8\n"
			       "\n"
			       "Hello.\n"
			       ".leading dot\n"
			       "\n"
			       "Last line without newline";

/* A message whose nesting exceeds max_mime_parts = 2: rejected at end of
 * message, after the whole body was read. */
static const char *deep_msg = "From: mallory@bad.example\n"
			      "Message-ID: <deep.1@bad.example>\n"
			      "Content-Type: multipart/mixed; boundary=a\n\n"
			      "--a\nContent-Type: multipart/mixed; boundary=b\n\n"
			      "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
			      "--c\n\nx\n--c--\n--b--\n--a--\n";

static char *read_file(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return text;
}

static char *original_path(struct env *e, const char *id, const char *ext)
{
	char day[9];
	g_strlcpy(day, id, sizeof day);
	char *name = g_strconcat(id, ext, NULL);
	char *p = g_build_filename(e->qdir, day, name, NULL);
	g_free(name);
	return p;
}

/* The last audit record, parsed. */
static JsonObject *last_record(const char *path)
{
	char *text = read_file(path);
	assert_non_null(text);
	g_strchomp(text);
	char *nl = strrchr(text, '\n');
	JsonParser *p = json_parser_new();
	assert_true(json_parser_load_from_data(p, nl ? nl + 1 : text, -1, NULL));
	JsonObject *o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
	g_object_unref(p);
	g_free(text);
	return o;
}

/* ---- which messages are kept ---- */

static void mark_removed(struct mg_txn *t)
{
	struct mg_part_report *p = mg_report_add_part(t->report, "9");
	p->action = MG_ACTION_REMOVED;
	p->reason = g_strdup("test: attachment removed");
}

static void test_keep_policy(void **state)
{
	static const struct {
		const char *conf;
		const char **msg;
		mg_mid_fn mid;
		enum mg_verdict_kind want_verdict;
		const char *want_class; /* NULL: nothing kept */
	} rows[] = {
		{"quarantine_keep = all\n", &plain_msg, NULL, MG_VERDICT_ACCEPT, "clean"},
		{"", &plain_msg, NULL, MG_VERDICT_ACCEPT, NULL},
		{"", &plain_msg, mark_removed, MG_VERDICT_ACCEPT, "modified"},
		{"quarantine_keep = blocked\n", &plain_msg, mark_removed, MG_VERDICT_ACCEPT, NULL},
		{"quarantine_keep = none\n", &plain_msg, mark_removed, MG_VERDICT_ACCEPT, NULL},
		{"max_mime_parts = 2\n", &deep_msg, NULL, MG_VERDICT_REJECT, "blocked"},
		{"max_mime_parts = 2\nquarantine_keep = modified\n", &deep_msg, NULL, MG_VERDICT_REJECT, NULL},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct env e;
		struct run r = {0};
		env_new(&e, rows[i].conf);
		run_message(&e, "alice@example.com", *rows[i].msg, rows[i].mid, &r);
		print_message("row %zu: verdict %s id %s\n", i, mg_verdict_name(r.verdict), r.qid ? r.qid : "-");
		assert_int_equal(r.verdict, rows[i].want_verdict);
		JsonObject *rec = last_record(e.audit);
		if (!rows[i].want_class) {
			assert_null(r.qid);
			assert_null(r.hdr_qid);
			assert_null(mg_json_get_str(rec, "quarantine_id"));
		} else {
			assert_non_null(r.qid);
			assert_true(mg_quarantine_id_valid(r.qid));
			assert_string_equal(mg_json_get_str(rec, "quarantine_id"), r.qid);
			if (r.verdict == MG_VERDICT_ACCEPT)
				assert_string_equal(r.hdr_qid, r.qid);
			else
				assert_null(r.hdr_qid);
			struct mg_qstore *s = mg_qstore_open(e.cfg);
			JsonObject *m = s->ops->get_meta(s, r.qid, NULL);
			assert_non_null(m);
			assert_string_equal(mg_json_get_str(m, "class"), rows[i].want_class);
			assert_string_equal(mg_json_get_str(m, "state"), "final");
			assert_string_equal(mg_json_get_str(m, "verdict"), mg_verdict_name(rows[i].want_verdict));
			json_object_unref(m);
			mg_qstore_close(s);
		}
		json_object_unref(rec);
		run_clear(&r);
		env_free(&e);
	}
}

static void test_original_identical(void **state)
{
	struct env e;
	struct run r = {0};
	env_new(&e, "quarantine_keep = all\n");
	run_message(&e, "alice@example.com", plain_msg, NULL, &r);
	assert_int_equal(r.verdict, MG_VERDICT_ACCEPT);
	char *path = original_path(&e, r.qid, ".eml"), *got = read_file(path);
	assert_non_null(got);
	assert_string_equal(got, plain_msg);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* metadata: hash of the original, envelope, decoded subject, client */
	struct mg_qstore *s = mg_qstore_open(e.cfg);
	JsonObject *m = s->ops->get_meta(s, r.qid, NULL);
	char *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, plain_msg, -1);
	assert_string_equal(mg_json_get_str(m, "original_sha256"), sha);
	assert_int_equal(mg_json_get_int(m, "original_size", -1), (gint64)strlen(plain_msg));
	assert_string_equal(mg_json_get_str(m, "mail_from"), "alice@example.com");
	assert_string_equal(mg_json_get_str(m, "subject"), "会議のお知らせ (folded)");
	assert_string_equal(mg_json_get_str(m, "message_id"), "<plain.1@example.com>");
	assert_string_equal(mg_json_get_str(json_object_get_object_member(m, "client"), "helo"), "mx.example.com");
	assert_false(json_object_get_boolean_member(m, "hold"));
	json_object_unref(m);
	mg_qstore_close(s);
	g_free(sha);
	g_free(got);
	g_free(path);
	run_clear(&r);
	env_free(&e);
}

/* ---- failing closed ---- */

static void test_fail_closed(void **state)
{
	static const struct {
		const char *name, *conf;
		const char **msg;
		gboolean bad_store, bad_audit;
		enum mg_verdict_kind want;
	} rows[] = {
		{"store unwritable, modified", "quarantine_keep = all\n", &plain_msg, TRUE, FALSE, MG_VERDICT_TEMPFAIL},
		{"store unwritable, blocked", "max_mime_parts = 2\n", &deep_msg, TRUE, FALSE, MG_VERDICT_TEMPFAIL},
		{"store unwritable, nothing to keep", "", &plain_msg, TRUE, FALSE, MG_VERDICT_ACCEPT},
		{"audit unwritable", "quarantine_keep = all\n", &plain_msg, FALSE, TRUE, MG_VERDICT_TEMPFAIL},
		{"audit unwritable, blocked", "max_mime_parts = 2\n", &deep_msg, FALSE, TRUE, MG_VERDICT_TEMPFAIL},
		{"audit unwritable, continue", "quarantine_keep = all\non_audit_failure = continue\n", &plain_msg,
		 FALSE, TRUE, MG_VERDICT_ACCEPT},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		/* a path below a regular file cannot be created, even by root */
		char *blocker = g_strdup_printf("%s/blocker%zu", tmpdir, i);
		assert_true(g_file_set_contents(blocker, "x", 1, NULL));
		char *bad_q = g_strconcat(blocker, "/q", NULL), *bad_a = g_strconcat(blocker, "/audit.log", NULL);
		struct env e;
		struct run r = {0};
		env_new_paths(&e, rows[i].conf, rows[i].bad_store ? bad_q : NULL, rows[i].bad_audit ? bad_a : NULL);
		run_message(&e, "alice@example.com", *rows[i].msg, NULL, &r);
		print_message("%s: %s\n", rows[i].name, mg_verdict_name(r.verdict));
		assert_int_equal(r.verdict, rows[i].want);
		if (r.verdict == MG_VERDICT_TEMPFAIL) { /* nothing left behind for the retry */
			assert_null(r.qid);
			assert_null(r.hdr_qid);
			struct mg_qstore *s = mg_qstore_open(e.cfg);
			GPtrArray *ids = s->ops->list(s, NULL);
			assert_true(ids == NULL || ids->len == 0);
			if (ids)
				g_ptr_array_unref(ids);
			mg_qstore_close(s);
		}
		g_free(bad_q);
		g_free(bad_a);
		g_free(blocker);
		run_clear(&r);
		env_free(&e);
	}
}

/* Refused before the body, and abandoned messages: a record, nothing kept. */
static void test_early_and_aborted(void **state)
{
	struct env e;
	env_new(&e, "quarantine_keep = all\nmax_header_field = 998\n");
	struct mg_conn *c = mg_conn_new("192.0.2.7", "");
	struct mg_txn *t = mg_txn_new(c, e.cfg);
	mg_txn_mail_from(t, "bob@example.org", NULL);
	mg_txn_rcpt(t, "user@city.example.lg.jp", NULL);
	char *big = g_strnfill(2000, 'x');
	assert_int_equal(mg_txn_header(t, "Subject", big)->kind, MG_VERDICT_REJECT);
	mg_txn_free(t); /* the MTA moves on after the 5xx */
	JsonObject *rec = last_record(e.audit);
	assert_string_equal(mg_json_get_str(rec, "verdict"), "reject");
	assert_string_equal(mg_json_get_str(rec, "rule"), "max_header_field");
	assert_null(mg_json_get_str(rec, "quarantine_id"));
	json_object_unref(rec);

	t = mg_txn_new(c, e.cfg);
	mg_txn_mail_from(t, "carol@example.org", NULL);
	mg_txn_header(t, "Subject", "hi");
	mg_txn_free(t); /* client went away */
	rec = last_record(e.audit);
	assert_string_equal(mg_json_get_str(rec, "verdict"), "aborted");
	assert_string_equal(mg_json_get_str(rec, "mail_from"), "carol@example.org");
	json_object_unref(rec);
	guint64 n = 0, bad = 0;
	char *why = NULL;
	assert_true(mg_audit_verify(e.audit, &n, &bad, &why, NULL));
	assert_int_equal(n, 2);
	assert_null(g_dir_open(e.qdir, 0, NULL)); /* nothing was kept */
	g_free(big);
	mg_conn_free(c);
	env_free(&e);
}

/* ---- the store: ids and bad input ---- */

static void test_ids(void **state)
{
	static const struct {
		const char *id;
		gboolean valid;
	} rows[] = {
		{"20261129T110203Z-0123456789abcdef", TRUE},
		{"20261129T110203Z-0123456789ABCDEF", FALSE},
		{"20261129T110203Z-0123456789abcde", FALSE},
		{"20261129T110203Z-0123456789abcdef0", FALSE},
		{"../../../etc/passwd", FALSE},
		{"20261129/../../x-0123456789abcdef", FALSE},
		{"20261129T110203Z_0123456789abcdef", FALSE},
		{"", FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		assert_int_equal(mg_quarantine_id_valid(rows[i].id), rows[i].valid);
	gint64 t1 = G_GINT64_CONSTANT(1795950123000000);
	char *a = mg_quarantine_new_id(t1), *b = mg_quarantine_new_id(t1),
	     *c = mg_quarantine_new_id(t1 + G_USEC_PER_SEC);
	assert_true(mg_quarantine_id_valid(a));
	assert_true(g_str_has_prefix(a, "20261129T110203Z-"));
	assert_string_not_equal(a, b);                     /* random part */
	assert_true(strcmp(a, c) < 0 && strcmp(b, c) < 0); /* sortable by time */
	assert_int_equal(mg_quarantine_id_time(a), t1);
	assert_int_equal(mg_quarantine_id_time("../x"), G_MAXINT64);
	g_free(a);
	g_free(b);
	g_free(c);
}

/* Put an entry with a given storing time, class and hold flag. */
static char *put_entry(struct mg_qstore *s, gint64 stored_us, const char *cls, gboolean hold)
{
	char *id = mg_quarantine_new_id(stored_us);
	GMimeStream *in = g_mime_stream_mem_new_with_buffer("Subject: x\n\nbody\n", 17);
	char sha[65];
	gint64 size = 0;
	assert_true(s->ops->put_original(s, id, in, sha, &size, NULL));
	assert_int_equal(size, 17);
	g_object_unref(in);
	JsonObject *m = json_object_new();
	char *t = mg_audit_time_iso(stored_us);
	json_object_set_string_member(m, "id", id);
	json_object_set_string_member(m, "stored", t);
	json_object_set_string_member(m, "class", cls);
	json_object_set_boolean_member(m, "hold", hold);
	assert_true(s->ops->put_meta(s, id, m, NULL));
	json_object_unref(m);
	g_free(t);
	return id;
}

static void expect_error(GError *err, int code, const char *mention)
{
	assert_non_null(err);
	print_message("error: %s\n", err->message);
	assert_true(err->domain == MG_QUARANTINE_ERROR);
	assert_int_equal(err->code, code);
	assert_non_null(strstr(err->message, mention));
	g_error_free(err);
}

static void test_bad_input(void **state)
{
	struct env e;
	env_new(&e, "");
	struct mg_qstore *s = mg_qstore_open(e.cfg);
	gint64 now = g_get_real_time();
	char *good = put_entry(s, now, "modified", FALSE), *corrupt = put_entry(s, now, "modified", FALSE);
	char *noorig = put_entry(s, now, "blocked", FALSE), *nometa = put_entry(s, now, "blocked", FALSE);
	char *p = original_path(&e, corrupt, ".json");
	assert_true(g_file_set_contents(p, "{\"id\": \"trunc", -1, NULL));
	g_free(p);
	p = original_path(&e, noorig, ".eml");
	assert_int_equal(unlink(p), 0);
	g_free(p);
	p = original_path(&e, nometa, ".json");
	assert_int_equal(unlink(p), 0);
	g_free(p);

	GError *err = NULL;
	assert_null(s->ops->get_meta(s, "../../etc/passwd", &err));
	expect_error(err, MG_QERR_BAD_ID, "../../etc/passwd"), err = NULL;
	assert_null(s->ops->get_meta(s, "20261129T110203Z-0123456789abcdef", &err));
	expect_error(err, MG_QERR_NOT_FOUND, "20261129T110203Z-0123456789abcdef"), err = NULL;
	assert_null(s->ops->get_meta(s, corrupt, &err));
	expect_error(err, MG_QERR_CORRUPT, corrupt), err = NULL;
	assert_null(s->ops->open_original(s, noorig, &err));
	expect_error(err, MG_QERR_CORRUPT, noorig), err = NULL;
	assert_null(s->ops->get_meta(s, nometa, &err));
	expect_error(err, MG_QERR_INCOMPLETE, nometa), err = NULL;
	assert_null(s->ops->open_original(s, "20261129T110203Z-0123456789abcdef", &err));
	expect_error(err, MG_QERR_NOT_FOUND, "20261129T110203Z-0123456789abcdef"), err = NULL;

	/* the others are unaffected */
	JsonObject *m = s->ops->get_meta(s, good, NULL);
	assert_non_null(m);
	json_object_unref(m);
	GMimeStream *st = s->ops->open_original(s, good, NULL);
	assert_non_null(st);
	g_object_unref(st);
	GPtrArray *ids = s->ops->list(s, NULL);
	assert_int_equal(ids->len, 4); /* every entry is listed, broken ones too */
	g_ptr_array_unref(ids);
	/* purge reports the corrupt one, keeps the young incomplete one, goes on */
	assert_int_equal(mg_quarantine_purge(s, e.cfg, now, NULL, NULL), 1);
	/* an incomplete entry goes once the longest retention (180d) has passed */
	assert_int_equal(
		mg_quarantine_purge(s, e.cfg, now + G_GINT64_CONSTANT(179) * 86400 * G_USEC_PER_SEC, NULL, NULL), 1);
	p = original_path(&e, nometa, ".eml");
	assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	assert_int_equal(
		mg_quarantine_purge(s, e.cfg, now + G_GINT64_CONSTANT(181) * 86400 * G_USEC_PER_SEC, NULL, NULL), 1);
	assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	/* the corrupt one is never removed by purge: it may have been on hold */
	p = original_path(&e, corrupt, ".eml");
	assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	g_free(good);
	g_free(corrupt);
	g_free(noorig);
	g_free(nometa);
	mg_qstore_close(s);
	env_free(&e);
}

/* ---- purge ---- */

struct purge_seen {
	GHashTable *what; /* id -> what */
};

static void on_purge(const char *id, const char *what, const char *detail, gpointer data)
{
	struct purge_seen *p = data;
	g_hash_table_insert(p->what, g_strdup(id), g_strdup(what));
}

static void test_purge(void **state)
{
	static const struct {
		const char *cls;
		int age_days;
		gboolean hold;
		const char *want;
	} rows[] = {
		{"modified", 91, FALSE, "removed"}, {"modified", 89, FALSE, "kept"}, {"blocked", 91, FALSE, "kept"},
		{"blocked", 181, FALSE, "removed"}, {"clean", 31, FALSE, "removed"}, {"clean", 29, FALSE, "kept"},
		{"modified", 400, TRUE, "held"},    {"blocked", 400, TRUE, "held"},
	};
	struct env e;
	env_new(&e, "quarantine_retention_modified = 90d\nquarantine_retention_blocked = 180d\n"
		    "quarantine_retention_clean = 30d\n");
	struct mg_qstore *s = mg_qstore_open(e.cfg);
	gint64 now = g_get_real_time();
	char *ids[G_N_ELEMENTS(rows)];
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		ids[i] = put_entry(s, now - (gint64)rows[i].age_days * 86400 * G_USEC_PER_SEC, rows[i].cls,
				   rows[i].hold);
	struct purge_seen seen = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
	assert_int_equal(mg_quarantine_purge(s, e.cfg, now, on_purge, &seen), 0);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		print_message("%s %d days hold=%d: %s\n", rows[i].cls, rows[i].age_days, rows[i].hold,
			      (char *)g_hash_table_lookup(seen.what, ids[i]));
		assert_string_equal(g_hash_table_lookup(seen.what, ids[i]), rows[i].want);
		char *eml = original_path(&e, ids[i], ".eml"), *json = original_path(&e, ids[i], ".json");
		gboolean gone = strcmp(rows[i].want, "removed") == 0;
		assert_int_equal(g_file_test(eml, G_FILE_TEST_EXISTS), !gone);
		assert_int_equal(g_file_test(json, G_FILE_TEST_EXISTS), !gone);
		g_free(eml);
		g_free(json);
		g_free(ids[i]);
	}
	g_hash_table_unref(seen.what);
	mg_qstore_close(s);
	env_free(&e);
}

/* ---- the report matches the records of a run ---- */

static void test_report_counts(void **state)
{
	static const struct {
		const char *from;
		const char **msg;
		mg_mid_fn mid;
	} rows[] = {
		{"a@example.com", &plain_msg, NULL},
		{"b@Example.COM", &plain_msg, mark_removed},
		{"c@example.com", &deep_msg, NULL},
		{"d@other.example.jp", &plain_msg, NULL},
		{"", &plain_msg, NULL},
	};
	struct env e;
	env_new(&e, "max_mime_parts = 2\n");
	GHashTable *want_verdict = g_hash_table_new(g_str_hash, g_str_equal);
	int removed = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct run r = {0};
		run_message(&e, rows[i].from, *rows[i].msg, rows[i].mid, &r);
		const char *v = mg_verdict_name(r.verdict);
		g_hash_table_insert(want_verdict, (gpointer)v,
				    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(want_verdict, v)) + 1));
		removed += rows[i].mid == mark_removed;
		run_clear(&r);
	}
	gint64 now = g_get_real_time();
	GError *err = NULL;
	JsonObject *o = mg_audit_summary(e.audit, NULL, now - G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC,
					 now + G_GINT64_CONSTANT(60) * G_USEC_PER_SEC, 10, &err);
	assert_non_null(o);
	assert_int_equal(json_object_get_int_member(o, "messages"), G_N_ELEMENTS(rows));
	JsonObject *in = json_object_get_object_member(json_object_get_object_member(o, "by_direction"), "inbound");
	GList *keys = json_object_get_members(in);
	assert_int_equal(g_list_length(keys), g_hash_table_size(want_verdict));
	for (GList *k = keys; k; k = k->next)
		assert_int_equal(json_object_get_int_member(in, k->data),
				 GPOINTER_TO_INT(g_hash_table_lookup(want_verdict, k->data)));
	g_list_free(keys);
	JsonObject *rm = json_object_get_object_member(o, "removed_by_type");
	assert_int_equal(json_object_get_size(rm) ? json_object_get_int_member(rm, "(none)") : 0, removed);
	JsonArray *top = json_object_get_array_member(o, "top_sender_domains");
	JsonObject *first = json_array_get_object_element(top, 0);
	assert_string_equal(json_object_get_string_member(first, "domain"), "example.com");
	assert_int_equal(json_object_get_int_member(first, "messages"), 3);
	assert_int_equal(json_array_get_length(top), 3); /* example.com, other.example.jp, (null sender) */
	json_object_unref(o);
	/* a range that excludes the run counts nothing */
	o = mg_audit_summary(e.audit, NULL, now - G_GINT64_CONSTANT(7200) * G_USEC_PER_SEC,
			     now - G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC, 10, NULL);
	assert_int_equal(json_object_get_int_member(o, "messages"), 0);
	json_object_unref(o);
	assert_null(mg_audit_summary("/nonexistent/audit.log", NULL, 0, now, 10, &err));
	assert_non_null(err);
	g_error_free(err);
	g_hash_table_unref(want_verdict);
	env_free(&e);
}

int main(void)
{
	g_setenv("TZ", "Asia/Tokyo", TRUE);
	tzset();
	mg_pipeline_global_init();
	tmpdir = g_dir_make_tmp("mg_quarantine_XXXXXX", NULL);
	tu_scan_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_policy), cmocka_unit_test(test_original_identical),
		cmocka_unit_test(test_fail_closed), cmocka_unit_test(test_early_and_aborted),
		cmocka_unit_test(test_ids),         cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_purge),       cmocka_unit_test(test_report_counts),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mg_scan_global_shutdown();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	g_free(cmd);
	g_free(tmpdir);
	mg_pipeline_global_shutdown();
	return rc;
}
