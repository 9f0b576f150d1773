/*
 * filetype.c - see mg_filetype.h.
 *
 * libmagic gives the first answer; the refinements below exist because
 * libmagic's answer is what an attacker controls most easily: it calls a
 * .xlsm "spreadsheetml.sheet" when [Content_Types].xml is not the first
 * ZIP entry, it has no rule for OneNote, and a script is "text/plain".
 */
#include "config.h"

#include <gio/gio.h>
#include <magic.h>
#include <string.h>
#include <zip.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "mg_filetype.h"
#include "mg_glob.h"

#define CT_MAX      (1024 * 1024) /* [Content_Types].xml larger than this: not trusted */
#define MAGIC_BYTES (1024 * 1024) /* libmagic looks at the head only: bounded time under the lock */

struct ext_row {
	const char *ext;
	const char *type;
};

/* Extension -> type.  Types follow what libmagic prints, lower case. */
static const struct ext_row ext_table[] = {
	{"pdf", "application/pdf"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"xltx", "application/vnd.openxmlformats-officedocument.spreadsheetml.template"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"ppsx", "application/vnd.openxmlformats-officedocument.presentationml.slideshow"},
	{"potx", "application/vnd.openxmlformats-officedocument.presentationml.template"},
	{"docm", "application/vnd.ms-word.document.macroenabled.12"},
	{"dotm", "application/vnd.ms-word.template.macroenabled.12"},
	{"xlsm", "application/vnd.ms-excel.sheet.macroenabled.12"},
	{"xltm", "application/vnd.ms-excel.template.macroenabled.12"},
	{"xlam", "application/vnd.ms-excel.addin.macroenabled.12"},
	{"xlsb", "application/vnd.ms-excel.sheet.binary.macroenabled.12"},
	{"pptm", "application/vnd.ms-powerpoint.presentation.macroenabled.12"},
	{"ppsm", "application/vnd.ms-powerpoint.slideshow.macroenabled.12"},
	{"potm", "application/vnd.ms-powerpoint.template.macroenabled.12"},
	{"doc", "application/msword"},
	{"dot", "application/msword"},
	{"xls", "application/vnd.ms-excel"},
	{"xlt", "application/vnd.ms-excel"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pps", "application/vnd.ms-powerpoint"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"odp", "application/vnd.oasis.opendocument.presentation"},
	{"odg", "application/vnd.oasis.opendocument.graphics"},
	{"rtf", "text/rtf"},
	{"csv", "text/csv"},
	{"txt", "text/plain"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"xhtml", "text/html"},
	{"mht", "message/rfc822"},
	{"eml", "message/rfc822"},
	{"xml", "text/xml"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"bmp", "image/bmp"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"webp", "image/webp"},
	{"zip", "application/zip"},
	{"7z", "application/x-7z-compressed"},
	{"rar", "application/x-rar"},
	{"lzh", "application/x-lzh-compressed"},
	{"cab", "application/vnd.ms-cab-compressed"},
	{"tar", "application/x-tar"},
	{"gz", "application/gzip"},
	{"tgz", "application/gzip"},
	{"bz2", "application/x-bzip2"},
	{"xz", "application/x-xz"},
	{"exe", "application/x-dosexec"},
	{"dll", "application/x-dosexec"},
	{"scr", "application/x-dosexec"},
	{"com", "application/x-dosexec"},
	{"pif", "application/x-dosexec"},
	{"cpl", "application/x-dosexec"},
	{"sys", "application/x-dosexec"},
	{"elf", "application/x-executable"},
	{"jar", "application/java-archive"},
	{"apk", "application/java-archive"},
	{"js", "application/javascript"},
	{"jse", "application/javascript"},
	{"mjs", "application/javascript"},
	{"vbs", "text/vbscript"},
	{"vbe", "text/vbscript"},
	{"wsf", "application/x-wsh"},
	{"wsh", "application/x-wsh"},
	{"wsc", "application/x-wsh"},
	{"sct", "application/x-wsh"},
	{"bat", "application/x-bat"},
	{"cmd", "application/x-bat"},
	{"ps1", "application/x-powershell"},
	{"psm1", "application/x-powershell"},
	{"sh", "text/x-shellscript"},
	{"py", "text/x-script.python"},
	{"pl", "text/x-perl"},
	{"reg", "text/x-ms-regedit"},
	{"inf", "text/x-ms-regedit"},
	{"hta", "application/hta"},
	{"chm", "application/vnd.ms-htmlhelp"},
	{"lnk", "application/x-ms-shortcut"},
	{"url", "application/x-url-shortcut"},
	{"iso", "application/x-iso9660-image"},
	{"img", "application/x-raw-disk-image"},
	{"vhd", "application/x-vhd"},
	{"vhdx", "application/x-vhd"},
	{"one", "application/onenote"},
	{"onepkg", "application/onenote"},
	{"msi", "application/x-msi"},
	{"msp", "application/x-msi"},
};

struct family_row {
	const char *pattern; /* glob on the lower-case type (mg_glob_match) */
	const char *family;
};

/* First match wins. */
static const struct family_row family_table[] = {
	{"*wordprocessingml*", "word"},
	{"application/vnd.ms-word*", "word"},
	{"application/msword", "word"},
	{"*spreadsheetml*", "excel"},
	{"application/vnd.ms-excel*", "excel"},
	{"*presentationml*", "powerpoint"},
	{"application/vnd.ms-powerpoint*", "powerpoint"},
	{"application/vnd.oasis.opendocument*", "odf"},
	{"application/pdf", "pdf"},
	{"image/svg*", "xml"},
	{"image/*", "image"},
	{"text/rtf", "rtf"},
	{"application/rtf", "rtf"},
	{"text/csv", "csv"},
	{"text/html", "html"},
	{"application/xhtml*", "html"},
	{"application/hta", "hta"},
	{"application/vnd.ms-htmlhelp", "hta"},
	{"application/javascript", "script"},
	{"text/javascript", "script"},
	{"text/vbscript", "script"},
	{"application/x-wsh", "script"},
	{"application/x-bat", "script"},
	{"application/x-powershell", "script"},
	{"text/x-shellscript", "script"},
	{"text/x-script.*", "script"},
	{"text/x-perl", "script"},
	{"text/x-ms-regedit", "script"},
	{"text/x-msdos-batch", "script"},
	{"text/x-php", "script"},
	{"text/x-ruby", "script"},
	{"text/x-lua", "script"},
	{"text/x-tcl", "script"},
	{"text/x-awk", "script"},
	{"application/x-dosexec", "exec"},
	{"application/vnd.microsoft.portable-executable", "exec"},
	{"application/x-msdownload", "exec"},
	{"application/x-executable", "exec"},
	{"application/x-sharedlib", "exec"},
	{"application/x-pie-executable", "exec"},
	{"application/x-mach-binary", "exec"},
	{"application/java-archive", "exec"},
	{"application/x-ms-shortcut", "shortcut"},
	{"application/x-url-shortcut", "shortcut"},
	{"application/x-iso9660-image", "diskimage"},
	{"application/x-raw-disk-image", "diskimage"},
	{"application/x-vhd", "diskimage"},
	{"application/onenote", "onenote"},
	{"application/x-msi", "msi"},
	{"application/encrypted", "encrypted"},
	/* a whole message: a mail client opens it and shows its attachments,
	 * so text that is named or declared one is not plain text (other
	 * message/ types are reports, text in practice) */
	{"message/rfc822", "message"},
	{"message/global", "message"},
	{"message/news", "message"},
	{"*zip*", "archive"},
	{"application/x-7z-compressed", "archive"},
	{"application/x-rar*", "archive"},
	{"application/vnd.rar", "archive"},
	{"application/x-lzh*", "archive"},
	{"application/x-lha", "archive"},
	{"application/vnd.ms-cab-compressed", "archive"},
	{"application/x-tar", "archive"},
	{"application/x-bzip2", "archive"},
	{"application/x-xz", "archive"},
	{"*xml", "xml"},
	{"text/*", "text"},
};

/* Families that run or open something when double-clicked. */
static const char *const active_families[] = {"exec", "script", "shortcut", "hta", "msi", "diskimage", "onenote"};

/* Pairs that are the same document in practice (a .doc saved as RTF, a
 * .xls exported as HTML or CSV): content family, extension family. */
static const char *const compatible[][2] = {
	{"rtf", "word"},   {"html", "word"}, {"xml", "word"},  {"html", "excel"}, {"csv", "excel"},
	{"text", "excel"}, {"xml", "excel"}, {"csv", "text"},  {"text", "csv"},   {"xml", "text"},
	{"text", "xml"},   {"html", "text"}, {"text", "html"}, {"xml", "html"},   {"text", "script"},
};

static GMutex magic_lock;
static magic_t magic_handle;

static gboolean magic_ready(GError **err)
{
	static gsize once;
	static gboolean ok;
	if (g_once_init_enter(&once)) {
		xmlInitParser(); /* once, before threads share libxml2 (OOXML typing and rebuild) */
		magic_handle = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
		ok = magic_handle && magic_load(magic_handle, NULL) == 0;
		g_once_init_leave(&once, 1);
	}
	if (!ok)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "libmagic: %s",
			    magic_handle ? magic_error(magic_handle) : "cannot allocate");
	return ok;
}

