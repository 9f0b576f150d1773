/*
 * html2text.c - see mg_html2text.h.
 *
 * The converter is a small state machine driven by libxml2's SAX events:
 * an element stack (bounded by max_depth) carries what each open element
 * means for layout (skip, pre, quote, list, table cell, link), and a text
 * writer collapses white space, defers line breaks until text follows and
 * writes the blockquote prefix at the start of each line.
 */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <string.h>

#include "mg_charset.h"
#include "mg_html2text.h"
#include "mg_html_guard.h"

GQuark mg_html2text_error_quark(void)
{
	return g_quark_from_static_string("mg-html2text-error-quark");
}

enum tag_kind {
	T_OTHER = 0,
	T_SKIP,  /* content dropped */
	T_BLOCK, /* line break before and after */
	T_FORM,  /* a block whose text stays; the form itself is counted removed */
	T_PARA,  /* blank line before and after */
	T_BR,
	T_HR,
	T_PRE,
	T_QUOTE,
	T_UL,
	T_OL,
	T_LI,
	T_TR,
	T_CELL,
	T_A,
	T_IMG,
};

static const struct {
	const char *name;
	enum tag_kind kind;
} tags[] = {
	{"script", T_SKIP},   {"style", T_SKIP},    {"head", T_SKIP},     {"title", T_SKIP},    {"template", T_SKIP},
	{"object", T_SKIP},   {"embed", T_SKIP},    {"applet", T_SKIP},   {"iframe", T_SKIP},   {"frame", T_SKIP},
	{"frameset", T_SKIP}, {"noembed", T_SKIP},  {"noframes", T_SKIP}, {"svg", T_SKIP},      {"math", T_SKIP},
	{"form", T_FORM},     {"input", T_SKIP},    {"button", T_SKIP},   {"select", T_SKIP},   {"textarea", T_SKIP},
	{"option", T_SKIP},   {"audio", T_SKIP},    {"video", T_SKIP},    {"canvas", T_SKIP},   {"map", T_SKIP},
	{"meta", T_SKIP},     {"link", T_SKIP},     {"base", T_SKIP},     {"div", T_BLOCK},     {"center", T_BLOCK},
	{"address", T_BLOCK}, {"section", T_BLOCK}, {"article", T_BLOCK}, {"header", T_BLOCK},  {"footer", T_BLOCK},
	{"nav", T_BLOCK},     {"aside", T_BLOCK},   {"main", T_BLOCK},    {"figure", T_BLOCK},  {"figcaption", T_BLOCK},
	{"dt", T_BLOCK},      {"dd", T_BLOCK},      {"table", T_BLOCK},   {"caption", T_BLOCK}, {"tbody", T_OTHER},
	{"p", T_PARA},        {"h1", T_PARA},       {"h2", T_PARA},       {"h3", T_PARA},       {"h4", T_PARA},
	{"h5", T_PARA},       {"h6", T_PARA},       {"dl", T_PARA},       {"br", T_BR},         {"hr", T_HR},
	{"pre", T_PRE},       {"xmp", T_PRE},       {"listing", T_PRE},   {"plaintext", T_PRE}, {"blockquote", T_QUOTE},
	{"ul", T_UL},         {"menu", T_UL},       {"dir", T_UL},        {"ol", T_OL},         {"li", T_LI},
	{"tr", T_TR},         {"td", T_CELL},       {"th", T_CELL},       {"a", T_A},           {"img", T_IMG},
};

/* tags[] by name, built once: every start tag is looked up. */
static gpointer tag_index_init(gpointer unused)
{
	GHashTable *idx = g_hash_table_new(g_str_hash, g_str_equal);
	for (gsize i = 0; i < G_N_ELEMENTS(tags); i++)
		g_hash_table_insert(idx, (gpointer)tags[i].name, GINT_TO_POINTER(tags[i].kind + 1));
	return idx;
}

