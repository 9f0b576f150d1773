/*
 * test_cdr.c - issue 4a: file typing, the attachment policy table, the
 * dispatcher and the OOXML/RTF/CSV/HTML rebuilders.
 *
 * Hostile files are generated at run time by tests/cdr/gen_office.py
 * (python3 standard library); rebuilt OOXML is checked by an independent
 * reader (tests/cdr/check_office.py: zipfile + ElementTree).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "mg_cdr.h"
#include "mg_cdr_policy.h"
#include "mg_filetype.h"
#include "mg_pipeline.h"
#include "mg_txn.h"

static char *gen_dir;

static const char *srcdir(void)
{
	const char *s = g_getenv("top_srcdir");
	return s ? s : ".";
}

static const char *python(void)
{
	const char *p = g_getenv("PYTHON3");
	return p && *p ? p : "python3";
}

static int run_cmd(char **argv, char **output)
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

static int group_setup(void **state)
{
	gen_dir = g_dir_make_tmp("mg-cdr-XXXXXX", NULL);
	char *script = g_build_filename(srcdir(), "tests", "cdr", "gen_office.py", NULL);
	char *argv[] = { (char *)python(), script, gen_dir, NULL };
	int rc = run_cmd(argv, NULL);
	g_free(script);
	return rc;
}

static int group_teardown(void **state)
{
	GDir *d = g_dir_open(gen_dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(gen_dir, n, NULL);
		g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(gen_dir);
	g_free(gen_dir);
	return 0;
}

static struct mg_txn *txn_new(const char *conf)
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

static void txn_free(struct mg_txn *t)
{
	mg_config_unref(t->cfg);
	mg_report_free(t->report);
	g_free(t->queue_id);
	g_free(t);
}

static GBytes *sample(const char *name)
{
	char *p = g_build_filename(gen_dir, name, NULL), *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	g_free(p);
	return g_bytes_new_take(data, len);
}

static enum mg_cdr_status run_file(struct mg_txn *t, const char *name, GBytes *b, struct mg_cdr_out *out)
{
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	struct mg_cdr_in in = { .t = t, .data = d, .len = len, .filename = name };
	mg_cdr_out_init(out);
	return mg_cdr_file(&in, out);
}

static gboolean removed_has(const struct mg_cdr_out *out, const char *needle)
{
	for (guint i = 0; i < out->removed->len; i++)
		if (strstr(out->removed->pdata[i], needle))
			return TRUE;
	return FALSE;
}

/* ---- file typing ---- */

static const guint8 onenote_hdr[] = { 0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d,
				      0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3, 0, 0, 0, 0 };
static const guint8 lnk_hdr[] = { 0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46 };

