/*
 * test_body.c - the body through the whole pipeline (HTML-only,
 * alternative choice, signed, encrypted, attached messages, body-only,
 * output charset, notice placement and language, limits) and the notice
 * template parser (errors with file:line, built-in copy = conf files).
 * Every message is generated here.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "mg_body.h"
#include "mg_charset.h"
#include "mg_mime.h"
#include "mg_pipeline.h"
#include "mg_smime.h"
#include "testutil.h"

struct result {
	enum mg_verdict_kind kind;
	char code[4];
	char *text;    /* all text/plain parts of the output, UTF-8 */
	char *headers; /* the header operations, "ADD Name: value" / "DEL Name" lines */
	char *types;   /* content types of the output tree, space separated */
};

static void collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct result *r = data;
	char *type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
	char *cs = g_strdup(g_mime_object_get_content_type_parameter(part, "charset"));
	char *old = r->types;
	r->types = g_strdup_printf("%s%s%s%s%s", old ? old : "", old ? " " : "", type, cs ? ";" : "", cs ? cs : "");
	g_free(old);
	if (GMIME_IS_PART(part) && g_ascii_strcasecmp(type, "text/plain") == 0) {
		char *t = mg_charset_part_text(GMIME_PART(part)), *o = r->text;
		r->text = g_strconcat(o ? o : "", t, NULL);
		g_free(o);
		g_free(t);
	}
	g_free(type);
	g_free(cs);
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		GMimeObject *b = m ? g_mime_message_get_mime_part(m) : NULL;
		if (b)
			collect(NULL, b, r);
	}
	if (GMIME_IS_MULTIPART(part) && parent == NULL)
		g_mime_multipart_foreach(GMIME_MULTIPART(part), collect, r);
}

/* Feed `msg` (LF line ends) through the pipeline with config text `conf`
 * (testutil: scanner with the test signatures, private store and logs). */
static struct result run(const char *conf, const char *msg)
{
	struct result r = {0};
	struct mg_config *cfg = tu_config(conf);
	struct mg_conn *c = NULL;
	struct mg_txn *t = tu_run(cfg, msg, strlen(msg), 0, &c);
	const struct mg_verdict *v = &mg_txn_report(t)->verdict;
	r.kind = v->kind;
	g_strlcpy(r.code, v->code, sizeof r.code);
	GString *out = g_string_new(NULL), *hdr = g_string_new(NULL);
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		g_string_append_printf(hdr, "%s %s%s%s\n",
				       op->kind == MG_HDR_ADD      ? "ADD"
				       : op->kind == MG_HDR_CHANGE ? "CHG"
								   : "DEL",
				       op->name, op->value ? ": " : "", op->value ? op->value : "");
		if (op->kind == MG_HDR_ADD)
			g_string_append_printf(out, "%s: %s\n", op->name, op->value);
	}
	r.headers = g_string_free(hdr, FALSE);
	GMimeStream *nb = mg_txn_new_body(t);
	if (nb && v->kind == MG_VERDICT_ACCEPT) {
		g_string_append_c(out, '\n');
		GByteArray *ba = g_byte_array_new();
		GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(ba);
		g_mime_stream_write_to_stream(nb, mem);
		g_string_append_len(out, (char *)ba->data, ba->len);
		g_object_unref(mem);
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(out->str, out->len);
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
		assert_non_null(m);
		collect(NULL, g_mime_message_get_mime_part(m), &r);
		g_object_unref(m);
		g_object_unref(p);
		g_object_unref(s);
	}
	if (nb)
		g_object_unref(nb);
	g_string_free(out, TRUE);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
	if (!r.text)
		r.text = g_strdup("");
	if (!r.types)
		r.types = g_strdup("");
	return r;
}

/* CMS SignedData generated with a few lines of Python (no signer): BER
 * with indefinite lengths and a chunked OCTET STRING holding a UTF-8 text
 * part, and definite-length DER holding an HTML part. */
