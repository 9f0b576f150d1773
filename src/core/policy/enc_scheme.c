/*
 * enc_scheme.c - which encryption a file uses (issue 16, F25): the
 * outbound encryption rule needs to know whether an attachment is
 * encrypted and whether the scheme is one the organisation approved
 * (approved_encryption).  Nothing is decrypted.
 *
 * Contract: mg_enc_scheme_of_file looks at a file's leading bytes to pick a
 * container and asks that container's library:
 *   zip  (libzip)      every file entry encrypted: the weakest of
 *                      zip-zipcrypto < zip-aes128 < zip-aes192 < zip-aes256
 *   7z   (libarchive)  encrypted entries or header: 7z-aes256 (7-Zip has no other)
 *   PDF  (qpdf)        the /Encrypt dictionary, readable without the password:
 *                      V 5 -> pdf-aes256, V 4 with AESV2 -> pdf-aes128, else pdf-rc4
 *   CFB  (libgsf)      an EncryptionInfo stream (encrypted Office Open XML):
 *                      agile 4.4 with cipherAlgorithm="AES", or standard 3.2/4.2
 *                      with the fAES flag -> office-aes; anything else -> office-rc4
 * and returns the scheme, or NULL when the file is not encrypted (a zip with
 * some entries in clear is not encrypted: what is in clear leaves).  A file
 * its library cannot open is not encrypted as far as this rule knows; the
 * scan and rebuild stages judge it separately.  Legacy binary Office
 * encryption (RC4 in .doc/.xls/.ppt) is not recognised: such a file counts
 * as not encrypted, which the rule refuses just the same by default.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <gsf/gsf.h>
#include <qpdf/qpdf-c.h>
#include <string.h>
#include <zip.h>

#include "enc_scheme.h"

static const char *const scheme_ids[] = {"smime",      "pgp",           "zip-aes256", "zip-aes192",
					 "zip-aes128", "7z-aes256",     "pdf-aes256", "pdf-aes128",
					 "office-aes", "zip-zipcrypto", "pdf-rc4",    "office-rc4"};
static const char *const weak_ids[] = {"zip-zipcrypto", "pdf-rc4", "office-rc4"};

const char *mg_enc_scheme_name(gsize i)
{
	return i < G_N_ELEMENTS(scheme_ids) ? scheme_ids[i] : NULL;
}

gboolean mg_enc_scheme_known(const char *id)
{
	return g_strv_contains((const char *const *)scheme_ids, id);
}

gboolean mg_enc_scheme_weak(const char *id)
{
	for (gsize i = 0; i < G_N_ELEMENTS(weak_ids); i++)
		if (g_strcmp0(id, weak_ids[i]) == 0)
			return TRUE;
	return FALSE;
}

/* ---- zip ---- */

static int zip_rank(zip_uint16_t m)
{
	switch (m) {
	case ZIP_EM_AES_256: return 4;
	case ZIP_EM_AES_192: return 3;
	case ZIP_EM_AES_128: return 2;
	case ZIP_EM_NONE: return 0;
	default: return 1; /* traditional PKWARE, or a scheme libzip cannot do */
	}
}

static const char *zip_scheme(const guchar *data, gsize len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	int weakest = 5;
	zip_int64_t n = z ? zip_get_num_entries(z, 0) : 0;
	for (zip_int64_t i = 0; i < n && weakest > 0; i++) {
		zip_stat_t st;
		if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
			continue;
		gsize nl = strlen(st.name);
		if (nl && st.name[nl - 1] == '/')
			continue; /* a directory carries no data */
		weakest = MIN(weakest, (st.valid & ZIP_STAT_ENCRYPTION_METHOD) ? zip_rank(st.encryption_method) : 0);
	}
	if (z)
		zip_discard(z);
	else if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	static const char *names[] = {NULL, "zip-zipcrypto", "zip-aes128", "zip-aes192", "zip-aes256", NULL};
	return names[weakest];
}

/* ---- 7z ---- */