static void test_filetype_table(void **state)
{
	static const struct {
		const char *sample; /* generated file, or NULL to use data */
		const void *data;
		gsize len;
		const char *filename, *declared, *want_type;
		gboolean mismatch, double_ext, bidi;
	} rows[] = {
		{ "invoice.pdf", NULL, 0, "invoice.pdf", "application/pdf", "application/x-dosexec", TRUE, FALSE, FALSE },
		{ "macro.docm", NULL, 0, "macro.docm", NULL, "application/vnd.ms-word.document.macroenabled.12", FALSE,
		  FALSE, FALSE },
		{ "macro.xlsm", NULL, 0, "report.xlsx", NULL, "application/vnd.ms-excel.sheet.macroenabled.12", FALSE,
		  FALSE, FALSE },
		{ "dde.docx", NULL, 0, "a.docx", "application/octet-stream",
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", FALSE, FALSE, FALSE },
		{ "dde.docx", NULL, 0, "a.pdf", NULL,
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", TRUE, FALSE, FALSE },
		{ "password.docx", NULL, 0, "secret.docx", NULL, "application/encrypted", FALSE, FALSE, FALSE },
		{ NULL, "WScript.Echo 1\n", 15, "run.js", NULL, "application/javascript", FALSE, FALSE, FALSE },
		{ NULL, "hello world\n", 12, "doc.pdf.exe", NULL, "application/x-dosexec", FALSE, TRUE, FALSE },
		{ NULL, "hello world\n", 12, "photo\xe2\x80\xae" "gpj.exe", NULL, "application/x-dosexec", FALSE, FALSE,
		  TRUE },
		{ NULL, "a,b\n1,2\n", 8, "x.csv", "text/csv", "text/csv", FALSE, FALSE, FALSE },
		{ NULL, "{\\rtf1 hello}", 13, "letter.doc", "application/msword", "text/rtf", FALSE, FALSE, FALSE },
		{ NULL, onenote_hdr, sizeof onenote_hdr, "notes.one", NULL, "application/onenote", FALSE, FALSE, FALSE },
		{ NULL, lnk_hdr, sizeof lnk_hdr, "x.lnk", NULL, "application/x-ms-shortcut", FALSE, FALSE, FALSE },
		{ NULL, "plain words\n", 12, "readme.txt", "text/plain", "text/plain", FALSE, FALSE, FALSE },
		{ NULL, "#include <stdio.h>\nint main(void) { return 0; }\n", 47, "main.c", NULL, "text/plain", FALSE,
		  FALSE, FALSE },
		{ NULL, "#!/bin/sh\necho hi\n", 18, "run.txt", NULL, "text/x-shellscript", TRUE, FALSE, FALSE },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GBytes *b = rows[i].sample ? sample(rows[i].sample) : g_bytes_new(rows[i].data, rows[i].len);
		gsize len;
		const guint8 *d = g_bytes_get_data(b, &len);
		struct mg_filetype ft;
		assert_true(mg_filetype_detect(d, len, rows[i].filename, rows[i].declared, &ft, NULL));
		if (!g_str_equal(ft.true_type, rows[i].want_type) || ft.mismatch != rows[i].mismatch ||
		    ft.double_ext != rows[i].double_ext || ft.bidi_override != rows[i].bidi)
			fail_msg("row %zu (%s): got %s mismatch=%d double=%d bidi=%d, want %s %d %d %d", i,
				 rows[i].filename, ft.true_type, ft.mismatch, ft.double_ext, ft.bidi_override,
				 rows[i].want_type, rows[i].mismatch, rows[i].double_ext, rows[i].bidi);
		mg_filetype_clear(&ft);
		g_bytes_unref(b);
	}
}

/* ---- the policy table ---- */

static void test_rule_errors(void **state)
{
	static const struct {
		const char *conf, *want;
	} rows[] = {
		{ "attachment_rule = any image/png explode\n", "test.conf:1: attachment_rule: unknown action 'explode'" },
		{ "# c\nattachment_rule = sideways image/png keep\n", "test.conf:2: attachment_rule: unknown direction" },
		{ "attachment_rule = image/png\n", "test.conf:1: attachment_rule: expected 2 or 3 words" },
		{ "attachment_rule = any ima;ge keep\n", "is not a type pattern" },
		{ "unscannable_encrypted = ignore\n", "test.conf:1: unscannable_encrypted:" },
		{ "attachment_rule = any application/x-msi rebuild\n",
		  "test.conf:1: attachment_rule: no rebuilder for application/x-msi" },
		{ "attachment_rule = any application/pdf to-text\n",
		  "test.conf:1: attachment_rule: no text converter for application/pdf" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GError *err = NULL;
		struct mg_config *cfg = mg_config_parse("test.conf", rows[i].conf, strlen(rows[i].conf), &err);
		assert_null(cfg);
		if (!strstr(err->message, rows[i].want) || !strstr(err->message, "allowed"))
			fail_msg("row %zu: got '%s', want '%s' and the allowed values", i, err->message, rows[i].want);
		g_error_free(err);
	}
}

static void test_rule_lookup(void **state)
{
	const char *conf = "attachment_rule = outbound application/pdf keep\n"
			   "attachment_rule = inbound application/pdf remove\n"
			   "attachment_rule = image/* rebuild\n"
			   "attachment_rule = any * reject\n";
	static const struct {
		int dir;
		const char *type;
		int want; /* enum mg_rule_action, -1 none */
	} rows[] = {
		{ MG_DIR_OUTBOUND, "application/pdf", MG_RULE_KEEP },
		{ MG_DIR_INBOUND, "application/pdf", MG_RULE_REMOVE },
		{ MG_DIR_INTERNAL, "application/pdf", MG_RULE_REJECT },
		{ MG_DIR_INBOUND, "IMAGE/PNG", MG_RULE_REBUILD },
		{ MG_DIR_INBOUND, "application/x-dosexec", MG_RULE_REJECT },
	};
	struct mg_txn *t = txn_new(conf);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		const struct mg_cdr_rule *r = mg_cdr_rule_lookup(t->cfg, rows[i].dir, rows[i].type);
		int got = r ? (int)r->action : -1;
		if (got != rows[i].want)
			fail_msg("row %zu: %s got %d want %d", i, rows[i].type, got, rows[i].want);
	}
	txn_free(t);
	/* the defaults: rebuildable types rebuild, the rest is removed */
	t = txn_new(NULL);
	const struct mg_cdr_rule *r = mg_cdr_rule_lookup(t->cfg, MG_DIR_INBOUND, "application/x-dosexec");
	assert_non_null(r);
	assert_int_equal(r->action, MG_RULE_REMOVE);
	r = mg_cdr_rule_lookup(t->cfg, MG_DIR_INBOUND, "application/vnd.ms-excel.sheet.macroenabled.12");
	assert_int_equal(r->action, MG_RULE_REBUILD);
	txn_free(t);
}

static void test_field_codes(void **state)
{
	static const struct {
		const char *instr;
		gboolean risky;
	} rows[] = {
		{ " DDEAUTO c:\\windows\\system32\\cmd.exe \"/k calc\"", TRUE },
		{ "dde cmd", TRUE },
		{ " INCLUDEPICTURE \"http://x.invalid/a.png\" \\d", TRUE },
		{ "QUOTE 68 68 69", TRUE },
		{ " PAGE ", FALSE },
		{ "MERGEFIELD name", FALSE },
		{ "HYPERLINK \"https://www.example.org/\"", FALSE },
		{ "HYPERLINK \\l \"_Toc1\"", FALSE },
		{ "HYPERLINK \"file:///c:/windows/calc.exe\"", TRUE },
		{ "HYPERLINK \"\\\\server\\share\\x.docx\"", TRUE },
		{ "", FALSE },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		if (mg_cdr_field_is_risky(rows[i].instr) != rows[i].risky)
			fail_msg("row %zu [%s]: want %d", i, rows[i].instr, rows[i].risky);
}

/* ---- dispatcher behaviour ---- */

static void test_dispositions(void **state)
{
	static const struct {
		const char *conf, *sample, *name;
		enum mg_cdr_status want;
		enum mg_verdict_kind want_verdict;
		gboolean want_quarantine;
	} rows[] = {
		{ NULL, "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_CONTINUE, FALSE },
		{ "attachment_on_mismatch = reject\n", "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_REJECT,
		  FALSE },
		{ "attachment_on_mismatch = ignore\n", "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_CONTINUE,
		  FALSE },
		{ NULL, "encrypted.docx", "e.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_CONTINUE, FALSE },
		{ "unscannable_encrypted = quarantine\n", "encrypted.docx", "e.docx", MG_CDR_UNSCANNABLE,
		  MG_VERDICT_REJECT, TRUE },
		{ NULL, "password.docx", "secret.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_CONTINUE, FALSE },
		{ "unscannable_encrypted = reject\n", "password.docx", "secret.docx", MG_CDR_UNSCANNABLE,
		  MG_VERDICT_REJECT, FALSE },
		{ "unscannable_limits = reject\n", "bomb.docx", "b.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_REJECT, FALSE },
		{ "attachment_rule = any text/csv reject\n", "injection.csv", "notes.csv", MG_CDR_REMOVE,
		  MG_VERDICT_REJECT, FALSE },
		{ "attachment_rule = any text/csv keep\n", "injection.csv", "a.csv", MG_CDR_REBUILT,
		  MG_VERDICT_CONTINUE, FALSE },
		{ "attachment_max_depth = 0\n", "dde.docx", "a.docx", MG_CDR_REBUILT, MG_VERDICT_CONTINUE, FALSE },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = txn_new(rows[i].conf);
		GBytes *b = sample(rows[i].sample);
		struct mg_cdr_out out;
		enum mg_cdr_status st = run_file(t, rows[i].name, b, &out);
		if (st != rows[i].want || t->report->verdict.kind != rows[i].want_verdict ||
		    t->force_quarantine != rows[i].want_quarantine)
			fail_msg("row %zu (%s): status %d verdict %d quarantine %d (%s)", i, rows[i].sample, st,
				 t->report->verdict.kind, t->force_quarantine, out.reason ? out.reason : "");
		if (st == MG_CDR_REBUILT && strstr(rows[i].conf ? rows[i].conf : "", "keep"))
			assert_true(g_bytes_get_size(b) == out.data->len &&
				    memcmp(g_bytes_get_data(b, NULL), out.data->data, out.data->len) == 0);
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		txn_free(t);
	}
}

static void test_depth_limit(void **state)
{
	struct mg_txn *t = txn_new("attachment_max_depth = 1\n");
	GBytes *b = sample("dde.docx");
	struct mg_cdr_in in = { .t = t, .data = g_bytes_get_data(b, NULL), .len = g_bytes_get_size(b),
				.filename = "a.docx", .depth = 2 };
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_file(&in, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "too deep"));
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	txn_free(t);
}

/* Budgets: a message deadline already past, an output over its size. */
static void test_budgets(void **state)
{
	struct mg_txn *t = txn_new("unscannable_limits = quarantine\n");
	t->deadline_us = g_get_monotonic_time() - 1;
	GBytes *b = sample("dde.docx");
	struct mg_cdr_out out;
	assert_int_equal(run_file(t, "a.docx", b, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "time budget"));
	assert_true(t->force_quarantine);
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_REJECT);
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	txn_free(t);

	t = txn_new("attachment_max_output = 1K\n");
	GString *csv = g_string_new(NULL);
	while (csv->len < 4096)
		g_string_append(csv, "a,b,c\n");
	b = g_bytes_new(csv->str, csv->len);
	assert_int_equal(run_file(t, "big.csv", b, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "attachment_max_output"));
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_CONTINUE); /* default: remove the file only */
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	g_string_free(csv, TRUE);
	txn_free(t);
}

/* ---- OOXML ---- */

static void test_ooxml_rebuild(void **state)
{
	static const struct {
		const char *sample, *new_name, *new_type, *removed;
	} rows[] = {
		{ "macro.docm", "macro.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		  "VBA macro part removed: 2" },
		{ "template.docx", NULL, NULL, "external relationship removed: 2 (hyperlink -> file:///C:/Windows" },
		{ "dde.docx", NULL, NULL, "DDE or include field removed: 2" },
		{ "ole.docx", NULL, NULL, "embedded OLE object or package removed" },
		{ "ole.pptx", NULL, NULL, "embedded OLE object or package removed: 1 (ppt/embeddings/oleObject1.bin)" },
		{ "macro.odt", NULL, NULL, "macro (Basic) library removed: 1 (Basic/Standard/Module1.xml)" },
		{ "macro.xlsm", "macro.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		  "Excel 4 macro sheet removed" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = txn_new(NULL);
		GBytes *b = sample(rows[i].sample);
		struct mg_cdr_out out;
		enum mg_cdr_status st = run_file(t, rows[i].sample, b, &out);
		if (st != MG_CDR_REBUILT)
			fail_msg("%s: status %d (%s)", rows[i].sample, st, out.reason ? out.reason : "");
		assert_string_equal(out.new_filename ? out.new_filename : "-", rows[i].new_name ? rows[i].new_name : "-");
		assert_string_equal(out.new_type ? out.new_type : "-", rows[i].new_type ? rows[i].new_type : "-");
		if (!removed_has(&out, rows[i].removed))
			fail_msg("%s: removed[] lacks '%s' (first: %s)", rows[i].sample, rows[i].removed,
				 out.removed->len ? (char *)out.removed->pdata[0] : "none");
		char *path = g_strdup_printf("%s/rebuilt-%s", gen_dir, rows[i].sample);
		assert_true(g_file_set_contents(path, (const char *)out.data->data, out.data->len, NULL));
		char *checker = g_build_filename(srcdir(), "tests", "cdr", "check_office.py", NULL), *output = NULL;
		char *argv[] = { (char *)python(), checker, path, (char *)rows[i].sample, NULL };
		int rc = run_cmd(argv, &output);
		if (rc != 0)
			fail_msg("independent reader rejects rebuilt %s:\n%s", rows[i].sample, output ? output : "");
		g_free(output);
		g_free(checker);
		g_free(path);
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		txn_free(t);
	}
}

/* A rebuilt file is rebuilt again to the same bytes (nothing left to
 * remove, output reproducible). */
static void test_ooxml_idempotent(void **state)
{
	struct mg_txn *t = txn_new(NULL);
	GBytes *b = sample("macro.docm");
	struct mg_cdr_out o1, o2;
	assert_int_equal(run_file(t, "m.docm", b, &o1), MG_CDR_REBUILT);
	GBytes *b1 = g_bytes_new(o1.data->data, o1.data->len);
	assert_int_equal(run_file(t, "m.docx", b1, &o2), MG_CDR_REBUILT);
	assert_int_equal(o2.removed->len, 1); /* only the "hyperlinks kept" line */
	assert_int_equal(o1.data->len, o2.data->len);
	assert_memory_equal(o1.data->data, o2.data->data, o1.data->len);
	mg_cdr_out_clear(&o1);
	mg_cdr_out_clear(&o2);
	g_bytes_unref(b1);
	g_bytes_unref(b);
	txn_free(t);
}

static void test_ooxml_bad_input(void **state)
{
	static const struct {
		const char *sample;
		const char *want_reason;
	} rows[] = {
		{ "encrypted.docx", "encrypted" },
		{ "bomb.docx", "ratio" },
		{ "encrypted.odt", "encrypted" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = txn_new(NULL);
		GBytes *b = sample(rows[i].sample);
		struct mg_cdr_out out;
		assert_int_equal(run_file(t, rows[i].sample, b, &out), MG_CDR_UNSCANNABLE);
		if (!strstr(out.reason, rows[i].want_reason))
			fail_msg("%s: reason '%s' lacks '%s'", rows[i].sample, out.reason, rows[i].want_reason);
		assert_null(out.data);
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		txn_free(t);
	}
	/* every truncation of a valid document fails cleanly (no crash, no pass) */
	struct mg_txn *t = txn_new(NULL);
	GBytes *b = sample("macro.docm");
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	for (gsize cut = 1; cut < len; cut += 37) {
		struct mg_cdr_in in = { .t = t, .data = d, .len = cut, .filename = "x.docm" };
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		enum mg_cdr_status st = mg_cdr_ooxml(&in, &out);
		assert_true(st == MG_CDR_UNSCANNABLE);
		mg_cdr_out_clear(&out);
	}
	g_bytes_unref(b);
	txn_free(t);
}

static gboolean zip_has_name(const GByteArray *b, const char *needle)
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
static void test_ooxml_mutations(void **state)
{
	static const struct {
		const char *sample, *name, *forbidden;
	} rows[] = {
		{ "macro.docm", "m.docm", "vbaproject" },
		{ "macro.odt", "m.odt", "basic/" },
	};
	struct mg_txn *t = txn_new(NULL);
	for (gsize r = 0; r < G_N_ELEMENTS(rows); r++) {
		GBytes *b = sample(rows[r].sample);
		gsize len;
		const guint8 *orig = g_bytes_get_data(b, &len);
		guint8 *d = g_malloc(len);
		memcpy(d, orig, len);
		int rebuilt = 0;
		for (gsize pos = 0; pos < len; pos += 7) {
			d[pos] ^= 0xff;
			struct mg_cdr_in in = { .t = t, .data = d, .len = len, .filename = rows[r].name };
			struct mg_cdr_out out;
			mg_cdr_out_init(&out);
			enum mg_cdr_status st = mg_cdr_file(&in, &out);
			assert_true(st == MG_CDR_REBUILT || st == MG_CDR_UNSCANNABLE || st == MG_CDR_REMOVE);
			if (st == MG_CDR_REBUILT) {
				rebuilt++;
				if (zip_has_name(out.data, rows[r].forbidden))
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
	txn_free(t);
}

/* ---- RTF, CSV, HTML ---- */

static void test_rtf(void **state)
{
	struct mg_txn *t = txn_new(NULL);
	GBytes *b = sample("object.rtf");
	struct mg_cdr_out out;
	assert_int_equal(run_file(t, "object.rtf", b, &out), MG_CDR_REBUILT);
	g_byte_array_append(out.data, (const guint8 *)"", 1);
	const char *s = (const char *)out.data->data;
	static const char *const gone[] = { "\\object", "objdata", "attacker", "DDEAUTO", "cmd.exe", "PK\003\004",
					    "d0cf11e0" };
	static const char *const kept[] = { "{\\rtf1", "Visible text before.", "Visible text after.", "dde-result",
					    "\\fonttbl" };
	for (gsize i = 0; i < G_N_ELEMENTS(gone); i++)
		if (strstr(s, gone[i]))
			fail_msg("rebuilt RTF still contains '%s':\n%s", gone[i], s);
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++)
		if (!strstr(s, kept[i]))
			fail_msg("rebuilt RTF lost '%s':\n%s", kept[i], s);
	assert_true(removed_has(&out, "embedded OLE object or package removed: 2"));
	assert_true(removed_has(&out, "remote template reference removed: 1"));
	assert_true(removed_has(&out, "data after the end of the document"));
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	/* RTF fed in every truncation: always well-formed braces or unscannable */
	b = sample("object.rtf");
	for (gsize cut = 0; cut < g_bytes_get_size(b); cut++) {
		struct mg_cdr_in in = { .t = t, .data = g_bytes_get_data(b, NULL), .len = cut };
		mg_cdr_out_init(&out);
		enum mg_cdr_status st = mg_cdr_rtf(&in, &out);
		assert_true(st == MG_CDR_REBUILT || st == MG_CDR_UNSCANNABLE);
		if (st == MG_CDR_REBUILT) {
			int depth = 0;
			for (guint k = 0; k < out.data->len; k++)
				depth += out.data->data[k] == '{' ? 1 : out.data->data[k] == '}' ? -1 : 0;
			assert_true(depth <= 0);
		}
		mg_cdr_out_clear(&out);
	}
	g_bytes_unref(b);
	txn_free(t);
}

/* A field code hidden behind 64 KiB of control words is dropped unread;
 * a short harmless field stays. */
static void test_rtf_fields(void **state)
{
	struct mg_txn *t = txn_new(NULL);
	GString *r = g_string_new("{\\rtf1{\\field{\\*\\fldinst ");
	while (r->len < 80000)
		g_string_append(r, "\\b ");
	g_string_append(r, "DDEAUTO x}{\\fldrslt hidden-result}}{\\field{\\*\\fldinst PAGE}{\\fldrslt 1}}}");
	struct mg_cdr_in in = { .t = t, .data = (const guint8 *)r->str, .len = r->len };
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_rtf(&in, &out), MG_CDR_REBUILT);
	char *s = g_strndup((const char *)out.data->data, out.data->len);
	assert_null(strstr(s, "DDEAUTO"));
	assert_non_null(strstr(s, "hidden-result"));
	assert_non_null(strstr(s, "\\fldinst PAGE"));
	assert_true(removed_has(&out, "oversized field code removed: 1"));
	g_free(s);
	mg_cdr_out_clear(&out);
	g_string_free(r, TRUE);
	txn_free(t);
}

static void test_csv(void **state)
{
	static const struct {
		const char *in, *want;
		int fixed;
	} rows[] = {
		{ "a,=1+1\n", "a,'=1+1\n", 1 },
		{ "-12.5,+81,@x\r\n", "-12.5,+81,'@x\r\n", 1 },
		{ "\"=cmd|' /C calc'!A0\",b", "\"'=cmd|' /C calc'!A0\",b", 1 },
		{ "x\t-2+3+cmd|' /C calc'!A0\n", "x\t'-2+3+cmd|' /C calc'!A0\n", 1 },
		{ "\"a, =b\",c\n", "\"a, =b\",c\n", 0 },
		{ "\"+81\",\"-1.5\",\"=1\"\n", "\"+81\",\"-1.5\",\"'=1\"\n", 1 },
		{ "  =1,\xef\xbc\x9d" "1\n", "'  =1,'\xef\xbc\x9d" "1\n", 2 },
		{ "\x93\xfa\x96\x7b,\x82\xa0\n", "\x93\xfa\x96\x7b,\x82\xa0\n", 0 },
		{ "\"unterminated,=x", "\"unterminated,=x", 0 },
	};
	struct mg_txn *t = txn_new(NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_cdr_in in = { .t = t, .data = (const guint8 *)rows[i].in, .len = strlen(rows[i].in),
					.deadline_us = G_MAXINT64 };
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_REBUILT);
		char *got = g_strndup((const char *)out.data->data, out.data->len);
		if (!g_str_equal(got, rows[i].want))
			fail_msg("row %zu: got [%s] want [%s]", i, got, rows[i].want);
		g_free(got);
		assert_int_equal(removed_has(&out, "formula cells neutralised"), rows[i].fixed > 0);
		mg_cdr_out_clear(&out);
	}
	txn_free(t);
}

static void test_csv_utf16(void **state)
{
	struct mg_txn *t = txn_new(NULL);
	gsize n = 0;
	char *u16 = g_convert("a,=1+1\n\xe6\x97\xa5,2\n", -1, "UTF-16LE", "UTF-8", NULL, &n, NULL);
	GByteArray *in_b = g_byte_array_new();
	g_byte_array_append(in_b, (const guint8 *)"\xff\xfe", 2);
	g_byte_array_append(in_b, (const guint8 *)u16, (guint)n);
	struct mg_cdr_in in = { .t = t, .data = in_b->data, .len = in_b->len };
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_CONVERTED);
	char *got = g_strndup((const char *)out.data->data, out.data->len);
	assert_string_equal(got, "\xef\xbb\xbf" "a,'=1+1\n\xe6\x97\xa5,2\n");
	assert_string_equal(out.new_type, "text/csv");
	g_free(got);
	mg_cdr_out_clear(&out);
	/* NUL bytes without a byte order mark: not text */
	guint8 bin[] = { 'a', 0, 'b' };
	in = (struct mg_cdr_in){ .t = t, .data = bin, .len = sizeof bin };
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_UNSCANNABLE);
	mg_cdr_out_clear(&out);
	g_byte_array_unref(in_b);
	g_free(u16);
	txn_free(t);
}

static void test_html_never_passes(void **state)
{
	struct mg_txn *t = txn_new(NULL);
	GBytes *b = sample("page.html");
	struct mg_cdr_out out;
	enum mg_cdr_status st = run_file(t, "page.html", b, &out);
	/* converted to text (issue 3's converter) or, without it, unscannable */
	assert_true(st == MG_CDR_CONVERTED || st == MG_CDR_UNSCANNABLE);
	if (st == MG_CDR_CONVERTED) {
		assert_string_equal(out.new_type, "text/plain");
		assert_string_equal(out.new_filename, "page.txt");
		char *s = g_strndup((const char *)out.data->data, out.data->len);
		assert_null(strstr(s, "<script"));
		assert_non_null(strstr(s, "Hello"));
		g_free(s);
	}
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	txn_free(t);
}

/* ---- threads: libmagic and libxml2 shared by concurrent sessions ---- */

struct thread_job {
	GBytes *docm, *odt;
	int failures;
};

static gpointer thread_run(gpointer p)
{
	struct thread_job *job = p;
	struct mg_txn *t = txn_new(NULL);
	for (int i = 0; i < 15; i++) {
		struct mg_cdr_out out;
		GBytes *b = i % 2 ? job->docm : job->odt;
		if (run_file(t, i % 2 ? "m.docm" : "m.odt", b, &out) != MG_CDR_REBUILT)
			g_atomic_int_inc(&job->failures);
		mg_cdr_out_clear(&out);
	}
	txn_free(t);
	return NULL;
}

static void test_threads(void **state)
{
	struct thread_job job = { sample("macro.docm"), sample("macro.odt"), 0 };
	GThread *th[4];
	for (int i = 0; i < 4; i++)
		th[i] = g_thread_new("cdr", thread_run, &job);
	for (int i = 0; i < 4; i++)
		g_thread_join(th[i]);
	assert_int_equal(job.failures, 0);
	g_bytes_unref(job.docm);
	g_bytes_unref(job.odt);
}

/* ---- through the pipeline: MIME leaves, report, delivered parts ---- */

static void add_attachment(GString *m, const char *name, const char *type, GBytes *b)
{
	gchar *b64 = g_base64_encode(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	g_string_append_printf(m, "--b1\nContent-Type: %s\nContent-Disposition: attachment; filename=\"%s\"\n"
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
	struct mg_config *cfg = mg_config_defaults();
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
	GBytes *docm = sample("macro.docm"), *exe = sample("invoice.pdf"), *csv = sample("injection.csv");
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
	assert_false(zip_has_name(got, "vbaproject"));
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads), /* first: libmagic/libxml2 initialised concurrently */
		cmocka_unit_test(test_filetype_table),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_rule_lookup),
		cmocka_unit_test(test_field_codes),
		cmocka_unit_test(test_dispositions),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_budgets),
		cmocka_unit_test(test_ooxml_rebuild),
		cmocka_unit_test(test_ooxml_idempotent),
		cmocka_unit_test(test_ooxml_bad_input),
		cmocka_unit_test(test_ooxml_mutations),
		cmocka_unit_test(test_rtf),
		cmocka_unit_test(test_rtf_fields),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_utf16),
		cmocka_unit_test(test_html_never_passes),
		cmocka_unit_test(test_pipeline_attachments),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