static enum tag_kind tag_kind_of(const char *name)
{
	static GOnce once = G_ONCE_INIT;
	GHashTable *idx = g_once(&once, tag_index_init, NULL);
	char low[16]; /* longer than every name in tags[] */
	gsize n = strlen(name);
	if (n >= sizeof low)
		return T_OTHER;
	for (gsize i = 0; i <= n; i++)
		low[i] = g_ascii_tolower(name[i]);
	gpointer k = g_hash_table_lookup(idx, low);
	return k ? (enum tag_kind)(GPOINTER_TO_INT(k) - 1) : T_OTHER;
}

struct frame {
	enum tag_kind kind;
	int counter;   /* <ol>: next number; <tr>: cells seen */
	char *href;    /* <a>: target to show, or NULL */
	gsize text_at; /* <a>: out->len when it opened */
};

struct mg_html2text {
	struct mg_html2text_opts o;
	htmlParserCtxtPtr ctxt;
	GString *in; /* UTF-8 HTML collected by feed */
	GString *out;
	GArray *stack; /* struct frame */
	int overflow;  /* elements open beyond max_depth */
	int skip;      /* open elements whose content is dropped */
	int forms;     /* open <form> elements (their controls are not counted again) */
	int pre, quote, lists;
	int pending_nl;      /* line breaks owed before the next text */
	gboolean space;      /* a space owed before the next text */
	gboolean space_nl;   /* ... and that white space held a line break */
	gboolean sep;        /* a cell separator owed */
	gboolean line_empty; /* nothing but the prefix on the current line */
	guint events;
	GError *error;
};

/* ---- the text writer ---- */

static void fail(struct mg_html2text *h, int code, const char *msg)
{
	if (!h->error)
		h->error = g_error_new_literal(MG_HTML2TEXT_ERROR, code, msg);
	if (h->ctxt)
		xmlStopParser(h->ctxt);
}

static void put_prefix(struct mg_html2text *h)
{
	for (int i = 0; i < h->quote; i++)
		g_string_append(h->out, "> ");
	h->line_empty = TRUE;
}

static void put_newline(struct mg_html2text *h)
{
	while (h->out->len && h->out->str[h->out->len - 1] == ' ')
		g_string_truncate(h->out, h->out->len - 1);
	g_string_append_c(h->out, '\n');
	put_prefix(h);
}

/* Settle owed breaks and spaces before visible text. */
static void flush_pending(struct mg_html2text *h)
{
	if (h->out->len == 0) {
		if (h->quote && !h->line_empty)
			put_prefix(h);
		h->pending_nl = 0;
		h->space = h->sep = FALSE;
		return;
	}
	for (int i = 0; i < h->pending_nl; i++)
		put_newline(h);
	if (h->pending_nl)
		h->space = h->sep = FALSE;
	h->pending_nl = 0;
	if (h->sep && !h->line_empty)
		g_string_append(h->out, " | ");
	else if (h->space && !h->line_empty)
		g_string_append_c(h->out, ' ');
	h->space = h->sep = FALSE;
}

/* A line break between two wide (CJK) characters is no space: Japanese
 * text wrapped in the HTML source must not get spaces in the middle of
 * a sentence (CSS Text 3, segment break transformation). */
static void drop_cjk_break(struct mg_html2text *h, const char *s, gsize n)
{
	if (!h->space || !h->space_nl || h->pending_nl || h->sep || !h->out->len || !n)
		return;
	const char *last = g_utf8_find_prev_char(h->out->str, h->out->str + h->out->len);
	gunichar a = last ? g_utf8_get_char_validated(last, -1) : 0, b = g_utf8_get_char_validated(s, (gssize)n);
	if (a != (gunichar)-1 && a != (gunichar)-2 && b != (gunichar)-1 && b != (gunichar)-2 && g_unichar_iswide(a) &&
	    g_unichar_iswide(b))
		h->space = FALSE;
}

