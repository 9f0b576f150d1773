/*
 * test_permit.c - loaders of issue 6: the auto-forward permit list (bad
 * lines, bad and past dates, duplicates: refused with file:line), the
 * reply templates, and the config rows (networks, domains, cross-checks).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "policy_testlib.h"
#include "mg_pipeline.h"

struct permit_row {
	const char *name, *text;
	const char *want_err; /* substring of the error, or NULL */
	guint want_n;
};

#define OKLINE "FWD-1 taro@city.example.lg.jp taro@example.net kacho 2026-12-31 reason words\n"

static const struct permit_row permit_rows[] = {
	{"one", OKLINE, NULL, 1},
	{"comments-only", "# nothing\n\n   \n# more\n", NULL, 0},
	{"tabs-and-domain", "A\t@city.example.lg.jp\t@example.net\tkacho\t2027-01-31\tall\n", NULL, 1},
	{"crlf", "FWD-1 a@city.example.lg.jp b@example.net k 2026-12-31 r\r\n", NULL, 1},
	{"expires-today", "X a@b.example c@d.example k 2026-11-29 r\n", NULL, 1},
	{"five-fields", "# c\nX a@b.example c@d.example k 2026-12-31\n", "f.list:2: expected ID", 0},
	{"bad-month", OKLINE "Y a@b.example c@d.example k 2026-13-01 r\n",
	 "f.list:2: expiry '2026-13-01' is not a date", 0},
	{"feb-30", "Y a@b.example c@d.example k 2026-02-30 r\n", "f.list:1: expiry", 0},
	{"slashes", "Y a@b.example c@d.example k 2026/12/01 r\n", "is not a date; allowed: YYYY-MM-DD", 0},
	{"short-year", "Y a@b.example c@d.example k 26-12-01 r\n", "is not a date", 0},
	{"trailing", "Y a@b.example c@d.example k 2026-12-011 r\n", "is not a date", 0},
	{"expired", "\n\nY a@b.example c@d.example k 2026-11-28 r\n", "f.list:3: permit expired on 2026-11-28", 0},
	{"duplicate-id", OKLINE OKLINE, "f.list:2: ID 'FWD-1' given twice", 0},
	{"bad-source", "Y tanaka c@d.example k 2026-12-31 r\n", "source 'tanaka' is not an address", 0},
	{"bad-destination", "Y a@b.example c@d..example k 2026-12-31 r\n", "destination", 0},
};

static void test_permit_parse(void **state)
{
	GDate today;
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, 29, G_DATE_NOVEMBER, 2026);
	for (gsize i = 0; i < G_N_ELEMENTS(permit_rows); i++) {
		const struct permit_row *w = &permit_rows[i];
		GError *err = NULL;
		GPtrArray *l = mg_permit_parse("f.list", w->text, &today, &err);
		if (w->want_err) {
			if (l || !err || !strstr(err->message, w->want_err))
				fail_msg("%s: got %s want error %s", w->name, err ? err->message : "success",
					 w->want_err);
		} else if (!l || l->len != w->want_n) {
			fail_msg("%s: got %s / %u entries, want %u", w->name, err ? err->message : "ok", l ? l->len : 0,
				 w->want_n);
		}
		if (l)
			g_ptr_array_unref(l);
		g_clear_error(&err);
	}
}

static void test_permit_fields(void **state)
{
	GDate today, later;
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, 29, G_DATE_NOVEMBER, 2026);
	GPtrArray *l = mg_permit_parse("f.list", "# c\n" OKLINE, &today, NULL);
	assert_non_null(l);
	const struct mg_permit *p = l->pdata[0];
	assert_string_equal(p->id, "FWD-1");
	assert_string_equal(p->reason, "reason words");
	assert_string_equal(p->where, "f.list:2");
	assert_ptr_equal(mg_permit_find(l, "<Taro@City.Example.LG.JP>", "taro@example.net", &today), p);
	assert_null(mg_permit_find(l, "jiro@city.example.lg.jp", "taro@example.net", &today));
	later = today;
	g_date_add_days(&later, 33); /* 2027-01-01 */
	assert_null(mg_permit_find(l, "taro@city.example.lg.jp", "taro@example.net", &later));
	g_ptr_array_unref(l);
}

struct conf_row {
	const char *name, *text;
	const char *want_err; /* substring, or NULL */
};