#define SMIME_BER                                                                                                      \
	"MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG9w0BBwGggCSABBRDb250ZW50LVR5cGU6IHRleHQvcAQUbGFpbjsgY2hhcnNldD11dGYt" \
	"OA0EFApDb250ZW50LVRyYW5zZmVyLUVuBBRjb2Rpbmc6IDhiaXQNCg0K5LiN6QQUgI/"                                          \
	"mmI7nvbLlkI3jga7mnKzmlocEC+OBp+OBmeOAgg0KAAAAAAAAMQAAAAAAAAA="
#define SMIME_DER                                                                                                      \
	"MF0GCSqGSIb3DQEHAqBQME4CAQExADBFBgkqhkiG9w0BBwGgOAQ2Q29udGVudC1UeXBlOiB0ZXh0L2h0bWwNCg0KPHA+"                 \
	"b3BhcXVlIDxiPmh0bWw8L2I+PC9wPg0KMQA="
#define OPAQUE                                                                                                         \
	"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\n"            \
	"Content-Transfer-Encoding: base64\n\n"
#define HDRS     "From: a@example.jp\nTo: b@city.example.lg.jp\nSubject: test\nMessage-ID: <t@example.jp>\n"
#define MP(type) HDRS "MIME-Version: 1.0\nContent-Type: " type "; boundary=\"b1\"\n\n"
#define HTML_JIS                                                                                                       \
	"Content-Type: text/html; charset=iso-2022-jp\n\n<html><body><p>\x1b$B$3$s$K$A$O-!\x1b(B</p></body></html>\n"

struct row {
	const char *name, *conf, *msg;
	enum mg_verdict_kind kind;
	const char *code;
	const char *want[4];   /* substrings of the output text */
	const char *unwant[3]; /* must not be in the text */
	const char *header;    /* substring of the header operations */
	const char *types;     /* substring of the output content types */
};

