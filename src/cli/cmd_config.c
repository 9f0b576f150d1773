/*
 * cmd_config.c - `mugaika check-config` and `mugaika config-dump`.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "mg_account.h"
#include "mg_audit.h"
#include "mg_pipeline.h"
#include "mg_scan.h"

static int parse_c_option(int argc, char **argv, const char *summary, char **conf, gboolean *defaults)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, conf, "configuration file", "CONF"},
		{"defaults", 0, 0, G_OPTION_ARG_NONE, defaults, "document the built-in defaults", NULL},
		{NULL},
	};
	if (!defaults)
		entries[1].long_name = NULL;
	if (!mg_cli_options(argv[0], NULL, summary, entries, &argc, &argv))
		return MG_EX_USAGE;
	if (argc > 1) {
		fprintf(stderr, "mugaika %s: unexpected argument\n", argv[0]);
		return MG_EX_USAGE;
	}
	return MG_EX_OK;
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

/* Issue 11: libclamav's temporary directory usable by the daemon's user
 * (the scan stage's check; an unusable one makes every scan "clean"). */
static gboolean scan_tmpdir_usable(const struct mg_config *cfg)
{
	GError *err = NULL;
	if (mg_scan_check_tmpdir(cfg, cfg->user, &err))
		return TRUE;
	fprintf(stderr, "mugaika: %s: %s\n", cfg->path, err->message);
	g_error_free(err);
	return FALSE;
}

int mg_cmd_check_config(int argc, char **argv)
{
	char *conf = NULL;
	int rc = parse_c_option(argc, argv,
				"Validate a configuration file (default " SYSCONFDIR "/mugaika/mugaika.conf).\n"
				"Exit 0 when valid, 78 with file:line: key: problem when not.",
				&conf, NULL);
	if (rc)
		return rc;
	struct mg_config *cfg = mg_cli_load_config(conf);
	GError *err = NULL;
	if (cfg && !mg_pipeline_config_ready(cfg, &err)) { /* issue 16: what the daemon needs */
		fprintf(stderr, "mugaika check-config: %s\n", err->message);
		g_error_free(err);
		mg_config_unref(cfg);
		cfg = NULL;
	}
	if (!cfg || !scan_tmpdir_usable(cfg)) {
		mg_config_unref(cfg);
		g_free(conf);
		return MG_EX_CONFIG;
	}
	printf("%s: configuration is valid\n", cfg->path);
	check_audit_key(cfg);
	struct mg_operator op; /* issue 17: checks are on record (F47) */
	mg_operator_self(&op);
	mg_account_config_event(cfg, cfg, cfg->path, "check-config", &op, "valid", FALSE);
	mg_operator_clear(&op);
	mg_config_unref(cfg);
	g_free(conf);
	return MG_EX_OK;
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
