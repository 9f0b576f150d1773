/*
 * hdrenc_addr.c - address lists (From, To, Cc, ...): display names
 * decoded with the relay's decoders and encoded again, addresses kept.
 *
 * Why a hand-written splitter: GMime's address parser decodes display
 * names with iconv by label (NEC/IBM characters in ISO-2022-JP lost, a
 * wrong label believed) and cannot hand back the raw phrase.  Only the
 * top-level structure is needed here (mailboxes separated by commas,
 * groups, quoted strings, comments, angle brackets), RFC 5322 section 3.4
 * read loosely as senders write it.
 */
#include "config.h"

#include <string.h>

#include "hdrenc_priv.h"
#include "mg_charset.h"
#include "mg_hdrenc.h"

/* Skip a quoted string or a (nested) comment starting at p; returns the
 * position after it, or NULL when it is not closed. */
static const char *skip_delimited(const char *p)
{
	int depth = 0;
	gboolean quote = *p == '"';
	for (p += quote; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (quote && *p == '"')
			return p + 1;
		else if (!quote && *p == '(')
			depth++;
		else if (!quote && *p == ')' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* The display text of a phrase: quoted strings unquoted, comments kept in
 * parentheses, then encoded words and controls dealt with. */
static char *phrase_text(const char *s, gsize n)
{
	GString *g = g_string_new(NULL);
	for (gsize i = 0; i < n; i++) {
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				g_string_append_c(g, s[i]);
			}
		} else if (s[i] == '\\' && i + 1 < n) {
			g_string_append_c(g, s[++i]);
		} else {
			g_string_append_c(g, s[i]);
		}
	}
	char *t = mg_hdrenc_decode(g->str);
	g_string_free(g, TRUE);
	return t;
}

struct mbox {
	char *name, *addr; /* UTF-8 display name (may be empty), address */
	gboolean angle;
};

/* Split one mailbox "phrase <addr>" or "addr (comment)". */
static gboolean mbox_parse(const char *s, gsize n, struct mbox *m)
{
	const char *lt = NULL, *gt = NULL;
	for (const char *p = s; p < s + n; p++) {
		if (*p == '"' || *p == '(') {
			const char *e = skip_delimited(p);
			if (!e || e > s + n)
				return FALSE;
			p = e - 1;
		} else if (*p == '<' && !lt) {
			lt = p;
		} else if (*p == '>' && lt && !gt) {
			gt = p;
		}
	}
	if (lt && !gt)
		return FALSE;
	m->angle = lt != NULL;
	if (lt) {
		m->name = phrase_text(s, (gsize)(lt - s));
		m->addr = g_strstrip(g_strndup(lt + 1, (gsize)(gt - lt - 1)));
		return TRUE;
	}
	GString *addr = g_string_new(NULL), *comment = g_string_new(NULL);
	for (const char *p = s; p < s + n; p++) {
		const char *e = *p == '"' || *p == '(' ? skip_delimited(p) : NULL; /* closed within: checked above */
		if (e && *p == '(')
			g_string_append_len(comment, p + 1, e - p - 2);
		else
			g_string_append_len(addr, p, e ? e - p : 1);
		if (e)
			p = e - 1;
	}
	m->name = phrase_text(comment->str, comment->len);
	m->addr = g_strstrip(g_string_free(addr, FALSE));
	g_string_free(comment, TRUE);
	return TRUE;
}

static gboolean atext_phrase(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr(" !#$%&'*+-/=?^_`{|}~", *p))
			return FALSE;
	return !strstr(name, "=?");
}

static gboolean ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((guchar)*s < 0x20 || (guchar)*s > 0x7E)
			return FALSE;
	return TRUE;
}

/* Write one mailbox; `last` decides the trailing comma. */
static void mbox_put(struct mg_hdrenc_fold *f, const struct mbox *m, gboolean first, gboolean last,
		     enum mg_hdrenc_cs cs)
{
	const char *ws = first ? "" : " ";
	char *addr = m->angle || *m->name ? g_strdup_printf("<%s>%s", m->addr, last ? "" : ",")
					  : g_strdup_printf("%s%s", m->addr, last ? "" : ",");
	if (*m->name && ascii_printable(m->name) && strlen(m->name) <= 60) {
		GString *q = g_string_new(NULL);
		if (atext_phrase(m->name)) {
			g_string_append(q, m->name);
		} else {
			g_string_append_c(q, '"');
			for (const char *p = m->name; *p; p++) {
				if (*p == '"' || *p == '\\')
					g_string_append_c(q, '\\');
				g_string_append_c(q, *p);
			}
			g_string_append_c(q, '"');
		}
		mg_hdrenc_put(f, ws, q->str);
		g_string_free(q, TRUE);
		ws = " ";
	} else if (*m->name) {
		mg_hdrenc_put_words(f, ws, m->name, mg_hdrenc_cs_for(m->name, cs));
		ws = " ";
	}
	mg_hdrenc_put(f, ws, addr);
	g_free(addr);
}

