/*
 * mime.c - prescan and parse (see mg_mime.h); the rebuild walk is in
 * walk.c, part names in filename.c.
 *
 * The prescan is a guard, not a parser: it counts Content-Type fields that
 * open containers (multipart/, message/) in the raw text, so that a message
 * with thousands of parts or deep nesting is refused before GMime (whose
 * parser recurses) ever sees it.  The count is an upper bound of both the
 * container count and the nesting depth.
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"
#include "mg_log.h"
#include "mg_mime.h"
#include "mime_priv.h"
#include "mg_sha256.h"
#include "mg_smime.h"

char *mg_mime_lf(const char *s)
{
	GString *g = g_string_sized_new(strlen(s));
	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			g_string_append_c(g, *s);
	return g_string_free(g, FALSE);
}

char *mg_mime_type_of(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	char *l = g_ascii_strdown(t, -1);
	g_free(t);
	return l;
}

/* Count container Content-Type fields in the raw message (case-insensitive,
 * folding allowed between the colon and the type).  Reads in blocks; the
 * last TAIL bytes of a block are carried into the next one and matches that
 * start there are counted only then, so none is missed or counted twice. */
#define PRESCAN_TAIL 64
gint64 mg_mime_count_in(const char *low, gsize len, gsize limit)
{
	static const char pat[] = "content-type:";
	const char *end = low + len;
	gint64 n = 0;
	/* memmem, not a string search: a NUL byte must not hide what follows */
	for (const char *p = low; (p = memmem(p, (gsize)(end - p), pat, sizeof pat - 1)) != NULL; p++) {
		if ((gsize)(p - low) >= limit)
			break;
		const char *v = p + sizeof pat - 1;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if ((end - v >= 10 && memcmp(v, "multipart/", 10) == 0) ||
		    (end - v >= 8 && memcmp(v, "message/", 8) == 0))
			n++;
	}
	return n;
}

static gint64 count_containers(GMimeStream *s)
{
	char buf[65536];
	gsize len = 0;
	gint64 n = 0;
	for (;;) {
		gssize got = g_mime_stream_read(s, buf + len, sizeof buf - len);
		gboolean eof = got <= 0;
		gsize old = len;
		len += eof ? 0 : (gsize)got;
		for (gsize i = old; i < len; i++) /* the carried tail is lower case already */
			buf[i] = mg_mime_lower(buf[i]);
		gsize limit = eof ? len : (len > PRESCAN_TAIL ? len - PRESCAN_TAIL : 0);
		n += mg_mime_count_in(buf, len, limit);
		if (eof)
			return n;
		memmove(buf, buf + limit, len - limit);
		len -= limit;
	}
}

/* The message as received, or NULL after failing the message closed. */
static GMimeStream *raw_stream(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeStream *s = mg_spool_stream(t->raw, &err);
	if (!s) {
		mg_txn_internal_error(t, "spool read", err);
		g_clear_error(&err);
	}
	return s;
}

/* Header blocks inside the body (of every MIME part and attached message)
 * are bounded too: GMime keeps each field as objects, 40 to 90 times its
 * size in memory (corpus sweep: one 3 MB To field or a million short
 * fields in an attached message took 0.7 to 1.2 GB), and only the top
 * header goes through max_header_*.  A block starts at the body, after a
 * line that begins with "--" (a boundary) or after the blank line that
 * ends a block, with a "name:" line; it ends at a blank line or at a line
 * that is neither a field nor a continuation.  Text that only looks like
 * a header must not be refused, so the bounds are HDR_SCALE times the
 * top-level ones: fields of all blocks together, bytes of one field. */
#define HDR_SCALE 10
enum hdr_line { HL_START, HL_NAME, HL_FIELD, HL_CONT, HL_DASH, HL_OTHER };

struct hdr_scan {
	gint64 fields, field_len, line_len;
	enum hdr_line kind;
	gboolean in_block, may_open, blank;
};

