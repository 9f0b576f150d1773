/*
 * test_policy.c - the boundary rules of issue 6, one table per rule:
 * direction and open-relay guard, size limits, recipient count, attachment
 * count and size, Bcc rule.  Each row runs a whole message through the
 * pipeline stages and compares per-recipient and final SMTP codes.
 */
#include "config.h"

#include "policy_testlib.h"
#include "mg_pipeline.h"

#define INT_CLIENT "10.1.2.3"
#define EXT_CLIENT "192.0.2.1"
#define STAFF      "taro@city.example.lg.jp"

struct relay_row {
	const char *name, *conf, *client, *from, *rcpts;
	const char *want_rcpt[3];
	const char *want_code;
	int want_dir;
	const char *auth; /* SMTP AUTH identity, or NULL */
};

static const struct relay_row relay_rows[] = {
	{"out", "", INT_CLIENT, STAFF, "a@example.com", {"250"}, "250 2.0.0", MG_DIR_OUTBOUND},
	{"internal", "", INT_CLIENT, STAFF, "b@city.example.lg.jp", {"250"}, "250 2.0.0", MG_DIR_INTERNAL},
	{"in", "", EXT_CLIENT, "x@example.net", "<b@city.example.lg.jp>", {"250"}, "250 2.0.0", MG_DIR_INBOUND},
	{"in-subdomain",
	 "",
	 EXT_CLIENT,
	 "x@example.net",
	 "b@ward.city.example.lg.jp",
	 {"250"},
	 "250 2.0.0",
	 MG_DIR_INBOUND},
	{"in-postmaster", "", EXT_CLIENT, "x@example.net", "postmaster", {"250"}, "250 2.0.0", MG_DIR_INBOUND},
	{"relay", "", EXT_CLIENT, "x@example.net", "a@example.com", {"550 5.7.1"}, "550 5.7.1", 0},
	{"relay-lookalike", "", EXT_CLIENT, "x@example.net", "a@evilcity.example.lg.jp", {"550 5.7.1"}, "550 5.7.1", 0},
	{"relay-trailing-dot",
	 "",
	 EXT_CLIENT,
	 "x@example.net",
	 "<b@CITY.example.lg.jp.>",
	 {"250"},
	 "250 2.0.0",
	 MG_DIR_INBOUND},
	{"relay-percent-hack",
	 "",
	 EXT_CLIENT,
	 "x@example.net",
	 "victim%example.com@city.example.lg.jp",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0},
	{"relay-bang-path", "", EXT_CLIENT, "x@example.net", "example.com!victim", {"550 5.7.1"}, "550 5.7.1", 0},
	{"relay-source-route",
	 "",
	 EXT_CLIENT,
	 "x@example.net",
	 "<@city.example.lg.jp:victim@example.com>",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0},
	{"relay-one-of-two",
	 "",
	 EXT_CLIENT,
	 "x@example.net",
	 "a@example.com b@city.example.lg.jp",
	 {"550 5.7.1", "250"},
	 "250 2.0.0",
	 MG_DIR_INBOUND},
	{"relay-unknown-client", "", "", "x@example.net", "a@example.com", {"550 5.7.1"}, "550 5.7.1", 0},
	{"lgwan-spoofed-sender", "", EXT_CLIENT, STAFF, "a@example.com", {"550 5.7.1"}, "550 5.7.1", 0},
	{"gateway-roaming",
	 "zone_mode = gateway\n",
	 EXT_CLIENT,
	 STAFF,
	 "a@example.com",
	 {"250"},
	 "250 2.0.0",
	 MG_DIR_OUTBOUND,
	 "taro"},
	{"gateway-roaming-no-auth",
	 "zone_mode = gateway\n",
	 EXT_CLIENT,
	 STAFF,
	 "a@example.com",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0,
	 NULL},
	{"gateway-auth-foreign-sender",
	 "zone_mode = gateway\n",
	 EXT_CLIENT,
	 "x@example.net",
	 "a@example.com",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0,
	 "taro"},
	{"lgwan-auth", "", EXT_CLIENT, STAFF, "a@example.com", {"550 5.7.1"}, "550 5.7.1", 0, "taro"},
	{"gateway-relay",
	 "zone_mode = gateway\n",
	 EXT_CLIENT,
	 "x@example.net",
	 "a@example.com",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0},
	{"gateway-null-sender",
	 "zone_mode = gateway\n",
	 EXT_CLIENT,
	 "<>",
	 "a@example.com",
	 {"550 5.7.1"},
	 "550 5.7.1",
	 0},
	{"ipv6-internal", "", "2001:db8:10::25", STAFF, "a@example.com", {"250"}, "250 2.0.0", MG_DIR_OUTBOUND},
	{"ipv6-external", "", "2001:db8:11::25", "x@example.net", "a@example.com", {"550 5.7.1"}, "550 5.7.1", 0},
	{"ipv4-mapped", "", "::ffff:10.9.9.9", STAFF, "a@example.com", {"250"}, "250 2.0.0", MG_DIR_OUTBOUND},
	{"max-recipients",
	 "max_recipients = 2\n",
	 INT_CLIENT,
	 STAFF,
	 "a@example.com b@example.com c@example.com",
	 {"250", "250", "452 4.5.3"},
	 "250 2.0.0",
	 MG_DIR_OUTBOUND},
};

