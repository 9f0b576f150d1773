/*
 * cdr_text.c - text-format attachments rebuilt or converted.
 *
 * mg_cdr_rtf: RTF without embedded objects.  Groups whose destination is
 * \object, \objdata, \objclass, \objname, \objalias, \objsect, \datastore
 * or \template are dropped whole; a \fldinst that mg_cdr_field_is_risky()
 * flags (DDE, INCLUDE*, HYPERLINK to a file ...) is dropped (the field
 * keeps its \fldrslt; a field code over 64 KiB is dropped unread);
 * anything after the closing brace of the document (polyglot data) is
 * dropped; unclosed groups are closed.  Why a
 * hand-written tokenizer: Debian has no maintained C library that parses
 * and writes RTF; the tokenizer only splits {, }, control words (with
 * \binN skipping) and text, bounded by a nesting limit, and everything it
 * does not remove is copied byte for byte.
 *
 * mg_cdr_csv: formula injection neutralised.  A cell (comma or tab
 * separated, RFC 4180 quotes) whose first non-blank character is = + - @
 * (or their full-width forms) or that starts with TAB/CR gets a leading
 * apostrophe, so spreadsheets show it as text; plain numbers such as -12.5
 * stay.  Bytes are handled as bytes: every delimiter is ASCII and below
 * 0x40, so Shift_JIS/EUC-JP/UTF-8 text passes through intact.  UTF-16
 * with a byte order mark (Excel's Unicode export) is converted to UTF-8
 * with a BOM first (CONVERTED); other content with NUL bytes is
 * unscannable.
 *
 * mg_cdr_html: an HTML attachment becomes text/plain (mg_html2text); when
 * the converter fails, the file is unscannable.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_cdr_policy.h"
#include "mg_html2text.h"

#define RTF_MAX_DEPTH  512
#define RTF_FIELD_SCAN 65536 /* a field code longer than this is dropped unread */

static const char *const rtf_drop_dest[] = {"object",   "objdata", "objclass",  "objname",
					    "objalias", "objsect", "datastore", "template"};

enum rtf_tok { RTF_OPEN, RTF_CLOSE, RTF_WORD, RTF_SYMBOL, RTF_TEXT, RTF_END };

struct rtf_token {
	enum rtf_tok kind;
	char word[33]; /* control word name */
	gsize start, end;
};

/* One token at d[i]. */
static void rtf_next(const guint8 *d, gsize len, gsize i, struct rtf_token *t)
{
	t->start = i;
	t->word[0] = '\0';
	if (i >= len) {
		t->kind = RTF_END;
		t->end = i;
		return;
	}
	if (d[i] == '{' || d[i] == '}') {
		t->kind = d[i] == '{' ? RTF_OPEN : RTF_CLOSE;
		t->end = i + 1;
		return;
	}
	if (d[i] != '\\') {
		t->kind = RTF_TEXT;
		while (++i < len && d[i] != '{' && d[i] != '}' && d[i] != '\\')
			;
		t->end = i;
		return;
	}
	if (i + 1 >= len || !g_ascii_isalpha(d[i + 1])) {
		t->kind = RTF_SYMBOL;
		t->end = MIN(i + 2, len);
		return;
	}
	gsize n = 0, j = i + 1;
	while (j < len && g_ascii_isalpha(d[j]) && n < 32)
		t->word[n++] = d[j++];
	t->word[n] = '\0';
	while (j < len && g_ascii_isalpha(d[j])) /* over-long word: ignored tail */
		j++;
	gint64 param = 0;
	gboolean has_param = j < len && (d[j] == '-' || g_ascii_isdigit(d[j]));
	if (j < len && d[j] == '-')
		j++;
	for (int k = 0; j < len && g_ascii_isdigit(d[j]); j++, k++)
		if (k < 10)
			param = param * 10 + (d[j] - '0');
	if (j < len && d[j] == ' ')
		j++;
	if (g_str_equal(t->word, "bin") && has_param && param > 0) /* raw bytes follow */
		j += MIN((gsize)param, len - j);
	t->kind = RTF_WORD;
	t->end = j;
}

