/*
 * stanza.c - see mg_stanza.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mg_config.h"
#include "mg_kv.h"
#include "mg_stanza.h"

static void kv_free(gpointer p)
{
	struct mg_stanza_kv *kv = p;
	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static void stanza_free(gpointer p)
{
	struct mg_stanza *s = p;
	g_free(s->head);
	g_free(s->file);
	g_ptr_array_unref(s->kvs);
	g_free(s);
}

static struct mg_stanza *stanza_new(const char *file, const char *head, int line)
{
	struct mg_stanza *s = g_new0(struct mg_stanza, 1);
	s->head = g_strstrip(g_strdup(head));
	s->file = g_strdup(file);
	s->line = line;
	s->kvs = g_ptr_array_new_with_free_func(kv_free);
	return s;
}

static gboolean key_ok(const char *k)
{
	if (!*k)
		return FALSE;
	for (; *k; k++)
		if (!g_ascii_isalnum(*k) && *k != '_' && *k != '-')
			return FALSE;
	return TRUE;
}

/* One line; returns NULL or what is wrong (caller frees). */
static char *parse_line(char *l, const char *name, int line, GPtrArray *out)
{
	struct mg_stanza *cur = out->len ? out->pdata[out->len - 1] : NULL;
	if (*l == '[') {
		char *close = strrchr(l, ']');
		if (!close || close[1] != '\0' || close == l + 1)
			return g_strdup("a head must be [WORDS] alone on its line");
		*close = '\0';
		g_ptr_array_add(out, stanza_new(name, l + 1, line));
		return NULL;
	}
	char *k = NULL, *v = NULL, *why = NULL;
	if (!mg_kv_split(l, &k, &v, &why) || why) {
		g_free(why);
		return g_strdup("expected [HEAD] or key = value");
	}
	if (!key_ok(k))
		return g_strdup_printf("'%s' is not a key; allowed: letters, digits, '_' and '-'", k);
	if (!cur)
		return g_strdup_printf("%s: key before the first [HEAD]", k);
	struct mg_stanza_kv *kv = g_new0(struct mg_stanza_kv, 1);
	kv->key = g_ascii_strdown(k, -1);
	kv->value = g_strdup(v);
	kv->line = line;
	g_ptr_array_add(cur->kvs, kv);
	return NULL;
}

GPtrArray *mg_stanza_parse(const char *name, const char *text, gsize len, GError **err)
{
	if (memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: not UTF-8 text; allowed: a UTF-8 text file", name);
		return NULL;
	}
	GPtrArray *out = g_ptr_array_new_with_free_func(stanza_free);
	char *copy = g_strndup(text, len);
	char **lines = g_strsplit(copy, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l == '\0' || *l == '#')
			continue;
		char *why = parse_line(l, name, i + 1, out);
		if (why) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s", name, i + 1, why);
			g_free(why);
			g_clear_pointer(&out, g_ptr_array_unref);
			break;
		}
	}
	g_strfreev(lines);
	g_free(copy);
	return out;
}

GPtrArray *mg_stanza_load(const char *path, const char *key, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: %s: %s", path, key, e->message);
		g_error_free(e);
		return NULL;
	}
	GPtrArray *s = mg_stanza_parse(path, text, len, err);
	g_free(text);
	return s;
}

static const struct mg_stanza_kv *kv_find(const struct mg_stanza *s, const char *key)
{
	for (guint i = 0; i < s->kvs->len; i++) {
		const struct mg_stanza_kv *kv = s->kvs->pdata[i];
		if (strcmp(kv->key, key) == 0)
			return kv;
	}
	return NULL;
}

const char *mg_stanza_get(const struct mg_stanza *s, const char *key)
{
	const struct mg_stanza_kv *kv = kv_find(s, key);
	return kv ? kv->value : NULL;
}

int mg_stanza_line(const struct mg_stanza *s, const char *key)
{
	const struct mg_stanza_kv *kv = key ? kv_find(s, key) : NULL;
	return kv ? kv->line : s->line;
}

GPtrArray *mg_stanza_all(const struct mg_stanza *s, const char *key)
{
	GPtrArray *a = g_ptr_array_new();
	for (guint i = 0; i < s->kvs->len; i++) {
		const struct mg_stanza_kv *kv = s->kvs->pdata[i];
		if (strcmp(kv->key, key) == 0)
			g_ptr_array_add(a, kv->value);
	}
	return a;
}

void mg_stanza_error(GError **err, const struct mg_stanza *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: [%s] %s%s%s", s->file, mg_stanza_line(s, key), s->head,
		    key ? key : "", key ? ": " : "", m);
	g_free(m);
}

static gboolean in_list(const char *const *list, const char *k)
{
	return list && g_strv_contains(list, k);
}

gboolean mg_stanza_check(const struct mg_stanza *s, const char *const *allowed, const char *const *repeatable,
			 const char *const *required, GError **err)
{
	for (guint i = 0; i < s->kvs->len; i++) {
		const struct mg_stanza_kv *kv = s->kvs->pdata[i];
		if (!in_list(allowed, kv->key)) {
			char *all = g_strjoinv(", ", (char **)allowed);
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: [%s] %s: unknown key; allowed: %s", s->file,
				    kv->line, s->head, kv->key, all);
			g_free(all);
			return FALSE;
		}
		const struct mg_stanza_kv *first = kv_find(s, kv->key);
		if (first != kv && !in_list(repeatable, kv->key)) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: [%s] %s: set twice (first on line %d)", s->file,
				    kv->line, s->head, kv->key, first->line);
			return FALSE;
		}
	}
	for (gsize i = 0; required && required[i]; i++)
		if (!kv_find(s, required[i])) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: [%s] %s: missing; this stanza needs it", s->file,
				    s->line, s->head, required[i]);
			return FALSE;
		}
	return TRUE;
}

gboolean mg_stanza_date(const char *s, GDate *out)
{
	unsigned y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return FALSE;
	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}
