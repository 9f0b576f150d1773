/*
 * mg_audit - the keyed, sealed audit logs (issues 7, 17; 11 and 14 for the
 * file handling): the per-message audit log and the admin audit log share
 * this writer, its verifier and its reader.  The format is
 * docs/audit-format.md: one JSON object per line; the writer appends the
 * chain members "seq", "key", "prev_mac" and, last, "mac" = HMAC-SHA-256
 * (key file, audit_key.c) of the line without its mac member.
 *
 * Keys: the front end loads the key file at every configuration load
 * (mg_audit_keys_load) and installs it (mg_audit_use_keys); appends fail
 * while no key is installed.
 *
 * Concurrency: mg_audit_append may be called from any thread and from
 * several processes at once (milter threads, admin commands): a process
 * mutex and an exclusive flock on FILE.head, the file that remembers the
 * chain head across rotation.  Each record is written whole or not at all
 * and fdatasync'ed before the call returns.  Files are created mode 0640.
 */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mg_json.h"

#define MG_AUDIT_ERROR (mg_audit_error_quark())
GQuark mg_audit_error_quark(void);
enum mg_audit_errcode { MG_AUDIT_ERR_IO = 1, MG_AUDIT_ERR_BAD_DATE, MG_AUDIT_ERR_CORRUPT, MG_AUDIT_ERR_KEY };

#define MG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- keys (audit_key.c) ---- */

struct mg_audit_keys;
/* Read and check the key file (owner, mode, syntax); NULL with *err naming
 * the file (and line) otherwise. */
struct mg_audit_keys *mg_audit_keys_load(const char *path, GError **err);
struct mg_audit_keys *mg_audit_keys_ref(struct mg_audit_keys *k);
void mg_audit_keys_unref(struct mg_audit_keys *k); /* wipes the secrets with the last reference */
const char *mg_audit_keys_current_id(const struct mg_audit_keys *k);
const char *mg_audit_keys_path(const struct mg_audit_keys *k);
gboolean mg_audit_keys_has(const struct mg_audit_keys *k, const char *id);
/* HMAC-SHA-256 of data under key `id` as 64 lowercase hex; FALSE: no such key. */
gboolean mg_audit_keys_mac(const struct mg_audit_keys *k, const char *id, const void *data, gsize len, char out[65]);
gboolean mg_audit_mac_equal(const char *a, const char *b); /* constant time */
/* Make a key file with one new key (rotate = FALSE; fails if it exists), or
 * append a new key that signs from now on (rotate = TRUE). */
gboolean mg_audit_key_generate(const char *path, gboolean rotate, char **new_id, GError **err);
/* The keys appends sign with (a reference is taken; NULL: none). */
void mg_audit_use_keys(struct mg_audit_keys *k);
struct mg_audit_keys *mg_audit_keys_get(void); /* a reference, or NULL */

/* ---- writing (audit_write.c) ---- */

enum mg_audit_kind {
	MG_AUDIT_RECORD = 0, /* rec as given */
	MG_AUDIT_START,      /* rec gets "previous": sealed | open | new */
	MG_AUDIT_SEAL,       /* a seal record made by the writer; rec unused */
};
/* Append `rec` (its members are copied; chain members are set by the
 * writer).  FALSE with *err naming the file on any failure; the file then
 * holds no part of the record. */
gboolean mg_audit_append(const char *path, JsonObject *rec, GError **err);
gboolean mg_audit_append_kind(const char *path, JsonObject *rec, enum mg_audit_kind kind, const char *reason,
			      GError **err);
/* Append a seal (reason: "stop", "rotate", "manual"). */
gboolean mg_audit_seal(const char *path, const char *reason, GError **err);
/* Forget the files this process holds open (tests; after fork). */
void mg_audit_close_all(void);
/* Called with each line written (remote forwarding); from the writing
 * thread, with the writer's lock held: it must only queue the line. */
typedef void (*mg_audit_line_fn)(const char *path, const char *line, gpointer data);
void mg_audit_set_forward(mg_audit_line_fn fn, gpointer data);
/* Test seam: the write(2) the writer uses (NULL: write). */
void mg_audit_test_set_write(ssize_t (*fn)(int, const void *, size_t));
/* If `line` (len bytes, no newline) ends in a mac (or legacy hash) member,
 * copy it to out, set *legacy, and return where that member starts; else -1. */
