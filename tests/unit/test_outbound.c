/*
 * test_outbound.c - issue 16 items 5-9 through the pipeline stages (the
 * same calls the milter makes): the stop switch at MAIL FROM and RCPT (and
 * failing closed on a broken state file), forbidden destinations and the
 * free-mail list (block, permit-list with a destination-permit), the
 * outbreak guard stopping a sender (and an outbound virus hit doing the
 * same), exfiltration rules on the Subject, an HTML body, an attachment
 * name and a docx's text (reject, hold, scope), the approval hold (kept in
 * the store as it would be delivered, class hold), the label query, and
 * the exception registry at work: size-raise, bcc-exempt, auto-forward,
 * sanitize-bypass (which never skips the virus scan).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <zip.h>

#include "policy_testlib.h"
#include "mg_account.h"
#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_guard.h"
#include "mg_json.h"
#include "mg_quarantine.h"
#include "mtafeed.h"

static char *dir; /* scratch: state file, lists, rules */

/* A detection of the test database (tests/mkclamdb.sh) at any offset, with
 * no malware-like bytes at all. */
#define TEST_SIG                                                                                                       \
	"CLAMAV-TEST-STRING-"                                                                                          \
	"NOT-EICAR"

static char *path_of(const char *name)
{
	return g_build_filename(dir, name, NULL);
}

static void put(const char *name, const char *text)
{
	char *p = path_of(name);
	if (!g_file_set_contents(p, text, -1, NULL))
		fail_msg("cannot write %s", p);
	g_free(p);
}

/* A config: the base of policy_testlib, the scratch state file, extra keys. */
static struct mg_config *ob_conf(const char *extra)
{
	char *state = path_of("stop.state");
	/* encryption_required = off: labelled mail here tests the exfiltration
	 * rules alone (the encryption rule, policyA, would refuse it first) */
	char *text = g_strdup_printf("stop_state_file = %s\nencryption_required = off\n%s%s", state,
				     extra && strstr(extra, "bcc_action") ? "bcc_max_visible_external = 1\n"
									  : "bcc_max_visible_external = 0\n",
				     extra ? extra : "");
	struct mg_config *cfg = pt_conf(text);
	g_free(text);
	g_free(state);
	return cfg;
}

struct ob_result {
	struct pt_result r;
	gboolean held;
	char *extra; /* the report's extra sections as JSON */
	char *hold_id;
};

static void ob_clear(struct ob_result *o)
{
	g_free(o->extra);
	g_free(o->hold_id);
	memset(o, 0, sizeof *o);
}

/* pt_run with the report sections and the hold kept. */
static void ob_run(struct mg_config *cfg, const struct pt_msg *m, struct ob_result *o)
{
	memset(o, 0, sizeof *o);
	struct mg_conn *c = mg_conn_new(m->client, "client.example");
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_set_auth(t, m->auth);
	const struct mg_verdict *v = mg_txn_mail_from(t, m->from, NULL);
	char **rc = g_strsplit(m->rcpts ? m->rcpts : "", " ", -1);
	for (int i = 0; v->kind == MG_VERDICT_CONTINUE && rc[i] && i < 8; i++)
		pt_code(o->r.rcpt_codes[i], sizeof o->r.rcpt_codes[i], mg_txn_rcpt(t, rc[i], NULL));
	if (v->kind == MG_VERDICT_CONTINUE) {
		const char *p = m->headers, *end = p + strlen(p);
		p = mg_test_feed_headers(t, p, end);
		mg_txn_body(t, p, (gsize)(end - p));
	}
	v = mg_txn_eom(t);
	pt_code(o->r.code, sizeof o->r.code, v);
	g_strlcpy(o->r.rule, v->rule ? v->rule : "", sizeof o->r.rule);
	g_strlcpy(o->r.reason, v->reason ? v->reason : "", sizeof o->r.reason);
	o->held = mg_txn_held(t);
	o->hold_id = g_strdup(t->hold_id);
	JsonNode *n = json_node_init_object(json_node_alloc(), t->report->extra);
	o->extra = json_to_string(n, FALSE);
	json_node_unref(n);
	g_strfreev(rc);
	mg_txn_free(t);
	mg_conn_free(c);
}

