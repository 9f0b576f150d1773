/*
 * mime.c - prescan, parse and rebuild (see mg_mime.h).
 *
 * The prescan is a guard, not a parser: it counts Content-Type fields that
 * open containers (multipart/, message/) in the raw text, so that a message
 * with thousands of parts or deep nesting is refused before GMime (whose
 * parser recurses) ever sees it.  The count is an upper bound of both the
 * container count and the nesting depth.
 */
#include "config.h"

#include <string.h>

#include "mg_log.h"
#include "mg_mime.h"

static GMimeParserOptions *parser_options;
static GOnce parser_once = G_ONCE_INIT;

static gpointer parser_options_init(gpointer unused)
{
	static const char *fallback[] = { "UTF-8", "CP932", "EUC-JP", NULL };
	GMimeParserOptions *o = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	parser_options = o;
	return o;
}

GMimeParserOptions *mg_mime_parser_options(void) { return g_once(&parser_once, parser_options_init, NULL); }

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

void mg_sha256_hex(const void *data, gsize len, char out[65])
{
	char *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	g_strlcpy(out, h, 65);
	g_free(h);
}

/* Count container Content-Type fields in the raw message (case-insensitive,
 * folding allowed between the colon and the type).  Reads in blocks; the
 * last TAIL bytes of a block are carried into the next one and matches that
 * start there are counted only then, so none is missed or counted twice. */
#define PRESCAN_TAIL 64
static gint64 count_in(const char *low, gsize len, gsize limit)
{
	static const char pat[] = "content-type:";
	gint64 n = 0;
	for (const char *p = low; (p = g_strstr_len(p, (gssize)(low + len - p), pat)) != NULL; p++) {
		if ((gsize)(p - low) >= limit)
			break;
		const char *v = p + sizeof pat - 1, *end = low + len;
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
		len += eof ? 0 : (gsize)got;
		for (gsize i = 0; i < len; i++)
			buf[i] = g_ascii_tolower(buf[i]);
		gsize limit = eof ? len : (len > PRESCAN_TAIL ? len - PRESCAN_TAIL : 0);
		n += count_in(buf, len, limit);
		if (eof)
			return n;
		memmove(buf, buf + limit, len - limit);
		len -= limit;
	}
}

gboolean mg_mime_prescan(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeStream *s = mg_spool_stream(t->raw, &err);
	if (!s) {
		mg_txn_internal_error(t, "spool read", err);
		g_clear_error(&err);
		return FALSE;
	}
	gint64 n = count_containers(s);
	g_object_unref(s);
	if (n > t->cfg->max_mime_parts) {
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
		return FALSE;
	}
	return TRUE;
}

gboolean mg_mime_parse(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeStream *s = mg_spool_stream(t->raw, &err);
	if (!s) {
		mg_txn_internal_error(t, "spool read", err);
		g_clear_error(&err);
		return FALSE;
	}
	/* Boundaries derive from the body only: the MTA adds its own trace
	 * fields (Received) to what the milter sees, and the milter and
	 * `mugaika sanitize` must write identical output. */
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	char buf[65536];
	gssize n;
	g_mime_stream_seek(s, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET);
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_checksum_update(ck, (const guchar *)buf, n);
	t->boundary_seed = g_strdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	g_mime_stream_reset(s);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(p, TRUE);
	t->msg = g_mime_parser_construct_message(p, mg_mime_parser_options());
	g_object_unref(p);
	g_object_unref(s);
	if (!t->msg) {
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.6.0", "mime-parse",
			    "Message could not be parsed as MIME");
		return FALSE;
	}
	return TRUE;
}

struct rebuild {
	struct mg_txn *t;
	gint64 parts;
};

static GMimeObject *rebuild_object(struct rebuild *rb, GMimeObject *obj, const char *path, int depth);

static gboolean rebuild_limits(struct rebuild *rb, int depth)
{
	struct mg_txn *t = rb->t;
	if (depth > t->cfg->max_mime_depth)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_depth",
			    "MIME nesting deeper than %" G_GINT64_FORMAT, t->cfg->max_mime_depth);
	else if (++rb->parts > t->cfg->max_mime_parts)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
	else if (mg_txn_past_deadline(t))
		mg_txn_internal_error(t, "processing time limit exceeded", NULL);
	return !mg_txn_decided(t);
}

static char *child_path(const char *path, int i)
{
	return *path ? g_strdup_printf("%s.%d", path, i) : g_strdup_printf("%d", i);
}

