/*
 * test_policy_forward.c - auto-forward control (issue 6): every marker,
 * every mode, per direction, and the permit list at run time (expiry).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "policy_testlib.h"
#include "mg_pipeline.h"

#define INT_CLIENT "10.1.2.3"
#define EXT_CLIENT "192.0.2.1"
#define STAFF      "taro@city.example.lg.jp"

struct marker_row {
	const char *name, *client, *from, *rcpt, *headers;
	const char *want; /* markers, or NULL */
};

static const struct marker_row marker_rows[] = {
	{"plain", INT_CLIENT, STAFF, "a@example.com", "From: " STAFF, NULL},
	{"auto-submitted-no", INT_CLIENT, STAFF, "a@example.com", "Auto-Submitted: no", NULL},
	{"auto-submitted-no-comment", INT_CLIENT, STAFF, "a@example.com", "Auto-Submitted: No (manual)", NULL},
	{"auto-generated", INT_CLIENT, STAFF, "a@example.com", "Auto-Submitted: auto-generated", "Auto-Submitted"},
	{"auto-forwarded-param", INT_CLIENT, STAFF, "a@example.com", "Auto-Submitted: auto-forwarded; owner=x",
	 "Auto-Submitted"},
	{"auto-replied-null-sender", INT_CLIENT, "", "a@example.com", "Auto-Submitted: auto-replied", NULL},
	{"auto-replied-real-sender", INT_CLIENT, STAFF, "a@example.com", "Auto-Submitted: auto-replied",
	 "Auto-Submitted"},
	{"exchange-loop", INT_CLIENT, STAFF, "a@example.com", "X-MS-Exchange-Inbox-Rules-Loop: " STAFF,
	 "X-MS-Exchange-Inbox-Rules-Loop"},
	{"exchange-source", INT_CLIENT, STAFF, "a@example.com",
	 "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", "X-MS-Exchange-Generated-Message-Source"},
	{"x-forwarded-to", INT_CLIENT, STAFF, "a@example.com", "x-forwarded-to: a@example.com", "X-Forwarded-To"},
	{"x-forwarded-for", INT_CLIENT, STAFF, "a@example.com", "X-Forwarded-For: " STAFF " a@example.com",
	 "X-Forwarded-For"},
	{"sieve", INT_CLIENT, STAFF, "a@example.com", "X-Sieve-Redirected-From: " STAFF, "X-Sieve-Redirected-From"},
	{"resent-from", INT_CLIENT, STAFF, "a@example.com", "Resent-From: " STAFF, "Resent-From"},
	{"resent-to", INT_CLIENT, STAFF, "a@example.com", "Resent-To: a@example.com", "Resent-To"},
	{"resent-sender", INT_CLIENT, STAFF, "a@example.com", "Resent-Sender: " STAFF, "Resent-Sender"},
	{"delivered-to-internal", INT_CLIENT, STAFF, "a@example.com", "Delivered-To: " STAFF, "Delivered-To"},
	{"delivered-to-external", INT_CLIENT, STAFF, "a@example.com", "Delivered-To: x@example.org", NULL},
	{"delivered-to-internal-mail", INT_CLIENT, STAFF, "b@city.example.lg.jp", "Delivered-To: " STAFF, NULL},
	{"srs0", INT_CLIENT, "SRS0=HHH=TT=example.org=bob@city.example.lg.jp", "a@example.com", "Subject: x",
	 "SRS-sender"},
	{"srs1-plus", INT_CLIENT, "<srs1+xx=yy@city.example.lg.jp>", "a@example.com", "Subject: x", "SRS-sender"},
	{"not-srs", INT_CLIENT, "srsadmin@city.example.lg.jp", "a@example.com", "Subject: x", NULL},
	{"foreign-from", INT_CLIENT, STAFF, "a@example.com", "From: Bob <bob@example.org>", "foreign-From"},
	{"foreign-from-external-sender", INT_CLIENT, "list@example.org", "a@example.com", "From: bob@example.org",
	 "foreign-sender"},
	{"foreign-sender-internal-rcpt", INT_CLIENT, "list@example.org", "b@city.example.lg.jp", "Subject: x", NULL},
	{"foreign-sender-null", INT_CLIENT, "", "a@example.com", "Subject: x", NULL},
	{"foreign-from-inbound", EXT_CLIENT, "x@example.org", STAFF, "From: bob@example.org", NULL},
	{"inbound-resent", EXT_CLIENT, "x@example.org", STAFF, "Resent-From: x@example.org", "Resent-From"},
	{"several", INT_CLIENT, STAFF, "a@example.com", "Resent-From: " STAFF "\nAuto-Submitted: auto-generated",
	 "Resent-From,Auto-Submitted"},
};

