/*
 * leaf.c - one MIME leaf: decode within limits, record, decide, rebuild.
 *
 * mg_leaf_run decodes a leaf within the limits and records it in the
 * report; its fate is decided by the step sequence's callback (body text,
 * CDR, scanning: src/core/pipeline).  mg_leaf_new_part builds the part
 * that is delivered in its place; content past spool_memory_max goes to a
 * private spool file at once (issue 15), so the rebuilt tree never holds
 * more than one large file in memory, the one being built.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "mg_log.h"
#include "mg_mime.h"
#include "mg_sha256.h"
#include "mg_spool.h"

/* Room for the decoded content, so that a large part is not grown by
 * doubling (a peak of twice its size, copied on every step): base64
 * decodes to 3/4 of its length, the other encodings to at most theirs. */
static GByteArray *decode_buffer(struct mg_txn *t, GMimeDataWrapper *w)
{
	GMimeStream *enc = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	gint64 len = enc ? g_mime_stream_length(enc) : 0;
	if (len > 0 && g_mime_data_wrapper_get_encoding(w) == GMIME_CONTENT_ENCODING_BASE64)
		len = len / 4 * 3 + 3;
	len = CLAMP(len, 0, MIN(t->cfg->max_part_size + 1, G_MAXUINT)); /* past the limit, the part is refused */
	/* issue 11: charged to the message's memory budgets, allocated so that
	 * a failure fails this message only */
	guint8 *buf = mg_txn_mem_take(t, (gsize)len, "MIME decoding") ? mg_txn_try_alloc(t, (gsize)len, "MIME decoding")
								      : NULL;
	if (!buf)
		return NULL;
	GByteArray *ba = g_byte_array_new_take(buf, (gsize)len);
	g_byte_array_set_size(ba, 0); /* the room stays */
	return ba;
}

static GByteArray *leaf_decode(struct mg_txn *t, GMimePart *part, GError **err)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GByteArray *room = decode_buffer(t, w);
	if (!room)
		return NULL; /* the message is decided (budget, memory) */
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(room);
	/* The decoded size is bounded by the encoded size, which the message
	 * size limit already bounds; the per-part limits are checked after. */
	if (w && g_mime_data_wrapper_write_to_stream(w, mem) < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "decoding failed");
		g_object_unref(mem);
		return NULL;
	}
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return ba;
}

static gboolean leaf_limits(struct mg_txn *t, const struct mg_leaf *leaf)
{
	const struct mg_config *cfg = t->cfg;
	t->decoded_total += leaf->data->len;
	if ((gint64)leaf->data->len > cfg->max_part_size)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.3.4", "max_part_size",
			    "MIME part %s exceeds %" G_GINT64_FORMAT " bytes", leaf->path, cfg->max_part_size);
	else if (t->decoded_total > cfg->max_decoded_total)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.3.4", "max_decoded_total",
			    "Decoded MIME parts exceed %" G_GINT64_FORMAT " bytes in total", cfg->max_decoded_total);
	return !mg_txn_decided(t);
}

/* Body text: plain or HTML, not an attachment, and without a file name.
 * A text part with a name is a file whatever its disposition says (issue
 * 12: "inline; filename=invoice.hta" must not take the body path and keep
 * its name): it goes through the attachment policy. */
static gboolean is_inline_text(GMimePart *part, const char *type, const char *filename)
{
	if (!g_str_equal(type, "text/plain") && !g_str_equal(type, "text/html"))
		return FALSE;
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(GMIME_OBJECT(part));
	if (d && g_ascii_strcasecmp(g_mime_content_disposition_get_disposition(d), "attachment") == 0)
		return FALSE;
	return filename == NULL && g_mime_part_get_filename(part) == NULL;
}

