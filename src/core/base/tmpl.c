/*
 * tmpl.c - `{placeholder}` templates (mg_tmpl.h).  A few lines of our own
 * syntax, checked at load with file:line errors by the callers; no
 * template library on the dependency list offers that.
 */
#include "config.h"

#include <string.h>

#include "mg_tmpl.h"

static gboolean name_allowed(const char *name, gsize len, const char *allowed)
{
	for (const char *p = allowed; *p;) {
		gsize n = strcspn(p, " ,");
		if (n == len && len > 0 && strncmp(p, name, len) == 0)
			return TRUE;
		p += n;
		p += strspn(p, " ,");
	}
	return FALSE;
}

static gboolean is_escape(const char *p)
{
	return (p[0] == '{' || p[0] == '}') && p[1] == p[0];
}

char *mg_tmpl_check(const char *text, const char *allowed, const char *where)
{
	for (const char *p = text; *p; p++) {
		if (is_escape(p)) {
			p++;
			continue;
		}
		if (*p == '}')
			return g_strdup("'}' without '{' (write }} for a brace)");
		if (*p != '{')
			continue;
		const char *end = strchr(p, '}');
		if (!end)
			return g_strdup_printf("'{' is not closed (unknown placeholder {%s}; write {{ for a brace)",
					       p + 1);
		if (!name_allowed(p + 1, (gsize)(end - p - 1), allowed))
			return g_strdup_printf("unknown placeholder {%.*s}%s%s; allowed: %s", (int)(end - p - 1), p + 1,
					       where ? " in " : "", where ? where : "", *allowed ? allowed : "none");
		p = end;
	}
	return NULL;
}

void mg_tmpl_expand(GString *out, const char *text, const struct mg_tmpl_var *vars, gsize n)
{
	for (const char *p = text; *p; p++) {
		if (is_escape(p)) {
			g_string_append_c(out, *p++);
			continue;
		}
		const char *end = p[0] == '{' ? strchr(p, '}') : NULL;
		if (!end) {
			g_string_append_c(out, *p);
			continue;
		}
		gsize len = (gsize)(end - p - 1);
		for (gsize i = 0; i < n; i++)
			if (strlen(vars[i].name) == len && strncmp(p + 1, vars[i].name, len) == 0)
				g_string_append(out, vars[i].value ? vars[i].value : "-");
		p = end;
	}
}
