/*
 * exfil_scan.c - one message's text through the exfiltration rules (see
 * mg_exfil.h): occurrences per rule and the places they were found.
 */
#include "config.h"

#include <string.h>

#include "mg_exfil.h"

#define NUMBERS_CAP 1000   /* distinct numbers remembered per rule */
#define COUNT_CAP   100000 /* occurrences counted per rule */

struct mg_exfil_scan {
	const struct mg_exfil_rules *rules;
	guint *counts;       /* per rule */
	guint *where;        /* per rule: places with an occurrence */
	GHashTable **seen;   /* per rule: distinct numbers (mynumber) */
	gsize room;          /* bytes of text still to examine */
	gboolean truncated;  /* text was cut at max_text */
	gboolean regex_fail; /* a regular expression could not finish */
};

static const char *const where_names[] = {"subject", "body", "attachment-name", "attachment-text"};

struct mg_exfil_scan *mg_exfil_scan_new(const struct mg_exfil_rules *rules, gsize max_text)
{
	struct mg_exfil_scan *s = g_new0(struct mg_exfil_scan, 1);
	guint n = rules ? rules->rules->len : 0;
	s->rules = rules;
	s->counts = g_new0(guint, n + 1);
	s->where = g_new0(guint, n + 1);
	s->seen = g_new0(GHashTable *, n + 1);
	s->room = max_text;
	return s;
}

void mg_exfil_scan_free(struct mg_exfil_scan *s)
{
	if (!s)
		return;
	guint n = s->rules ? s->rules->rules->len : 0;
	for (guint i = 0; i < n; i++)
		if (s->seen[i])
			g_hash_table_destroy(s->seen[i]);
	g_free(s->seen);
	g_free(s->counts);
	g_free(s->where);
	g_free(s);
}

gsize mg_exfil_scan_room(const struct mg_exfil_scan *s)
{
	return s->room;
}

struct span {
	gsize start, end;
};

static gint span_cmp(gconstpointer a, gconstpointer b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : (x->end > y->end) - (x->end < y->end);
}

/* Occurrences of `key` in `text` at letter/digit boundaries (for keys that
 * start or end with an ASCII letter or digit), added to `spans`. */
static void find_key(const char *text, gsize len, const char *key, GArray *spans)
{
	gsize klen = strlen(key);
	gboolean lb = g_ascii_isalnum(key[0]), rb = g_ascii_isalnum(key[klen - 1]);
	const char *p = text, *end = text + len;
	while (spans->len < COUNT_CAP && (p = memmem(p, (gsize)(end - p), key, klen)) != NULL) {
		if (!(lb && p > text && g_ascii_isalnum(p[-1])) &&
		    !(rb && p + klen < end && g_ascii_isalnum(p[klen]))) {
			struct span sp = {(gsize)(p - text), (gsize)(p - text) + klen};
			g_array_append_val(spans, sp);
		}
		p++;
	}
}

/* Occurrences of any spelling, each stretch of text counted once (機密性3A
 * inside 自治体機密性3A is one occurrence, not two). */
static guint count_keys(const char *text, const GPtrArray *keys)
{
	GArray *spans = g_array_new(FALSE, FALSE, sizeof(struct span));
	gsize len = strlen(text);
	for (guint j = 0; j < keys->len; j++)
		find_key(text, len, keys->pdata[j], spans);
	g_array_sort(spans, span_cmp);
	guint n = 0;
	gsize covered = 0;
	for (guint i = 0; i < spans->len; i++) {
		const struct span *sp = &g_array_index(spans, struct span, i);
		if (n > 0 && sp->start < covered) {
			covered = MAX(covered, sp->end);
			continue;
		}
		n++;
		covered = sp->end;
	}
	g_array_unref(spans);
	return n;
}

/* Case folded, white space removed except between two ASCII letters or
 * digits (kept as one space): 機密性 2 meets 機密性2 across a line break,
 * while "TOP SECRET" keeps its word boundary. */
char *mg_exfil_fold(const char *nfkc)
{
	char *cf = g_utf8_casefold(nfkc, -1);
	GString *g = g_string_sized_new(strlen(cf));
	for (const char *p = cf; *p;) {
		const char *next = g_utf8_next_char(p);
		if (!g_unichar_isspace(g_utf8_get_char(p))) {
			g_string_append_len(g, p, next - p);
			p = next;
			continue;
		}
		while (*next && g_unichar_isspace(g_utf8_get_char(next)))
			next = g_utf8_next_char(next);
		if (g->len > 0 && g_ascii_isalnum(g->str[g->len - 1]) && g_ascii_isalnum(*next))
			g_string_append_c(g, ' ');
		p = next;
	}
	g_free(cf);
	return g_string_free(g, FALSE);
}

static guint count_regex(struct mg_exfil_scan *s, const struct mg_exfil_rule *r, const char *nfkc)
{
	guint n = 0;
	for (guint j = 0; j < r->regexes->len && n < COUNT_CAP; j++) {
		GMatchInfo *mi = NULL;
		GError *e = NULL;
		g_regex_match_full(r->regexes->pdata[j], nfkc, -1, 0, 0, &mi, &e);
		while (!e && g_match_info_matches(mi) && n < COUNT_CAP) {
			n++;
			g_match_info_next(mi, &e);
		}
		g_match_info_free(mi);
		if (e) { /* PCRE2 gave up (match limit): a rule that cannot be evaluated hits */
			s->regex_fail = TRUE;
			n = MAX(n, r->min);
			g_error_free(e);
		}
	}
	return n;
}

