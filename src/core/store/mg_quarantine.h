/*
 * mg_quarantine - the store of original messages (issue 7).
 *
 * An entry is an id, the original exactly as received (header fields as
 * the MTA passed them, a blank line, the body; LF line ends) and a JSON
 * metadata record (envelope, client, times, verdict, per-part report,
 * class, hold flag, releases).  An entry is complete once its metadata
 * exists: put_original first, then put_meta.
 *
 * Stores sit behind a small vtable so that other back ends (object store,
 * database) can be added later; the one shipped is a directory:
 *   quarantine_dir/YYYYMMDD/ID.eml   the original, mode 0600
 *   quarantine_dir/YYYYMMDD/ID.json  the metadata, mode 0600
 *   quarantine_dir/.pending/ID       an entry being written (crash journal)
 * Every file is written atomically (temporary file, fsync, rename, fsync of
 * the directory).  Ids are "YYYYMMDDTHHMMSSZ-" + 16 random hex digits
 * (getrandom): sortable by time and unguessable.  Every function checks an
 * id's form before using it in a path.
 *
 * Thread-safe: a store holds no mutable state after open.
 */
#ifndef MG_QUARANTINE_H
#define MG_QUARANTINE_H

#include <glib.h>
#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "mg_config.h"

#define MG_QUARANTINE_ERROR (mg_quarantine_error_quark())
GQuark mg_quarantine_error_quark(void);
enum mg_qerr {
	MG_QERR_IO = 1,    /* cannot read/write the store */
	MG_QERR_BAD_ID,    /* not of the id form */
	MG_QERR_NOT_FOUND, /* no such entry */
	MG_QERR_CORRUPT,   /* metadata does not parse, or original missing */
	MG_QERR_INCOMPLETE /* an original without metadata (a crash while storing) */
};

/* Retention classes. */
/* hold: outbound mail held for approval (issue 16), kept as it would be
 * delivered; purge skips it while its approval is pending. */
enum mg_qclass { MG_QCLASS_MODIFIED = 0, MG_QCLASS_BLOCKED, MG_QCLASS_CLEAN, MG_QCLASS_HOLD };
const char *mg_qclass_name(enum mg_qclass c);
gboolean mg_qclass_parse(const char *s, enum mg_qclass *out);

/* quarantine_keep values (order of the option row). */
enum mg_qkeep { MG_QKEEP_MODIFIED_BLOCKED = 0, MG_QKEEP_MODIFIED, MG_QKEEP_BLOCKED, MG_QKEEP_ALL, MG_QKEEP_NONE };

struct mg_qstore;
struct mg_qstore_ops {
	const char *name;
	/* Store the original read from `in`; sets sha256 (hex) and size. */
	gboolean (*put_original)(struct mg_qstore *s, const char *id, GMimeStream *in, char sha256[65], gint64 *size,
				 GError **err);
	/* Create or replace the metadata. */
	gboolean (*put_meta)(struct mg_qstore *s, const char *id, JsonObject *meta, GError **err);
	JsonObject *(*get_meta)(struct mg_qstore *s, const char *id, GError **err); /* caller unrefs */
	GMimeStream *(*open_original)(struct mg_qstore *s, const char *id, GError **err);
	/* Every id with an original or metadata, oldest first (char*). */
	GPtrArray *(*list)(struct mg_qstore *s, GError **err);
	gboolean (*remove)(struct mg_qstore *s, const char *id, GError **err);
	/* Crash journal (issue 11): an id is marked pending (on = TRUE) before
	 * its first file is written and unmarked once the entry is final or
	 * removed.  leftovers() lists the ids still marked - what a killed
	 * daemon left - and removes the temporary files of interrupted writes
	 * modified before before_us (*temps: how many); call it at start. */
	gboolean (*set_pending)(struct mg_qstore *s, const char *id, gboolean on, GError **err);
	GPtrArray *(*leftovers)(struct mg_qstore *s, gint64 before_us, guint *temps);
	void (*close)(struct mg_qstore *s);
};
struct mg_qstore {
	const struct mg_qstore_ops *ops;
	char *root;
};

/* The configured store (the directory store on quarantine_dir).  Opening
 * never touches the disk; the first write creates missing directories. */
struct mg_qstore *mg_qstore_open(const struct mg_config *cfg);
struct mg_qstore *mg_qstore_open_dir(const char *dir);
void mg_qstore_close(struct mg_qstore *s);

char *mg_quarantine_new_id(gint64 real_us);
gboolean mg_quarantine_id_valid(const char *id);
/* The time in an id (when it was stored, to the second), in microseconds
 * since the epoch; G_MAXINT64 for a malformed id. */
gint64 mg_quarantine_id_time(const char *id);
/* Where the original of an id lives, for messages (directory store). */
char *mg_qstore_describe(struct mg_qstore *s, const char *id);

/* Retention of a class in seconds. */
gint64 mg_quarantine_retention(const struct mg_config *cfg, enum mg_qclass c);

/* Purge: remove every entry whose time of storing plus the retention of its
 * class is before `now_us`, except entries on hold.  An incomplete entry
 * (no metadata, so no hold) goes once the longest retention has passed
 * since the time in its id; entries with corrupt metadata are left for a
 * human (reported as errors).  For every entry looked
 * at, cb is called with the id, what happened ("removed", "held", "kept",
 * "error") and, for errors, the message; cb may be NULL.  Returns the
 * number of errors (bad metadata, failed removals). */
typedef void (*mg_purge_fn)(const char *id, const char *what, const char *detail, gpointer data);
guint mg_quarantine_purge(struct mg_qstore *s, const struct mg_config *cfg, gint64 now_us, mg_purge_fn cb,
			  gpointer data);

#endif