/* An address that can go out as it came: printable ASCII that fits a
 * line.  Anything else (raw 8-bit, a runaway token) makes the whole field
 * go out as text, which the encoder can always fold. */
static gboolean address_ok(const char *addr)
{
	return ascii_printable(addr) && strlen(addr) <= 254;
}

struct addr_item {
	const char *s;
	gsize n;
	char sep; /* what ended it: ',' ':' ';' or 0 */
};

/* Top-level items of the list (commas, group colon and semicolon). */
static GArray *split_items(const char *v)
{
	GArray *items = g_array_new(FALSE, FALSE, sizeof(struct addr_item));
	const char *start = v;
	int angle = 0;
	for (const char *p = v;; p++) {
		if (*p == '"' || *p == '(') {
			const char *e = skip_delimited(p);
			if (!e) {
				g_array_free(items, TRUE);
				return NULL;
			}
			p = e - 1;
			continue;
		}
		angle += *p == '<' ? 1 : *p == '>' ? -1 : 0;
		if (*p && (angle > 0 || !strchr(",:;", *p)))
			continue;
		struct addr_item it = {start, (gsize)(p - start), *p};
		g_array_append_val(items, it);
		if (!*p)
			break;
		start = p + 1;
	}
	return items;
}

static gboolean blank(const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isspace(s[i]))
			return FALSE;
	return TRUE;
}

/* A group's display name: "name:" written as a phrase. */
static void group_put(struct mg_hdrenc_fold *f, const struct addr_item *it, gboolean first, enum mg_hdrenc_cs cs)
{
	char *name = phrase_text(it->s, it->n);
	const char *ws = first ? "" : " ";
	if (ascii_printable(name) && strlen(name) <= 60) {
		char *g = g_strdup_printf("%s:", name);
		mg_hdrenc_put(f, ws, g);
		g_free(g);
	} else {
		mg_hdrenc_put_words(f, ws, name, mg_hdrenc_cs_for(name, cs));
		mg_hdrenc_put(f, "", ":");
	}
	g_free(name);
}

static gboolean list_put(struct mg_hdrenc_fold *f, GArray *items, enum mg_hdrenc_cs cs)
{
	gboolean first = TRUE;
	for (guint i = 0; i < items->len; i++) {
		const struct addr_item *it = &g_array_index(items, struct addr_item, i);
		if (it->sep == ':') {
			group_put(f, it, first, cs);
			first = FALSE;
			continue;
		}
		if (!blank(it->s, it->n)) {
			struct mbox m = {NULL, NULL, FALSE};
			if (!mbox_parse(it->s, it->n, &m) || !address_ok(m.addr)) {
				g_free(m.name);
				g_free(m.addr);
				return FALSE;
			}
			gboolean last = it->sep != ',' || i + 1 == items->len;
			mbox_put(f, &m, first, last, cs);
			g_free(m.name);
			g_free(m.addr);
			first = FALSE;
		}
		if (it->sep == ';')
			mg_hdrenc_put(f, "", ";");
	}
	return TRUE;
}

char *mg_hdrenc_encode_addresses(const char *name, const char *raw, enum mg_hdrenc_cs cs)
{
	GString *flat = g_string_new(NULL); /* unfolded */
	for (const char *p = raw; *p; p++)
		if (*p != '\r' && *p != '\n')
			g_string_append_c(flat, *p);
	char *v = mg_charset_to_utf8(flat->str, flat->len, NULL, NULL); /* raw 8-bit and raw JIS */
	g_string_free(flat, TRUE);
	struct mg_hdrenc_fold f;
	mg_hdrenc_fold_init(&f, name);
	GArray *items = split_items(v);
	if (!items || !list_put(&f, items, cs)) { /* not an address list after all: text */
		g_string_free(f.out, TRUE);
		char *text = mg_hdrenc_decode(v);
		char *out = mg_hdrenc_encode_text(name, text, cs);
		g_free(text);
		g_free(v);
		if (items)
			g_array_free(items, TRUE);
		return out;
	}
	g_array_free(items, TRUE);
	g_free(v);
	return g_string_free(f.out, FALSE);
}
