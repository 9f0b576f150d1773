/*
 * mtafeed.c - see mtafeed.h.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mtafeed.h"

const char *mg_test_feed_headers(struct mg_txn *t, const char *p, const char *end)
{
	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		const char *e = p;
		while (e < end && !(*e == '\n' && (e + 1 >= end || (e[1] != ' ' && e[1] != '\t'))))
			e++;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		if (!colon)
			break;
		char *name = g_strndup(p, (gsize)(colon - p));
		const char *v = colon + 1;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		char *value = g_strndup(v, (gsize)(e - v));
		gsize vl = strlen(value);
		if (vl && value[vl - 1] == '\r')
			value[vl - 1] = '\0';
		if (*name) /* an MTA never passes an empty name */
			mg_txn_header(t, name, value);
		g_free(name);
		g_free(value);
		p = e < end ? e + 1 : e;
	}
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	return p;
}

void mg_test_rm_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(path, name, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			mg_test_rm_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}
