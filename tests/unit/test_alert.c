/*
 * test_alert.c - alerts by role (issue 17 item 5): the syntax of roles,
 * routes and burst rules (file:line errors, cross-checks), routing by
 * severity and by event, the rate limit and its "held back" count, burst
 * escalation, the exec hook (arguments, environment, text, timeout), mail
 * to a role through an SMTP listener (a fake one in this test), and the
 * audit record handed to the sink.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gio/gio.h>

#include "mg_alert.h"
#include "mg_config.h"
#include "mg_pipeline.h"

static char *tmpdir;

static struct mg_config *conf(const char *text, GError **err)
{
	return mg_config_parse("alert.conf", text, strlen(text), err);
}

static void test_syntax(void **state)
{
	static const struct {
		const char *text, *want; /* want: NULL = valid, else part of the error */
	} rows[] = {
		{"alert_role = ciso | CISO | ciso@city.example.lg.jp, deputy@city.example.lg.jp\n"
		 "alert_route = critical mail:ciso exec\nalert_exec = /bin/true\nalert_smtp_host = 127.0.0.1:10026\n",
		 NULL},
		{"alert_route = virus syslog\n", NULL},
		{"alert_route = * syslog\n", NULL},
		{"alert_role = ciso | CISO\n", "alert.conf:1: alert_role: 'ciso | CISO' is not a role"},
		{"alert_role = Bad Id | x | a@b.c\n", "is not a role"},
		{"alert_role = ciso | CISO | not-an-address\n", "is not a role"},
		{"alert_route = critical\n", "alert.conf:1: alert_route:"},
		{"alert_route = critical pager\n", "is not a route"},
		{"alert_route = Critical syslog\n", "is not a route"},
		{"alert_burst = relay-attempt 1 10m warning\n", "alert.conf:1: alert_burst:"},
		{"alert_burst = relay-attempt 20 10m loud\n", "is not a burst rule"},
		{"alert_route = critical mail:nobody\nalert_smtp_host = 127.0.0.1:25\n", "names an unknown role"},
		{"alert_role = a | A | a@b.c\nalert_route = critical mail:a\n", "needs alert_smtp_host"},
		{"alert_route = critical exec\n", "needs alert_exec"},
		{"alert_role = a | A | a@b.c\nalert_role = a | B | b@b.c\n", "defined twice"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GError *err = NULL;
		struct mg_config *cfg = conf(rows[i].text, &err);
		print_message("%s -> %s\n", rows[i].text, err ? err->message : "ok");
		if (!rows[i].want) {
			assert_non_null(cfg);
			assert_non_null(cfg->alert);
			mg_config_unref(cfg);
		} else {
			assert_null(cfg);
			assert_non_null(strstr(err->message, rows[i].want));
			g_error_free(err);
		}
	}
}

/* ---- delivery ---- */

static GMutex rec_lock;
static GPtrArray *records; /* char*: JSON of the records given to the sink */

static void sink(JsonObject *rec, gpointer data)
{
	(void)data;
	JsonNode *n = json_node_init_object(json_node_alloc(), rec);
	g_mutex_lock(&rec_lock);
	g_ptr_array_add(records, json_to_string(n, FALSE));
	g_mutex_unlock(&rec_lock);
	json_node_unref(n);
}

static char *hook_path(const char *out)
{
	char *p = g_build_filename(tmpdir, "hook.sh", NULL);
	char *script =
		g_strdup_printf("#!/bin/sh\n{ echo \"args=$1 $2 roles=$MUGAIKA_ALERT_ROLES host=$MUGAIKA_ALERT_HOST\";"
				" cat; echo ---; } >> '%s'\n",
				out);
	assert_true(g_file_set_contents(p, script, -1, NULL));
	assert_int_equal(chmod(p, 0755), 0);
	g_free(script);
	return p;
}

static char *slurp(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return g_strdup("");
	return text;
}

