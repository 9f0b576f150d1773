/*
 * mg_inline - files encoded inside text (uuencode, BinHex, yEnc).
 *
 * A mail client shows such a file as an attachment that no CDR has seen,
 * so the body (body/) and kept text attachments (cdr/) cut them out.
 * mg_text_strip_inline_files() returns the text with each such file
 * replaced by a marker line, adding "KIND file: NAME" to `cut`, or NULL
 * when the text holds none.  Pure function; no state.
 */
#ifndef MG_INLINE_H
#define MG_INLINE_H

#include <glib.h>

GString *mg_text_strip_inline_files(const char *s, gsize len, GPtrArray *cut);

#endif
