/*
 * html2text.c - see mg_html2text.h.  Placeholder until issue 3 lands:
 * refuses, so that callers fail closed instead of delivering HTML.
 */
#include "config.h"

#include <gio/gio.h>

#include "mg_html2text.h"

char *mg_html2text(const char *html, gsize len, const char *charset, const struct mg_html2text_opts *o,
		   GError **err)
{
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "HTML conversion not available");
	return NULL;
}