static guint count_of(const char *text, const char *needle)
{
	guint n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static struct mg_config *configure(const char *extra, const char *out)
{
	char *hook = hook_path(out);
	char *text = g_strdup_printf("alert_exec = %s\nalert_exec_timeout = 5\n%s", hook, extra);
	GError *err = NULL;
	struct mg_config *cfg = conf(text, &err);
	if (!cfg)
		fail_msg("%s", err->message);
	mg_alert_configure(cfg);
	g_free(text);
	g_free(hook);
	return cfg;
}

static void test_route_and_rate(void **state)
{
	char *out = g_build_filename(tmpdir, "rate.out", NULL);
	unlink(out);
	struct mg_config *cfg =
		configure("alert_route = error exec\nalert_route = virus exec\nalert_interval = 2\n", out);
	mg_alert_set_sink(sink, NULL);
	mg_alert_emit("selftest-failed", MG_ALERT_ERROR, "first");
	mg_alert_emit("selftest-failed", MG_ALERT_ERROR, "second (held back)");
	mg_alert_emit("clock-unsynchronized", MG_ALERT_WARNING, "below error: logged only");
	mg_alert_emit("virus", MG_ALERT_WARNING, "routed by its name");
	mg_alert_flush(10 * G_USEC_PER_SEC);
	char *text = slurp(out);
	print_message("%s", text);
	assert_int_equal(count_of(text, "args=selftest-failed error"), 1);
	assert_non_null(strstr(text, "first"));
	assert_null(strstr(text, "second"));
	assert_null(strstr(text, "below error"));
	assert_non_null(strstr(text, "args=virus warning"));
	g_free(text);
	g_usleep(2100 * 1000); /* the interval has passed */
	mg_alert_emit("selftest-failed", MG_ALERT_CRITICAL, "third");
	mg_alert_flush(10 * G_USEC_PER_SEC);
	text = slurp(out);
	assert_non_null(strstr(text, "third\n(1 more held back by the rate limit)"));
	g_free(text);
	g_mutex_lock(&rec_lock);
	assert_int_equal(records->len, 3); /* routed alerts only; the held one too is not recorded twice */
	assert_non_null(strstr(records->pdata[2], "\"suppressed\":1"));
	assert_non_null(strstr(records->pdata[0], "\"type\":\"alert\""));
	g_mutex_unlock(&rec_lock);
	mg_alert_set_sink(NULL, NULL);
	mg_alert_shutdown();
	mg_config_unref(cfg);
	g_free(out);
}

static void test_burst(void **state)
{
	char *out = g_build_filename(tmpdir, "burst.out", NULL);
	unlink(out);
	struct mg_config *cfg = configure("alert_burst = relay-attempt 3 10m warning\n"
					  "alert_route = relay-attempt-burst exec\nalert_interval = 0\n",
					  out);
	for (int i = 0; i < 7; i++)
		mg_alert_emit("relay-attempt", MG_ALERT_INFO, "attempt %d", i);
	mg_alert_flush(10 * G_USEC_PER_SEC);
	char *text = slurp(out);
	print_message("%s", text);
	assert_int_equal(count_of(text, "args=relay-attempt-burst warning"), 2); /* 3 + 3, the 7th waits */
	assert_null(strstr(text, "args=relay-attempt info"));
	g_free(text);
	mg_alert_shutdown();
	mg_config_unref(cfg);
	g_free(out);
}

/* A hook that hangs is killed after alert_exec_timeout; emit never waits. */
static void test_hook_timeout(void **state)
{
	char *p = g_build_filename(tmpdir, "slow.sh", NULL);
	assert_true(g_file_set_contents(p, "#!/bin/sh\nsleep 30\n", -1, NULL));
	assert_int_equal(chmod(p, 0755), 0);
	char *text = g_strdup_printf("alert_exec = %s\nalert_exec_timeout = 1\nalert_route = * exec\n", p);
	struct mg_config *cfg = conf(text, NULL);
	mg_alert_configure(cfg);
	gint64 t0 = g_get_monotonic_time();
	mg_alert_emit("audit-failure", MG_ALERT_CRITICAL, "hang");
	assert_true(g_get_monotonic_time() - t0 < G_USEC_PER_SEC / 2);
	mg_alert_flush(20 * G_USEC_PER_SEC);
	assert_true(g_get_monotonic_time() - t0 < 10 * G_USEC_PER_SEC);
	mg_alert_shutdown();
	mg_config_unref(cfg);
	g_free(text);
	g_free(p);
}

/* ---- a fake SMTP listener for the mail transport ---- */

struct smtp_fake {
	GSocketListener *l;
	guint16 port;
	GString *got;
	GThread *th;
};

static gpointer smtp_serve(gpointer data)
{
	struct smtp_fake *f = data;
	GSocketConnection *c = g_socket_listener_accept(f->l, NULL, NULL, NULL);
	if (!c)
		return NULL;
	GDataInputStream *in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(c)));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(c));
	g_data_input_stream_set_newline_type(in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
	g_output_stream_write_all(out, "220 fake\r\n", 10, NULL, NULL, NULL);
	gboolean in_data = FALSE;
	char *line;
	while ((line = g_data_input_stream_read_line(in, NULL, NULL, NULL))) {
		g_string_append_printf(f->got, "%s\n", line);
		const char *reply = NULL;
		if (in_data && strcmp(line, ".") == 0) {
			in_data = FALSE;
			reply = "250 queued\r\n";
		} else if (!in_data && g_ascii_strncasecmp(line, "DATA", 4) == 0) {
			in_data = TRUE;
			reply = "354 go\r\n";
		} else if (!in_data && g_ascii_strncasecmp(line, "QUIT", 4) == 0)
			reply = "221 bye\r\n";
		else if (!in_data)
			reply = "250 ok\r\n";
		if (reply)
			g_output_stream_write_all(out, reply, strlen(reply), NULL, NULL, NULL);
		gboolean quit = g_ascii_strncasecmp(line, "QUIT", 4) == 0;
		g_free(line);
		if (quit)
			break;
	}
	g_object_unref(in);
	g_object_unref(c);
	return NULL;
}

