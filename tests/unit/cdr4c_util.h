/*
 * cdr4c_util.h - helpers shared by the archive and OLE2 rebuilder tests:
 * a message context with a given configuration, fixture writers (a raw
 * zip writer that sets any flag and any name bytes, libarchive writers for
 * the other formats) and an independent check of the output with python3's
 * zipfile.
 */
#ifndef CDR4C_UTIL_H
#define CDR4C_UTIL_H

#include <glib.h>

#include "mg_cdr.h"
#include "mg_txn.h"

/* A txn whose cfg is the defaults plus `conf` ("key = value" lines). */
struct mg_txn *t4c_txn_new(const char *conf);
void t4c_txn_free(struct mg_txn *t);

/* Run a rebuilder on a buffer. */
enum mg_cdr_status t4c_run(mg_cdr_fn fn, struct mg_txn *t, const GByteArray *data, const char *filename, int depth,
			   struct mg_cdr_out *out);
/* TRUE when one of out->removed contains `needle`. */
gboolean t4c_removed_has(const struct mg_cdr_out *out, const char *needle);

/* Raw zip writer: stored entries, names written byte for byte. */
struct t4c_zip;
struct t4c_zip *t4c_zip_new(void);
void t4c_zip_add(struct t4c_zip *z, const char *name, gsize name_len, const void *data, gsize len, guint16 flags);
/* Repeat the last central directory record `times` times: entries that
 * overlap the same data (the "better zip bomb" shape). */
void t4c_zip_alias(struct t4c_zip *z, guint times);
GByteArray *t4c_zip_finish(struct t4c_zip *z); /* frees z */
/* One stored entry with a NUL-terminated name. */
GByteArray *t4c_zip1(const char *name, const void *data, gsize len, guint16 flags);

/* LHA level-0 archive of stored (-lh0-) entries: name/data pairs, names
 * written byte for byte (MS-DOS style, '\\' separators, CP932). */
GByteArray *t4c_lzh(const char *const *entries);

/* libarchive writer: format "zip", "7zip", "pax", filter "gzip"/"none",
 * options (e.g. "zip:encryption=zipcrypt") and passphrase may be NULL.
 * Entries: name/data pairs, NULL-terminated ("L:name" = symlink to data).  `zeros` > 0 adds one entry
 * "fill.bin" of that many 'A' bytes (streamed, compresses very well). */
GByteArray *t4c_archive(const char *format, const char *filter, const char *options, const char *pass, gsize zeros,
			const char *const *entries);

/* python3 zipfile listing of a zip: "name|U\n" per entry (U when the
 * UTF-8 flag is set, - otherwise), after testzip(); NULL when python3 is
 * not available ("SKIP") or the zip does not open ("ERROR: ..."). */
char *t4c_py_zip_list(const GByteArray *zip, gboolean *skipped);

#endif
