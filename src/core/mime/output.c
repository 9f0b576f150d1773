/*
 * output.c - the last end-of-message step: turn the rebuilt tree into
 * header operations plus a new body, and the per-message log summary.
 *
 * Header policy of the top level: every incoming Content-* field,
 * MIME-Version and any X-Mugaika-* field (forged or stale) is deleted; the
 * rebuilt entity's MIME fields and our status fields are appended.  All
 * other fields (Subject, From, Received, ...) are left exactly as received,
 * except Subject and address fields in raw 8-bit, re-encoded (ops_raw8).
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_log.h"
#include "mg_mime.h"

/* Fields deleted from the top level: the MIME fields of the original (the
 * rebuilt entity brings its own), any X-Mugaika-* (forged or stale), and
 * Bcc, which must never travel with the message (it would show every
 * recipient the blind-copied addresses). */
static gboolean replaced_header(const char *name)
{
	return g_ascii_strncasecmp(name, "Content-", 8) == 0 || g_ascii_strcasecmp(name, "MIME-Version") == 0 ||
	       g_ascii_strncasecmp(name, "X-Mugaika-", 10) == 0 || g_ascii_strcasecmp(name, "Bcc") == 0;
}

static void op_add(struct mg_txn *t, enum mg_hdr_op_kind kind, const char *name, int index, const char *value)
{
	struct mg_hdr_op *op = g_new0(struct mg_hdr_op, 1);
	op->kind = kind;
	op->name = g_strdup(name);
	op->index = index;
	op->value = g_strdup(value);
	g_ptr_array_add(t->hdr_ops, op);
}

/* 1-based index of headers[i] among fields of the same name. */
static int header_index(struct mg_txn *t, guint i)
{
	const char *name = ((struct mg_header *)t->headers->pdata[i])->name;
	int n = 0;
	for (guint j = 0; j <= i; j++)
		if (g_ascii_strcasecmp(((struct mg_header *)t->headers->pdata[j])->name, name) == 0)
			n++;
	return n;
}

static void ops_delete(struct mg_txn *t)
{
	for (guint i = t->headers->len; i-- > 0;) {
		struct mg_header *h = t->headers->pdata[i];
		if (replaced_header(h->name))
			op_add(t, MG_HDR_DELETE, h->name, header_index(t, i), NULL);
	}
}

/* Header fields sent with raw 8-bit bytes (CP932 or EUC-JP unencoded) are
 * replaced by their decoded text as RFC 2047 UTF-8 words, so that every
 * client reads them: Subject/Comments as text, address fields through
 * GMime's address parser after the bytes are decoded here (GMime's own
 * fallback would read EUC-JP as half-width katakana).  Fields without
 * 8-bit bytes are left exactly as received. */
static const char *const addr_fields[] = {"From", "To", "Cc", "Reply-To", "Sender"};

static char *raw8_reencode(const char *name, const char *value)
{
	if (g_ascii_strcasecmp(name, "Subject") == 0 || g_ascii_strcasecmp(name, "Comments") == 0) {
		char *text = g_strstrip(mg_charset_decode_header(value));
		char *enc = g_mime_utils_header_encode_text(NULL, text, "utf-8");
		g_free(text);
		return enc;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(addr_fields); i++) {
		if (g_ascii_strcasecmp(name, addr_fields[i]) != 0)
			continue;
		char *utf8 = mg_charset_to_utf8(value, strlen(value), NULL, NULL);
		InternetAddressList *l = internet_address_list_parse(mg_charset_parser_options(), utf8);
		char *enc = l && internet_address_list_length(l) > 0 ? internet_address_list_to_string(l, NULL, TRUE)
								     : NULL;
		if (l)
			g_object_unref(l);
		g_free(utf8);
		return enc;
	}
	return NULL;
}

static void ops_raw8(struct mg_txn *t)
{
	for (guint i = t->headers->len; i-- > 0;) {
		struct mg_header *h = t->headers->pdata[i];
		gboolean raw8 = FALSE;
		for (const char *p = h->value; *p && !raw8; p++)
			raw8 = (guchar)*p >= 0x80;
		char *enc = raw8 ? raw8_reencode(h->name, h->value) : NULL;
		if (!enc)
			continue;
		op_add(t, MG_HDR_DELETE, h->name, header_index(t, i), NULL);
		op_add(t, MG_HDR_ADD, h->name, 0, enc);
		g_free(enc);
	}
}

