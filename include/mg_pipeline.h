/*
 * mg_pipeline - the one sanitizing pipeline, shaped like the milter stages.
 *
 * Call order per connection: mg_conn_new, [mg_conn_helo], then for each
 * message: mg_txn_new, mg_txn_mail_from, mg_txn_rcpt..., mg_txn_header...,
 * mg_txn_eoh, mg_txn_body..., mg_txn_eom, read the result, mg_txn_free.
 * A message may be abandoned at any point with mg_txn_free (abort).  A
 * front end that applies the result itself and may fail to (the milter)
 * calls mg_txn_eom_prepare instead of mg_txn_eom, applies the result, then
 * mg_txn_commit with whether that worked, and answers the MTA with the
 * verdict mg_txn_commit returns: the audit record and the kept original
 * then say what the MTA was told (issue 11).
 *
 * Every stage returns the verdict so far: MG_VERDICT_CONTINUE, or a final
 * REJECT/TEMPFAIL after which later stages are no-ops returning the same
 * verdict.  mg_txn_eom returns ACCEPT (with header operations and a new
 * body in the result), REJECT or TEMPFAIL.  Any internal failure becomes
 * the configured on_error verdict (tempfail by default): the pipeline never
 * hands back content it did not process.
 *
 * Ownership: the transaction holds a reference on the config it started
 * with; the connection must outlive its transactions.  Nothing here knows
 * about libmilter.
 */
#ifndef MG_PIPELINE_H
#define MG_PIPELINE_H

#include <glib.h>
#include <gmime/gmime.h>

#include "mg_config.h"
#include "mg_report.h"

struct mg_conn;
struct mg_txn;

/* Process-wide setup of the libraries the core uses (GMime, ...) and of
 * the stages' parts in the configuration (mg_pipeline_register_stages):
 * call it before the first configuration is loaded. */
void mg_pipeline_global_init(void);
void mg_pipeline_register_stages(void);
void mg_pipeline_global_shutdown(void);
/* What a daemon needs beyond a valid file (issue 16: internal_domain set,
 * so the open-relay guard knows the organisation); FALSE with a
 * "file: key: problem; allowed" error.  mugaika-milter checks it at start
 * and reload, `mugaika check-config` too. */
gboolean mg_pipeline_config_ready(const struct mg_config *cfg, GError **err);

/* issue 14: what cfg needs of this machine (pipeline/preflight.c): the
 * daemon's user, its directories, the socket's directory, the files it
 * reads on reload, and (load_database) whether the signatures load.  Each
 * finding goes to say(): error = the daemon would fail or be unsafe;
 * otherwise a note.  Returns the number of errors. */
struct mg_preflight {
	const char *user;           /* the daemon's user; NULL/"" = cfg->user, else the current one */
	const char *socket;         /* NULL = cfg->socket */
	const char *pid_file;       /* NULL = cfg->pid_file */
	const char *socket_creator; /* who creates the socket; NULL = the daemon's user, if not started as root */
	gboolean load_database;     /* load the signatures into a throwaway engine */
};
typedef void (*mg_preflight_say)(gboolean error, const char *text, gpointer data);
guint mg_preflight_check(const struct mg_config *cfg, const struct mg_preflight *opts, mg_preflight_say say,
			 gpointer data);

struct mg_conn *mg_conn_new(const char *client_addr, const char *client_name);
void mg_conn_helo(struct mg_conn *c, const char *helo);
void mg_conn_free(struct mg_conn *c);

struct mg_txn *mg_txn_new(struct mg_conn *c, struct mg_config *cfg);
void mg_txn_set_queue_id(struct mg_txn *t, const char *qid);
/* issue 14: FALSE = a dry run: no original kept in quarantine_dir, no
 * audit record (the verdict and the message are the same otherwise, but
 * without X-Mugaika-Quarantine-Id).  Default TRUE. */
void mg_txn_set_store(struct mg_txn *t, gboolean store);
const char *mg_txn_queue_id(const struct mg_txn *t);
/* SMTP AUTH identity of the client for this message ("" or NULL: none);
 * call before mg_txn_mail_from.  The relay guard of gateway mode needs it. */
void mg_txn_set_auth(struct mg_txn *t, const char *authen);
const struct mg_verdict *mg_txn_mail_from(struct mg_txn *t, const char *addr, char *const *esmtp_args);
const struct mg_verdict *mg_txn_rcpt(struct mg_txn *t, const char *addr, char *const *esmtp_args);
const struct mg_verdict *mg_txn_header(struct mg_txn *t, const char *name, const char *value);
const struct mg_verdict *mg_txn_eoh(struct mg_txn *t);
const struct mg_verdict *mg_txn_body(struct mg_txn *t, const void *data, gsize len);
const struct mg_verdict *mg_txn_eom(struct mg_txn *t);
/* mg_txn_eom in two halves.  prepare: the end-of-message steps and the
 * verdict, the original kept, nothing on record yet.  commit: applied =
 * FALSE when the front end could not apply an ACCEPT (the verdict becomes a
 * TEMPFAIL); then the store records what the MTA is told - and may still
 * turn the verdict into a TEMPFAIL (audit log not writable).  mg_txn_eom =
 * prepare + commit(TRUE). */
const struct mg_verdict *mg_txn_eom_prepare(struct mg_txn *t);
const struct mg_verdict *mg_txn_commit(struct mg_txn *t, gboolean applied);
void mg_txn_free(struct mg_txn *t);

/* After an ACCEPT from mg_txn_eom: */
const GPtrArray *mg_txn_header_ops(const struct mg_txn *t); /* struct mg_hdr_op* */
/* The new body (LF line ends; caller unrefs), or NULL when the body is
 * delivered unchanged (the scan profile, issue 16): leave it as it is. */
GMimeStream *mg_txn_new_body(struct mg_txn *t);
/* The body as received (LF line ends; caller unrefs): what `mugaika
 * sanitize` prints when mg_txn_new_body is NULL. */
GMimeStream *mg_txn_original_body(struct mg_txn *t);
/* TRUE when the new body is byte for byte the body as received (LF line
 * ends on both sides): the MTA already has it, replacing it would change
 * nothing (issue 15).  FALSE when in doubt (a read failed) or when there
 * is no new body (mg_txn_new_body NULL). */
gboolean mg_txn_body_unchanged(struct mg_txn *t);
const struct mg_report *mg_txn_report(const struct mg_txn *t);
/* After an ACCEPT: TRUE when the message is held for approval (issue 16):
 * mugaika kept it (quarantine class hold), the MTA must discard it, and
 * `mugaika hold approve` sends it later.  No header or body change applies. */
gboolean mg_txn_held(const struct mg_txn *t);

#endif
