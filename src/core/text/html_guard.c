/*
 * html_guard.c - see mg_html_guard.h: the HTML handed to libxml2 bounded
 * before libxml2 sees it.
 *
 * Why: libxml2's HTML parser (2.9) does work that grows with the square of
 * two things a sender controls, and none of it reaches a SAX callback
 * where a deadline could be checked: every attribute of a start tag is
 * compared with all earlier ones (one element with 400,000 attributes, 5
 * MB, took 150 s), and every end tag searches the stack of open elements
 * (200,000 open <span> and as many stray </b>: minutes).
 *
 * What: one pass over the UTF-8 input that copies it with
 *   - at most max_attributes attributes per start tag (the rest of the tag
 *     is dropped up to its '>'),
 *   - start tags opened deeper than max_depth dropped (their text stays;
 *     html2text gives such elements no layout anyway), and end tags that
 *     close nothing open dropped;
 * comments, <!...>, <?...> and the raw text of script and style are
 * copied as they are.  The tokenizer follows libxml2's htmlParseStartTag
 * rules (name characters, quoted values running to the matching quote or
 * the end of the input, '/>' and NUL ending a tag) so that both count the
 * same attributes; the element stack uses libxml2's own table
 * (htmlTagLookup) for empty elements.  Where the two could still differ,
 * the guard keeps fewer open elements in its count than libxml2 may,
 * never more, so the bound holds.  Hand-written because no library
 * exposes an HTML tokenizer that can rewrite without building a tree
 * (building the tree is the cost being bounded).
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "mg_html_guard.h"

#define HTML_NAME_MAX 100 /* libxml2 HTML_PARSER_BUFFER_SIZE */

struct guard {
	const char *s;
	gsize len, i;
	GString *out;
	GPtrArray *stack; /* char*: lower-case names of open elements we let through */
	GArray *prio;     /* int: their end priorities */
	const struct mg_html_guard_limits *lim;
	struct mg_html_guard_stats *st;
};

static gboolean name_start(char c)
{
	return g_ascii_isalpha(c) || c == '_' || c == ':' || c == '.';
}

static gboolean name_char(char c)
{
	return g_ascii_isalnum(c) || c == ':' || c == '-' || c == '_' || c == '.';
}

static gboolean blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Index of the first `stop` at or after i (len when none). */
static gsize find(const struct guard *g, gsize i, const char *stop)
{
	const char *p = g_strstr_len(g->s + i, (gssize)(g->len - i), stop);
	return p ? (gsize)(p - g->s) + strlen(stop) : g->len;
}

static void copy_to(struct guard *g, gsize end)
{
	g_string_append_len(g->out, g->s + g->i, (gssize)(end - g->i));
	g->i = end;
}

/* Read a name as libxml2's htmlParseHTMLName does: at most HTML_NAME_MAX
 * characters (what follows a longer name starts the next attribute),
 * lower-cased into buf (size > HTML_NAME_MAX). */
static gsize read_name(const struct guard *g, gsize i, char *buf, gsize size)
{
	gsize n = 0;
	buf[0] = '\0';
	if (i >= g->len || !name_start(g->s[i]))
		return i;
	for (; i < g->len && n < HTML_NAME_MAX && n + 1 < size && name_char(g->s[i]); i++)
		buf[n++] = g_ascii_tolower(g->s[i]);
	buf[n] = '\0';
	return i;
}

/* One attribute at i (after blanks): index after it. */
static gsize skip_attribute(const struct guard *g, gsize i)
{
	char name[HTML_NAME_MAX + 1];
	gsize j = read_name(g, i, name, sizeof name);
	if (j == i) { /* not a name: libxml2 skips to a blank, '>' or "/>" */
		while (j < g->len && g->s[j] && !blank(g->s[j]) && g->s[j] != '>' &&
		       !(g->s[j] == '/' && j + 1 < g->len && g->s[j + 1] == '>'))
			j++;
		return j;
	}
	gsize k = j;
	while (k < g->len && blank(g->s[k]))
		k++;
	if (k >= g->len || g->s[k] != '=')
		return j;
	for (k++; k < g->len && blank(g->s[k]); k++)
		;
	if (k < g->len && (g->s[k] == '"' || g->s[k] == '\'')) {
		const char *q = memchr(g->s + k + 1, g->s[k], g->len - k - 1);
		return q ? (gsize)(q - g->s) + 1 : g->len;
	}
	while (k < g->len && g->s[k] && !blank(g->s[k]) && g->s[k] != '>')
		k++;
	return k;
}