#define OUT_MSG(subject, body)                                                                                         \
	"From: Taro <taro@city.example.lg.jp>\nTo: partner@example.com\nSubject: " subject                             \
	"\nMessage-ID: <t@city.example.lg.jp>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" body    \
	"\n"

static void set_stop(const char *scope, const char *value_json)
{
	char *s = g_strdup_printf("{\"version\":1,\"stops\":[{\"scope\":\"%s\",\"value\":%s,\"by\":\"t\","
				  "\"origin\":\"admin\"}]}",
				  scope, value_json);
	put("stop.state", s);
	g_free(s);
}

static void test_stop_switch(void **state)
{
	struct mg_config *cfg = ob_conf(NULL);
	struct ob_result o;
	struct pt_msg out = {"10.1.2.3",
			     "<taro@city.example.lg.jp>",
			     NULL,
			     "<partner@example.com> <staff@city.example.lg.jp>",
			     OUT_MSG("x", "hello"),
			     NULL,
			     NULL};
	struct pt_msg in = {
		"192.0.2.7", "<x@example.net>", NULL, "<staff@city.example.lg.jp>", OUT_MSG("x", "hello"), NULL, NULL};
	set_stop("all", "null");
	ob_run(cfg, &out, &o);
	assert_string_equal(o.r.code, "451 4.3.2");
	assert_string_equal(o.r.rule, "stopped");
	ob_clear(&o);
	set_stop("out", "null");
	ob_run(cfg, &out, &o);
	assert_string_equal(o.r.rcpt_codes[0], "451 4.3.2"); /* external recipient */
	assert_string_equal(o.r.rcpt_codes[1], "250");       /* internal mail still flows */
	assert_string_equal(o.r.code, "250 2.0.0");
	ob_clear(&o);
	ob_run(cfg, &in, &o); /* stop out leaves inbound alone */
	assert_string_equal(o.r.code, "250 2.0.0");
	ob_clear(&o);
	set_stop("in", "null");
	ob_run(cfg, &in, &o);
	assert_string_equal(o.r.rcpt_codes[0], "451 4.3.2");
	ob_clear(&o);
	ob_run(cfg, &out, &o); /* stop in leaves outbound alone */
	assert_string_equal(o.r.code, "250 2.0.0");
	ob_clear(&o);
	set_stop("sender", "\"taro@city.example.lg.jp\"");
	ob_run(cfg, &out, &o);
	assert_string_equal(o.r.code, "451 4.7.1");
	ob_clear(&o);
	set_stop("client", "\"192.0.2.7\"");
	ob_run(cfg, &in, &o);
	assert_string_equal(o.r.code, "451 4.7.1");
	ob_clear(&o);
	put("stop.state", "not json"); /* cannot tell what is stopped: fail closed */
	ob_run(cfg, &out, &o);
	assert_string_equal(o.r.code, "451 4.3.0");
	ob_clear(&o);
	char *p = path_of("stop.state");
	g_unlink(p);
	g_free(p);
	ob_run(cfg, &out, &o); /* gone: nothing stopped */
	assert_string_equal(o.r.code, "250 2.0.0");
	ob_clear(&o);
	mg_config_unref(cfg);
}

