/*
 * cdr_archive.h - private to the archive rebuilder and its tests.
 *
 * mg_cdr_archive_safe_name() turns a raw entry name as libarchive returns
 * it into the name written to the rebuilt zip: UTF-8 as is, otherwise
 * decoded as CP932 (Japanese Windows zips carry no UTF-8 flag), then made
 * safe: backslashes become '/', ".", ".." and empty components, drive
 * letters and leading '/' are dropped, control characters become '_'.
 * Returns NULL when nothing usable is left (the caller names the member).
 *
 * mg_cdr_archive_set_member_fn() is a test seam: the function that decides
 * each member (mg_cdr_file by default, NULL restores it).  The daemon never
 * calls it.
 *
 * mg_cdr_zipspan_source() (cdr_zipspan.c) is a libzip source reading `len`
 * bytes at `start` of `fd` when the zip is written; NULL on failure (see
 * zip_strerror(z)).  The fd must stay open until the zip_t is closed.
 * mg_cdr_zipout_new() is the source the rebuilt zip is written to (one
 * block, no copy); after zip_close(), mg_cdr_zipout_take() hands that
 * block over as a GByteArray (NULL when nothing was written).  The source
 * owns the mg_cdr_zipout: take before zip_source_free().
 */
#ifndef MG_CDR_ARCHIVE_H
#define MG_CDR_ARCHIVE_H

#include <time.h>
#include <zip.h>

#include "mg_cdr.h"

char *mg_cdr_archive_safe_name(const char *raw);
void mg_cdr_archive_set_member_fn(mg_cdr_fn fn);
struct mg_cdr_zipout;
zip_source_t *mg_cdr_zipout_new(struct mg_cdr_zipout **out, zip_error_t *ze);
GByteArray *mg_cdr_zipout_take(struct mg_cdr_zipout *o);
zip_source_t *mg_cdr_zipspan_source(zip_t *z, int fd, guint64 start, guint64 len, time_t mtime);

#endif
