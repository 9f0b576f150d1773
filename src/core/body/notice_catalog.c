/*
 * notice_catalog.c - the message catalog of the notice (see mg_body.h):
 * what the recipient reads for each reason and removed element, in the
 * notice's language, from conf/reasons.LANG.txt (notice_reasons).
 *
 * The stages write their reasons in English for the report and the logs
 * ("CSV rebuilt: 3 formula cells neutralised"); the catalog maps them to
 * the recipient's words by pattern, so that administrators can reword
 * every line and a stage's wording stays its own business:
 *   [reason] / [object]  "pattern = text" lines, first match wins; '*' in
 *                        the pattern matches any text (mg_glob), {1}..{9}
 *                        in the text repeat what the stars matched, and
 *                        {N:term} says it through [term], {N:object} and
 *                        {N:reason} through those sections; an empty text
 *                        leaves the line out of the notice
 *   [term]               "English = 日本語": names used by several lines
 *                        (PDF actions, Office parts, image metadata)
 *   [fallback]           "reason = text", "object = text": said when no
 *                        pattern (or term) fits; logged with the English,
 *                        so that the catalog can be completed
 * Lines are read with mg_kv (so a pattern cannot contain '=').
 */
#include "config.h"

#include <string.h>

#include "mg_body.h"
#include "mg_glob.h"
#include "mg_kv.h"
#include "mg_log.h"

enum cat_sec { C_REASON, C_OBJECT, C_TERM, C_FALLBACK, C_N };
static const char *const cat_names[C_N] = {"reason", "object", "term", "fallback"};

#define CAT_CAPS 9

struct cat_entry {
	char *pattern, *text;
};

struct mg_notice_catalog {
	GPtrArray *entries[C_N]; /* struct cat_entry */
};

static void entry_free(gpointer p)
{
	struct cat_entry *e = p;
	g_free(e->pattern);
	g_free(e->text);
	g_free(e);
}

void mg_notice_catalog_free(struct mg_notice_catalog *c)
{
	if (!c)
		return;
	for (int i = 0; i < C_N; i++)
		g_ptr_array_unref(c->entries[i]);
	g_free(c);
}

/* {N} and {N:term} must name a star of the pattern; {{ }} are braces. */
static char *check_text(const char *pattern, const char *text)
{
	int stars = 0;
	for (const char *s = pattern; *s; s++)
		stars += *s == '*';
	for (const char *p = text; *p; p++) {
		if ((p[0] == '{' || p[0] == '}') && p[1] == p[0]) {
			p++;
			continue;
		}
		if (*p == '}')
			return g_strdup("'}' without '{' (write }} for a brace)");
		if (*p != '{')
			continue;
		gboolean ok = p[1] >= '1' && p[1] <= '9' &&
			      (p[2] == '}' || g_str_has_prefix(p + 2, ":term}") ||
			       g_str_has_prefix(p + 2, ":object}") || g_str_has_prefix(p + 2, ":reason}"));
		if (!ok)
			return g_strdup(
				"placeholders are {1} to {9}, {N:term}, {N:object}, {N:reason} (write {{ for a brace)");
		if (p[1] - '0' > stars)
			return g_strdup_printf("{%c} but the pattern has %d '*'", p[1], stars);
		p = strchr(p, '}');
	}
	return NULL;
}

static char *parse_line(struct mg_notice_catalog *c, int *sec, char *line)
{
	char *s = g_strstrip(line), *key = NULL, *value = NULL, *why = NULL;
	gsize n = strlen(s);
	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		for (int i = 0; i < C_N; i++)
			if (strlen(cat_names[i]) == n - 2 && strncmp(s + 1, cat_names[i], n - 2) == 0) {
				*sec = i;
				return NULL;
			}
		return g_strdup_printf("unknown section %s", s);
	}
	if (!mg_kv_split(s, &key, &value, &why))
		return NULL;
	if (why || !*key) {
		g_free(why);
		return g_strdup("expected 'pattern = text'");
	}
	if (*sec < 0)
		return g_strdup("text before the first [section]");
	if ((why = check_text(*sec == C_TERM ? "" : key, value)) != NULL)
		return why;
	struct cat_entry *e = g_new0(struct cat_entry, 1);
	e->pattern = g_strdup(key);
	e->text = g_strdup(value);
	g_ptr_array_add(c->entries[*sec], e);
	return NULL;
}

