/*
 * test_cdr_output.c - issue 12: what a delivered file is called and typed
 * as (cdr_output.c), calendar and vCard to text (cdr_ical.c), TNEF framing
 * (cdr_tnef.c), MIME parts quoted in text (text/inline.c).  Table-driven;
 * the end-to-end cases are the hostile suite (tests/hostile).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cdrctx.h"
#include "cdrtest.h"
#include "mg_cdr.h"
#include "mg_inline.h"
#include "mg_pipeline.h"
#include "testutil.h"

/* ---- the delivered name ---- */

static void test_output_name(void **state)
{
	static const struct {
		const char *conf, *name, *type;
		enum mg_cdr_made made;
		const char *want; /* NULL: removed */
	} rows[] = {
		{NULL, "notes.txt", "text/plain", MG_CDR_MADE_KEPT, "notes.txt"},
		{NULL, "NOTES.TXT", "text/plain", MG_CDR_MADE_KEPT, "NOTES.TXT"},
		{NULL, "README", "text/plain", MG_CDR_MADE_KEPT, "README.txt"},
		{NULL, "server.log", "text/plain", MG_CDR_MADE_KEPT, "server.log.txt"},
		{NULL, "invoice.hta", "text/plain", MG_CDR_MADE_KEPT, NULL},
		{NULL, "data.iqy", "text/plain", MG_CDR_MADE_KEPT, NULL},
		{"text_attachment_other = rename\n", "invoice.hta", "text/plain", MG_CDR_MADE_KEPT, "invoice.hta.txt"},
		{"text_attachment_extensions = txt md\n", "notes.md", "text/plain", MG_CDR_MADE_KEPT, "notes.md.txt"},
		{"text_attachment_extensions = txt md\n", "server.log", "text/plain", MG_CDR_MADE_KEPT, NULL},
		{NULL, "invoice.hta.", "text/plain", MG_CDR_MADE_KEPT, NULL},              /* Windows drops the dot */
		{NULL, "notes.txt. . ", "text/plain", MG_CDR_MADE_KEPT, "notes.txt"},      /* and the spaces */
		{NULL, "..\\..\\Startup\\a.txt", "text/plain", MG_CDR_MADE_KEPT, "a.txt"}, /* no path */
		{NULL,
		 "x\xe2\x80\xae"
		 "txt.hta",
		 "text/plain", MG_CDR_MADE_KEPT, NULL}, /* bidi: x_txt.hta */
		{"text_attachment_other = rename\n",
		 "x\xe2\x80\xae"
		 "txt.hta",
		 "text/plain", MG_CDR_MADE_KEPT, "x_txt.hta.txt"},
		{NULL, "a:b*c?.txt", "text/plain", MG_CDR_MADE_KEPT, "a_b_c_.txt"},
		{NULL, ".hta", "text/plain", MG_CDR_MADE_KEPT, ".hta.txt"}, /* no extension, only a stem */
		{NULL, NULL, "application/pdf", MG_CDR_MADE_REBUILT, "attachment.pdf"},
		{NULL, "report", "application/pdf", MG_CDR_MADE_REBUILT, "report.pdf"},
		{NULL, "report.PDF", "application/pdf", MG_CDR_MADE_REBUILT, "report.PDF"},
		{NULL, "photo.jpg", "image/png", MG_CDR_MADE_REBUILT, "photo.png"},
		{NULL, "macro.docm", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		 MG_CDR_MADE_REBUILT, "macro.docx"},
		{NULL, "page.html", "text/plain", MG_CDR_MADE_CONVERTED, "page.html.txt"},
		{NULL, "invite.ics", "text/plain", MG_CDR_MADE_CONVERTED, "invite.ics.txt"},
		{NULL, "winmail.dat", "application/zip", MG_CDR_MADE_CONVERTED, "winmail.dat.zip"},
		{NULL, "x.exe", "application/x-dosexec", MG_CDR_MADE_REBUILT, NULL}, /* no delivery form */
		{NULL, "x.svg", "image/svg+xml", MG_CDR_MADE_REBUILT, NULL},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = cdrtest_txn(rows[i].conf);
		char *why = NULL;
		char *got = mg_cdr_output_name(t->cfg, rows[i].name, rows[i].type, rows[i].made, &why);
		if (g_strcmp0(got, rows[i].want) != 0)
			fail_msg("row %zu (%s as %s): got %s, want %s (%s)", i, rows[i].name ? rows[i].name : "-",
				 rows[i].type, got ? got : "removed", rows[i].want ? rows[i].want : "removed",
				 why ? why : "");
		if (!got)
			assert_non_null(why);
		g_free(got);
		g_free(why);
		cdrtest_txn_free(t);
	}
	/* a long stem is cut at a character so that the name stays short */
	struct mg_txn *t = cdrtest_txn(NULL);
	GString *long_name = g_string_new(NULL);
	for (int i = 0; i < 200; i++)
		g_string_append(long_name, "\xe8\xad\xb0"); /* 議 */
	g_string_append(long_name, ".txt");
	char *why = NULL, *got = mg_cdr_output_name(t->cfg, long_name->str, "text/plain", MG_CDR_MADE_KEPT, &why);
	assert_non_null(got);
	assert_true(strlen(got) <= 200 && g_str_has_suffix(got, ".txt") && g_utf8_validate(got, -1, NULL));
	g_free(got);
	g_string_free(long_name, TRUE);
	cdrtest_txn_free(t);
}

