/*
 * cmd_status.c - `mugaika status` (issue 14): is the daemon healthy?  For
 * monitoring (Nagios/Icinga/Zabbix plugin conventions): one line, exit
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.  It reads the daemon's status
 * file (status_file, or status.json beside pid_file) and looks at the
 * machine itself: the process is alive, the status is fresh, an engine
 * with signatures is loaded, the signatures are younger than
 * scan_db_warn_age (warning) / scan_db_max_age (critical), spool_dir and
 * quarantine_dir have free space, and no error was logged recently.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include <json-glib/json-glib.h>

#include "cli.h"
#include "mg_json.h"

enum { ST_OK = 0, ST_WARNING = 1, ST_CRITICAL = 2, ST_UNKNOWN = 3 };
#define STALE_AFTER 60 /* seconds without a rewrite of the status file (it is rewritten every 15 s) */

struct st_opts {
	char *conf;
	gboolean json;
	int warn_space, crit_space; /* percent free */
	int error_window;           /* minutes */
};

struct st_result {
	int level;
	GString *text; /* problems first, then facts */
	GPtrArray *facts;
};

static void st_flag(struct st_result *r, int level, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void st_flag(struct st_result *r, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	static const int rank[] = {0, 1, 3, 2}; /* OK < WARNING < UNKNOWN < CRITICAL */
	if (rank[level] > rank[r->level])
		r->level = level;
	if (level == ST_OK)
		g_ptr_array_add(r->facts, s);
	else {
		g_string_append_printf(r->text, "%s%s", r->text->len ? "; " : "", s);
		g_free(s);
	}
}

static char *status_path(const struct mg_config *cfg)
{
	if (*cfg->status_file)
		return g_strdup(cfg->status_file);
	if (!*cfg->pid_file)
		return NULL;
	char *dir = g_path_get_dirname(cfg->pid_file);
	char *p = g_build_filename(dir, "status.json", NULL);
	g_free(dir);
	return p;
}

/* Free space where dir is (or would be: the quarantine is made on first use). */
static void check_space(struct st_result *r, const struct st_opts *o, const char *key, const char *dir)
{
	struct statvfs v;
	char *path = g_strdup(dir && *dir ? dir : g_get_tmp_dir());
	int rc;
	while ((rc = statvfs(path, &v)) != 0 && errno == ENOENT && !g_str_equal(path, "/")) {
		char *up = g_path_get_dirname(path);
		g_free(path);
		path = up;
	}
	if (rc != 0 || v.f_blocks == 0) {
		st_flag(r, ST_CRITICAL, "%s %s: %s", key, path, rc ? g_strerror(errno) : "no size");
	} else {
		int pct = (int)(100.0 * (double)v.f_bavail / (double)v.f_blocks);
		if (pct < o->crit_space)
			st_flag(r, ST_CRITICAL, "%s %s: %d%% free", key, path, pct);
		else if (pct < o->warn_space)
			st_flag(r, ST_WARNING, "%s %s: %d%% free", key, path, pct);
		else
			st_flag(r, ST_OK, "%s %d%% free", key, pct);
	}
	g_free(path);
}

static void check_engine(struct st_result *r, JsonObject *s, gint64 now)
{
	if (!json_object_get_boolean_member_with_default(s, "engine_loaded", FALSE)) {
		st_flag(r, ST_CRITICAL, "no virus signatures loaded (mail is tempfailed)");
		return;
	}
	gint64 age = now - mg_json_get_int(s, "db_time", 0);
	gint64 warn = mg_json_get_int(s, "scan_db_warn_age", 2 * 86400);
	gint64 max = mg_json_get_int(s, "scan_db_max_age", 7 * 86400);
	if (age > max)
		st_flag(r, ST_CRITICAL,
			"signatures %" G_GINT64_FORMAT " h old (over scan_db_max_age: mail is tempfailed)", age / 3600);
	else if (age > warn)
		st_flag(r, ST_WARNING, "signatures %" G_GINT64_FORMAT " h old (over scan_db_warn_age)", age / 3600);
	else
		st_flag(r, ST_OK, "%" G_GINT64_FORMAT " signatures %" G_GINT64_FORMAT " h old",
			mg_json_get_int(s, "signatures", 0), age / 3600);
}

static void check_daemon(struct st_result *r, const struct st_opts *o, JsonObject *s, gint64 now)
{
	gint64 pid = mg_json_get_int(s, "pid", 0);
	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM)) {
		st_flag(r, ST_CRITICAL, "mugaika-milter is not running (pid %" G_GINT64_FORMAT " is gone)", pid);
		return;
	}
	st_flag(r, ST_OK, "mugaika-milter running (pid %" G_GINT64_FORMAT ")", pid);
	gint64 updated = mg_json_get_int(s, "updated", 0);
	if (now - updated > STALE_AFTER)
		st_flag(r, ST_WARNING, "status not updated for %" G_GINT64_FORMAT " s (daemon hanging?)",
			now - updated);
	check_engine(r, s, now);
	JsonNode *e = json_object_get_member(s, "last_error");
	if (e && JSON_NODE_HOLDS_OBJECT(e)) {
		JsonObject *eo = json_node_get_object(e);
		gint64 when = mg_json_get_int(eo, "time", 0);
		if (now - when < (gint64)o->error_window * 60)
			st_flag(r, ST_WARNING, "error %" G_GINT64_FORMAT " min ago: %s", (now - when) / 60,
				mg_json_get_str0(eo, "text"));
	}
}

