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

#endif
