/*
 * cdrctx.h - a CDR context bound to a test's message record, as the step
 * sequence makes one for an attachment (mg_pipeline_cdr_ctx_init), and
 * the step that applies what the file asked of the message.
 */
#ifndef CDRCTX_H
#define CDRCTX_H

#include "mg_cdr.h"
#include "mg_steps.h"

/* one per thread: test_threads rebuilds in parallel */
static _Thread_local struct mg_cdr_ctx cdrctx_current;

/* A fresh context for t (the previous one's results are dropped). */
static inline struct mg_cdr_ctx *cdrctx(struct mg_txn *t)
{
	mg_cdr_ctx_clear(&cdrctx_current);
	mg_pipeline_cdr_ctx_init(&cdrctx_current, t);
	return &cdrctx_current;
}

/* Apply the last context's refusal/quarantine to t, as attach.c does. */
static inline void cdrctx_apply(struct mg_txn *t)
{
	mg_pipeline_cdr_ctx_finish(&cdrctx_current, t);
}

#endif