static const char *sevenzip_scheme(const guchar *data, gsize len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e = NULL;
	archive_read_support_format_7zip(a);
	gboolean enc = FALSE;
	if (archive_read_open_memory(a, data, len) == ARCHIVE_OK) {
		int r = archive_read_next_header(a, &e);
		enc = archive_read_has_encrypted_entries(a) > 0 || (r == ARCHIVE_OK && archive_entry_is_encrypted(e));
	}
	archive_read_free(a);
	return enc ? "7z-aes256" : NULL;
}

/* ---- PDF ---- */

static const char *pdf_scheme(const guchar *data, gsize len)
{
	qpdf_data q = qpdf_init();
	const char *s = NULL;
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	qpdf_read_memory(q, "attachment.pdf", (const char *)data, (unsigned long long)len, "");
	/* "invalid password" is expected: the trailer is read all the same;
	 * any other error: a PDF qpdf cannot read (the scan stage judges it) */
	qpdf_error e = qpdf_has_error(q) ? qpdf_get_error(q) : NULL;
	if (e && qpdf_get_error_code(q, e) != qpdf_e_password) {
		qpdf_cleanup(&q);
		return NULL;
	}
	qpdf_oh enc = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Encrypt");
	if (qpdf_oh_is_dictionary(q, enc)) {
		int v = qpdf_oh_get_int_value_as_int(q, qpdf_oh_get_key(q, enc, "/V"));
		qpdf_oh cf = qpdf_oh_get_key(q, qpdf_oh_get_key(q, qpdf_oh_get_key(q, enc, "/CF"), "/StdCF"), "/CFM");
		gboolean aesv2 = qpdf_oh_is_name_and_equals(q, cf, "/AESV2");
		s = v >= 5 ? "pdf-aes256" : v == 4 && aesv2 ? "pdf-aes128" : "pdf-rc4";
	}
	while (qpdf_has_error(q)) /* object errors of a broken dictionary: handled, not printed */
		qpdf_get_error(q);
	qpdf_cleanup(&q);
	return s;
}

/* ---- Office (compound file with EncryptionInfo) ---- */

static const char *office_info_scheme(const guint8 *b, gsize n)
{
	if (n < 8)
		return "office-rc4";
	guint16 major = (guint16)(b[0] | b[1] << 8), minor = (guint16)(b[2] | b[3] << 8);
	guint32 flags = (guint32)b[4] | (guint32)b[5] << 8 | (guint32)b[6] << 16 | (guint32)b[7] << 24;
	if (major == 4 && minor == 4) { /* agile: an XML descriptor follows */
		char *xml = g_strndup((const char *)b + 8, n - 8);
		gboolean aes = strstr(xml, "cipherAlgorithm=\"AES\"") != NULL;
		g_free(xml);
		return aes ? "office-aes" : "office-rc4";
	}
	return (minor == 2 && (flags & 0x20)) ? "office-aes" : "office-rc4"; /* standard: fAES */
}

#define OFFICE_INFO_MAX 65536

static const char *office_scheme(const guchar *data, gsize len)
{
	GsfInput *mem = gsf_input_memory_new(data, (gsf_off_t)len, FALSE);
	GsfInfile *ole = mem ? gsf_infile_msole_new(mem, NULL) : NULL;
	GsfInput *info = ole ? gsf_infile_child_by_name(ole, "EncryptionInfo") : NULL;
	const char *s = NULL;
	if (info) {
		gsize n = (gsize)MIN(gsf_input_size(info), OFFICE_INFO_MAX);
		const guint8 *b = n ? gsf_input_read(info, n, NULL) : NULL;
		s = office_info_scheme(b, b ? n : 0);
		g_object_unref(info);
	}
	if (ole)
		g_object_unref(ole);
	if (mem)
		g_object_unref(mem);
	return s;
}

const char *mg_enc_scheme_of_file(const guchar *data, gsize len)
{
	static const guchar cfb[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	static const guchar sz[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};
	if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
		return zip_scheme(data, len);
	if (len >= 6 && memcmp(data, sz, 6) == 0)
		return sevenzip_scheme(data, len);
	if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
		return pdf_scheme(data, len);
	if (len >= 8 && memcmp(data, cfb, 8) == 0)
		return office_scheme(data, len);
	return NULL;
}
