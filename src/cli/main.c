/*
 * main.c - `mugaika` subcommand dispatch and shared helpers.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mg_account.h"
#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_log.h"
#include "mg_pipeline.h"

struct mg_subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct mg_subcmd subcmds[] = {
	{"sanitize", mg_cmd_sanitize, "run the sanitizing pipeline on a message file"},
	{"check-config", mg_cmd_check_config, "validate a configuration file"},
	{"config-dump", mg_cmd_config_dump, "print every configuration key, documented"},
	{"quarantine", mg_cmd_quarantine, "list, show, export, release, hold or purge kept originals"},
	{"audit", mg_cmd_audit, "verify the keyed chain of audit logs; make, rotate keys; seal"},
	{"report", mg_cmd_report, "counts from the audit log for a period (text or JSON)"},
	{"permits", mg_cmd_permits, "review a permit file (expiry status); no FILE: the exception registry"},
	{"exceptions", mg_cmd_exceptions, "review the exception and permit registry (status, uses, approvers)"},
	{"stop", mg_cmd_stop, "stop switch: stop in|out|all|sender|client mail (4xx), or show the status"},
	{"start", mg_cmd_start, "lift a stop of the stop switch"},
	{"hold", mg_cmd_hold, "list, show, approve, reject held outbound mail; release-due"},
	{"rebuild", mg_cmd_rebuild, "sanitize one file as an attachment would be"},
	{"status", mg_cmd_status, "health of the daemon for monitoring (exit 0/1/2/3)"},
	{"selftest", mg_cmd_selftest, "send the self-test cases through the running daemon (issue 17)"},
	{"compliance", mg_cmd_compliance, "check the configuration against the compliance checklist"},
};

const char *mg_cli_default_config(void)
{
	return SYSCONFDIR "/mugaika/mugaika.conf";
}

struct mg_config *mg_cli_load_config(const char *path)
{
	GError *err = NULL;
	if (!path && access(mg_cli_default_config(), F_OK) == 0)
		path = mg_cli_default_config();
	struct mg_config *cfg = mg_config_load(path, &err);
	if (!cfg) {
		fprintf(stderr, "mugaika: %s\n", err->message);
		g_error_free(err);
	} else
		(void)mg_account_apply(cfg, 0, NULL); /* log_timezone, keys if readable, alerts, remote copy */
	return cfg;
}

/* Text options (--reason 宛先確認済み) are converted to UTF-8 by GOption
 * from the charset of the user's locale, so the locale is the user's
 * while the options are parsed: setlocale(LC_ALL, ""), and when that is
 * C/POSIX (ASCII: every non-ASCII argument would be refused), C.UTF-8 for
 * LC_CTYPE, as Python does (PEP 538).  Everything else runs in the C
 * locale, like mugaika-milter, which never sets one: printf's decimal
 * point, g_utf8_strdown (Turkish i), strerror's language and GMime's
 * locale charset (read at g_mime_init, before this) would otherwise make
 * `mugaika sanitize` differ from the daemon. */
static void user_locale(gboolean on)
{
	if (!on) {
		setlocale(LC_ALL, "C");
		return;
	}
	if (setlocale(LC_ALL, "") && !g_str_equal(nl_langinfo(CODESET), "ANSI_X3.4-1968"))
		return;
	setlocale(LC_ALL, "C");
	setlocale(LC_CTYPE, "C.UTF-8");
}

gboolean mg_cli_options(const char *cmd, const char *params, const char *summary, const GOptionEntry *entries,
			int *argc, char ***argv)
{
	GOptionContext *ctx = g_option_context_new(params);
	if (summary)
		g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	user_locale(TRUE);
	gboolean ok = g_option_context_parse(ctx, argc, argv, &err);
	user_locale(FALSE);
	g_option_context_free(ctx);
	if (!ok) {
		fprintf(stderr, "mugaika %s: %s\n", cmd, err->message);
		g_error_free(err);
	}
	return ok;
}

int mg_cli_options_only(const char *cmd, const char *summary, const GOptionEntry *entries, int argc, char **argv)
{
	if (!mg_cli_options(cmd, NULL, summary, entries, &argc, &argv))
		return MG_EX_USAGE;
	if (argc > 1) {
		fprintf(stderr, "mugaika %s: unexpected argument\n", cmd);
		return MG_EX_USAGE;
	}
	return MG_EX_OK;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mugaika COMMAND [OPTIONS]\n\nCommands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(subcmds); i++)
		fprintf(out, "  %-14s %s\n", subcmds[i].name, subcmds[i].help);
	fprintf(out, "\nRun `mugaika COMMAND --help` for the options of one command.\n"
		     "Exit status: 0 ok/accepted, 64 usage, 75 temporary failure, 77 rejected,\n"
		     "78 configuration error, 1 other error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? MG_EX_USAGE : MG_EX_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mugaika %s\n", PACKAGE_VERSION);
		return MG_EX_OK;
	}
	mg_log_init("mugaika", TRUE);
	for (gsize i = 0; i < G_N_ELEMENTS(subcmds); i++)
		if (strcmp(argv[1], subcmds[i].name) == 0) {
			mg_pipeline_global_init();
			int rc = subcmds[i].fn(argc - 1, argv + 1);
			mg_alert_flush(30 * G_USEC_PER_SEC); /* alert mails and hooks of this command */
			mg_alert_shutdown();
			mg_audit_forward_stop(); /* records still queued for the collector */
			mg_audit_use_keys(NULL);
			mg_audit_close_all();
			mg_pipeline_global_shutdown();
			return rc;
		}
	fprintf(stderr, "mugaika: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return MG_EX_USAGE;
}
