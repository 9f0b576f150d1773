/*
 * mg_html2text - HTML to readable plain text with libxml2's HTML parser.
 * (issue 3 owns this module; the foundation ships a crude placeholder.)
 */
#ifndef MG_HTML2TEXT_H
#define MG_HTML2TEXT_H

#include <glib.h>

struct mg_html2text_opts {
	gboolean defang_links; /* "hxxps://" instead of "https://" */
	gsize max_output;      /* bytes of text at most (0 = no limit) */
	gint64 deadline_us;    /* g_get_monotonic_time() limit, 0 = none */
};

/* `html` is `len` bytes in `charset` (NULL: from <meta> or detected).
 * Returns UTF-8 text, or NULL with *err set. */
char *mg_html2text(const char *html, gsize len, const char *charset, const struct mg_html2text_opts *o,
		   GError **err);

#endif
