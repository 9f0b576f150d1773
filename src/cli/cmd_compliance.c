/*
 * cmd_compliance.c - `mugaika compliance [--json]` (F40): the effective
 * configuration and the state of this host against the checklist of the
 * seeds' audits: relay guard, size limits, profile per direction, signature
 * age, auto-forward mode, Bcc rule, keyed and forwarded logs, clock
 * synchronisation, permits and their expiry, the last self-test, alert
 * routes.  One line per check with pass / warn / fail and why.
 * Exit: 0 no check failed (warnings allowed), 1 a check failed, 64 usage,
 * 78 configuration.
 */
#include "config.h"

#include <clamav.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_policy.h"

enum level { PASS = 0, WARN, FAIL };
static const char *level_names[] = {"pass", "warn", "fail"};

struct checks {
	JsonArray *rows;
	guint n[3];
};

static void add(struct checks *c, const char *id, enum level lv, const char *keys, const char *fmt, ...)
	G_GNUC_PRINTF(5, 6);
static void add(struct checks *c, const char *id, enum level lv, const char *keys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "check", id);
	json_object_set_string_member(o, "status", level_names[lv]);
	json_object_set_string_member(o, "detail", detail);
	json_object_set_string_member(o, "keys", keys);
	json_array_add_object_element(c->rows, o);
	c->n[lv]++;
	g_free(detail);
}

static void check_relay(struct checks *c, const struct mg_config *cfg)
{
	gboolean dom = cfg->internal_domain && cfg->internal_domain[0];
	gboolean net = cfg->internal_network && cfg->internal_network[0];
	if (dom && net)
		add(c, "relay-guard", PASS, "internal_domain internal_network",
		    "mail from outside to outside is refused (internal domain %s)", cfg->internal_domain[0]);
	else
		add(c, "relay-guard", FAIL, "internal_domain internal_network",
		    "%s is empty: mugaika cannot tell inside from outside, the relay guard is off",
		    dom ? "internal_network" : "internal_domain");
}

static void check_sizes(struct checks *c, const struct mg_config *cfg)
{
	gint64 in = cfg->inbound_max_message_size ? cfg->inbound_max_message_size : cfg->max_message_size;
	gint64 out = cfg->outbound_max_message_size ? cfg->outbound_max_message_size : cfg->max_message_size;
	enum level lv = MAX(in, out) > 100 * 1024 * 1024 ? WARN : PASS;
	add(c, "size-limits", lv, "max_message_size inbound_max_message_size outbound_max_message_size",
	    "messages over %" G_GINT64_FORMAT " bytes (inbound) and %" G_GINT64_FORMAT
	    " bytes (outbound) are refused at MAIL FROM SIZE= and while they stream in%s",
	    in, out, lv == WARN ? "; over 100 MB is unusually large" : "");
}

static void check_profile(struct checks *c, const struct mg_config *cfg)
{
	add(c, "profile-inbound", PASS, "body_only attachment_rule", "inbound mail is rebuilt: plain-text body, %s",
	    cfg->body_only ? "every attachment removed (body only)"
			   : "attachments rebuilt, converted or removed by "
			     "attachment_rule");
	add(c, "profile-outbound", WARN, "",
	    "outbound mail goes through the same pipeline as inbound (no outbound "
	    "profile: scanned and policed, but also rebuilt)");
}

/* Build time of the newest signature file (CVD header, else mtime). */
static gint64 signatures_time(const char *dir)
{
	static const char *cvds[] = {"daily.cld", "daily.cvd", "main.cld", "main.cvd"};
	gint64 newest = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(cvds); i++) {
		char *p = g_build_filename(dir, cvds[i], NULL);
		struct cl_cvd *h = g_file_test(p, G_FILE_TEST_IS_REGULAR) ? cl_cvdhead(p) : NULL;
		if (h) {
			newest = MAX(newest, (gint64)h->stime);
			cl_cvdfree(h);
		}
		g_free(p);
	}
	GDir *d = newest ? NULL : g_dir_open(dir, 0, NULL);
	for (const char *n; d && (n = g_dir_read_name(d));) {
		struct stat st;
		char *p = g_build_filename(dir, n, NULL);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			newest = MAX(newest, (gint64)st.st_mtime);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	return newest;
}

