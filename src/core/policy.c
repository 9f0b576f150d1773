/*
 * policy.c - see mg_policy.h.  Foundation version: no boundary rules.
 */
#include "config.h"

#include "mg_policy.h"

gboolean mg_policy_mail_from(struct mg_txn *t) { return TRUE; }
gboolean mg_policy_rcpt(struct mg_txn *t, const char *addr) { return TRUE; }
gboolean mg_policy_eoh(struct mg_txn *t) { return TRUE; }
gboolean mg_policy_message_step(struct mg_txn *t) { return TRUE; }