static void test_destinations(void **state)
{
	put("free.list", "gmail.com\n");
	put("forbidden.list", "@mynumber.city.example.lg.jp\n");
	put("exc.conf",
	    "[DP-1]\ntype = destination-permit\nsender = kouhou@city.example.lg.jp\nrecipient = @gmail.com\n"
	    "requested_by = a\napproved_by = b\nreason = r\ngranted = 2020-01-01\nexpires = 2099-12-31\n");
	char *extra = g_strdup_printf("freemail_domains_file = %s/free.list\nfreemail_action = block\n"
				      "forbidden_destinations_file = %s/forbidden.list\n",
				      dir, dir);
	struct mg_config *cfg = ob_conf(extra);
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3",
			   "<taro@city.example.lg.jp>",
			   NULL,
			   "<p@gmail.com> <partner@example.com> <k@mynumber.city.example.lg.jp>",
			   OUT_MSG("x", "y"),
			   NULL,
			   NULL};
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.rcpt_codes[0], "550 5.7.1");
	assert_string_equal(o.r.rcpt_codes[1], "250");
	assert_string_equal(o.r.rcpt_codes[2], "550 5.7.1");
	assert_string_equal(o.r.code, "250 2.0.0");
	assert_non_null(strstr(o.extra, "\"forbidden\":[\"k@mynumber.city.example.lg.jp\"]"));
	ob_clear(&o);
	struct pt_msg in = {
		"192.0.2.7", "<x@example.net>", NULL, "<k@mynumber.city.example.lg.jp>", OUT_MSG("x", "y"), NULL, NULL};
	ob_run(cfg, &in, &o); /* in every direction */
	assert_string_equal(o.r.rcpt_codes[0], "550 5.7.1");
	ob_clear(&o);
	mg_config_unref(cfg);
	g_free(extra);

	extra = g_strdup_printf("freemail_domains_file = %s/free.list\nfreemail_action = permit-list\n"
				"exceptions_file = %s/exc.conf\n",
				dir, dir);
	cfg = ob_conf(extra);
	struct pt_msg ok = {"10.1.2.3", "<kouhou@city.example.lg.jp>", NULL, "<p@gmail.com>", OUT_MSG("x", "y"), NULL,
			    NULL};
	ob_run(cfg, &ok, &o);
	assert_string_equal(o.r.code, "250 2.0.0");
	assert_non_null(strstr(o.extra, "\"exceptions\":[{\"id\":\"DP-1\",\"type\":\"destination-permit\""));
	ob_clear(&o);
	ob_run(cfg, &m, &o); /* another sender: refused */
	assert_string_equal(o.r.rcpt_codes[0], "550 5.7.1");
	ob_clear(&o);
	mg_config_unref(cfg);
	g_free(extra);
}

static void test_outbreak_stops_sender(void **state)
{
	mg_outbreak_reset();
	set_stop("in", "null"); /* something else stopped: kept when the guard adds its stop */
	struct mg_config *cfg = ob_conf("outbreak_sender_messages = 2\noutbound_abuse_action = stop-sender\n");
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3", "<burst@city.example.lg.jp>", NULL, "<v@example.com>", OUT_MSG("x", "y"), NULL,
			   NULL};
	for (int i = 0; i < 2; i++) {
		ob_run(cfg, &m, &o);
		assert_string_equal(o.r.code, "250 2.0.0");
		ob_clear(&o);
	}
	ob_run(cfg, &m, &o); /* the third passes the threshold */
	assert_string_equal(o.r.code, "451 4.7.1");
	assert_non_null(strstr(o.extra, "\"outbreak\":[\"sender:burst@city.example.lg.jp: 3 messages"));
	ob_clear(&o);
	ob_run(cfg, &m, &o); /* and the stop holds at MAIL FROM */
	assert_string_equal(o.r.code, "451 4.7.1");
	assert_string_equal(o.r.rule, "stopped-sender");
	ob_clear(&o);
	char *p = path_of("stop.state");
	GError *err = NULL;
	struct mg_stop_state *s = mg_stop_read(p, &err);
	assert_non_null(s);
	assert_non_null(mg_stop_lookup(s, MG_STOP_SENDER, "burst@city.example.lg.jp"));
	assert_non_null(mg_stop_lookup(s, MG_STOP_IN, NULL));
	assert_string_equal(
		((struct mg_stop_entry *)mg_stop_lookup(s, MG_STOP_SENDER, "burst@city.example.lg.jp"))->origin,
		"outbreak-guard");
	mg_stop_unref(s);
	g_unlink(p);
	g_free(p);
	mg_config_unref(cfg);
	mg_outbreak_reset();
}

/* Issue 17: an automatic stop-all reaches the admin the way other alerts
 * do (routed, an "alert" record in the audit log) and is an act on record
 * in the admin log as `mugaika stop` is: user mugaika-milter, origin
 * outbreak-guard, scope out; both chains verify. */
