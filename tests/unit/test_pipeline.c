/* test_pipeline - stages, structural limits, fail-closed, determinism. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_pipeline.h"
#include "mg_txn.h"
#include "testutil.h"

static const char *simple = "From: a@example.net\nTo: b@city.example.lg.jp\nBcc: hidden@example.org\nSubject: hi\n"
			    "X-Mugaika-Status: clean\nX-Mugaika-Actions: forged\n"
			    "Content-Type: multipart/mixed; boundary=\"zz\"\nMIME-Version: 1.0\n\n"
			    "--zz\nContent-Type: text/plain\n\nhello\n--zz\n"
			    "Content-Type: application/octet-stream; name=\"x.bin\"\n"
			    "Content-Transfer-Encoding: base64\n\nAAEC\n--zz--\n";

struct limit_row {
	const char *conf;
	char *(*make)(void);
	enum mg_verdict_kind want;
	const char *code, *ecode;
};

static char *make_simple(void)
{
	return g_strdup(simple);
}

static char *make_long_header(void)
{
	GString *g = g_string_new("Subject: ");
	for (int i = 0; i < 1024 * 1024; i++)
		g_string_append_c(g, 'a');
	g_string_append(g, "\n\nbody\n");
	return g_string_free(g, FALSE);
}

static char *make_many_headers(void)
{
	GString *g = g_string_new(NULL);
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(g, "X-H%d: v\n", i);
	g_string_append(g, "\nbody\n");
	return g_string_free(g, FALSE);
}

static char *make_many_parts(void)
{
	GString *g = g_string_new("Content-Type: multipart/mixed; boundary=\"b\"\n\n");
	for (int i = 0; i < 5000; i++)
		g_string_append(g, "--b\nContent-Type: multipart/alternative; boundary=\"c\"\n\n--c--\n");
	g_string_append(g, "--b--\n");
	return g_string_free(g, FALSE);
}

static char *make_many_leaves(void)
{
	GString *g = g_string_new("Content-Type: multipart/mixed; boundary=\"b\"\n\n");
	for (int i = 0; i < 3000; i++)
		g_string_append(g, "--b\nContent-Type: text/plain\n\nx\n");
	g_string_append(g, "--b--\n");
	return g_string_free(g, FALSE);
}

static char *make_deep(void)
{
	GString *g = g_string_new("Content-Type: multipart/mixed; boundary=\"b0\"\n\n");
	for (int i = 0; i < 12; i++)
		g_string_append_printf(g, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i + 1);
	g_string_append(g, "--b12\nContent-Type: text/plain\n\nx\n");
	return g_string_free(g, FALSE);
}

static char *make_big_part(void)
{
	GString *g = g_string_new("Content-Type: application/octet-stream\n\n");
	for (int i = 0; i < 3000; i++)
		g_string_append(g, "0123456789\n");
	return g_string_free(g, FALSE);
}

static void test_limits(void **state)
{
	static const struct limit_row rows[] = {
		{"", make_simple, MG_VERDICT_ACCEPT, "250", "2.0.0"},
		{"", make_long_header, MG_VERDICT_REJECT, "552", "5.6.0"},
		{"", make_many_headers, MG_VERDICT_REJECT, "552", "5.6.0"},
		{"", make_many_parts, MG_VERDICT_REJECT, "552", "5.6.0"},
		{"", make_many_leaves, MG_VERDICT_REJECT, "552", "5.6.0"},
		{"", make_deep, MG_VERDICT_REJECT, "552", "5.6.0"},
		{"max_mime_depth = 20\n", make_deep, MG_VERDICT_ACCEPT, "250", "2.0.0"},
		{"max_part_size = 20K\n", make_big_part, MG_VERDICT_REJECT, "552", "5.3.4"},
		{"max_decoded_total = 20K\n", make_big_part, MG_VERDICT_REJECT, "552", "5.3.4"},
		{"max_message_size = 16K\nspool_memory_max = 1K\n", make_big_part, MG_VERDICT_REJECT, "552", "5.3.4"},
		{"spool_dir = /nonexistent\nspool_memory_max = 0\n", make_simple, MG_VERDICT_TEMPFAIL, "451", "4.3.0"},
		{"spool_dir = /nonexistent\nspool_memory_max = 0\non_error = reject\n", make_simple, MG_VERDICT_REJECT,
		 "554", "5.3.0"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_config *cfg = tu_config(rows[i].conf);
		char *msg = rows[i].make();
		struct mg_conn *c;
		struct mg_txn *t = tu_run(cfg, msg, strlen(msg), 4096, &c);
		const struct mg_verdict *v = &mg_txn_report(t)->verdict;
		if (v->kind != rows[i].want || strcmp(v->code, rows[i].code) || strcmp(v->ecode, rows[i].ecode))
			fail_msg("row %zu: got %s %s %s (%s), want %s %s %s", i, mg_verdict_name(v->kind), v->code,
				 v->ecode, v->reason, mg_verdict_name(rows[i].want), rows[i].code, rows[i].ecode);
		if (v->kind != MG_VERDICT_ACCEPT)
			assert_null(mg_txn_new_body(t)); /* nothing to deliver */
		mg_txn_free(t);
		mg_conn_free(c);
		mg_config_unref(cfg);
		g_free(msg);
	}
}

