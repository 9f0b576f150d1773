/*
 * hdrenc_priv.h - what the parts of the header encoder share (text/ only).
 */
#ifndef MG_HDRENC_PRIV_H
#define MG_HDRENC_PRIV_H

#include <glib.h>

#include "mg_hdrenc.h"

#define MG_HDRENC_LINE 78 /* fold before a line passes this */
#define MG_HDRENC_WORD 75 /* RFC 2047: longest encoded word */

/* A value being written: out (no leading space), the length of the
 * current line, and where the value started on the first line. */
struct mg_hdrenc_fold {
	GString *out;
	gsize line, start;
};

void mg_hdrenc_fold_init(struct mg_hdrenc_fold *f, const char *name);

/* Append ws + item, folding before ws when the line would pass 78. */
void mg_hdrenc_put(struct mg_hdrenc_fold *f, const char *ws, const char *item);

/* Append text (UTF-8) as encoded words of whole characters, <= 75 each,
 * the first preceded by ws, folded as needed. */
void mg_hdrenc_put_words(struct mg_hdrenc_fold *f, const char *ws, const char *text, enum mg_hdrenc_cs cs);

/* The longest encoded word of whole characters from the start of text
 * that is at most `max` characters long (NULL: not even one character
 * fits); *used gets the bytes of text it holds. */
GString *mg_hdrenc_word_fit(const char *text, gsize max, enum mg_hdrenc_cs cs, gsize *used);

/* Unstructured text: ASCII words as they are, the rest as encoded words. */
void mg_hdrenc_put_text(struct mg_hdrenc_fold *f, const char *text, enum mg_hdrenc_cs cs);

/* JIS when asked for and the text fits ISO-2022-JP, else UTF-8. */
enum mg_hdrenc_cs mg_hdrenc_cs_for(const char *text, enum mg_hdrenc_cs cs);

/* Parse one encoded word at p: its length (0: none), charset and bytes. */
gsize mg_hdrenc_ew_parse(const char *p, char **charset, GByteArray **bytes);

/* Control characters (C0 but TAB, which becomes a space; DEL; C1) removed. */
char *mg_hdrenc_strip_controls(const char *utf8);

/* An opaque field made safe: raw 8-bit and control bytes become '?',
 * long lines are folded at whitespace; NULL when nothing had to change. */
char *mg_hdrenc_opaque(const char *name, const char *raw);

#endif