static gboolean log_has(const char *path, const char *const *needles)
{
	char *text = NULL;
	gboolean found = FALSE;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return FALSE;
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && !found; l++) {
		found = TRUE;
		for (const char *const *n = needles; *n && found; n++)
			found = strstr(*l, *n) != NULL;
	}
	g_strfreev(lines);
	g_free(text);
	return found;
}

static void assert_chain(const char *path)
{
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	GError *err = NULL;
	if (!mg_audit_verify(path, &n_ok, &bad, &why, &err))
		fail_msg("%s: line %" G_GUINT64_FORMAT ": %s", path, bad, why ? why : err ? err->message : "?");
	assert_true(n_ok > 0);
}

static void test_outbreak_on_record(void **state)
{
	mg_outbreak_reset();
	struct mg_config *cfg = ob_conf("outbreak_sender_messages = 1\noutbound_abuse_action = stop-all\n"
					"alert_route = critical syslog\n");
	GError *err = NULL;
	assert_true(mg_account_apply(cfg, 0, &err));
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3", "<storm@city.example.lg.jp>", NULL, "<v@example.com>", OUT_MSG("x", "y"), NULL,
			   NULL};
	for (int i = 0; i < 2; i++) { /* the second passes the threshold */
		ob_run(cfg, &m, &o);
		ob_clear(&o);
	}
	mg_alert_flush(10 * G_USEC_PER_SEC);
	const char *act[] = {"\"type\":\"admin\"",
			     "\"user\":\"mugaika-milter\"",
			     "\"command\":\"stop\"",
			     "\"scope\":\"out\"",
			     "\"origin\":\"outbreak-guard\"",
			     "\"by\":\"mugaika-milter\"",
			     "sender:storm@city.example.lg.jp",
			     NULL};
	assert_true(log_has(cfg->admin_audit_log, act));
	const char *alert[] = {"\"type\":\"alert\"", "\"event\":\"outbreak\"",   "\"severity\":\"critical\"",
			       "action stop-all",    "\"targets\":[\"syslog\"]", NULL};
	assert_true(log_has(cfg->audit_log, alert));
	assert_chain(cfg->admin_audit_log);
	assert_chain(cfg->audit_log);
	mg_alert_shutdown();
	mg_alert_set_sink(NULL, NULL);
	mg_alert_set_act_sink(NULL, NULL);
	char *p = path_of("stop.state");
	g_unlink(p);
	g_free(p);
	mg_config_unref(cfg);
	mg_outbreak_reset();
}

static void test_outbound_virus(void **state)
{
	mg_outbreak_reset();
	struct mg_config *cfg = ob_conf("outbound_abuse_action = stop-sender\n");
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3",
			   "<infected@city.example.lg.jp>",
			   NULL,
			   "<v@example.com>",
			   OUT_MSG("x", "a test detection: " TEST_SIG),
			   NULL,
			   NULL};
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "550 5.7.1"); /* the virus itself */
	ob_clear(&o);
	struct pt_msg clean = {
		"10.1.2.3", "<infected@city.example.lg.jp>", NULL, "<v@example.com>", OUT_MSG("x", "y"), NULL, NULL};
	ob_run(cfg, &clean, &o); /* one outbound virus hit (outbreak_virus_hits = 1) stopped the sender */
	assert_string_equal(o.r.code, "451 4.7.1");
	ob_clear(&o);
	char *p = path_of("stop.state");
	g_unlink(p);
	g_free(p);
	mg_config_unref(cfg);
	mg_outbreak_reset();
}

static const char *const RULES = "[label 極秘]\nid = top-secret\naction = reject\nmatch = 極秘\n\n"
				 "[label 機密性2]\nid = class-2\nmatch = 機密性2\n\n"
				 "[mynumber 個人番号]\nid = my-number\naction = hold\n";