/* The destination of the group that opens at d[i] ("{\*\objdata" -> objdata). */
static void rtf_dest(const guint8 *d, gsize len, gsize i, char *out)
{
	struct rtf_token t;
	out[0] = '\0';
	gsize j = i + 1;
	for (int k = 0; k < 3; k++) {
		while (j < len && (d[j] == '\r' || d[j] == '\n' || d[j] == ' '))
			j++;
		rtf_next(d, len, j, &t);
		if (t.kind == RTF_SYMBOL && j + 1 < len && d[j + 1] == '*') {
			j = t.end;
			continue;
		}
		if (t.kind == RTF_WORD)
			g_strlcpy(out, t.word, 33);
		return;
	}
}

/* Index just past the group opening at d[i] (len if unclosed); the group's
 * plain text goes to `text` when not NULL. */
static gsize rtf_group_end(const guint8 *d, gsize len, gsize i, GString *text)
{
	struct rtf_token t;
	int depth = 0;
	for (gsize j = i;; j = t.end) {
		rtf_next(d, len, j, &t);
		if (t.kind == RTF_END)
			return len;
		if (text && t.start - i > RTF_FIELD_SCAN) /* text mode reads a bounded prefix */
			return G_MAXSIZE;
		if (t.kind == RTF_OPEN)
			depth++;
		else if (t.kind == RTF_CLOSE && --depth == 0)
			return t.end;
		else if (t.kind == RTF_TEXT && text && text->len < 4096)
			g_string_append_len(text, (const char *)d + t.start, t.end - t.start);
		else if (t.kind == RTF_SYMBOL && text && text->len < 4096 && t.end - t.start == 2 &&
			 strchr("\\{}", d[t.start + 1]) && d[t.start + 1])
			g_string_append_c(text, d[t.start + 1]);
	}
}

/* Should the group at d[i] go?  *what names it for the report. */
static gboolean rtf_drop_group(const guint8 *d, gsize len, gsize i, const char **what)
{
	char dest[33];
	rtf_dest(d, len, i, dest);
	for (gsize k = 0; k < G_N_ELEMENTS(rtf_drop_dest); k++)
		if (g_str_equal(dest, rtf_drop_dest[k])) {
			*what = g_str_equal(dest, "template")    ? "remote template reference"
				: g_str_equal(dest, "datastore") ? "data store (embedded OLE data)"
								 : "embedded OLE object or package";
			return TRUE;
		}
	if (!g_str_equal(dest, "fldinst"))
		return FALSE;
	GString *text = g_string_new(NULL);
	gboolean oversized = rtf_group_end(d, len, i, text) == G_MAXSIZE;
	gboolean bad = oversized || mg_cdr_field_is_risky(text->str);
	g_string_free(text, TRUE);
	*what = oversized ? "oversized field code" : "DDE or include field";
	return bad;
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* One "what removed: N" line per kind, in a stable order. */
static void note_removed(struct mg_cdr_out *out, GHashTable *counts)
{
	guint first = out->removed->len;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, counts);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(out->removed, g_strdup_printf("%s removed: %d", (char *)k, GPOINTER_TO_INT(v)));
	GPtrArray *tail = g_ptr_array_new();
	for (guint i = first; i < out->removed->len; i++)
		g_ptr_array_add(tail, out->removed->pdata[i]);
	g_ptr_array_sort(tail, str_ptr_cmp);
	for (guint i = 0; i < tail->len; i++)
		out->removed->pdata[first + i] = tail->pdata[i];
	g_ptr_array_free(tail, TRUE);
}

static void count_add(GHashTable *counts, const char *what)
{
	int n = GPOINTER_TO_INT(g_hash_table_lookup(counts, what));
	g_hash_table_insert(counts, (gpointer)what, GINT_TO_POINTER(n + 1));
}

