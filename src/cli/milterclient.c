/*
 * milterclient.c - see milterclient.h.  The protocol is the one of
 * libmilter (sendmail's include/libmilter/mfdef.h): packets of a 4-byte
 * big-endian length, a command byte and data; no library implements the MTA
 * side (libmilter is the filter side only), hence this small client.
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "milterclient.h"

#define PACKET_MAX (1024 * 1024)
#define CHUNK      65535
#define MILTER_V6  6

/* SMFIP_ protocol flags the milter may set in its option negotiation */
enum {
	P_NOCONNECT = 0x1,
	P_NOHELO = 0x2,
	P_NOMAIL = 0x4,
	P_NORCPT = 0x8,
	P_NOBODY = 0x10,
	P_NOHDRS = 0x20,
	P_NOEOH = 0x40,
	P_NR_HDR = 0x80,
	P_NOUNKNOWN = 0x100,
	P_NODATA = 0x200,
	P_SKIP = 0x400,
	P_RCPT_REJ = 0x800,
	P_NR_CONN = 0x1000,
	P_NR_HELO = 0x2000,
	P_NR_MAIL = 0x4000,
	P_NR_RCPT = 0x8000,
	P_NR_DATA = 0x10000,
	P_NR_UNKN = 0x20000,
	P_NR_EOH = 0x40000,
	P_NR_BODY = 0x80000,
};
#define P_OFFER 0x000FFFFFu /* every step flag up to NR_BODY; no leading-space or large-size modes */
#define A_OFFER 0x000001FFu /* every modification action */

struct mg_mc {
	GSocketClient *client;
	GSocketConnection *conn;
	GInputStream *in;
	GOutputStream *out;
	guint32 prot;
};

static gboolean send_packet(struct mg_mc *m, char cmd, const void *data, gsize len, GError **err)
{
	guint32 n = GUINT32_TO_BE((guint32)(len + 1));
	return g_output_stream_write_all(m->out, &n, 4, NULL, NULL, err) &&
	       g_output_stream_write_all(m->out, &cmd, 1, NULL, NULL, err) &&
	       (len == 0 || g_output_stream_write_all(m->out, data, len, NULL, NULL, err));
}

/* One packet from the milter: *cmd and *data (len bytes, NUL-terminated). */
static gboolean read_packet(struct mg_mc *m, char *cmd, char **data, gsize *len, GError **err)
{
	guint32 n = 0;
	gsize got = 0;
	*data = NULL;
	if (!g_input_stream_read_all(m->in, &n, 4, &got, NULL, err) || got != 4)
		goto closed;
	n = GUINT32_FROM_BE(n);
	if (n < 1 || n > PACKET_MAX) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "milter packet of %u bytes", n);
		return FALSE;
	}
	*data = g_malloc0(n + 1);
	if (!g_input_stream_read_all(m->in, *data, n, &got, NULL, err) || got != n)
		goto closed;
	*cmd = (*data)[0];
	memmove(*data, *data + 1, n - 1);
	(*data)[n - 1] = '\0';
	*len = n - 1;
	return TRUE;
closed:
	g_clear_pointer(data, g_free);
	if (err && !*err)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "the milter closed the connection");
	return FALSE;
}

static GSocketAddress *socket_address(const char *spec, GError **err)
{
	if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "local:"))
		return g_unix_socket_address_new(strchr(spec, ':') + 1);
	const char *port = strchr(spec, ':'), *at = strchr(spec, '@');
	if ((g_str_has_prefix(spec, "inet:") || g_str_has_prefix(spec, "inet6:")) && port && at && at > port) {
		char *p = g_strndup(port + 1, (gsize)(at - port - 1)), *host = g_strdup(at + 1);
		g_strdelimit(host, "[]", ' ');
		g_strstrip(host);
		GSocketAddress *a = g_inet_socket_address_new_from_string(host, (guint)g_ascii_strtoull(p, NULL, 10));
		g_free(p);
		g_free(host);
		if (a)
			return a;
	}
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "'%s' is not a milter socket (unix:/path or inet:PORT@ADDRESS)", spec);
	return NULL;
}

static gboolean negotiate(struct mg_mc *m, GError **err)
{
	guint32 offer[3] = {GUINT32_TO_BE(MILTER_V6), GUINT32_TO_BE(A_OFFER), GUINT32_TO_BE(P_OFFER)};
	char cmd = 0, *data = NULL;
	gsize len = 0;
	if (!send_packet(m, 'O', offer, sizeof offer, err) || !read_packet(m, &cmd, &data, &len, err))
		return FALSE;
	gboolean ok = cmd == 'O' && len >= 12;
	if (ok) {
		guint32 v[3];
		memcpy(v, data, sizeof v);
		m->prot = GUINT32_FROM_BE(v[2]);
	} else
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the milter refused the option negotiation");
	g_free(data);
	return ok;
}

