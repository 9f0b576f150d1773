/*
 * cmd_stop.c - `mugaika stop` / `mugaika start`: the stop switch (issue 16
 * item 6, R10.1-R10.4; see mg_guard.h and docs/outbound-controls.md).
 *
 *   mugaika stop  [-c CONF] --reason TEXT in|out|all|sender ADDR|client IP
 *   mugaika start [-c CONF] [--reason TEXT] in|out|all|sender ADDR|client IP
 *   mugaika stop  [-c CONF] status [--json]
 *
 * Each change is first recorded in admin_audit_log (refused when it cannot
 * be), then written to stop_state_file, which the daemon re-reads at the
 * next MAIL FROM.  Exit: 0 done (or already so), 1 the state could not be
 * written, 64 usage, 78 configuration.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"
#include "mg_guard.h"

struct stop_opts {
	char *conf, *reason;
	gboolean json;
	char **args;
};

struct stop_edit {
	gboolean stop;
	int scope;
	const char *value, *reason;
	char *by;
};

static gboolean edit_state(struct mg_stop_state *s, gpointer data)
{
	const struct stop_edit *e = data;
	if (e->stop)
		return mg_stop_add(s, e->scope, e->value, e->by, "admin", e->reason);
	return mg_stop_remove(s, e->scope, e->value);
}

static gboolean value_ok(int scope, const char *v)
{
	if (scope == MG_STOP_CLIENT) {
		GInetAddress *a = g_inet_address_new_from_string(v);
		if (a)
			g_object_unref(a);
		return a != NULL;
	}
	if (!*v || strlen(v) > 320)
		return FALSE;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>')
			return FALSE;
	return TRUE;
}

static void print_state(const struct mg_stop_state *s, gboolean json)
{
	if (json) {
		char *t = mg_stop_to_json(s, TRUE);
		printf("%s\n", t);
		g_free(t);
		return;
	}
	if (s->entries->len == 0)
		printf("nothing stopped\n");
	for (guint i = 0; i < s->entries->len; i++) {
		const struct mg_stop_entry *e = s->entries->pdata[i];
		printf("%-6s %-30s since %s by %s (%s): %s\n", mg_stop_scope_name(e->scope), e->value ? e->value : "-",
		       e->since ? e->since : "?", e->by ? e->by : "?", e->origin ? e->origin : "?",
		       e->reason ? e->reason : "");
	}
}

static int stop_status(struct mg_config *cfg, const struct stop_opts *o)
{
	GError *err = NULL;
	mg_admin_log(cfg, "stop-status", NULL, FALSE);
	struct mg_stop_state *s = mg_stop_read(cfg->stop_state_file, &err);
	if (!s) {
		fprintf(stderr, "mugaika stop: %s\n", err->message);
		g_error_free(err);
		return 1;
	}
	print_state(s, o->json);
	mg_stop_unref(s);
	return MG_EX_OK;
}

static int stop_change(struct mg_config *cfg, const char *cmd, struct stop_edit *e)
{
	GError *err = NULL;
	gboolean changed = FALSE;
	JsonObject *d = json_object_new();
	json_object_set_string_member(d, "scope", mg_stop_scope_name(e->scope));
	mg_json_set_str(d, "value", e->value);
	mg_json_set_str(d, "reason", e->reason);
	mg_json_set_str(d, "state_file", cfg->stop_state_file);
	gboolean logged = mg_admin_log(cfg, cmd, d, TRUE);
	json_object_unref(d);
	if (!logged) {
		fprintf(stderr, "mugaika %s: refused: the admin audit log cannot be written\n", cmd);
		return 1;
	}
	e->by = mg_audit_invoker();
	gboolean ok = mg_stop_update(cfg->stop_state_file, edit_state, e, &changed, &err);
	if (!ok) {
		fprintf(stderr, "mugaika %s: %s\n", cmd, err->message);
		g_error_free(err);
	} else
		printf("%s%s%s mail %s%s (%s); the daemon applies it from the next message\n",
		       mg_stop_scope_name(e->scope), e->value ? " " : "", e->value ? e->value : "",
		       e->stop ? "stopped" : "started", changed ? "" : " already", cfg->stop_state_file);
	g_free(e->by);
	return ok ? MG_EX_OK : 1;
}

static int stop_parse(const char *cmd, int argc, char **argv, struct stop_opts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"reason", 0, 0, G_OPTION_ARG_FILENAME, &o->reason, "why (recorded in the state and the admin log)",
		 "TEXT"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "status: JSON output", NULL},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->args, NULL, "SCOPE [VALUE]"},
		{NULL},
	};
	const char *summary = "Stop switch.  SCOPE: in (mail from outside to internal recipients), out\n"
			      "(mail to external recipients), all, sender ADDR, client IP; `stop status`\n"
			      "shows the state.  Stopped mail gets a temporary failure (4xx) and stays\n"
			      "queued at the sending MTA.";
	return mg_cli_options(cmd, "SCOPE [VALUE]", summary, entries, &argc, &argv) ? MG_EX_OK : MG_EX_USAGE;
}

/* Check SCOPE [VALUE] and --reason; fills e. */
static gboolean stop_args(const char *cmd, const struct stop_opts *o, gboolean stop, struct stop_edit *e)
{
	guint n = o->args ? g_strv_length(o->args) : 0;
	e->stop = stop;
	e->scope = n ? mg_stop_scope_parse(o->args[0]) : -1;
	gboolean with_value = e->scope == MG_STOP_SENDER || e->scope == MG_STOP_CLIENT;
	if (e->scope < 0 || n != (with_value ? 2u : 1u)) {
		fprintf(stderr, "usage: mugaika %s [-c CONF] %sin|out|all|sender ADDR|client IP\n", cmd,
			stop ? "--reason TEXT " : "[--reason TEXT] ");
		return FALSE;
	}
	e->value = with_value ? o->args[1] : NULL;
	if (with_value && !value_ok(e->scope, e->value)) {
		fprintf(stderr, "mugaika %s: '%s' is not %s\n", cmd, e->value,
			e->scope == MG_STOP_CLIENT ? "an IP address" : "a sender (address or login name)");
		return FALSE;
	}
	e->reason = o->reason ? g_strstrip(o->reason) : NULL;
	if (e->reason && !g_utf8_validate(e->reason, -1, NULL)) { /* taken as bytes: no locale conversion */
		fprintf(stderr, "mugaika %s: --reason is not UTF-8 text\n", cmd);
		return FALSE;
	}
	if (stop && (!e->reason || !*e->reason)) {
		fprintf(stderr, "mugaika %s: --reason TEXT is required (it is recorded)\n", cmd);
		return FALSE;
	}
	return TRUE;
}

static int stop_main(const char *cmd, gboolean stop, int argc, char **argv)
{
	struct stop_opts o = {0};
	struct stop_edit e = {0};
	struct mg_config *cfg = NULL;
	int rc = stop_parse(cmd, argc, argv, &o);
	gboolean status = !rc && stop && o.args && g_strv_length(o.args) == 1 && strcmp(o.args[0], "status") == 0;
	if (!rc && !status && !stop_args(cmd, &o, stop, &e))
		rc = MG_EX_USAGE;
	if (!rc && !(cfg = mg_cli_load_config(o.conf)))
		rc = MG_EX_CONFIG;
	if (!rc)
		rc = status ? stop_status(cfg, &o) : stop_change(cfg, cmd, &e);
	if (cfg)
		mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.reason);
	g_strfreev(o.args);
	return rc;
}

int mg_cmd_stop(int argc, char **argv)
{
	return stop_main("stop", TRUE, argc, argv);
}

int mg_cmd_start(int argc, char **argv)
{
	return stop_main("start", FALSE, argc, argv);
}
