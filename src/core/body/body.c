/*
 * body.c - see mg_body.h: one body text leaf to a fresh text/plain part.
 */
#include "config.h"

#include <string.h>

#include "mg_body.h"
#include "mg_inline.h"
#include "mg_charset.h"
#include "mg_html2text.h"
#include "mg_log.h"
#include "mg_sha256.h"

static const char *leaf_charset(const struct mg_leaf *leaf)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(leaf->orig));
	return ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
}

static void set_content(GMimePart *part, const void *data, gsize len, GMimeContentEncoding enc)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(s, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, w);
	g_object_unref(w);
	g_object_unref(s);
	g_mime_part_set_content_encoding(part, enc);
}

/* 7bit allows lines of 998 bytes at most (RFC 5322); longer: base64. */
static GMimeContentEncoding jis_encoding(const char *jis, gsize n)
{
	gsize line = 0;
	for (gsize i = 0; i < n; i++) {
		line = jis[i] == '\n' ? 0 : line + 1;
		if (line > 998)
			return GMIME_CONTENT_ENCODING_BASE64;
	}
	return GMIME_CONTENT_ENCODING_7BIT;
}

void mg_body_set_text(struct mg_txn *t, GMimePart *part, const char *utf8)
{
	GMimeObject *o = GMIME_OBJECT(part);
	if (t->cfg->body_charset == 1) {
		gsize n = 0;
		char *jis = mg_charset_to_iso2022jp(utf8, &n);
		if (jis) {
			g_mime_object_set_content_type_parameter(o, "charset", "iso-2022-jp");
			set_content(part, jis, n, jis_encoding(jis, n));
			g_free(jis);
			return;
		}
		mg_info(t->queue_id, "body text has characters outside ISO-2022-JP; sent as UTF-8");
	}
	g_mime_object_set_content_type_parameter(o, "charset", "utf-8");
	set_content(part, utf8, strlen(utf8), GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content_encoding(part,
					 g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT));
}

/* Line ends to LF, control characters other than TAB/LF/FF dropped
 * (escape sequences never reach a terminal or a client), exactly one
 * final newline (unless empty). */
static char *text_tidy(char *s)
{
	GString *g = g_string_sized_new(strlen(s) + 1);
	for (const char *p = s; *p; p++) {
		guchar c = (guchar)*p;
		if (c == '\r' && p[1] == '\n')
			continue;
		if (c == '\r')
			g_string_append_c(g, '\n');
		else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\f')
			if (c != 0x7F)
				g_string_append_c(g, (char)c);
	}
	g_free(s);
	if (g->len && g->str[g->len - 1] != '\n')
		g_string_append_c(g, '\n');
	return g_string_free(g, FALSE);
}

/* What html2text dropped, as the report's removed objects, in a fixed
 * order: "script (2)", "hidden element (1)". */
static void record_removed(struct mg_part_report *rep, GHashTable *removed)
{
	static const char *const kinds[] = {"script", "script link", "frame",          "object",        "form",
					    "svg",    "media",       "hidden element", "tracking image"};
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(removed, kinds[i]));
		if (n)
			mg_part_report_removed(rep, "%s (%u)", kinds[i], n);
	}
}

static char *html_to_text(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	GHashTable *removed = g_hash_table_new(g_str_hash, g_str_equal);
	struct mg_html2text_opts o = {
		.defang_links = t->cfg->html_defang_links,
		.max_output = (gsize)t->cfg->html_max_output,
		.deadline_us = t->deadline_us,
		.max_depth = (int)t->cfg->html_max_depth,
		.image_label = t->cfg->notice_language == 1 ? "image" : "画像",
		.removed = removed,
	};
	GError *err = NULL;
	char *text = mg_html2text((const char *)leaf->data->data, leaf->data->len, leaf_charset(leaf), &o, &err);
	record_removed(leaf->rep, removed);
	g_hash_table_destroy(removed);
	if (text)
		return text;
	mg_info(t->queue_id, "HTML part %s could not be converted: %s", leaf->path, err->message);
	if (err->code == MG_HTML2TEXT_ERROR_PARSER) /* libxml2 failed, not the part: fail closed (issue 11) */
		mg_txn_internal_error(t, "HTML conversion", err);
	else if (t->cfg->body_convert_fail == MG_FAIL_REJECT)
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.6.0", "body_convert_fail",
			    "HTML body could not be converted to text (%s)",
			    err->code == MG_HTML2TEXT_ERROR_LIMIT ? "too large" : "conversion failed");
	else
		mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.3.0", "body_convert_fail",
			    "HTML body could not be converted to text, try again later");
	g_error_free(err);
	return NULL;
}

