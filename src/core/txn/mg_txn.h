/*
 * mg_txn - the message context shared by the core modules (never by the
 * front ends, which use mg_pipeline.h).  One struct mg_txn per message; it
 * owns everything it points to except cfg (a reference) and conn.
 */
#ifndef MG_TXN_H
#define MG_TXN_H

#include <glib.h>
#include <gmime/gmime.h>

#include "mg_config.h"
#include "mg_pipeline.h"
#include "mg_report.h"
#include "mg_spool.h"

struct mg_conn {
	char *client_addr; /* "192.0.2.1", "::1", or "" when unknown */
	char *client_name;
	char *helo;
	guint n_msgs;
};

/* Direction of a message across the boundary (set by the policy module
 * once the envelope is known; inbound until then, the strictest case). */
enum mg_direction {
	MG_DIR_INBOUND = 0, /* Internet -> LGWAN/internal */
	MG_DIR_OUTBOUND,    /* internal -> Internet */
	MG_DIR_INTERNAL,    /* internal -> internal */
	MG_DIR_TRANSIT      /* external -> external (relay attempt) */
};

struct mg_header {
	char *name;
	char *value; /* as the MTA passed it: no leading space, LF line ends */
};

struct mg_txn {
	struct mg_config *cfg;
	struct mg_conn *conn;
	char *queue_id;
	char *mail_from;
	char **mail_args;
	GPtrArray *rcpts;   /* char* */
	GPtrArray *headers; /* struct mg_header* */
	gsize header_bytes;
	struct mg_spool *raw; /* headers + body as received (LF line ends) */
	gboolean body_cr;     /* the last chunk ended in CR */
	gboolean in_body;
	gsize body_offset; /* where the body starts in raw */
	gint64 started_us, deadline_us;
	struct mg_report *report;
	GPtrArray *hdr_ops;    /* struct mg_hdr_op* */
	GMimeStream *out_body; /* the rebuilt body (memory or private file) */
	GMimeMessage *msg;     /* parsed original */
	GMimeObject *new_top;  /* rebuilt top-level entity */
	char *boundary_seed;   /* hex digest of the input: deterministic output */
	guint boundary_n;
	gint64 decoded_total;
	GPtrArray *notes;  /* char*: lines for the recipient notice */
	gboolean finished; /* mg_store_finish has run */
	enum mg_direction direction;
	char *quarantine_id;       /* set when the original was kept (issue 7) */
	gboolean force_quarantine; /* a rule asks that the original be kept */

	/* --- issue 3: body and notice --- */
	GMimeObject *body_main;  /* first body text of the message itself (a ref), or NULL */
	GPtrArray *body_reps;    /* struct mg_part_report* of body text leaves (borrowed) */
	gboolean body_from_html; /* a body text was converted from HTML */
	int in_attached;         /* > 0 while rebuilding inside an attached message */

	/* --- issue 4: attachments / CDR --- */
	gint64 archive_unpacked; /* 4c: bytes unpacked from archives so far (archive_max_total_size) */

	/* --- issue 5: virus scanning --- */
	struct mg_scan_engine *scan_engine; /* taken at the first scan, kept to the end */
	gboolean scan_started;              /* the first scan call has run */
	char *scan_raw_virus;               /* the raw message matched (on_infected = remove) */
	guint scan_removed_infected;        /* parts removed because infected */

	/* --- issue 6: boundary policy --- */
	struct mg_verdict rcpt_verdict; /* refusal of the current RCPT only */
	gboolean origin_internal;       /* client in internal_network */
	gboolean direction_final;       /* all recipients known */
	guint n_rcpt_internal, n_rcpt_external, n_rcpt_refused;
	gint64 size_limit; /* message size limit of the direction */
	guint n_attachments;
	char *auth_user; /* SMTP AUTH identity, "" when none */

	/* --- issue 7: quarantine and audit --- */
	int q_class;        /* enum mg_qclass of the kept original */
	char q_sha256[65];  /* of the kept original */
	gint64 q_size;      /* of the kept original */
	gint64 q_stored_us; /* wall clock when it was kept */
};

/* Stop with a verdict (the first final verdict wins). */
void mg_txn_fail(struct mg_txn *t, enum mg_verdict_kind kind, const char *code, const char *ecode, const char *rule,
		 const char *fmt, ...) G_GNUC_PRINTF(6, 7);
/* Internal failure: the configured on_error verdict, reason logged. */
void mg_txn_internal_error(struct mg_txn *t, const char *what, const GError *err);
gboolean mg_txn_decided(const struct mg_txn *t);
/* Refuse only the recipient being added (inside mg_policy_rcpt): the
 * message goes on with the others; mg_txn_rcpt hands this verdict back. */
void mg_txn_refuse_rcpt(struct mg_txn *t, enum mg_verdict_kind kind, const char *code, const char *ecode,
			const char *rule, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
gboolean mg_txn_past_deadline(const struct mg_txn *t);
/* Next deterministic multipart boundary for this message. */
char *mg_txn_boundary(struct mg_txn *t);

#endif
