/*
 * test_cdr_hostile.c - issue 12, families 4-9: the rebuilders work from an
 * allowlist.  Hostile files are generated at run time
 * (tests/cdr/gen_hostile.py: active content hidden by position, encoding,
 * name or decoy), sent through the whole CDR decision (typing, policy,
 * rebuilder, scan: mg_cdr_file), and the bytes that would be delivered are
 * read back by an independent reader (tests/cdr/check_hostile.py: zipfile,
 * ElementTree, csv and its own RTF decoder) that looks for the active
 * element and for the visible text that must survive.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "cdrctx.h"
#include "cdrtest.h"
#include "mg_html2text.h"
#include "testutil.h"

static int hostile_setup(void **state)
{
	cdrtest_dir = g_dir_make_tmp("mg-hostile-XXXXXX", NULL);
	char *script = g_build_filename(cdrtest_srcdir(), "tests", "cdr", "gen_hostile.py", NULL);
	char *argv[] = {(char *)cdrtest_python(), script, cdrtest_dir, NULL};
	int rc = cdrtest_run(argv, NULL);
	g_free(script);
	return rc;
}

struct row {
	const char *sample;
	enum mg_cdr_status want;
	const char *visible; /* text that must survive (check_hostile.py EXPECT), or NULL */
	const char *removed; /* a line of out->removed or out->reason must contain this, or NULL: nothing removed */
	const char *new_type;
};