static void check_signatures(struct checks *c, const struct mg_config *cfg)
{
	gint64 t = signatures_time(cfg->clamav_database), age = g_get_real_time() / G_USEC_PER_SEC - t;
	if (!t)
		add(c, "signatures", FAIL, "clamav_database", "no signature files in %s (install clamav-freshclam)",
		    cfg->clamav_database);
	else
		add(c, "signatures",
		    age > cfg->scan_db_max_age    ? FAIL
		    : age > cfg->scan_db_warn_age ? WARN
						  : PASS,
		    "clamav_database scan_db_warn_age scan_db_max_age",
		    "newest signatures in %s are %" G_GINT64_FORMAT " hours old (warn after %" G_GINT64_FORMAT
		    ", mail stops after %" G_GINT64_FORMAT ")",
		    cfg->clamav_database, age / 3600, cfg->scan_db_warn_age / 3600, cfg->scan_db_max_age / 3600);
}

static void check_forward(struct checks *c, const struct mg_config *cfg)
{
	static const char *modes[] = {"deny", "permit-list", "log-only", "off"};
	int m = CLAMP(cfg->auto_forward_outbound, 0, 3);
	add(c, "auto-forward",
	    m <= MG_FWD_PERMIT_LIST ? PASS
	    : m == MG_FWD_LOG_ONLY  ? WARN
				    : FAIL,
	    "auto_forward_outbound", "automatic forwarding to the outside: %s%s", modes[m],
	    m == MG_FWD_LOG_ONLY ? " (only logged)"
	    : m == MG_FWD_OFF    ? " (not even detected)"
				 : "");
}

static void check_bcc(struct checks *c, const struct mg_config *cfg)
{
	if (cfg->bcc_max_visible_external > 0)
		add(c, "bcc-rule", PASS, "bcc_max_visible_external bcc_action",
		    "outbound mail may show at most %" G_GINT64_FORMAT " external addresses in To/Cc",
		    cfg->bcc_max_visible_external);
	else
		add(c, "bcc-rule", WARN, "bcc_max_visible_external", "the Bcc rule is off");
}

static void check_logs(struct checks *c, const struct mg_config *cfg)
{
	GError *err = NULL;
	struct mg_audit_keys *k = NULL;
	if (!*cfg->audit_log)
		add(c, "audit-log", FAIL, "audit_log", "no audit log: messages leave no record");
	else if (!(k = mg_audit_keys_load(cfg->audit_key_file, &err)))
		add(c, "audit-log", FAIL, "audit_log audit_key_file", "%s: records cannot be keyed: %s", cfg->audit_log,
		    err->message);
	else
		add(c, "audit-log", PASS, "audit_log audit_key_file",
		    "%s: HMAC-SHA-256 chain, key %s from %s, sealed at rotation and stop", cfg->audit_log,
		    mg_audit_keys_current_id(k), cfg->audit_key_file);
	g_clear_error(&err);
	mg_audit_keys_unref(k);
	add(c, "admin-log", *cfg->admin_audit_log ? PASS : FAIL, "admin_audit_log", "%s",
	    *cfg->admin_audit_log ? cfg->admin_audit_log : "no admin audit log: administrative acts leave no record");
	add(c, "log-forwarding", *cfg->audit_syslog ? PASS : WARN, "audit_syslog", "%s%s",
	    *cfg->audit_syslog ? "records are copied to "
			       : "records stay on this host only (set audit_syslog for a "
				 "remote collector)",
	    cfg->audit_syslog);
	add(c, "log-failure", cfg->on_audit_failure == 0 ? PASS : WARN, "on_audit_failure",
	    "a record that cannot be written %s",
	    cfg->on_audit_failure == 0 ? "stops the message (451)" : "is only logged; mail goes on");
}