static JsonParser *read_status(struct st_result *r, const char *path)
{
	JsonParser *p = json_parser_new();
	GError *err = NULL;
	if (!json_parser_load_from_file(p, path, &err) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		if (err && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			st_flag(r, ST_CRITICAL, "mugaika-milter is not running (no status file %s)", path);
		else
			st_flag(r, ST_UNKNOWN, "status file %s: %s", path, err ? err->message : "not a JSON object");
		g_clear_error(&err);
		g_object_unref(p);
		return NULL;
	}
	return p;
}

static int print_result(struct st_result *r, const struct st_opts *o, JsonObject *s)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	if (o->json) {
		JsonObject *out = json_object_new();
		json_object_set_string_member(out, "status", names[r->level]);
		json_object_set_string_member(out, "problems", r->text->str);
		if (s)
			json_object_set_object_member(out, "daemon", json_object_ref(s));
		JsonNode *n = json_node_init_object(json_node_alloc(), out);
		char *text = json_to_string(n, TRUE);
		printf("%s\n", text);
		g_free(text);
		json_node_unref(n);
		json_object_unref(out);
	} else {
		g_ptr_array_add(r->facts, NULL);
		char *facts = g_strjoinv(", ", (char **)r->facts->pdata);
		printf("%s: %s%s%s\n", names[r->level], r->text->str, r->text->len && *facts ? "; " : "", facts);
		g_free(facts);
	}
	return r->level;
}

static int parse_status_options(int argc, char **argv, struct st_opts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "print JSON (with the daemon's status file)", NULL},
		{"warn-space", 0, 0, G_OPTION_ARG_INT, &o->warn_space, "warn below this % free (default 10)", "PCT"},
		{"crit-space", 0, 0, G_OPTION_ARG_INT, &o->crit_space, "critical below this % free (default 5)", "PCT"},
		{"error-window", 0, 0, G_OPTION_ARG_INT, &o->error_window,
		 "warn about errors logged in the last MIN minutes (default 60)", "MIN"},
		{NULL},
	};
	return mg_cli_options_only(
		argv[0],
		"Health of mugaika-milter for monitoring: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 "
		"UNKNOWN\n(daemon running, signatures loaded and fresh, space in spool and quarantine,\n"
		"recent errors).",
		entries, argc, argv);
}

int mg_cmd_status(int argc, char **argv)
{
	struct st_opts o = {.warn_space = 10, .crit_space = 5, .error_window = 60};
	int rc = parse_status_options(argc, argv, &o);
	if (rc)
		return rc;
	struct st_result r = {
		.level = ST_OK, .text = g_string_new(NULL), .facts = g_ptr_array_new_with_free_func(g_free)};
	struct mg_config *cfg = mg_cli_load_config(o.conf);
	char *path = cfg ? status_path(cfg) : NULL;
	JsonParser *p = NULL;
	JsonObject *s = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (!cfg)
		st_flag(&r, ST_UNKNOWN, "configuration not readable");
	else if (!path)
		st_flag(&r, ST_UNKNOWN, "no status_file and no pid_file in %s", cfg->path);
	else if ((p = read_status(&r, path)))
		check_daemon(&r, &o, s = json_node_get_object(json_parser_get_root(p)), now);
	if (cfg) {
		check_space(&r, &o, "spool_dir", cfg->spool_dir);
		check_space(&r, &o, "quarantine_dir", cfg->quarantine_dir);
	}
	rc = print_result(&r, &o, s);
	g_string_free(r.text, TRUE);
	g_ptr_array_unref(r.facts);
	if (p)
		g_object_unref(p);
	g_free(path);
	mg_config_unref(cfg);
	g_free(o.conf);
	return rc;
}