struct mg_mc *mg_mc_open(const char *socket, guint timeout_s, GError **err)
{
	GSocketAddress *a = socket_address(socket, err);
	if (!a)
		return NULL;
	struct mg_mc *m = g_new0(struct mg_mc, 1);
	m->client = g_socket_client_new();
	g_socket_client_set_timeout(m->client, timeout_s);
	m->conn = g_socket_client_connect(m->client, G_SOCKET_CONNECTABLE(a), NULL, err);
	g_object_unref(a);
	if (m->conn) {
		m->in = g_io_stream_get_input_stream(G_IO_STREAM(m->conn));
		m->out = g_io_stream_get_output_stream(G_IO_STREAM(m->conn));
		if (negotiate(m, err))
			return m;
	}
	mg_mc_close(m);
	return NULL;
}

void mg_mc_close(struct mg_mc *m)
{
	if (!m)
		return;
	if (m->conn)
		(void)send_packet(m, 'Q', NULL, 0, NULL);
	g_clear_object(&m->conn);
	g_clear_object(&m->client);
	g_free(m);
}

void mg_mc_reply_clear(struct mg_mc_reply *r)
{
	g_free(r->text);
	g_free(r->quarantine);
	if (r->added)
		g_ptr_array_unref(r->added);
	if (r->changed)
		g_ptr_array_unref(r->changed);
	if (r->body)
		g_string_free(r->body, TRUE);
	memset(r, 0, sizeof *r);
}

/* A modification packet at end of message: record it. */
static void modification(struct mg_mc_reply *r, char cmd, const char *d, gsize len)
{
	const char *name = d, *value = len > strlen(d) ? d + strlen(d) + 1 : "";
	if (cmd == 'm' || cmd == 'i') { /* index first */
		name = len > 4 ? d + 4 : "";
		value = len > 4 + strlen(name) + 1 ? name + strlen(name) + 1 : "";
	}
	if (cmd == 'h' || cmd == 'i')
		g_ptr_array_add(r->added, g_strdup_printf("%s:%s", name, value));
	else if (cmd == 'm')
		g_ptr_array_add(r->changed, g_strdup_printf("%s:%s", name, value));
	else if (cmd == 'b')
		g_string_append_len(r->body ? r->body : (r->body = g_string_new(NULL)), d, (gssize)len);
	else if (cmd == 'q')
		r->quarantine = g_strdup(d);
}

/* Read packets until an answer (progress and modifications are collected). */
static gboolean read_answer(struct mg_mc *m, struct mg_mc_reply *r, GError **err)
{
	for (;;) {
		char cmd = 0, *d = NULL;
		gsize len = 0;
		if (!read_packet(m, &cmd, &d, &len, err))
			return FALSE;
		if (strchr("acrtdy", cmd)) {
			r->action = cmd;
			if (cmd == 'y')
				r->text = g_strdup(d);
			g_free(d);
			return TRUE;
		}
		if (cmd != 'p')
			modification(r, cmd, d, len);
		g_free(d);
	}
}

static gboolean step(struct mg_mc *m, char cmd, const void *d, gsize len, guint32 skip, guint32 noreply,
		     struct mg_mc_reply *r, GError **err)
{
	mg_mc_reply_clear(r);
	r->added = g_ptr_array_new_with_free_func(g_free);
	r->changed = g_ptr_array_new_with_free_func(g_free);
	r->action = 'c';
	if (m->prot & skip)
		return TRUE;
	if (!send_packet(m, cmd, d, len, err))
		return FALSE;
	return (m->prot & noreply) ? TRUE : read_answer(m, r, err);
}

static void put_str(GByteArray *b, const char *s)
{
	g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s) + 1);
}

gboolean mg_mc_connect(struct mg_mc *m, const char *host, const char *addr, struct mg_mc_reply *r, GError **err)
{
	GByteArray *b = g_byte_array_new();
	guint16 port = GUINT16_TO_BE(25);
	put_str(b, host);
	g_byte_array_append(b, (const guint8 *)(strchr(addr, ':') ? "6" : "4"), 1);
	g_byte_array_append(b, (const guint8 *)&port, 2);
	put_str(b, addr);
	gboolean ok = step(m, 'C', b->data, b->len, P_NOCONNECT, P_NR_CONN, r, err);
	g_byte_array_unref(b);
	return ok;
}

gboolean mg_mc_helo(struct mg_mc *m, const char *helo, struct mg_mc_reply *r, GError **err)
{
	return step(m, 'H', helo, strlen(helo) + 1, P_NOHELO, P_NR_HELO, r, err);
}

static gboolean macro(struct mg_mc *m, char stage, const char *name, const char *value, GError **err)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)&stage, 1);
	put_str(b, name);
	put_str(b, value);
	gboolean ok = send_packet(m, 'D', b->data, b->len, err);
	g_byte_array_unref(b);
	return ok;
}

