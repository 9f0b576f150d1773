/*
 * test_cdr.c - issue 4a: file typing, the attachment policy table, the dispatcher
 * (dispositions, budgets) and the RTF/CSV/HTML rebuilders.  Hostile files
 * come from tests/cdr/gen_office.py at run time (cdrtest.c).
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
#include "mg_charset.h"
#include "mg_cdr_policy.h"
#include "mg_inline.h"
#include "mg_filetype.h"
#include "mg_sha256.h"
#include "testutil.h"
#include "mg_pipeline.h"

/* ---- file typing ---- */

static const guint8 onenote_hdr[] = {0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae, 0xb1,
				     0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3, 0,    0,    0,    0};
static const guint8 lnk_hdr[] = {0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46};

static void test_filetype_table(void **state)
{
	static const struct {
		const char *sample; /* generated file, or NULL to use data */
		const void *data;
		gsize len;
		const char *filename, *declared, *want_type;
		gboolean mismatch, double_ext, bidi;
	} rows[] = {
		{"invoice.pdf", NULL, 0, "invoice.pdf", "application/pdf", "application/x-dosexec", TRUE, FALSE, FALSE},
		{"macro.docm", NULL, 0, "macro.docm", NULL, "application/vnd.ms-word.document.macroenabled.12", FALSE,
		 FALSE, FALSE},
		{"macro.xlsm", NULL, 0, "report.xlsx", NULL, "application/vnd.ms-excel.sheet.macroenabled.12", FALSE,
		 FALSE, FALSE},
		{"dde.docx", NULL, 0, "a.docx", "application/octet-stream",
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", FALSE, FALSE, FALSE},
		{"dde.docx", NULL, 0, "a.pdf", NULL,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", TRUE, FALSE, FALSE},
		{"password.docx", NULL, 0, "secret.docx", NULL, "application/encrypted", FALSE, FALSE, FALSE},
		{NULL, "WScript.Echo 1\n", 15, "run.js", NULL, "application/javascript", FALSE, FALSE, FALSE},
		{NULL, "hello world\n", 12, "doc.pdf.exe", NULL, "application/x-dosexec", FALSE, TRUE, FALSE},
		{NULL, "hello world\n", 12,
		 "photo\xe2\x80\xae"
		 "gpj.exe",
		 NULL, "application/x-dosexec", FALSE, FALSE, TRUE},
		{NULL, "a,b\n1,2\n", 8, "x.csv", "text/csv", "text/csv", FALSE, FALSE, FALSE},
		{NULL, "{\\rtf1 hello}", 13, "letter.doc", "application/msword", "text/rtf", FALSE, FALSE, FALSE},
		{NULL, onenote_hdr, sizeof onenote_hdr, "notes.one", NULL, "application/onenote", FALSE, FALSE, FALSE},
		{NULL, lnk_hdr, sizeof lnk_hdr, "x.lnk", NULL, "application/x-ms-shortcut", FALSE, FALSE, FALSE},
		{NULL, "plain words\n", 12, "readme.txt", "text/plain", "text/plain", FALSE, FALSE, FALSE},
		{NULL, "#include <stdio.h>\nint main(void) { return 0; }\n", 47, "main.c", NULL, "text/plain", FALSE,
		 FALSE, FALSE},
		{NULL, "#!/bin/sh\necho hi\n", 18, "run.txt", NULL, "text/x-shellscript", TRUE, FALSE, FALSE},
		/* corpus sweep: a message that libmagic calls text (it starts with a
		 * Content-Type field), named or declared as one, is not plain text */
		{NULL, "Content-Type: text/plain\n\nhi\n", 29, "fwd.eml", NULL, "text/plain", TRUE, FALSE, FALSE},
		{NULL, "Content-Type: text/plain\n\nhi\n", 29, NULL, "message/rfc822", "text/plain", TRUE, FALSE,
		 FALSE},
		{NULL, "Content-Type: text/plain\n\nhi\n", 29, NULL, "message/delivery-status", "text/plain", FALSE,
		 FALSE, FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GBytes *b = rows[i].sample ? cdrtest_sample(rows[i].sample) : g_bytes_new(rows[i].data, rows[i].len);
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
		{"attachment_rule = any image/png explode\n", "test.conf:1: attachment_rule: unknown action 'explode'"},
		{"# c\nattachment_rule = sideways image/png keep\n", "test.conf:2: attachment_rule: unknown direction"},
		{"attachment_rule = image/png\n", "test.conf:1: attachment_rule: expected 2 or 3 words"},
		{"attachment_rule = any ima;ge keep\n", "is not a type pattern"},
		{"unscannable_encrypted = ignore\n", "test.conf:1: unscannable_encrypted:"},
		{"attachment_rule = any application/x-msi rebuild\n",
		 "test.conf:1: attachment_rule: no rebuilder for application/x-msi"},
		{"attachment_rule = any application/pdf to-text\n",
		 "test.conf:1: attachment_rule: no text converter for application/pdf"},
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
		{MG_DIR_OUTBOUND, "application/pdf", MG_RULE_KEEP},
		{MG_DIR_INBOUND, "application/pdf", MG_RULE_REMOVE},
		{MG_DIR_INTERNAL, "application/pdf", MG_RULE_REJECT},
		{MG_DIR_INBOUND, "IMAGE/PNG", MG_RULE_REBUILD},
		{MG_DIR_INBOUND, "application/x-dosexec", MG_RULE_REJECT},
	};
	struct mg_txn *t = cdrtest_txn(conf);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		const struct mg_cdr_rule *r = mg_cdr_rule_lookup(t->cfg, rows[i].dir, rows[i].type);
		int got = r ? (int)r->action : -1;
		if (got != rows[i].want)
			fail_msg("row %zu: %s got %d want %d", i, rows[i].type, got, rows[i].want);
	}
	cdrtest_txn_free(t);
	/* the defaults: rebuildable types rebuild, the rest is removed */
	t = cdrtest_txn(NULL);
	const struct mg_cdr_rule *r = mg_cdr_rule_lookup(t->cfg, MG_DIR_INBOUND, "application/x-dosexec");
	assert_non_null(r);
	assert_int_equal(r->action, MG_RULE_REMOVE);
	r = mg_cdr_rule_lookup(t->cfg, MG_DIR_INBOUND, "application/vnd.ms-excel.sheet.macroenabled.12");
	assert_int_equal(r->action, MG_RULE_REBUILD);
	cdrtest_txn_free(t);
}

static void test_field_codes(void **state)
{
	static const struct {
		const char *instr;
		gboolean risky;
	} rows[] = {
		{" DDEAUTO c:\\windows\\system32\\cmd.exe \"/k calc\"", TRUE},
		{"dde cmd", TRUE},
		{" INCLUDEPICTURE \"http://x.invalid/a.png\" \\d", TRUE},
		{"QUOTE 68 68 69", TRUE},
		{" PAGE ", FALSE},
		{"MERGEFIELD name", FALSE},
		{"HYPERLINK \"https://www.example.org/\"", FALSE},
		{"HYPERLINK \\l \"_Toc1\"", FALSE},
		{"HYPERLINK \"file:///c:/windows/calc.exe\"", TRUE},
		{"HYPERLINK \"\\\\server\\share\\x.docx\"", TRUE},
		{"", FALSE},
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
		{NULL, "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_CONTINUE, FALSE},
		{"attachment_on_mismatch = reject\n", "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_REJECT,
		 FALSE},
		{"attachment_on_mismatch = ignore\n", "invoice.pdf", "invoice.pdf", MG_CDR_REMOVE, MG_VERDICT_CONTINUE,
		 FALSE},
		{NULL, "encrypted.docx", "e.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_CONTINUE, FALSE},
		{"unscannable_encrypted = quarantine\n", "encrypted.docx", "e.docx", MG_CDR_UNSCANNABLE,
		 MG_VERDICT_REJECT, TRUE},
		{NULL, "password.docx", "secret.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_CONTINUE, FALSE},
		{"unscannable_encrypted = reject\n", "password.docx", "secret.docx", MG_CDR_UNSCANNABLE,
		 MG_VERDICT_REJECT, FALSE},
		{"unscannable_limits = reject\n", "bomb.docx", "b.docx", MG_CDR_UNSCANNABLE, MG_VERDICT_REJECT, FALSE},
		{"attachment_rule = any text/csv reject\n", "injection.csv", "notes.csv", MG_CDR_REMOVE,
		 MG_VERDICT_REJECT, FALSE},
		{"attachment_rule = any text/csv keep\n", "injection.csv", "a.csv", MG_CDR_REBUILT, MG_VERDICT_CONTINUE,
		 FALSE},
		{"attachment_max_depth = 0\n", "dde.docx", "a.docx", MG_CDR_REBUILT, MG_VERDICT_CONTINUE, FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = cdrtest_txn(rows[i].conf);
		GBytes *b = cdrtest_sample(rows[i].sample);
		struct mg_cdr_out out;
		enum mg_cdr_status st = cdrtest_file(t, rows[i].name, b, &out);
		if (st != rows[i].want || t->report->verdict.kind != rows[i].want_verdict ||
		    t->force_quarantine != rows[i].want_quarantine)
			fail_msg("row %zu (%s): status %d verdict %d quarantine %d (%s)", i, rows[i].sample, st,
				 t->report->verdict.kind, t->force_quarantine, out.reason ? out.reason : "");
		if (st == MG_CDR_REBUILT && strstr(rows[i].conf ? rows[i].conf : "", "keep")) {
			/* issue 12: kept text is delivered as UTF-8, the rest unchanged */
			gsize n = 0;
			const char *orig = g_bytes_get_data(b, &n);
			char *want = mg_charset_to_utf8(orig, n, NULL, NULL);
			assert_true(strlen(want) == out.data->len && memcmp(want, out.data->data, out.data->len) == 0);
			g_free(want);
		}
		mg_cdr_out_clear(&out);
		g_bytes_unref(b);
		cdrtest_txn_free(t);
	}
}

static void test_depth_limit(void **state)
{
	struct mg_txn *t = cdrtest_txn("attachment_max_depth = 1\n");
	GBytes *b = cdrtest_sample("dde.docx");
	struct mg_cdr_in in = {.ctx = cdrctx(t),
			       .data = g_bytes_get_data(b, NULL),
			       .len = g_bytes_get_size(b),
			       .filename = "a.docx",
			       .depth = 2};
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_file(&in, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "too deep"));
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

/* Budgets: a message deadline already past, an output over its size. */
static void test_budgets(void **state)
{
	struct mg_txn *t = cdrtest_txn("unscannable_limits = quarantine\n");
	t->deadline_us = g_get_monotonic_time() - 1;
	GBytes *b = cdrtest_sample("dde.docx");
	struct mg_cdr_out out;
	assert_int_equal(cdrtest_file(t, "a.docx", b, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "time budget"));
	assert_true(t->force_quarantine);
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_REJECT);
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	cdrtest_txn_free(t);

	t = cdrtest_txn("attachment_max_output = 1K\n");
	GString *csv = g_string_new(NULL);
	while (csv->len < 4096)
		g_string_append(csv, "a,b,c\n");
	b = g_bytes_new(csv->str, csv->len);
	assert_int_equal(cdrtest_file(t, "big.csv", b, &out), MG_CDR_UNSCANNABLE);
	assert_non_null(strstr(out.reason, "attachment_max_output"));
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_CONTINUE); /* default: remove the file only */
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	g_string_free(csv, TRUE);
	cdrtest_txn_free(t);
}

/* ---- RTF, CSV, HTML ---- */

static void test_rtf(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("object.rtf");
	struct mg_cdr_out out;
	assert_int_equal(cdrtest_file(t, "object.rtf", b, &out), MG_CDR_REBUILT);
	g_byte_array_append(out.data, (const guint8 *)"", 1);
	const char *s = (const char *)out.data->data;
	static const char *const gone[] = {"\\object", "objdata",    "attacker", "DDEAUTO",
					   "cmd.exe",  "PK\003\004", "d0cf11e0"};
	static const char *const kept[] = {"{\\rtf1", "Visible text before.", "Visible text after.", "dde-result",
					   "\\fonttbl"};
	for (gsize i = 0; i < G_N_ELEMENTS(gone); i++)
		if (strstr(s, gone[i]))
			fail_msg("rebuilt RTF still contains '%s':\n%s", gone[i], s);
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++)
		if (!strstr(s, kept[i]))
			fail_msg("rebuilt RTF lost '%s':\n%s", kept[i], s);
	assert_true(cdrtest_removed_has(&out, "embedded OLE object or package removed: 2"));
	assert_true(cdrtest_removed_has(&out, "remote template reference removed: 1"));
	assert_true(cdrtest_removed_has(&out, "data after the end of the document"));
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	/* RTF fed in every truncation: always well-formed braces or unscannable */
	b = cdrtest_sample("object.rtf");
	for (gsize cut = 0; cut < g_bytes_get_size(b); cut++) {
		struct mg_cdr_in in = {.ctx = cdrctx(t), .data = g_bytes_get_data(b, NULL), .len = cut};
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
	cdrtest_txn_free(t);
}

/* A field code hidden behind 64 KiB of control words is dropped unread;
 * a short harmless field stays. */
static void test_rtf_fields(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GString *r = g_string_new("{\\rtf1{\\field{\\*\\fldinst ");
	while (r->len < 80000)
		g_string_append(r, "\\b ");
	g_string_append(r, "DDEAUTO x}{\\fldrslt hidden-result}}{\\field{\\*\\fldinst PAGE}{\\fldrslt 1}}}");
	struct mg_cdr_in in = {.ctx = cdrctx(t), .data = (const guint8 *)r->str, .len = r->len};
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_rtf(&in, &out), MG_CDR_REBUILT);
	char *s = g_strndup((const char *)out.data->data, out.data->len);
	assert_null(strstr(s, "DDEAUTO"));
	assert_non_null(strstr(s, "hidden-result"));
	assert_non_null(strstr(s, "\\fldinst PAGE"));
	assert_true(cdrtest_removed_has(&out, "oversized field code removed: 1"));
	g_free(s);
	mg_cdr_out_clear(&out);
	g_string_free(r, TRUE);
	cdrtest_txn_free(t);
}

static void test_csv(void **state)
{
	static const struct {
		const char *in, *want;
		int fixed;
	} rows[] = {
		{"a,=1+1\n", "a,'=1+1\n", 1},
		{"-12.5,+81,@x\r\n", "-12.5,+81,'@x\r\n", 1},
		{"\"=cmd|' /C calc'!A0\",b", "\"'=cmd|' /C calc'!A0\",b", 1},
		{"x\t-2+3+cmd|' /C calc'!A0\n", "x\t'-2+3+cmd|' /C calc'!A0\n", 1},
		{"\"a, =b\",c\n", "\"a, =b\",c\n", 0},
		{"\"+81\",\"-1.5\",\"=1\"\n", "\"+81\",\"-1.5\",\"'=1\"\n", 1},
		{"  =1,\xef\xbc\x9d"
		 "1\n",
		 "'  =1,'\xef\xbc\x9d"
		 "1\n",
		 2},
		{"\x93\xfa\x96\x7b,\x82\xa0\n", "\x93\xfa\x96\x7b,\x82\xa0\n", 0},
		{"\"unterminated,=x", "\"unterminated,=x", 0},
	};
	struct mg_txn *t = cdrtest_txn(NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_cdr_in in = {.ctx = cdrctx(t),
				       .data = (const guint8 *)rows[i].in,
				       .len = strlen(rows[i].in),
				       .deadline_us = G_MAXINT64};
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_REBUILT);
		char *got = g_strndup((const char *)out.data->data, out.data->len);
		if (!g_str_equal(got, rows[i].want))
			fail_msg("row %zu: got [%s] want [%s]", i, got, rows[i].want);
		g_free(got);
		assert_int_equal(cdrtest_removed_has(&out, "formula cells neutralised"), rows[i].fixed > 0);
		mg_cdr_out_clear(&out);
	}
	cdrtest_txn_free(t);
}

static void test_csv_utf16(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	gsize n = 0;
	char *u16 = g_convert("a,=1+1\n\xe6\x97\xa5,2\n", -1, "UTF-16LE", "UTF-8", NULL, &n, NULL);
	GByteArray *in_b = g_byte_array_new();
	g_byte_array_append(in_b, (const guint8 *)"\xff\xfe", 2);
	g_byte_array_append(in_b, (const guint8 *)u16, (guint)n);
	struct mg_cdr_in in = {.ctx = cdrctx(t), .data = in_b->data, .len = in_b->len};
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_CONVERTED);
	char *got = g_strndup((const char *)out.data->data, out.data->len);
	assert_string_equal(got, "\xef\xbb\xbf"
				 "a,'=1+1\n\xe6\x97\xa5,2\n");
	assert_string_equal(out.new_type, "text/csv");
	g_free(got);
	mg_cdr_out_clear(&out);
	/* NUL bytes without a byte order mark: not text */
	guint8 bin[] = {'a', 0, 'b'};
	in = (struct mg_cdr_in){.ctx = cdrctx(t), .data = bin, .len = sizeof bin};
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_csv(&in, &out), MG_CDR_UNSCANNABLE);
	mg_cdr_out_clear(&out);
	g_byte_array_unref(in_b);
	g_free(u16);
	cdrtest_txn_free(t);
}

