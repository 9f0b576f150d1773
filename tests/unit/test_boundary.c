/*
 * test_boundary.c - issue 16, items 1-3 through the pipeline: refused
 * recipients on record, the profile per direction (outbound content
 * delivered unchanged, still scanned), the outbound encryption rule with
 * files encrypted here (libzip AES and ZipCrypto, qpdf AES-256 and RC4),
 * the scheme detector on its own, and the notice's warning hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-glib/json-glib.h>
#include <qpdf/qpdf-c.h>
#include <zip.h>

#include "enc_scheme.h"
#include "mg_auth.h"
#include "mg_body.h"
#include "mg_log.h"
#include "mtafeed.h"
#include "testutil.h"

#define ZONES "internal_network = 10.0.0.0/8\n"
#define STAFF "taro@city.example.lg.jp"

/* One message from client ip, MAIL FROM from, to the given recipients. */
static struct mg_txn *run(struct mg_config *cfg, const char *ip, const char *from, const char *const *rcpts,
			  const char *msg, struct mg_conn **conn)
{
	tu_scan_init();
	*conn = mg_conn_new(ip, "client.example");
	struct mg_txn *t = mg_txn_new(*conn, cfg);
	mg_txn_mail_from(t, from, NULL);
	for (; *rcpts; rcpts++)
		mg_txn_rcpt(t, *rcpts, NULL);
	const char *p = mg_test_feed_headers(t, msg, msg + strlen(msg));
	mg_txn_eoh(t);
	mg_txn_body(t, p, strlen(p));
	mg_txn_eom(t);
	return t;
}

static struct mg_config *config(const char *extra)
{
	tu_scan_init();
	char *text = g_strconcat(ZONES, extra ? extra : "", NULL);
	struct mg_config *cfg = tu_config(text);
	g_free(text);
	return cfg;
}

static JsonObject *section(const struct mg_txn *t, const char *name)
{
	JsonObject *x = mg_txn_report(t)->extra;
	return json_object_has_member(x, name) ? json_object_get_object_member(x, name) : NULL;
}

/* ---- item 1: every refused recipient on record ---- */

static void test_refused_recipients(void **state)
{
	(void)state;
	struct mg_config *cfg = config("max_recipients = 2\n");
	const char *rcpts[] = {"victim@example.com", "staff@city.example.lg.jp", "b@city.example.lg.jp",
			       "c@city.example.lg.jp", NULL};
	struct mg_conn *conn;
	struct mg_txn *t = run(cfg, "192.0.2.1", "x@example.net", rcpts, "Subject: x\n\nhi\n", &conn);
	assert_int_equal(mg_txn_report(t)->verdict.kind, MG_VERDICT_ACCEPT);
	JsonArray *a = json_object_get_array_member(mg_txn_report(t)->extra, "refused_recipients");
	assert_non_null(a);
	assert_int_equal(json_array_get_length(a), 2);
	JsonObject *r0 = json_array_get_object_element(a, 0), *r1 = json_array_get_object_element(a, 1);
	assert_string_equal(json_object_get_string_member(r0, "rcpt"), "victim@example.com");
	assert_string_equal(json_object_get_string_member(r0, "rule"), "relay-denied");
	assert_string_equal(json_object_get_string_member(r0, "code"), "550");
	assert_string_equal(json_object_get_string_member(r1, "rcpt"), "c@city.example.lg.jp");
	assert_string_equal(json_object_get_string_member(r1, "rule"), "max-recipients");
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
}

/* ---- item 2: profiles ---- */

static const char html_msg[] = "From: Taro <taro@city.example.lg.jp>\nTo: partner@example.com\nSubject: p\n"
			       "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
			       "<html><body><p>Hello</p><script>x()</script></body></html>\n";

struct profile_row {
	const char *conf, *ip, *rcpt;
	const char *profile;
	gboolean unchanged;
};