/* The container guard runs before GMime's recursive parser: a NUL byte in
 * the body must not hide the nested containers that follow it (the guard
 * once stopped at the first NUL of each block).  The guard's rule name
 * shows that it, and not the later depth check, refused the message. */
static void test_prescan_sees_past_nul(void **state)
{
	GString *g =
		g_string_new("Content-Type: multipart/mixed; boundary=\"b0\"\n\n--b0\nContent-Type: text/plain\n\n");
	g_string_append_len(g, "x\0y\n", 4);
	for (int i = 0; i < 600; i++)
		g_string_append_printf(g, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n", i, i + 1);
	struct mg_config *cfg = tu_config("");
	struct mg_conn *c;
	struct mg_txn *t = tu_run(cfg, g->str, g->len, 0, &c);
	const struct mg_verdict *v = &mg_txn_report(t)->verdict;
	assert_int_equal(v->kind, MG_VERDICT_REJECT);
	assert_string_equal(v->ecode, "5.6.0");
	assert_string_equal(v->rule, "max_mime_parts");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
	g_string_free(g, TRUE);
}

static void test_header_ops(void **state)
{
	struct mg_config *cfg = tu_config("notice_when = never\n"); /* issue 3: the text stays readable here */
	struct mg_conn *c;
	struct mg_txn *t = tu_run(cfg, simple, strlen(simple), 0, &c);
	const GPtrArray *ops = mg_txn_header_ops(t);
	gboolean del_status = FALSE, del_actions = FALSE, del_ct = FALSE, del_bcc = FALSE;
	int last_delete = -1, first_add = -1;
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_DELETE) {
			last_delete = (int)i;
			del_status |= g_ascii_strcasecmp(op->name, "X-Mugaika-Status") == 0;
			del_actions |= g_ascii_strcasecmp(op->name, "X-Mugaika-Actions") == 0;
			del_ct |= g_ascii_strcasecmp(op->name, "Content-Type") == 0;
			del_bcc |= g_ascii_strcasecmp(op->name, "Bcc") == 0;
			assert_int_equal(op->index, 1);
		} else if (first_add < 0) {
			first_add = (int)i;
		}
	}
	assert_true(del_status && del_actions && del_ct && del_bcc);
	assert_true(last_delete < first_add); /* deletes first, then adds */
	assert_non_null(strstr(tu_added(t, "X-Mugaika-Status"), "sanitized"));
	assert_non_null(strstr(tu_added(t, "Content-Type"), "=_mugaika_"));
	assert_string_equal(tu_added(t, "MIME-Version"), "1.0");
	char *body = tu_body(t);
	assert_null(strstr(body, "--zz"));
	assert_non_null(strstr(body, "hello"));
	g_free(body);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

/* The same message in one chunk, one byte at a time, and with CRLF line
 * ends gives the same output: the milter and the CLI cannot drift. */