static void put_text(struct mg_html2text *h, const char *s, gsize n)
{
	drop_cjk_break(h, s, n);
	h->space_nl = FALSE;
	flush_pending(h);
	g_string_append_len(h->out, s, (gssize)n);
	h->line_empty = FALSE;
	if (h->o.max_output && h->out->len > h->o.max_output)
		fail(h, MG_HTML2TEXT_ERROR_LIMIT, "text of the HTML body exceeds the output limit");
}

static void want_break(struct mg_html2text *h, int n)
{
	if (h->out->len && !h->line_empty)
		h->pending_nl = MAX(h->pending_nl, n);
	else if (h->out->len && n == 2 && h->pending_nl < 1)
		h->pending_nl = 1;
}

static gboolean is_ws(gunichar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xA0;
}

/* Character data: collapsed, or kept as it is inside <pre>. */
static void on_text(struct mg_html2text *h, const char *s, gsize n)
{
	const char *end = s + n, *run = s;
	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		gboolean nl = *p == '\n', ws = is_ws(c);
		if (!(h->pre ? nl || *p == '\r' : ws))
			continue;
		if (p > run)
			put_text(h, run, (gsize)(p - run));
		if (h->pre && nl) {
			flush_pending(h);
			put_newline(h);
		} else if (!h->pre) {
			h->space_nl = (h->space ? h->space_nl : FALSE) || nl || *p == '\r';
			h->space = TRUE;
		}
		run = g_utf8_next_char(p);
	}
	if (end > run)
		put_text(h, run, (gsize)(end - run));
}

/* ---- elements ---- */

static const char *attr(const xmlChar **atts, const char *name)
{
	for (int i = 0; atts && atts[i]; i += 2)
		if (g_ascii_strcasecmp((const char *)atts[i], name) == 0)
			return atts[i + 1] ? (const char *)atts[i + 1] : "";
	return NULL;
}

/* hidden, display:none, visibility:hidden, font-size:0 */
static gboolean is_hidden(const xmlChar **atts)
{
	if (attr(atts, "hidden"))
		return TRUE;
	const char *st = attr(atts, "style"), *ty = attr(atts, "type");
	if (ty && g_ascii_strcasecmp(ty, "hidden") == 0)
		return TRUE;
	if (!st)
		return FALSE;
	GString *c = g_string_new(NULL);
	for (const char *p = st; *p; p++)
		if (!g_ascii_isspace(*p))
			g_string_append_c(c, g_ascii_tolower(*p));
	gboolean hid = strstr(c->str, "display:none") || strstr(c->str, "visibility:hidden") ||
		       strstr(c->str, "font-size:0;") || g_str_has_suffix(c->str, "font-size:0") ||
		       strstr(c->str, "font-size:0px");
	g_string_free(c, TRUE);
	return hid;
}

/* Link target worth showing: absolute http(s)/ftp/mailto only. */
static char *link_target(const char *href)
{
	static const char *ok[] = {"http://", "https://", "ftp://", "mailto:"};
	if (!href)
		return NULL;
	char *t = g_strstrip(g_strdup(href));
	for (gsize i = 0; i < G_N_ELEMENTS(ok); i++)
		if (g_ascii_strncasecmp(t, ok[i], strlen(ok[i])) == 0)
			return t;
	g_free(t);
	return NULL;
}

static gboolean is_script_url(const char *href)
{
	while (g_ascii_isspace(*href))
		href++;
	return g_ascii_strncasecmp(href, "javascript:", 11) == 0 || g_ascii_strncasecmp(href, "vbscript:", 9) == 0 ||
	       g_ascii_strncasecmp(href, "data:", 5) == 0;
}

/* "hxxp://", "hxxps://", "fxp://" when defanging is on. */
static char *link_display(const struct mg_html2text *h, const char *t)
{
	if (g_str_has_prefix(t, "mailto:"))
		return g_strdup(t + 7);
	if (!h->o.defang_links)
		return g_strdup(t);
	if (g_ascii_strncasecmp(t, "http", 4) == 0)
		return g_strdup_printf("hxxp%s", t + 4);
	return g_strdup_printf("fxp%s", t + 3);
}