static GMimeObject *rebuild_multipart(struct rebuild *rb, GMimeMultipart *mp, const char *path, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	gboolean is_signed = GMIME_IS_MULTIPART_SIGNED(mp);
	GMimeMultipart *out = g_mime_multipart_new_with_subtype(
		is_signed || GMIME_IS_MULTIPART_ENCRYPTED(mp) || !sub ? "mixed" : sub);
	char *b = mg_txn_boundary(rb->t);
	g_mime_multipart_set_boundary(out, b);
	g_free(b);
	int n = g_mime_multipart_get_count(mp);
	if (is_signed) {
		n = MIN(n, 1); /* the signature cannot survive rebuilding */
		mg_report_event(rb->t->report, "signature-removed");
	}
	for (int i = 0; i < n && !mg_txn_decided(rb->t); i++) {
		char *cp = child_path(path, i + 1);
		GMimeObject *c = rebuild_object(rb, g_mime_multipart_get_part(mp, i), cp, depth + 1);
		if (c) {
			g_mime_multipart_add(out, c);
			g_object_unref(c);
		}
		g_free(cp);
	}
	return GMIME_OBJECT(out);
}

/* Header fields of an attached message that survive rebuilding. */
static gboolean keep_inner_header(const char *name)
{
	return !(g_ascii_strncasecmp(name, "Content-", 8) == 0 || g_ascii_strcasecmp(name, "MIME-Version") == 0 ||
		 g_ascii_strncasecmp(name, "X-Mugaika-", 10) == 0);
}

static GMimeObject *rebuild_message_part(struct rebuild *rb, GMimeMessagePart *mpart, const char *path,
					 int depth)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mpart);
	GMimeMessage *nm = g_mime_message_new(FALSE);
	GMimeMessagePart *out = g_mime_message_part_new("rfc822");
	if (inner) {
		GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(inner));
		GMimeHeaderList *nl = g_mime_object_get_header_list(GMIME_OBJECT(nm));
		for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
			const char *name = g_mime_header_get_name(h);
			if (keep_inner_header(name))
				g_mime_header_list_append(nl, name, g_mime_header_get_value(h), NULL);
		}
		GMimeObject *body = g_mime_message_get_mime_part(inner);
		char *cp = child_path(path, 1);
		GMimeObject *nb = body ? rebuild_object(rb, body, *path ? path : cp, depth + 1) : NULL;
		g_free(cp);
		if (nb) {
			g_mime_message_set_mime_part(nm, nb);
			g_object_unref(nb);
		}
	}
	g_mime_message_part_set_message(out, nm);
	g_object_unref(nm);
	return GMIME_OBJECT(out);
}

static GMimeObject *rebuild_object(struct rebuild *rb, GMimeObject *obj, const char *path, int depth)
{
	if (!rebuild_limits(rb, depth))
		return NULL;
	if (GMIME_IS_MULTIPART(obj))
		return rebuild_multipart(rb, GMIME_MULTIPART(obj), path, depth);
	if (GMIME_IS_MESSAGE_PART(obj))
		return rebuild_message_part(rb, GMIME_MESSAGE_PART(obj), path, depth);
	if (GMIME_IS_PART(obj))
		return mg_leaf_run(rb->t, GMIME_PART(obj), *path ? path : "1", depth);
	/* message/partial and anything else GMime models separately */
	struct mg_part_report *pr = mg_report_add_part(rb->t->report, *path ? path : "1");
	pr->declared_type = mg_mime_type_of(obj);
	pr->action = MG_ACTION_REMOVED;
	pr->reason = g_strdup("unsupported MIME container (message/partial or external body)");
	return NULL;
}

gboolean mg_mime_rebuild(struct mg_txn *t)
{
	struct rebuild rb = { t, 0 };
	GMimeObject *body = g_mime_message_get_mime_part(t->msg);
	if (!body) { /* headers only: an empty text body */
		t->new_top = GMIME_OBJECT(g_mime_text_part_new_with_subtype("plain"));
		g_mime_text_part_set_text(GMIME_TEXT_PART(t->new_top), "");
		g_mime_text_part_set_charset(GMIME_TEXT_PART(t->new_top), "utf-8");
		return TRUE;
	}
	t->new_top = rebuild_object(&rb, body, "", 0);
	if (mg_txn_decided(t))
		return FALSE;
	if (!t->new_top) /* the whole body was removed: leave an empty text */
		t->new_top = mg_leaf_empty_text();
	return TRUE;
}
