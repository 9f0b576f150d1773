/*
 * guard_priv.h - private to the outbound controls (issue 16, items 5-9):
 * the data compiled from the configuration and the per-message state.
 */
#ifndef MG_GUARD_PRIV_H
#define MG_GUARD_PRIV_H

#include <glib.h>

#include "mg_exception.h"
#include "mg_exfil.h"
#include "mg_guard.h"
#include "mg_txn.h"

/* Compiled by mg_guard_config_compile, owned by the config. */
struct mg_guard_data {
	struct mg_exfil_rules *exfil;     /* exfil_rules (may hold no rules) */
	GPtrArray *freemail;              /* freemail_domains_file patterns, or NULL */
	GPtrArray *forbidden;             /* forbidden_destinations_file patterns, or NULL */
	struct mg_exceptions *exceptions; /* exceptions_file, or NULL */
};

/* Per message (t->guard), freed by the cleanup registered on first use. */
struct mg_guard_txn {
	struct mg_stop_state *stop; /* the stop state seen at MAIL FROM */
	struct mg_exfil_scan *scan; /* when the exfiltration rules apply */
	gboolean counted;           /* counted by the outbreak guard */
};

struct mg_guard_txn *mg_guard_txn(struct mg_txn *t);
void mg_guard_hold_reason(struct mg_txn *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
char *mg_guard_sender_key(const struct mg_txn *t);
void mg_guard_record(struct mg_txn *t, const char *list, const char *value);
const char *mg_guard_freemail_action_name(int action);
/* The outbreak guard passed a threshold: alert, and stop per
 * outbound_abuse_action (kind: MG_STOP_SENDER or MG_STOP_CLIENT). */
void mg_guard_outbreak(struct mg_txn *t, const char *why, int kind, const char *value);

#endif