static void count_removed_kind(struct mg_html2text *h, const char *kind)
{
	if (h->o.removed)
		g_hash_table_replace(h->o.removed, (gpointer)kind,
				     GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(h->o.removed, kind)) + 1));
}

/* width or height of 0 or 1: a tracking pixel, not content */
static gboolean is_pixel(const xmlChar **atts)
{
	const char *w = attr(atts, "width"), *ht = attr(atts, "height");
	return (w && g_ascii_strtoll(w, NULL, 10) <= 1 && g_ascii_isdigit(*w)) ||
	       (ht && g_ascii_strtoll(ht, NULL, 10) <= 1 && g_ascii_isdigit(*ht));
}

static void put_image(struct mg_html2text *h, const xmlChar **atts)
{
	if (is_pixel(atts)) {
		count_removed_kind(h, "tracking image");
		return;
	}
	const char *alt = attr(atts, "alt"), *label = h->o.image_label ? h->o.image_label : "画像";
	char *a = alt ? g_strstrip(g_strdup(alt)) : g_strdup("");
	char *s = *a ? g_strdup_printf("[%s: %s]", label, a) : g_strdup_printf("[%s]", label);
	if (h->space || h->out->len == 0 || h->line_empty)
		flush_pending(h);
	else
		h->space = TRUE;
	put_text(h, s, strlen(s));
	g_free(s);
	g_free(a);
}

static void put_bullet(struct mg_html2text *h, struct frame *list)
{
	want_break(h, 1);
	flush_pending(h);
	GString *b = g_string_new(NULL);
	for (int i = 1; i < h->lists; i++)
		g_string_append(b, "  ");
	if (list && list->kind == T_OL)
		g_string_append_printf(b, "%d. ", list->counter++);
	else
		g_string_append(b, "- ");
	g_string_append(h->out, b->str);
	g_string_free(b, TRUE);
	h->line_empty = TRUE; /* no extra space after the bullet */
}

static struct frame *nearest(struct mg_html2text *h, enum tag_kind a, enum tag_kind b)
{
	for (guint i = h->stack->len; i-- > 0;) {
		struct frame *f = &g_array_index(h->stack, struct frame, i);
		if (f->kind == a || f->kind == b)
			return f;
	}
	return NULL;
}

static void open_quote(struct mg_html2text *h)
{
	want_break(h, 2);
	flush_pending(h);
	h->quote++;
	if (h->line_empty || h->out->len == 0)
		g_string_append(h->out, "> ");
}

static void open_cell(struct mg_html2text *h)
{
	struct frame *tr = nearest(h, T_TR, T_TR);
	if (tr && tr->counter++ > 0 && !h->line_empty)
		h->sep = TRUE;
}

static void open_kind(struct mg_html2text *h, struct frame *f, const xmlChar **atts)
{
	switch (f->kind) {
	case T_FORM:
		count_removed_kind(h, "form");
		h->forms++;
		want_break(h, 1);
		break;
	case T_BLOCK:
	case T_TR: want_break(h, 1); break;
	case T_PARA: want_break(h, 2); break;
	case T_BR:
		flush_pending(h);
		put_newline(h);
		break;
	case T_HR:
		want_break(h, 1);
		put_text(h, "----------", 10);
		want_break(h, 1);
		break;
	case T_PRE:
		want_break(h, 2);
		h->pre++;
		break;
	case T_QUOTE: open_quote(h); break;
	case T_UL:
	case T_OL:
		want_break(h, h->lists ? 1 : 2);
		h->lists++;
		f->counter = 1;
		break;
	case T_LI: put_bullet(h, nearest(h, T_UL, T_OL)); break;
	case T_CELL: open_cell(h); break;
	case T_A:
		if (attr(atts, "href") && is_script_url(attr(atts, "href")))
			count_removed_kind(h, "script link");
		f->href = link_target(attr(atts, "href"));
		f->text_at = h->out->len;
		break;
	case T_IMG: put_image(h, atts); break;
	default: break;
	}
}