enum mg_cdr_status mg_cdr_rtf(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	const guint8 *d = in->data;
	gsize len = in->len, i = 0;
	int depth = 0;
	struct rtf_token t;
	if (len < 5 || memcmp(d, "{\\rtf", 5) != 0) {
		out->reason = g_strdup("corrupt RTF: no {\\rtf header");
		return MG_CDR_UNSCANNABLE;
	}
	GHashTable *counts = g_hash_table_new(g_str_hash, g_str_equal);
	out->data = g_byte_array_sized_new((guint)len);
	for (guint n = 0; i < len; i = t.end) {
		if ((++n & 0xffff) == 0 && in->deadline_us > 0 && g_get_monotonic_time() > in->deadline_us)
			break; /* cdr.c turns the late result into "time budget exceeded" */
		rtf_next(d, len, i, &t);
		const char *what = NULL;
		if (t.kind == RTF_OPEN && depth > 0 && rtf_drop_group(d, len, i, &what)) {
			count_add(counts, what);
			t.end = rtf_group_end(d, len, i, NULL);
			continue;
		}
		if (t.kind == RTF_OPEN && ++depth > RTF_MAX_DEPTH)
			break;
		g_byte_array_append(out->data, d + t.start, (guint)(t.end - t.start));
		if (t.kind == RTF_CLOSE && --depth == 0) {
			i = t.end;
			break;
		}
	}
	if (depth > RTF_MAX_DEPTH) {
		g_hash_table_destroy(counts);
		out->reason = g_strdup("RTF nesting exceeds the limit");
		return MG_CDR_UNSCANNABLE;
	}
	for (; depth > 0; depth--)
		g_byte_array_append(out->data, (const guint8 *)"}", 1);
	if (i < len && len - i > 2)
		count_add(counts, "data after the end of the document");
	note_removed(out, counts);
	out->reason = g_strdup_printf("RTF rebuilt: %u kind%s of active content removed", g_hash_table_size(counts),
				      g_hash_table_size(counts) == 1 ? "" : "s");
	g_hash_table_destroy(counts);
	return MG_CDR_REBUILT;
}

/* ---- CSV ---- */

static gboolean is_plain_number(const guint8 *s, gsize n)
{
	gsize i = 0, digits = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && (g_ascii_isdigit(s[i]) || s[i] == '.' || s[i] == ','); i++)
		digits += g_ascii_isdigit(s[i]) != 0;
	return digits > 0 && i == n;
}

/* The first meaningful bytes of a cell start a formula. */
static gboolean cell_risky(const guint8 *s, gsize n)
{
	gsize i = 0;
	if (n > 0 && (s[0] == '\t' || s[0] == '\r'))
		return TRUE;
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n)
		return FALSE;
	if (strchr("=+-@", s[i]) && s[i] != '\0')
		return !is_plain_number(s + i, n - i);
	/* U+FF1D U+FF0B U+FF0D U+FF20 in UTF-8 (EF BC 9D/8B/8D/A0) */
	return n - i >= 3 && s[i] == 0xef && s[i + 1] == 0xbc && strchr("\x9d\x8b\x8d\xa0", s[i + 2]) && s[i + 2];
}

/* Copy one cell starting at d[i]; returns the index of its delimiter. */
static gsize csv_cell(const guint8 *d, gsize len, gsize i, GByteArray *o, int *n_fixed)
{
	gsize j = i;
	gboolean quoted = j < len && d[j] == '"';
	if (quoted) {
		for (j++; j < len; j++)
			if (d[j] == '"' && (j + 1 >= len || d[j + 1] != '"'))
				break;
			else if (d[j] == '"')
				j++;
		j = MIN(j + 1, len);
	}
	while (j < len && d[j] != ',' && d[j] != '\t' && d[j] != '\n' &&
	       !(d[j] == '\r' && j + 1 < len && d[j + 1] == '\n'))
		j++;
	const guint8 *body = d + i + (quoted ? 1 : 0);
	gsize blen = (j - i) - (quoted ? 1 : 0);
	gsize check_len = blen - (quoted && blen > 0 && body[blen - 1] == '"' ? 1 : 0); /* without the closing quote */
	if (cell_risky(body, check_len)) {
		(*n_fixed)++;
		g_byte_array_append(o, (const guint8 *)(quoted ? "\"'" : "'"), quoted ? 2 : 1);
		g_byte_array_append(o, body, (guint)blen);
	} else {
		g_byte_array_append(o, d + i, (guint)(j - i));
	}
	return j;
}

