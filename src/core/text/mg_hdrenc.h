/*
 * mg_hdrenc - the one header encoder/decoder: every header field mugaika
 * emits or passes on goes through it (issue 13).
 *
 * Decoding (RFC 2047 words, raw 8-bit text, raw ISO-2022-JP) uses the
 * relay's own charset decoders (mg_charset: CP50220, mislabels detected);
 * adjacent words in the same charset are joined before decoding, so a
 * character or escape sequence split across words survives; control
 * characters are removed.
 *
 * Encoding writes RFC 2047 words of whole characters, at most 75
 * characters each, in UTF-8 or (MG_HDRENC_JIS, when the text fits) in
 * ISO-2022-JP, each word ending in ASCII; lines are folded under 78
 * characters wherever a fold is possible and never exceed 998.  ASCII
 * words stay readable as they are.  Attachment names are written twice:
 * RFC 2231 (UTF-8, continuations cut on character boundaries) in
 * Content-Disposition and an RFC 2047 name= in quotes in Content-Type, for
 * older clients.
 *
 * Values are returned as they follow "Name:" (a leading space, folds as
 * "\n ", no final newline); the caller frees them.  The original bytes
 * stay in the quarantined original.
 */
#ifndef MG_HDRENC_H
#define MG_HDRENC_H

#include <glib.h>

enum mg_hdrenc_cs { MG_HDRENC_UTF8, MG_HDRENC_JIS };

/* How a field is treated: unstructured text, an address list, or opaque
 * (trace fields, identifiers, signatures: bytes kept, only made safe). */
enum mg_hdrenc_kind { MG_HDRENC_TEXT, MG_HDRENC_ADDRESS, MG_HDRENC_OPAQUE };

enum mg_hdrenc_kind mg_hdrenc_kind_of(const char *name);

/* Decode an unstructured value (folded, raw) to UTF-8 text: words joined
 * and decoded, raw bytes detected, controls removed, whitespace ends
 * trimmed. */
char *mg_hdrenc_decode(const char *raw);

/* The same, with control characters and outer whitespace kept (for
 * callers that replace them visibly, as file names do). */
char *mg_hdrenc_decode_raw(const char *raw);

/* Encode UTF-8 text as an unstructured value of field `name`. */
char *mg_hdrenc_encode_text(const char *name, const char *utf8, enum mg_hdrenc_cs cs);

/* Re-encode an address list (raw value): display names decoded and encoded
 * again, addresses kept. */
char *mg_hdrenc_encode_addresses(const char *name, const char *raw, enum mg_hdrenc_cs cs);

/* The clean value of a field as received, or NULL when the received value
 * is clean already (printable ASCII, no encoded word to redo, folded). */
char *mg_hdrenc_field(const char *name, const char *raw, enum mg_hdrenc_cs cs);

/* Content-Type value: "type/subtype", the parameters in `params` (name,
 * value pairs, NULL-terminated; ASCII), then the RFC 2047 name= (when
 * filename is not NULL). */
char *mg_hdrenc_content_type(const char *type, const char *const *params, const char *filename, enum mg_hdrenc_cs cs);

/* Content-Disposition value: the disposition and the RFC 2231 filename. */
char *mg_hdrenc_disposition(const char *disposition, const char *filename);

#endif
