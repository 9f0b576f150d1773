/*
 * test_guard.c - issue 16 items 6 and 8 (F27, F30, R10.1): the stop
 * state (JSON round trip, a bad file refused, edits under the lock written
 * atomically, the daemon's cached view re-read when the file changes), the
 * outbreak counters (thresholds per sender and client, the sliding window,
 * one trigger per window, virus hits, bounded table), the destination lists
 * (entries, errors with file:line, subdomains).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "mg_alert.h"
#include "mg_config.h"
#include "mg_guard.h"
#include "mg_pipeline.h"

static char *tmpdir;

static gboolean add_out(struct mg_stop_state *s, gpointer data)
{
	return mg_stop_add(s, MG_STOP_OUT, NULL, "tanaka", "admin", data);
}

static gboolean add_sender(struct mg_stop_state *s, gpointer data)
{
	return mg_stop_add(s, MG_STOP_SENDER, data, "mugaika-milter", "outbreak-guard", "burst");
}

static gboolean remove_out(struct mg_stop_state *s, gpointer data)
{
	return mg_stop_remove(s, MG_STOP_OUT, NULL);
}

static void test_stop_state(void **state)
{
	char *path = g_build_filename(tmpdir, "stop.state", NULL);
	GError *err = NULL;
	gboolean changed = FALSE;
	struct mg_stop_state *s = mg_stop_current(path, &err); /* missing file: nothing stopped */
	assert_non_null(s);
	assert_int_equal(s->entries->len, 0);
	mg_stop_unref(s);

	assert_true(mg_stop_update(path, add_out, "spam from 10.1.2.3", &changed, &err));
	assert_true(changed);
	assert_true(mg_stop_update(path, add_out, "again", &changed, &err));
	assert_false(changed); /* already stopped: the file is not rewritten */
	assert_true(mg_stop_update(path, add_sender, "Taro@City.Example.LG.JP", &changed, &err));
	s = mg_stop_current(path, &err);
	assert_non_null(s);
	assert_int_equal(s->entries->len, 2);
	const struct mg_stop_entry *e = mg_stop_lookup(s, MG_STOP_OUT, NULL);
	assert_non_null(e);
	assert_string_equal(e->reason, "spam from 10.1.2.3");
	assert_string_equal(e->by, "tanaka");
	assert_non_null(mg_stop_lookup(s, MG_STOP_SENDER, "taro@city.example.lg.jp"));
	assert_null(mg_stop_lookup(s, MG_STOP_SENDER, "jiro@city.example.lg.jp"));
	assert_null(mg_stop_lookup(s, MG_STOP_IN, NULL));
	mg_stop_unref(s);

	GStatBuf st;
	assert_int_equal(g_stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_true(mg_stop_update(path, remove_out, NULL, &changed, &err));
	assert_true(changed);
	s = mg_stop_current(path, &err); /* the new file is noticed */
	assert_null(mg_stop_lookup(s, MG_STOP_OUT, NULL));
	assert_non_null(mg_stop_lookup(s, MG_STOP_SENDER, "taro@city.example.lg.jp"));
	mg_stop_unref(s);

	assert_true(g_file_set_contents(path, "{\"stops\": 3}", -1, NULL)); /* broken: fail closed */
	s = mg_stop_current(path, &err);
	assert_null(s);
	assert_non_null(strstr(err->message, "not a stop state"));
	g_clear_error(&err);
	assert_true(g_file_set_contents(path, "{\"stops\":[{\"scope\":\"sender\"}]}", -1, NULL));
	assert_null(mg_stop_read(path, &err));
	g_clear_error(&err);
	assert_false(mg_stop_update(path, add_out, "x", &changed, &err)); /* never overwrite a file it cannot read */
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);
}

static const struct mg_outbreak_limits LIMITS = {600, 3, 10, 5, 100, 1, 4};

static void test_outbreak(void **state)
{
	gint64 t0 = G_GINT64_CONSTANT(1800000000) * G_USEC_PER_SEC;
	int kind = -1;
	char *why;
	mg_outbreak_reset();
	for (int i = 0; i < 3; i++) /* three messages: at the limit, not over it */
		assert_null(mg_outbreak_count(&LIMITS, "a@x.example", "10.0.0.1", 1, FALSE, t0 + i, &kind));
	why = mg_outbreak_count(&LIMITS, "a@x.example", "10.0.0.1", 1, FALSE, t0 + 10, &kind);
	assert_non_null(why);
	assert_int_equal(kind, MG_STOP_SENDER);
	assert_non_null(strstr(why, "sender:a@x.example: 4 messages in 600 s (limit 3)"));
	g_free(why);
	assert_null(
		mg_outbreak_count(&LIMITS, "a@x.example", "10.0.0.9", 1, FALSE, t0 + 20, &kind)); /* once per window */
	/* a window later the count starts again */
	assert_null(mg_outbreak_count(&LIMITS, "a@x.example", NULL, 1, FALSE, t0 + 700 * G_USEC_PER_SEC, &kind));
	/* recipients: 11 external recipients in one message */
	why = mg_outbreak_count(&LIMITS, "b@x.example", NULL, 11, FALSE, t0, &kind);
	assert_non_null(why);
	assert_non_null(strstr(why, "11 external recipients"));
	g_free(why);
	/* per client: five senders of one client are six messages from it */
	mg_outbreak_reset();
	for (int i = 0; i < 5; i++) {
		char s[32];
		g_snprintf(s, sizeof s, "s%d@x.example", i);
		assert_null(mg_outbreak_count(&LIMITS, s, "10.0.0.2", 1, FALSE, t0 + i, &kind));
	}
	why = mg_outbreak_count(&LIMITS, "s9@x.example", "10.0.0.2", 1, FALSE, t0 + 9, &kind);
	assert_non_null(why);
	assert_int_equal(kind, MG_STOP_CLIENT);
	g_free(why);
	assert_true(mg_outbreak_tracked() <= LIMITS.max_tracked); /* bounded */
	/* one outbound virus hit is enough with outbreak_virus_hits = 1 */
	why = mg_outbreak_count(&LIMITS, "v@x.example", NULL, 0, TRUE, t0, &kind);
	assert_non_null(why);
	assert_non_null(strstr(why, "1 outbound virus hits"));
	g_free(why);
	mg_outbreak_reset();
}

