/*
 * output.c - the last end-of-message step: turn the rebuilt tree into
 * header operations plus a new body, and the per-message log summary.
 *
 * Header policy of the top level: every incoming Content-* field,
 * MIME-Version and any X-Mugaika-* field (forged or stale) is deleted; the
 * rebuilt entity's MIME fields and our status fields are appended.  All
 * other fields (Subject, From, Received, ...) stay where they are; those
 * the header encoder finds unclean are written again in place
 * (ops_reencode), the rest byte for byte.
 * mg_mime_write_unchanged is the scan profile's output (issue 16): the
 * message goes out as received, only X-Mugaika-* and Bcc are deleted and
 * our status fields added, so signatures over the content stay valid.
 */
#include "config.h"

#include <string.h>

#include "mg_hdrenc.h"
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

static enum mg_hdrenc_cs out_cs(const struct mg_txn *t)
{
	return t->cfg->body_charset == 1 ? MG_HDRENC_JIS : MG_HDRENC_UTF8;
}

/* Fields we write go through the header encoder too (a long
 * X-Mugaika-Actions is folded, nothing unclean can slip out). */
static void op_add(struct mg_txn *t, enum mg_hdr_op_kind kind, const char *name, int index, const char *value)
{
	struct mg_hdr_op *op = g_new0(struct mg_hdr_op, 1);
	char *clean = kind == MG_HDR_ADD ? mg_hdrenc_field(name, value, out_cs(t)) : NULL;
	op->kind = kind;
	op->name = g_strdup(name);
	op->index = index;
	op->value = clean ? clean : g_strdup(value);
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

/* Every other field goes through the header encoder (mg_hdrenc): one
 * with raw 8-bit or control bytes, encoded words (split inside characters,
 * over 75 characters, in a charset other than the output's) or unfolded
 * long lines is decoded with the relay's decoders and written again in
 * place (MG_HDR_CHANGE); a clean field stays byte for byte. */
/* A field another stage already deleted (issue 16: a forged
 * Authentication-Results): no CHANGE may bring it back. */
static gboolean deleted_by_op(const struct mg_txn *t, const char *name, int index)
{
	for (guint k = 0; k < t->hdr_ops->len; k++) {
		const struct mg_hdr_op *op = t->hdr_ops->pdata[k];
		if (op->kind == MG_HDR_DELETE && op->index == index && g_ascii_strcasecmp(op->name, name) == 0)
			return TRUE;
	}
	return FALSE;
}

static void ops_reencode(struct mg_txn *t)
{
	for (guint i = 0; i < t->headers->len; i++) {
		struct mg_header *h = t->headers->pdata[i];
		if (replaced_header(h->name) || deleted_by_op(t, h->name, header_index(t, i)))
			continue;
		char *v = mg_hdrenc_field(h->name, h->value, out_cs(t));
		if (v)
			op_add(t, MG_HDR_CHANGE, h->name, header_index(t, i), v);
		g_free(v);
	}
}

/* The MIME fields of a rebuilt part that carries a name: the name as RFC
 * 2231 (Content-Disposition) and RFC 2047 (Content-Type name=), written
 * by the header encoder instead of GMime (which cuts RFC 2231 inside
 * characters and writes no name= for older clients). */
static void part_name_fields(GMimePart *part, enum mg_hdrenc_cs cs)
{
	const char *name = g_mime_part_get_filename(part);
	GMimeObject *o = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(o);
	if (!name || !ct)
		return;
	GMimeParamList *pl = g_mime_content_type_get_parameters(ct);
	GPtrArray *params = g_ptr_array_new();
	for (int i = 0; pl && i < g_mime_param_list_length(pl); i++) {
		GMimeParam *pa = g_mime_param_list_get_parameter_at(pl, i);
		if (g_ascii_strcasecmp(g_mime_param_get_name(pa), "name") != 0) {
			g_ptr_array_add(params, (gpointer)g_mime_param_get_name(pa));
			g_ptr_array_add(params, (gpointer)g_mime_param_get_value(pa));
		}
	}
	g_ptr_array_add(params, NULL);
	char *type = g_mime_content_type_get_mime_type(ct);
	char *ctv = mg_hdrenc_content_type(type, (const char *const *)params->pdata, name, cs);
	char *cdv = mg_hdrenc_disposition(cd ? g_mime_content_disposition_get_disposition(cd) : "attachment", name);
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	if (!cd)
		g_mime_object_set_disposition(o, "attachment");
	char *raw = g_strdup_printf(" %s\n", ctv);
	g_mime_header_set_raw_value(g_mime_header_list_get_header(hl, "Content-Type"), raw);
	g_free(raw);
	raw = g_strdup_printf(" %s\n", cdv);
	g_mime_header_set_raw_value(g_mime_header_list_get_header(hl, "Content-Disposition"), raw);
	g_free(raw);
	g_free(ctv);
	g_free(cdv);
	g_free(type);
	g_ptr_array_unref(params);
}

/* Walk the rebuilt tree (attached messages included) just before it is
 * written: GMime regenerates a field's raw value on any later change. */
static void tree_name_fields(GMimeObject *o, enum mg_hdrenc_cs cs)
{
	if (GMIME_IS_MULTIPART(o)) {
		for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o)); i++)
			tree_name_fields(g_mime_multipart_get_part(GMIME_MULTIPART(o), i), cs);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (m && g_mime_message_get_mime_part(m))
			tree_name_fields(g_mime_message_get_mime_part(m), cs);
	} else if (GMIME_IS_PART(o)) {
		part_name_fields(GMIME_PART(o), cs);
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
	t->report->status = g_strdup_printf("%s (mugaika %s)", t->profile == MG_PROFILE_SCAN ? "scanned" : "sanitized",
					    PACKAGE_VERSION);
	t->report->actions = actions_value(t);
	op_add(t, MG_HDR_ADD, "X-Mugaika-Status", 0, t->report->status);
	op_add(t, MG_HDR_ADD, "X-Mugaika-Actions", 0, t->report->actions);
}

gboolean mg_mime_write(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	tree_name_fields(t->new_top, out_cs(t));
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
	ops_reencode(t);
	op_add(t, MG_HDR_ADD, "MIME-Version", 0, "1.0");
	char *block = g_mime_object_get_headers(t->new_top, fo);
	ops_add_block(t, block);
	g_free(block);
	status_headers(t);
	g_mime_format_options_free(fo);
	return TRUE;
}

/* Our own fields only: deleted when forged, never carried over. */
static void ops_delete_ours(struct mg_txn *t)
{
	for (guint i = t->headers->len; i-- > 0;) {
		struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strncasecmp(h->name, "X-Mugaika-", 10) == 0 || g_ascii_strcasecmp(h->name, "Bcc") == 0)
			op_add(t, MG_HDR_DELETE, h->name, header_index(t, i), NULL);
	}
}

gboolean mg_mime_write_unchanged(struct mg_txn *t)
{
	t->report->size_out = t->report->size_in;
	ops_delete_ours(t);
	status_headers(t);
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
