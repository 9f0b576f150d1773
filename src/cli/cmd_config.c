/*
 * cmd_config.c - `mugaika check-config` and `mugaika config-dump`.
 * check-config checks the file, then (issue 14) what it needs of this
 * machine (mg_preflight_check): findings on stdout (notes) and stderr
 * (errors), exit 78 when there is any error.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "mg_account.h"
#include "mg_audit.h"
#include "mg_pipeline.h"

static int parse_c_option(int argc, char **argv, const char *summary, char **conf, gboolean *defaults)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, conf, "configuration file", "CONF"},
		{"defaults", 0, 0, G_OPTION_ARG_NONE, defaults, "document the built-in defaults", NULL},
		{NULL},
	};
	if (!defaults)
		entries[1].long_name = NULL;
	return mg_cli_options_only(argv[0], summary, entries, argc, argv);
}

/* The audit key the daemon will sign with (a warning only: the daemon
 * makes a missing file at its first start as root). */
static void check_audit_key(const struct mg_config *cfg)
{
	if (!*cfg->audit_log && !*cfg->admin_audit_log)
		return;
	char *path = mg_account_key_path(cfg);
	GError *err = NULL;
	struct mg_audit_keys *k = mg_audit_keys_load(path, &err);
	if (k)
		printf("%s: audit records are signed with key %s\n", path, mg_audit_keys_current_id(k));
	else
		printf("warning: %s (the daemon makes a missing key file at its first start as root; or run `mugaika "
		       "audit key generate`)\n",
		       err->message);
	g_clear_error(&err);
	mg_audit_keys_unref(k);
	g_free(path);
}

/* issue 17: a valid check is on record (F47) */
static void valid(const struct mg_config *cfg)
{
	struct mg_operator op;
	printf("%s: configuration is valid\n", cfg->path);
	check_audit_key(cfg);
	mg_operator_self(&op);
	mg_account_config_event(cfg, cfg, cfg->path, "check-config", &op, "valid", FALSE);
	mg_operator_clear(&op);
}

static void print_finding(gboolean error, const char *text, gpointer data)
{
	(void)data;
	fprintf(error ? stderr : stdout, "mugaika: %s: %s\n", error ? "error" : "note", text);
}

struct check_opts {
	char *conf, *user;
	gboolean syntax_only, no_database;
};

static int parse_check_options(int argc, char **argv, struct check_opts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"user", 'u', 0, G_OPTION_ARG_STRING, &o->user,
		 "check for the daemon running as USER (default: `user`)", "USER"},
		{"syntax-only", 0, 0, G_OPTION_ARG_NONE, &o->syntax_only, "only the file itself, not this machine",
		 NULL},
		{"no-database", 0, 0, G_OPTION_ARG_NONE, &o->no_database, "do not load the signatures", NULL},
		{NULL},
	};
	return mg_cli_options_only(
		argv[0],
		"Validate a configuration file (default " SYSCONFDIR "/mugaika/mugaika.conf) and what it\n"
		"needs of this machine: the daemon's user, its directories and their permissions,\n"
		"the socket's directory, the files it reads, and that the signatures load.\n"
		"Exit 0 when valid, 78 with file:line: key: problem (or the path and the reason) when not.",
		entries, argc, argv);
}

/* What the daemon needs of the file besides its syntax (issue 16:
 * internal_domain); an error, but the machine is still checked. */
static guint check_ready(const struct mg_config *cfg)
{
	GError *err = NULL;
	if (mg_pipeline_config_ready(cfg, &err))
		return 0;
	fprintf(stderr, "mugaika check-config: %s\n", err->message);
	g_error_free(err);
	return 1;
}

int mg_cmd_check_config(int argc, char **argv)
{
	struct check_opts o = {0};
	int rc = parse_check_options(argc, argv, &o);
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(o.conf);
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc) {
		guint errors = check_ready(cfg);
		if (!o.syntax_only) { /* issue 14: the world, not only the file */
			struct mg_preflight pf = {.user = o.user, .load_database = !o.no_database};
			errors += mg_preflight_check(cfg, &pf, print_finding, NULL);
		}
		if (errors) {
			fprintf(stderr, "%s: %u problem%s\n", cfg->path, errors, errors == 1 ? "" : "s");
			rc = MG_EX_CONFIG;
		}
	}
	if (!rc)
		valid(cfg);
	mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.user);
	return rc;
}

int mg_cmd_config_dump(int argc, char **argv)
{
	char *conf = NULL;
	gboolean defaults = FALSE;
	int rc = parse_c_option(argc, argv,
				"Print every configuration key with its meaning, range and value\n"
				"(--defaults: the built-in defaults, commented out).",
				&conf, &defaults);
	if (rc)
		return rc;
	struct mg_config *cfg = defaults ? NULL : mg_cli_load_config(conf);
	if (!defaults && !cfg) {
		g_free(conf);
		return MG_EX_CONFIG;
	}
	mg_config_dump(stdout, cfg, defaults);
	mg_config_unref(cfg);
	g_free(conf);
	return MG_EX_OK;
}