static void test_relay(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(relay_rows); i++) {
		const struct relay_row *w = &relay_rows[i];
		struct mg_config *cfg = pt_conf(w->conf);
		struct pt_msg m = {w->client, w->from, NULL, w->rcpts, "From: " STAFF "\nSubject: x", NULL, w->auth};
		struct pt_result r;
		pt_run(cfg, &m, &r);
		for (int k = 0; k < 3 && w->want_rcpt[k]; k++)
			if (g_strcmp0(r.rcpt_codes[k], w->want_rcpt[k]) != 0)
				fail_msg("%s: rcpt %d: got %s want %s", w->name, k, r.rcpt_codes[k], w->want_rcpt[k]);
		if (g_strcmp0(r.code, w->want_code) != 0)
			fail_msg("%s: got %s want %s (%s)", w->name, r.code, w->want_code, r.reason);
		if (r.code[0] == '2' && r.direction != w->want_dir)
			fail_msg("%s: direction %d want %d", w->name, r.direction, w->want_dir);
		if (r.code[0] == '5' && w->want_code[0] == '5' && g_str_equal(w->want_code, "550 5.7.1"))
			assert_string_equal(r.rule, "relay-denied");
		mg_config_unref(cfg);
	}
}

/* issue 16: without internal_domain no recipient is internal, so an
 * outside-to-outside recipient is refused all the same, and the daemon's
 * readiness check names the key to set. */
static void test_no_zones(void **state)
{
	GError *err = NULL;
	tu_scan_init();
	struct mg_config *cfg = tu_config_unzoned("");
	assert_non_null(cfg);
	struct pt_msg m = {EXT_CLIENT, "x@example.net", NULL, "a@example.com", "Subject: x", NULL};
	struct pt_result r;
	pt_run(cfg, &m, &r);
	assert_string_equal(r.code, "550 5.7.1");
	assert_string_equal(r.rule, "relay-denied");
	assert_false(mg_pipeline_config_ready(cfg, &err));
	assert_non_null(strstr(err->message, "internal_domain"));
	g_clear_error(&err);
	mg_config_unref(cfg);
	cfg = tu_config("");
	assert_true(mg_pipeline_config_ready(cfg, &err));
	mg_config_unref(cfg);
}

struct size_row {
	const char *name, *client, *args;
	gsize body_len;
	const char *want_code, *want_rule;
};

static const struct size_row size_rows[] = {
	{"declared-ok-out", INT_CLIENT, "SIZE=3000", 100, "250 2.0.0", "sanitized"},
	{"declared-over-in", EXT_CLIENT, "SIZE=3000", 100, "552 5.3.4", "size-declared"},
	{"declared-over-out", INT_CLIENT, "BODY=8BITMIME SIZE=5000", 100, "552 5.3.4", "size-declared"},
	{"declared-lowercase", EXT_CLIENT, "size=3000", 100, "552 5.3.4", "size-declared"},
	{"declared-huge", EXT_CLIENT, "SIZE=999999999999999999999999", 100, "552 5.3.4", "size-declared"},
	{"declared-junk-ignored", EXT_CLIENT, "SIZE=12x", 100, "250 2.0.0", "sanitized"},
	{"declared-at-limit", EXT_CLIENT, "SIZE=2048", 100, "250 2.0.0", "sanitized"},
	{"body-over-in", EXT_CLIENT, NULL, 2500, "552 5.3.4", "max_message_size"},
	{"body-under-out", INT_CLIENT, NULL, 2500, "250 2.0.0", "sanitized"},
	{"body-over-out", INT_CLIENT, NULL, 4500, "552 5.3.4", "max_message_size"},
	{"body-lied-size", EXT_CLIENT, "SIZE=10", 2500, "552 5.3.4", "max_message_size"},
};

