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
#include "../tests/unit/mtafeed.h"
#include "fuzz_common.h"

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
	p = mg_test_feed_headers(t, p, end);
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
