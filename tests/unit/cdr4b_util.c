/*
 * cdr4b_util.c - see cdr4b_util.h.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <string.h>

#include "cdrctx.h"
#include "cdr4b_util.h"

void cdr4b_setup(struct cdr4b_ctx *c)
{
	memset(c, 0, sizeof *c);
	c->t.cfg = mg_config_defaults();
	c->dir = g_dir_make_tmp("mg4b-XXXXXX", NULL);
	g_assert_nonnull(c->dir);
}

void cdr4b_teardown(struct cdr4b_ctx *c)
{
	GDir *d = g_dir_open(c->dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(c->dir, name, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(c->dir);
	g_free(c->dir);
	mg_config_unref(c->t.cfg);
}

enum mg_cdr_status cdr4b_run(struct cdr4b_ctx *c, mg_cdr_fn fn, const void *data, gsize len, struct mg_cdr_out *out)
{
	struct mg_cdr_in in = {.ctx = cdrctx(&c->t),
			       .data = data,
			       .len = len,
			       .filename = "x",
			       .true_type = "application/octet-stream",
			       .deadline_us = g_get_monotonic_time() + 30 * G_USEC_PER_SEC};
	return fn(&in, out);
}

char *cdr4b_write(struct cdr4b_ctx *c, const char *name, const void *data, gsize len)
{
	char *p = g_build_filename(c->dir, name, NULL);
	g_assert_true(g_file_set_contents(p, data, (gssize)len, NULL));
	return p;
}

int cdr4b_spawn(char **argv, char **out)
{
	int status = 0;
	char *so = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &so, NULL,
			  &status, NULL))
		return -1;
	if (out)
		*out = so;
	else
		g_free(so);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

gboolean cdr4b_removed_has(const struct mg_cdr_out *out, const char *what)
{
	for (guint i = 0; out->removed && i < out->removed->len; i++)
		if (strcmp(out->removed->pdata[i], what) == 0)
			return TRUE;
	return FALSE;
}

gboolean cdr4b_contains(const void *hay, gsize len, const char *needle)
{
	return memmem(hay, len, needle, strlen(needle)) != NULL;
}
