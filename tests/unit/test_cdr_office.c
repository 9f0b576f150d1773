/*
 * test_cdr_office.c - issue 4a: the OOXML and OpenDocument rebuilders (checked
 * by an independent reader, tests/cdr/check_office.py), damaged input,
 * concurrent use, and attachments through the whole pipeline.
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
#include "mg_cdr_policy.h"
#include "mg_filetype.h"
#include "mg_pipeline.h"
#include "mg_sha256.h"
#include "testutil.h"

/* ---- threads: libmagic and libxml2 shared by concurrent sessions ---- */

struct thread_job {
	GBytes *docm, *odt;
	int failures;
};

static gpointer thread_run(gpointer p)
{
	struct thread_job *job = p;
	struct mg_txn *t = cdrtest_txn(NULL);
	for (int i = 0; i < 15; i++) {
		struct mg_cdr_out out;
		GBytes *b = i % 2 ? job->docm : job->odt;
		if (cdrtest_file(t, i % 2 ? "m.docm" : "m.odt", b, &out) != MG_CDR_REBUILT)
			g_atomic_int_inc(&job->failures);
		mg_cdr_out_clear(&out);
	}
	cdrtest_txn_free(t);
	return NULL;
}

static void test_threads(void **state)
{
	struct thread_job job = {cdrtest_sample("macro.docm"), cdrtest_sample("macro.odt"), 0};
	GThread *th[4];
	for (int i = 0; i < 4; i++)
		th[i] = g_thread_new("cdr", thread_run, &job);
	for (int i = 0; i < 4; i++)
		g_thread_join(th[i]);
	assert_int_equal(job.failures, 0);
	g_bytes_unref(job.docm);
	g_bytes_unref(job.odt);
}

/* ---- OOXML ---- */

