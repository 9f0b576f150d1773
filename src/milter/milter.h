/*
 * milter.h - glue between libmilter and the core pipeline.
 *
 * The callbacks (callbacks.c) stay short: they translate libmilter's
 * arguments, call the matching mg_txn_* stage and turn its verdict into an
 * SMFIS_* code.  Every smfi_* call goes through struct mg_mta (mta.c) so
 * that tests can fake the MTA.  Contexts: one struct mg_mctx per SMTP
 * connection holds the connection and at most one message; mctx_reset_msg
 * is the one path that ends a message (after eom, abort, or close).
 */
#ifndef MG_MILTER_H
#define MG_MILTER_H

#include <libmilter/mfapi.h>
#include <sys/types.h>

#include "mg_config.h"
#include "mg_pipeline.h"

struct mg_mta {
	char *(*getsymval)(SMFICTX *ctx, char *name);
	int (*setreply)(SMFICTX *ctx, char *code, char *ecode, char *text);
	int (*chgheader)(SMFICTX *ctx, char *name, int idx, char *value);
	int (*addheader)(SMFICTX *ctx, char *name, char *value);
	int (*insheader)(SMFICTX *ctx, int idx, char *name, char *value);
	int (*replacebody)(SMFICTX *ctx, unsigned char *data, int len);
	int (*setpriv)(SMFICTX *ctx, void *priv);
	void *(*getpriv)(SMFICTX *ctx);
};

extern const struct mg_mta *mg_mta;
extern struct smfiDesc mg_milter_desc;

/* The configuration in force: a new reference for each message. */
struct mg_config *mg_milter_config(void);
/* Swap in a new configuration (reload); the old one lives on in messages
 * that hold it. */
void mg_milter_config_set(struct mg_config *cfg);
/* Sessions in progress (for a graceful stop). */
int mg_milter_sessions(void);
/* Messages in flight (MAIL FROM to their end), and those of them in
 * end-of-message processing (issue 11: a stop waits for messages). */
int mg_milter_messages(void);
int mg_milter_messages_in_eom(void);
/* From now on, new connections and new messages get a temporary failure. */
void mg_milter_drain(void);
/* TCP_NODELAY on libmilter's listening socket (inet sockets), so that the
 * replies of one message never wait for the MTA's delayed ACK. */
void mg_milter_listen_nodelay(void);
/* SIGTERM (drain.c): refuse new work, let the messages in flight finish
 * (end-of-message always, reception up to shutdown_timeout), stop libmilter
 * and wake its listener on listen_spec so that smfi_main returns now. */
void mg_milter_drain_and_stop(const char *listen_spec);
/* TRUE once mg_milter_drain_and_stop has asked libmilter to stop. */
gboolean mg_milter_stop_requested(void);

/* service.c (issue 14): the daemon as a system service; see its contract. */
gboolean mg_service_socket_prepare(const char *conn, GError **err);
gboolean mg_service_socket_own(const struct mg_config *cfg, const char *conn, GError **err);
/* user: the one mg_service_become will switch to (the file goes to it). */
gboolean mg_service_pid_write(const char *path, const char *user, GError **err);
gboolean mg_service_become(const char *user, GError **err);
void mg_service_cleanup(void);
void mg_service_notify(const char *state);
gboolean mg_service_stderr_is_journal(void);

/* status.c (issue 14): the status file for `mugaika status` and the
 * optional metrics endpoint; start after the switch to the daemon's user. */
gboolean mg_status_start(const struct mg_config *cfg, const char *pid_file, GError **err);
void mg_status_touch(void);
void mg_status_stop(void);
/* Accountability at start, reload and stop (account.c, issue 17). */
gboolean mg_milter_account_init(const struct mg_config *cfg, GError **err);
void mg_milter_account_started(struct mg_config *cfg, const char *conf_path);
void mg_milter_account_reloaded(struct mg_config *cfg, const char *conf_path, pid_t sender, uid_t sender_uid);
void mg_milter_account_refused(const char *conf_path, const char *why, pid_t sender, uid_t sender_uid);
void mg_milter_account_stop(void);

#endif
