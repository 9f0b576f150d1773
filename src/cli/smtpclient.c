/*
 * smtpclient.c - see smtpclient.h.  Hand-written on purpose: GLib/GIO gives
 * the socket, the name lookup and the timeouts but no SMTP, and libcurl's
 * SMTP support would be a new dependency for five commands (and hides the
 * intermediate replies the self-test needs to report: which step refused,
 * with which code).
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "smtpclient.h"

struct mg_sc {
	GSocketClient *client;
	GSocketConnection *conn;
	GInputStream *in; /* buffered */
	GOutputStream *out;
};

/* ---- replies ---- */

static gboolean reply_error(GError **err, const char *what, const char *line)
{
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: \"%.80s\"", what, line);
	return FALSE;
}

gboolean mg_sc_reply_feed(struct mg_sc_reply *r, const char *line, GError **err)
{
	gsize n = strlen(line);
	if (r->done)
		return reply_error(err, "a line after the end of the reply", line);
	if (n < 3 || !g_ascii_isdigit(line[0]) || !g_ascii_isdigit(line[1]) || !g_ascii_isdigit(line[2]) ||
	    line[0] < '2' || line[0] > '5' || (n > 3 && line[3] != ' ' && line[3] != '-'))
		return reply_error(err, "not an SMTP reply line", line);
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->lines > 0 && code != r->code)
		return reply_error(err, "a reply line with another code", line);
	if (++r->lines > MG_SC_LINES)
		return reply_error(err, "a reply of too many lines", line);
	r->code = code;
	if (!r->text)
		r->text = g_string_new(NULL);
	else
		g_string_append_c(r->text, '\n');
	g_string_append(r->text, n > 4 ? line + 4 : "");
	r->done = n == 3 || line[3] == ' ';
	return TRUE;
}

void mg_sc_reply_clear(struct mg_sc_reply *r)
{
	if (r->text)
		g_string_free(r->text, TRUE);
	memset(r, 0, sizeof *r);
}

char *mg_sc_reply_describe(const struct mg_sc_reply *r)
{
	const char *t = r->text ? r->text->str : "";
	const char *nl = strchr(t, '\n');
	int len = nl ? (int)(nl - t) : (int)strlen(t);
	return g_strdup_printf("%d %.*s", r->code, len, t);
}

gboolean mg_sc_reply_has_keyword(const struct mg_sc_reply *r, const char *keyword)
{
	if (!r->text)
		return FALSE;
	char **lines = g_strsplit(r->text->str, "\n", -1);
	gboolean has = FALSE;
	gsize k = strlen(keyword);
	for (guint i = 1; lines[i] && !has; i++)
		has = g_ascii_strncasecmp(lines[i], keyword, k) == 0 && (lines[i][k] == '\0' || lines[i][k] == ' ');
	g_strfreev(lines);
	return has;
}

/* ---- the message ---- */

GString *mg_sc_data_encode(const char *msg, gsize len)
{
	GString *s = g_string_sized_new(len + len / 32 + 8);
	gboolean bol = TRUE;
	for (gsize i = 0; i < len; i++) {
		char c = msg[i];
		if (bol && c == '.')
			g_string_append_c(s, '.');
		bol = c == '\n';
		if (c == '\r' && i + 1 < len && msg[i + 1] == '\n')
			continue; /* CR LF: the LF writes both */
		if (c == '\n')
			g_string_append_c(s, '\r');
		g_string_append_c(s, c);
	}
	if (!bol)
		g_string_append(s, "\r\n");
	g_string_append(s, ".\r\n");
	return s;
}

/* ---- the connection ---- */

/* One line (CR LF or LF removed), at most MG_SC_LINE_MAX bytes. */
static char *read_line(struct mg_sc *s, GError **err)
{
	GString *l = g_string_new(NULL);
	for (;;) {
		int c = g_buffered_input_stream_read_byte(G_BUFFERED_INPUT_STREAM(s->in), NULL, err);
		if (c < 0 || l->len >= MG_SC_LINE_MAX) {
			if (c >= 0 || (err && !*err))
				g_set_error(err, G_IO_ERROR,
					    c < 0 ? G_IO_ERROR_CONNECTION_CLOSED : G_IO_ERROR_INVALID_DATA,
					    c < 0 ? "the server closed the connection" : "a reply line over %d bytes",
					    MG_SC_LINE_MAX);
			g_string_free(l, TRUE);
			return NULL;
		}
		if (c == '\n')
			break;
		g_string_append_c(l, (char)c);
	}
	if (l->len && l->str[l->len - 1] == '\r')
		g_string_truncate(l, l->len - 1);
	return g_string_free(l, FALSE);
}

static gboolean read_reply(struct mg_sc *s, struct mg_sc_reply *r, GError **err)
{
	mg_sc_reply_clear(r);
	gboolean ok = TRUE;
	while (ok && !r->done) {
		char *line = read_line(s, err);
		ok = line && mg_sc_reply_feed(r, line, err);
		g_free(line);
	}
	return ok;
}

struct mg_sc *mg_sc_open(const char *host_port, guint timeout_s, struct mg_sc_reply *greeting, GError **err)
{
	GSocketConnectable *a = g_network_address_parse(host_port, 25, err);
	if (!a)
		return NULL;
	struct mg_sc *s = g_new0(struct mg_sc, 1);
	s->client = g_socket_client_new();
	g_socket_client_set_timeout(s->client, timeout_s); /* connect, and every read and write after */
	s->conn = g_socket_client_connect(s->client, a, NULL, err);
	g_object_unref(a);
	if (s->conn) {
		s->in = g_buffered_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(s->conn)));
		s->out = g_io_stream_get_output_stream(G_IO_STREAM(s->conn));
		if (read_reply(s, greeting, err))
			return s;
	}
	g_clear_object(&s->conn); /* no QUIT: nothing was said */
	mg_sc_close(s);
	return NULL;
}

char *mg_sc_local_address(struct mg_sc *s)
{
	GSocketAddress *a = g_socket_connection_get_local_address(s->conn, NULL);
	char *ip = NULL;
	if (a && G_IS_INET_SOCKET_ADDRESS(a))
		ip = g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(a)));
	if (a)
		g_object_unref(a);
	return ip;
}

gboolean mg_sc_command(struct mg_sc *s, const char *line, struct mg_sc_reply *r, GError **err)
{
	char *l = g_strconcat(line, "\r\n", NULL);
	gboolean ok = g_output_stream_write_all(s->out, l, strlen(l), NULL, NULL, err) && read_reply(s, r, err);
	g_free(l);
	return ok;
}

gboolean mg_sc_data(struct mg_sc *s, const char *msg, gsize len, struct mg_sc_reply *r, GError **err)
{
	GString *d = mg_sc_data_encode(msg, len);
	gboolean ok = g_output_stream_write_all(s->out, d->str, d->len, NULL, NULL, err) && read_reply(s, r, err);
	g_string_free(d, TRUE);
	return ok;
}

void mg_sc_close(struct mg_sc *s)
{
	if (!s)
		return;
	if (s->conn) {
		struct mg_sc_reply r = {0};
		(void)mg_sc_command(s, "QUIT", &r, NULL);
		mg_sc_reply_clear(&r);
	}
	g_clear_object(&s->in);
	g_clear_object(&s->conn);
	g_clear_object(&s->client);
	g_free(s);
}