static void test_ooxml_rebuild(void **state)
{
	static const struct {
		const char *sample, *new_name, *new_type, *removed;
	} rows[] = {
		{"macro.docm", "macro.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		 "VBA macro part removed: 2"},
		{"template.docx", NULL, NULL, "external relationship removed: 2 (hyperlink -> file:///C:/Windows"},
		{"dde.docx", NULL, NULL, "DDE or include field removed: 2"},
		{"ole.docx", NULL, NULL, "embedded OLE object or package removed"},
		{"ole.pptx", NULL, NULL, "embedded OLE object or package removed: 1 (ppt/embeddings/oleObject1.bin)"},
		{"macro.odt", NULL, NULL, "macro (Basic) library removed: 1 (Basic/Standard/Module1.xml)"},
		{"macro.xlsm", "macro.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		 "Excel 4 macro sheet removed"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = cdrtest_txn(NULL);
		GBytes *b = cdrtest_sample(rows[i].sample);
		struct mg_cdr_out out;
		enum mg_cdr_status st = cdrtest_file(t, rows[i].sample, b, &out);
		if (st != MG_CDR_REBUILT)
			fail_msg("%s: status %d (%s)", rows[i].sample, st, out.reason ? out.reason : "");
		/* issue 12: the delivered name and type are always set; a row without
		 * a new name keeps the sample's */
		assert_string_equal(out.new_filename ? out.new_filename : "-",
				    rows[i].new_name ? rows[i].new_name : rows[i].sample);
		if (rows[i].new_type)
			assert_string_equal(out.new_type ? out.new_type : "-", rows[i].new_type);
		assert_non_null(out.new_type);
		if (!cdrtest_removed_has(&out, rows[i].removed))
			fail_msg("%s: removed[] lacks '%s' (first: %s)", rows[i].sample, rows[i].removed,
				 out.removed->len ? (char *)out.removed->pdata[0] : "none");
		char *path = g_strdup_printf("%s/rebuilt-%s", cdrtest_dir, rows[i].sample);
		assert_true(g_file_set_contents(path, (const char *)out.data->data, out.data->len, NULL));
		char *checker = g_build_filename(cdrtest_srcdir(), "tests", "cdr", "check_office.py", NULL),
		     *output = NULL;
		char *argv[] = {(char *)cdrtest_python(), checker, path, (char *)rows[i].sample, NULL};
		int rc = cdrtest_run(argv, &output);
		if (rc != 0)
			fail_msg("independent reader rejects rebuilt %s:\n%s", rows[i].sample, output ? output : "");
		g_free(output);
		g_free(checker);
		g_free(path);
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		cdrtest_txn_free(t);
	}
}

/* A rebuilt file is rebuilt again to the same bytes (nothing left to
 * remove, output reproducible). */
static void test_ooxml_idempotent(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("macro.docm");
	struct mg_cdr_out o1, o2;
	assert_int_equal(cdrtest_file(t, "m.docm", b, &o1), MG_CDR_REBUILT);
	GBytes *b1 = g_bytes_new(o1.data->data, o1.data->len);
	assert_int_equal(cdrtest_file(t, "m.docx", b1, &o2), MG_CDR_REBUILT);
	/* nothing removed the second time; the kept web link is not listed as removed */
	assert_int_equal(o2.removed->len, 0);
	assert_non_null(strstr(o2.reason, "1 external web hyperlink kept"));
	assert_int_equal(o1.data->len, o2.data->len);
	assert_memory_equal(o1.data->data, o2.data->data, o1.data->len);
	mg_cdr_out_clear(&o1);
	mg_cdr_out_clear(&o2);
	g_bytes_unref(b1);
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

static void test_ooxml_bad_input(void **state)
{
	static const struct {
		const char *sample;
		const char *want_reason;
	} rows[] = {
		{"encrypted.docx", "encrypted"},
		{"bomb.docx", "ratio"},
		{"encrypted.odt", "encrypted"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = cdrtest_txn(NULL);
		GBytes *b = cdrtest_sample(rows[i].sample);
		struct mg_cdr_out out;
		assert_int_equal(cdrtest_file(t, rows[i].sample, b, &out), MG_CDR_UNSCANNABLE);
		if (!strstr(out.reason, rows[i].want_reason))
			fail_msg("%s: reason '%s' lacks '%s'", rows[i].sample, out.reason, rows[i].want_reason);
		assert_null(out.data);
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		cdrtest_txn_free(t);
	}
	/* every truncation of a valid document fails cleanly (no crash, no pass) */
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("macro.docm");
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	for (gsize cut = 1; cut < len; cut += 37) {
		struct mg_cdr_in in = {.ctx = cdrctx(t), .data = d, .len = cut, .filename = "x.docm"};
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		enum mg_cdr_status st = mg_cdr_ooxml(&in, &out);
		assert_true(st == MG_CDR_UNSCANNABLE);
		mg_cdr_out_clear(&out);
	}
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

static void test_ooxml_mutations(void **state)
{
	static const struct {
		const char *sample, *name, *forbidden;
	} rows[] = {
		{"macro.docm", "m.docm", "vbaproject"},
		{"macro.odt", "m.odt", "basic/"},
	};
	struct mg_txn *t = cdrtest_txn(NULL);
	for (gsize r = 0; r < G_N_ELEMENTS(rows); r++) {
		GBytes *b = cdrtest_sample(rows[r].sample);
		gsize len;
		const guint8 *orig = g_bytes_get_data(b, &len);
		guint8 *d = g_malloc(len);
		memcpy(d, orig, len);
		int rebuilt = 0;
		for (gsize pos = 0; pos < len; pos += 7) {
			d[pos] ^= 0xff;
			struct mg_cdr_in in = {.ctx = cdrctx(t), .data = d, .len = len, .filename = rows[r].name};
			struct mg_cdr_out out;
			mg_cdr_out_init(&out);
			enum mg_cdr_status st = mg_cdr_file(&in, &out);
			assert_true(st == MG_CDR_REBUILT || st == MG_CDR_UNSCANNABLE || st == MG_CDR_REMOVE);
			if (st == MG_CDR_REBUILT) {
				rebuilt++;
				if (cdrtest_zip_has_name(out.data, rows[r].forbidden))
					fail_msg("%s flip at %zu: rebuilt file keeps %s", rows[r].sample, pos,
						 rows[r].forbidden);
			}
			mg_cdr_out_clear(&out);
			d[pos] ^= 0xff;
		}
		assert_true(rebuilt > 0); /* flips in unused header fields still rebuild */
		g_free(d);
		g_bytes_unref(b);
	}
	cdrtest_txn_free(t);
}

/* ---- through the pipeline: MIME leaves, report, delivered parts ---- */

static void add_attachment(GString *m, const char *name, const char *type, GBytes *b)
{
	gchar *b64 = g_base64_encode(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	g_string_append_printf(m,
			       "--b1\nContent-Type: %s\nContent-Disposition: attachment; filename=\"%s\"\n"
			       "Content-Transfer-Encoding: base64\n\n",
			       type, name);
	for (gsize i = 0, n = strlen(b64); i < n; i += 76)
		g_string_append_printf(m, "%.76s\n", b64 + i);
	g_free(b64);
}

static const struct mg_part_report *report_part(const struct mg_report *r, const char *filename)
{
	for (guint i = 0; i < r->parts->len; i++) {
		const struct mg_part_report *p = r->parts->pdata[i];
		if (g_strcmp0(p->filename, filename) == 0)
			return p;
	}
	fail_msg("no report part for %s", filename);
	return NULL;
}

/* The delivered attachment named `name`, decoded, or NULL. */
static GByteArray *delivered(struct mg_txn *t, const char *name)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	const char *ct = NULL;
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD && g_ascii_strcasecmp(op->name, "Content-Type") == 0)
			ct = op->value;
	}
	GMimeStream *body = mg_txn_new_body(t), *full = g_mime_stream_mem_new();
	g_mime_stream_printf(full, "MIME-Version: 1.0\nContent-Type: %s\n\n", ct ? ct : "text/plain");
	g_mime_stream_reset(body);
	g_mime_stream_write_to_stream(body, full);
	g_mime_stream_reset(full);
	GMimeParser *parser = g_mime_parser_new_with_stream(full);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	GByteArray *found = NULL;
	GMimePartIter *it = msg ? g_mime_part_iter_new(GMIME_OBJECT(msg)) : NULL;
	while (it && !found && g_mime_part_iter_next(it)) {
		GMimeObject *o = g_mime_part_iter_get_current(it);
		if (GMIME_IS_PART(o) && g_strcmp0(g_mime_part_get_filename(GMIME_PART(o)), name) == 0) {
			GMimeStream *mem = g_mime_stream_mem_new();
			g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(o)), mem);
			GByteArray *src = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
			found = g_byte_array_new();
			g_byte_array_append(found, src->data, src->len);
			g_object_unref(mem);
		}
	}
	if (it)
		g_mime_part_iter_free(it);
	if (msg)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(full);
	g_object_unref(body);
	return found;
}

static struct mg_txn *pipeline_run(struct mg_conn *c, const GString *m)
{
	struct mg_config *cfg = tu_config(""); /* defaults, with private store paths */
	struct mg_txn *t = mg_txn_new(c, cfg); /* takes its own reference */
	mg_config_unref(cfg);
	mg_txn_mail_from(t, "a@example.com", NULL);
	mg_txn_rcpt(t, "b@city.example.lg.jp", NULL);
	mg_txn_header(t, "Subject", "attachments");
	mg_txn_header(t, "MIME-Version", "1.0");
	mg_txn_header(t, "Content-Type", "multipart/mixed; boundary=\"b1\"");
	mg_txn_eoh(t);
	mg_txn_body(t, m->str, m->len);
	assert_int_equal(mg_txn_eom(t)->kind, MG_VERDICT_ACCEPT);
	return t;
}

static void test_pipeline_attachments(void **state)
{
	GString *m = g_string_new("--b1\nContent-Type: text/plain\n\nhello\n");
	GBytes *docm = cdrtest_sample("macro.docm"), *exe = cdrtest_sample("invoice.pdf"),
	       *csv = cdrtest_sample("injection.csv");
	add_attachment(m, "macro.docm", "application/octet-stream", docm);
	add_attachment(m, "invoice.pdf", "application/pdf", exe);
	add_attachment(m, "injection.csv", "text/csv", csv);
	g_string_append(m, "--b1--\n");
	mg_pipeline_global_init();
	struct mg_conn *c = mg_conn_new("192.0.2.1", "client.example");
	struct mg_txn *t = pipeline_run(c, m);
	const struct mg_report *r = mg_txn_report(t);

	const struct mg_part_report *p = report_part(r, "macro.docm");
	assert_string_equal(mg_action_name(p->action), "rebuilt");
	assert_string_equal(p->detected_type, "application/vnd.ms-word.document.macroenabled.12");
	assert_string_equal(p->new_filename, "macro.docx");
	GByteArray *got = delivered(t, "macro.docx");
	assert_non_null(got);
	char hex[65];
	mg_sha256_hex(got->data, got->len, hex);
	assert_string_equal(hex, p->new_sha256); /* the report describes what was delivered */
	assert_false(cdrtest_zip_has_name(got, "vbaproject"));
	g_byte_array_unref(got);

	p = report_part(r, "invoice.pdf");
	assert_string_equal(mg_action_name(p->action), "removed");
	assert_null(delivered(t, "invoice.pdf"));

	p = report_part(r, "injection.csv");
	assert_string_equal(mg_action_name(p->action), "rebuilt");
	got = delivered(t, "injection.csv");
	assert_non_null(got);
	assert_null(g_strstr_len((const char *)got->data, got->len, ",=cmd"));
	g_byte_array_unref(got);

	mg_txn_free(t);
	mg_conn_free(c);
	g_bytes_unref(docm);
	g_bytes_unref(exe);
	g_bytes_unref(csv);
	g_string_free(m, TRUE);
}

int main(void)
{
	tu_scan_init(); /* rebuilt files are scanned: one engine, generated database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),          cmocka_unit_test(test_ooxml_rebuild),
		cmocka_unit_test(test_ooxml_idempotent), cmocka_unit_test(test_ooxml_bad_input),
		cmocka_unit_test(test_ooxml_mutations),  cmocka_unit_test(test_pipeline_attachments),
	};
	return cmocka_run_group_tests(tests, cdrtest_setup, cdrtest_teardown);
}
