/*
 * mg_html_guard - HTML bounded before libxml2 parses it (html_guard.c):
 * attributes per element and element nesting, so that the parse time
 * grows with the input size only.
 */
#ifndef MG_HTML_GUARD_H
#define MG_HTML_GUARD_H

#include <glib.h>

struct mg_html_guard_limits {
	gint64 max_attributes; /* per start tag; the rest are dropped */
	gint64 max_depth;      /* open elements; deeper start tags are dropped (text stays) */
	gint64 deadline_us;    /* g_get_monotonic_time() limit, 0 = none */
};

struct mg_html_guard_stats {
	guint64 attributes_dropped; /* start tags that lost attributes */
	guint64 elements_flattened; /* start tags dropped for depth */
};

/* Append the bounded form of html[0..len) to out.  FALSE when the deadline
 * passed (out is then incomplete). */
gboolean mg_html_guard(const char *html, gsize len, const struct mg_html_guard_limits *lim, GString *out,
		       struct mg_html_guard_stats *st);

#endif
