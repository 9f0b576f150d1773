/*
 * mg_mime - the message model over GMime: the end-of-message steps that
 * check structure, parse, rebuild a new MIME tree and write it out.
 *
 * mg_mime_rebuild walks the parsed original and builds a *new* tree from
 * scratch: containers are recreated, each leaf is decoded and recorded
 * (leaf.c) and handed to the caller's mg_leaf_fn, which returns the object
 * to deliver in its place or NULL when the part is removed.  Nothing of
 * the original tree is reused except decoded content and whitelisted
 * header fields.  This stage decides nothing about a leaf's content.
 */
#ifndef MG_MIME_H
#define MG_MIME_H

#include <glib.h>
#include <gmime/gmime.h>

#include "mg_report.h"
#include "mg_txn.h"

gboolean mg_mime_prescan(struct mg_txn *t);
gboolean mg_mime_parse(struct mg_txn *t);
/* After mg_mime_parse: TRUE when GMime's reading of the raw message leaves
 * nothing for a second MIME parser to find (agree.c says what that takes);
 * FALSE sets t->mime_disagreement to the first reason.  Never decides. */
gboolean mg_mime_agree(struct mg_txn *t);
/* Decides one leaf: the object to deliver, or NULL (removed or decided). */
typedef GMimeObject *(*mg_leaf_fn)(struct mg_leaf *leaf, void *data);

gboolean mg_mime_rebuild(struct mg_txn *t, mg_leaf_fn fn, void *data);
gboolean mg_mime_write(struct mg_txn *t);
/* Output of the scan profile (issue 16): no new body; our status fields
 * added, forged X-Mugaika-* and Bcc deleted, everything else as received. */
gboolean mg_mime_write_unchanged(struct mg_txn *t);
/* Walk the parsed original read-only (issue 16, scan profile): every leaf
 * decoded, recorded and handed to fn (its return value is dropped); no new
 * tree is built. */
gboolean mg_mime_inspect(struct mg_txn *t, mg_leaf_fn fn, void *data);
void mg_mime_log_summary(struct mg_txn *t);

/* CRLF -> LF copy of a string. */
char *mg_mime_lf(const char *s);
/* Lower-case "type/subtype" of an object (caller frees). */
char *mg_mime_type_of(GMimeObject *obj);
/* The decoded UTF-8 filename of a part (Content-Disposition filename,
 * else Content-Type name; RFC 2231 continuations and charsets, RFC 2047,
 * raw 8-bit), or NULL. */
char *mg_mime_part_filename(GMimePart *part);

/* Decode a leaf of the original within the limits, record it in the
 * report and hand it to fn.  Returns the object to deliver or NULL. */
GMimeObject *mg_leaf_run(struct mg_txn *t, GMimePart *part, const char *path, int depth, mg_leaf_fn fn, void *data);
/* An empty UTF-8 text/plain part. */
GMimeObject *mg_leaf_empty_text(void);

/* A fresh part with the leaf's type, name and (new) content (copied; past
 * spool_memory_max into a spool file the part's stream reads).  NULL when
 * the spool failed (the message is decided: on_error). */
GMimeObject *mg_leaf_new_part(const struct mg_leaf *leaf, const char *mime_type, const char *filename, const void *data,
			      gsize len);

#endif
