/*
 * mg_charset - Japanese-first charset handling: any declared (or missing,
 * or wrong) charset to UTF-8, and header decoding.
 * (issue 3 owns this module; the foundation ships a pass-through.)
 */
#ifndef MG_CHARSET_H
#define MG_CHARSET_H

#include <glib.h>

/* Convert `len` bytes declared as `declared` (may be NULL or wrong) to
 * UTF-8.  Never fails: undecodable bytes become U+FFFD.  *used (if not
 * NULL) gets the charset actually used (caller frees). */
char *mg_charset_to_utf8(const char *data, gsize len, const char *declared, char **used);

/* Decode a header value (RFC 2047 words, raw 8-bit text) to UTF-8. */
char *mg_charset_decode_header(const char *raw);

#endif