static void test_profiles(void **state)
{
	(void)state;
	static const struct profile_row rows[] = {
		{"", "10.1.2.3", "partner@example.com", "scan", TRUE},             /* outbound */
		{"", "10.1.2.3", "hanako@city.example.lg.jp", "scan", TRUE},       /* internal */
		{"", "192.0.2.1", "hanako@city.example.lg.jp", "sanitize", FALSE}, /* inbound */
		{"outbound_profile = sanitize\n", "10.1.2.3", "partner@example.com", "sanitize", FALSE},
		{"internal_profile = sanitize\n", "10.1.2.3", "hanako@city.example.lg.jp", "sanitize", FALSE},
		{"zone_mode = gateway\ninbound_profile = scan\n", "192.0.2.1", "hanako@city.example.lg.jp", "scan",
		 TRUE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_config *cfg = config(rows[i].conf);
		const char *rcpts[] = {rows[i].rcpt, NULL};
		struct mg_conn *conn;
		struct mg_txn *t = run(cfg, rows[i].ip, STAFF, rcpts, html_msg, &conn);
		GMimeStream *body = mg_txn_new_body(t);
		const char *st = tu_added(t, "X-Mugaika-Status");
		if (mg_txn_report(t)->verdict.kind != MG_VERDICT_ACCEPT ||
		    g_strcmp0(json_object_get_string_member(section(t, "policy"), "profile"), rows[i].profile) ||
		    (body == NULL) != rows[i].unchanged || !st ||
		    !g_str_has_prefix(st, rows[i].unchanged ? "scanned" : "sanitized"))
			fail_msg("row %zu: verdict %s, body %s, status %s", i,
				 mg_verdict_name(mg_txn_report(t)->verdict.kind), body ? "new" : "unchanged", st);
		if (rows[i].unchanged) { /* no MIME field touched: only ours added */
			const GPtrArray *ops = mg_txn_header_ops(t);
			for (guint k = 0; k < ops->len; k++)
				assert_true(g_str_has_prefix(((struct mg_hdr_op *)ops->pdata[k])->name, "X-Mugaika-"));
			GMimeStream *orig = mg_txn_original_body(t);
			char buf[256];
			gssize n = g_mime_stream_read(orig, buf, sizeof buf - 1);
			buf[MAX(n, 0)] = '\0';
			assert_non_null(strstr(buf, "<script>x()</script>"));
			g_object_unref(orig);
		}
		if (body)
			g_object_unref(body);
		mg_txn_free(t);
		mg_conn_free(conn);
		mg_config_unref(cfg);
	}
}

/* ---- files encrypted here ---- */

static GByteArray *zip_with(int method)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	zip_source_keep(src);
	static const char data[] = "住民名簿 (test data)\n";
	zip_int64_t idx = zip_file_add(z, "meibo.txt", zip_source_buffer(z, data, sizeof data - 1, 0), 0);
	zip_dir_add(z, "dir/", 0);
	if (method != ZIP_EM_NONE)
		assert_int_equal(zip_file_set_encryption(z, (zip_uint64_t)idx, (zip_uint16_t)method, "pw"), 0);
	assert_int_equal(zip_close(z), 0);
	zip_stat_t st;
	zip_source_stat(src, &st);
	GByteArray *out = g_byte_array_sized_new((guint)st.size);
	g_byte_array_set_size(out, (guint)st.size);
	zip_source_open(src);
	zip_source_read(src, out->data, st.size);
	zip_source_close(src);
	zip_source_free(src);
	return out;
}

/* qpdf's empty PDF encrypted with revision 6 (AES-256) or 2 (RC4 40). */
static GByteArray *pdf_with(int revision)
{
	qpdf_data q = qpdf_init();
	assert_int_equal(qpdf_empty_pdf(q), 0);
	assert_int_equal(qpdf_init_write_memory(q), 0);
	if (revision == 6)
		qpdf_set_r6_encryption_parameters2(q, "user", "owner", 1, 1, 1, 1, 1, 1, qpdf_r3p_full, 1);
	else if (revision == 2)
		qpdf_set_r2_encryption_parameters_insecure(q, "user", "owner", 1, 1, 1, 1);
	assert_false(qpdf_write(q) & QPDF_ERRORS);
	GByteArray *out = g_byte_array_new();
	g_byte_array_append(out, qpdf_get_buffer(q), (guint)qpdf_get_buffer_length(q));
	qpdf_cleanup(&q);
	return out;
}

