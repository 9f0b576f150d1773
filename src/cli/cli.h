/*
 * cli.h - the `mugaika` admin command: one function per subcommand.
 * Exit codes follow sysexits(3): 0 ok/accepted, 64 usage, 75 temporary
 * failure, 77 rejected, 78 configuration error, 1 other errors.
 */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <glib.h>

#include "mg_config.h"

#define MG_EX_OK       0
#define MG_EX_USAGE    64
#define MG_EX_TEMPFAIL 75
#define MG_EX_REJECT   77
#define MG_EX_CONFIG   78

int mg_cmd_sanitize(int argc, char **argv);
int mg_cmd_check_config(int argc, char **argv);
int mg_cmd_config_dump(int argc, char **argv);
/* issue 7 */
int mg_cmd_quarantine(int argc, char **argv);
int mg_cmd_audit(int argc, char **argv);
int mg_cmd_report(int argc, char **argv);
int mg_cmd_permits(int argc, char **argv);    /* issue 6 */
int mg_cmd_rebuild(int argc, char **argv);    /* cmd_rebuild.c (issue 4a) */
int mg_cmd_status(int argc, char **argv);     /* cmd_status.c (issue 14) */
int mg_cmd_permits(int argc, char **argv);    /* issue 6 */
int mg_cmd_rebuild(int argc, char **argv);    /* cmd_rebuild.c (issue 4a) */
int mg_cmd_selftest(int argc, char **argv);   /* cmd_selftest.c (issue 17) */
int mg_cmd_compliance(int argc, char **argv); /* cmd_compliance.c (issue 17) */
/* issue 16 (items 5-9) */
int mg_cmd_stop(int argc, char **argv);       /* cmd_stop.c */
int mg_cmd_start(int argc, char **argv);      /* cmd_stop.c */
int mg_cmd_hold(int argc, char **argv);       /* cmd_hold.c */
int mg_cmd_exceptions(int argc, char **argv); /* cmd_exceptions.c */
/* The registry review (also `mugaika permits` without FILE); file and
 * audit_log NULL: the configuration's. */
int mg_cli_exceptions_review(const char *conf, const char *file, const char *audit_log, int warn_days, gboolean json);

/* Parse one command's options with GOption (summary, --help); on a parse
 * error print "mugaika CMD: problem" and return FALSE. */
gboolean mg_cli_options(const char *cmd, const char *params, const char *summary, const GOptionEntry *entries,
			int *argc, char ***argv);

/* mg_cli_options for a command that takes options only: MG_EX_OK, or
 * MG_EX_USAGE after the parse error or "unexpected argument". */
int mg_cli_options_only(const char *cmd, const char *summary, const GOptionEntry *entries, int argc, char **argv);

/* Load -c CONF (or the default path when it exists, else built-in
 * defaults); prints the error and returns NULL on failure. */
struct mg_config *mg_cli_load_config(const char *path);
const char *mg_cli_default_config(void);

#endif