/* A file encoded inside the text (uuencode, BinHex, yEnc) is cut out:
 * clients show it as an attachment that the CDR never saw. */
static char *body_strip_files(struct mg_leaf *leaf, char *text)
{
	GPtrArray *cut = g_ptr_array_new_with_free_func(g_free);
	GString *g = mg_text_strip_inline_files(text, strlen(text), cut);
	if (g) {
		for (guint i = 0; i < cut->len; i++)
			mg_part_report_removed(leaf->rep, "%s", (char *)cut->pdata[i]);
		mg_txn_event_once(leaf->t, "inline-file-removed");
		g_free(text);
		text = g_string_free(g, FALSE);
	}
	g_ptr_array_unref(cut);
	return text;
}

/* format=flowed survives: the text is the same line for line. */
static void copy_flowed(GMimeObject *dst, GMimePart *orig)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(orig));
	const char *f = g_mime_content_type_get_parameter(ct, "format");
	const char *d = g_mime_content_type_get_parameter(ct, "delsp");
	if (f && g_ascii_strcasecmp(f, "flowed") == 0) {
		g_mime_object_set_content_type_parameter(dst, "format", "flowed");
		if (d && g_ascii_strcasecmp(d, "yes") == 0)
			g_mime_object_set_content_type_parameter(dst, "delsp", "yes");
	}
}

/* Body text is not listed as an attachment in the notice, except HTML
 * converted inside an attached message (listed as a converted part). */
static void body_record(struct mg_txn *t, struct mg_part_report *rep, GMimeObject *part, gboolean html)
{
	if (t->in_attached > 0 && html)
		return;
	if (!t->body_reps)
		t->body_reps = g_ptr_array_new();
	mg_txn_on_free(t, mg_body_txn_free);
	g_ptr_array_add(t->body_reps, rep);
	if (t->in_attached > 0)
		return;
	t->body_from_html |= html;
	if (!t->body_main)
		t->body_main = g_object_ref(part);
}

/* A plain text leaf in UTF-8; NULL (message failed closed) when iconv
 * itself failed - never a body with its text missing (issue 11). */
static char *plain_to_utf8(struct mg_leaf *leaf, char **used)
{
	GError *err = NULL;
	char *text = mg_charset_to_utf8_checked((const char *)leaf->data->data, leaf->data->len, leaf_charset(leaf),
						used, &err);
	if (!text) {
		mg_txn_internal_error(leaf->t, "text decoding", err);
		g_error_free(err);
	}
	return text;
}

GMimeObject *mg_body_text(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	gboolean html = g_str_equal(leaf->mime_type, "text/html");
	char *used = NULL, *text;
	if (html)
		text = html_to_text(leaf);
	else
		text = plain_to_utf8(leaf, &used);
	if (!text)
		return NULL;
	text = body_strip_files(leaf, text_tidy(text));
	GMimePart *p = g_mime_part_new_with_type("text", "plain");
	if (!html)
		copy_flowed(GMIME_OBJECT(p), leaf->orig);
	if (leaf->filename) { /* inline text with a name (Apple Mail) keeps it */
		g_mime_object_set_disposition(GMIME_OBJECT(p), "inline");
		char *name = html ? g_strconcat(leaf->filename, ".txt", NULL) : g_strdup(leaf->filename);
		g_mime_part_set_filename(p, name);
		leaf->rep->new_filename = name;
	}
	mg_body_set_text(t, p, text);
	leaf->rep->action = html ? MG_ACTION_CONVERTED : MG_ACTION_KEPT;
	leaf->rep->reason = html ? g_strdup("HTML body converted to plain text")
				 : g_strdup_printf("text body (%s)", used ? used : "UTF-8");
	if (html)
		leaf->rep->new_type = g_strdup("text/plain");
	leaf->rep->new_size = (gint64)strlen(text);
	leaf->rep->new_sha256 = mg_sha256_hex_dup(text, strlen(text));
	body_record(t, leaf->rep, GMIME_OBJECT(p), html);
	g_free(text);
	g_free(used);
	return GMIME_OBJECT(p);
}

GMimeObject *mg_body_only_remove(struct mg_leaf *leaf)
{
	leaf->rep->action = MG_ACTION_REMOVED;
	leaf->rep->reason = g_strdup("body-only profile: attachments are not accepted");
	mg_txn_event_once(leaf->t, "body-only");
	return NULL;
}

void mg_body_txn_free(struct mg_txn *t)
{
	if (t->body_main)
		g_object_unref(t->body_main);
	if (t->body_reps)
		g_ptr_array_unref(t->body_reps);
	t->body_main = NULL;
	t->body_reps = NULL;
}