static void test_scheme_of_file(void **state)
{
	(void)state;
	static const struct {
		int method;
		const char *want;
	} zips[] = {{ZIP_EM_NONE, NULL},
		    {ZIP_EM_TRAD_PKWARE, "zip-zipcrypto"},
		    {ZIP_EM_AES_128, "zip-aes128"},
		    {ZIP_EM_AES_256, "zip-aes256"}};
	for (gsize i = 0; i < G_N_ELEMENTS(zips); i++) {
		GByteArray *z = zip_with(zips[i].method);
		assert_string_equal(mg_enc_scheme_of_file(z->data, z->len) ? mg_enc_scheme_of_file(z->data, z->len)
									   : "none",
				    zips[i].want ? zips[i].want : "none");
		g_byte_array_unref(z);
	}
	GByteArray *p6 = pdf_with(6), *p2 = pdf_with(2), *p0 = pdf_with(0);
	assert_string_equal(mg_enc_scheme_of_file(p6->data, p6->len), "pdf-aes256");
	assert_string_equal(mg_enc_scheme_of_file(p2->data, p2->len), "pdf-rc4");
	assert_null(mg_enc_scheme_of_file(p0->data, p0->len));
	assert_null(mg_enc_scheme_of_file((const guchar *)"PK\x03\x04garbage", 11)); /* not readable: not encrypted */
	assert_null(mg_enc_scheme_of_file((const guchar *)"%PDF-1.4 garbage", 16));
	g_byte_array_unref(p6);
	g_byte_array_unref(p2);
	g_byte_array_unref(p0);
	assert_true(mg_enc_scheme_weak("zip-zipcrypto") && mg_enc_scheme_weak("pdf-rc4"));
	assert_false(mg_enc_scheme_weak("zip-aes256"));
	assert_true(mg_enc_scheme_known("office-aes") && !mg_enc_scheme_known("rot13"));
}

/* ---- the outbound encryption rule ---- */

static char *message_with(const char *subject, const char *name, const GByteArray *att)
{
	GString *m = g_string_new(NULL);
	g_string_append_printf(m,
			       "From: Taro <taro@city.example.lg.jp>\nTo: partner@example.com\nSubject: %s\n"
			       "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
			       "Content-Type: text/plain; charset=utf-8\n\nPlease find the list attached.\n",
			       subject);
	if (att) {
		char *b64 = g_base64_encode(att->data, att->len);
		g_string_append_printf(m,
				       "--b1\nContent-Type: application/octet-stream; name=\"%s\"\n"
				       "Content-Disposition: attachment; filename=\"%s\"\n"
				       "Content-Transfer-Encoding: base64\n\n%s\n",
				       name, name, b64);
		g_free(b64);
	}
	g_string_append(m, "--b1--\n");
	return g_string_free(m, FALSE);
}

struct enc_row {
	const char *conf, *subject, *name;
	int kind; /* 0 none, zip method, or 1000+revision for a PDF */
	const char *code, *scheme;
};

static GByteArray *file_of(int kind)
{
	if (kind == 0)
		return NULL;
	return kind >= 1000 ? pdf_with(kind - 1000) : zip_with(kind == 9 ? ZIP_EM_NONE : kind);
}