static const struct row rows[] = {
	/* family 5: fields wherever the package puts them */
	{"moved-main.docx", MG_CDR_REBUILT, "visible-text-before", "DDE, include or other active field removed: 4",
	 NULL},
	{"moved-root.docx", MG_CDR_REBUILT, "visible-text-after", "DDE, include or other active field removed: 4",
	 NULL},
	{"quote-dde.docx", MG_CDR_REBUILT, "quote-text", "DDE, include or other active field", NULL},
	{"unknown-part.docx", MG_CDR_REBUILT, "unknown-part-text", "VBA macro part removed", NULL},
	{"actions.pptx", MG_CDR_REBUILT, "slide-text", "click action that runs a program or macro", NULL},
	{"clean.docx", MG_CDR_REBUILT, "clean-text", NULL, NULL},
	/* family 4: a macro workbook behind a decoy main part type */
	{"decoy-text.xlsm", MG_CDR_REBUILT, "decoy-cell", "VBA macro part removed",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"decoy-docx.xlsm", MG_CDR_REBUILT, "decoy-cell", "VBA macro part removed",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	/* family 7: ODF */
	{"ole100.odt", MG_CDR_REBUILT, "ole100-text", "embedded OLE object removed", NULL},
	{"script-links.odt", MG_CDR_REBUILT, "script-text", "macro, script or file link removed", NULL},
	/* family 6: RTF */
	{"esc-dde.rtf", MG_CDR_REBUILT, "visible-rtf-text", "active or unknown field", NULL},
	{"u-dde.rtf", MG_CDR_REBUILT, "visible-rtf-text", "active or unknown field", NULL},
	{"obj-late.rtf", MG_CDR_REBUILT, "visible-rtf-text", "embedded OLE object or package removed: 3", NULL},
	{"template.rtf", MG_CDR_REBUILT, "visible-rtf-text", "remote template reference removed: 1", NULL},
	{"clean.rtf", MG_CDR_REBUILT, "bold-text", NULL, NULL},
	/* family 8: CSV */
	{"sep.csv", MG_CDR_CONVERTED, "name;value", "formula cells neutralised: 2", NULL},
	{"cr.csv", MG_CDR_CONVERTED, "multi\nline", "formula cells neutralised: 3", NULL},
	{"sjis.csv", MG_CDR_CONVERTED, "\xe7\x94\xb0\xe4\xb8\xad", "formula cells neutralised: 4", NULL},
	{"lead.csv", MG_CDR_CONVERTED, "e,-12.5", "formula cells neutralised: 4", NULL},
	{"clean.csv", MG_CDR_CONVERTED, "1,-2.5,text", NULL, NULL},
	/* family 9: legacy Office is removed, with what was found */
	{"tab-dde.doc", MG_CDR_REMOVE, NULL, "DDEAUTO", NULL},
	{"quote-dde.doc", MG_CDR_REMOVE, NULL, "nested field", NULL},
	{"incpic.doc", MG_CDR_REMOVE, NULL, "INCLUDEPICTURE", NULL},
	{"objpool.doc", MG_CDR_REMOVE, NULL, "link to a remote URL", NULL},
	{"embedded-docm.doc", MG_CDR_REMOVE, NULL, "VBA macros", NULL},
	{"plain.doc", MG_CDR_REMOVE, NULL, "cannot be rebuilt", NULL},
	{"noise.doc", MG_CDR_REMOVE, NULL, "cannot be rebuilt", NULL}, /* read through its piece table */
	{"pieces-dde.doc", MG_CDR_REMOVE, NULL, "DDE link or active field (DDEAUTO)", NULL},
	/* OPC packages that are not Word/Excel/PowerPoint XML: removed for what they are, not as "corrupt" */
	{"binary.xlsb", MG_CDR_REMOVE, NULL, "application/vnd.ms-excel.sheet.binary.macroenabled.12", NULL},
	{"fixed.xps", MG_CDR_REMOVE, NULL, "application/vnd.ms-xpsdocument", NULL},
};

static gboolean out_mentions(const struct mg_cdr_out *out, const char *needle)
{
	return cdrtest_removed_has(out, needle) || (out->reason && strstr(out->reason, needle));
}

/* The independent reader on the delivered bytes. */
static void check_bytes(const char *sample, const GByteArray *data, const char *visible)
{
	char *path = g_strdup_printf("%s/out-%s", cdrtest_dir, sample);
	assert_true(g_file_set_contents(path, (const char *)data->data, data->len, NULL));
	char *script = g_build_filename(cdrtest_srcdir(), "tests", "cdr", "check_hostile.py", NULL);
	char *argv[] = {(char *)cdrtest_python(), script, path, (char *)visible, NULL};
	char *output = NULL;
	if (cdrtest_run(argv, &output) != 0)
		fail_msg("%s: check_hostile.py found:\n%s", sample, output ? output : "");
	g_free(output);
	g_free(script);
	g_remove(path);
	g_free(path);
}

static void check_row(const struct row *r)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample(r->sample);
	struct mg_cdr_out out;
	enum mg_cdr_status st = cdrtest_file(t, r->sample, b, &out);
	if (st != r->want)
		fail_msg("%s: status %d, want %d (%s)", r->sample, st, r->want, out.reason ? out.reason : "");
	if (r->removed && !out_mentions(&out, r->removed))
		fail_msg("%s: '%s' not reported (reason: %s; first removed: %s)", r->sample, r->removed,
			 out.reason ? out.reason : "", out.removed->len ? (char *)out.removed->pdata[0] : "none");
	if (!r->removed && out.removed->len)
		fail_msg("%s: a harmless file lost '%s'", r->sample, (char *)out.removed->pdata[0]);
	if (r->new_type)
		assert_string_equal(out.new_type ? out.new_type : "-", r->new_type);
	if (st == MG_CDR_REBUILT || st == MG_CDR_CONVERTED)
		check_bytes(r->sample, out.data, r->visible);
	else
		assert_null(out.data);
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

static void test_rows(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		check_row(&rows[i]);
}

/* The macro workbook behind a decoy is typed as what it is. */
static void test_decoy_typed(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("decoy-text.xlsm");
	struct mg_cdr_out out;
	assert_int_equal(cdrtest_file(t, "decoy-text.xlsm", b, &out), MG_CDR_REBUILT);
	assert_string_equal(out.true_type, "application/vnd.ms-excel.sheet.macroenabled.12");
	assert_false(cdrtest_zip_has_name(out.data, "vbaProject"));
	mg_cdr_out_clear(&out);
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

/* RTF in every truncation: balanced braces, never an object control word. */
static void test_rtf_truncated(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	GBytes *b = cdrtest_sample("obj-late.rtf");
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	for (gsize cut = 0; cut < len; cut += 7) {
		struct mg_cdr_in in = {.ctx = cdrctx(t), .data = d, .len = cut};
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		enum mg_cdr_status st = mg_cdr_rtf(&in, &out);
		assert_true(st == MG_CDR_REBUILT || st == MG_CDR_UNSCANNABLE);
		if (st == MG_CDR_REBUILT) {
			char *low = g_ascii_strdown((const char *)out.data->data, out.data->len);
			assert_null(strstr(low, "\\obj"));
			g_free(low);
		}
		mg_cdr_out_clear(&out);
	}
	g_bytes_unref(b);
	cdrtest_txn_free(t);
}

/* HTML that libxml2 parses in quadratic time is bounded before it gets
 * there: the text is converted, the attributes and depth are cut. */
static void test_html_bounded(void **state)
{
	static const char *const samples[][2] = {{"attrs.html", "attr-text"}, {"nest.html", "nest-text"}};
	for (gsize i = 0; i < G_N_ELEMENTS(samples); i++) {
		GBytes *b = cdrtest_sample(samples[i][0]);
		gsize len;
		const char *d = g_bytes_get_data(b, &len);
		struct mg_html2text_opts o = {.max_depth = 256, .max_attributes = 64};
		GError *err = NULL;
		char *text = mg_html2text(d, len, "utf-8", &o, &err);
		if (!text)
			fail_msg("%s: %s", samples[i][0], err->message);
		assert_non_null(strstr(text, samples[i][1]));
		g_free(text);
		g_bytes_unref(b);
	}
}

int main(void)
{
	tu_scan_init(); /* rebuilt files are scanned: one engine, generated database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_decoy_typed),
		cmocka_unit_test(test_rtf_truncated),
		cmocka_unit_test(test_html_bounded),
	};
	return cmocka_run_group_tests(tests, hostile_setup, cdrtest_teardown);
}
