/*
 * mg_tmpl - the one `{placeholder}` syntax of the project's templates:
 * the notice templates (conf/notice.*.txt) and the SMTP reply texts
 * (conf/replies.conf).  `{name}` is replaced by a value; `{{` and `}}`
 * stand for literal braces.
 *
 * mg_tmpl_check: NULL when every placeholder of `text` is in `allowed`
 * (names separated by spaces or commas), else what is wrong (allocated),
 * e.g. "unknown placeholder {max} in WHERE; allowed: count limit" (WHERE
 * may be NULL).
 * mg_tmpl_expand: appends `text` to `out` with each placeholder replaced
 * by its value (a NULL value gives "-", an unknown name nothing); values
 * are copied as they are, so they can never introduce placeholders.
 */
#ifndef MG_TMPL_H
#define MG_TMPL_H

#include <glib.h>

struct mg_tmpl_var {
	const char *name, *value;
};

char *mg_tmpl_check(const char *text, const char *allowed, const char *where);
void mg_tmpl_expand(GString *out, const char *text, const struct mg_tmpl_var *vars, gsize n);

#endif