/* libmagic's type, or NULL with *err: libmagic answers NULL only when it
 * failed (memory, an internal limit), never for data it does not know
 * (that is application/octet-stream) - a failure is not a type (issue 11). */
static char *magic_type(const guint8 *data, gsize len, GError **err)
{
	g_mutex_lock(&magic_lock);
	const char *m = magic_buffer(magic_handle, data, MIN(len, MAGIC_BYTES));
	char *type = m ? g_ascii_strdown(m, -1) : NULL;
	if (!m) {
		const char *why = magic_error(magic_handle);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "libmagic failed: %s", why ? why : "no type");
	}
	g_mutex_unlock(&magic_lock);
	return type;
}

static gboolean is_active_family(const char *fam)
{
	for (gsize i = 0; fam && i < G_N_ELEMENTS(active_families); i++)
		if (g_str_equal(fam, active_families[i]))
			return TRUE;
	return FALSE;
}

const char *mg_filetype_family(const char *type)
{
	if (!type)
		return NULL;
	char *low = g_ascii_strdown(type, -1);
	const char *fam = NULL;
	for (gsize i = 0; !fam && i < G_N_ELEMENTS(family_table); i++)
		if (mg_glob_match(family_table[i].pattern, low))
			fam = family_table[i].family;
	g_free(low);
	return fam;
}

