/*
 * cdr_rtf.c - RTF rebuilt without embedded objects, active fields or
 * remote references (mg_cdr_rtf, mg_cdr.h).
 *
 * Two passes over one tokenizer (rtf_next):
 *   1. analysis: a stack of open groups (at most RTF_MAX_DEPTH) marks a
 *      group for removal when a control word of rtf_drop_words, or any word
 *      that begins with "obj" (every such word belongs to an object, and a
 *      cut-off "\obj" must not pass), appears anywhere at its own level,
 *      in any case (Word reads "\OBJECT" and
 *      "{\rtlch\fcs1 \object" as objects), including a word split by a
 *      line break ("\obj" CR LF "data": RTF readers ignore raw CR and LF);
 *      a \fldinst group collects its field code with \'hh and \uN (and
 *      \ucN fallbacks) decoded, and is marked when the code is not on the
 *      field allowlist (mg_cdr_field.h) or holds a nested \field (QUOTE
 *      building DDEAUTO);
 *   2. output (as application/rtf): every token is copied byte for byte
 *      except the marked groups (a field keeps its \fldrslt, the text Word shows) and
 *      anything after the document's closing brace; unclosed groups are
 *      closed.
 * Only marked groups are remembered (by their opening offset), so memory
 * does not grow with the number of groups.  Why a hand-written tokenizer:
 * Debian has no maintained C library that parses and writes RTF
 * (librtf/unrtf convert to other formats and lose the bytes); the
 * tokenizer only splits {, }, control words and symbols (\binN data
 * skipped) and text.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_cdr_field.h"

#define RTF_MAX_DEPTH 512
#define RTF_FIELD_MAX 4096 /* decoded field code bytes kept; longer codes are not passive */
#define RTF_WORD_MAX  32

/* Control words that make their whole group go, and what the report calls it. */
static const struct {
	const char *word;
	const char *what;
} rtf_drop_words[] = {
	{"object", "embedded OLE object or package"},
	{"objdata", "embedded OLE object or package"},
	{"objupdate", "embedded OLE object or package"},
	{"objemb", "embedded OLE object or package"},
	{"objlink", "embedded OLE object or package"},
	{"objautlink", "embedded OLE object or package"},
	{"objsub", "embedded OLE object or package"},
	{"objpub", "embedded OLE object or package"},
	{"objicemb", "embedded OLE object or package"},
	{"objhtml", "embedded OLE object or package"},
	{"objocx", "embedded OLE object or package"},
	{"objclass", "embedded OLE object or package"},
	{"objname", "embedded OLE object or package"},
	{"objalias", "embedded OLE object or package"},
	{"objsect", "embedded OLE object or package"},
	{"datastore", "data store (embedded OLE data)"},
	{"template", "remote template reference"},
	{"mmconnectstr", "mail merge data source"},
	{"mmdatasource", "mail merge data source"},
	{"mmquery", "mail merge data source"},
	{"mailmerge", "mail merge data source"},
	{"datafield", "form field data"},
	{"xmlopen", "XML data binding"},
	{"pxe", "XML data binding"},
};

enum rtf_tok { RTF_OPEN, RTF_CLOSE, RTF_WORD, RTF_SYMBOL, RTF_HEX, RTF_TEXT, RTF_END };

struct rtf_token {
	enum rtf_tok kind;
	char word[RTF_WORD_MAX + 1];   /* control word, lower case */
	char joined[RTF_WORD_MAX + 1]; /* the word with letters after CR/LF joined on, lower case */
	gint64 param;
	gboolean has_param;
	gsize start, end;
};

static gsize rtf_letters(const guint8 *d, gsize len, gsize j, char *out, gsize *n)
{
	while (j < len && g_ascii_isalpha(d[j])) {
		if (*n < RTF_WORD_MAX)
			out[(*n)++] = g_ascii_tolower(d[j]);
		j++;
	}
	out[*n] = '\0';
	return j;
}

