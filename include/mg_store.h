/*
 * mg_store - nothing lost, everything on record (issue 7): the quarantine
 * of originals and the audit log.
 */
#ifndef MG_STORE_H
#define MG_STORE_H

#include "mg_txn.h"

/* End-of-message step, before the notice: keep the original when the
 * configuration says so; a failure to keep it fails the message closed. */
gboolean mg_quarantine_step(struct mg_txn *t);
/* After the verdict (every message, including ones refused early or
 * aborted): quarantine blocked messages, write the audit record.  May turn
 * an ACCEPT or REJECT into a TEMPFAIL when a record cannot be written. */
void mg_store_finish(struct mg_txn *t, gboolean aborted);

#endif
