/*
 * mg_store - nothing lost, everything on record (issue 7): the pipeline's
 * hooks into the quarantine of originals (mg_quarantine.h) and the audit
 * log (mg_audit.h).  Which messages are kept: quarantine_keep; a failure to
 * keep an original or (by default) to write the audit record fails the
 * message closed with a temporary failure.
 */
#ifndef MG_STORE_H
#define MG_STORE_H

#include "mg_txn.h"

/* End-of-message step, before the notice: keep the original when the
 * configuration says so; a failure to keep it fails the message closed. */
gboolean mg_quarantine_step(struct mg_txn *t);
/* After the verdict, before the front end acts: quarantine a blocked
 * message, give an accepted one X-Mugaika-Quarantine-Id.  Nothing is on
 * record yet.  May turn the verdict into a TEMPFAIL (original not kept). */
void mg_store_prepare(struct mg_txn *t);
/* What the MTA is told, after the front end acted and before it answers
 * (every message, also ones refused early or aborted = TRUE): finish or
 * remove the kept original, write the audit record.  May turn an ACCEPT or
 * REJECT into a TEMPFAIL when the record cannot be written. */
void mg_store_commit(struct mg_txn *t, gboolean aborted);
/* At start (issue 11): entries a killed daemon left in the crash journal
 * are marked "not-accepted" (metadata) or removed (no metadata), temporary
 * files of interrupted writes modified before started_us are removed; each
 * is logged.  Returns how many things it reconciled. */
guint mg_store_reconcile(const struct mg_config *cfg, gint64 started_us);

/* The record of a message as the audit log and the quarantine metadata
 * hold it (caller unrefs). */
JsonObject *mg_store_record_new(const struct mg_txn *t);

/* End-of-message step, the last one (issue 16 item 7): when the policy
 * stage holds the message (t->hold_reasons), keep it as it would have been
 * delivered in the quarantine store, class "hold", set t->hold_id and
 * accept it ("250 Held for approval"); the front end then has the MTA
 * discard it (mg_txn_held).  Failing to keep it fails the message closed. */
gboolean mg_store_hold_step(struct mg_txn *t);
/* Remove the held message again (the message ends in a temporary failure
 * after all); clears t->hold_id. */
void mg_store_hold_drop(struct mg_txn *t, const char *why);

/* Configuration finish hook (registered by pipeline/stages.c): paths absolute, release host
 * of the form HOST:PORT. */
gboolean mg_store_config_check(struct mg_config *cfg, GError **err);

#endif