static void test_exfil(void **state)
{
	put("x.rules", RULES);
	char *extra = g_strdup_printf("exfil_rules = %s/x.rules\n", dir);
	struct mg_config *cfg = ob_conf(extra);
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3",
			   "<taro@city.example.lg.jp>",
			   NULL,
			   "<partner@example.com>",
			   OUT_MSG("=?UTF-8?B?44CQ5qW156eY44CR?=", "x"),
			   NULL,
			   NULL}; /* 【極秘】 in RFC 2047 */
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "550 5.7.1");
	assert_string_equal(o.r.rule, "exfil-reject");
	assert_non_null(strstr(o.r.reason, "rule top-secret"));
	assert_non_null(strstr(o.extra, "\"exfil\":{\"action\":\"reject\""));
	ob_clear(&o);
	m.rcpts = "<staff@city.example.lg.jp>"; /* exfil_scope = outbound: internal mail is not searched */
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "250 2.0.0");
	ob_clear(&o);
	m.rcpts = "<partner@example.com>";
	m.headers = "From: taro@city.example.lg.jp\nSubject: html\nMIME-Version: 1.0\nContent-Type: text/html; "
		    "charset=utf-8\n\n"
		    "<html><body><p>番号 <b>1234</b> 5678 9018</p><div>機密性<br>２</div></body></html>\n";
	ob_run(cfg, &m, &o); /* HTML body converted to text first: the number holds the message */
	assert_string_equal(o.r.code, "250 2.0.0");
	assert_true(o.held);
	assert_string_equal(o.r.rule, "hold");
	assert_non_null(strstr(o.extra, "\"labels\":[\"機密性2\"]"));
	assert_non_null(strstr(o.extra, "\"approval\":{\"id\":\""));

	/* the store has it, class hold, as it would be delivered */
	struct mg_qstore *qs = mg_qstore_open(cfg);
	GError *err = NULL;
	JsonObject *meta = qs->ops->get_meta(qs, o.hold_id, &err);
	assert_non_null(meta);
	assert_string_equal(mg_json_get_str(meta, "class"), "hold");
	JsonObject *a = json_object_get_object_member(meta, "approval");
	assert_string_equal(mg_json_get_str(a, "status"), "pending");
	assert_string_equal(mg_json_get_str(a, "release"), "approval");
	json_object_unref(meta);
	GMimeStream *st = qs->ops->open_original(qs, o.hold_id, &err);
	GByteArray *b = g_byte_array_new();
	char buf[4096];
	gssize n;
	while ((n = g_mime_stream_read(st, buf, sizeof buf)) > 0)
		g_byte_array_append(b, (guint8 *)buf, (guint)n);
	g_byte_array_append(b, (const guint8 *)"", 1);
	assert_non_null(strstr((char *)b->data, "X-Mugaika-Status:")); /* our header operations applied */
	assert_non_null(strstr((char *)b->data, "Subject: html\n"));
	g_byte_array_unref(b);
	g_object_unref(st);
	mg_qstore_close(qs);
	ob_clear(&o);
	mg_config_unref(cfg);
	g_free(extra);
}

/* A minimal docx in memory (libzip, written to a temporary file). */
static GBytes *docx_with(const char *text)
{
	char *p = path_of("t.docx");
	int ze = 0;
	zip_t *z = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	const char *ct =
		"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-"
		"officedocument.wordprocessingml.document.main+xml\"/></Types>";
	char *doc = g_strdup_printf("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
				    "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body>"
				    "</w:document>",
				    text);
	zip_file_add(z, "[Content_Types].xml", zip_source_buffer(z, ct, strlen(ct), 0), 0);
	zip_file_add(z, "word/document.xml", zip_source_buffer(z, doc, strlen(doc), 0), 0);
	assert_int_equal(zip_close(z), 0);
	char *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(p, &data, &len, NULL));
	g_unlink(p);
	g_free(p);
	g_free(doc);
	return g_bytes_new_take(data, len);
}

/* A one-page PDF with INFO (a dictionary's body) and, when XMP is given, an
 * unfiltered metadata stream; cross-reference offsets computed. */