static void check_clock(struct checks *c)
{
	struct mg_clock_sync s;
	mg_clock_sync_read(&s);
	char *d = mg_clock_sync_describe(&s);
	add(c, "clock", s.synchronized ? PASS : FAIL, "log_timezone", "system clock %s; logs in UTC%+03d:%02d", d,
	    mg_clock_offset() / 3600, (mg_clock_offset() < 0 ? -mg_clock_offset() : mg_clock_offset()) % 3600 / 60);
	g_free(d);
}

static void check_permits(struct checks *c, const struct mg_config *cfg)
{
	GError *err = NULL;
	if (!*cfg->auto_forward_permit_file) {
		add(c, "permits", PASS, "auto_forward_permit_file", "no auto-forward permits");
		return;
	}
	GPtrArray *p = mg_permit_load_all(cfg->auto_forward_permit_file, &err);
	if (!p) {
		add(c, "permits", FAIL, "auto_forward_permit_file", "%s", err->message);
		g_error_free(err);
		return;
	}
	GDate today, soon;
	mg_policy_today(&today);
	soon = today;
	g_date_add_days(&soon, 14);
	guint expired = 0, expiring = 0;
	for (guint i = 0; i < p->len; i++) {
		const struct mg_permit *e = p->pdata[i];
		expired += g_date_compare(&e->date, &today) < 0;
		expiring += g_date_compare(&e->date, &today) >= 0 && g_date_compare(&e->date, &soon) <= 0;
	}
	add(c, "permits",
	    expired    ? FAIL
	    : expiring ? WARN
		       : PASS,
	    "auto_forward_permit_file",
	    "%u auto-forward permits in %s: %u expired, %u expire within 14 days (mugaika permits %s)", p->len,
	    cfg->auto_forward_permit_file, expired, expiring, cfg->auto_forward_permit_file);
	g_ptr_array_unref(p);
}

struct last_selftest {
	char *time;
	gint64 failed;
};

static gboolean find_selftest(JsonObject *rec, guint64 lineno, gpointer data)
{
	struct last_selftest *l = data;
	(void)lineno;
	if (g_strcmp0(mg_json_get_str(rec, "type"), "selftest") != 0)
		return TRUE;
	g_free(l->time);
	l->time = g_strdup(mg_json_get_str0(rec, "time"));
	l->failed = mg_json_get_int(rec, "failed", 1);
	return TRUE;
}

static void check_selftest(struct checks *c, const struct mg_config *cfg)
{
	struct last_selftest l = {0};
	gint64 t = 0;
	if (*cfg->audit_log && g_file_test(cfg->audit_log, G_FILE_TEST_EXISTS))
		(void)mg_audit_foreach(cfg->audit_log, find_selftest, &l, NULL, NULL);
	gboolean recent =
		l.time && mg_audit_time_parse(l.time, &t) && g_get_real_time() - t < (gint64)48 * 3600 * G_USEC_PER_SEC;
	if (!l.time)
		add(c, "selftest", WARN, "", "no self-test in %s (run mugaika selftest daily)", cfg->audit_log);
	else
		add(c, "selftest",
		    l.failed ? FAIL
		    : recent ? PASS
			     : WARN,
		    "", "last self-test %s: %s", l.time,
		    l.failed ? "FAILED"
		    : recent ? "passed"
			     : "passed, but more than 48 hours ago");
	g_free(l.time);
}

static void check_alerts(struct checks *c, const struct mg_config *cfg)
{
	guint mail = 0;
	for (char **r = cfg->alert_route; r && *r; r++)
		mail += strstr(*r, "mail:") != NULL;
	add(c, "alerts", mail ? PASS : WARN, "alert_role alert_route",
	    mail ? "%u alert routes send mail to a role" : "no alert goes to a person (alert_route with mail:ROLE)",
	    mail);
}

