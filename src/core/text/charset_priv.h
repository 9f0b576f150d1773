/*
 * charset_priv.h - what charset.c and charset_jis.c share (text/ only).
 */
#ifndef MG_CHARSET_PRIV_H
#define MG_CHARSET_PRIV_H

#include <glib.h>

#define MG_CHARSET_REPLACEMENT "\xef\xbf\xbd"

/* iconv `len` bytes of charset `cs` to UTF-8 appended to out, U+FFFD for
 * each bad byte; CP932 and EUC-JP-MS output gets the JIS meaning of the
 * wave dash family.  Returns the number of bad bytes, -1 for an unknown cs. */
gint64 mg_charset_decode_with(const char *in, gsize len, const char *cs, GString *out);

/* Append valid UTF-8 s to g with the wave dash family mapped: from/to are
 * 0 (CP932's code points) or 1 (JIS X 0208's). */
void mg_charset_trap_replace(GString *g, const char *s, gsize len, int from, int to);

/* JIS X 0208 row/cell (0x21..0x7E each) to Shift_JIS / CP932 bytes, by
 * the arithmetic of JIS X 0208 Annex 1 (rows 13 and 89-92 land on CP932's
 * NEC and NEC-selected IBM codes). */
void mg_charset_jis_pair_to_sjis(guchar j1, guchar j2, guchar s[2]);

/* ISO-2022-JP with CP50220 semantics; FALSE (out untouched) when the text
 * designates a character set of ISO-2022-JP-2/-3. */
gboolean mg_charset_jis_decode(const char *in, gsize len, GString *out, gint64 *bad);

#endif
