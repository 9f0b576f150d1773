/*
 * mg_glob - the one glob matcher of the project: `*` matches any run of
 * characters (including none and '/'), `?` exactly one byte, everything
 * else itself (case-sensitive: callers lower-case both sides).  Used for
 * type globs (attachment_rule, the family table, the rebuilder table) and
 * part names inside Office packages.  No allocation, no compilation: it is
 * called for every member of every archive.
 */
#ifndef MG_GLOB_H
#define MG_GLOB_H

#include <glib.h>

gboolean mg_glob_match(const char *pattern, const char *s);

/* The same match, also telling what each '*' matched (up to max of them,
 * as [start, end) pointers into s; *n of them filled): with one
 * backtracking point, every star but the last matches as little as it
 * can.  Used by the notice's message catalog ({1}, {2} in its texts). */
gboolean mg_glob_capture(const char *pattern, const char *s, const char *cap[][2], int max, int *n);

#endif