/* The last extension of `name`, lower case, without trailing dots/spaces
 * (Windows drops those).  `skip` extensions are stepped over first. */
static char *name_ext(const char *name, int skip)
{
	if (!name)
		return NULL;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	const char *bs = strrchr(base, '\\');
	char *s = g_strdup(bs ? bs + 1 : base);
	char *ext = NULL;
	for (int i = 0; i <= skip; i++) {
		gsize n = strlen(s);
		while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
			s[--n] = '\0';
		char *dot = strrchr(s, '.');
		if (!dot || dot == s)
			break;
		if (i == skip)
			ext = g_ascii_strdown(g_strstrip(dot + 1), -1);
		*dot = '\0';
	}
	g_free(s);
	return ext;
}

static const char *ext_lookup(const char *ext)
{
	for (gsize i = 0; ext && i < G_N_ELEMENTS(ext_table); i++)
		if (g_str_equal(ext_table[i].ext, ext))
			return ext_table[i].type;
	return NULL;
}

const char *mg_filetype_ext_type(const char *filename)
{
	char *ext = name_ext(filename, 0);
	const char *type = ext_lookup(ext);
	g_free(ext);
	return type;
}

const char *mg_filetype_type_ext(const char *type)
{
	for (gsize i = 0; type && i < G_N_ELEMENTS(ext_table); i++)
		if (g_ascii_strcasecmp(ext_table[i].type, type) == 0)
			return ext_table[i].ext;
	return NULL;
}

/* Read one ZIP entry of at most `max` bytes (NUL-terminated), or NULL. */
static char *zip_read_small(zip_t *za, zip_int64_t idx, gsize max)
{
	zip_stat_t st;
	if (zip_stat_index(za, idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > max)
		return NULL;
	zip_file_t *zf = zip_fopen_index(za, idx, 0);
	if (!zf)
		return NULL;
	char *buf = g_malloc0(st.size + 1);
	zip_int64_t n = zip_fread(zf, buf, st.size);
	zip_fclose(zf);
	if (n != (zip_int64_t)st.size) {
		g_free(buf);
		return NULL;
	}
	return buf;
}

/* The package type from the main part's content type:
 * "...wordprocessingml.document.main+xml" -> "...wordprocessingml.document",
 * "...ms-word.document.macroEnabled.main+xml" -> "...macroenabled.12". */
static char *ooxml_package_type(const char *main_ct)
{
	char *low = g_ascii_strdown(main_ct, -1);
	char *end = g_strrstr(low, ".main");
	if (!end || (end[5] != '\0' && strcmp(end + 5, "+xml") != 0)) {
		g_free(low);
		return NULL;
	}
	*end = '\0';
	char *tpl = strstr(low, "macroenabledtemplate"); /* dotm: "template.macroEnabledTemplate" */
	if (tpl)
		tpl[strlen("macroenabled")] = '\0';
	char *type = strstr(low, "macroenabled") ? g_strconcat(low, ".12", NULL) : g_strdup(low);
	g_free(low);
	return type;
}

/* libxml2 gave no document and recorded no parse error, or ran out of
 * memory: its failure, not the file's (issue 11).  (Empty input gives no
 * document and no error: that one is the file's.) */
static gboolean xml_failed(gsize len, GError **err)
{
	const xmlError *e = xmlGetLastError();
	if (len == 0 || (e && e->code != XML_ERR_NO_MEMORY))
		return FALSE;
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "libxml2 failed on [Content_Types].xml: %s",
		    e ? "out of memory" : "no document and no error");
	return TRUE;
}