/* Split "Name: value\n\tmore\nName2: v\n" into ADD operations. */
static void ops_add_block(struct mg_txn *t, const char *block)
{
	char **lines = g_strsplit(block, "\n", -1);
	GString *val = NULL;
	char *name = NULL;
	for (int i = 0;; i++) {
		const char *l = lines[i];
		gboolean cont = l && (*l == ' ' || *l == '\t');
		if (name && !cont) {
			op_add(t, MG_HDR_ADD, name, 0, val->str);
			g_free(name);
			g_string_free(val, TRUE);
			name = NULL;
		}
		if (!l)
			break;
		if (cont && name) {
			g_string_append_printf(val, "\n%s", l);
		} else if (*l) {
			const char *colon = strchr(l, ':');
			if (!colon)
				continue;
			name = g_strndup(l, (gsize)(colon - l));
			const char *v = colon + 1;
			while (*v == ' ')
				v++;
			val = g_string_new(v);
		}
	}
	g_strfreev(lines);
}

/* X-Mugaika-Actions: "html-to-text; signature-removed; rebuilt=1; removed=2"
 * (events, then counts of attachments by action; body text not counted),
 * "none" when nothing was done. */
static char *actions_value(struct mg_txn *t)
{
	int c[4] = {0, 0, 0, 0};
	for (guint i = 0; i < t->report->parts->len; i++) {
		const struct mg_part_report *p = t->report->parts->pdata[i];
		if (!mg_txn_is_body_rep(t, p))
			c[p->action]++;
	}
	GString *a = g_string_new(NULL);
	if (t->body_from_html)
		g_string_append(a, "html-to-text; ");
	for (guint i = 0; i < t->report->events->len; i++)
		g_string_append_printf(a, "%s; ", (char *)t->report->events->pdata[i]);
	static const enum mg_action order[] = {MG_ACTION_CONVERTED, MG_ACTION_REBUILT, MG_ACTION_REMOVED};
	for (gsize i = 0; i < G_N_ELEMENTS(order); i++)
		if (c[order[i]])
			g_string_append_printf(a, "%s=%d; ", mg_action_name(order[i]), c[order[i]]);
	if (a->len)
		g_string_truncate(a, a->len - 2);
	else
		g_string_append(a, "none");
	return g_string_free(a, FALSE);
}

static void status_headers(struct mg_txn *t)
{
	t->report->status = g_strdup_printf("sanitized (mugaika %s)", PACKAGE_VERSION);
	t->report->actions = actions_value(t);
	op_add(t, MG_HDR_ADD, "X-Mugaika-Status", 0, t->report->status);
	op_add(t, MG_HDR_ADD, "X-Mugaika-Actions", 0, t->report->actions);
}

gboolean mg_mime_write(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	t->out_body = mg_spool_sink(t->cfg->spool_dir, mg_spool_on_disk(t->raw), &err);
	if (!t->out_body) {
		mg_txn_internal_error(t, "output spool", err);
		g_clear_error(&err);
		g_mime_format_options_free(fo);
		return FALSE;
	}
	ssize_t n = g_mime_object_write_content_to_stream(t->new_top, fo, t->out_body);
	if (n < 0 || g_mime_stream_flush(t->out_body) < 0) {
		mg_txn_internal_error(t, "writing the rebuilt body", NULL);
		g_mime_format_options_free(fo);
		return FALSE;
	}
	t->report->size_out = g_mime_stream_length(t->out_body);
	ops_delete(t);
	ops_raw8(t);
	op_add(t, MG_HDR_ADD, "MIME-Version", 0, "1.0");
	char *block = g_mime_object_get_headers(t->new_top, fo);
	ops_add_block(t, block);
	g_free(block);
	status_headers(t);
	g_mime_format_options_free(fo);
	return TRUE;
}

void mg_mime_log_summary(struct mg_txn *t)
{
	const struct mg_report *r = t->report;
	int c[4];
	mg_report_count(r, c);
	mg_info(t->queue_id,
		"verdict=%s code=%s %s from=<%s> rcpts=%u client=%s size=%" G_GINT64_FORMAT "->%" G_GINT64_FORMAT
		" parts=%u kept=%d converted=%d rebuilt=%d removed=%d time=%" G_GINT64_FORMAT "ms%s%s",
		mg_verdict_name(r->verdict.kind), r->verdict.code, r->verdict.ecode, t->mail_from ? t->mail_from : "",
		t->rcpts->len, t->conn->client_addr, r->size_in, r->size_out, r->parts->len, c[MG_ACTION_KEPT],
		c[MG_ACTION_CONVERTED], c[MG_ACTION_REBUILT], c[MG_ACTION_REMOVED], r->elapsed_us / 1000,
		r->verdict.reason ? " reason=" : "", r->verdict.reason ? r->verdict.reason : "");
}