static void test_output_type(void **state)
{
	static const char *const rows[][2] = {
		{"text/plain", "text/plain"},    {"image/x-ms-bmp", "image/bmp"},
		{"text/rtf", "application/rtf"}, {"text/html", NULL},
		{"image/svg+xml", NULL},         {"application/octet-stream", NULL},
		{"text/calendar", NULL},         {"application/zip", "application/zip"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		if (g_strcmp0(mg_cdr_output_type(rows[i][0]), rows[i][1]) != 0)
			fail_msg("%s: got %s, want %s", rows[i][0], mg_cdr_output_type(rows[i][0]), rows[i][1]);
}

/* ---- mg_cdr_file: the type and name delivered, whatever was declared ---- */

static enum mg_cdr_status file_as(struct mg_txn *t, const char *name, const char *declared, const char *charset,
				  const char *data, gsize len, struct mg_cdr_out *out)
{
	struct mg_cdr_in in = {.ctx = cdrctx(t),
			       .data = (const guint8 *)data,
			       .len = len,
			       .filename = name,
			       .declared_type = declared,
			       .declared_charset = charset};
	mg_cdr_out_init(out);
	enum mg_cdr_status st = mg_cdr_file(&in, out);
	cdrctx_apply(t);
	return st;
}

static void test_delivered_form(void **state)
{
	static const struct {
		const char *name, *declared, *charset, *data;
		enum mg_cdr_status want;
		const char *type, *new_name, *text; /* the delivered type, name, a piece of the content */
		gboolean kept;
	} rows[] = {
		{"a.txt", "text/plain", "utf-8", "plain words\n", MG_CDR_REBUILT, "text/plain", "a.txt", "plain words",
		 TRUE},
		{"note.txt", "text/html", NULL, "Dear user <b>x</b> <img src=x onerror=y>\n", MG_CDR_REBUILT,
		 "text/plain", "note.txt", "onerror", TRUE},
		{"note", "image/svg+xml", NULL, "<a:svg xmlns:a=\"http://www.w3.org/2000/svg\"/> text\n",
		 MG_CDR_REBUILT, "text/plain", "note.txt", "a:svg", FALSE},
		{"memo.txt", "text/plain", "shift_jis", "\x89\xef\x8b\x63\n", MG_CDR_REBUILT, "text/plain", "memo.txt",
		 "\xe4\xbc\x9a\xe8\xad\xb0", FALSE}, /* 会議 as UTF-8 */
		{"invoice.hta", "text/plain", NULL, "just some words\n", MG_CDR_REMOVE, NULL, NULL, NULL, FALSE},
		{"page.html", "text/html", NULL, "<html><body><p>Hello</p><script>x()</script></body></html>",
		 MG_CDR_CONVERTED, "text/plain", "page.txt", "Hello", FALSE}, /* the converter names it */
		{"invite.ics", "text/calendar", NULL,
		 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Budget \r\n meeting\r\nDESCRIPTION:a\\, "
		 "b\\nc"
		 "\r\nATTACH;VALUE=BINARY;ENCODING=BASE64:TVqQAAMAAAAEAAAA\r\nBEGIN:VALARM\r\nACTION:PROCEDURE\r\n"
		 "ATTACH:file:///C:/x.exe\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		 MG_CDR_CONVERTED, "text/plain", "invite.ics.txt", "SUMMARY: Budget meeting", FALSE},
		{"card.vcf", "text/vcard", NULL,
		 "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Taro\r\nPHOTO;ENCODING=b:AAAA\r\nEND:VCARD\r\n", MG_CDR_CONVERTED,
		 "text/plain", "card.vcf.txt", "FN: Taro", FALSE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_txn *t = cdrtest_txn(NULL);
		struct mg_cdr_out out;
		enum mg_cdr_status st = file_as(t, rows[i].name, rows[i].declared, rows[i].charset, rows[i].data,
						strlen(rows[i].data), &out);
		if (st != rows[i].want)
			fail_msg("row %zu (%s): status %d, want %d (%s)", i, rows[i].name, st, rows[i].want,
				 out.reason ? out.reason : "");
		if (rows[i].type) {
			assert_string_equal(out.new_type, rows[i].type);
			assert_string_equal(out.new_filename, rows[i].new_name);
			char *got = g_strndup((const char *)out.data->data, out.data->len);
			if (!strstr(got, rows[i].text))
				fail_msg("row %zu (%s): '%s' not in \"%s\"", i, rows[i].name, rows[i].text, got);
			assert_true(g_utf8_validate(got, -1, NULL));
			g_free(got);
			assert_int_equal(out.kept, rows[i].kept);
		}
		mg_cdr_out_clear(&out);
		cdrtest_txn_free(t);
	}
}

/* What the calendar converter leaves out, and says it left out. */
static void test_ical_removed(void **state)
{
	static const char ics[] =
		"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nEND:VTIMEZONE\r\n"
		"BEGIN:VEVENT\r\nUID:1@x\r\nSUMMARY:S\r\nATTACH;FMTTYPE=application/hta;ENCODING=BASE64;"
		"VALUE=BINARY:PGh0YT4=\r\nBEGIN:VALARM\r\nACTION:PROCEDURE\r\nATTACH:file:///C:/calc.exe\r\n"
		"END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	struct mg_txn *t = cdrtest_txn(NULL);
	struct mg_cdr_out out;
	assert_int_equal(file_as(t, "i.ics", "text/calendar", NULL, ics, strlen(ics), &out), MG_CDR_CONVERTED);
	char *got = g_strndup((const char *)out.data->data, out.data->len);
	assert_null(strstr(got, "PGh0YT4"));
	assert_null(strstr(got, "calc.exe"));
	assert_null(strstr(got, "Asia/Tokyo"));
	assert_null(strstr(got, "UID"));
	assert_non_null(strstr(got, "SUMMARY: S"));
	assert_true(cdrtest_removed_has(&out, "embedded file (binary value) removed: 1"));
	assert_true(cdrtest_removed_has(&out, "alarm removed: 1"));
	g_free(got);
	mg_cdr_out_clear(&out);
	cdrtest_txn_free(t);
}

/* ---- TNEF framing ---- */

static GByteArray *tnef_stream(gboolean truncate, gboolean twice)
{
	static const guint8 head[] = {0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00};
	static const guint8 attr[] = {0x01, 0x06, 0x90, 0x08, 0x00, 0x04, 0x00, 0x00,
				      0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00}; /* attTnefVersion, checksum 1 */
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, head, sizeof head);
	g_byte_array_append(b, attr, sizeof attr - (truncate ? 3 : 0));
	if (twice) /* libytnef would lose the first copy's memory */
		g_byte_array_append(b, attr, sizeof attr);
	return b;
}

static void test_tnef_framing(void **state)
{
	struct mg_txn *t = cdrtest_txn(NULL);
	struct mg_cdr_out out;
	GByteArray *ok = tnef_stream(FALSE, FALSE), *cut = tnef_stream(TRUE, FALSE), *twice = tnef_stream(FALSE, TRUE);
	struct mg_cdr_in in = {.ctx = cdrctx(t), .data = ok->data, .len = ok->len, .filename = "winmail.dat"};
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_tnef(&in, &out), MG_CDR_REMOVE); /* a valid stream without files */
	mg_cdr_out_clear(&out);
	in.data = cut->data;
	in.len = cut->len;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_tnef(&in, &out), MG_CDR_UNSCANNABLE); /* libytnef would call it fine */
	assert_non_null(strstr(out.reason, "corrupt TNEF"));
	mg_cdr_out_clear(&out);
	in.data = twice->data;
	in.len = twice->len;
	mg_cdr_out_init(&out);
	assert_int_equal(mg_cdr_tnef(&in, &out), MG_CDR_UNSCANNABLE); /* an attribute repeated */
	mg_cdr_out_clear(&out);
	/* stray bytes after the last attribute (a gateway's padding): up to 8
	 * cannot start another attribute and are left out; 9 must frame one */
	static const struct {
		guint n;
		enum mg_cdr_status want;
	} tails[] = {{1, MG_CDR_REMOVE}, {8, MG_CDR_REMOVE}, {9, MG_CDR_UNSCANNABLE}};
	for (gsize i = 0; i < G_N_ELEMENTS(tails); i++) {
		GByteArray *b = tnef_stream(FALSE, FALSE);
		for (guint k = 0; k < tails[i].n; k++)
			g_byte_array_append(b, (const guint8 *)"\x0a", 1);
		in.data = b->data;
		in.len = b->len;
		mg_cdr_out_init(&out);
		assert_int_equal(mg_cdr_tnef(&in, &out), tails[i].want);
		mg_cdr_out_clear(&out);
		g_byte_array_unref(b);
	}
	g_byte_array_unref(ok);
	g_byte_array_unref(cut);
	g_byte_array_unref(twice);
	cdrtest_txn_free(t);
}

/* ---- MIME parts quoted in text ---- */

static void test_inline_mime(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: unchanged */
	} rows[] = {
		{"Bounce:\nContent-Type: application/zip; name=\"s.zip\"\nContent-Transfer-Encoding: base64\n\n"
		 "UEsDBAoAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nAAAA\n\nafter\n",
		 "Bounce:\nContent-Type: application/zip; name=\"s.zip\"\nContent-Transfer-Encoding: base64\n\n"
		 "[MIME base64 file s.zip removed]\n\nafter\n"},
		{"content-transfer-encoding:   BASE64\n\nUEsDBAoAAQAAAAAAAAAAAAAAAAAAAAAA",
		 "content-transfer-encoding:   BASE64\n\n"
		 "[MIME base64 file (no name) removed]\n"},
		{"Use Content-Transfer-Encoding: base64\n\nThanks\n", NULL}, /* too short to be a file */
		{"Content-Transfer-Encoding: base64\nSubject: x\n\nplain words here, not base64 at all\n", NULL},
		{"UEsDBAoAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", NULL}, /* base64 without a header block */
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GPtrArray *cut = g_ptr_array_new_with_free_func(g_free);
		GString *g = mg_text_strip_inline_files(rows[i].in, strlen(rows[i].in), cut);
		if (g_strcmp0(g ? g->str : NULL, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\"", i, g ? g_strescape(g->str, NULL) : "(unchanged)");
		assert_int_equal(cut->len, rows[i].want ? 1 : 0);
		if (g)
			g_string_free(g, TRUE);
		g_ptr_array_unref(cut);
	}
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	tu_scan_init();            /* delivered files are scanned: one engine, generated database */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_name),    cmocka_unit_test(test_output_type),
		cmocka_unit_test(test_delivered_form), cmocka_unit_test(test_ical_removed),
		cmocka_unit_test(test_tnef_framing),   cmocka_unit_test(test_inline_mime),
	};
	return cmocka_run_group_tests(tests, cdrtest_setup, cdrtest_teardown);
}
