/*
 * exfil_text.c - the text of attachments for the exfiltration rules (see
 * mg_exfil.h): what the pipeline can read without running anything.
 *
 *  - text attachments (text/...): the bytes through mg_charset_to_utf8;
 *  - ZIP packages (libzip, from memory): OOXML document text, headers,
 *    footers, shared strings, slides and document properties; ODF
 *    content.xml, meta.xml and styles.xml; for any ZIP the member names
 *    (as attachment names) and, one level down, the same for members that
 *    are themselves documents or text;
 *  - PDF (qpdf, from memory, empty user password): the document
 *    properties - every text string of the Info dictionary (qpdf turns
 *    PDFDocEncoding and UTF-16 into UTF-8) and the XMP metadata stream when
 *    it is stored unfiltered, as XMP asks (a filtered one is not inflated:
 *    no bomb is expanded for a word search).  Page text is not read: its
 *    bytes are glyph codes that only the fonts' ToUnicode maps turn into
 *    characters, which qpdf's C API does not do;
 *  - XML parts through libxml2's reader (no network, no DTD, no entity
 *    expansion; a part with a DOCTYPE is skipped), text nodes joined, a
 *    line break after each paragraph.
 * Bounds: members looked at (entries_max), bytes read from one member
 * (part_max, never more than the scan has room for), nesting depth 2, and
 * the scan's own max_text.  Encrypted members are not read (their names
 * are).  A part that cannot be read is skipped: this is a search for words,
 * not a verdict on the file (the CDR and the scanner judge the file).
 */
#include "config.h"

#include <string.h>
#include <zip.h>

#include <libxml/xmlreader.h>
#include <qpdf/qpdf-c.h>

#include "mg_charset.h"
#include "mg_exfil.h"

#define DEPTH_MAX 2

static gboolean is_zip(const guint8 *d, gsize n)
{
	return n >= 4 && d[0] == 'P' && d[1] == 'K' && d[2] == 3 && d[3] == 4;
}

/* Text nodes of an XML part; NULL when it cannot be read. */
static char *xml_text(const char *xml, gsize len, gsize max)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)MIN(len, (gsize)G_MAXINT), NULL, NULL,
						XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r)
		return NULL;
	GString *g = g_string_new(NULL);
	int rc;
	while ((rc = xmlTextReaderRead(r)) == 1 && g->len < max) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			rc = -1; /* a DTD in a document part: not ours to expand */
			break;
		}
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			const xmlChar *v = xmlTextReaderConstValue(r);
			if (v)
				g_string_append(g, (const char *)v);
		} else if (type == XML_READER_TYPE_END_ELEMENT &&
			   g_strcmp0((const char *)xmlTextReaderConstLocalName(r), "p") == 0)
			g_string_append_c(g, '\n');
	}
	xmlFreeTextReader(r);
	if (rc < 0 && g->len == 0) {
		g_string_free(g, TRUE);
		return NULL;
	}
	return g_string_free(g, FALSE);
}

/* Parts whose text carries labels and content. */
static gboolean text_part(const char *name)
{
	static const char *const exact[] = {"docProps/core.xml",
					    "docProps/app.xml",
					    "docProps/custom.xml",
					    "word/document.xml",
					    "xl/sharedStrings.xml",
					    "content.xml",
					    "meta.xml",
					    "styles.xml"};
	static const char *const prefix[] = {"word/header", "word/footer", "ppt/slides/slide", "ppt/notesSlides/"};
	for (gsize i = 0; i < G_N_ELEMENTS(exact); i++)
		if (strcmp(name, exact[i]) == 0)
			return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(prefix); i++)
		if (g_str_has_prefix(name, prefix[i]) && g_str_has_suffix(name, ".xml"))
			return TRUE;
	return FALSE;
}

struct xctx {
	struct mg_exfil_scan *s;
	const struct mg_exfil_text_limits *lim;
	guint entries; /* members looked at, all levels */
};

static void attachment_text(struct xctx *x, const guint8 *data, gsize len, const char *type, int depth);

/* Read the first cap bytes of a member at most (the text of a larger part
 * is searched as far as it goes); NULL when it cannot be read. */
static GBytes *member_read(zip_t *z, zip_uint64_t i, zip_uint64_t size, gsize cap)
{
	gsize want = (gsize)MIN(size, (zip_uint64_t)cap);
	zip_file_t *f = zip_fopen_index(z, i, 0);
	if (!f)
		return NULL;
	guint8 *buf = g_malloc(want + 1);
	zip_int64_t n = want ? zip_fread(f, buf, want) : 0;
	zip_fclose(f);
	if (n < 0) {
		g_free(buf);
		return NULL;
	}
	return g_bytes_new_take(buf, (gsize)n);
}