static void test_encryption_rule(void **state)
{
	(void)state;
	/* =?UTF-8?B?...?= of "【機密性２】名簿": a full-width digit, decoded and NFKC-normalised */
	const char *label = "=?UTF-8?B?44CQ5qmf5a+G5oCn77yS44CR5ZCN57C/?=";
	const struct enc_row rows[] = {
		{"", "plain", "a.zip", 9, "250", "none"},
		{"", label, "a.zip", 9, "550", "none"},
		{"", label, "a.zip", ZIP_EM_AES_256, "250", "zip-aes256"},
		{"", label, "a.zip", ZIP_EM_AES_128, "550", "zip-aes128"}, /* not approved by default */
		{"", label, "a.zip", ZIP_EM_TRAD_PKWARE, "550", "zip-zipcrypto"},
		{"", label, "a.pdf", 1006, "250", "pdf-aes256"},
		{"", label, "a.pdf", 1002, "550", "pdf-rc4"},
		{"", label, NULL, 0, "550", "none"},
		{"", "plain", "機密性2_meibo.zip", 9, "550", "none"}, /* label in the attachment name */
		{"approved_encryption = zip-aes128\n", label, "a.zip", ZIP_EM_AES_128, "250", "zip-aes128"},
		{"encryption_required = off\n", label, "a.zip", 9, "250", "none"},
		{"encryption_required = always\n", "plain", "a.zip", 9, "550", "none"},
		{"encryption_missing_action = log\n", label, "a.zip", 9, "250", "none"},
		{"encryption_unapproved_action = quarantine\n", label, "a.zip", ZIP_EM_TRAD_PKWARE, "550",
		 "zip-zipcrypto"},
		{"encryption_required_label = 取扱注意\n", label, "a.zip", 9, "250", "none"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_config *cfg = config(rows[i].conf);
		GByteArray *f = file_of(rows[i].kind);
		char *msg = message_with(rows[i].subject, rows[i].name, f);
		const char *rcpts[] = {"partner@example.com", NULL};
		struct mg_conn *conn;
		struct mg_txn *t = run(cfg, "10.1.2.3", STAFF, rcpts, msg, &conn);
		const struct mg_verdict *v = &mg_txn_report(t)->verdict;
		JsonObject *e = section(t, "encryption");
		const char *scheme = e ? json_object_get_string_member(e, "scheme") : NULL;
		if (strcmp(v->code, rows[i].code) || g_strcmp0(scheme, rows[i].scheme))
			fail_msg("row %zu: %s %s %s, scheme %s; want %s %s", i, v->code, v->ecode, v->reason, scheme,
				 rows[i].code, rows[i].scheme);
		if (strstr(rows[i].conf, "quarantine"))
			assert_true(t->force_quarantine);
		mg_txn_free(t);
		mg_conn_free(conn);
		g_free(msg);
		if (f)
			g_byte_array_unref(f);
		mg_config_unref(cfg);
	}
}

/* Outbound S/MIME goes out as it is (the sanitize profile refuses it), and
 * a labelled S/MIME message satisfies the rule. */
static void test_smime_outbound(void **state)
{
	(void)state;
	static const char msg[] = "From: taro@city.example.lg.jp\nTo: partner@example.com\n"
				  "Subject: =?UTF-8?B?5qmf5a+G5oCn5Yy65YiG4oWh?=\nMIME-Version: 1.0\n"
				  "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
				  "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\n";
	struct mg_config *cfg = config("");
	const char *rcpts[] = {"partner@example.com", NULL};
	struct mg_conn *conn;
	struct mg_txn *t = run(cfg, "10.1.2.3", STAFF, rcpts, msg, &conn);
	assert_int_equal(mg_txn_report(t)->verdict.kind, MG_VERDICT_ACCEPT);
	assert_string_equal(json_object_get_string_member(section(t, "encryption"), "scheme"), "smime");
	assert_true(json_object_get_boolean_member(section(t, "encryption"), "required")); /* 機密性区分Ⅱ */
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
	cfg = config("outbound_profile = sanitize\n");
	t = run(cfg, "10.1.2.3", STAFF, rcpts, msg, &conn);
	assert_string_equal(mg_txn_report(t)->verdict.code, "554");
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
}

/* ---- item 4's notice hook: the warning under the notice's header ---- */

static void test_notice_warning(void **state)
{
	(void)state;
	static const char msg[] = "From: =?UTF-8?B?5biC6ZW3?= <mayor@example.net>\nTo: staff@city.example.lg.jp\n"
				  "Subject: x\n\nhello\n";
	struct mg_config *cfg = config("auth_mode = trust-upstream\nauth_trusted_serv_id = upstream.test\n"
				       "auth_protected_name = 市長\nauth_serv_id = mugaika.test\n");
	const char *rcpts[] = {"staff@city.example.lg.jp", NULL};
	struct mg_conn *conn;
	struct mg_txn *t = run(cfg, "192.0.2.1", "mayor@example.net", rcpts, msg, &conn);
	assert_int_equal(mg_txn_report(t)->verdict.kind, MG_VERDICT_ACCEPT);
	char *notice = mg_notice_render(t);
	assert_non_null(notice);
	const char *w = strstr(notice, "【注意】"), *head = strstr(notice, "無害化処理のお知らせ");
	assert_non_null(w); /* the [warning] slot: under the notice's header, above everything else */
	assert_non_null(head);
	assert_true(head < w);
	assert_null(strstr(notice, "・") && strstr(notice, "・") < w ? "an item above the warning" : NULL);
	assert_non_null(strstr(w, "表示名"));
	g_free(notice);
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
}

int main(void)
{
	mg_log_init("test_boundary", TRUE);
	mg_log_set_level(MG_LOG_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_recipients), cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_scheme_of_file),     cmocka_unit_test(test_encryption_rule),
		cmocka_unit_test(test_smime_outbound),     cmocka_unit_test(test_notice_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