static const struct row rows[] = {
	{"html only iso-2022-jp",
	 "",
	 HDRS "MIME-Version: 1.0\n" HTML_JIS,
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"こんにちは①", "HTML 形式", "無害化処理のお知らせ"},
	 {"<p>", "<html"},
	 "X-Mugaika-Actions: html-to-text",
	 "text/plain;utf-8"},
	{"alternative keeps plain",
	 "",
	 MP("multipart/alternative") "--b1\nContent-Type: text/plain; charset=utf-8\n\n"
				     "This is the full plain text of the message, long enough to carry all of the "
				     "content.\n"
				     "--b1\nContent-Type: text/html\n\n<p>HTML VERSION</p>\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"full plain text"},
	 {"HTML VERSION", "無害化"},
	 "X-Mugaika-Actions: none",
	 "text/plain"},
	{"alternative stub converts html",
	 "",
	 MP("multipart/alternative") "--b1\nContent-Type: text/plain\n\nView in HTML.\n"
				     "--b1\nContent-Type: text/html\n\n<p>HTML VERSION</p>\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"HTML VERSION"},
	 {"View in HTML", "<p>"},
	 "html-to-text",
	 "text/plain"},
	{"alternative with calendar",
	 "",
	 MP("multipart/alternative") "--b1\nContent-Type: text/plain\n\n\n--b1\nContent-Type: "
				     "text/html\n\n<p>Meeting</p>\n"
				     "--b1\nContent-Type: text/calendar; "
				     "method=REQUEST\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"Meeting", "text/calendar"},
	 {"<p>"},
	 "html-to-text",
	 NULL},
	{"alternative inside related",
	 "",
	 MP("multipart/alternative") "--b1\nContent-Type: text/plain\n\n\n--b1\n"
				     "Content-Type: multipart/related; boundary=\"b2\"\n\n--b2\nContent-Type: "
				     "text/html\n\n"
				     "<p>Rel <img src=\"cid:i1\" alt=\"map\"></p>\n--b2--\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"Rel [画像: map]"},
	 {"<img"},
	 "html-to-text",
	 "multipart/mixed"},
	{"signed",
	 "",
	 MP("multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256") "--b1\nContent-Type: "
											  "text/plain; "
											  "charset=utf-8\n\nsigned "
											  "body text\n"
											  "--b1\nContent-Type: "
											  "application/"
											  "pkcs7-signature; "
											  "name=smime."
											  "p7s\n\nMIAGCSqGSIb3DQEHAqCAM"
											  "IACAQEx\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"signed body text", "電子署名"},
	 {"MIAGCSq"},
	 "signature-removed",
	 "text/plain"},
	{"encrypted rejected",
	 "",
	 MP("multipart/encrypted; protocol=\"application/pgp-encrypted\"") "--b1\nContent-Type: "
									   "application/pgp-encrypted\n\nVersion: "
									   "1\n--b1\n"
									   "Content-Type: "
									   "application/octet-stream\n\n-----BEGIN PGP "
									   "MESSAGE-----\nhQEMA\n--b1--\n",
	 MG_VERDICT_REJECT,
	 "554",
	 {NULL},
	 {NULL},
	 NULL,
	 NULL},
	{"opaque signed unwrapped (BER)",
	 "",
	 HDRS OPAQUE SMIME_BER "\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"不透明署名の本文です。", "電子署名"},
	 {NULL},
	 "signature-removed",
	 "text/plain"},
	{"opaque signed unwrapped (DER, HTML)",
	 "",
	 HDRS OPAQUE SMIME_DER "\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"opaque html", "電子署名", "HTML 形式"},
	 {"<b>"},
	 "html-to-text; signature-removed",
	 "text/plain"},
	{"opaque signed rejected",
	 "",
	 HDRS "MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\n"
	      "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\n",
	 MG_VERDICT_REJECT,
	 "554",
	 {NULL},
	 {NULL},
	 NULL,
	 NULL},
	{"encrypted removed by config",
	 "encrypted_action = remove\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
	      "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"暗号化された部分", "削除しました"},
	 {NULL},
	 "encrypted-removed; removed=1",
	 NULL},
	{"body only",
	 "body_only = yes\n",
	 MP("multipart/mixed") "--b1\nContent-Type: text/plain\n\nbody\n--b1\n"
			       "Content-Type: text/csv; name=a.csv\nContent-Disposition: attachment; "
			       "filename=a.csv\n\na,b\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"body\n", "a.csv", "本文のみ"},
	 {"a,b"},
	 "body-only; removed=1",
	 NULL},
	{"notice bottom english",
	 "notice_position = bottom\nnotice_language = en\n",
	 HDRS "MIME-Version: 1.0\n" HTML_JIS,
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"こんにちは①\n\n---", "converted to plain text"},
	 {"無害化"},
	 NULL,
	 NULL},
	{"notice always",
	 "notice_when = always\n",
	 HDRS "\nplain\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"無害化処理のお知らせ", "plain"},
	 {NULL},
	 "X-Mugaika-Actions: none",
	 NULL},
	{"notice never",
	 "notice_when = never\n",
	 HDRS "MIME-Version: 1.0\n" HTML_JIS,
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"こんにちは①"},
	 {"無害化"},
	 "html-to-text",
	 NULL},
	{"iso-2022-jp output",
	 "body_charset = iso-2022-jp\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: text/plain; charset=shift_jis\n\n\x82\xb1\x82\xf1\x81\x60\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"こん\xe3\x80\x9c"},
	 {NULL},
	 NULL,
	 "text/plain;iso-2022-jp"},
	{"iso-2022-jp long line base64",
	 "body_charset = iso-2022-jp\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行"
	      "長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長い行長"
	      "い行長い行長い行\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"長い行長い行"},
	 {NULL},
	 "Content-Transfer-Encoding: base64",
	 "text/plain;iso-2022-jp"},
	{"iso-2022-jp output keeps NEC row 13 and half-width kana (CP50220/CP50221)",
	 "body_charset = iso-2022-jp\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: text/plain; charset=shift_jis\n\n\x87\x40\xb1\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"①ｱ"},
	 {NULL},
	 NULL,
	 "text/plain;iso-2022-jp"},
	{"iso-2022-jp output falls back",
	 "body_charset = iso-2022-jp\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n\xe9\xab\x99\xf0\x9f\x99\x87\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"髙🙇"},
	 {NULL},
	 NULL,
	 "text/plain;utf-8"},
	{"attached message converted",
	 "",
	 MP("multipart/mixed") "--b1\nContent-Type: text/plain\n\nsee attached\n--b1\nContent-Type: message/rfc822\n\n"
			       "From: c@example.jp\nSubject: =?iso-2022-jp?b?GyRCLSEbKEI=?=\nContent-Type: "
			       "text/html\n\n<p>inner html</p>\n--b1--\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"see attached", "inner html", "(名前なし)"},
	 {"<p>", "HTML 形式"},
	 "converted=1",
	 "message/rfc822"},
	{"html too large rejected",
	 "html_max_output = 1K\n",
	 HDRS "MIME-Version: 1.0\nContent-Type: text/html\n\n<p>"
	      "0123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\n",
	 MG_VERDICT_REJECT,
	 "554",
	 {NULL},
	 {NULL},
	 NULL,
	 NULL},
	{"raw 8-bit subject re-encoded",
	 "",
	 "From: a@example.jp\nSubject: \x82\xa0 hi\n\nbody\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"body"},
	 {NULL},
	 "CHG Subject: =?UTF-8?B?44GC?= hi",
	 NULL},
	{"control characters dropped",
	 "",
	 "From: a@example.jp\n\nbell\x07 esc\x1b[31m red\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"bell esc[31m red"},
	 {"\x1b", "\x07"},
	 NULL,
	 NULL},
	{"forged status headers removed",
	 "",
	 HDRS "X-Mugaika-Status: clean\nX-Mugaika-Actions: none\n\nhi\n",
	 MG_VERDICT_ACCEPT,
	 "250",
	 {"hi"},
	 {NULL},
	 "DEL X-Mugaika-Status",
	 NULL},
};

