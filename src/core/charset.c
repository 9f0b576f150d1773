/*
 * charset.c - see mg_charset.h.  Foundation version: GMime's conversion.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "mg_charset.h"

char *mg_charset_to_utf8(const char *data, gsize len, const char *declared, char **used)
{
	const char *cs = declared ? declared : "UTF-8";
	char *out = g_convert_with_fallback(data, (gssize)len, "UTF-8", cs, "\xef\xbf\xbd", NULL, NULL, NULL);
	if (!out) {
		out = g_utf8_make_valid(data, (gssize)len);
		cs = "UTF-8";
	}
	if (used)
		*used = g_strdup(cs);
	return out;
}

char *mg_charset_decode_header(const char *raw)
{
	return g_mime_utils_header_decode_text(NULL, raw);
}
