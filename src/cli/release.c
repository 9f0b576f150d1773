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

#define REPLY_LINE_MAX  4096
#define REPLY_LINES_MAX 100

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

/* ---- SMTP ---- */

struct smtp {
	GSocketConnection *conn;
	GDataInputStream *in;
	GOutputStream *out;
	char *last; /* last reply line, for errors */
};

/* Read one (multi-line) reply; TRUE when its code starts with `want`. */
static gboolean smtp_reply(struct smtp *s, char want, GError **err)
{
	for (int n = 0; n < REPLY_LINES_MAX; n++) {
		gsize len = 0;
		char *line = g_data_input_stream_read_line(s->in, &len, NULL, err);
		if (!line) {
			if (err && !*err)
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
					    "SMTP server closed the connection");
			return FALSE;
		}
		g_strchomp(line);
		g_free(s->last);
		s->last = line;
		if (len < 3 || len > REPLY_LINE_MAX || !g_ascii_isdigit(line[0])) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad SMTP reply: %.80s", line);
			return FALSE;
		}
		if (line[3] != '-') {
			if (line[0] == want)
				return TRUE;
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "SMTP server said: %.200s", line);
			return FALSE;
		}
	}
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "SMTP reply too long");
	return FALSE;
}

static gboolean smtp_cmd(struct smtp *s, char want, GError **err, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static gboolean smtp_cmd(struct smtp *s, char want, GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *line = g_strconcat(cmd, "\r\n", NULL);
	gboolean ok =
		g_output_stream_write_all(s->out, line, strlen(line), NULL, NULL, err) && smtp_reply(s, want, err);
	g_free(line);
	g_free(cmd);
	return ok;
}

/* The message with CRLF line ends and dot stuffing, ending in CRLF.CRLF. */
static GBytes *smtp_data(GBytes *msg)
{
	gsize len = 0;
	const char *p = g_bytes_get_data(msg, &len);
	GString *g = g_string_sized_new(len + len / 20 + 8);
	gboolean bol = TRUE;
	for (gsize i = 0; i < len; i++) {
		if (bol && p[i] == '.')
			g_string_append_c(g, '.');
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			g_string_append_c(g, '\r');
		g_string_append_c(g, p[i]);
		bol = p[i] == '\n';
	}
	g_string_append(g, bol ? ".\r\n" : "\r\n.\r\n");
	return g_string_free_to_bytes(g);
}

static gboolean smtp_dialogue(struct smtp *s, GBytes *msg, const char *sender, const char *rcpt, GError **err)
{
	GBytes *data = NULL;
	gboolean ok = smtp_reply(s, '2', err) && smtp_cmd(s, '2', err, "EHLO %s", mg_audit_hostname()) &&
		      smtp_cmd(s, '2', err, "MAIL FROM:<%s>", sender) && smtp_cmd(s, '2', err, "RCPT TO:<%s>", rcpt) &&
		      smtp_cmd(s, '3', err, "DATA");
	if (ok) {
		data = smtp_data(msg);
		ok = g_output_stream_write_all(s->out, g_bytes_get_data(data, NULL), g_bytes_get_size(data), NULL, NULL,
					       err) &&
		     smtp_reply(s, '2', err);
		g_bytes_unref(data);
	}
	if (ok)
		smtp_cmd(s, '2', NULL, "QUIT");
	return ok;
}

static gboolean release_smtp(const struct mg_config *cfg, GBytes *msg, const char *sender, const char *rcpt,
			     GError **err)
{
	GSocketClient *c = g_socket_client_new();
	g_socket_client_set_timeout(c, (guint)cfg->release_timeout);
	struct smtp s = {.conn = g_socket_client_connect_to_host(c, cfg->release_smtp_host, 25, NULL, err)};
	gboolean ok = FALSE;
	if (s.conn) {
		s.in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(s.conn)));
		g_data_input_stream_set_newline_type(s.in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
		g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(s.in), REPLY_LINE_MAX);
		s.out = g_io_stream_get_output_stream(G_IO_STREAM(s.conn));
		ok = smtp_dialogue(&s, msg, sender, rcpt, err);
		g_object_unref(s.in);
		g_io_stream_close(G_IO_STREAM(s.conn), NULL, NULL);
		g_object_unref(s.conn);
	}
	g_free(s.last);
	g_object_unref(c);
	return ok;
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