static void test_pipeline_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		const struct row *w = &rows[i];
		struct result r = run(w->conf, w->msg);
		if (r.kind != w->kind || strcmp(r.code, w->code) != 0)
			fail_msg("%s: verdict %s %s, want %s %s", w->name, mg_verdict_name(r.kind), r.code,
				 mg_verdict_name(w->kind), w->code);
		for (int j = 0; j < 4 && w->want[j]; j++)
			if (!strstr(r.text, w->want[j]))
				fail_msg("%s: text lacks '%s':\n%s", w->name, w->want[j], r.text);
		for (int j = 0; j < 3 && w->unwant[j]; j++)
			if (strstr(r.text, w->unwant[j]))
				fail_msg("%s: text has '%s':\n%s", w->name, w->unwant[j], r.text);
		if (w->header && !strstr(r.headers, w->header))
			fail_msg("%s: headers lack '%s':\n%s", w->name, w->header, r.headers);
		if (w->types && !strstr(r.types, w->types))
			fail_msg("%s: types '%s' lack '%s'", w->name, r.types, w->types);
		g_free(r.text);
		g_free(r.headers);
		g_free(r.types);
	}
}

struct tmpl_row {
	const char *text, *want_err; /* NULL: valid */
};

#define T_OK                                                                                                           \
	"[header]\nH\n[part]\n{name} {type} {size} {action} {reason}\n[object]\n{object}\n[event]\n{event}\n"          \
	"[quarantine]\n{quarantine_id}\n[words]\nkept = k\nconverted = c\nrebuilt = r\nremoved = x\nnoname = n\n"

static const struct tmpl_row tmpl_rows[] = {
	{T_OK, NULL},
	{"# c\n" T_OK "[footer]\n{{literal}}\n", NULL},
	{"\xef\xbb\xbf" T_OK, NULL},
	{"\xef\xbb\xbf[header]\r\nH\r\n" T_OK, "section [header] given twice"},
	{T_OK "[footer]\n{name}\n", "t.txt:18: notice template: unknown placeholder {name} in [footer]"},
	{"[header]\n{oops\n", "t.txt:2: notice template: '{' is not closed"},
	{"[header]\nx }\n", "t.txt:2: notice template: '}' without '{'"},
	{"text\n", "t.txt:1: notice template: text before the first [section]"},
	{"[header]\n[bogus]\n", "t.txt:2: notice template: unknown section [bogus]"},
	{"[header]\n[header]\n", "t.txt:2: notice template: section [header] given twice"},
	{"[header]\nH\n", "t.txt: notice template: section [part] is missing"},
	{"[header]\n[part]\n[object]\n[event]\n[quarantine]\n[words]\nkept = k\n", "[words] lacks 'converted"},
	{"[header]\n\xff\n", "t.txt:1: notice template: not valid UTF-8"},
};