static void test_destlist(void **state)
{
	GError *err = NULL;
	const char *text = "# free mail\ngmail.com\n@Yahoo.co.jp  # with a comment\n\nboss@example.com\n";
	GPtrArray *l = mg_destlist_parse("f.list", text, strlen(text), &err);
	assert_non_null(l);
	assert_int_equal(l->len, 3);
	assert_string_equal(mg_destlist_match(l, "<someone@gmail.com>"), "@gmail.com");
	assert_non_null(mg_destlist_match(l, "x@mail.yahoo.co.jp")); /* subdomain */
	assert_null(mg_destlist_match(l, "x@notgmail.com"));
	assert_non_null(mg_destlist_match(l, "Boss@Example.com"));
	assert_null(mg_destlist_match(l, "other@example.com"));
	g_ptr_array_unref(l);
	static const char *const bad[][2] = {
		{"gmail.com\nnot a domain\n", "f.list:2: 'not a domain' is not a destination"},
		{"a@@b\n", "f.list:1:"},
		{"\xff\n", "f.list: not UTF-8"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		l = mg_destlist_parse("f.list", bad[i][0], strlen(bad[i][0]), &err);
		if (l || !err || !strstr(err->message, bad[i][1]))
			fail_msg("%s: got %s", bad[i][1], err ? err->message : "success");
		g_clear_error(&err);
	}
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	char *p = g_build_filename(top, "conf", "freemail-domains.list", NULL);
	l = mg_destlist_load(p, "freemail_domains_file", &err);
	assert_non_null(l);
	assert_true(l->len >= 20);
	g_ptr_array_unref(l);
	g_free(p);
	p = g_build_filename(top, "conf", "forbidden-destinations.list", NULL);
	l = mg_destlist_load(p, "forbidden_destinations_file", &err);
	assert_non_null(l);
	g_ptr_array_unref(l);
	g_free(p);
}

/* ---- the stop switch's alerts: each change once, not every stop again ---- */

static GMutex rec_lock;
static GString *alerts; /* one line per alert record given to the sink */

static void sink(JsonObject *rec, gpointer data)
{
	(void)data;
	g_mutex_lock(&rec_lock);
	g_string_append_printf(alerts, "%s %s\n", json_object_get_string_member_with_default(rec, "severity", "?"),
			       json_object_get_string_member_with_default(rec, "text", "?"));
	g_mutex_unlock(&rec_lock);
}

static guint count_of(const char *text, const char *needle)
{
	guint n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void current(const char *path)
{
	GError *err = NULL;
	struct mg_stop_state *s = mg_stop_current(path, &err);
	assert_non_null(s);
	mg_stop_unref(s);
	mg_alert_flush(10 * G_USEC_PER_SEC);
}

static void test_stop_alerts(void **state)
{
	static const char text[] = "alert_route = stop-switch syslog\nalert_interval = 0\n";
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("guard.conf", text, strlen(text), &err);
	assert_non_null(cfg);
	mg_alert_configure(cfg);
	alerts = g_string_new("");
	mg_alert_set_sink(sink, NULL);
	char *path = g_build_filename(tmpdir, "alerts.state", NULL);
	gboolean changed = FALSE;
	current(path); /* nothing stopped: nothing to say */
	assert_true(mg_stop_update(path, add_out, "spam", &changed, &err));
	current(path);
	assert_true(mg_stop_update(path, add_sender, "taro@city.example.lg.jp", &changed, &err));
	current(path);
	assert_true(mg_stop_update(path, remove_out, NULL, &changed, &err));
	current(path);
	g_mutex_lock(&rec_lock);
	print_message("%s", alerts->str);
	assert_int_equal(count_of(alerts->str, "out mail stopped since"), 1);
	assert_int_equal(count_of(alerts->str, "sender taro@city.example.lg.jp mail stopped since"), 1);
	assert_int_equal(count_of(alerts->str, "out mail flows again"), 1);
	assert_int_equal(count_of(alerts->str, "flows again"), 1);
	g_mutex_unlock(&rec_lock);
	mg_alert_set_sink(NULL, NULL);
	mg_alert_shutdown();
	g_string_free(alerts, TRUE);
	mg_config_unref(cfg);
	g_unlink(path);
	g_free(path);
}

int main(void)
{
	mg_pipeline_global_init();
	tmpdir = g_dir_make_tmp("mgguard-XXXXXX", NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_state),
		cmocka_unit_test(test_outbreak),
		cmocka_unit_test(test_destlist),
		cmocka_unit_test(test_stop_alerts),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return rc;
}