static GBytes *pdf_with(const char *info, const char *xmp)
{
	GString *g = g_string_new("%PDF-1.7\n");
	gsize off[6];
	off[1] = g->len;
	if (xmp)
		g_string_append(g, "1 0 obj << /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >> endobj\n");
	else
		g_string_append(g, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
	off[2] = g->len;
	g_string_append(g, "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n");
	off[3] = g->len;
	g_string_append(g, "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n");
	off[4] = g->len;
	g_string_append_printf(g, "4 0 obj << %s >> endobj\n", info);
	off[5] = g->len;
	const char *x = xmp ? xmp : "";
	g_string_append_printf(g,
			       "5 0 obj << /Type /Metadata /Subtype /XML /Length %zu >> stream\n%s\nendstream endobj\n",
			       strlen(x) + 1, x);
	gsize xref = g->len;
	g_string_append(g, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 1; i <= 5; i++)
		g_string_append_printf(g, "%010zu 00000 n \n", off[i]);
	g_string_append_printf(g, "trailer << /Size 6 /Root 1 0 R /Info 4 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	gsize n = g->len;
	return g_bytes_new_take(g_string_free(g, FALSE), n);
}

/* Outbound mail with one attachment (base64, application/octet-stream) named NAME. */
static char *msg_with_attachment(GBytes *b, const char *name)
{
	char *b64 = g_base64_encode(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	char *msg = g_strdup_printf(
		"From: taro@city.example.lg.jp\nSubject: s\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee\n"
		"--b\nContent-Type: application/octet-stream; name=\"%s\"\n"
		"Content-Transfer-Encoding: base64\n\n%s\n--b--\n",
		name, b64);
	g_free(b64);
	return msg;
}

/* A PDF's properties are searched: the Info strings (UTF-16 and
 * PDFDocEncoding) and an unfiltered XMP packet; page text is not. */
static void test_exfil_pdf_properties(void **state)
{
	put("x.rules", RULES);
	char *extra = g_strdup_printf("exfil_rules = %s/x.rules\n", dir);
	struct mg_config *cfg = ob_conf(extra);
	static const struct {
		const char *info, *xmp, *code;
	} rows[] = {
		{"/Title <FEFF5831544A0028697579D80029>", NULL, "550 5.7.1"}, /* 報告(極秘), UTF-16BE */
		{"/Keywords (a) /Subject <FEFF697579D8>", NULL, "550 5.7.1"},
		{"/Title (plain)",
		 "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
		 "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
		 "<rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>\xe6\xa5\xb5\xe7\xa7\x98"
		 "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>",
		 "550 5.7.1"},
		{"/Title (plain) /Author (Taro)", NULL, "250 2.0.0"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GBytes *pdf = pdf_with(rows[i].info, rows[i].xmp);
		char *msg = msg_with_attachment(pdf, "report.pdf");
		struct ob_result o;
		struct pt_msg m = {"10.1.2.3", "<taro@city.example.lg.jp>", NULL, "<partner@example.com>", msg, NULL,
				   NULL};
		ob_run(cfg, &m, &o);
		print_message("%s -> %s\n", rows[i].info, o.r.code);
		assert_string_equal(o.r.code, rows[i].code);
		if (rows[i].code[0] == '5')
			assert_non_null(strstr(o.extra, "\"where\":[\"attachment-text\"]"));
		ob_clear(&o);
		g_free(msg);
		g_bytes_unref(pdf);
	}
	mg_config_unref(cfg);
	g_free(extra);
}

static void test_exfil_attachments(void **state)
{
	put("x.rules", RULES);
	char *extra = g_strdup_printf("exfil_rules = %s/x.rules\n", dir);
	struct mg_config *cfg = ob_conf(extra);
	GBytes *docx = docx_with("報告（極秘）");
	char *msg = msg_with_attachment(docx, "report.docx");
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3", "<taro@city.example.lg.jp>", NULL, "<partner@example.com>", msg, NULL, NULL};
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "550 5.7.1"); /* the label in the document text */
	assert_non_null(strstr(o.extra, "\"where\":[\"attachment-text\"]"));
	ob_clear(&o);
	char *msg2 = g_strdup_printf(
		"From: taro@city.example.lg.jp\nSubject: s\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee\n"
		"--b\nContent-Type: text/plain; name=\"=?UTF-8?B?5qW156eYLnR4dA==?=\"\n"
		"Content-Disposition: attachment\n\nplain\n--b--\n");
	m.headers = msg2; /* 極秘.txt: the name alone */
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "550 5.7.1");
	assert_non_null(strstr(o.extra, "\"where\":[\"attachment-name\"]"));
	ob_clear(&o);
	g_free(msg2);
	g_free(msg);
	g_bytes_unref(docx);
	mg_config_unref(cfg);
	g_free(extra);
}

static void test_hold_by_recipients_and_labels(void **state)
{
	put("x.rules", RULES);
	char *extra = g_strdup_printf("exfil_rules = %s/x.rules\nhold_external_recipients = 2\n", dir);
	struct mg_config *cfg = ob_conf(extra);
	struct ob_result o;
	struct pt_msg m = {"10.1.2.3",
			   "<taro@city.example.lg.jp>",
			   NULL,
			   "<a@example.com> <b@example.net>",
			   OUT_MSG("機密性２ 資料", "x"),
			   NULL,
			   NULL};
	ob_run(cfg, &m, &o); /* two: not held; the label is recorded (action log) */
	assert_false(o.held);
	assert_non_null(strstr(o.extra, "\"labels\":[\"機密性2\"]"));
	ob_clear(&o);
	m.rcpts = "<a@example.com> <b@example.net> <c@example.org>";
	ob_run(cfg, &m, &o);
	assert_true(o.held);
	assert_non_null(strstr(o.extra, "3 external recipients (hold_external_recipients 2)"));
	ob_clear(&o);
	mg_config_unref(cfg);
	g_free(extra);
}

/* The label query of the exfiltration rules, for the encryption rule. */
static void test_label_query(void **state)
{
	put("x.rules", RULES);
	char *extra = g_strdup_printf("exfil_rules = %s/x.rules\n", dir);
	struct mg_config *cfg = ob_conf(extra);
	struct mg_conn *c = mg_conn_new("10.1.2.3", "h");
	struct mg_txn *t = mg_txn_new(c, cfg);
	const char *msg = OUT_MSG("【機密性2】", "body");
	mg_txn_mail_from(t, "<taro@city.example.lg.jp>", NULL);
	mg_txn_rcpt(t, "<partner@example.com>", NULL);
	const char *p = mg_test_feed_headers(t, msg, msg + strlen(msg));
	mg_txn_body(t, p, strlen(p));
	mg_txn_eom(t);
	assert_true(mg_exfil_has_label(t, "機密性2"));
	assert_false(mg_exfil_has_label(t, "極秘"));
	GPtrArray *l = mg_exfil_labels(t);
	assert_int_equal(l->len, 1);
	assert_string_equal(l->pdata[0], "機密性2");
	g_ptr_array_unref(l);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
	g_free(extra);
}

#define EXC(id, type, scope)                                                                                           \
	"[" id "]\ntype = " type "\n" scope "requested_by = a\napproved_by = b\nreason = r\ngranted = 2020-01-01\n"    \
	"expires = 2099-12-31\n"

static void test_exceptions_at_work(void **state)
{
	put("exc.conf",
	    EXC("SR-1", "size-raise", "sender = @big.example\nsize = 64K\n") EXC("BE-1", "bcc-exempt",
										 "sender = kouhou@city.example.lg.jp\n")
		    EXC("AF-1", "auto-forward", "sender = taro@city.example.lg.jp\nrecipient = taro@example.net\n") EXC(
			    "SB-1", "sanitize-bypass", "sender = @partner.example\nfiletype = text/x-shellscript\n"));
	char *extra = g_strdup_printf("exceptions_file = %s/exc.conf\ninbound_max_message_size = 16K\n"
				      "auto_forward_outbound = permit-list\nbcc_action = reject\n",
				      dir);
	struct mg_config *cfg = ob_conf(extra);
	struct ob_result o;
	GString *big = g_string_new("From: a@big.example\nSubject: big\n\n");
	while (big->len < 30 * 1024)
		g_string_append(big, "a line of a message larger than the inbound limit\n");
	struct pt_msg m = {"192.0.2.7", "<a@big.example>", NULL, "<staff@city.example.lg.jp>", big->str, NULL, NULL};
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "250 2.0.0"); /* raised to 64K for this sender */
	assert_non_null(strstr(o.extra, "{\"id\":\"SR-1\",\"type\":\"size-raise\""));
	ob_clear(&o);
	m.from = "<a@other.example>";
	ob_run(cfg, &m, &o);
	assert_string_equal(o.r.code, "552 5.3.4");
	ob_clear(&o);

	struct pt_msg bcc = {"10.1.2.3",
			     "<kouhou@city.example.lg.jp>",
			     NULL,
			     "<a@example.com>",
			     "From: kouhou@city.example.lg.jp\nTo: a@example.com, b@example.net\nSubject: x\n\nx\n",
			     NULL,
			     NULL};
	ob_run(cfg, &bcc, &o);
	assert_string_equal(o.r.code, "250 2.0.0");
	assert_non_null(strstr(o.extra, "\"id\":\"BE-1\""));
	ob_clear(&o);
	bcc.from = "<taro@city.example.lg.jp>";
	ob_run(cfg, &bcc, &o);
	assert_string_equal(o.r.code, "550 5.7.1"); /* no exemption */
	ob_clear(&o);

	struct pt_msg fwd = {"10.1.2.3",
			     "<taro@city.example.lg.jp>",
			     NULL,
			     "<taro@example.net>",
			     "From: taro@city.example.lg.jp\nAuto-Submitted: auto-forwarded\nSubject: x\n\nx\n",
			     NULL,
			     NULL};
	ob_run(cfg, &fwd, &o);
	assert_string_equal(o.r.code, "250 2.0.0"); /* permit-list with the registry alone */
	assert_non_null(strstr(o.extra, "\"id\":\"AF-1\",\"type\":\"auto-forward\""));
	ob_clear(&o);
	fwd.rcpts = "<jiro@example.net>";
	ob_run(cfg, &fwd, &o);
	assert_string_equal(o.r.code, "550 5.7.1");
	ob_clear(&o);

	const char *script =
		"From: x@partner.example\nSubject: s\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee\n"
		"--b\nContent-Type: application/octet-stream; name=\"run.sh\"\n\n#!/bin/sh\necho hello\n--b--\n";
	struct pt_msg sb = {"192.0.2.7", "<x@partner.example>", NULL, "<staff@city.example.lg.jp>", script, NULL, NULL};
	ob_run(cfg, &sb, &o);
	assert_string_equal(o.r.code, "250 2.0.0");
	assert_non_null(strstr(o.extra, "\"id\":\"SB-1\",\"type\":\"sanitize-bypass\""));
	ob_clear(&o);
	sb.from = "<x@elsewhere.example>"; /* without the exception the script is removed */
	ob_run(cfg, &sb, &o);
	assert_null(strstr(o.extra, "SB-1"));
	ob_clear(&o);
	const char *eicar =
		"From: x@partner.example\nSubject: s\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee\n"
		"--b\nContent-Type: application/octet-stream; name=\"run.sh\"\n\n#!/bin/sh\necho " TEST_SIG "\n--b--\n";
	sb.from = "<x@partner.example>";
	sb.headers = eicar;
	ob_run(cfg, &sb, &o); /* the bypass never skips the virus scan */
	assert_string_equal(o.r.code, "550 5.7.1");
	ob_clear(&o);
	g_string_free(big, TRUE);
	mg_config_unref(cfg);
	g_free(extra);
}

static int setup(void **state)
{
	pt_setup(state);
	tu_scan_init();
	dir = g_dir_make_tmp("mg_outbound_XXXXXX", NULL);
	return 0;
}

static int teardown(void **state)
{
	mg_test_rm_tree(dir);
	g_free(dir);
	return 0;
}

int main(void)
{
	(void)pt_run; /* policy_testlib.h's runner: this file keeps the report too (ob_run) */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_switch),
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_outbreak_stops_sender),
		cmocka_unit_test(test_outbreak_on_record),
		cmocka_unit_test(test_outbound_virus),
		cmocka_unit_test(test_exfil),
		cmocka_unit_test(test_exfil_attachments),
		cmocka_unit_test(test_exfil_pdf_properties),
		cmocka_unit_test(test_hold_by_recipients_and_labels),
		cmocka_unit_test(test_label_query),
		cmocka_unit_test(test_exceptions_at_work),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