static void test_template_rows(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(tmpl_rows); i++) {
		GError *err = NULL;
		struct mg_notice_tmpl *tm = mg_notice_tmpl_parse("t.txt", tmpl_rows[i].text, &err);
		if (!tmpl_rows[i].want_err && !tm)
			fail_msg("row %zu: unexpected error %s", i, err->message);
		if (tmpl_rows[i].want_err && (tm || !strstr(err->message, tmpl_rows[i].want_err)))
			fail_msg("row %zu: got '%s', want '%s'", i, err ? err->message : "(valid)",
				 tmpl_rows[i].want_err);
		mg_notice_tmpl_free(tm);
		g_clear_error(&err);
	}
}

/* The message catalog: patterns, captures, terms, nested lines, errors. */
#define CAT_OK                                                                                                         \
	"[reason]\nkept =\n*: the file name has a double extension* = 二重拡張子 ({1})\n"                         \
	"[object]\n* removed: * (*) = {1:term} ({2} 個)\n* removed: * = 「{1}」を削除 ({2:reason})\n"            \
	"*: * = 「{1}」の中: {2:object}\n"                                                                         \
	"[term]\nVBA macro part = マクロ\n[fallback]\nreason = 管理者へ\nobject = 要素\n"

static void test_catalog(void **state)
{
	(void)state;
	static const struct {
		gboolean object;
		const char *english, *want;
	} says[] = {
		{FALSE, "kept", ""}, /* said by the action line already: left out */
		{FALSE, "application/x-dosexec: the file name has a double extension (x)",
		 "二重拡張子 (application/x-dosexec)"},
		{TRUE, "VBA macro part removed: 2 (word/vbaProject.bin)", "マクロ (2 個)"},
		{TRUE, "a.exe removed: x: the file name has a double extension", "「a.exe」を削除 (二重拡張子 (x))"},
		{TRUE, "doc.docm: VBA macro part removed: 1 (vbaProject.bin)", "「doc.docm」の中: マクロ (1 個)"},
		{TRUE, "Frobnicator removed: 1 (x)", "要素"}, /* an unknown term: the fallback */
		{FALSE, "something new", "管理者へ"},
	};
	GError *err = NULL;
	struct mg_notice_catalog *c = mg_notice_catalog_parse("r.txt", CAT_OK, &err);
	assert_non_null(c);
	for (gsize i = 0; i < G_N_ELEMENTS(says); i++) {
		char *got = mg_notice_catalog_say(c, says[i].object, says[i].english, "test");
		if (strcmp(got, says[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'", says[i].english, got, says[i].want);
		g_free(got);
	}
	mg_notice_catalog_free(c);
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"[reason]\n* = {2}\n", "r.txt:2: notice catalog: {2} but the pattern has 1 '*'"},
		{"[reason]\nx = {1:bogus}\n", "r.txt:2: notice catalog: placeholders are"},
		{"x = y\n", "r.txt:1: notice catalog: text before the first [section]"},
		{"[nope]\n", "r.txt:1: notice catalog: unknown section [nope]"},
		{"[reason]\nno equals sign\n", "r.txt:2: notice catalog: expected 'pattern = text'"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_null(mg_notice_catalog_parse("r.txt", bad[i].text, &err));
		if (!strstr(err->message, bad[i].want))
			fail_msg("got '%s', want '%s'", err->message, bad[i].want);
		g_clear_error(&err);
	}
}

/* The shipped files parse, and the built-in copies equal them. */
static void test_shipped_templates(void **state)
{
	(void)state;
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	static const char *langs[] = {"ja", "en"};
	for (int i = 0; i < 2; i++) {
		char *rpath = g_strdup_printf("%s/conf/reasons.%s.txt", top, langs[i]), *rtext = NULL;
		assert_true(g_file_get_contents(rpath, &rtext, NULL, NULL));
		assert_string_equal(rtext, mg_notice_reasons_builtin(i));
		GError *rerr = NULL;
		struct mg_notice_catalog *c = mg_notice_catalog_parse(rpath, rtext, &rerr);
		if (!c)
			fail_msg("%s", rerr->message);
		mg_notice_catalog_free(c);
		g_free(rtext);
		g_free(rpath);
		char *path = g_strdup_printf("%s/conf/notice.%s.txt", top, langs[i]), *text = NULL;
		assert_true(g_file_get_contents(path, &text, NULL, NULL));
		assert_string_equal(text, mg_notice_builtin(i));
		char *conf = g_strdup_printf("notice_template = %s\n", path);
		GError *err = NULL;
		struct mg_config *cfg = mg_config_parse("x.conf", conf, strlen(conf), &err);
		assert_non_null(cfg);
		mg_config_unref(cfg);
		g_free(conf);
		g_free(text);
		g_free(path);
	}
}

/* A broken or missing template file named in the config fails the load. */
static void test_config_errors(void **state)
{
	(void)state;
	char *path = g_build_filename(g_get_tmp_dir(), "mugaika-test-notice.txt", NULL);
	assert_true(g_file_set_contents(path, "[header]\nok\n[part]\n{nmae}\n", -1, NULL));
	char *conf = g_strdup_printf("notice_template = %s\n", path);
	GError *err = NULL;
	assert_null(mg_config_parse("x.conf", conf, strlen(conf), &err));
	char *want = g_strdup_printf("%s:4: notice template: unknown placeholder {nmae}", path);
	assert_non_null(strstr(err->message, want));
	g_clear_error(&err);
	g_unlink(path);
	assert_null(mg_config_parse("x.conf", conf, strlen(conf), &err));
	assert_non_null(strstr(err->message, "notice_template"));
	g_clear_error(&err);
	g_free(want);
	g_free(conf);
	g_free(path);
}

struct name_row {
	const char *headers, *want; /* want NULL: no name */
};

static const struct name_row name_rows[] = {
	{"Content-Disposition: attachment;\n filename*0*=iso-2022-jp''%1B%24%42%2D%21;\n "
	 "filename*1*=%24%22%1B%28%42.txt\n",
	 "①あ.txt"},
	{"Content-Disposition: attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf\n", "日本.pdf"},
	{"Content-Disposition: attachment; filename*0=\"long \"; filename*1=\"name.doc\"\n", "long name.doc"},
	{"Content-Disposition: attachment; filename=\"=?ISO-2022-JP?B?GyRCLSEbKEI=?=.csv\"\n", "①.csv"},
	{"Content-Disposition: attachment; filename=\"\x87\x40\x8e\x9a.doc\"\n", "①字.doc"},
	{"Content-Type: application/pdf; name=\"=?shift_jis?B?h0A=?=.pdf\"\n", "①.pdf"},
	{"Content-Disposition: attachment; filename=\"a\x1b[1mb.txt\"\n", "a_[1mb.txt"},
	{"Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\n", "invoice_fdp.exe"},
	{"Content-Disposition: inline\n", NULL},
	{"Content-Disposition: attachment; filename=\"  \"\n", NULL},
};

static void test_filenames(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(name_rows); i++) {
		char *msg = g_strdup_printf("%s\nx\n", name_rows[i].headers);
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(msg, strlen(msg));
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		GMimeObject *o = g_mime_parser_construct_part(p, NULL);
		assert_true(GMIME_IS_PART(o));
		char *got = mg_mime_part_filename(GMIME_PART(o));
		if (g_strcmp0(got, name_rows[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, got, name_rows[i].want);
		g_free(got);
		g_object_unref(o);
		g_object_unref(p);
		g_object_unref(s);
		g_free(msg);
	}
}

/* The notice lists parts, removed objects, events, notes and the
 * quarantine id, in the configured language. */
static void test_notice_render(void **state)
{
	(void)state;
	static const struct {
		const char *conf;
		const char *want[8], *unwant[4];
	} cases[] = {
		{"",
		 {"【注意】電子署名は無害化処理のため", /* the warning slot, right under the header */
		  "添付「報告書.docm」 -> 報告書.docx(application/vnd.ms-word.document.macroEnabled.12, 1.5 KB): "
		  "無害化 (再構成) して添付しています",
		  "    取り除いた要素: マクロ (VBA) (1 個)", "・電子署名は無害化処理のため", "・note from policy",
		  "保管ID: Q-123", "(application/octet-stream, 335 バイト): 削除しました",
		  "    理由: ファイル名の拡張子が二重になっており"},
		 {"Office document", "bytes", "理由: \n", "VBA macro part"}},
		{"notice_language = en\n",
		 {"WARNING: The digital signature was removed",
		  "Attachment \"報告書.docm\" -> 報告書.docx (application/vnd.ms-word.document.macroEnabled.12, 1.5 "
		  "KB): sanitized (rebuilt)",
		  "    Reason: Office document rebuilt: 1 active object removed",
		  "    Removed: VBA macro part removed: 1 (word/vbaProject.bin)", "- The digital signature was removed",
		  "- note from policy", "quarantine id: Q-123", "(no name)\" (application/octet-stream, 335 bytes)"},
		 {"理由", NULL, NULL, NULL}},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mg_config *cfg = mg_config_parse("n.conf", cases[i].conf, strlen(cases[i].conf), NULL);
		assert_non_null(cfg);
		struct mg_conn *c = mg_conn_new("192.0.2.1", "x");
		struct mg_txn *t = mg_txn_new(c, cfg);
		struct mg_part_report *p = mg_report_add_part(t->report, "2");
		p->filename = g_strdup("報告書.docm");
		p->new_filename = g_strdup("報告書.docx");
		p->declared_type = g_strdup("application/vnd.ms-word.document.macroEnabled.12");
		p->size = 1536;
		p->action = MG_ACTION_REBUILT;
		p->reason = g_strdup("Office document rebuilt: 1 active object removed");
		mg_part_report_removed(p, "VBA macro part removed: 1 (word/vbaProject.bin)");
		p = mg_report_add_part(t->report, "3");
		p->declared_type = g_strdup("application/octet-stream");
		p->action = MG_ACTION_REMOVED;
		p->size = 335;
		p->reason = g_strdup("application/x-dosexec: the file name has a double extension (double extension)");
		mg_report_event(t->report, "signature-removed");
		mg_report_warning(t->report, "signature-removed");
		g_ptr_array_add(t->notes, g_strdup("note from policy"));
		t->quarantine_id = g_strdup("Q-123");
		char *n = mg_notice_render(t);
		assert_non_null(n);
		for (int j = 0; j < 8; j++)
			if (!strstr(n, cases[i].want[j]))
				fail_msg("case %zu: notice lacks '%s':\n%s", i, cases[i].want[j], n);
		for (int j = 0; j < 4 && cases[i].unwant[j]; j++)
			if (strstr(n, cases[i].unwant[j]))
				fail_msg("case %zu: notice has '%s':\n%s", i, cases[i].unwant[j], n);
		g_free(n);
		mg_txn_free(t);
		mg_conn_free(c);
		mg_config_unref(cfg);
	}
}

/* Every truncation of a SignedData is refused without reading past it. */
static void test_smime_prefixes(void **state)
{
	(void)state;
	static const char *const b64[] = {SMIME_BER, SMIME_DER};
	for (gsize k = 0; k < G_N_ELEMENTS(b64); k++) {
		gsize n = 0;
		guchar *der = g_base64_decode(b64[k], &n);
		for (gsize len = 0; len < n; len++) {
			guchar *cut = g_memdup2(der, len);
			GBytes *c = mg_smime_signed_content(cut, len);
			if (c)
				fail_msg("prefix %zu of %zu accepted", len, n);
			g_free(cut);
		}
		GBytes *full = mg_smime_signed_content(der, n);
		assert_non_null(full);
		assert_true(g_bytes_get_size(full) > 20);
		g_bytes_unref(full);
		for (gsize i = 0; i < n; i++) { /* single-byte corruption: no crash */
			der[i] ^= 0xff;
			GBytes *c = mg_smime_signed_content(der, n);
			if (c)
				g_bytes_unref(c);
			der[i] ^= 0xff;
		}
		g_free(der);
	}
}

static int setup(void **state)
{
	(void)state;
	mg_pipeline_global_init();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline_rows),     cmocka_unit_test(test_filenames),
		cmocka_unit_test(test_template_rows),     cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_shipped_templates), cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_notice_render),     cmocka_unit_test(test_smime_prefixes),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
