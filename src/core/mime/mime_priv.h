/*
 * mime_priv.h - shared inside the mime stage only.
 *
 * mg_mime_count_in() is the prescan's counter: the number of Content-Type
 * fields opening a container (multipart/, message/) among the first
 * `limit` bytes of `low` (already lower case).  The rebuild walk asks it
 * before handing content that it parses itself (opaque-signed S/MIME, an
 * encoded message/rfc822) to GMime's recursive parser.
 */
#ifndef MG_MIME_PRIV_H
#define MG_MIME_PRIV_H

#include <glib.h>

gint64 mg_mime_count_in(const char *low, gsize len, gsize limit);

/* ASCII lower case, inline: the prescan and the agreement check (agree.c)
 * run it over every byte of the message, where g_ascii_tolower would be a
 * function call per byte. */
static inline char mg_mime_lower(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

#endif
