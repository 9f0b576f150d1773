/*
 * mg_audit - tamper-evident JSON-lines logs (issue 7): the per-message audit
 * log and the admin audit log share this writer, its verifier and reader.
 *
 * Format: one JSON object per line (json-glib).  The writer adds two
 * members: "prev_hash" (the "hash" of the line before, or 64 zeros for the
 * first line of a file) and, last, "hash" = lowercase hex SHA-256 of the
 * canonical text of the record without the hash member, i.e. of the line
 * with its trailing `,"hash":"<64 hex>"}` replaced by `}`.
 *
 * Concurrency: mg_audit_append may be called from any thread and from
 * several processes at once (milter threads, admin commands): it takes a
 * process mutex and an exclusive flock on the file, reads the last line to
 * continue the chain, appends with O_APPEND and fdatasyncs before it
 * returns.  Files are created mode 0640.
 *
 * Times are ISO 8601 in the local zone with milliseconds and offset
 * ("2026-11-29T20:02:03.123+09:00").
 */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mg_json.h"

#define MG_AUDIT_ERROR (mg_audit_error_quark())
GQuark mg_audit_error_quark(void);
enum mg_audit_errcode { MG_AUDIT_ERR_IO = 1, MG_AUDIT_ERR_BAD_DATE, MG_AUDIT_ERR_CORRUPT };

#define MG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Append `rec` (its members are copied; "prev_hash"/"hash" are set by the
 * writer) as one line.  FALSE with *err naming the file on any failure. */
gboolean mg_audit_append(const char *path, JsonObject *rec, GError **err);

/* Check every line of `path`.  Returns TRUE when the chain is intact.  On a
 * broken link returns FALSE with *bad_line (1-based) and *why set and err
 * unset; FALSE with err set when the file cannot be read. *n_ok counts the
 * intact records before the first broken one. */
gboolean mg_audit_verify(const char *path, guint64 *n_ok, guint64 *bad_line, char **why, GError **err);

/* Rotation (issue 14): the writer keeps the hash of the last record in
 * PATH.head; the first record of a new, empty PATH continues from it and
 * carries "chain_continues": true.  mg_audit_verify accepts such a first
 * record as the start of the chain; mg_audit_verify_chain checks it
 * against the file before: set expect to that file's `last` ("" = no file
 * before: any continuation is accepted).  Out: first_prev = the hash the
 * file continues from ("" = it starts a chain), last = its last record's
 * hash (unchanged when the file is empty). */
#define MG_AUDIT_CONTINUES "chain_continues"
struct mg_audit_chain {
	char expect[65];
	char first_prev[65];
	char last[65];
	gboolean first_line; /* internal */
};
gboolean mg_audit_verify_chain(const char *path, struct mg_audit_chain *v, guint64 *n_ok, guint64 *bad_line, char **why,
			       GError **err);

/* Call fn for each line that parses as a JSON object (lines that do not
 * are counted in *n_bad when n_bad is not NULL).  fn returns FALSE to stop.
 * A missing file is an error. */
typedef gboolean (*mg_audit_fn)(JsonObject *rec, guint64 lineno, gpointer data);
gboolean mg_audit_foreach(const char *path, mg_audit_fn fn, gpointer data, guint64 *n_bad, GError **err);

/* Wall-clock microseconds to ISO 8601 local time with ms and offset. */
char *mg_audit_time_iso(gint64 real_us);
/* Parse an ISO 8601 time with zone as written above (or any ISO 8601 with
 * zone) to microseconds since the epoch. */
gboolean mg_audit_time_parse(const char *s, gint64 *out_us);
/* A date given by an administrator: YYYY-MM-DD (local midnight; with
 * end_of_day, the following midnight) or a full ISO 8601 time (without a
 * zone: local time).  FALSE with a message naming the text otherwise. */
gboolean mg_audit_parse_date(const char *s, gboolean end_of_day, gint64 *out_us, GError **err);

/* This host's name, for records (cached). */
const char *mg_audit_hostname(void);
/* Who is running this process: SUDO_USER when run through sudo, else the
 * login name, else the name of the real uid (caller frees). */
char *mg_audit_invoker(void);

/* The report over [from_us, to_us): an object with "from", "to",
 * "messages", "unreadable_lines", "by_direction" {direction: {verdict: n}},
 * "removed_by_type", "rebuilt_by_type", "converted_by_type" {type: n},
 * "detections_by_signature" {name: n}, "unscannable_by_reason" {reason: n},
 * "top_sender_domains" [{domain, messages}] (top_n), "releases_count" and
 * "releases" [{time, id, to, user, reason}] from admin_log (NULL/"": none).
 * NULL with *err when audit_log cannot be read. */
JsonObject *mg_audit_summary(const char *audit_log, const char *admin_log, gint64 from_us, gint64 to_us, guint top_n,
			     GError **err);

#endif