static void hdr_line_end(struct hdr_scan *h)
{
	gboolean field = h->kind == HL_FIELD, cont = h->kind == HL_CONT && !h->blank;
	if (h->blank || h->kind == HL_DASH || (!field && !cont)) {
		h->may_open = h->kind == HL_DASH || (h->blank && h->in_block);
		h->in_block = FALSE;
	} else if (field && (h->in_block || h->may_open)) {
		h->in_block = TRUE;
		h->may_open = FALSE;
		h->fields++;
		h->field_len = h->line_len;
	} else if (cont && h->in_block) {
		h->field_len += h->line_len;
	}
	h->kind = HL_START;
	h->line_len = 0;
	h->blank = TRUE;
}

static void hdr_char(struct hdr_scan *h, char c)
{
	if (c == '\n') {
		hdr_line_end(h);
		return;
	}
	h->line_len++;
	if (c == '\r')
		return;
	gboolean first = h->blank;
	h->blank = FALSE;
	if (first)
		h->kind = c == ' ' || c == '\t'            ? HL_CONT
			  : c == '-'                       ? HL_DASH
			  : c > ' ' && c < 127 && c != ':' ? HL_NAME
							   : HL_OTHER;
	else if (h->kind == HL_DASH && h->line_len == 2 && c != '-')
		h->kind = c > ' ' && c < 127 && c != ':' ? HL_NAME : c == ':' ? HL_FIELD : HL_OTHER;
	else if (h->kind == HL_NAME && c == ':')
		h->kind = HL_FIELD;
	else if (h->kind == HL_NAME && (c <= ' ' || c >= 127))
		h->kind = HL_OTHER;
}

static gboolean header_blocks_ok(struct mg_txn *t, GMimeStream *s)
{
	const struct mg_config *cfg = t->cfg;
	struct hdr_scan h = {.kind = HL_START, .may_open = TRUE, .blank = TRUE};
	char buf[65536];
	gssize got;
	g_mime_stream_seek(s, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET);
	while ((got = g_mime_stream_read(s, buf, sizeof buf)) > 0) {
		for (gssize i = 0; i < got; i++)
			hdr_char(&h, buf[i]);
		if (h.fields > HDR_SCALE * cfg->max_headers || h.field_len > HDR_SCALE * cfg->max_header_field ||
		    (h.kind == HL_CONT && h.in_block && h.field_len + h.line_len > HDR_SCALE * cfg->max_header_field))
			break;
	}
	hdr_line_end(&h);
	if (h.fields > HDR_SCALE * cfg->max_headers)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_headers",
			    "MIME part headers have more than %" G_GINT64_FORMAT " fields",
			    HDR_SCALE * cfg->max_headers);
	else if (h.field_len > HDR_SCALE * cfg->max_header_field)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_header_field",
			    "A MIME part header field exceeds %" G_GINT64_FORMAT " bytes",
			    HDR_SCALE * cfg->max_header_field);
	return !mg_txn_decided(t);
}

gboolean mg_mime_prescan(struct mg_txn *t)
{
	GMimeStream *s = raw_stream(t);
	if (!s)
		return FALSE;
	gint64 n = count_containers(s);
	t->prescan_containers = n;
	if (n > t->cfg->max_mime_parts) {
		g_object_unref(s);
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
		return FALSE;
	}
	gboolean ok = header_blocks_ok(t, s);
	g_object_unref(s);
	return ok;
}

gboolean mg_mime_parse(struct mg_txn *t)
{
	GMimeStream *s = raw_stream(t);
	if (!s)
		return FALSE;
	/* Boundaries derive from the body only: the MTA adds its own trace
	 * fields (Received) to what the milter sees, and the milter and
	 * `mugaika sanitize` must write identical output. */
	struct mg_sha256 ck;
	char buf[65536];
	gssize n;
	mg_sha256_init(&ck);
	g_mime_stream_seek(s, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET);
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		mg_sha256_update(&ck, buf, (gsize)n);
	t->boundary_seed = g_malloc(65);
	mg_sha256_final_hex(&ck, t->boundary_seed);
	g_mime_stream_reset(s);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(p, TRUE);
	t->msg = g_mime_parser_construct_message(p, mg_charset_parser_options());
	g_object_unref(p);
	g_object_unref(s);
	if (!t->msg) {
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.6.0", "mime-parse", "Message could not be parsed as MIME");
		return FALSE;
	}
	return TRUE;
}