static void check_failure_modes(struct checks *c, const struct mg_config *cfg)
{
	add(c, "fail-closed", cfg->on_error == MG_FAIL_TEMPFAIL ? PASS : WARN, "on_error", "an internal failure %s",
	    cfg->on_error == MG_FAIL_TEMPFAIL ? "keeps the mail queued (451)" : "bounces the mail (554)");
}

static void print_text(JsonObject *o)
{
	JsonArray *a = json_object_get_array_member(o, "checks");
	printf("mugaika compliance on %s at %s (%s)\n", mg_json_get_str0(o, "host"), mg_json_get_str0(o, "time"),
	       mg_json_get_str0(o, "config"));
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *r = json_array_get_object_element(a, i);
		char *st = g_ascii_strup(mg_json_get_str0(r, "status"), -1);
		printf("%-4s %-18s %s\n", st, mg_json_get_str0(r, "check"), mg_json_get_str0(r, "detail"));
		g_free(st);
	}
	JsonObject *s = json_object_get_object_member(o, "summary");
	printf("%" G_GINT64_FORMAT " pass, %" G_GINT64_FORMAT " warn, %" G_GINT64_FORMAT " fail\n",
	       json_object_get_int_member(s, "pass"), json_object_get_int_member(s, "warn"),
	       json_object_get_int_member(s, "fail"));
}

static JsonObject *compliance_run(const struct mg_config *cfg)
{
	struct checks c = {.rows = json_array_new()};
	check_relay(&c, cfg);
	check_sizes(&c, cfg);
	check_profile(&c, cfg);
	check_signatures(&c, cfg);
	check_forward(&c, cfg);
	check_bcc(&c, cfg);
	check_logs(&c, cfg);
	check_clock(&c);
	check_permits(&c, cfg);
	check_selftest(&c, cfg);
	check_alerts(&c, cfg);
	check_failure_modes(&c, cfg);
	JsonObject *o = json_object_new(), *s = json_object_new();
	char *now = mg_clock_iso(g_get_real_time());
	json_object_set_string_member(o, "host", mg_clock_hostname());
	json_object_set_string_member(o, "time", now);
	json_object_set_string_member(o, "config", cfg->path);
	json_object_set_array_member(o, "checks", c.rows);
	for (int i = 0; i < 3; i++)
		json_object_set_int_member(s, level_names[i], c.n[i]);
	json_object_set_object_member(o, "summary", s);
	g_free(now);
	return o;
}

int mg_cmd_compliance(int argc, char **argv)
{
	char *conf = NULL;
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &conf, "configuration file", "CONF"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON instead of text", NULL},
		{NULL},
	};
	gboolean ok = mg_cli_options("compliance", NULL,
				     "Check the effective configuration and this host against the compliance\n"
				     "checklist (docs/COMPLIANCE.md); pass / warn / fail per line.",
				     entries, &argc, &argv);
	int rc = ok && argc <= 1 ? MG_EX_OK : MG_EX_USAGE;
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(conf);
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc) {
		JsonObject *o = compliance_run(cfg);
		JsonObject *s = json_object_get_object_member(o, "summary");
		gint64 fails = json_object_get_int_member(s, "fail");
		if (json) {
			JsonNode *n = json_node_init_object(json_node_alloc(), o);
			char *t = json_to_string(n, TRUE);
			printf("%s\n", t);
			g_free(t);
			json_node_unref(n);
		} else
			print_text(o);
		JsonObject *d = json_object_new();
		json_object_set_int_member(d, "failed", fails);
		mg_admin_log(cfg, "compliance", d, FALSE);
		json_object_unref(d);
		json_object_unref(o);
		rc = fails ? 1 : 0;
	}
	if (cfg)
		mg_config_unref(cfg);
	g_free(conf);
	return rc;
}
