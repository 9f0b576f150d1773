/*
 * mg_txn - the transaction record: one struct mg_txn per message, shared
 * by the stages (never by the front ends, which use mg_pipeline.h).  It
 * sits below every stage (docs/ARCHITECTURE.md): stages record their
 * verdict, report and events here; nothing in txn/ calls a stage.
 *
 * Ownership: the record owns everything it points to except cfg (a
 * reference) and conn.  A stage that keeps per-message state in it
 * registers a cleanup with mg_txn_on_free; mg_txn_record_free runs the
 * cleanups (last registered first), then frees the record.
 */
#ifndef MG_TXN_H
#define MG_TXN_H

#include <glib.h>
#include <gmime/gmime.h>

#include "mg_config.h"
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

/* What is done to the content (issue 16): chosen per direction by the
 * policy stage once the recipients are known (inbound_profile,
 * outbound_profile, internal_profile); sanitize until then. */
enum mg_profile {
	MG_PROFILE_SANITIZE = 0, /* 無害化: a new MIME tree, the notice, the original kept */
	MG_PROFILE_SCAN          /* scanned and checked, the content delivered unchanged */
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
	GPtrArray *notes;        /* char*: lines for the recipient notice */
	gboolean finished;       /* mg_store_commit has run: the message is on record */
	gboolean store_prepared; /* mg_store_prepare has run (end of message reached) */
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
	gboolean output_same;               /* the body delivered is the body received (mg_txn_body_unchanged) */
	gboolean output_same_known;
	GHashTable *scan_clean;        /* SHA-256 hex of small objects scanned clean (scan.c) */
	gint64 prescan_containers;     /* container Content-Types in the raw text (mg_mime_prescan) */
	gboolean mime_agreed;          /* GMime's reading leaves libclamav's parser nothing (mg_mime_agree) */
	const char *mime_disagreement; /* else why libclamav parses the raw MIME too (a static string) */
	guint scan_removed_infected;   /* parts removed because infected */

	/* --- issue 6: boundary policy --- */
	struct mg_verdict rcpt_verdict; /* refusal of the current RCPT only */
	gboolean origin_internal;       /* client in internal_network */
	gboolean direction_final;       /* all recipients known */
	guint n_rcpt_internal, n_rcpt_external, n_rcpt_refused;
	gint64 size_limit; /* message size limit of the direction */
	guint n_attachments;
	char *auth_user; /* SMTP AUTH identity, "" when none */

	GPtrArray *cleanups; /* mg_txn_cleanup_fn: stages' per-message state */

	/* --- issue 16 (policyA): profiles, outbound encryption --- */
	enum mg_profile profile;
	struct mg_encryption_state *encryption; /* the policy stage's findings (its own cleanup) */
	/* --- issue 16 (items 5-9): outbound controls --- */
	struct mg_guard_txn *guard; /* policy's per-message state (its own cleanup) */
	GPtrArray *hold_reasons;    /* char*: why policy holds the message, or NULL */
	char *hold_id;              /* quarantine id once the store kept the held message */

	/* --- issue 7: quarantine and audit --- */
	int q_class;         /* enum mg_qclass of the kept original */
	char q_sha256[65];   /* of the kept original */
	gint64 q_size;       /* of the kept original */
	gint64 q_stored_us;  /* wall clock when it was kept */
	gboolean no_store;   /* issue 14: nothing kept, nothing recorded (`mugaika sanitize` without --store) */
	gboolean hold_trial; /* no_store and the message would have been held (nothing kept) */

	/* --- issue 11: faults --- */
	gint64 mem_used; /* bytes of message-sized buffers charged (txn_mem.c) */
};

typedef void (*mg_txn_cleanup_fn)(struct mg_txn *t);

/* The record alone (mg_txn_new/mg_txn_free of mg_pipeline.h wrap these). */
struct mg_txn *mg_txn_record_new(struct mg_conn *c, struct mg_config *cfg);
void mg_txn_record_free(struct mg_txn *t);
/* Run fn(t) when the record is freed (once, however often registered). */
void mg_txn_on_free(struct mg_txn *t, mg_txn_cleanup_fn fn);

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

/* Memory (issue 11, txn_mem.c).  Charge n bytes of a buffer the message
 * needs (a decoded part, a rebuilt file) before allocating it: over
 * max_message_memory the message is refused 552 5.3.4 (it needs that much
 * whenever it comes); over max_memory for all messages in flight together
 * it gets 451 4.3.1 alone (resources change).  FALSE when refused.  The
 * charges are returned when the record is freed. */
gboolean mg_txn_mem_take(struct mg_txn *t, gsize n, const char *what);
/* All messages' charges, in bytes. */
gint64 mg_txn_mem_in_use(void);
/* g_try_malloc for a message-sized buffer: NULL (after a tempfail of this
 * message alone, on_error) when the system has no memory for it. */
gpointer mg_txn_try_alloc(struct mg_txn *t, gsize n, const char *what);
/* Give the record's charges back (mg_txn_record_free). */
void mg_txn_mem_return(struct mg_txn *t);
/* Next deterministic multipart boundary for this message. */
char *mg_txn_boundary(struct mg_txn *t);
/* The rebuilt body as written by the mime stage (a new reference to a
 * stream over it, LF line ends), or NULL before it is written. */
GMimeStream *mg_txn_output(struct mg_txn *t);
/* Add a header operation for the front end (order: see mg_report.h). */
void mg_txn_header_op(struct mg_txn *t, enum mg_hdr_op_kind kind, const char *name, int index, const char *value);
/* Report a message-level event once ("signature-removed"). */
void mg_txn_event_once(struct mg_txn *t, const char *event);
/* Is p the report of a body text leaf that was delivered as text? */
gboolean mg_txn_is_body_rep(const struct mg_txn *t, const struct mg_part_report *p);

/* One MIME leaf on its way through the stages: decoded and recorded by
 * the mime stage, handed by the step sequence to the stage that decides
 * it (body text, attachment CDR, scan, policy). */
struct mg_leaf {
	struct mg_txn *t;
	GMimePart *orig;
	const char *path;
	int depth;
	GByteArray *data;     /* decoded content */
	char *mime_type;      /* declared, lower case */
	char *filename;       /* decoded UTF-8, or NULL */
	gboolean inline_text; /* a text part that is part of the body, not an attachment */
	struct mg_part_report *rep;
};

#endif
