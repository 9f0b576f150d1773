/*
 * cdr_zip.c - see cdr_zip.h: the ZIP package shared by the OOXML and ODF
 * rebuilders (libzip to read and write, libxml2 for the XML parts).
 * Nothing is written to disk; entries get a fixed timestamp so the same
 * input always gives the same bytes.
 */
#include "config.h"

#include <string.h>
#include <zip.h>
#include <libxml/parser.h>

#include "cdr_zip.h"
#include "mg_cdr.h"

#define ZIP_MTIME ((time_t)946684800) /* 2000-01-01 */
/* zlib level 1: the rebuilt parts are XML, a few percent larger than at
 * level 6 for a third of the time (deflate was 9 % of all instructions on
 * the benchmark corpus, bench/README.md, issue 15). */
#define ZIP_LEVEL 1

static void part_free(gpointer p)
{
	struct mg_zpart *x = p;
	g_free(x->name);
	g_free(x->lname);
	if (x->data)
		g_bytes_unref(x->data);
	if (x->doc)
		xmlFreeDoc(x->doc);
	if (x->dead_ids)
		g_hash_table_destroy(x->dead_ids);
	g_free(x);
}

void mg_zpkg_init(struct mg_zpkg *z, const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	*z = (struct mg_zpkg){.in = in, .out = out, .fail = MG_CDR_ERROR};
	z->parts = g_ptr_array_new_with_free_func(part_free);
	z->by_lname = g_hash_table_new(g_str_hash, g_str_equal);
	z->cats = g_ptr_array_new();
	z->counts = g_array_new(FALSE, TRUE, sizeof(int));
	z->firsts = g_ptr_array_new_with_free_func(g_free);
}

void mg_zpkg_clear(struct mg_zpkg *z)
{
	g_hash_table_destroy(z->by_lname);
	g_ptr_array_unref(z->parts);
	g_ptr_array_unref(z->cats);
	g_array_unref(z->counts);
	g_ptr_array_unref(z->firsts);
	*z = (struct mg_zpkg){0};
}

gboolean mg_zpkg_fail(struct mg_zpkg *z, enum mg_cdr_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_free(z->out->reason);
	z->out->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	z->fail = st;
	return FALSE;
}

gboolean mg_zpkg_over_time(struct mg_zpkg *z)
{
	if (z->in->deadline_us > 0 && g_get_monotonic_time() > z->in->deadline_us)
		return !mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "time budget exceeded while rebuilding the document");
	return FALSE;
}

struct mg_zpart *mg_zpkg_part(struct mg_zpkg *z, const char *lname)
{
	return g_hash_table_lookup(z->by_lname, lname);
}

/* Printable ASCII, at most 80 characters: for report details. */
static char *detail_ascii(const char *s)
{
	GString *g = g_string_new(NULL);
	for (const char *p = s ? s : ""; *p && g->len < 80; p++)
		g_string_append_c(g, (guchar)*p >= 0x20 && (guchar)*p < 0x7f ? *p : '?');
	return g_string_free(g, FALSE);
}

void mg_zpkg_note(struct mg_zpkg *z, const char *category, const char *detail)
{
	for (guint i = 0; i < z->cats->len; i++)
		if (g_str_equal(z->cats->pdata[i], category)) {
			g_array_index(z->counts, int, i)++;
			return;
		}
	int one = 1;
	g_ptr_array_add(z->cats, (gpointer)category);
	g_array_append_val(z->counts, one);
	g_ptr_array_add(z->firsts, detail_ascii(detail));
}

int mg_zpkg_report(struct mg_zpkg *z)
{
	int total = 0;
	for (guint i = 0; i < z->cats->len; i++) {
		int n = g_array_index(z->counts, int, i);
		total += n;
		g_ptr_array_add(z->out->removed, g_strdup_printf("%s removed: %d (%s)", (char *)z->cats->pdata[i], n,
								 (char *)z->firsts->pdata[i]));
	}
	return total;
}

void mg_zpkg_report_rebuilt(struct mg_zpkg *z, const char *what, int links_kept)
{
	int n = mg_zpkg_report(z);
	g_free(z->out->reason);
	char *kept = links_kept ? g_strdup_printf("; %d external web hyperlink%s kept", links_kept,
						  links_kept == 1 ? "" : "s")
				: g_strdup("");
	z->out->reason = g_strdup_printf("%s rebuilt: %d active object%s removed%s", what, n, n == 1 ? "" : "s", kept);
	g_free(kept);
}