static gsize rtf_param(const guint8 *d, gsize len, gsize j, struct rtf_token *t)
{
	gboolean neg = j < len && d[j] == '-';
	t->param = 0;
	t->has_param = j + neg < len && g_ascii_isdigit(d[j + neg]);
	if (!t->has_param)
		return j;
	j += neg;
	for (int k = 0; j < len && g_ascii_isdigit(d[j]); j++, k++)
		if (k < 10)
			t->param = t->param * 10 + (d[j] - '0');
	if (neg)
		t->param = -t->param;
	return j;
}

static void rtf_control(const guint8 *d, gsize len, gsize i, struct rtf_token *t)
{
	gsize n = 0, j = rtf_letters(d, len, i + 1, t->word, &n);
	gsize k = j, m = n;
	memcpy(t->joined, t->word, n + 1);
	while (k < len && (d[k] == '\r' || d[k] == '\n'))
		k++;
	if (k > j)
		rtf_letters(d, len, k, t->joined, &m);
	j = rtf_param(d, len, j, t);
	if (j < len && d[j] == ' ')
		j++;
	if (g_str_equal(t->word, "bin") && t->has_param && t->param > 0) /* raw bytes follow */
		j += MIN((gsize)t->param, len - j);
	t->kind = RTF_WORD;
	t->end = j;
}

/* One token at d[i]. */
static void rtf_next(const guint8 *d, gsize len, gsize i, struct rtf_token *t)
{
	t->start = i;
	t->word[0] = t->joined[0] = '\0';
	t->has_param = FALSE;
	if (i >= len) {
		t->kind = RTF_END;
		t->end = i;
	} else if (d[i] == '{' || d[i] == '}') {
		t->kind = d[i] == '{' ? RTF_OPEN : RTF_CLOSE;
		t->end = i + 1;
	} else if (d[i] != '\\') {
		t->kind = RTF_TEXT;
		const guint8 *p = d + i;
		while (p < d + len && *p != '{' && *p != '}' && *p != '\\')
			p++;
		t->end = (gsize)(p - d);
	} else if (i + 1 < len && g_ascii_isalpha(d[i + 1])) {
		rtf_control(d, len, i, t);
	} else if (i + 3 < len && d[i + 1] == '\'' && g_ascii_isxdigit(d[i + 2]) && g_ascii_isxdigit(d[i + 3])) {
		t->kind = RTF_HEX;
		t->param = g_ascii_xdigit_value(d[i + 2]) * 16 + g_ascii_xdigit_value(d[i + 3]);
		t->end = i + 4;
	} else {
		t->kind = RTF_SYMBOL;
		t->end = MIN(i + 2, len);
	}
}

/* ---- pass 1: which groups go ---- */

struct rtf_group {
	gsize start;
	const char *drop; /* what the report calls it, or NULL */
	int uc;           /* \ucN: fallback characters after \uN */
	gint field;       /* index of the \fldinst group collecting this text, or -1 */
	GString *code;    /* the field code when this group is a \fldinst */
	gboolean nested;  /* a \field inside this \fldinst */
};

struct rtf_scan {
	const guint8 *d;
	gsize len;
	struct rtf_group stack[RTF_MAX_DEPTH];
	int depth;
	int skip;              /* \uN fallback characters still to skip */
	GHashTable *drop;      /* start offset -> end offset of groups that go */
	GHashTable *drop_what; /* start offset -> report text */
	GHashTable *counts;    /* report text -> count */
	gsize doc_end;         /* offset after the document's closing brace */
	gboolean too_deep;
};

/* Text of the current group: a \uN fallback is skipped, field code text
 * is collected. */
static void code_add(struct rtf_scan *s, const char *txt, gsize n)
{
	if (s->skip > 0) {
		s->skip--;
		return;
	}
	if (s->depth == 0 || s->stack[s->depth - 1].field < 0)
		return;
	GString *code = s->stack[s->stack[s->depth - 1].field].code;
	if (code->len < RTF_FIELD_MAX + 1)
		g_string_append_len(code, txt, (gssize)MIN(n, RTF_FIELD_MAX + 1 - code->len));
}