static void test_html_never_passes(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("page.html");
	struct mg_cdr_out out;
	enum mg_cdr_status st = cdrtest_file(t, "page.html", b, &out);
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
	cdrtest_txn_free(t);
}

/* ---- files encoded inside text (corpus sweep: uuencode in a body) ---- */

static void test_inline_files(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: nothing to cut */
		guint cut;
	} rows[] = {
		{"hi\nbegin 644 a.docm\nM5&5S=`H`\n`\nend\nbye\n", "hi\n[uuencoded file a.docm removed]\nbye\n", 1},
		{"hi\r\nbegin 0644 b.exe\r\nM5&5S\r\nend \r\nbye\r\n", "hi\r\n[uuencoded file b.exe removed]\nbye\r\n",
		 1},
		{"x\nbegin 644 open.js\nM5&5S\nno end line\n", "x\n[uuencoded file open.js removed]\n", 1},
		{"begin-base64 644 c.bin\nSGVsbG8=\n====\nz\n", "[uuencoded file c.bin removed]\nz\n", 1},
		{"=ybegin line=128 size=5 name=d.exe\nabc\n=yend size=5\nq\n", "[yEnc file d.exe removed]\nq\n", 1},
		{"(This file must be converted with BinHex 4.0)\n:abc\ndef:\nafter\n",
		 "[BinHex file (no name) removed]\nafter\n", 1},
		{"begin 644 a\nM\nend\nbegin 644 b\nM\nend\n",
		 "[uuencoded file a removed]\n[uuencoded file b removed]\n", 2},
		/* not a block: prose, a two-digit mode, BinHex words without data */
		{"begin the work\nbegin 64 x\n(This file must be converted with BinHex 4.0)\nno colon\n", NULL, 0},
		{"", NULL, 0},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GPtrArray *cut = g_ptr_array_new_with_free_func(g_free);
		GString *g = mg_text_strip_inline_files(rows[i].in, strlen(rows[i].in), cut);
		if ((g == NULL) != (rows[i].want == NULL) || (g && strcmp(g->str, rows[i].want) != 0) ||
		    cut->len != rows[i].cut)
			fail_msg("row %zu: got '%s' (%u cut), want '%s' (%u)", i, g ? g->str : "(none)", cut->len,
				 rows[i].want ? rows[i].want : "(none)", rows[i].cut);
		if (g)
			g_string_free(g, TRUE);
		g_ptr_array_unref(cut);
	}
}