/* The attributes of a start tag from i: copied up to the limit, the rest
 * dropped.  Returns the index of the tag's end ('>', "/>", NUL or end). */
static gsize tag_attributes(struct guard *g, gsize i)
{
	gint64 n = 0;
	gsize from = i;
	for (;;) {
		while (i < g->len && blank(g->s[i]))
			i++;
		if (i >= g->len || g->s[i] == '\0' || g->s[i] == '>' ||
		    (g->s[i] == '/' && i + 1 < g->len && g->s[i + 1] == '>'))
			break;
		gsize next = skip_attribute(g, i);
		if (next == i)
			next++; /* a lone '/': libxml2 moves on */
		if (++n <= g->lim->max_attributes) {
			g_string_append_len(g->out, g->s + from, (gssize)(next - from));
		} else if (n == g->lim->max_attributes + 1) {
			g->st->attributes_dropped++;
		}
		from = i = next;
	}
	if (n <= g->lim->max_attributes)
		g_string_append_len(g->out, g->s + from, (gssize)(i - from));
	return i;
}

static gboolean is_empty_element(const char *name)
{
	const htmlElemDesc *d = htmlTagLookup((const xmlChar *)name);
	return d && d->empty;
}

/* libxml2 2.9's htmlEndPriority: an end tag does not close past an open
 * element of higher priority (it is ignored instead). */
static int end_priority(const char *name)
{
	static const struct {
		const char *name;
		int prio;
	} tab[] = {{"div", 150},   {"td", 160},    {"th", 160},   {"tr", 170},   {"thead", 180}, {"tbody", 180},
		   {"tfoot", 180}, {"table", 190}, {"head", 200}, {"body", 200}, {"html", 220}};
	for (gsize i = 0; i < G_N_ELEMENTS(tab); i++)
		if (g_str_equal(tab[i].name, name))
			return tab[i].prio;
	return 100;
}

/* Does a start tag `new` implicitly close the open element `old`?  libxml2's
 * own table answers for different names (htmlAutoCloseTag on a bare node is
 * htmlCheckAutoClose); for the same name it returns 0 by design, so the
 * elements that close themselves are listed here (measured on 2.9.14). */
static gboolean auto_closes(const char *new, const char *old)
{
	static const char *const self[] = {"a", "col",   "colgroup", "form", "li", "option",
					   "p", "tbody", "td",       "th",   "tr"};
	if (g_str_equal(new, old)) {
		for (gsize i = 0; i < G_N_ELEMENTS(self); i++)
			if (g_str_equal(self[i], new))
				return TRUE;
		return FALSE;
	}
	xmlNode node = {.type = XML_ELEMENT_NODE, .name = (const xmlChar *)new};
	return htmlAutoCloseTag(NULL, (const xmlChar *)old, &node) == 1;
}

/* Copy (or, when `keep` is FALSE, skip) the rest of a start tag whose name
 * ends at j; returns nothing, g->i is past the tag. */
static void start_tag_body(struct guard *g, gsize j, gboolean keep)
{
	GString *saved = g->out, *sink = keep ? NULL : g_string_new(NULL);
	if (sink)
		g->out = sink;
	g_string_append_len(g->out, g->s + g->i, (gssize)(j - g->i));
	gsize end = tag_attributes(g, j);
	g->i = end;
	if (end + 1 < g->len && g->s[end] == '/' && g->s[end + 1] == '>')
		copy_to(g, end + 2);
	else if (end < g->len && g->s[end] == '>')
		copy_to(g, end + 1);
	g->out = saved;
	if (sink)
		g_string_free(sink, TRUE);
}