/* " <target>" after the anchor text, unless the text already is the
 * target (then only a defanged form is added) or there is no text. */
static void close_link(struct mg_html2text *h, struct frame *f)
{
	if (!f->href)
		return;
	char *text = g_strstrip(g_strdup(h->out->str + MIN(f->text_at, h->out->len)));
	const char *bare = f->href + (g_str_has_prefix(f->href, "mailto:") ? 7 : 0);
	char *shown = link_display(h, f->href);
	gboolean same = *text && (strcmp(text, f->href) == 0 || strcmp(text, bare) == 0);
	if (!same || strcmp(shown, bare) != 0) {
		char *s = g_strdup_printf("<%s>", shown);
		h->space = TRUE;
		put_text(h, s, strlen(s));
		g_free(s);
	}
	g_free(shown);
	g_free(text);
}

static void close_kind(struct mg_html2text *h, struct frame *f)
{
	switch (f->kind) {
	case T_FORM:
		h->forms--;
		want_break(h, 1);
		break;
	case T_BLOCK:
	case T_TR:
	case T_LI: want_break(h, 1); break;
	case T_PARA: want_break(h, 2); break;
	case T_PRE:
		h->pre--;
		want_break(h, 2);
		break;
	case T_QUOTE:
		h->quote--;
		h->pending_nl = MAX(h->pending_nl, 1);
		want_break(h, 2);
		break;
	case T_UL:
	case T_OL:
		h->lists--;
		want_break(h, h->lists ? 1 : 2);
		break;
	case T_A: close_link(h, f); break;
	default: break;
	}
	g_free(f->href);
}

static void check_time(struct mg_html2text *h)
{
	if ((++h->events & 1023) == 0 && h->o.deadline_us && g_get_monotonic_time() > h->o.deadline_us)
		fail(h, MG_HTML2TEXT_ERROR_TIME, "HTML conversion took too long");
}

/* The controls of a form: inside a <form> (counted once) not counted again. */
static gboolean is_form_control(const char *tag)
{
	static const char *const controls[] = {"input", "button", "select", "textarea", "option"};
	for (gsize i = 0; i < G_N_ELEMENTS(controls); i++)
		if (g_ascii_strcasecmp(tag, controls[i]) == 0)
			return TRUE;
	return FALSE;
}

/* Active or hidden content dropped, by kind (see mg_html2text.h). */
static void count_removed(struct mg_html2text *h, const char *tag)
{
	static const char *const kinds[][2] = {
		{"script", "script"}, {"iframe", "frame"}, {"frame", "frame"},   {"frameset", "frame"},
		{"object", "object"}, {"embed", "object"}, {"applet", "object"}, {"form", "form"},
		{"svg", "svg"},       {"audio", "media"},  {"video", "media"},   {"button", "form"},
		{"input", "form"},    {"select", "form"},  {"textarea", "form"},
	};
	const char *kind = tag ? NULL : "hidden element";
	for (gsize i = 0; tag && i < G_N_ELEMENTS(kinds); i++)
		if (g_ascii_strcasecmp(tag, kinds[i][0]) == 0)
			kind = kinds[i][1];
	if (kind)
		count_removed_kind(h, kind);
}

static void sax_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
	struct mg_html2text *h = ud;
	check_time(h);
	if (h->error)
		return;
	if ((int)h->stack->len >= h->o.max_depth) {
		h->overflow++;
		return;
	}
	struct frame f = {tag_kind_of((const char *)name), 0, NULL, 0};
	if (h->skip || f.kind == T_SKIP || is_hidden(atts)) {
		if ((!h->skip && !(h->forms && f.kind == T_SKIP && is_form_control((const char *)name))) ||
		    g_ascii_strcasecmp((const char *)name, "script") == 0) /* scripts even in <head> */
			count_removed(h, f.kind == T_SKIP ? (const char *)name : NULL);
		f.kind = T_SKIP;
		h->skip++;
	} else {
		open_kind(h, &f, atts);
	}
	g_array_append_val(h->stack, f); /* libxml2 reports an end for every start */
}