gssize mg_audit_line_split(const char *line, gsize len, char out[65], gboolean *legacy);

/* ---- verifying (audit_verify.c) ---- */

struct mg_audit_vfile {
	char *path;
	gboolean intact, skipped; /* skipped: an earlier file of its chain is broken */
	guint64 records, legacy_records;
	gint64 first_seq, last_seq; /* of keyed records; 0 none */
	guint64 bad_line;           /* 1-based, when !intact */
	gint64 bad_seq;
	char *why;              /* when !intact */
	char *seal_reason;      /* the last record is a seal with this reason; NULL: open */
	char *continues;        /* the earlier file whose last record this one continues */
	gboolean link_unproven; /* starts after seq 1, no earlier file given */
	GPtrArray *notes;       /* char*: findings that are not breaks */
	gint64 sort_key;
};
/* Check the files given: files of one log (audit.log, audit.log.1, ...:
 * mg_audit_chain_name) form one chain, checked in the order of their first
 * seq; other logs are checked separately.  Returns one result per file in
 * checking order; *all_intact says whether every chain is intact (and, with
 * require_seal, ends in a seal).  keys NULL: keyed records cannot be checked. */
GPtrArray *mg_audit_verify_files(char **paths, const struct mg_audit_keys *keys, gboolean require_seal,
				 gboolean *all_intact);
void mg_audit_vfile_free(struct mg_audit_vfile *f);
/* One file with the installed keys: TRUE when intact; else *bad_line
 * (1-based) and *why, or *err when it cannot be read.  *n_ok counts the
 * intact records before the first bad one. */
gboolean mg_audit_verify(const char *path, guint64 *n_ok, guint64 *bad_line, char **why, GError **err);
char *mg_audit_chain_name(const char *path);

/* ---- the remote copy (audit_forward.c) ---- */

struct mg_config;
/* Forward every record of audit_log and admin_audit_log to audit_syslog
 * (RFC 5424) from now on, or stop when it is empty.  Front ends call it at
 * every configuration load. */
void mg_audit_forward_configure(const struct mg_config *cfg);
/* Send what is queued (while the collector answers) and stop. */
void mg_audit_forward_stop(void);

/* ---- reading (audit.c) ---- */

/* Call fn for each line that parses as a JSON object (lines that do not
 * are counted in *n_bad when n_bad is not NULL).  fn returns FALSE to stop.
 * A missing file is an error. */
typedef gboolean (*mg_audit_fn)(JsonObject *rec, guint64 lineno, gpointer data);
gboolean mg_audit_foreach(const char *path, mg_audit_fn fn, gpointer data, guint64 *n_bad, GError **err);

/* Wall-clock microseconds to ISO 8601 in log_timezone with ms (mg_clock_iso). */
char *mg_audit_time_iso(gint64 real_us);
/* Parse an ISO 8601 time with zone to microseconds since the epoch. */
gboolean mg_audit_time_parse(const char *s, gint64 *out_us);
/* A date given by an administrator: YYYY-MM-DD (midnight in log_timezone;
 * with end_of_day, the following midnight) or a full ISO 8601 time (without
 * a zone: log_timezone).  FALSE with a message naming the text otherwise. */
gboolean mg_audit_parse_date(const char *s, gboolean end_of_day, gint64 *out_us, GError **err);

/* This host's name, for records (mg_clock_hostname). */
const char *mg_audit_hostname(void);
/* Who is running this process: SUDO_USER when run through sudo, else the
 * login name, else the name of the real uid (caller frees). */
char *mg_audit_invoker(void);

/* The report over [from_us, to_us) (audit_report.c): see docs/audit-format.md
 * section 9 for every member (the permits in force are the front end's to
 * add).  NULL with *err when audit_log cannot be read. */
JsonObject *mg_audit_summary(const char *audit_log, const char *admin_log, gint64 from_us, gint64 to_us, guint top_n,
			     GError **err);

#endif