static void test_size(void **state)
{
	struct mg_config *cfg = pt_conf("inbound_max_message_size = 2K\noutbound_max_message_size = 4K\n"
					"spool_memory_max = 1K\n");
	for (gsize i = 0; i < G_N_ELEMENTS(size_rows); i++) {
		const struct size_row *w = &size_rows[i];
		char *body = g_strnfill(w->body_len, 'a');
		const char *rcpt = g_str_equal(w->client, INT_CLIENT) ? "a@example.com" : "b@city.example.lg.jp";
		struct pt_msg m = {w->client, "s@example.net", w->args, rcpt, "Subject: x", body};
		if (g_str_equal(w->client, INT_CLIENT))
			m.from = STAFF;
		struct pt_result r;
		pt_run(cfg, &m, &r);
		if (g_strcmp0(r.code, w->want_code) != 0 || g_strcmp0(r.rule, w->want_rule) != 0)
			fail_msg("%s: got %s %s want %s %s (%s)", w->name, r.code, r.rule, w->want_code, w->want_rule,
				 r.reason);
		g_free(body);
	}
	mg_config_unref(cfg);
}

/* The spool stops at the direction's limit: nothing past it is stored. */
static void test_size_spool_stops(void **state)
{
	struct mg_config *cfg = pt_conf("inbound_max_message_size = 2K\nspool_memory_max = 1K\n");
	struct mg_conn *c = mg_conn_new(EXT_CLIENT, NULL);
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_mail_from(t, "x@example.net", NULL);
	mg_txn_rcpt(t, "b@city.example.lg.jp", NULL);
	mg_txn_eoh(t);
	char *chunk = g_strnfill(1000, 'b');
	const struct mg_verdict *v = NULL;
	for (int i = 0; i < 10; i++)
		v = mg_txn_body(t, chunk, 1000);
	assert_int_equal(v->kind, MG_VERDICT_REJECT);
	assert_string_equal(v->ecode, "5.3.4");
	assert_true(mg_spool_size(t->raw) <= 2048);
	g_free(chunk);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

#define MULTI_HDR "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BB\""

static char *multipart_body(int n_attach, gsize attach_len)
{
	GString *s = g_string_new("--BB\nContent-Type: text/plain\n\nbody text\n");
	char *data = g_strnfill(attach_len, 'z');
	for (int i = 0; i < n_attach; i++)
		g_string_append_printf(s,
				       "--BB\nContent-Type: application/octet-stream\n"
				       "Content-Disposition: attachment; filename=\"f%d.bin\"\n\n%s\n",
				       i, data);
	g_string_append(s, "--BB--\n");
	g_free(data);
	return g_string_free(s, FALSE);
}

struct attach_row {
	const char *name, *client;
	int n;
	gsize len;
	const char *want_code, *want_rule;
};

static const struct attach_row attach_rows[] = {
	{"two-ok", INT_CLIENT, 2, 100, NULL, NULL},
	{"three-too-many", INT_CLIENT, 3, 100, "552 5.3.4", "max-attachments"},
	{"big-out", INT_CLIENT, 1, 1100, "552 5.3.4", "attachment-size"},
	{"total-out", INT_CLIENT, 2, 800, "552 5.3.4", "decoded-total"},
	{"total-in", EXT_CLIENT, 2, 1900, "552 5.3.4", "decoded-total"},
	{"big-in-ok", EXT_CLIENT, 1, 1500, NULL, NULL},
	{"bigger-in", EXT_CLIENT, 1, 2500, "552 5.3.4", "attachment-size"},
};

static void test_attachments(void **state)
{
	struct mg_config *cfg = pt_conf("max_attachments = 2\noutbound_max_attachment_size = 1K\n"
					"inbound_max_attachment_size = 2K\n"
					"outbound_max_decoded_total = 1500\ninbound_max_decoded_total = 3K\n");
	for (gsize i = 0; i < G_N_ELEMENTS(attach_rows); i++) {
		const struct attach_row *w = &attach_rows[i];
		char *body = multipart_body(w->n, w->len);
		gboolean out = g_str_equal(w->client, INT_CLIENT);
		struct pt_msg m = {w->client, out ? STAFF : "x@example.net",
				   NULL,      out ? "a@example.com" : "b@city.example.lg.jp",
				   MULTI_HDR, body};
		struct pt_result r;
		pt_run(cfg, &m, &r);
		if (w->want_code && (g_strcmp0(r.code, w->want_code) || g_strcmp0(r.rule, w->want_rule)))
			fail_msg("%s: got %s %s want %s %s", w->name, r.code, r.rule, w->want_code, w->want_rule);
		if (!w->want_code &&
		    (g_strcmp0(r.rule, "max-attachments") == 0 || g_strcmp0(r.rule, "attachment-size") == 0 ||
		     g_strcmp0(r.rule, "decoded-total") == 0))
			fail_msg("%s: refused by %s", w->name, r.rule);
		g_free(body);
	}
	mg_config_unref(cfg);
}

struct bcc_row {
	const char *name, *client, *from, *headers, *want_code;
	guint want_count;
};

static const struct bcc_row bcc_rows[] = {
	{"two", INT_CLIENT, STAFF, "To: a@example.com, b@example.org", "250 2.0.0", 2},
	{"three", INT_CLIENT, STAFF, "To: a@example.com, b@example.org\nCc: c@example.net", "550 5.7.1", 3},
	{"internal-not-counted", INT_CLIENT, STAFF,
	 "To: a@example.com, b@example.org\nCc: x@city.example.lg.jp, y@ward.city.example.lg.jp", "250 2.0.0", 2},
	{"group", INT_CLIENT, STAFF, "To: team: a@example.com, b@example.org, c@example.net;", "550 5.7.1", 3},
	{"duplicates", INT_CLIENT, STAFF, "To: a@example.com, A@EXAMPLE.COM\nCc: \"A\" <a@example.com>", "250 2.0.0",
	 1},
	{"encoded-names", INT_CLIENT, STAFF,
	 "To: =?UTF-8?B?5bGx55Sw?= <a@example.com>, =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <b@example.org>, "
	 "c@example.net",
	 "550 5.7.1", 3},
	{"exempt-sender", INT_CLIENT, "kouhou@city.example.lg.jp", "To: a@example.com, b@example.org, c@example.net",
	 "250 2.0.0", 3},
	{"exempt-domain", INT_CLIENT, "x@news.city.example.lg.jp", "To: a@example.com, b@example.org, c@example.net",
	 "250 2.0.0", 3},
	{"inbound-not-checked", EXT_CLIENT, "x@example.net", "To: a@example.com, b@example.org, c@example.net",
	 "250 2.0.0", 3},
};

static void test_bcc(void **state)
{
	struct mg_config *cfg = pt_conf("bcc_max_visible_external = 2\nbcc_action = reject\n"
					"bcc_exempt_sender = kouhou@city.example.lg.jp\n"
					"bcc_exempt_sender = @news.city.example.lg.jp\n");
	for (gsize i = 0; i < G_N_ELEMENTS(bcc_rows); i++) {
		const struct bcc_row *w = &bcc_rows[i];
		const char *rcpt = g_str_equal(w->client, INT_CLIENT) ? "a@example.com" : "b@city.example.lg.jp";
		struct pt_msg m = {w->client, w->from, NULL, rcpt, w->headers, NULL};
		struct pt_result r;
		pt_run(cfg, &m, &r);
		if (g_strcmp0(r.code, w->want_code) != 0)
			fail_msg("%s: got %s want %s (%s)", w->name, r.code, w->want_code, r.reason);
		struct mg_conn *c = mg_conn_new(w->client, NULL);
		struct mg_txn *t = mg_txn_new(c, cfg);
		pt_headers(t, w->headers);
		if (mg_policy_bcc_count(t) != w->want_count)
			fail_msg("%s: count %u want %u", w->name, mg_policy_bcc_count(t), w->want_count);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	mg_config_unref(cfg);
	/* action log: counted, logged, delivered */
	cfg = pt_conf("bcc_max_visible_external = 2\nbcc_action = log\n");
	struct pt_msg m = {INT_CLIENT, STAFF, NULL, "a@example.com", bcc_rows[1].headers, NULL};
	struct pt_result r;
	pt_run(cfg, &m, &r);
	assert_string_equal(r.code, "250 2.0.0");
	mg_config_unref(cfg);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay),       cmocka_unit_test(test_no_zones),
		cmocka_unit_test(test_size),        cmocka_unit_test(test_size_spool_stops),
		cmocka_unit_test(test_attachments), cmocka_unit_test(test_bcc),
	};
	return cmocka_run_group_tests(tests, pt_setup, NULL);
}