static void sax_end(void *ud, const xmlChar *name)
{
	struct mg_html2text *h = ud;
	(void)name;
	if (h->overflow) {
		h->overflow--;
		return;
	}
	if (h->stack->len == 0 || h->error)
		return;
	struct frame *f = &g_array_index(h->stack, struct frame, h->stack->len - 1);
	if (f->kind == T_SKIP)
		h->skip--;
	else
		close_kind(h, f);
	g_array_set_size(h->stack, h->stack->len - 1);
}

static void sax_chars(void *ud, const xmlChar *s, int n)
{
	struct mg_html2text *h = ud;
	check_time(h);
	if (!h->skip && !h->error && n > 0)
		on_text(h, (const char *)s, (gsize)n);
}

static const htmlSAXHandler *sax_handler(void)
{
	static htmlSAXHandler sax;
	static gsize sax_once = 0;
	if (g_once_init_enter(&sax_once)) {
		xmlInitParser(); /* once, before any thread parses (libxml2 2.9) */
		memset(&sax, 0, sizeof sax);
		sax.startElement = sax_start;
		sax.endElement = sax_end;
		sax.characters = sax_chars;
		sax.ignorableWhitespace = sax_chars;
		g_once_init_leave(&sax_once, 1);
	}
	return &sax;
}

struct mg_html2text *mg_html2text_new(const struct mg_html2text_opts *o)
{
	struct mg_html2text *h = g_new0(struct mg_html2text, 1);
	h->o = *o;
	if (h->o.max_depth <= 0)
		h->o.max_depth = 256;
	if (h->o.max_attributes <= 0)
		h->o.max_attributes = 64;
	h->out = g_string_new(NULL);
	h->in = g_string_new(NULL);
	h->stack = g_array_new(FALSE, TRUE, sizeof(struct frame));
	return h;
}

/* The chunks are collected here and parsed in one pass by finish, with
 * libxml2's memory parser: its push parser (2.9) loses a </script> end tag
 * split across chunks, and drops everything after </html>, which browsers
 * still show.  The input is bounded by the caller (max_part_size). */
gboolean mg_html2text_feed(struct mg_html2text *h, const char *utf8, gsize len, GError **err)
{
	if (!h->error && h->o.deadline_us && g_get_monotonic_time() > h->o.deadline_us)
		h->error = g_error_new_literal(MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_TIME,
					       "HTML conversion took too long");
	if (!h->error)
		g_string_append_len(h->in, utf8, (gssize)len);
	if (h->error) {
		g_propagate_error(err, g_error_copy(h->error));
		return FALSE;
	}
	return TRUE;
}

/* The input bounded before libxml2 sees it (mg_html_guard.h): replaces h->in. */
static void guard_input(struct mg_html2text *h)
{
	struct mg_html_guard_limits lim = {h->o.max_attributes, h->o.max_depth, h->o.deadline_us};
	struct mg_html_guard_stats st;
	GString *g = g_string_sized_new(h->in->len + 1);
	if (!mg_html_guard(h->in->str, h->in->len, &lim, g, &st))
		h->error = g_error_new_literal(MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_TIME,
					       "HTML conversion took too long");
	g_string_free(h->in, TRUE);
	h->in = g;
}