static const struct conf_row conf_rows[] = {
	{"ok", "internal_network = 10.0.0.0/8\ninternal_network = ::1/128\ninternal_domain = a.example\n", NULL},
	{"bad-prefix", "internal_domain = a.example\ninternal_network = 10.0.0.0/33\n", "t.conf:2: internal_network:"},
	{"host-bits", "internal_network = 10.1.0.0/8\n", "t.conf:1: internal_network: '10.1.0.0/8' is not a network"},
	{"not-ip", "internal_network = intranet\n", "t.conf:1: internal_network:"},
	{"bad-domain", "internal_domain = city example\n", "t.conf:1: internal_domain:"},
	{"bad-exempt", "bcc_exempt_sender = nobody\n", "t.conf:1: bcc_exempt_sender:"},
	{"bad-mode", "auto_forward_outbound = maybe\n", "t.conf:1: auto_forward_outbound:"},
	{"permit-without-file", "auto_forward_outbound = permit-list\n", "auto_forward_permit_file: empty"},
	{"missing-file", "auto_forward_permit_file = /nonexistent/permit.list\n", "/nonexistent/permit.list"},
	{"missing-replies", "policy_replies = /nonexistent/replies.conf\n", "/nonexistent/replies.conf"},
};

static void test_config_rows(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(conf_rows); i++) {
		const struct conf_row *w = &conf_rows[i];
		GError *err = NULL;
		struct mg_config *cfg = mg_config_parse("t.conf", w->text, strlen(w->text), &err);
		if (w->want_err && (cfg || !strstr(err->message, w->want_err)))
			fail_msg("%s: got %s want %s", w->name, err ? err->message : "success", w->want_err);
		if (!w->want_err && !cfg)
			fail_msg("%s: %s", w->name, err->message);
		mg_config_unref(cfg);
		g_clear_error(&err);
	}
}

/* A permit file with a bad line fails the whole config load with file:line
 * (the daemon then keeps its previous config). */
static void test_config_bad_permit_file(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("permitXXXXXX", &path, NULL);
	close(fd);
	assert_true(g_file_set_contents(path, "# ok\nFWD-9 a@b.example c@d.example k 2026-99-01 r\n", -1, NULL));
	char *text = g_strdup_printf("auto_forward_outbound = permit-list\nauto_forward_permit_file = %s\n", path);
	char *want = g_strdup_printf("%s:2: expiry '2026-99-01' is not a date", path);
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("t.conf", text, strlen(text), &err);
	assert_null(cfg);
	assert_non_null(err);
	assert_non_null(strstr(err->message, want));
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);
	g_free(text);
	g_free(want);
}

struct reply_row {
	const char *name, *text, *want_err;
};

static const struct reply_row reply_rows[] = {
	{"ok", "# c\nrelay-denied = 550 5.7.1 No relaying for <{rcpt}>\n", NULL},
	{"ok-4xx", "max-recipients = 452 4.5.3 Too many recipients, limit {limit}\n", NULL},
	{"unknown-rule", "relay = 550 5.7.1 x\n", "r.conf:1: unknown rule 'relay'"},
	{"no-equals", "\nrelay-denied 550 5.7.1 x\n", "r.conf:2: expected"},
	{"non-ascii", "relay-denied = 550 5.7.1 \xe4\xb8\xad\xe7\xb6\x99\xe6\x8b\x92\xe5\x90\xa6\n", "ASCII"},
	{"percent", "relay-denied = 550 5.7.1 100% sure\n", "'%'"},
	{"class-mismatch", "relay-denied = 550 4.7.1 x\n", "does not match 550"},
	{"2xx", "relay-denied = 250 2.0.0 ok\n", "4xx or 5xx"},
	{"no-text", "relay-denied = 550 5.7.1\n", "expected CODE ECODE TEXT"},
	{"unknown-placeholder", "bcc-visible = 550 5.7.1 {count} > {max}\n", "unknown placeholder {max}"},
	{"unclosed-placeholder", "bcc-visible = 550 5.7.1 {count\n", "unknown placeholder"},
};

static void test_replies(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(reply_rows); i++) {
		const struct reply_row *w = &reply_rows[i];
		GError *err = NULL;
		GHashTable *h = mg_policy_replies_parse("r.conf", w->text, &err);
		if (w->want_err && (h || !strstr(err->message, w->want_err)))
			fail_msg("%s: got %s want %s", w->name, err ? err->message : "success", w->want_err);
		if (!w->want_err && !h)
			fail_msg("%s: %s", w->name, err->message);
		if (h)
			g_hash_table_unref(h);
		g_clear_error(&err);
	}
}

static void test_replies_too_long(void **state)
{
	char *xs = g_strnfill(300, 'A');
	char *line = g_strdup_printf("relay-denied = 550 5.7.1 %s\n", xs);
	GError *err = NULL;
	assert_null(mg_policy_replies_parse("r.conf", line, &err));
	assert_non_null(strstr(err->message, "r.conf:1: longer than 300"));
	g_clear_error(&err);
	g_free(line);
	g_free(xs);
}

/* Every built-in template passes the same check as a file line. */
static void test_replies_builtin_valid(void **state)
{
	const char *rule;
	for (gsize i = 0; (rule = mg_policy_reply_rule(i)) != NULL; i++) {
		char *line = g_strdup_printf("%s = %s\n", rule, mg_policy_reply_builtin(rule));
		GError *err = NULL;
		GHashTable *h = mg_policy_replies_parse("b", line, &err);
		if (!h)
			fail_msg("%s: %s", rule, err->message);
		g_hash_table_unref(h);
		g_free(line);
	}
}