static void zip_member(struct xctx *x, zip_t *z, zip_uint64_t i, int depth)
{
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(z, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
		return;
	mg_exfil_scan_text(x->s, MG_EXW_ATT_NAME, st.name, strlen(st.name));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return;
	gsize cap = MIN(x->lim->part_max, mg_exfil_scan_room(x->s) * 4 + 4096);
	gboolean doc_part = text_part(st.name);
	gboolean nested = !doc_part && depth < DEPTH_MAX;
	if (!doc_part && !nested)
		return;
	GBytes *b = member_read(z, i, st.size, cap);
	if (!b)
		return;
	gsize n;
	const char *d = g_bytes_get_data(b, &n);
	if (doc_part) {
		char *t = xml_text(d, n, mg_exfil_scan_room(x->s) + 1);
		if (t)
			mg_exfil_scan_text(x->s, MG_EXW_ATT_TEXT, t, strlen(t));
		g_free(t);
	} else
		attachment_text(x, (const guint8 *)d, n, g_str_has_suffix(st.name, ".txt") ? "text/plain" : NULL,
				depth + 1);
	g_bytes_unref(b);
}

static void zip_text(struct xctx *x, const guint8 *data, gsize len, int depth)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return;
	}
	zip_int64_t n = zip_get_num_entries(z, 0);
	for (zip_int64_t i = 0; i < n && x->entries < x->lim->entries_max && mg_exfil_scan_room(x->s) > 0; i++) {
		x->entries++;
		zip_member(x, z, (zip_uint64_t)i, depth);
	}
	zip_discard(z);
	zip_error_fini(&ze);
}

static gboolean is_pdf(const guint8 *d, gsize n)
{
	return n >= 5 && memcmp(d, "%PDF-", 5) == 0;
}

/* The text strings of the Info dictionary, one a line. */
static void pdf_info(qpdf_data q, GString *g, gsize max)
{
	qpdf_oh info = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info");
	if (!qpdf_oh_is_dictionary(q, info))
		return;
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	qpdf_oh_begin_dict_key_iter(q, info);
	while (qpdf_oh_dict_more_keys(q) && keys->len < 64)
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(q)));
	for (guint i = 0; i < keys->len && g->len < max; i++) {
		qpdf_oh v = qpdf_oh_get_key(q, info, keys->pdata[i]);
		if (qpdf_oh_is_string(q, v)) {
			g_string_append(g, qpdf_oh_get_utf8_value(q, v));
			g_string_append_c(g, '\n');
		}
	}
	g_ptr_array_unref(keys);
}

/* The XMP packet of the catalog, when stored unfiltered. */
static void pdf_xmp(qpdf_data q, GString *g, gsize max)
{
	qpdf_oh meta = qpdf_oh_get_key(q, qpdf_get_root(q), "/Metadata");
	unsigned char *buf = NULL;
	size_t len = 0;
	if (!qpdf_oh_is_stream(q, meta) || qpdf_oh_has_key(q, qpdf_oh_get_dict(q, meta), "/Filter") ||
	    (qpdf_oh_get_stream_data(q, meta, qpdf_dl_none, NULL, &buf, &len) & QPDF_ERRORS)) {
		free(buf);
		return;
	}
	char *t = xml_text((const char *)buf, len, max - g->len + 1);
	free(buf);
	if (t)
		g_string_append(g, t);
	g_free(t);
}

/* A PDF's document properties; NULL when qpdf cannot open it. */
static char *pdf_props(const guint8 *data, gsize len, gsize max)
{
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	char *out = NULL;
	if (!(qpdf_read_memory(q, "attachment.pdf", (const char *)data, (unsigned long long)len, "") & QPDF_ERRORS)) {
		GString *g = g_string_new(NULL);
		pdf_info(q, g, max);
		if (g->len < max)
			pdf_xmp(q, g, max);
		out = g_string_free(g, qpdf_has_error(q) && g->len == 0);
	}
	qpdf_cleanup(&q);
	return out;
}

static gboolean looks_like_text(const guint8 *d, gsize n)
{
	gsize probe = MIN(n, 4096);
	return probe > 0 && memchr(d, '\0', probe) == NULL;
}

static void attachment_text(struct xctx *x, const guint8 *data, gsize len, const char *type, int depth)
{
	if (is_zip(data, len)) {
		zip_text(x, data, len, depth);
		return;
	}
	if (is_pdf(data, len)) {
		char *t = pdf_props(data, len, mg_exfil_scan_room(x->s) + 1);
		if (t)
			mg_exfil_scan_text(x->s, MG_EXW_ATT_TEXT, t, strlen(t));
		g_free(t);
		return;
	}
	if (!(type && g_str_has_prefix(type, "text/")) && !looks_like_text(data, len))
		return;
	gsize take = MIN(len, mg_exfil_scan_room(x->s) * 4 + 4);
	char *t = mg_charset_to_utf8((const char *)data, take, x->lim->charset, NULL);
	mg_exfil_scan_text(x->s, MG_EXW_ATT_TEXT, t, strlen(t));
	g_free(t);
}

void mg_exfil_attachment(struct mg_exfil_scan *s, const guint8 *data, gsize len, const char *declared_type,
			 const struct mg_exfil_text_limits *lim)
{
	struct xctx x = {.s = s, .lim = lim};
	if (len > 0 && mg_exfil_scan_room(s) > 0)
		attachment_text(&x, data, len, declared_type, 0);
}