struct mg_notice_catalog *mg_notice_catalog_parse(const char *name, const char *text, GError **err)
{
	struct mg_notice_catalog *c = g_new0(struct mg_notice_catalog, 1);
	for (int i = 0; i < C_N; i++)
		c->entries[i] = g_ptr_array_new_with_free_func(entry_free);
	if (g_str_has_prefix(text, "\xef\xbb\xbf")) /* a BOM from a Windows editor */
		text += 3;
	char **lines = g_strsplit(text, "\n", -1);
	int sec = -1, i;
	char *why = g_utf8_validate(text, -1, NULL) ? NULL : g_strdup("not valid UTF-8");
	for (i = 0; !why && lines[i]; i++)
		why = parse_line(c, &sec, lines[i]);
	g_strfreev(lines);
	if (why) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: notice catalog: %s", name, MAX(i, 1), why);
		g_free(why);
		mg_notice_catalog_free(c);
		return NULL;
	}
	return c;
}

/* ---- saying it ---- */

static const char *lookup(const struct mg_notice_catalog *c, int sec, const char *key)
{
	for (guint i = 0; i < c->entries[sec]->len; i++) {
		const struct cat_entry *e = c->entries[sec]->pdata[i];
		if (g_str_equal(e->pattern, key))
			return e->text;
	}
	return NULL;
}

static char *say_in(const struct mg_notice_catalog *c, int sec, const char *english, int depth, char **missing);

/* One capture as the text asks for it: as it is, or through [term], or
 * said again as an [object] or [reason] (NULL when that fails). */
static char *capture(const struct mg_notice_catalog *c, const char *p, const char *cap[][2], int ncap, int depth,
		     char **missing)
{
	int k = p[1] - '1';
	char *v = k < ncap ? g_strndup(cap[k][0], (gsize)(cap[k][1] - cap[k][0])) : g_strdup("");
	char *out = NULL;
	if (p[2] == '}') {
		return v;
	} else if (g_str_has_prefix(p + 3, "term}")) {
		const char *t = lookup(c, C_TERM, g_strstrip(v));
		out = t ? g_strdup(t) : NULL;
	} else if (depth < 3) {
		out = say_in(c, g_str_has_prefix(p + 3, "object}") ? C_OBJECT : C_REASON, v, depth + 1, missing);
	}
	if (!out && !*missing)
		*missing = g_strdup(v);
	g_free(v);
	return out;
}

/* The text with the captures put in; NULL when one cannot be said. */
static char *expand(const struct mg_notice_catalog *c, const char *text, const char *cap[][2], int ncap, int depth,
		    char **missing)
{
	GString *g = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if ((p[0] == '{' || p[0] == '}') && p[1] == p[0]) {
			g_string_append_c(g, *p++);
			continue;
		}
		if (*p != '{') {
			g_string_append_c(g, *p);
			continue;
		}
		char *v = capture(c, p, cap, ncap, depth, missing);
		if (!v) {
			g_string_free(g, TRUE);
			return NULL;
		}
		g_string_append(g, v);
		g_free(v);
		p = strchr(p, '}');
	}
	return g_string_free(g, FALSE);
}

/* The first pattern of the section that matches and whose captures can
 * all be said; NULL when none. */
static char *say_in(const struct mg_notice_catalog *c, int sec, const char *english, int depth, char **missing)
{
	for (guint i = 0; i < c->entries[sec]->len; i++) {
		const struct cat_entry *e = c->entries[sec]->pdata[i];
		const char *cap[CAT_CAPS][2];
		int ncap = 0;
		if (!mg_glob_capture(e->pattern, english, cap, CAT_CAPS, &ncap))
			continue;
		char *said = expand(c, e->text, cap, ncap, depth, missing);
		if (said)
			return said;
	}
	return NULL;
}

char *mg_notice_catalog_say(const struct mg_notice_catalog *c, gboolean object, const char *english,
			    const char *queue_id)
{
	int sec = object ? C_OBJECT : C_REASON;
	char *missing = NULL;
	if (!english || !*english)
		return g_strdup("");
	char *said = say_in(c, sec, english, 0, &missing);
	if (said) {
		g_free(missing);
		return said;
	}
	mg_info(queue_id, "notice: no catalog entry for the %s \"%s\"%s%s", cat_names[sec], english,
		missing ? "; nothing said for: " : "", missing ? missing : "");
	g_free(missing);
	const char *fb = lookup(c, C_FALLBACK, cat_names[sec]);
	return g_strdup(fb ? fb : "");
}
