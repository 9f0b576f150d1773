/*
 * release.c - re-inject a quarantined original (see admin.h).
 *
 * sendmail: `release_sendmail -i -f SENDER -- RCPT` with the original on
 * standard input (GSubprocess), killed after release_timeout.
 * SMTP: a plain SMTP client over GIO (GSocketClient).  No SMTP client
 * library is in Debian's C stack that we already use (libcurl's SMTP
 * upload would be a new dependency for five commands), so the dialogue is
 * written out here: EHLO, MAIL, RCPT, DATA with CRLF line ends and dot
 * stuffing, QUIT; every reply line is bounded; release_timeout applies to
 * every socket operation.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "admin.h"
#include "mg_audit.h"
#include "mg_smtp.h"

gboolean mg_release_addr_ok(const char *addr)
{
	if (!addr || !*addr || *addr == '-' || strlen(addr) > 320 || !strchr(addr, '@'))
		return FALSE;
	for (const char *p = addr; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return FALSE;
	return TRUE;
}

/* ---- sendmail ---- */

struct wait_ctx {
	GMainLoop *loop;
	GBytes *out;
	gboolean done, ok;
	GError *err;
};

static void on_communicated(GObject *src, GAsyncResult *res, gpointer data)
{
	struct wait_ctx *w = data;
	w->ok = g_subprocess_communicate_finish(G_SUBPROCESS(src), res, NULL, &w->out, &w->err);
	w->done = TRUE;
	g_main_loop_quit(w->loop);
}

static gboolean on_timeout(gpointer data)
{
	g_main_loop_quit(((struct wait_ctx *)data)->loop);
	return G_SOURCE_REMOVE;
}

static gboolean release_sendmail(const struct mg_config *cfg, GBytes *msg, const char *sender, const char *rcpt,
				 GError **err)
{
	const char *argv[] = {cfg->release_sendmail, "-i", "-f", *sender ? sender : "<>", "--", rcpt, NULL};
	GSubprocess *p =
		g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, err);
	if (!p)
		return FALSE;
	GMainContext *ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	struct wait_ctx w = {.loop = g_main_loop_new(ctx, FALSE)};
	g_subprocess_communicate_async(p, msg, NULL, on_communicated, &w);
	GSource *t = g_timeout_source_new_seconds((guint)cfg->release_timeout);
	g_source_set_callback(t, on_timeout, &w, NULL);
	g_source_attach(t, ctx);
	g_main_loop_run(w.loop);
	g_source_destroy(t);
	g_source_unref(t);
	gboolean ok = FALSE;
	if (!w.done) {
		g_subprocess_force_exit(p);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s: no answer within %" G_GINT64_FORMAT " s",
			    cfg->release_sendmail, cfg->release_timeout);
		while (!w.done) /* let the cancelled call finish */
			g_main_context_iteration(ctx, TRUE);
	} else if (!w.ok)
		g_propagate_error(err, g_steal_pointer(&w.err));
	else if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "%s exited with status %d", cfg->release_sendmail,
			    g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1);
	else
		ok = TRUE;
	g_clear_error(&w.err);
	if (w.out)
		g_bytes_unref(w.out);
	g_main_loop_unref(w.loop);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	g_object_unref(p);
	return ok;
}

/* ---- SMTP: base/smtp.c's client (the alert mail uses it too) ---- */

static gboolean release_smtp(const struct mg_config *cfg, GBytes *msg, const char *sender, const char *rcpt,
			     GError **err)
{
	gsize len = 0;
	const char *p = g_bytes_get_data(msg, &len);
	char *rcpts[] = {(char *)rcpt, NULL};
	return mg_smtp_send(cfg->release_smtp_host, (guint)cfg->release_timeout, sender, rcpts, p, len, err);
}

gboolean mg_release_send(const struct mg_config *cfg, GBytes *msg, const char *sender, const char *rcpt, char **via,
			 GError **err)
{
	if (*cfg->release_smtp_host) {
		*via = g_strdup_printf("smtp %s", cfg->release_smtp_host);
		return release_smtp(cfg, msg, sender, rcpt, err);
	}
	*via = g_strdup_printf("sendmail %s", cfg->release_sendmail);
	return release_sendmail(cfg, msg, sender, rcpt, err);
}