static void scan_word(struct rtf_scan *s, const struct rtf_token *t)
{
	struct rtf_group *g = &s->stack[s->depth - 1];
	for (gsize k = 0; k < G_N_ELEMENTS(rtf_drop_words) && !g->drop; k++)
		if (g_str_equal(t->word, rtf_drop_words[k].word) || g_str_equal(t->joined, rtf_drop_words[k].word))
			g->drop = rtf_drop_words[k].what;
	if (!g->drop && (g_str_has_prefix(t->word, "obj") || g_str_has_prefix(t->joined, "obj")))
		g->drop = "embedded OLE object or package";
	if (g_str_equal(t->word, "fldinst") && !g->code) {
		g->code = g_string_new(NULL);
		g->field = s->depth - 1;
	} else if (g_str_equal(t->word, "field") && g->field >= 0) {
		s->stack[g->field].nested = TRUE;
	} else if (g_str_equal(t->word, "uc") && t->has_param) {
		g->uc = (int)CLAMP(t->param, 0, 8);
	} else if (g_str_equal(t->word, "u") && t->has_param) {
		char buf[8];
		gunichar c = (gunichar)(t->param < 0 ? t->param + 65536 : t->param);
		int n = g_unichar_validate(c) ? g_unichar_to_utf8(c, buf) : 0;
		int keep = s->skip;
		s->skip = 0;
		code_add(s, buf, (gsize)n);
		s->skip = keep + g->uc;
		return;
	} else if (g_str_equal(t->word, "tab")) {
		code_add(s, "\t", 1);
	}
	if (s->skip > 0)
		s->skip--; /* a control word can be a fallback too */
}

static void count_add(GHashTable *counts, const char *what)
{
	g_hash_table_insert(counts, (gpointer)what,
			    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(counts, what)) + 1));
}

static void scan_close(struct rtf_scan *s, gsize end)
{
	struct rtf_group *g = &s->stack[--s->depth];
	if (g->code && !g->drop && (g->nested || !mg_cdr_field_is_passive(g->code->str, g->code->len)))
		g->drop = "active or unknown field (DDE, INCLUDE, QUOTE ...)";
	if (g->drop) {
		g_hash_table_insert(s->drop, GSIZE_TO_POINTER(g->start + 1), GSIZE_TO_POINTER(end));
		g_hash_table_insert(s->drop_what, GSIZE_TO_POINTER(g->start + 1), (gpointer)g->drop);
	}
	if (g->code)
		g_string_free(g->code, TRUE);
	if (s->depth == 0 && !s->doc_end)
		s->doc_end = end;
}

static void scan_open(struct rtf_scan *s, gsize start)
{
	if (s->depth >= RTF_MAX_DEPTH) {
		s->too_deep = TRUE;
		return;
	}
	struct rtf_group *parent = s->depth ? &s->stack[s->depth - 1] : NULL;
	s->stack[s->depth++] =
		(struct rtf_group){.start = start, .uc = parent ? parent->uc : 1, .field = parent ? parent->field : -1};
}

static void scan_token(struct rtf_scan *s, const struct rtf_token *t)
{
	switch (t->kind) {
	case RTF_OPEN: scan_open(s, t->start); break;
	case RTF_CLOSE:
		if (s->depth > 0)
			scan_close(s, t->end);
		break;
	case RTF_WORD:
		if (s->depth > 0)
			scan_word(s, t);
		break;
	case RTF_HEX: {
		char c = t->param < 0x80 ? (char)t->param : '?';
		code_add(s, &c, 1);
		break;
	}
	case RTF_SYMBOL:
		if (t->end - t->start == 2 && strchr("\\{}~", s->d[t->start + 1]))
			code_add(s, s->d[t->start + 1] == '~' ? " " : (const char *)s->d + t->start + 1, 1);
		break;
	case RTF_TEXT:
		for (gsize k = t->start;
		     s->depth > 0 && k < t->end && (s->skip > 0 || s->stack[s->depth - 1].field >= 0); k++)
			if (s->d[k] != '\r' && s->d[k] != '\n')
				code_add(s, (const char *)s->d + k, 1);
		break;
	default: break;
	}
}