const char *mg_zpkg_picture(struct mg_zpkg *z, struct mg_zpart *p, gboolean tiff)
{
	static const struct {
		const char *magic;
		gsize n;
		const char *ct;
	} pics[] = {{"\x89PNG\r\n\x1a\n", 8, "image/png"},
		    {"\xff\xd8\xff", 3, "image/jpeg"},
		    {"GIF8", 4, "image/gif"},
		    {"BM", 2, "image/bmp"},
		    {"II*\0", 4, "image/tiff"},
		    {"MM\0*", 4, "image/tiff"}};
	gsize len;
	const guint8 *d = g_bytes_get_data(p->data, &len);
	const char *ct = NULL;
	for (gsize i = 0; i < G_N_ELEMENTS(pics) && !ct; i++)
		if (len >= pics[i].n && memcmp(d, pics[i].magic, pics[i].n) == 0)
			ct = pics[i].ct;
	if (!ct || (!tiff && g_str_equal(ct, "image/tiff")))
		return NULL;
	struct mg_cdr_in in = *z->in;
	in.data = d;
	in.len = len;
	in.filename = p->name;
	in.true_type = ct;
	in.depth = z->in->depth + 1;
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	enum mg_cdr_status st = mg_cdr_image(&in, &out);
	if (st == MG_CDR_REBUILT && out.data) {
		g_bytes_unref(p->data);
		p->data = g_bytes_new(out.data->data, out.data->len);
	}
	mg_cdr_out_clear(&out);
	return st == MG_CDR_REBUILT ? ct : NULL;
}

void mg_xml_drop(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

void mg_xml_unwrap(xmlNodePtr n)
{
	while (n->children) {
		xmlNodePtr k = n->children;
		xmlUnlinkNode(k);
		xmlAddPrevSibling(n, k);
	}
	mg_xml_drop(n);
}

/* ---- reading ---- */

static gboolean name_ok(const char *name)
{
	return *name && name[0] != '/' && !strchr(name, '\\') && !strstr(name, "..") && !strstr(name, "//") &&
	       g_utf8_validate(name, -1, NULL);
}

static gboolean entry_limits(struct mg_zpkg *z, const zip_stat_t *st, gint64 *expanded)
{
	const struct mg_config *cfg = z->in->ctx->cfg;
	if ((st->valid & ZIP_STAT_ENCRYPTION_METHOD) && st->encryption_method != ZIP_EM_NONE)
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "encrypted document entry");
	if (!name_ok(st->name))
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: invalid part name");
	*expanded += (gint64)st->size;
	if (*expanded > cfg->office_max_expanded || st->size > G_MAXUINT32)
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "expanded size exceeds the office_max_expanded limit");
	if (*expanded > (gint64)z->in->len * cfg->office_max_ratio + 65536)
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "compression ratio exceeds the office_max_ratio limit");
	return TRUE;
}

static gboolean read_entry(struct mg_zpkg *z, zip_t *za, zip_int64_t i, gint64 *expanded)
{
	zip_stat_t st;
	if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt ZIP directory (entry %" G_GINT64_FORMAT ")",
				    (gint64)i);
	if (g_str_has_suffix(st.name, "/")) /* directory entry: recreated implicitly */
		return st.size == 0 ? TRUE
				    : mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: directory with data");
	if (!entry_limits(z, &st, expanded))
		return FALSE;
	char *lname = g_ascii_strdown(st.name, -1);
	if (g_hash_table_contains(z->by_lname, lname)) {
		g_free(lname);
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: duplicate part name");
	}
	zip_file_t *zf = zip_fopen_index(za, i, 0);
	guint8 *buf = g_malloc(st.size + 1);
	zip_int64_t n = zf ? zip_fread(zf, buf, st.size + 1) : -1;
	if (zf)
		zip_fclose(zf);
	if (n != (zip_int64_t)st.size) {
		g_free(buf);
		g_free(lname);
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: unreadable part");
	}
	struct mg_zpart *p = g_new0(struct mg_zpart, 1);
	p->name = g_strdup(st.name);
	p->lname = lname;
	p->data = g_bytes_new_take(buf, st.size);
	g_ptr_array_add(z->parts, p);
	g_hash_table_insert(z->by_lname, p->lname, p);
	return TRUE;
}

gboolean mg_zpkg_read(struct mg_zpkg *z)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(z->in->data, z->in->len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	gboolean ok = FALSE;
	if (!za) {
		int code = zip_error_code_zip(&ze);
		if (src)
			zip_source_free(src);
		if (!src || code == ZIP_ER_MEMORY || code == ZIP_ER_INTERNAL) /* libzip's failure (issue 11) */
			ok = mg_zpkg_fail(z, MG_CDR_ERROR, "libzip failed: %s", zip_error_strerror(&ze));
		else
			ok = mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: not a readable ZIP (%s)",
					  zip_error_strerror(&ze));
		goto out;
	}
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n > z->in->ctx->cfg->office_max_entries) {
		mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "too many entries (office_max_entries limit)");
		goto close;
	}
	gint64 expanded = 0;
	ok = TRUE;
	for (zip_int64_t i = 0; ok && i < n; i++)
		ok = read_entry(z, za, i, &expanded) && !mg_zpkg_over_time(z);
