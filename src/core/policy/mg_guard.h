/*
 * mg_guard - the outbound controls of issue 16, items 5-9 (F10, F24, F26,
 * F27, F30, F48): exfiltration rules (mg_exfil.h), outbreak guard and stop
 * switch, approval hold, destination lists, exception registry
 * (mg_exception.h).  See docs/outbound-controls.md.
 *
 * Call order (from the boundary policy's entry points, mg_policy.h):
 * mg_guard_mail_from after the direction is first guessed (stop all, stop
 * sender/client); mg_guard_rcpt per recipient that passed the relay guard
 * (forbidden destinations, stop in/out, free-mail list); mg_guard_eoh once
 * the direction is final (outbreak counters, the Subject through the
 * exfiltration rules); mg_guard_leaf per decoded MIME leaf (names and text);
 * mg_guard_message_step as the last end-of-message step (exfiltration
 * verdict, approval hold); mg_guard_after_verdict once the verdict is known
 * (outbound virus hits).  Each returns FALSE once the message (or, at RCPT,
 * the recipient) is refused.
 *
 * Configuration: the rows of the "issue 16 (items 5-9)" block of the option
 * table; mg_guard_config_compile (a finish hook) loads the rule files,
 * destination lists and the exception registry into struct mg_guard_data,
 * owned by the config.  Per-message state hangs off the transaction and is
 * freed by the cleanup it registers.
 */
#ifndef MG_GUARD_H
#define MG_GUARD_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mg_alert.h"
#include "mg_config.h"
#include "mg_exception.h"
#include "mg_txn.h"

/* ---- configuration hooks (registered by pipeline/stages.c) ---- */
gboolean mg_guard_config_compile(struct mg_config *cfg, GError **err);
void mg_guard_config_release(struct mg_config *cfg);

/* ---- the message (called from the boundary policy's entry points, and
 * mg_guard_message_step / mg_guard_after_verdict from the step sequence) ---- */
gboolean mg_guard_mail_from(struct mg_txn *t);
/* internal: the recipient is in internal_domain (or the zones are unknown). */
gboolean mg_guard_rcpt(struct mg_txn *t, const char *rcpt, gboolean internal);
gboolean mg_guard_eoh(struct mg_txn *t);
gboolean mg_guard_leaf(struct mg_leaf *leaf);
/* End-of-message step after the output is written: the exfiltration
 * verdict (reject, alert, log; hold adds to t->hold_reasons, which the
 * store's step keeps). */
gboolean mg_guard_message_step(struct mg_txn *t);
/* Once the verdict is known: outbound virus hits for the outbreak guard. */
void mg_guard_after_verdict(struct mg_txn *t);
/* TRUE when the exfiltration label rule named `label` hit this message
 * (complete once every leaf is seen, i.e. after the rebuild step).  For the
 * outbound encryption rule (issue 16 item 2). */
gboolean mg_exfil_has_label(const struct mg_txn *t, const char *label);
/* Names of the labels that hit, in rule order (caller unrefs; may be empty). */
GPtrArray *mg_exfil_labels(const struct mg_txn *t);
/* The size limit for the sender and recipients: `base`, or the size of the
 * largest live size-raise exception in scope.  size: of the message or
 * attachment; -1 at MAIL FROM, when the recipients are not known (their
 * scope is ignored then, and checked again at the end).  A raise that lets
 * `size` through is a use (recorded). */
gint64 mg_guard_size_limit(struct mg_txn *t, gint64 base, gint64 size);
/* TRUE when a live bcc-exempt exception covers the sender (use recorded). */
gboolean mg_guard_bcc_exempt(struct mg_txn *t);
/* An auto-forward exception for one of the sources to dest (use recorded). */
gboolean mg_guard_forward_permitted(struct mg_txn *t, const GPtrArray *sources, const char *dest, const char *markers);
/* A line of auto_forward_permit_file was used (the legacy form of an
 * auto-forward exception): recorded in the report section "exceptions". */
void mg_guard_permit_line_used(struct mg_txn *t, const char *id, const char *dest);
/* The live sanitize-bypass exceptions whose sender and recipients cover
 * this message: const struct mg_exception* (mg_exception.h), borrowed from
 * the configuration; the step sequence hands their type and name globs to
 * the CDR context.  NULL when there is none (caller unrefs the array). */
GPtrArray *mg_guard_bypass_list(struct mg_txn *t);
/* The CDR kept a file under bypass exception `id`: log and record the use. */
void mg_guard_bypass_used(struct mg_txn *t, const char *id, const char *what);
/* The live emergency-profile exception of `profile` whose sender and
 * recipients cover this message (F31), borrowed from the configuration, or
 * NULL.  Inbound mail only: the degraded profiles are profiles of inbound
 * sanitization (outbound and internal mail are never affected).  Dates are
 * checked on every call (an entry expires by itself). */