static char *ooxml_main_type(const char *xml, gsize len, GError **err)
{
	xmlResetLastError();
	xmlDocPtr doc =
		xmlReadMemory(xml, (int)len, "ct.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *type = NULL;
	if (!doc && xml_failed(len, err))
		return NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	for (xmlNodePtr n = root ? root->children : NULL; n && !type; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    (strcmp((const char *)n->name, "Override") != 0 && strcmp((const char *)n->name, "Default") != 0))
			continue;
		xmlChar *ct = xmlGetProp(n, BAD_CAST "ContentType");
		if (ct)
			type = ooxml_package_type((const char *)ct);
		xmlFree(ct);
	}
	if (doc)
		xmlFreeDoc(doc);
	return type;
}

/* libzip could not open a buffer for a reason that is not the file's. */
static gboolean zip_failed(zip_source_t *src, zip_error_t *ze, GError **err)
{
	int code = zip_error_code_zip(ze);
	if (src && code != ZIP_ER_MEMORY && code != ZIP_ER_INTERNAL)
		return FALSE;
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "libzip failed: %s", zip_error_strerror(ze));
	return TRUE;
}

/* The type a ZIP's members say (OOXML main part, ODF mimetype), or NULL;
 * NULL with *err when libxml2 failed. */
static char *zip_members_type(zip_t *za, GError **err)
{
	zip_int64_t ct = zip_name_locate(za, "[Content_Types].xml", ZIP_FL_NOCASE);
	zip_int64_t mt = zip_name_locate(za, "mimetype", 0);
	char *text = NULL, *type = NULL;
	if (ct >= 0 && (text = zip_read_small(za, ct, CT_MAX)) != NULL)
		type = ooxml_main_type(text, strlen(text), err);
	else if (ct >= 0) /* encrypted or damaged: the OOXML rebuilder says which */
		type = g_strdup("application/vnd.openxmlformats-officedocument.unreadable");
	else if (mt >= 0 && (text = zip_read_small(za, mt, 200)) != NULL &&
		 g_str_has_prefix(text, "application/vnd.oasis.opendocument."))
		type = g_ascii_strdown(g_strstrip(text), -1);
	g_free(text);
	return type;
}

/* A ZIP container: OOXML, ODF or plain ZIP.  NULL when not a ZIP, or - with
 * *err set - when libzip or libxml2 failed (issue 11). */
static char *zip_refine(const guint8 *data, gsize len, GError **err)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	gboolean opened = za != NULL;
	char *type = NULL;
	GError *e = NULL;
	if (za) {
		type = zip_members_type(za, &e);
		zip_discard(za);
	} else {
		zip_failed(src, &ze, &e);
		if (src)
			zip_source_free(src);
	}
	zip_error_fini(&ze);
	if (e) {
		g_propagate_error(err, e);
		g_free(type);
		return NULL;
	}
	return type ? type : opened ? g_strdup("application/zip") : NULL;
}

static const guint8 onenote_guid[16] = {0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d,
					0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3};
static const guint8 lnk_header[8] = {0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00};

/* Replace *type by a better one where libmagic is coarse.  FALSE with *err
 * when a library failed while looking. */
