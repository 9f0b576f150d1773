/*
 * mg_charset - Japanese-first charset handling: any declared (or missing,
 * or wrong) charset to UTF-8, header decoding, and the output encoding.
 *
 * Contract:
 *  - mg_charset_to_utf8 never fails and never returns invalid UTF-8: bytes
 *    that cannot be decoded become U+FFFD.  A label that does not fit the
 *    bytes (Shift_JIS labelled ISO-2022-JP, 8-bit text labelled us-ascii,
 *    UTF-8 labelled ISO-2022-JP) is overridden by detection.
 *  - ISO-2022-JP is decoded with CP50220/CP50221 semantics (NEC row 13,
 *    NEC-selected IBM extensions, half-width katakana), because glibc's
 *    iconv has no such converter (see charset.c).
 *  - The CP932-vs-JIS mapping traps are decoded to the JIS X 0208 meaning
 *    in every charset: 0x2141 / CP932 0x8160 is U+301C WAVE DASH, never
 *    U+FF5E; likewise U+2016, U+2212, U+00A2, U+00A3, U+00AC (the WHATWG
 *    Encoding Standard, i.e. what every browser shows the sender).
 */
#ifndef MG_CHARSET_H
#define MG_CHARSET_H

#include <glib.h>
#include <gmime/gmime.h>

/* Convert `len` bytes declared as `declared` (may be NULL or wrong) to
 * UTF-8.  Never fails: undecodable bytes become U+FFFD.  *used (if not
 * NULL) gets the charset actually used, upper case (caller frees). */
char *mg_charset_to_utf8(const char *data, gsize len, const char *declared, char **used);
/* The same, but NULL with *err when iconv itself failed (no memory, no
 * file descriptors) instead of text decoded partly or not at all: for the
 * text a recipient reads, where a silent loss must fail closed (issue 11). */
char *mg_charset_to_utf8_checked(const char *data, gsize len, const char *declared, char **used, GError **err);

/* Decode a header value (RFC 2047 words, raw 8-bit text) to UTF-8.
 * Adjacent encoded words in the same charset are joined before decoding,
 * so a multi-byte character split across words survives. */
char *mg_charset_decode_header(const char *raw);

/* UTF-8 text to ISO-2022-JP (with the wave dash family mapped back to
 * JIS).  Returns NULL when a character is outside JIS X 0208 + ASCII. */
char *mg_charset_to_iso2022jp(const char *utf8, gsize *out_len);

/* The decoded UTF-8 text of a text part (its label doubted as above). */
char *mg_charset_part_text(GMimePart *part);

/* GMime parser options shared by every parse (charsets, RFC 2047
 * leniency). */
GMimeParserOptions *mg_charset_parser_options(void);

#endif