static void test_markers(void **state)
{
	struct mg_config *cfg = pt_conf("auto_forward_outbound = log-only\n");
	for (gsize i = 0; i < G_N_ELEMENTS(marker_rows); i++) {
		const struct marker_row *w = &marker_rows[i];
		struct mg_conn *c = mg_conn_new(w->client, NULL);
		struct mg_txn *t = mg_txn_new(c, cfg);
		mg_txn_mail_from(t, w->from, NULL);
		mg_txn_rcpt(t, w->rcpt, NULL);
		pt_headers(t, w->headers);
		mg_txn_eoh(t);
		char *got = mg_policy_forward_markers(t);
		if (g_strcmp0(got, w->want) != 0)
			fail_msg("%s: got %s want %s", w->name, got ? got : "(none)", w->want ? w->want : "(none)");
		g_free(got);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	mg_config_unref(cfg);
}

struct mode_row {
	const char *name, *conf, *client, *from, *rcpts, *headers, *today;
	const char *want_code, *want_rule;
	const char *want_reason; /* substring of the reply text, or NULL */
};

#define PERMIT_CONF "auto_forward_outbound = permit-list\nauto_forward_inbound = permit-list\n"

static const struct mode_row mode_rows[] = {
	{"deny", "", INT_CLIENT, STAFF, "a@example.com", "Resent-From: " STAFF, NULL, "550 5.7.1", "auto-forward-deny"},
	{"deny-no-marker", "", INT_CLIENT, STAFF, "a@example.com", "Subject: x", NULL, "250 2.0.0", "sanitized"},
	{"deny-foreign-sender", "", INT_CLIENT, "x@example.org", "a@example.com", "Subject: x", NULL, "550 5.7.1",
	 "auto-forward-deny"},
	{"foreign-sender-off", "auto_forward_foreign_sender = no\n", INT_CLIENT, "x@example.org", "a@example.com",
	 "Subject: x", NULL, "250 2.0.0", "sanitized"},
	{"log-only", "auto_forward_outbound = log-only\n", INT_CLIENT, STAFF, "a@example.com", "Resent-From: " STAFF,
	 NULL, "250 2.0.0", "sanitized"},
	{"off", "auto_forward_outbound = off\n", INT_CLIENT, STAFF, "a@example.com", "Resent-From: " STAFF, NULL,
	 "250 2.0.0", "sanitized"},
	{"internal-not-checked", "", INT_CLIENT, STAFF, "b@city.example.lg.jp", "Resent-From: " STAFF, NULL,
	 "250 2.0.0", "sanitized"},
	{"inbound-default-log", "", EXT_CLIENT, "x@example.org", STAFF, "X-Forwarded-To: " STAFF, NULL, "250 2.0.0",
	 "sanitized"},
	{"inbound-deny", "auto_forward_inbound = deny\n", EXT_CLIENT, "x@example.org", STAFF, "X-Forwarded-To: " STAFF,
	 NULL, "550 5.7.1", "auto-forward-deny"},
	{"permit-live", PERMIT_CONF, INT_CLIENT, STAFF, "taro.home@example.net", "Delivered-To: " STAFF, "2026-11-29",
	 "250 2.0.0", "sanitized"},
	{"permit-last-day", PERMIT_CONF, INT_CLIENT, STAFF, "taro.home@example.net", "Delivered-To: " STAFF,
	 "2026-12-31", "250 2.0.0", "sanitized"},
	{"permit-expired-at-run-time", PERMIT_CONF, INT_CLIENT, STAFF, "taro.home@example.net", "Delivered-To: " STAFF,
	 "2027-01-01", "550 5.7.1", "auto-forward-unpermitted"},
	{"permit-source-from-header", PERMIT_CONF, INT_CLIENT, "SRS0=a=b=example.net=x@city.example.lg.jp",
	 "taro.home@example.net", "Delivered-To: " STAFF, "2026-11-29", "250 2.0.0", "sanitized"},
	{"permit-unknown-destination", PERMIT_CONF, INT_CLIENT, STAFF, "other@example.net", "Delivered-To: " STAFF,
	 "2026-11-29", "550 5.7.1", "auto-forward-unpermitted"},
	{"permit-names-internal-source", PERMIT_CONF, INT_CLIENT, "SRS0=a=b=example.net=x@relay.example.net",
	 "other@example.net", "Delivered-To: " STAFF, "2026-11-29", "550 5.7.1", "auto-forward-unpermitted",
	 "from <" STAFF
	 "> to <other@example.net> has no valid permit (detected: Delivered-To,SRS-sender,foreign-sender)"},
	{"permit-one-of-two", PERMIT_CONF, INT_CLIENT, STAFF, "taro.home@example.net other@example.net",
	 "Delivered-To: " STAFF, "2026-11-29", "550 5.7.1", "auto-forward-unpermitted"},
	{"permit-internal-rcpt-free", PERMIT_CONF, INT_CLIENT, STAFF, "taro.home@example.net b@city.example.lg.jp",
	 "Delivered-To: " STAFF, "2026-11-29", "250 2.0.0", "sanitized"},
	{"permit-domain", PERMIT_CONF, INT_CLIENT, "hanako@city.example.lg.jp", "anyone@partner.example.jp",
	 "Auto-Submitted: auto-forwarded", "2026-11-29", "250 2.0.0", "sanitized"},
	{"permit-inbound", PERMIT_CONF, EXT_CLIENT, "me@private.example", STAFF, "X-Forwarded-To: " STAFF, "2026-11-29",
	 "250 2.0.0", "sanitized"},
	{"permit-inbound-unknown", PERMIT_CONF, EXT_CLIENT, "you@private.example", STAFF, "X-Forwarded-To: " STAFF,
	 "2026-11-29", "550 5.7.1", "auto-forward-unpermitted"},
};

static const char permit_text[] =
	"# id source destination approver expires reason\n"
	"FWD-1 taro@city.example.lg.jp taro.home@example.net kacho@city.example.lg.jp 2026-12-31 shucchou\n"
	"FWD-2 hanako@city.example.lg.jp @partner.example.jp bucho 2027-03-31 joint project\n"
	"FWD-3 me@private.example taro@city.example.lg.jp kacho 2027-03-31 inbound\n";

static void test_modes(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("permitXXXXXX", &path, NULL);
	assert_true(fd >= 0);
	assert_true(g_file_set_contents(path, permit_text, -1, NULL));
	close(fd);
	for (gsize i = 0; i < G_N_ELEMENTS(mode_rows); i++) {
		const struct mode_row *w = &mode_rows[i];
		char *conf = g_strdup_printf("%sauto_forward_permit_file = %s\n", w->conf, path);
		mg_policy_set_today("2026-11-29"); /* the day the permit file is loaded */
		struct mg_config *cfg = pt_conf(conf);
		mg_policy_set_today(w->today);
		struct pt_msg m = {w->client, w->from, NULL, w->rcpts, w->headers, NULL};
		struct pt_result r;
		pt_run(cfg, &m, &r);
		if (g_strcmp0(r.code, w->want_code) != 0 || g_strcmp0(r.rule, w->want_rule) != 0)
			fail_msg("%s: got %s %s want %s %s (%s)", w->name, r.code, r.rule, w->want_code, w->want_rule,
				 r.reason);
		if (w->want_reason && !strstr(r.reason, w->want_reason))
			fail_msg("%s: reply '%s' lacks '%s'", w->name, r.reason, w->want_reason);
		mg_policy_set_today(NULL);
		mg_config_unref(cfg);
		g_free(conf);
	}
	g_unlink(path);
	g_free(path);
}

/* The report says the direction, the markers and the permit used. */
static void test_report(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("permitXXXXXX", &path, NULL);
	close(fd);
	assert_true(g_file_set_contents(path, permit_text, -1, NULL));
	char *conf = g_strdup_printf(PERMIT_CONF "auto_forward_permit_file = %s\n", path);
	mg_policy_set_today("2026-11-29");
	struct mg_config *cfg = pt_conf(conf);
	struct mg_conn *c = mg_conn_new(INT_CLIENT, NULL);
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_mail_from(t, STAFF, NULL);
	mg_txn_rcpt(t, "taro.home@example.net", NULL);
	mg_txn_header(t, "Delivered-To", STAFF);
	mg_txn_eoh(t);
	mg_txn_body(t, "hi\n", 3);
	assert_int_equal(mg_txn_eom(t)->kind, MG_VERDICT_ACCEPT);
	JsonObject *o = json_object_get_object_member(mg_txn_report(t)->extra, "policy");
	assert_non_null(o);
	assert_string_equal(json_object_get_string_member(o, "direction"), "outbound");
	assert_string_equal(json_object_get_string_member(o, "origin"), "LGWAN");
	assert_string_equal(json_object_get_string_member(o, "auto_forward"), "Delivered-To");
	JsonArray *a = json_object_get_array_member(o, "auto_forward_permits");
	assert_int_equal(json_array_get_length(a), 1);
	assert_string_equal(json_array_get_string_element(a, 0), "FWD-1");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
	mg_policy_set_today(NULL);
	g_unlink(path);
	g_free(path);
	g_free(conf);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, pt_setup, NULL);
}
