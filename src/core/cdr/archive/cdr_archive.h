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
 */
#ifndef MG_CDR_ARCHIVE_H
#define MG_CDR_ARCHIVE_H

#include "mg_cdr.h"

char *mg_cdr_archive_safe_name(const char *raw);
void mg_cdr_archive_set_member_fn(mg_cdr_fn fn);

#endif
