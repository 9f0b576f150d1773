/*
 * mg_charset - Japanese-first charset handling: any declared (or missing,
 * or wrong) charset to UTF-8, and the output encodings.
 *
 * Contract:
 *  - mg_charset_to_utf8 never fails and never returns invalid UTF-8: bytes
 *    that cannot be decoded become U+FFFD.  A label is believed only when
 *    the bytes decode under it cleanly and read plausibly: Shift_JIS
 *    labelled ISO-2022-JP or iso-8859-1, UTF-8 labelled ISO-2022-JP or
 *    windows-1252, EUC-JP labelled Shift_JIS are all read as what they are
 *    (charset.c says how plausibility is weighed).
 *  - ISO-2022-JP is decoded and encoded with CP50220/CP50221 semantics
 *    (NEC row 13, NEC-selected IBM extensions, half-width katakana, ESC ( J
 *    as JIS-Roman with ¥), because glibc's iconv has no such converter.
 *  - The CP932-vs-JIS mapping traps are decoded to the JIS X 0208 meaning
 *    in every charset: 0x2141 / CP932 0x8160 is U+301C WAVE DASH, never
 *    U+FF5E; likewise U+2016, U+2212, U+00A2, U+00A3, U+00AC (the WHATWG
 *    Encoding Standard, i.e. what every browser shows the sender).
 *  - Header fields (RFC 2047 words, RFC 2231 parameters) are mg_hdrenc's.
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

/* The same with a second label from inside the content (HTML's meta
 * charset): it wins when the declared label is absent, Latin (decodes
 * anything) or does not decode cleanly, and the hint does. */
char *mg_charset_to_utf8_hint(const char *data, gsize len, const char *declared, const char *hint, char **used);
/* ... and its fail-closed form, as mg_charset_to_utf8_checked. */
char *mg_charset_to_utf8_hint_checked(const char *data, gsize len, const char *declared, const char *hint, char **used,
				      GError **err);

/* Decode a header value (RFC 2047 words, raw 8-bit text) to UTF-8: the
 * same as mg_hdrenc_decode_raw (the header module, mg_hdrenc.h, is where
 * header fields are decoded and encoded; this name stays for callers). */
char *mg_charset_decode_header(const char *raw);

/* Does the text hold an ISO-2022-JP escape sequence (ESC $, ESC ( I/J)? */
gboolean mg_charset_has_jis_escape(const char *s, gsize len);

/* UTF-8 text to ISO-2022-JP as CP50220 writes it (NEC row 13 and the
 * NEC-selected IBM extensions in their JIS rows, the wave dash family
 * mapped back to JIS, ¥ and ‾ as JIS-Roman, half-width katakana with
 * ESC ( I), ending in ASCII.  NULL when a character has no place in it. */
char *mg_charset_to_iso2022jp(const char *utf8, gsize *out_len);

/* Does the text fit ISO-2022-JP (mg_charset_to_iso2022jp would succeed)? */
gboolean mg_charset_jis_fits(const char *utf8);

/* NFC, except that CJK compatibility ideographs (U+F900..U+FAFF and the
 * supplement) stay as they are: NFC would replace the IBM-extension
 * spelling the sender chose (塚 U+FA10 -> 塚).  For names from Macs (NFD). */
char *mg_charset_nfc(const char *utf8);

/* The decoded UTF-8 text of a text part (its label doubted as above). */
char *mg_charset_part_text(GMimePart *part);

/* GMime parser options shared by every parse (charsets, RFC 2047
 * leniency). */
GMimeParserOptions *mg_charset_parser_options(void);

#endif