/* The family table's globs: '*' anywhere, first match wins, case folded. */
static void test_family_globs(void **state)
{
	static const struct {
		const char *type, *want;
	} rows[] = {
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word"},
		{"APPLICATION/MSWORD", "word"},
		{"application/msword2", NULL},
		{"application/vnd.ms-excel.sheet.macroenabled.12", "excel"},
		{"image/svg+xml", "xml"},
		{"image/png", "image"},
		{"application/x-zip-compressed", "archive"},
		{"application/zip", "archive"},
		{"text/xmlxml", "xml"}, /* "*xml" must try the later "xml" too */
		{"application/rdf+xml", "xml"},
		{"application/xmlx", NULL},
		{"text/plain", "text"},
		{"text/", "text"},
		{"text", NULL},
		{"text/x-script.python", "script"},
		{"", NULL},
		{NULL, NULL},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		if (g_strcmp0(mg_filetype_family(rows[i].type), rows[i].want) != 0)
			fail_msg("%s: got %s, want %s", rows[i].type, mg_filetype_family(rows[i].type), rows[i].want);
}

/* SHA-256 hex against the FIPS 180-2 vectors, one-shot and in pieces. */
static void test_sha256(void **state)
{
	char hex[65];
	mg_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	mg_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char a[1000];
	memset(a, 'a', sizeof a);
	struct mg_sha256 h;
	mg_sha256_init(&h);
	for (int i = 0; i < 1000; i++) /* a million "a" */
		mg_sha256_update(&h, a, sizeof a);
	mg_sha256_final_hex(&h, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	tu_scan_init();            /* rebuilt files are scanned: one engine, generated database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filetype_table), cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_rule_lookup),    cmocka_unit_test(test_field_codes),
		cmocka_unit_test(test_dispositions),   cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_budgets),        cmocka_unit_test(test_rtf),
		cmocka_unit_test(test_rtf_fields),     cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_utf16),      cmocka_unit_test(test_html_never_passes),
		cmocka_unit_test(test_inline_files),   cmocka_unit_test(test_family_globs),
		cmocka_unit_test(test_sha256),
	};
	return cmocka_run_group_tests(tests, cdrtest_setup, cdrtest_teardown);
}