static void parse_all(struct mg_html2text *h)
{
	if (!h->error)
		guard_input(h);
	if (h->error)
		return;
	if (h->in->len > (gsize)G_MAXINT / 2) {
		h->error = g_error_new_literal(MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_LIMIT, "HTML part too large");
		return;
	}
	h->ctxt = htmlCreateMemoryParserCtxt(h->in->len ? h->in->str : " ", h->in->len ? (int)h->in->len : 1);
	if (!h->ctxt) {
		h->error = g_error_new_literal(MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_PARSER,
					       "HTML parser could not be created");
		return;
	}
	memcpy(h->ctxt->sax, sax_handler(), sizeof(htmlSAXHandler)); /* SAX only: no tree */
	h->ctxt->userData = h;
	xmlSwitchEncoding(h->ctxt, XML_CHAR_ENCODING_UTF8);
	htmlCtxtUseOptions(h->ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					    HTML_PARSE_IGNORE_ENC);
	htmlParseDocument(h->ctxt);
}

/* Trailing spaces off each line, at most one blank line in a row, one
 * final newline. */
static char *tidy(const GString *s)
{
	GString *o = g_string_sized_new(s->len + 1);
	int blank = 0;
	char **lines = g_strsplit(s->str, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		g_strchomp(lines[i]);
		gboolean empty = lines[i][strspn(lines[i], "> ")] == '\0';
		if (empty && (blank++ >= 1 || o->len == 0))
			continue;
		if (!empty)
			blank = 0;
		g_string_append(o, lines[i]);
		g_string_append_c(o, '\n');
	}
	g_strfreev(lines);
	while (o->len >= 2 && o->str[o->len - 1] == '\n' && o->str[o->len - 2] == '\n')
		g_string_truncate(o, o->len - 1);
	return g_string_free(o, FALSE);
}

char *mg_html2text_finish(struct mg_html2text *h, GError **err)
{
	char *text = NULL;
	parse_all(h);
	while (h->stack->len) {
		g_free(g_array_index(h->stack, struct frame, h->stack->len - 1).href);
		g_array_set_size(h->stack, h->stack->len - 1);
	}
	if (h->error)
		g_propagate_error(err, h->error);
	else
		text = tidy(h->out);
	if (h->ctxt) {
		if (h->ctxt->myDoc)
			xmlFreeDoc(h->ctxt->myDoc);
		htmlFreeParserCtxt(h->ctxt);
	}
	g_array_unref(h->stack);
	g_string_free(h->out, TRUE);
	g_string_free(h->in, TRUE);
	g_free(h);
	return text;
}

char *mg_html2text_meta_charset(const char *html, gsize len)
{
	char *head = g_ascii_strdown(html, (gssize)MIN(len, 8192));
	char *cs = NULL, *p = strstr(head, "charset=");
	if (p) {
		p += 8;
		p += strspn(p, "\"' ");
		gsize n = strcspn(p, "\"'; />\n\r\t");
		if (n > 0 && n < 40)
			cs = g_strndup(p, n);
	}
	g_free(head);
	return cs;
}

char *mg_html2text(const char *html, gsize len, const char *charset, const struct mg_html2text_opts *o, GError **err)
{
	if (!html) /* an empty GByteArray has no data */
		html = "", len = 0;
	/* the document's own meta charset is weighed against the label (a PHP
	 * page labelled iso-8859-1 whose meta says Shift_JIS): mg_charset */
	char *meta = mg_html2text_meta_charset(html, len);
	GError *cerr = NULL;
	char *utf8 = mg_charset_to_utf8_hint_checked(html, len, charset, meta, NULL, &cerr);
	if (!utf8) { /* iconv failed: the parser's kind of error (fails the message closed) */
		g_set_error(err, MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_PARSER, "%s", cerr->message);
		g_error_free(cerr);
		g_free(meta);
		return NULL;
	}
	struct mg_html2text *h = mg_html2text_new(o);
	char *text = NULL;
	if (mg_html2text_feed(h, utf8, strlen(utf8), err))
		text = mg_html2text_finish(h, err);
	else
		mg_html2text_finish(h, NULL);
	g_free(utf8);
	g_free(meta);
	return text;
}