const struct mg_exception *mg_guard_emergency(const struct mg_txn *t, enum mg_exc_profile profile);
/* Message t was handled under emergency profile e: the use recorded
 * (mg_exc_used), the notice event "emergency-profile", the original kept
 * in quarantine, a warning when the entry's post-report is overdue. */
void mg_guard_emergency_used(struct mg_txn *t, const struct mg_exception *e, const char *what);
/* What the exception registry of cfg asks of its keepers today, as alerts
 * (mg_exc_attention): exception-report-overdue for an emergency entry
 * whose post-report is overdue, permit-expired for an entry that expired
 * within the last MG_GUARD_EXPIRED_RECENT_DAYS days.  The daemon calls it
 * at every load and reload. */
#define MG_GUARD_EXPIRED_RECENT_DAYS 7
void mg_guard_registry_alerts(const struct mg_config *cfg);

#define MG_GUARD_ERROR (mg_guard_error_quark())
GQuark mg_guard_error_quark(void);

/* ---- alerts: the outbound controls' events through mg_alert_emit (base/
 * mg_alert.h: logged as "ALERT severity=S event=E: QUEUEID: text", routed
 * to the roles by alert_route, recorded in the audit log). */
void mg_guard_alert(const char *queue_id, const char *event, enum mg_alert_severity sev, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* ---- destination lists (destlist.c) ---- */
GPtrArray *mg_destlist_parse(const char *name, const char *text, gsize len, GError **err);
GPtrArray *mg_destlist_load(const char *path, const char *key, GError **err);
/* The entry of `list` that `addr` matches, or NULL. */
const char *mg_destlist_match(const GPtrArray *list, const char *addr);

/* ---- stop switch (stopstate.c) ---- */
enum mg_stop_scope { MG_STOP_IN = 0, MG_STOP_OUT, MG_STOP_ALL, MG_STOP_SENDER, MG_STOP_CLIENT };
struct mg_stop_entry {
	int scope;    /* enum mg_stop_scope */
	char *value;  /* sender address / AUTH identity, or client address; NULL for in/out/all */
	char *since;  /* ISO 8601 */
	char *by;     /* login name, or "mugaika-milter" */
	char *origin; /* "admin" or "outbreak-guard" */
	char *reason;
};
struct mg_stop_state {
	gint refcount;
	GPtrArray *entries; /* struct mg_stop_entry* */
};
const char *mg_stop_scope_name(int scope);
int mg_stop_scope_parse(const char *s);
struct mg_stop_state *mg_stop_state_new(void);
struct mg_stop_state *mg_stop_ref(struct mg_stop_state *s);
void mg_stop_unref(struct mg_stop_state *s);
const struct mg_stop_entry *mg_stop_lookup(const struct mg_stop_state *s, int scope, const char *value);
/* FALSE when already there (or the state is full). */
gboolean mg_stop_add(struct mg_stop_state *s, int scope, const char *value, const char *by, const char *origin,
		     const char *reason);
gboolean mg_stop_remove(struct mg_stop_state *s, int scope, const char *value);
char *mg_stop_to_json(const struct mg_stop_state *s, gboolean pretty);
struct mg_stop_state *mg_stop_parse(const char *name, const char *text, gsize len, GError **err);
/* The file as it is now (missing: empty state). */
struct mg_stop_state *mg_stop_read(const char *path, GError **err);
/* Read, let `fn` edit (returns TRUE when it changed something), write
 * atomically; all under an flock of the file's directory. */
typedef gboolean (*mg_stop_edit_fn)(struct mg_stop_state *s, gpointer data);
gboolean mg_stop_update(const char *path, mg_stop_edit_fn fn, gpointer data, gboolean *changed, GError **err);
/* The daemon's view: re-read when the file changed since the last call
 * (a change is logged and alerted).  NULL with *err when it cannot be read
 * (the caller fails closed).  Caller unrefs. */
struct mg_stop_state *mg_stop_current(const char *path, GError **err);

/* ---- outbreak counters (outbreak.c) ---- */
struct mg_outbreak_limits {
	gint64 window_s;
	guint sender_messages, sender_recipients, client_messages, client_recipients, virus_hits;
	guint max_tracked;
};
/* Count one outbound message with n_rcpts external recipients (or, with
 * virus, one outbound virus hit) for the sender key and the client
 * address; returns a description of the threshold passed (caller frees)
 * with *kind = MG_STOP_SENDER or MG_STOP_CLIENT, or NULL. */
char *mg_outbreak_count(const struct mg_outbreak_limits *l, const char *sender, const char *client, guint n_rcpts,
			gboolean virus, gint64 now_us, int *kind);
void mg_outbreak_reset(void);
guint mg_outbreak_tracked(void);

#endif
