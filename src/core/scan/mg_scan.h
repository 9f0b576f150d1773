/*
 * mg_scan - in-process virus scanning with libclamav (issue 5).
 *
 * Engine (scan_engine.c): loaded and compiled once per process by
 * mg_scan_global_init from `clamav_database`, shared by all threads,
 * reference-counted, and replaced as a whole by mg_scan_reload (SIGHUP) or
 * mg_scan_check_database (periodic directory check).  A new database that
 * fails to load is refused and the engine in force stays.  A transaction
 * takes a reference at its first scan and keeps that engine until
 * mg_scan_txn_release (mg_txn_free), so a reload never changes the scanner
 * under a message in flight.  No database at start: init fails unless
 * `scan_allow_degraded`, in which case every message tempfails.
 *
 * Scanning (scan.c): the raw message once (mg_scan_message_step; with
 * libclamav's mail parser unless t->mime_agreed, which the step sequence
 * sets from mg_mime_agree under scan_message_mime = auto), every
 * decoded leaf (mg_scan_leaf), any buffer other modules hand over
 * (mg_scan_buffer: archive members, rebuilt files) and the rebuilt message
 * before it is delivered (mg_scan_output_step).  Results: clean, infected
 * (signature name), unscannable (encrypted, over a ClamAV limit, timed out:
 * never "clean"), or error (fails closed with on_error).  A scan runs only
 * when libclamav's temporary directory is usable (mg_scan_check_tmpdir),
 * and any error libclamav reports while scanning (CL_MSG_ERROR) makes the
 * result an error: libclamav itself turns most of its failures into CLEAN.  Verdicts follow
 * scan_on_infected / scan_on_unscannable; the report gets the signature
 * (part->virus) and a "scan" section (engine, database, results).
 */
#ifndef MG_SCAN_H
#define MG_SCAN_H

#include <glib.h>

#include "mg_config.h"
#include "mg_txn.h"

enum mg_scan_result { MG_SCAN_CLEAN = 0, MG_SCAN_INFECTED, MG_SCAN_UNSCANNABLE, MG_SCAN_ERROR };

/* Values of scan_on_infected / scan_on_unscannable (order of the enums in
 * the option table). */
enum mg_scan_infected_action { MG_SCAN_INF_REJECT = 0, MG_SCAN_INF_QUARANTINE, MG_SCAN_INF_REMOVE };
enum mg_scan_message_mime { MG_SCAN_MIME_AUTO = 0, MG_SCAN_MIME_ALWAYS };
enum mg_scan_unscannable_action { MG_SCAN_UNS_REMOVE = 0, MG_SCAN_UNS_TEMPFAIL, MG_SCAN_UNS_REJECT };

gboolean mg_scan_global_init(const struct mg_config *cfg, GError **err);
/* Build an engine from cfg and swap it in.  FALSE (engine in force kept)
 * when the database does not load or libclamav's temporary directory is
 * not usable (mg_scan_check_tmpdir). */
gboolean mg_scan_reload(const struct mg_config *cfg, GError **err);
void mg_scan_global_shutdown(void);
/* Reload when the database directory changed (or no engine is loaded yet).
 * Returns TRUE when a new engine was swapped in. */
gboolean mg_scan_check_database(void);
/* scan_db_check_interval of the configuration in force, in seconds (0 = off). */
gint64 mg_scan_check_interval(void);
/* Cross-key checks of the issue-5 rows (config finish hook). */
gboolean mg_scan_config_check(struct mg_config *cfg, GError **err);

/* libclamav's temporary directory (issue 11, scan_tmpdir.c): spool_dir, or
 * $TMPDIR or /tmp when it is empty. */
const char *mg_scan_tmpdir(const struct mg_config *cfg);
/* The directory exists, is writable and searchable by `user` (when this
 * process is root and user is not empty: the user the daemon drops to;
 * else this process), and has spool_min_free bytes and some inodes left.
 * Called at start, on every reload, before every scan, and by
 * `mugaika-milter -n` / `mugaika check-config`; the error names spool_dir,
 * the directory and the reason. */
gboolean mg_scan_check_tmpdir(const struct mg_config *cfg, const char *user, GError **err);
/* Remove libclamav's leftovers of a killed run (scantemp directories,
 * clamav-*.tmp) owned by this user and modified before started_us (wall
 * clock, microseconds); logs what it removed.  Returns the number removed. */
guint mg_scan_cleanup_tmpdir(const struct mg_config *cfg, gint64 started_us);

/* End-of-message step: the raw message, once. */
gboolean mg_scan_message_step(struct mg_txn *t);
/* End-of-message step after mg_mime_write: the message as it will be
 * delivered, scanned again. */
gboolean mg_scan_output_step(struct mg_txn *t);
/* A decoded leaf before anything else looks at it.  FALSE when the leaf
 * was removed (report filled) or the message was decided. */
gboolean mg_scan_leaf(struct mg_leaf *leaf);
/* Malware found inside a part by another stage (a member of a RAR archive,
 * which libclamav cannot open, scanned by the CDR stage): the message is
 * refused, or the part counts as removed, as scan_on_infected says. */
void mg_scan_part_infected(struct mg_txn *t, const char *virus);
/* Any buffer: an archive member, a rebuilt file.  *virus / *why get the
 * signature name / the reason (caller frees; either may be NULL). */
enum mg_scan_result mg_scan_buffer(struct mg_txn *t, const void *data, gsize len, const char *name, char **virus,
				   char **why);
/* The scan profile (issue 16, scan_unchanged.c): what a leaf's result
 * means when nothing can be removed; and the raw message's finding, which
 * no removal can account for. */
void mg_scan_verdict_unchanged(struct mg_leaf *leaf, enum mg_scan_result r, const char *virus, const char *why);
gboolean mg_scan_raw_accounted(struct mg_txn *t);
/* Drop the transaction's engine reference (called by mg_txn_free). */
void mg_scan_txn_release(struct mg_txn *t);

/* issue 14: the engine in force, for `mugaika status` and the metrics. */
struct mg_scan_status {
	gboolean loaded;  /* an engine with signatures is in force */
	gint64 db_time;   /* build time of its database, Unix seconds */
	gint64 age;       /* seconds since then, -1 without an engine */
	guint db_version; /* daily version, 0 when unknown */
	guint sigs;
};
void mg_scan_status(struct mg_scan_status *out);
/* Load cfg's database into an engine of its own and drop it again (`mugaika
 * check-config`): FALSE with the reason when it does not load. */
gboolean mg_scan_check_load(const struct mg_config *cfg, struct mg_scan_status *out, GError **err);

#endif