close:
	zip_discard(za);
out:
	zip_error_fini(&ze);
	return ok;
}

static xmlDocPtr parse_part(struct mg_zpart *p)
{
	gsize len;
	const char *d = g_bytes_get_data(p->data, &len);
	if (len > G_MAXINT / 2)
		return NULL;
	return xmlReadMemory(d, (int)len, p->name, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
}

gboolean mg_zpkg_parse(struct mg_zpkg *z, struct mg_zpart *p)
{
	if (p->doc || p->drop)
		return TRUE;
	if (g_bytes_get_size(p->data) > G_MAXINT / 2)
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "part %s exceeds the XML size limit", p->name);
	p->doc = parse_part(p);
	if (!p->doc || !xmlDocGetRootElement(p->doc))
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: part %s is not well-formed XML", p->name);
	if (p->doc->intSubset || p->doc->extSubset)
		return mg_zpkg_fail(z, MG_CDR_UNSCANNABLE, "corrupt document: DTD in part %s (not allowed)", p->name);
	return TRUE;
}

gboolean mg_zpkg_parse_quiet(struct mg_zpkg *z, struct mg_zpart *p)
{
	(void)z;
	if (p->doc)
		return TRUE;
	if (p->drop)
		return FALSE;
	xmlDocPtr doc = parse_part(p);
	if (!doc || !xmlDocGetRootElement(doc) || doc->intSubset || doc->extSubset) {
		if (doc)
			xmlFreeDoc(doc);
		return FALSE;
	}
	p->doc = doc;
	return TRUE;
}

struct mg_zpart *mg_zpkg_new_part(struct mg_zpkg *z, char *name, GBytes *data)
{
	(void)z;
	struct mg_zpart *p = g_new0(struct mg_zpart, 1);
	p->name = name;
	p->lname = g_ascii_strdown(name, -1);
	p->data = data;
	return p;
}

/* ---- writing ---- */

static GBytes *part_bytes(struct mg_zpart *p)
{
	if (!p->doc)
		return g_bytes_ref(p->data);
	xmlChar *mem = NULL;
	int len = 0;
	xmlDocDumpMemoryEnc(p->doc, &mem, &len, "UTF-8");
	GBytes *b = g_bytes_new(mem, len > 0 ? (gsize)len : 0);
	xmlFree(mem);
	return b;
}

static GByteArray *source_take(zip_source_t *src)
{
	GByteArray *ba = NULL;
	zip_stat_t st;
	if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
		return NULL;
	ba = g_byte_array_sized_new((guint)st.size);
	g_byte_array_set_size(ba, (guint)st.size);
	if (zip_source_read(src, ba->data, st.size) != (zip_int64_t)st.size) {
		g_byte_array_unref(ba);
		ba = NULL;
	}
	zip_source_close(src);
	return ba;
}

static gboolean add_part(zip_t *za, struct mg_zpart *p, GPtrArray *keep)
{
	GBytes *b = part_bytes(p);
	g_ptr_array_add(keep, b);
	gsize len;
	const void *d = g_bytes_get_data(b, &len);
	zip_source_t *s = zip_source_buffer(za, d, len, 0);
	zip_int64_t idx = s ? zip_file_add(za, p->name, s, ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0) {
		if (s)
			zip_source_free(s);
		return FALSE;
	}
	zip_set_file_compression(za, idx, p->store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, p->store ? 0 : ZIP_LEVEL);
	zip_file_set_mtime(za, idx, ZIP_MTIME, 0);
	return TRUE;
}

gboolean mg_zpkg_write(struct mg_zpkg *z)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	GPtrArray *keep = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	gboolean ok = za != NULL;
	if (!za && src)
		zip_source_free(src);
	if (ok)
		zip_source_keep(src);
	for (guint i = 0; ok && i < z->parts->len; i++) {
		struct mg_zpart *p = z->parts->pdata[i];
		ok = p->drop || add_part(za, p, keep);
	}
	if (za && (!ok || zip_close(za) != 0)) {
		zip_discard(za);
		ok = FALSE;
	}
	if (ok)
		z->out->data = source_take(src);
	if (za)
		zip_source_free(src);
	g_ptr_array_unref(keep);
	zip_error_fini(&ze);
	return z->out->data ? TRUE : mg_zpkg_fail(z, MG_CDR_ERROR, "writing the rebuilt document failed");
}
