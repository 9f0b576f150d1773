/*
 * destlist.c - destination lists of the outbound controls (issue 16 item
 * 8, F30): the free-mail / online-storage list and the forbidden-destination
 * list (see mg_guard.h and conf/freemail-domains.list).
 *
 * File: one entry per line, DOMAIN (subdomains match), @DOMAIN (the same) or
 * USER@DOMAIN; '#' starts a comment (also after an entry).  Hand-written: one
 * token per line needs no parser library; the checks are the policy
 * module's own (mg_policy_check_domain, mg_policy_check_address).
 */
#include "config.h"

#include <string.h>

#include "mg_config.h"
#include "mg_guard.h"
#include "mg_policy.h"

#define DESTLIST_MAX 100000 /* entries of one file */

/* One line -> a pattern "@dom" or "user@dom" (lower case), or NULL and *why. */
static char *entry_parse(const char *l, char **why)
{
	char *v = g_ascii_strdown(l, -1);
	char *pattern = strchr(v, '@') ? g_strdup(v) : g_strconcat("@", v, NULL);
	g_free(v);
	if (strchr(pattern, '@') == strrchr(pattern, '@') && mg_policy_check_address(pattern, why))
		return pattern;
	g_free(*why);
	*why = g_strdup_printf("'%s' is not a destination; allowed: DOMAIN, @DOMAIN or USER@DOMAIN", l);
	g_free(pattern);
	return NULL;
}

GPtrArray *mg_destlist_parse(const char *name, const char *text, gsize len, GError **err)
{
	if (memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: not UTF-8 text; allowed: a UTF-8 text file", name);
		return NULL;
	}
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	char *copy = g_strndup(text, len);
	char **lines = g_strsplit(copy, "\n", -1);
	for (int i = 0; lines[i] && list; i++) {
		char *hash = strchr(lines[i], '#'), *why = NULL;
		if (hash)
			*hash = '\0';
		char *l = g_strstrip(lines[i]);
		if (!*l)
			continue;
		char *p = list->len < DESTLIST_MAX ? entry_parse(l, &why) : NULL;
		if (!p && !why)
			why = g_strdup_printf("more than %d entries", DESTLIST_MAX);
		if (p) {
			g_ptr_array_add(list, p);
			continue;
		}
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s", name, i + 1, why);
		g_free(why);
		g_clear_pointer(&list, g_ptr_array_unref);
	}
	g_strfreev(lines);
	g_free(copy);
	return list;
}

GPtrArray *mg_destlist_load(const char *path, const char *key, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: %s: %s", path, key, e->message);
		g_error_free(e);
		return NULL;
	}
	GPtrArray *list = mg_destlist_parse(path, text, len, err);
	g_free(text);
	return list;
}

const char *mg_destlist_match(const GPtrArray *list, const char *addr)
{
	for (guint i = 0; list && i < list->len; i++)
		if (mg_policy_addr_matches(list->pdata[i], addr))
			return list->pdata[i];
	return NULL;
}
