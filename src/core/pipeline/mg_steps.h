/*
 * mg_steps - the step sequence's own glue between the stages (internal to
 * src/core/pipeline; the front ends use mg_pipeline.h).
 *
 * The step sequence is the only caller of the stages' entry points: it
 * hands each MIME leaf to the stage that decides it (mg_pipeline_leaf),
 * turns an attachment into a call of the CDR stage and its result into a
 * new MIME part (mg_pipeline_attachment), and gives the CDR stage a
 * scanner bound to the message (mg_pipeline_cdr_ctx_init).
 */
#ifndef MG_STEPS_H
#define MG_STEPS_H

#include <gmime/gmime.h>

#include "mg_cdr.h"
#include "mg_exception.h"
#include "mg_txn.h"

/* Decide one leaf: policy limits, body-only, scan, body text or CDR.
 * The object to deliver, or NULL when removed or decided. */
GMimeObject *mg_pipeline_leaf(struct mg_leaf *leaf, void *unused);

/* An attachment leaf through mg_cdr_file; the new part, or NULL. */
GMimeObject *mg_pipeline_attachment(struct mg_leaf *leaf);

/* A CDR context for one file of message t: its configuration,
 * direction, deadline, archive budget so far and scanner. */
void mg_pipeline_cdr_ctx_init(struct mg_cdr_ctx *ctx, struct mg_txn *t);
/* Apply what the file asked of the message (refusal, quarantine) and
 * carry the archive budget back; clears ctx. */
void mg_pipeline_cdr_ctx_finish(struct mg_cdr_ctx *ctx, struct mg_txn *t);

/* ---- emergency profiles (emergency.c, F31) ---- */

/* A live body-only emergency profile covers this attachment leaf's
 * message: the leaf is removed (reported, use recorded) and TRUE. */
gboolean mg_pipeline_emergency_leaf(struct mg_leaf *leaf);

/* A live cdr-fallback emergency profile for one CDR run: armed on the
 * context before mg_cdr_file (its scanner then notes failed scans), then
 * mg_pipeline_fallback turns an internal failure of the rebuild into the
 * file's removal (reason in out, use recorded); anything else, and a run
 * in which a scan failed, is returned as it was. */
struct mg_fallback {
	const struct mg_exception *e; /* NULL: no profile, nothing changes */
	mg_cdr_scan_fn scan;          /* the context's own scanner */
	void *scan_data;
	gboolean scan_failed;
};
void mg_pipeline_fallback_arm(struct mg_fallback *fb, struct mg_cdr_ctx *ctx, struct mg_txn *t);
enum mg_cdr_status mg_pipeline_fallback(const struct mg_fallback *fb, struct mg_leaf *leaf, enum mg_cdr_status st,
					struct mg_cdr_out *out);

#endif
