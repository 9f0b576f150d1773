/*
 * fuzz_message - a whole message (header block + body, as bytes) through
 * every pipeline stage as the milter drives it: MAIL, RCPT, each header,
 * EOH, the body in chunks, EOM, then the rebuilt body is read out.  The
 * scanner is real (libclamav on a one-signature generated database).
 * The first input byte picks the body chunk size, so the spool and
 * line-end handling see split CR LF pairs too.
 */
#include "config.h"

#include <string.h>

#include "mg_pipeline.h"
#include "fuzz_common.h"

/* Split the header block as an MTA does: name, value without the leading
 * blank, folded lines kept; returns where the body starts. */
static const char *fz_headers(struct mg_txn *t, const char *p, const char *end)
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

static void fz_drain(struct mg_txn *t)
{
	GMimeStream *s = mg_txn_new_body(t);
	char buf[4096];
	while (s && g_mime_stream_read(s, buf, sizeof buf) > 0)
		;
	if (s)
		g_object_unref(s);
	(void)mg_txn_header_ops(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 20)
		return 0;
	mg_fuzz_init(TRUE);
	gsize chunk = data[0] ? data[0] : 65536;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	struct mg_txn *t = mg_fuzz_txn();
	char *args[] = {NULL};
	mg_txn_mail_from(t, "<sender@example.net>", args);
	mg_txn_rcpt(t, "<staff@city.example.lg.jp>", args);
	p = fz_headers(t, p, end);
	mg_txn_eoh(t);
	while (p < end) {
		gsize n = MIN(chunk, (gsize)(end - p));
		mg_txn_body(t, p, n);
		p += n;
	}
	const struct mg_verdict *v = mg_txn_eom(t);
	if (v && v->kind == MG_VERDICT_ACCEPT)
		fz_drain(t);
	mg_txn_free(t);
	return 0;
}