static void test_deterministic(void **state)
{
	struct mg_config *cfg = tu_config("spool_memory_max = 100\nquarantine_keep = none\n"); /* ids are random */
	GString *crlf = g_string_new(NULL);
	for (const char *p = simple; *p; p++)
		g_string_append(crlf, *p == '\n' ? "\r\n" : (char[]){*p, 0});
	struct {
		const char *msg;
		gsize chunk;
	} runs[] = {{simple, 0}, {simple, 1}, {crlf->str, 1}, {crlf->str, 3}};
	char *first = NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(runs); i++) {
		struct mg_conn *c;
		struct mg_txn *t = tu_run(cfg, runs[i].msg, strlen(runs[i].msg), runs[i].chunk, &c);
		assert_int_equal(mg_txn_report(t)->verdict.kind, MG_VERDICT_ACCEPT);
		char *body = tu_body(t);
		char *all = g_strconcat(tu_added(t, "Content-Type"), "\n", body, NULL);
		if (!first)
			first = g_strdup(all);
		else
			assert_string_equal(all, first);
		g_free(all);
		g_free(body);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	g_free(first);
	g_string_free(crlf, TRUE);
	mg_config_unref(cfg);
}

/* Stages after a final verdict are no-ops; aborting mid-message is clean. */
static void test_stages_after_verdict(void **state)
{
	struct mg_config *cfg = tu_config("max_headers = 10\n");
	struct mg_conn *c = mg_conn_new("192.0.2.1", NULL);
	struct mg_txn *t = mg_txn_new(c, cfg);
	for (int i = 0; i < 12; i++)
		mg_txn_header(t, "X-A", "b");
	const struct mg_verdict *v = mg_txn_body(t, "x\n", 2);
	assert_int_equal(v->kind, MG_VERDICT_REJECT);
	v = mg_txn_eom(t);
	assert_int_equal(v->kind, MG_VERDICT_REJECT);
	assert_string_equal(v->ecode, "5.6.0");
	mg_txn_free(t);
	t = mg_txn_new(c, cfg); /* a second message on the connection, aborted */
	mg_txn_header(t, "Subject", "x");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

static void test_malformed_inputs(void **state)
{
	static const char *msgs[] = {
		"",
		"\n",
		"Content-Type: multipart/mixed\n\nno boundary at all\n",
		"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
		"Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: text/plain\n\nx",
		"Content-Type: text/plain; charset=\"\xff\xfe\"\nContent-Transfer-Encoding: "
		"x-unknown\n\n\x01\x02\r\r\n",
		"Content-Type: multipart/alternative; boundary=a\n\n--a\n--a\n--a--\n--a\n",
		"Content-Type: message/partial; id=\"x\"; number=1; total=2\n\nContent-Type: text/plain\n\nx\n",
	};
	struct mg_config *cfg = tu_config("");
	for (gsize i = 0; i < G_N_ELEMENTS(msgs); i++) {
		struct mg_conn *c;
		struct mg_txn *t = tu_run(cfg, msgs[i], strlen(msgs[i]), 1, &c);
		enum mg_verdict_kind k = mg_txn_report(t)->verdict.kind;
		assert_true(k == MG_VERDICT_ACCEPT || k == MG_VERDICT_REJECT);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	mg_config_unref(cfg);
}

/* Corpus sweep: a message/partial fragment (GMime: a GMimePart subclass)
 * or an external body was handed to the leaf stage, typed text/plain and
 * kept, so fragments 2..n of a split message passed unchecked. */
static void test_fragments_removed(void **state)
{
	static const char *msgs[] = {
		"Content-Type: message/partial; id=\"x\"; number=2; total=3\n\nTVqQAAMAAAAEAAAA//8AALgAAAAA\n",
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\n"
		"Content-Type: message/partial; id=\"x\"; number=2; total=3\n\nsecond fragment\n--b--\n",
		"Content-Type: message/external-body; access-type=URL; URL=\"http://example.org/x.exe\"\n\n"
		"Content-Type: application/octet-stream\n\n",
	};
	struct mg_config *cfg = tu_config("");
	for (gsize i = 0; i < G_N_ELEMENTS(msgs); i++) {
		struct mg_conn *c;
		struct mg_txn *t = tu_run(cfg, msgs[i], strlen(msgs[i]), 1, &c);
		const struct mg_report *r = mg_txn_report(t);
		assert_int_equal(r->verdict.kind, MG_VERDICT_ACCEPT);
		guint removed = 0;
		for (guint j = 0; j < r->parts->len; j++) {
			const struct mg_part_report *p = r->parts->pdata[j];
			if (g_str_has_prefix(p->declared_type, "message/")) {
				if (p->action != MG_ACTION_REMOVED)
					fail_msg("message %zu: %s part %s was not removed", i, p->declared_type,
						 p->path);
				removed++;
			}
		}
		if (removed != 1)
			fail_msg("message %zu: %u fragment/external parts removed, want 1", i, removed);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	mg_config_unref(cfg);
}

/* Corpus sweep: header blocks inside the body (an attached message, a
 * MIME part) had no bound; GMime keeps each field at 40-90 times its size.
 * Defaults: max_headers 1000, max_header_field 64K -> 10000 fields in all
 * such blocks, 640K in one field.  Text that only looks like a header
 * (a report of "host: OK" lines) stays well inside. */
enum inner_kind { IK_FIELDS, IK_FOLDED_TO, IK_REPORT_BODY };

static GString *fwd_with_header(enum inner_kind k, gsize n)
{
	GString *g = g_string_new("Subject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
				  "Content-Type: text/plain\n\nsee attached\n--b\nContent-Type: message/rfc822\n\n");
	if (k == IK_FOLDED_TO)
		g_string_append(g, "To: x@example.com");
	for (gsize i = 0; i < n; i++)
		if (k == IK_FIELDS)
			g_string_append_printf(g, "X-H%zu: v\n", i);
		else if (k == IK_FOLDED_TO)
			g_string_append_printf(g, ",\n a%zu@example.com", i);
		else
			g_string_append_printf(g, "host%zu: OK\n", i);
	if (k == IK_FOLDED_TO)
		g_string_append(g, "\n");
	g_string_append(g, k == IK_REPORT_BODY ? "\n--b--\n" : "Subject: inner\n\ninner body\n--b--\n");
	return g;
}

static void test_inner_header_limits(void **state)
{
	static const struct {
		enum inner_kind kind;
		gsize n;
		const char *want_ecode; /* NULL: accepted */
	} rows[] = {
		{IK_FIELDS, 12000, "5.6.0"},    /* too many fields */
		{IK_FIELDS, 2000, NULL},        /* more than the top level allows: fine */
		{IK_FOLDED_TO, 3, NULL},        /* an ordinary To */
		{IK_FOLDED_TO, 40000, "5.6.0"}, /* one To field of 760K (folded) */
		{IK_REPORT_BODY, 3000, NULL},   /* a body that looks like fields */
	};
	struct mg_config *cfg = tu_config("");
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GString *m = fwd_with_header(rows[i].kind, rows[i].n);
		struct mg_conn *c;
		struct mg_txn *t = tu_run(cfg, m->str, m->len, 1, &c);
		const struct mg_verdict *v = &mg_txn_report(t)->verdict;
		if (rows[i].want_ecode ? (v->kind != MG_VERDICT_REJECT || g_strcmp0(v->ecode, rows[i].want_ecode) != 0)
				       : v->kind != MG_VERDICT_ACCEPT)
			fail_msg("row %zu: verdict %d %s, want %s", i, v->kind, v->ecode ? v->ecode : "",
				 rows[i].want_ecode ? rows[i].want_ecode : "accept");
		mg_txn_free(t);
		mg_conn_free(c);
		g_string_free(m, TRUE);
	}
	mg_config_unref(cfg);
}

/* What the spool holds of the body, plus the CR still held back (the end
 * of message writes it). */
static char *spooled_body(struct mg_txn *t)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_true(mg_spool_copy_to(t->raw, f, NULL));
	fclose(f);
	char *body = g_strconcat(buf + t->body_offset, t->body_cr ? "\n" : "", NULL);
	free(buf);
	return body;
}

/* CRLF becomes LF in the spool, and so does a bare CR (issue 12: mail
 * clients take it for a line end), wherever the chunks (milter body
 * callbacks) are cut. */
static void test_spool_crlf(void **state)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"a\r\nb\r\n", "a\nb\n"}, {"a\rb", "a\nb"},
		{"a\r\r\nb", "a\n\nb"},   {"a\r", "a\n"},
		{"\r\n\r\n", "\n\n"},     {"x\r\ry", "x\n\ny"},
		{"no cr\n", "no cr\n"},   {"\r", "\n"},
		{"\n\r\r", "\n\n\n"},     {"", ""},
	};
	struct mg_config *cfg = tu_config("");
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		gsize len = strlen(rows[i].in);
		for (gsize chunk = 1; chunk <= len + 1; chunk++) {
			struct mg_conn *c = mg_conn_new("192.0.2.1", NULL);
			struct mg_txn *t = mg_txn_new(c, cfg);
			mg_txn_header(t, "Subject", "x");
			mg_txn_eoh(t);
			for (gsize off = 0; off < len; off += chunk)
				mg_txn_body(t, rows[i].in + off, MIN(chunk, len - off));
			char *got = spooled_body(t);
			if (g_strcmp0(got, rows[i].want) != 0)
				fail_msg("row %zu chunk %zu: got \"%s\"", i, chunk, g_strescape(got, NULL));
			g_free(got);
			mg_txn_free(t);
			mg_conn_free(c);
		}
	}
	mg_config_unref(cfg);
}

