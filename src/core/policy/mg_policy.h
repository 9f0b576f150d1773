/*
 * mg_policy - boundary rules that are not about content (issue 6):
 * direction, size limits, open-relay guard, auto-forward control, Bcc rule.
 *
 * Call order (from the pipeline): mg_policy_mail_from after MAIL FROM,
 * mg_policy_rcpt per RCPT (FALSE = this recipient is refused, with a
 * per-recipient verdict set by mg_txn_rcpt_refuse; other recipients and the
 * message go on), mg_policy_eoh once all headers are in (direction final,
 * auto-forward and Bcc rules), mg_policy_leaf per decoded MIME leaf
 * (attachment count and size), mg_policy_message_step at end of message.
 * Each function returns FALSE once the transaction (or recipient) is
 * refused.  Every refusal logs a line naming its rule.
 *
 * Configuration: the rows of the "issue 6" section of the option table; the
 * finish hook mg_policy_config_compile (registered by pipeline/stages.c) turns them into struct
 * mg_policy_data (networks, domains, permit list, reply templates), owned
 * by the config and freed by mg_policy_config_release.
 */
#ifndef MG_POLICY_H
#define MG_POLICY_H

#include <stdio.h>

#include "mg_txn.h"

enum mg_zone_mode { MG_ZONE_LGWAN = 0, MG_ZONE_GATEWAY };
enum mg_forward_mode { MG_FWD_DENY = 0, MG_FWD_PERMIT_LIST, MG_FWD_LOG_ONLY, MG_FWD_OFF };
enum mg_bcc_action { MG_BCC_LOG = 0, MG_BCC_REJECT };

gboolean mg_policy_mail_from(struct mg_txn *t);
gboolean mg_policy_rcpt(struct mg_txn *t, const char *addr);
gboolean mg_policy_eoh(struct mg_txn *t);
gboolean mg_policy_leaf(struct mg_leaf *leaf);
/* End-of-message step. */
gboolean mg_policy_message_step(struct mg_txn *t);

/* --- config rows and hooks --- */
gboolean mg_policy_check_network(const char *value, char **why);
gboolean mg_policy_check_domain(const char *value, char **why);
gboolean mg_policy_check_address(const char *value, char **why);
gboolean mg_policy_config_compile(struct mg_config *cfg, GError **err);
void mg_policy_config_release(struct mg_config *cfg);
/* What a daemon needs beyond a valid file (issue 16): internal_domain set.
 * The milter checks it at start and reload, `mugaika check-config` too. */
gboolean mg_policy_config_ready(const struct mg_config *cfg, GError **err);

/* --- zones (policy_zone.c) --- */
/* Domain part of an envelope or header address, lower case, without the
 * angle brackets and trailing dot; "" when there is none (caller frees). */
char *mg_policy_addr_domain(const char *addr);
/* Bare lower-case address: "<A@B.example>" -> "a@b.example" (caller frees). */
char *mg_policy_addr_bare(const char *addr);
gboolean mg_policy_domain_internal(const struct mg_config *cfg, const char *domain);
gboolean mg_policy_addr_internal(const struct mg_config *cfg, const char *addr);
gboolean mg_policy_client_internal(const struct mg_config *cfg, const char *client_addr);
/* TRUE when internal_domain is configured (the zones are known). */
gboolean mg_policy_zones_configured(const struct mg_config *cfg);
/* "addr" matches "user@dom" exactly or "@dom" (dom and its subdomains). */
gboolean mg_policy_addr_matches(const char *pattern, const char *addr);
const char *mg_policy_direction_name(enum mg_direction d);
/* Every mailbox of an address-list header value (To, Cc, Delivered-To ...),
 * bare lower case, in order (caller unrefs). */
GPtrArray *mg_policy_field_addresses(const char *value);

/* --- auto-forward (policy_forward.c) --- */
/* The markers found on this message, comma separated, or NULL (caller frees). */
char *mg_policy_forward_markers(const struct mg_txn *t);
/* The auto-forward rule for the message's direction; FALSE when refused. */
gboolean mg_policy_forward_check(struct mg_txn *t);
/* Bcc rule (policy_bcc.c): FALSE when refused. */
gboolean mg_policy_bcc_check(struct mg_txn *t);
/* Distinct external addresses visible in To and Cc. */
guint mg_policy_bcc_count(const struct mg_txn *t);

/* --- permit list (permit.c) --- */
struct mg_permit {
	char *id;
	char *source;      /* address or @domain */
	char *destination; /* address or @domain */
	char *approver;
	char *expires; /* YYYY-MM-DD, valid through that day (local time) */
	char *reason;
	char *where; /* "file:line" */
	GDate date;
};
/* Load a permit file; `today` = NULL for the current local date.  Errors
 * name file:line. */
GPtrArray *mg_permit_load(const char *path, const GDate *today, GError **err);
GPtrArray *mg_permit_parse(const char *name, const char *text, const GDate *today, GError **err);
/* Load for review (`mugaika permits`): expired entries are kept, not refused. */
GPtrArray *mg_permit_load_all(const char *path, GError **err);
/* The permit review for the CISO deputy: one line per permit with its
 * status on `today` (active, expires within warn_days, EXPIRED).  Returns
 * the number of expired permits. */
guint mg_permit_report(FILE *out, const GPtrArray *permits, const GDate *today, int warn_days);
/* A live entry for source -> destination on `today`, or NULL. */
const struct mg_permit *mg_permit_find(const GPtrArray *permits, const char *source, const char *destination,
				       const GDate *today);
/* Today's local date, or the one fixed by mg_policy_set_today (tests). */
void mg_policy_today(GDate *out);
void mg_policy_set_today(const char *yyyy_mm_dd);

/* --- reply templates (policy_reply.c) --- */
/* Refuse the message (or, with per_rcpt, the current recipient) with the
 * template of `rule`; vars are "name", "value" pairs ending in NULL that
 * replace {name} in the template text. */
void mg_policy_refuse(struct mg_txn *t, gboolean per_rcpt, const char *rule, ...) G_GNUC_NULL_TERMINATED;
/* Load a template file into a table rule -> "code ecode text". */
GHashTable *mg_policy_replies_load(const char *path, GError **err);
GHashTable *mg_policy_replies_parse(const char *name, const char *text, GError **err);
/* The built-in template text of a rule (NULL if no such rule). */
const char *mg_policy_reply_builtin(const char *rule);
/* Name of the i-th rule with a template, NULL past the end. */
const char *mg_policy_reply_rule(gsize i);

#endif