/* Copy d[0..len) to out->data with every risky cell neutralised. */
static enum mg_cdr_status csv_neutralise(const struct mg_cdr_in *in, const guint8 *d, gsize len, struct mg_cdr_out *out)
{
	int fixed = 0;
	guint cells = 0;
	for (gsize i = 0; i < len;) {
		i = csv_cell(d, len, i, out->data, &fixed);
		if (i < len) {
			gsize dl = d[i] == '\r' ? 2 : 1;
			g_byte_array_append(out->data, d + i, (guint)dl);
			i += dl;
		}
		if ((++cells & 0xfff) == 0 && in->deadline_us > 0 && g_get_monotonic_time() > in->deadline_us) {
			out->reason = g_strdup("time budget exceeded");
			return MG_CDR_UNSCANNABLE;
		}
	}
	if (fixed)
		g_ptr_array_add(out->removed, g_strdup_printf("formula cells neutralised: %d", fixed));
	out->reason = g_strdup_printf("CSV rebuilt: %d formula cell%s neutralised", fixed, fixed == 1 ? "" : "s");
	return MG_CDR_REBUILT;
}

/* UTF-16 with a byte order mark (Excel's "Unicode" export) as UTF-8, or NULL. */
static char *csv_from_utf16(const guint8 *d, gsize len, gsize *out_len)
{
	const char *cs = NULL;
	if (len >= 2 && d[0] == 0xff && d[1] == 0xfe)
		cs = "UTF-16LE";
	else if (len >= 2 && d[0] == 0xfe && d[1] == 0xff)
		cs = "UTF-16BE";
	char *u = cs ? g_convert((const char *)d + 2, len - 2, "UTF-8", cs, NULL, out_len, NULL) : NULL;
	if (u && memchr(u, '\0', *out_len)) {
		g_free(u);
		u = NULL;
	}
	return u;
}

enum mg_cdr_status mg_cdr_csv(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	if (!memchr(in->data, '\0', in->len)) {
		out->data = g_byte_array_sized_new((guint)in->len + 64);
		return csv_neutralise(in, in->data, in->len, out);
	}
	gsize ulen = 0;
	char *u = csv_from_utf16(in->data, in->len, &ulen);
	if (!u) {
		out->reason = g_strdup("corrupt CSV: binary content");
		return MG_CDR_UNSCANNABLE;
	}
	out->data = g_byte_array_sized_new((guint)ulen + 64);
	g_byte_array_append(out->data, (const guint8 *)"\xef\xbb\xbf", 3); /* BOM: Excel reads it as UTF-8 */
	enum mg_cdr_status st = csv_neutralise(in, (const guint8 *)u, ulen, out);
	g_free(u);
	if (st != MG_CDR_REBUILT)
		return st;
	out->new_type = g_strdup("text/csv");
	g_ptr_array_add(out->removed, g_strdup("UTF-16 converted to UTF-8"));
	return MG_CDR_CONVERTED;
}

/* ---- HTML ---- */

static char *txt_name(const char *name)
{
	if (!name)
		return NULL;
	const char *dot = strrchr(name, '.');
	return g_strdup_printf("%.*s.txt", (int)(dot && dot != name ? dot - name : (long)strlen(name)), name);
}

enum mg_cdr_status mg_cdr_html(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	GError *err = NULL;
	struct mg_html2text_opts o = {.defang_links = TRUE,
				      .max_output = (gsize)in->ctx->cfg->attachment_max_output,
				      .deadline_us = in->deadline_us};
	char *text = mg_html2text((const char *)in->data, in->len, NULL, &o, &err);
	if (!text) {
		/* the parser or iconv failed, not the file: fail closed (issue 11) */
		gboolean lib = err && g_error_matches(err, MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_PARSER);
		out->reason = g_strdup_printf("HTML could not be converted to text (%s)", err ? err->message : "?");
		g_clear_error(&err);
		return lib ? MG_CDR_ERROR : MG_CDR_UNSCANNABLE;
	}
	gsize n = strlen(text);
	out->data = g_byte_array_new_take((guint8 *)text, n);
	out->new_type = g_strdup("text/plain");
	out->new_filename = txt_name(in->filename);
	g_ptr_array_add(out->removed, g_strdup("HTML markup, scripts and active links (converted to text)"));
	out->reason = g_strdup("HTML converted to plain text");
	return MG_CDR_CONVERTED;
}