static guint count_rule(struct mg_exfil_scan *s, guint i, const char *nfkc, const char *folded)
{
	const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
	switch (r->kind) {
	case MG_EXFIL_LABEL:
	case MG_EXFIL_KEYWORD: return count_keys(folded, r->spellings);
	case MG_EXFIL_REGEX: return count_regex(s, r, nfkc);
	case MG_EXFIL_MYNUMBER:
		if (!s->seen[i])
			s->seen[i] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		mg_mynumber_scan(nfkc, strlen(nfkc), s->seen[i], NUMBERS_CAP);
		return 0; /* counted as distinct numbers in seen[i] */
	}
	return 0;
}

/* The valid UTF-8 prefix that fits the room left (cut at a character). */
static char *take_text(struct mg_exfil_scan *s, const char *text, gsize len)
{
	char *valid = g_utf8_make_valid(text, (gssize)len);
	gsize vlen = strlen(valid);
	if (vlen > s->room) {
		s->truncated = TRUE;
		const char *cut = g_utf8_find_prev_char(valid, valid + s->room + 1);
		vlen = cut ? (gsize)(cut - valid) : 0;
		valid[vlen] = '\0';
	}
	s->room -= MIN(vlen, s->room);
	return valid;
}

gboolean mg_exfil_scan_text(struct mg_exfil_scan *s, enum mg_exfil_where where, const char *text, gsize len)
{
	guint n = s->rules ? s->rules->rules->len : 0;
	if (n == 0 || len == 0)
		return TRUE;
	if (s->room == 0) {
		s->truncated = TRUE;
		return FALSE;
	}
	char *piece = take_text(s, text, len);
	char *nfkc = g_utf8_normalize(piece, -1, G_NORMALIZE_NFKC);
	char *folded = nfkc ? mg_exfil_fold(nfkc) : NULL;
	for (guint i = 0; nfkc && i < n; i++) {
		const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
		if (!(r->where & where))
			continue;
		guint before = mg_exfil_scan_count(s, i);
		guint c = count_rule(s, i, nfkc, folded);
		s->counts[i] = MIN(s->counts[i] + c, COUNT_CAP);
		if (mg_exfil_scan_count(s, i) > before)
			s->where[i] |= where;
	}
	g_free(folded);
	g_free(nfkc);
	g_free(piece);
	return !s->truncated;
}

guint mg_exfil_scan_count(const struct mg_exfil_scan *s, guint i)
{
	const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
	if (r->kind == MG_EXFIL_MYNUMBER)
		return s->seen[i] ? g_hash_table_size(s->seen[i]) : 0;
	return s->counts[i];
}

gboolean mg_exfil_scan_hit(const struct mg_exfil_scan *s, guint i)
{
	const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
	return mg_exfil_scan_count(s, i) >= r->min;
}

int mg_exfil_scan_action(const struct mg_exfil_scan *s, const struct mg_exfil_rule **rule)
{
	int best = MG_EXFIL_NONE;
	guint n = s->rules ? s->rules->rules->len : 0;
	if (rule)
		*rule = NULL;
	for (guint i = 0; i < n; i++) {
		const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
		if (mg_exfil_scan_hit(s, i) && r->action > best) {
			best = r->action;
			if (rule)
				*rule = r;
		}
	}
	return best;
}

gboolean mg_exfil_scan_has_label(const struct mg_exfil_scan *s, const char *label)
{
	guint n = s && s->rules ? s->rules->rules->len : 0;
	for (guint i = 0; i < n; i++) {
		const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
		if (r->kind == MG_EXFIL_LABEL && strcmp(r->name, label) == 0)
			return mg_exfil_scan_hit(s, i);
	}
	return FALSE;
}

static JsonObject *hit_json(const struct mg_exfil_scan *s, guint i)
{
	const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
	JsonObject *h = json_object_new();
	JsonArray *w = json_array_new();
	json_object_set_string_member(h, "rule", r->name);
	json_object_set_string_member(h, "id", r->id);
	json_object_set_string_member(h, "kind", mg_exfil_kind_name(r->kind));
	json_object_set_int_member(h, "count", mg_exfil_scan_count(s, i));
	for (guint k = 0; k < G_N_ELEMENTS(where_names); k++)
		if (s->where[i] & (1u << k))
			json_array_add_string_element(w, where_names[k]);
	json_object_set_array_member(h, "where", w);
	json_object_set_string_member(h, "action", mg_exfil_action_name(r->action));
	return h;
}

JsonObject *mg_exfil_scan_report(const struct mg_exfil_scan *s)
{
	int action = mg_exfil_scan_action(s, NULL);
	if (action == MG_EXFIL_NONE && !s->truncated && !s->regex_fail)
		return NULL;
	JsonObject *o = json_object_new();
	JsonArray *hits = json_array_new(), *labels = json_array_new();
	guint n = s->rules ? s->rules->rules->len : 0;
	for (guint i = 0; i < n; i++) {
		const struct mg_exfil_rule *r = s->rules->rules->pdata[i];
		if (!mg_exfil_scan_hit(s, i))
			continue;
		json_array_add_object_element(hits, hit_json(s, i));
		if (r->kind == MG_EXFIL_LABEL)
			json_array_add_string_element(labels, r->name);
	}
	json_object_set_string_member(o, "action", mg_exfil_action_name(action));
	json_object_set_boolean_member(o, "truncated", s->truncated);
	if (s->regex_fail)
		json_object_set_boolean_member(o, "regex_limit", TRUE);
	json_object_set_array_member(o, "labels", labels);
	json_object_set_array_member(o, "hits", hits);
	return o;
}