static gboolean refine_content(const guint8 *data, gsize len, struct mg_filetype *ft, GError **err)
{
	char *better = NULL;
	GError *e = NULL;
	gboolean zipish = g_str_equal(ft->true_type, "application/zip") ||
			  g_str_has_prefix(ft->true_type, "application/vnd.openxmlformats") ||
			  g_str_has_prefix(ft->true_type, "application/vnd.ms-") ||
			  g_str_has_prefix(ft->true_type, "application/vnd.oasis") ||
			  g_str_equal(ft->true_type, "application/octet-stream");
	if (zipish && len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		better = zip_refine(data, len, &e);
	else if (len >= 16 && memcmp(data, onenote_guid, 16) == 0)
		better = g_strdup("application/onenote");
	else if (len >= 8 && memcmp(data, lnk_header, 8) == 0)
		better = g_strdup("application/x-ms-shortcut");
	else if (len >= 2 && memcmp(data, "MZ", 2) == 0 && g_str_equal(ft->true_type, "application/octet-stream"))
		better = g_strdup("application/x-dosexec"); /* DOS stub without a PE header libmagic knows */
	if (better) {
		g_free(ft->true_type);
		ft->true_type = better;
	}
	if (e)
		g_propagate_error(err, e);
	return e == NULL;
}

/* Generic text that its extension turns into something active (a script
 * is "text/plain" to libmagic; Windows runs it by its extension). */
static void refine_by_extension(struct mg_filetype *ft)
{
	const char *cfam = mg_filetype_family(ft->true_type);
	const char *efam = mg_filetype_family(ft->ext_type);
	if (!cfam || !efam || g_str_equal(cfam, efam))
		return;
	gboolean texty = g_str_equal(cfam, "text") || g_str_equal(cfam, "xml") || g_str_equal(cfam, "html");
	gboolean to_active = is_active_family(efam);
	gboolean to_data = (g_str_equal(efam, "csv") || g_str_equal(efam, "html")) && !g_str_equal(cfam, "html");
	if (texty && (to_active || to_data)) {
		g_free(ft->true_type);
		ft->true_type = g_strdup(ft->ext_type);
	}
}

/* libmagic guesses a source language for much plain text ("text/x-c",
 * "text/troff"); for the policy that is plain text.  Scripts keep their
 * type (their family is not "text"). */
static void normalise_text(struct mg_filetype *ft)
{
	const char *fam = mg_filetype_family(ft->true_type);
	if (fam && g_str_equal(fam, "text") &&
	    (g_str_has_prefix(ft->true_type, "text/x-") || g_str_equal(ft->true_type, "text/troff"))) {
		g_free(ft->true_type);
		ft->true_type = g_strdup("text/plain");
	}
}

static gboolean families_agree(const char *content_fam, const char *other_fam)
{
	/* an encrypted container cannot show what it is: the unscannable rule decides */
	if (!content_fam || !other_fam || g_str_equal(content_fam, other_fam) || g_str_equal(content_fam, "encrypted"))
		return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(compatible); i++)
		if (g_str_equal(compatible[i][0], content_fam) && g_str_equal(compatible[i][1], other_fam))
			return TRUE;
	return FALSE;
}

static gboolean has_bidi_override(const char *name)
{
	if (!name || !g_utf8_validate(name, -1, NULL))
		return FALSE;
	for (const char *p = name; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f)
			return TRUE;
	}
	return FALSE;
}

static void check_name(const char *filename, const char *declared, struct mg_filetype *ft)
{
	GString *why = g_string_new(NULL);
	const char *cfam = mg_filetype_family(ft->true_type);
	char *inner = name_ext(filename, 1);
	if (ft->ext_type && !families_agree(cfam, mg_filetype_family(ft->ext_type))) {
		ft->mismatch = TRUE;
		g_string_append_printf(why, "content is %s but the name says %s; ", ft->true_type, ft->ext_type);
	}
	const char *dfam = mg_filetype_family(declared);
	if (!ft->mismatch && declared && !families_agree(cfam, dfam)) {
		ft->mismatch = TRUE;
		g_string_append_printf(why, "content is %s but it was declared %s; ", ft->true_type, declared);
	}
	if (inner && ext_lookup(inner) && is_active_family(mg_filetype_family(ft->ext_type))) {
		ft->double_ext = TRUE;
		g_string_append(why, "double extension in the name; ");
	}
	ft->bidi_override = has_bidi_override(filename);
	if (ft->bidi_override)
		g_string_append(why, "right-to-left override in the name; ");
	if (why->len > 2)
		g_string_truncate(why, why->len - 2);
	ft->why = g_string_free(why, why->len == 0);
	g_free(inner);
}

gboolean mg_filetype_detect(const guint8 *data, gsize len, const char *filename, const char *declared,
			    struct mg_filetype *ft, GError **err)
{
	*ft = (struct mg_filetype){0};
	if (!magic_ready(err))
		return FALSE;
	ft->magic_type = len ? magic_type(data, len, err) : g_strdup("application/x-empty");
	if (!ft->magic_type)
		return FALSE;
	ft->true_type = g_strdup(ft->magic_type);
	if (!refine_content(data, len, ft, err)) {
		mg_filetype_clear(ft);
		return FALSE;
	}
	const char *et = mg_filetype_ext_type(filename);
	ft->ext_type = et ? g_strdup(et) : NULL;
	refine_by_extension(ft);
	normalise_text(ft);
	check_name(filename, declared, ft);
	return TRUE;
}

void mg_filetype_clear(struct mg_filetype *ft)
{
	g_free(ft->magic_type);
	g_free(ft->true_type);
	g_free(ft->ext_type);
	g_free(ft->why);
	*ft = (struct mg_filetype){0};
}