gboolean mg_mc_mail(struct mg_mc *m, const char *sender, char **args, const char *qid, struct mg_mc_reply *r,
		    GError **err)
{
	GByteArray *b = g_byte_array_new();
	char *s = g_strdup_printf("<%s>", sender);
	put_str(b, s);
	for (guint i = 0; args && args[i]; i++)
		put_str(b, args[i]);
	gboolean ok =
		(!qid || macro(m, 'M', "i", qid, err)) && step(m, 'M', b->data, b->len, P_NOMAIL, P_NR_MAIL, r, err);
	g_free(s);
	g_byte_array_unref(b);
	return ok;
}

gboolean mg_mc_rcpt(struct mg_mc *m, const char *rcpt, struct mg_mc_reply *r, GError **err)
{
	char *s = g_strdup_printf("<%s>", rcpt);
	gboolean ok = step(m, 'R', s, strlen(s) + 1, P_NORCPT, P_NR_RCPT, r, err);
	g_free(s);
	return ok;
}

gboolean mg_mc_reply_final(const struct mg_mc_reply *r)
{
	return r->action == 'r' || r->action == 't' || r->action == 'd' || r->action == 'y' || r->action == 'a';
}

/* One header field "Name: value" (folded lines included) as the MTA sends it. */
static gboolean send_header(struct mg_mc *m, const char *field, gsize len, struct mg_mc_reply *r, GError **err)
{
	const char *colon = memchr(field, ':', len);
	if (!colon)
		return TRUE; /* not a field: the caller's message is malformed; skip it */
	GByteArray *b = g_byte_array_new();
	char *name = g_strndup(field, (gsize)(colon - field)),
	     *value = g_strndup(colon + 1, len - (gsize)(colon - field) - 1);
	char *v = value + (*value == ' ');
	put_str(b, name);
	put_str(b, v);
	gboolean ok = step(m, 'L', b->data, b->len, P_NOHDRS, P_NR_HDR, r, err);
	g_free(name);
	g_free(value);
	g_byte_array_unref(b);
	return ok;
}

/* Headers of msg up to the blank line; *body_at gets the body offset. */
static gboolean send_headers(struct mg_mc *m, const char *msg, gsize len, gsize *body_at, struct mg_mc_reply *r,
			     GError **err)
{
	gsize start = 0, i = 0;
	while (i < len) {
		const char *nl = memchr(msg + i, '\n', len - i);
		gsize end = nl ? (gsize)(nl - msg) : len;
		gboolean blank = end == i;
		gboolean cont = !blank && (msg[i] == ' ' || msg[i] == '\t');
		if (!cont && i > start && (!send_header(m, msg + start, i - 1 - start, r, err) || mg_mc_reply_final(r)))
			return r->action != 0 && !(err && *err);
		if (!cont)
			start = i;
		i = end + 1;
		if (blank) {
			*body_at = MIN(i, len);
			return TRUE;
		}
	}
	*body_at = len;
	return start >= len || send_header(m, msg + start, len - start, r, err);
}

/* Body with CRLF line ends, as an MTA sends it, in chunks. */
static gboolean send_body(struct mg_mc *m, const char *body, gsize len, struct mg_mc_reply *r, GError **err)
{
	GString *crlf = g_string_sized_new(len + len / 20);
	for (gsize i = 0; i < len; i++) {
		if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
			g_string_append_c(crlf, '\r');
		g_string_append_c(crlf, body[i]);
	}
	gboolean ok = TRUE;
	for (gsize off = 0; ok && off < crlf->len && !mg_mc_reply_final(r); off += CHUNK)
		ok = step(m, 'B', crlf->str + off, MIN(CHUNK, crlf->len - off), P_NOBODY, P_NR_BODY, r, err);
	g_string_free(crlf, TRUE);
	return ok;
}

gboolean mg_mc_message(struct mg_mc *m, const char *msg, gsize len, struct mg_mc_reply *r, GError **err)
{
	gsize body_at = 0;
	if (!send_headers(m, msg, len, &body_at, r, err))
		return FALSE;
	if (mg_mc_reply_final(r))
		return TRUE;
	if (!step(m, 'N', NULL, 0, P_NOEOH, P_NR_EOH, r, err))
		return FALSE;
	if (mg_mc_reply_final(r))
		return TRUE;
	if (!send_body(m, msg + body_at, len - body_at, r, err))
		return FALSE;
	if (mg_mc_reply_final(r))
		return TRUE;
	return step(m, 'E', NULL, 0, 0, 0, r, err);
}

gboolean mg_mc_abort(struct mg_mc *m, GError **err)
{
	return send_packet(m, 'A', NULL, 0, err);
}

char *mg_mc_reply_describe(const struct mg_mc_reply *r)
{
	switch (r->action) {
	case 'a': return g_strdup("accept");
	case 'c': return g_strdup(r->body ? "accept (body replaced)" : "accept");
	case 'r': return g_strdup("reject (5xx)");
	case 't': return g_strdup("tempfail (4xx)");
	case 'd': return g_strdup("discard");
	case 'y': return g_strdup(r->text ? r->text : "reply");
	default: return g_strdup_printf("unknown answer '%c'", r->action ? r->action : '?');
	}
}