/* script and style: raw text up to "</name" (libxml2 in recovery mode). */
static void raw_text(struct guard *g, const char *name)
{
	gsize n = strlen(name);
	for (gsize k = g->i; k + n + 2 <= g->len; k++)
		if (g->s[k] == '<' && g->s[k + 1] == '/' && g_ascii_strncasecmp(g->s + k + 2, name, n) == 0) {
			copy_to(g, k);
			return;
		}
	copy_to(g, g->len);
}

/* "<name ...>" at g->i (a letter follows the '<'). */
static void start_tag(struct guard *g)
{
	char name[HTML_NAME_MAX + 1];
	gsize j = read_name(g, g->i + 1, name, sizeof name);
	guint pops = 0;
	while (pops < g->stack->len && auto_closes(name, g->stack->pdata[g->stack->len - 1 - pops]))
		pops++;
	gboolean empty = is_empty_element(name);
	gboolean keep = empty || (gint64)(g->stack->len - pops) < g->lim->max_depth;
	if (!keep)
		g->st->elements_flattened++;
	start_tag_body(g, j, keep);
	if (!keep)
		return;
	g_ptr_array_set_size(g->stack, g->stack->len - pops);
	g_array_set_size(g->prio, g->stack->len);
	if (!empty) {
		int p = end_priority(name);
		g_ptr_array_add(g->stack, g_strdup(name));
		g_array_append_val(g->prio, p);
	}
	if (g_str_equal(name, "script") || g_str_equal(name, "style"))
		raw_text(g, name);
}

/* "</name ...>" at g->i: copied when it closes an element we let through
 * (libxml2 ignores the others, after a search of its whole stack). */
static void end_tag(struct guard *g)
{
	char name[HTML_NAME_MAX + 1];
	gsize j = read_name(g, g->i + 2, name, sizeof name);
	gsize end = j;
	while (end < g->len && g->s[end] && g->s[end] != '>')
		end++;
	end = MIN(end + 1, g->len);
	gint found = -1, prio = end_priority(name);
	for (gint k = (gint)g->stack->len - 1; k >= 0; k--) {
		if (g_str_equal(g->stack->pdata[k], name)) {
			found = k;
			break;
		}
		if (g_array_index(g->prio, int, k) > prio)
			break;
	}
	if (found >= 0) {
		g_ptr_array_set_size(g->stack, found);
		g_array_set_size(g->prio, found);
	}
	if (found >= 0 || g_str_equal(name, "p") || g_str_equal(name, "br"))
		copy_to(g, end);
	else
		g->i = end;
}

static void markup(struct guard *g)
{
	const char *s = g->s + g->i;
	gsize left = g->len - g->i;
	if (left >= 4 && memcmp(s, "<!--", 4) == 0)
		copy_to(g, find(g, g->i + 4, "-->"));
	else if (left >= 2 && (s[1] == '!' || s[1] == '?'))
		copy_to(g, find(g, g->i + 2, ">"));
	else if (left >= 3 && s[1] == '/' && g_ascii_isalpha(s[2]))
		end_tag(g);
	else if (left >= 2 && g_ascii_isalpha(s[1]))
		start_tag(g);
	else
		copy_to(g, g->i + 1);
}

gboolean mg_html_guard(const char *html, gsize len, const struct mg_html_guard_limits *lim, GString *out,
		       struct mg_html_guard_stats *st)
{
	struct guard g = {
		html, len, 0, out, g_ptr_array_new_with_free_func(g_free), g_array_new(FALSE, FALSE, sizeof(int)),
		lim,  st};
	guint steps = 0;
	gboolean ok = TRUE;
	*st = (struct mg_html_guard_stats){0};
	while (g.i < g.len) {
		if ((++steps & 4095) == 0 && lim->deadline_us && g_get_monotonic_time() > lim->deadline_us) {
			ok = FALSE;
			break;
		}
		const char *lt = memchr(g.s + g.i, '<', g.len - g.i);
		if (!lt) {
			copy_to(&g, g.len);
			break;
		}
		copy_to(&g, (gsize)(lt - g.s));
		markup(&g);
	}
	g_ptr_array_unref(g.stack);
	g_array_unref(g.prio);
	return ok;
}
