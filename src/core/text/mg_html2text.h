/*
 * mg_html2text - HTML to readable plain text with libxml2's HTML parser
 * (SAX callbacks: no tree is built, so memory does not grow with nesting;
 * the input may arrive in chunks of any size).
 *
 * Layout kept: paragraphs, line breaks, headings, lists (bullets and
 * numbers), tables (cells separated by " | ", rows on lines), blockquotes
 * ("> "), <pre>.  Dropped: script, style, head, comments, forms, embedded
 * objects and hidden elements (hidden attribute, display:none,
 * visibility:hidden, font-size:0).  Entities are decoded by the parser
 * (no DTD, no network, no entity declarations).  Images become
 * "[画像: alt]" (image_label), links "text <target>" with an optional
 * "hxxp" defang; javascript:/data: targets are never shown.
 *
 * Bounded: output bytes (max_output), element depth (max_depth: deeper
 * tags keep their text but lose their layout), attributes per element
 * (max_attributes), and a deadline.  Depth and attributes are cut before
 * libxml2 parses (mg_html_guard.h), so the parse time grows with the
 * input size only.  Exceeding
 * output size or deadline is an error (the caller fails closed).
 */
#ifndef MG_HTML2TEXT_H
#define MG_HTML2TEXT_H

#include <glib.h>

struct mg_html2text_opts {
	gboolean defang_links;   /* "hxxps://" instead of "https://" */
	gsize max_output;        /* bytes of text at most (0 = no limit) */
	gint64 deadline_us;      /* g_get_monotonic_time() limit, 0 = none */
	int max_depth;           /* elements deeper than this lose layout (0 = 256) */
	const char *image_label; /* "画像" (NULL) or "image" */
	GHashTable *removed;     /* if not NULL: static kind name -> count (GUINT_TO_POINTER) of
				    what was dropped: "script", "frame", "object", "form", "svg",
				    "media", "hidden element", "tracking image", "script link" */
	int max_attributes;      /* per element, the rest dropped before parsing (0 = 64) */
};

#define MG_HTML2TEXT_ERROR (mg_html2text_error_quark())
GQuark mg_html2text_error_quark(void);
enum { MG_HTML2TEXT_ERROR_LIMIT = 1, MG_HTML2TEXT_ERROR_TIME, MG_HTML2TEXT_ERROR_PARSER };

/* `html` is `len` bytes in `charset` (NULL: from <meta> or detected).
 * Returns UTF-8 text, or NULL with *err set. */
char *mg_html2text(const char *html, gsize len, const char *charset, const struct mg_html2text_opts *o, GError **err);

/* Incremental form: UTF-8 HTML fed in chunks of any size (even one byte),
 * same result as one call.  finish frees h and returns the text or NULL
 * with *err set; after a failed feed, call finish to free. */
struct mg_html2text;
struct mg_html2text *mg_html2text_new(const struct mg_html2text_opts *o);
gboolean mg_html2text_feed(struct mg_html2text *h, const char *utf8, gsize len, GError **err);
char *mg_html2text_finish(struct mg_html2text *h, GError **err);

/* The charset named by a <meta> in the first bytes of html, or NULL. */
char *mg_html2text_meta_charset(const char *html, gsize len);

#endif
