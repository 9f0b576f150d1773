/*
 * mg_policy - boundary rules that are not about content (issue 6):
 * direction, size limits, open-relay guard, auto-forward control, Bcc rule.
 * Each function returns FALSE once the transaction is decided.
 */
#ifndef MG_POLICY_H
#define MG_POLICY_H

#include "mg_txn.h"

gboolean mg_policy_mail_from(struct mg_txn *t);
gboolean mg_policy_rcpt(struct mg_txn *t, const char *addr);
gboolean mg_policy_eoh(struct mg_txn *t);
/* End-of-message step. */
gboolean mg_policy_message_step(struct mg_txn *t);

#endif
