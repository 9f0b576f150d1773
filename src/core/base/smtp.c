/*
 * smtp.c - see mg_smtp.h.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_clock.h"
#include "mg_smtp.h"

#define REPLY_LINE_MAX  2000
#define REPLY_LINES_MAX 100

struct mg_smtp {
	GSocketClient *client;
	GSocketConnection *conn;
	GDataInputStream *in;
	GOutputStream *out;
	GString *last;
};

static int read_reply(struct mg_smtp *s, GError **err)
{
	g_string_truncate(s->last, 0);
	for (int n = 0; n < REPLY_LINES_MAX; n++) {
		gsize len = 0;
		char *line = g_data_input_stream_read_line(s->in, &len, NULL, err);
		if (!line) {
			if (err && !*err)
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
					    "the SMTP server closed the connection");
			return 0;
		}
		g_strchomp(line);
		gboolean bad = strlen(line) < 3 || strlen(line) > REPLY_LINE_MAX || !g_ascii_isdigit(line[0]) ||
			       !g_ascii_isdigit(line[1]) || !g_ascii_isdigit(line[2]);
		if (!bad) {
			if (s->last->len)
				g_string_append(s->last, "; ");
			g_string_append(s->last, line);
		}
		gboolean more = !bad && line[3] == '-';
		int code = bad ? 0 : (int)g_ascii_strtoll(line, NULL, 10);
		if (bad)
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad SMTP reply: %.80s", line);
		g_free(line);
		if (!more)
			return code;
	}
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "SMTP reply of more than %d lines", REPLY_LINES_MAX);
	return 0;
}

struct mg_smtp *mg_smtp_open(const char *host_port, guint timeout_s, GError **err)
{
	struct mg_smtp *s = g_new0(struct mg_smtp, 1);
	s->last = g_string_new(NULL);
	s->client = g_socket_client_new();
	g_socket_client_set_timeout(s->client, timeout_s);
	s->conn = g_socket_client_connect_to_host(s->client, host_port, 25, NULL, err);
	if (s->conn) {
		s->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(s->conn)));
		g_data_input_stream_set_newline_type(s->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
		g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(s->in), REPLY_LINE_MAX);
		s->out = g_io_stream_get_output_stream(G_IO_STREAM(s->conn));
		int code = read_reply(s, err);
		if (code / 100 == 2)
			return s;
		if (code)
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: greeting: %s", host_port, s->last->str);
	}
	mg_smtp_close(s);
	return NULL;
}

void mg_smtp_close(struct mg_smtp *s)
{
	if (!s)
		return;
	if (s->conn && s->in)
		(void)mg_smtp_cmd(s, NULL, "QUIT");
	g_clear_object(&s->in);
	g_clear_object(&s->conn);
	g_clear_object(&s->client);
	g_string_free(s->last, TRUE);
	g_free(s);
}

int mg_smtp_cmd(struct mg_smtp *s, GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *line = g_strconcat(cmd, "\r\n", NULL);
	int code = 0;
	if (strpbrk(cmd, "\r\n"))
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "line break inside an SMTP command");
	else if (g_output_stream_write_all(s->out, line, strlen(line), NULL, NULL, err))
		code = read_reply(s, err);
	g_free(line);
	g_free(cmd);
	return code;
}

int mg_smtp_data(struct mg_smtp *s, const char *msg, gsize len, GError **err)
{
	GString *g = g_string_sized_new(len + len / 20 + 8);
	gboolean bol = TRUE;
	for (gsize i = 0; i < len; i++) {
		if (bol && msg[i] == '.')
			g_string_append_c(g, '.');
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			g_string_append_c(g, '\r');
		g_string_append_c(g, msg[i]);
		bol = msg[i] == '\n';
	}
	g_string_append(g, bol ? ".\r\n" : "\r\n.\r\n");
	int code = g_output_stream_write_all(s->out, g->str, g->len, NULL, NULL, err) ? read_reply(s, err) : 0;
	g_string_free(g, TRUE);
	return code;
}

const char *mg_smtp_last(const struct mg_smtp *s)
{
	return s->last->str;
}

static gboolean step(struct mg_smtp *s, int code, int want, GError **err)
{
	if (code / 100 == want)
		return TRUE;
	if (code && err && !*err)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "the SMTP server said: %.300s", s->last->str);
	return FALSE;
}

gboolean mg_smtp_send(const char *host_port, guint timeout_s, const char *sender, char **rcpts, const char *msg,
		      gsize len, GError **err)
{
	struct mg_smtp *s = mg_smtp_open(host_port, timeout_s, err);
	if (!s)
		return FALSE;
	gboolean ok = step(s, mg_smtp_cmd(s, err, "EHLO %s", mg_clock_hostname()), 2, err) &&
		      step(s, mg_smtp_cmd(s, err, "MAIL FROM:<%s>", sender), 2, err);
	for (guint i = 0; ok && rcpts && rcpts[i]; i++)
		ok = step(s, mg_smtp_cmd(s, err, "RCPT TO:<%s>", rcpts[i]), 2, err);
	ok = ok && step(s, mg_smtp_cmd(s, err, "DATA"), 3, err) && step(s, mg_smtp_data(s, msg, len, err), 2, err);
	mg_smtp_close(s);
	return ok;
}

static gpointer types_once(gpointer unused)
{
	(void)unused;
	GType types[] = {G_TYPE_SOCKET_CONNECTABLE,
			 G_TYPE_SOCKET_ADDRESS,
			 G_TYPE_INET_SOCKET_ADDRESS,
			 G_TYPE_INET_ADDRESS,
			 G_TYPE_NETWORK_ADDRESS,
			 G_TYPE_SOCKET_ADDRESS_ENUMERATOR,
			 G_TYPE_SOCKET,
			 G_TYPE_SOCKET_CLIENT,
			 G_TYPE_SOCKET_CONNECTION,
			 G_TYPE_TCP_CONNECTION,
			 G_TYPE_DATA_INPUT_STREAM,
			 G_TYPE_BUFFERED_INPUT_STREAM,
			 G_TYPE_PROXY_ADDRESS,
			 G_TYPE_RESOLVER,
			 G_TYPE_CANCELLABLE};
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		g_type_ensure(types[i]);
	return NULL;
}

void mg_net_types_init(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, types_once, NULL);
}
