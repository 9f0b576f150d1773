/*
 * mg_account - accountability of the process (issue 17; F33, F34, F35,
 * F45, F47): what a front end does with a configuration besides handing it
 * to the pipeline, and the admin audit log.
 *
 *  - mg_account_apply at every configuration load: log_timezone, the
 *    audit keys (the daemon makes the key file when it is missing and it
 *    is still root, and refuses to start without keys), the alert routes
 *    and their audit sink, the remote copy of the records.
 *  - the admin log: one chained record per administrative act
 *    (mg_admin_log), with who did it (SUDO_USER, login uid).
 *  - configuration changes: one admin record per load, reload, refused
 *    reload and check, with the operator, the SHA-256 of each
 *    configuration file and a unified diff against the copy kept from the
 *    previous load (config_history_dir) (changes.c).
 *  - the daemon's start (start records, hashes of the executable and its
 *    libraries) and stop (seal records).
 */
#ifndef MG_ACCOUNT_H
#define MG_ACCOUNT_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

#include "mg_config.h"

enum mg_account_flags {
	MG_ACCOUNT_DAEMON = 1, /* may make the key file; keys are mandatory when a log is set */
	MG_ACCOUNT_RELOAD = 2, /* keep the keys in use when the key file cannot be read */
};

/* FALSE with *err (daemon: refuse to start / keep the old configuration). */
gboolean mg_account_apply(const struct mg_config *cfg, unsigned flags, GError **err);
/* TRUE when the last mg_account_apply made the key file. */
gboolean mg_account_key_generated(void);
/* The key file this process reads: $CREDENTIALS_DIRECTORY/audit.key under
 * systemd's LoadCredential when it exists, else audit_key_file. */
char *mg_account_key_path(const struct mg_config *cfg);

/* Append {type:"admin", time, host, user, uid, command, <details>} to
 * admin_audit_log (nothing when it is "").  `details` may be NULL.  On
 * failure logs the error; returns FALSE when `required`. */
gboolean mg_admin_log(const struct mg_config *cfg, const char *command, JsonObject *details, gboolean required);
/* The same to the admin log at `path`, with user = `user` (NULL: who
 * runs this process), e.g. an act of the daemon itself (mg_alert_act). */
gboolean mg_admin_log_as(const char *path, const char *user, const char *command, JsonObject *details,
			 gboolean required);

/* Who did it. */
struct mg_operator {
	char *user;      /* SUDO_USER, or the login user, or the uid's name */
	gint64 uid;      /* real uid of the process that acted */
	gint64 loginuid; /* audit login uid (survives sudo and su), -1 unknown */
	gint64 pid;      /* the process that acted (e.g. the sender of SIGHUP), 0 this one */
};
void mg_operator_self(struct mg_operator *op);
void mg_operator_of_pid(struct mg_operator *op, pid_t pid, uid_t uid);
void mg_operator_clear(struct mg_operator *op);

/* One admin record for a configuration event ("config-load",
 * "config-reload", "config-refused", "check-config"): operator, result,
 * files with SHA-256 and (remember = TRUE, the daemon) a diff against the
 * previous copy, which is then replaced.  conf may be NULL for a refused
 * file: conf_path is hashed alone. */
gboolean mg_account_config_event(const struct mg_config *cfg, const struct mg_config *conf, const char *conf_path,
				 const char *event, const struct mg_operator *op, const char *result,
				 gboolean remember);

/* The daemon's start: a start record in each log and a daemon-start admin
 * record with the hashes of the executable and the libraries it mapped. */
void mg_account_daemon_start(const struct mg_config *cfg, const char *version);
/* The daemon's stop: seal each log, send what the remote copy holds,
 * stop the alert thread. */
void mg_account_daemon_stop(const struct mg_config *cfg);

/* The executable and its mapped libraries with their SHA-256 (changes.c). */
JsonArray *mg_account_binaries(void);
/* Hash them again (the daemon, every clock_check_interval): each one that
 * differs from the start raises the binary-changed alert and is recorded
 * in the admin log.  Returns how many changed. */
guint mg_account_binaries_check(const struct mg_config *cfg);

#endif