/* A plain ASCII message comes out with the body it came with (its header
 * changes aside): the milter then leaves the MTA's copy alone; a body that
 * changed in any byte is replaced (issue 15).  Chunked and CRLF input too,
 * memory and disk spool. */
static void test_body_unchanged(void **state)
{
	static const char plain[] = "From: a@example.net\nTo: b@city.example.lg.jp\nSubject: hi\n\n"
				    "La de da de da 1.\nLa de da de da 2.\n";
	static const char crlf[] = "From: a@example.net\r\nTo: b@city.example.lg.jp\r\nSubject: hi\r\n\r\n"
				   "line one\r\nline two\r\n";
	static const char *confs[] = {"notice_when = never\n", "notice_when = never\nspool_memory_max = 0\n"};
	for (gsize c = 0; c < G_N_ELEMENTS(confs); c++) {
		struct mg_config *cfg = tu_config(confs[c]);
		struct {
			const char *msg;
			gsize chunk;
			gboolean want;
		} rows[] = {{plain, 0, TRUE}, {plain, 7, TRUE}, {crlf, 3, TRUE}, {simple, 0, FALSE}};
		for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
			struct mg_conn *conn;
			struct mg_txn *t = tu_run(cfg, rows[i].msg, strlen(rows[i].msg), rows[i].chunk, &conn);
			assert_int_equal(mg_txn_report(t)->verdict.kind, MG_VERDICT_ACCEPT);
			assert_int_equal(mg_txn_body_unchanged(t), rows[i].want);
			mg_txn_free(t);
			mg_conn_free(conn);
		}
		mg_config_unref(cfg);
	}
	/* the notice changes the body: replaced */
	struct mg_config *cfg = tu_config("notice_when = always\n");
	struct mg_conn *conn;
	struct mg_txn *t = tu_run(cfg, plain, strlen(plain), 0, &conn);
	assert_false(mg_txn_body_unchanged(t));
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
}

int main(void)
{
	mg_pipeline_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header_ops),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_stages_after_verdict),
		cmocka_unit_test(test_malformed_inputs),
		cmocka_unit_test(test_fragments_removed),
		cmocka_unit_test(test_inner_header_limits),
		cmocka_unit_test(test_spool_crlf),
		cmocka_unit_test(test_prescan_sees_past_nul),
		cmocka_unit_test(test_body_unchanged),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mg_pipeline_global_shutdown();
	return rc;
}
