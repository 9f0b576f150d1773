/* testutil.c - see testutil.h */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

struct mg_config *tu_config(const char *text)
{
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("test.conf", text, strlen(text), &err);
	if (!cfg)
		fail_msg("config: %s", err->message);
	return cfg;
}

/* Split the header block the way an MTA does (name, value without the
 * leading blank, folded lines kept), then stream the body. */
struct mg_txn *tu_run(struct mg_config *cfg, const char *msg, gsize len, gsize chunk, struct mg_conn **conn)
{
	*conn = mg_conn_new("192.0.2.1", "client.example.net");
	struct mg_txn *t = mg_txn_new(*conn, cfg);
	char *args[] = { NULL };
	mg_txn_mail_from(t, "<sender@example.net>", args);
	mg_txn_rcpt(t, "<staff@city.example.lg.jp>", args);
	const char *p = msg, *end = msg + len;
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
		if (*value && value[strlen(value) - 1] == '\r')
			value[strlen(value) - 1] = '\0';
		mg_txn_header(t, name, value);
		g_free(name);
		g_free(value);
		p = e < end ? e + 1 : e;
	}
	mg_txn_eoh(t);
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	gsize step = chunk ? chunk : (gsize)(end - p);
	while (p < end) {
		gsize n = MIN(step, (gsize)(end - p));
		mg_txn_body(t, p, n);
		p += n;
	}
	mg_txn_eom(t);
	return t;
}

char *tu_body(struct mg_txn *t)
{
	GMimeStream *s = mg_txn_new_body(t);
	if (!s)
		return NULL;
	GByteArray *ba = g_byte_array_new();
	char buf[4096];
	gssize n;
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_byte_array_append(ba, (guint8 *)buf, (guint)n);
	g_object_unref(s);
	g_byte_array_append(ba, (guint8 *)"", 1);
	return (char *)g_byte_array_free(ba, FALSE);
}

const char *tu_added(struct mg_txn *t, const char *name)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD && g_ascii_strcasecmp(op->name, name) == 0)
			return op->value;
	}
	return NULL;
}