/* Pass 1 over the whole input; FALSE when over the depth or time limit. */
static gboolean rtf_scan(struct rtf_scan *s, gint64 deadline_us)
{
	struct rtf_token t;
	guint n = 0;
	for (gsize i = 0; !s->too_deep && !s->doc_end; i = t.end) {
		if ((++n & 0xffff) == 0 && deadline_us > 0 && g_get_monotonic_time() > deadline_us)
			return FALSE;
		rtf_next(s->d, s->len, i, &t);
		if (t.kind == RTF_END)
			break;
		scan_token(s, &t);
	}
	while (s->depth > 0) /* unclosed groups end with the input */
		scan_close(s, s->len);
	return !s->too_deep;
}

/* ---- pass 2: the copy ---- */

/* Pass 2; the groups that go are counted here, where a group inside one
 * that goes is not seen. */
static void rtf_copy(const struct rtf_scan *s, GByteArray *out)
{
	struct rtf_token t;
	int depth = 0;
	gsize end = s->doc_end ? s->doc_end : s->len;
	for (gsize i = 0; i < end; i = t.end) {
		rtf_next(s->d, end, i, &t);
		if (t.kind == RTF_END)
			break;
		gpointer skip_to = t.kind == RTF_OPEN ? g_hash_table_lookup(s->drop, GSIZE_TO_POINTER(i + 1)) : NULL;
		if (skip_to) {
			count_add(s->counts, g_hash_table_lookup(s->drop_what, GSIZE_TO_POINTER(i + 1)));
			t.end = GPOINTER_TO_SIZE(skip_to);
			continue;
		}
		depth += t.kind == RTF_OPEN ? 1 : t.kind == RTF_CLOSE && depth > 0 ? -1 : 0;
		g_byte_array_append(out, s->d + t.start, (guint)(t.end - t.start));
	}
	for (; depth > 0; depth--)
		g_byte_array_append(out, (const guint8 *)"}", 1);
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* One "what removed: N" line per kind, sorted. */
static void rtf_report(struct mg_cdr_out *out, GHashTable *counts)
{
	GPtrArray *lines = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, counts);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(lines, g_strdup_printf("%s removed: %d", (char *)k, GPOINTER_TO_INT(v)));
	g_ptr_array_sort(lines, str_ptr_cmp);
	for (guint i = 0; i < lines->len; i++)
		g_ptr_array_add(out->removed, lines->pdata[i]);
	g_ptr_array_free(lines, TRUE);
	out->reason = g_strdup_printf("RTF rebuilt: %u kind%s of active content removed", g_hash_table_size(counts),
				      g_hash_table_size(counts) == 1 ? "" : "s");
}

enum mg_cdr_status mg_cdr_rtf(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	if (in->len < 5 || memcmp(in->data, "{\\rtf", 5) != 0) {
		out->reason = g_strdup("corrupt RTF: no {\\rtf header");
		return MG_CDR_UNSCANNABLE;
	}
	struct rtf_scan s = {.d = in->data, .len = in->len};
	s.drop = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.drop_what = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.counts = g_hash_table_new(g_str_hash, g_str_equal);
	enum mg_cdr_status st = MG_CDR_REBUILT;
	if (!rtf_scan(&s, in->deadline_us)) {
		out->reason = g_strdup(s.too_deep ? "RTF nesting exceeds the limit" : "time budget exceeded");
		st = MG_CDR_UNSCANNABLE;
		goto out;
	}
	out->data = g_byte_array_sized_new((guint)MIN(in->len, G_MAXUINT));
	rtf_copy(&s, out->data);
	if (!in->true_type || !g_str_equal(in->true_type, "application/rtf"))
		out->new_type = g_strdup("application/rtf"); /* RTF names its own code page: no charset to declare */
	if (s.doc_end && in->len - s.doc_end > 2)
		count_add(s.counts, "data after the end of the document");
	rtf_report(out, s.counts);
out:
	while (s.depth > 0)
		if (s.stack[--s.depth].code)
			g_string_free(s.stack[s.depth].code, TRUE);
	g_hash_table_destroy(s.drop);
	g_hash_table_destroy(s.drop_what);
	g_hash_table_destroy(s.counts);
	return st;
}
