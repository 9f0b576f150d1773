/*
 * mg_exception - the one exception and permit registry (issue 16 item 9,
 * F10, F48): 例外措置 and permits with who asked, who approved, why, from
 * when and until when.  Types: sanitize-bypass (never bypasses the virus
 * scan), size-raise, auto-forward, bcc-exempt, destination-permit,
 * exfil-permit, emergency-profile (F31, R16.4, R17.9: a degraded profile
 * of inbound sanitization - body-only, or cdr-fallback: an attachment
 * whose rebuild fails for an internal reason is removed with a notice
 * instead of the 451; always emergency = yes with a post_report_due).
 *
 * The registry is the stanza file of exceptions_file (see
 * conf/exceptions.conf) plus the lines of auto_forward_permit_file
 * (permit-forward.list), read as entries of type auto-forward.  It is
 * loaded with the configuration (owned by it, immutable).  Load errors
 * name file:line; requested_by equal to approved_by fails the load
 * (兼務の禁止).  Expired entries and entries not yet granted load (a
 * warning is logged) and never match: the date is checked on every use.
 *
 * Each use goes through mg_exc_used: a log line naming the entry, a
 * process-wide use counter, and the report section "exceptions" of the
 * message (so the audit log holds every use; `mugaika exceptions` counts
 * them from there: report.exceptions of each record).
 */
#ifndef MG_EXCEPTION_H
#define MG_EXCEPTION_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

enum mg_exc_type {
	MG_EXC_SANITIZE_BYPASS = 0,
	MG_EXC_SIZE_RAISE,
	MG_EXC_AUTO_FORWARD,
	MG_EXC_BCC_EXEMPT,
	MG_EXC_DEST_PERMIT,
	MG_EXC_EXFIL_PERMIT,
	MG_EXC_EMERGENCY_PROFILE,
	MG_EXC_N_TYPES
};

/* The degraded profiles of type emergency-profile (key `profile`). */
enum mg_exc_profile {
	MG_EXC_PROFILE_NONE = 0,
	MG_EXC_PROFILE_BODY_ONLY,   /* every attachment removed, as body_only = yes */
	MG_EXC_PROFILE_CDR_FALLBACK /* a rebuild's internal failure: the file removed, not 451 */
};

struct mg_exception {
	char *id;
	enum mg_exc_type type;
	GPtrArray *senders;          /* char*: "user@dom" or "@dom", lower case */
	GPtrArray *recipients;       /* the same; empty = any */
	char *filetype;              /* sanitize-bypass: glob of the detected type */
	char *filename;              /* sanitize-bypass: glob of the name, or NULL */
	gint64 size;                 /* size-raise */
	GPtrArray *rules;            /* exfil-permit: rule names or ids */
	enum mg_exc_profile profile; /* emergency-profile */
	char *requested_by, *approved_by, *consultee, *reason, *application_ref;
	GDate granted, expires, post_report_due; /* granted, post_report_due may be invalid (unknown/none) */
	GDate post_reported;                     /* the day the post-report was made, or invalid (not yet) */
	gboolean emergency;
	gboolean legacy; /* a line of auto_forward_permit_file */
	char *origin;    /* "file:line" */
};

struct mg_exceptions {
	GPtrArray *entries; /* struct mg_exception* */
};

const char *mg_exc_type_name(enum mg_exc_type t);
const char *mg_exc_profile_name(enum mg_exc_profile p);

/* Load the registry file (NULL or "": none) and the auto-forward permit
 * file (NULL or "": none; its own rules apply: an expired line fails).
 * `today` NULL: the current local date.  Warnings (expired, not yet
 * granted, post-report overdue) are appended to `warnings` (char*) when
 * it is not NULL. */
struct mg_exceptions *mg_exc_load(const char *registry, const char *permit_file, const GDate *today,
				  GPtrArray *warnings, GError **err);
struct mg_exceptions *mg_exc_parse(const char *name, const char *text, const GDate *today, GPtrArray *warnings,
				   GError **err);
void mg_exc_free(struct mg_exceptions *x);

/* An emergency entry whose report to the CISO was due before `today` and
 * has no post_reported date (R18.2: reported afterwards, promptly). */
gboolean mg_exc_report_overdue(const struct mg_exception *e, const GDate *today);
/* What the registry asks of its keepers on `today`, one line each (char*)
 * appended to `out` with the alert event it belongs to in `events` (const
 * char*): an emergency entry whose post-report is overdue
 * (exception-report-overdue), an entry that expired within the last
 * `recent_days` days (permit-expired; older ones are the ledger's history). */
void mg_exc_attention(const struct mg_exceptions *x, const GDate *today, int recent_days, GPtrArray *out,
		      GPtrArray *events);

/* Live on `today`: granted (when known) <= today <= expires. */
gboolean mg_exc_live(const struct mg_exception *e, const GDate *today);
/* A pattern list matches an address (an empty list matches everything). */
gboolean mg_exc_addr_in(const GPtrArray *patterns, const char *addr);

/* Every one of `rcpts` (char*) is in the entry's recipient scope. */
gboolean mg_exc_rcpts_in(const struct mg_exception *e, const GPtrArray *rcpts);
/* The first live entry of `type` for this sender and recipient. */
const struct mg_exception *mg_exc_find_rcpt(const struct mg_exceptions *x, enum mg_exc_type type, const char *sender,
					    const char *rcpt, const GDate *today);
/* The first live entry of `type` for this sender whose recipients match
 * every one of `rcpts` (char*) and which `accept` (may be NULL) accepts. */
typedef gboolean (*mg_exc_accept_fn)(const struct mg_exception *e, gconstpointer data);
const struct mg_exception *mg_exc_find_msg(const struct mg_exceptions *x, enum mg_exc_type type, const char *sender,
					   const GPtrArray *rcpts, const GDate *today, mg_exc_accept_fn accept,
					   gconstpointer data);

/* Record a use: log line, counter, and the entry in the report section
 * "exceptions" of `extra` (NULL: log only).  `what` says what it allowed. */
void mg_exc_used(const char *queue_id, JsonObject *extra, const struct mg_exception *e, const char *what);
/* Uses since the process started (for the log). */
guint64 mg_exc_use_count(const char *id);

/* The review for the security officer: one line per entry with its status
 * on `today`, uses (`uses`: id -> struct mg_exc_uses*, may be NULL).
 * Returns the number of entries that need attention (expired, overdue
 * post-report, unknown requester). */
struct mg_exc_uses {
	guint64 count;
	char *last; /* time of the last use, or NULL */
};
guint mg_exc_review(FILE *out, const struct mg_exceptions *x, const GDate *today, int warn_days, GHashTable *uses,
		    gboolean json);

#endif