static void test_mail(void **state)
{
	struct smtp_fake f = {.l = g_socket_listener_new(), .got = g_string_new(NULL)};
	f.port = g_socket_listener_add_any_inet_port(f.l, NULL, NULL);
	assert_true(f.port > 0);
	f.th = g_thread_new("smtp", smtp_serve, &f);
	char *text =
		g_strdup_printf("alert_role = csirt | CSIRT チーム | csirt@city.example.lg.jp, soc@pref.example.lg.jp\n"
				"alert_route = critical mail:csirt\nalert_smtp_host = 127.0.0.1:%u\n"
				"alert_from = mugaika@relay1.example\n",
				f.port);
	struct mg_config *cfg = conf(text, NULL);
	mg_alert_configure(cfg);
	mg_alert_emit("virus-outbound", MG_ALERT_CRITICAL, "Q123: virus Eicar in internal mail");
	mg_alert_flush(10 * G_USEC_PER_SEC);
	GSocketClient *poke = g_socket_client_new(); /* releases the listener if no mail came */
	char *self = g_strdup_printf("127.0.0.1:%u", f.port);
	GSocketConnection *pc = g_socket_client_connect_to_host(poke, self, 0, NULL, NULL);
	g_thread_join(f.th);
	g_clear_object(&pc);
	g_object_unref(poke);
	g_free(self);
	print_message("%s", f.got->str);
	assert_non_null(strstr(f.got->str, "MAIL FROM:<mugaika@relay1.example>"));
	assert_non_null(strstr(f.got->str, "RCPT TO:<csirt@city.example.lg.jp>"));
	assert_non_null(strstr(f.got->str, "RCPT TO:<soc@pref.example.lg.jp>"));
	assert_non_null(strstr(f.got->str, "Subject: [mugaika] critical virus-outbound on "));
	char *b = strstr(f.got->str, "base64\n\n");
	assert_non_null(b);
	char *end = strstr(b + 8, "\n.\n");
	assert_non_null(end);
	char *enc = g_strndup(b + 8, (gsize)(end - b - 8));
	gsize n = 0;
	guchar *body = g_base64_decode(enc, &n);
	char *bs = g_strndup((char *)body, n);
	print_message("%s", bs);
	assert_non_null(strstr(bs, "CSIRT チーム 様"));
	assert_non_null(strstr(bs, "Q123: virus Eicar in internal mail"));
	g_free(bs);
	g_free(body);
	g_free(enc);
	mg_alert_shutdown();
	mg_config_unref(cfg);
	g_object_unref(f.l);
	g_string_free(f.got, TRUE);
	g_free(text);
}

/* Before any configuration (unit tests of other modules, early start) an
 * alert is only logged. */
static void test_unconfigured(void **state)
{
	mg_alert_emit("virus", MG_ALERT_WARNING, "logged only");
	mg_alert_flush(G_USEC_PER_SEC);
	mg_alert_shutdown();
	enum mg_alert_severity s;
	assert_true(mg_alert_severity_parse("critical", &s));
	assert_int_equal(s, MG_ALERT_CRITICAL);
	assert_string_equal(mg_alert_severity_name(MG_ALERT_NOTICE), "notice");
	assert_false(mg_alert_severity_parse("loud", &s));
}

int main(void)
{
	mg_pipeline_global_init();
	tmpdir = g_dir_make_tmp("mg_alert_XXXXXX", NULL);
	records = g_ptr_array_new_with_free_func(g_free);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax), cmocka_unit_test(test_route_and_rate),
		cmocka_unit_test(test_burst),  cmocka_unit_test(test_hook_timeout),
		cmocka_unit_test(test_mail),   cmocka_unit_test(test_unconfigured),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_ptr_array_unref(records);
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