/* A template file changes the reply; placeholders are filled, and
 * non-ASCII in the values never reaches the SMTP text. */
static void test_replies_used(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("repliesXXXXXX", &path, NULL);
	close(fd);
	assert_true(g_file_set_contents(path, "relay-denied = 554 5.7.1 Relay refused for {rcpt} from [{client}]\n", -1,
					NULL));
	char *extra = g_strdup_printf("policy_replies = %s\n", path);
	struct mg_config *cfg = pt_conf(extra);
	struct pt_msg m = {"192.0.2.1", "x@example.net", NULL, "\xe5\xb1\xb1@example.com", "Subject: x", NULL};
	struct pt_result r;
	pt_run(cfg, &m, &r);
	assert_string_equal(r.code, "554 5.7.1");
	assert_string_equal(r.reason, "Relay refused for ???@example.com from [192.0.2.1]");
	/* a value cannot bring placeholders of its own, and is cut short */
	m.rcpts = "{client}@example.com";
	pt_run(cfg, &m, &r);
	assert_string_equal(r.reason, "Relay refused for ?client?@example.com from [192.0.2.1]");
	char *xs = g_strnfill(300, 'x');
	char *longaddr = g_strdup_printf("%s@example.com", xs);
	g_free(xs);
	m.rcpts = longaddr;
	pt_run(cfg, &m, &r);
	assert_true(strlen(r.reason) < 200);
	assert_non_null(strstr(r.reason, "xxxxxxxxxx"));
	g_free(longaddr);
	mg_config_unref(cfg);
	g_unlink(path);
	g_free(path);
	g_free(extra);
}

/* The review lists every permit with its status; expired ones counted. */
static void test_permit_report(void **state)
{
	static const char text[] = "A a@b.example c@d.example k 2026-12-31 long trip\n"
				   "B a@b.example @e.example k 2026-12-05 soon\n"
				   "C a@b.example f@g.example k 2026-11-29 today\n"
				   "D a@b.example h@i.example k 2026-10-01 old\n";
	static const char *want[] = {
		"A                active             2026-12-31 a@b.example -> c@d.example (k): long trip",
		"B                expires in 6 days  2026-12-05", "C                expires in 0 days  2026-11-29",
		"D                EXPIRED            2026-10-01"};
	GDate epoch, today;
	g_date_clear(&epoch, 1);
	g_date_set_dmy(&epoch, 1, G_DATE_JANUARY, 1);
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, 29, G_DATE_NOVEMBER, 2026);
	GPtrArray *l = mg_permit_parse("r.list", text, &epoch, NULL);
	assert_non_null(l);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(mg_permit_report(out, l, &today, 14), 1);
	fclose(out);
	char **lines = g_strsplit(buf, "\n", -1);
	assert_true(g_strv_length(lines) >= 5);
	for (gsize i = 0; i < G_N_ELEMENTS(want); i++)
		if (!g_str_has_prefix(lines[i + 1], want[i]))
			fail_msg("line %zu: got '%s' want '%s...'", i + 1, lines[i + 1], want[i]);
	g_strfreev(lines);
	free(buf);
	g_ptr_array_unref(l);
}

/* The example files shipped in conf/ load (top_srcdir from make check). */
static void test_shipped_files(void **state)
{
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	char *replies = g_build_filename(top, "conf", "replies.conf", NULL);
	char *permits = g_build_filename(top, "conf", "permit-forward.list", NULL);
	GError *err = NULL;
	GHashTable *h = mg_policy_replies_load(replies, &err);
	if (!h)
		fail_msg("%s", err->message);
	gsize n = 0;
	while (mg_policy_reply_rule(n))
		n++;
	assert_int_equal(g_hash_table_size(h), n); /* every rule is in the shipped file */
	GList *keys = g_hash_table_get_keys(h);
	for (GList *l = keys; l; l = l->next)
		assert_string_equal(g_hash_table_lookup(h, l->data), mg_policy_reply_builtin(l->data));
	g_list_free(keys);
	g_hash_table_unref(h);
	GPtrArray *p = mg_permit_load(permits, NULL, &err);
	if (!p)
		fail_msg("%s", err->message);
	g_ptr_array_unref(p);
	g_free(replies);
	g_free(permits);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permit_parse),
		cmocka_unit_test(test_permit_fields),
		cmocka_unit_test(test_config_rows),
		cmocka_unit_test(test_config_bad_permit_file),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_replies_too_long),
		cmocka_unit_test(test_replies_builtin_valid),
		cmocka_unit_test(test_replies_used),
		cmocka_unit_test(test_shipped_files),
		cmocka_unit_test(test_permit_report),
	};
	return cmocka_run_group_tests(tests, pt_setup, NULL);
}