GMimeObject *mg_leaf_run(struct mg_txn *t, GMimePart *part, const char *path, int depth, mg_leaf_fn fn, void *data)
{
	GError *err = NULL;
	struct mg_leaf leaf = {.t = t, .orig = part, .path = path, .depth = depth};
	leaf.mime_type = mg_mime_type_of(GMIME_OBJECT(part));
	leaf.filename = mg_mime_part_filename(part); /* issue 3: CP50220, RFC 2231 */
	leaf.rep = mg_report_add_part(t->report, path);
	leaf.rep->declared_type = g_strdup(leaf.mime_type);
	leaf.rep->filename = g_strdup(leaf.filename);
	leaf.data = leaf_decode(t, part, &err);
	GMimeObject *out = NULL;
	if (!leaf.data) {
		if (!mg_txn_decided(t))
			mg_txn_internal_error(t, "MIME decoding", err);
		g_clear_error(&err);
		goto done;
	}
	leaf.rep->size = leaf.data->len;
	mg_sha256_hex(leaf.data->data, leaf.data->len, leaf.rep->sha256);
	leaf.inline_text = is_inline_text(part, leaf.mime_type, leaf.filename);
	if (leaf_limits(t, &leaf))
		out = fn(&leaf, data);
done:
	if (leaf.data)
		g_byte_array_unref(leaf.data);
	g_free(leaf.mime_type);
	g_free(leaf.filename);
	return out;
}

static void copy_disposition(GMimeObject *dst, GMimePart *orig, const char *filename)
{
	GMimeContentDisposition *d = orig ? g_mime_object_get_content_disposition(GMIME_OBJECT(orig)) : NULL;
	const char *disp = d ? g_mime_content_disposition_get_disposition(d) : NULL;
	if (disp && g_ascii_strcasecmp(disp, "inline") == 0 && !filename)
		g_mime_object_set_disposition(dst, "inline");
	else if (filename || (disp && g_ascii_strcasecmp(disp, "attachment") == 0))
		g_mime_object_set_disposition(dst, disp && g_ascii_strcasecmp(disp, "inline") == 0 ? "inline"
												   : "attachment");
}

/* The content of a new part: a copy in memory, or past spool_memory_max
 * a stream over a private spool file (the tree keeps the stream, the
 * bytes wait on disk until the output is written and scanned).  NULL,
 * after mg_txn_internal_error, when the spool file cannot be written. */
static GMimeStream *part_stream(const struct mg_leaf *leaf, const void *data, gsize len)
{
	if (!leaf || (gint64)len <= leaf->t->cfg->spool_memory_max)
		return g_mime_stream_mem_new_with_buffer(data, len);
	GError *err = NULL;
	int fd = mg_spool_tmpfile(leaf->t->cfg->spool_dir, &err);
	if (fd >= 0 && mg_spool_write_fd(fd, data, len, &err))
		return g_mime_stream_fs_new_with_bounds(fd, 0, -1); /* unbounded: see mg_spool_stream */
	if (fd >= 0)
		close(fd);
	mg_txn_internal_error(leaf->t, "output spool of a rebuilt part", err);
	g_clear_error(&err);
	return NULL;
}

GMimeObject *mg_leaf_new_part(const struct mg_leaf *leaf, const char *mime_type, const char *filename, const void *data,
			      gsize len)
{
	GMimeStream *s = part_stream(leaf, data, len);
	if (!s)
		return NULL;
	char **tv = g_strsplit(mime_type, "/", 2);
	GMimePart *p = g_mime_part_new_with_type(tv[0], tv[1] ? tv[1] : "octet-stream");
	g_strfreev(tv);
	GMimeObject *o = GMIME_OBJECT(p);
	if (g_str_has_prefix(mime_type, "text/")) /* issue 12: the CDR stage made every text UTF-8 */
		g_mime_object_set_content_type_parameter(o, "charset", "utf-8");
	copy_disposition(o, leaf ? leaf->orig : NULL, filename);
	if (filename)
		g_mime_part_set_filename(p, filename);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(p, w);
	g_object_unref(w);
	g_object_unref(s);
	g_mime_part_set_content_encoding(p, g_mime_part_get_best_content_encoding(p, GMIME_ENCODING_CONSTRAINT_7BIT));
	return o;
}

GMimeObject *mg_leaf_empty_text(void)
{
	GMimeTextPart *p = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(p, "utf-8");
	g_mime_text_part_set_text(p, "");
	return GMIME_OBJECT(p);
}
