/*
 * cdr_odf.c - OpenDocument (odt/ods/odp/odg) rebuilt from an allowlist.
 *
 * Contract: mg_cdr_odf() reads the package (cdr_zip.h, office_* limits); a
 * package whose manifest has encryption data is unscannable (encrypted).
 * Then the new package holds only:
 *   - "mimetype" (first, stored, as ODF requires) naming the type the
 *     content was typed as, and a new META-INF/manifest.xml listing what
 *     was kept;
 *   - the XML streams content.xml, styles.xml, meta.xml and settings.xml,
 *     and the same inside embedded ODF sub-documents ("Object 1/", charts
 *     and formulas) that a kept draw:object refers to;
 *   - pictures (Pictures/, Thumbnails/) that the image rebuilder decodes
 *     and encodes again.
 * Everything else goes, whatever its name: macro libraries (Basic/,
 * Scripts/, dialogs), UI configuration (Configurations2/), binary OLE
 * objects of any name ("Object 100") and their replacement images
 * (ObjectReplacements/), unknown files.  In every kept XML stream, script
 * and event-listener elements, OLE objects, applets, plugins, frames, DDE,
 * linked sections and tables and database sources are removed, and so is
 * every element whose xlink:href (or any attribute) points at a macro
 * (vnd.sun.star.script:, macro:), a file, a UNC path or anything but a
 * kept part, a bookmark or a web or mail address (office_keep_hyperlinks);
 * a text link (text:a, draw:a) keeps its text.
 */
#include "config.h"

#include <string.h>
#include <libxml/tree.h>

#include "cdr_zip.h"
#include "mg_cdr.h"

#define NS_XLINK    "http://www.w3.org/1999/xlink"
#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

#define CAT_SCRIPT "macro, script or event handler"
#define CAT_OLE    "embedded OLE object"
#define CAT_LINK   "macro, script or file link"
#define CAT_OTHER  "part of an unknown or active kind"

/* Elements removed with their content (local names). */
static const struct {
	const char *name;
	const char *cat;
} drop_elems[] = {
	{"scripts", CAT_SCRIPT},
	{"event-listeners", CAT_SCRIPT},
	{"event-listener", CAT_SCRIPT},
	{"script", CAT_SCRIPT},
	{"execute-macro", CAT_SCRIPT},
	{"object-ole", CAT_OLE},
	{"applet", "applet or plugin"},
	{"plugin", "applet or plugin"},
	{"floating-frame", "external frame"},
	{"dde-connection-decls", "DDE link"},
	{"dde-connection", "DDE link"},
	{"dde-links", "DDE link"},
	{"dde-source", "DDE link"},
	{"section-source", "linked section"},
	{"table-source", "linked table"},
	{"database-source-sql", "database query"},
	{"database-source-query", "database query"},
	{"database-source-table", "database query"},
};

/* The XML streams kept in the package and in each sub-document. */
static const char *const xml_streams[] = {"content.xml", "styles.xml", "meta.xml", "settings.xml"};

struct odf_ctx {
	struct mg_zpkg z;
	int links_kept;
	GHashTable *keep;    /* struct mg_zpart* -> media type (static or owned by `types`) */
	GHashTable *subdocs; /* "object 1/" (lower case) -> media type (owned) */
	char *mime;          /* the document's type */
};

static gboolean href_is_web(const char *h)
{
	return g_ascii_strncasecmp(h, "http://", 7) == 0 || g_ascii_strncasecmp(h, "https://", 8) == 0 ||
	       g_ascii_strncasecmp(h, "mailto:", 7) == 0;
}

/* A package path ("./Object 1", "Pictures/a.png") lower case, or NULL. */
static char *href_path(const char *h)
{
	if (strchr(h, ':') || h[0] == '/' || h[0] == '\\' || g_str_has_prefix(h, "../") || strstr(h, "/../"))
		return NULL;
	return g_ascii_strdown(h + (g_str_has_prefix(h, "./") ? 2 : 0), -1);
}

/* Does an href point at something kept?  Directories of sub-documents
 * count with or without their trailing '/'. */
static gboolean href_kept(struct odf_ctx *c, const char *h)
{
	char *path = href_path(h);
	gboolean ok = FALSE;
	if (path) {
		struct mg_zpart *p = mg_zpkg_part(&c->z, path);
		char *dir = g_str_has_suffix(path, "/") ? g_strdup(path) : g_strconcat(path, "/", NULL);
		ok = (p && g_hash_table_contains(c->keep, p)) || g_hash_table_contains(c->subdocs, dir);
		g_free(dir);
	}
	g_free(path);
	return ok;
}

/* Any attribute value that names a macro or script. */
static gboolean attr_macro(xmlNodePtr n)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		gboolean hit = v && (g_ascii_strncasecmp((char *)v, "vnd.sun.star.script:", 20) == 0 ||
				     g_ascii_strncasecmp((char *)v, "macro:", 6) == 0 ||
				     g_ascii_strncasecmp((char *)v, "vnd.sun.star.basic:", 19) == 0);
		xmlFree(v);
		if (hit)
			return TRUE;
	}
	return FALSE;
}

/* What to do with one element: 0 keep, 1 drop, 2 unwrap (keep children). */
static int odf_judge(struct odf_ctx *c, xmlNodePtr n, const char **cat, char **detail)
{
	const char *name = (const char *)n->name;
	for (gsize i = 0; i < G_N_ELEMENTS(drop_elems); i++)
		if (g_str_equal(name, drop_elems[i].name)) {
			*cat = drop_elems[i].cat;
			return 1;
		}
	xmlChar *href = xmlGetNsProp(n, BAD_CAST "href", BAD_CAST NS_XLINK);
	int verdict = 0;
	gboolean link = g_str_equal(name, "a");
	if (attr_macro(n)) {
		verdict = link ? 2 : 1, *cat = CAT_LINK;
	} else if (href && *href && href[0] != '#' && !href_kept(c, (char *)href)) {
		gboolean web = href_is_web((char *)href);
		if (web && c->z.in->ctx->cfg->office_keep_hyperlinks && link)
			c->links_kept++;
		else
			verdict = link ? 2 : 1, *cat = g_str_equal(name, "object") ? CAT_OLE : CAT_LINK;
	}
	if (verdict)
		*detail = g_strdup(href ? (char *)href : name);
	xmlFree(href);
	return verdict;
}

static void odf_prune(struct odf_ctx *c, xmlNodePtr n)
{
	xmlNodePtr next;
	for (xmlNodePtr k = n->children; k; k = next) {
		next = k->next;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		const char *cat = NULL;
		char *detail = NULL;
		int v = odf_judge(c, k, &cat, &detail);
		if (v) {
			mg_zpkg_note(&c->z, cat, detail ? detail : (const char *)k->name);
			if (v == 2) {
				next = k->children ? k->children : k->next; /* the children are checked too */
				mg_xml_unwrap(k);
			} else {
				mg_xml_drop(k);
			}
		} else {
			odf_prune(c, k);
		}
		g_free(detail);
	}
}

/* ---- which files stay ---- */

/* Sub-documents the manifest declares with an OpenDocument type. */
static void odf_subdocs(struct odf_ctx *c, xmlDocPtr man)
{
	for (xmlNodePtr n = xmlDocGetRootElement(man)->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *path = xmlGetNsProp(n, BAD_CAST "full-path", BAD_CAST NS_MANIFEST);
		xmlChar *type = xmlGetNsProp(n, BAD_CAST "media-type", BAD_CAST NS_MANIFEST);
		char *low = path ? g_ascii_strdown((char *)path, -1) : NULL;
		char *cs = low ? g_strconcat(low, "content.xml", NULL) : NULL;
		if (low && type && g_str_has_suffix(low, "/") && !g_str_equal(low, "/") && !strchr(low, ':') &&
		    g_str_has_prefix((char *)type, "application/vnd.oasis.opendocument.") && mg_zpkg_part(&c->z, cs))
			g_hash_table_insert(c->subdocs, g_strdup(low), g_strdup((char *)type));
		g_free(cs);
		g_free(low);
		xmlFree(path);
		xmlFree(type);
	}
}

/* The directory part of an XML stream ("object 1/content.xml" -> "object 1/"). */
static gboolean odf_stream_kept(struct odf_ctx *c, const char *lname)
{
	const char *slash = strrchr(lname, '/');
	const char *base = slash ? slash + 1 : lname;
	gboolean known = FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(xml_streams); i++)
		known = known || g_str_equal(base, xml_streams[i]);
	if (!known)
		return FALSE;
	if (!slash)
		return TRUE;
	char *dir = g_strndup(lname, (gsize)(slash - lname) + 1);
	gboolean ok = g_hash_table_contains(c->subdocs, dir);
	g_free(dir);
	return ok;
}

static gboolean odf_select(struct odf_ctx *c)
{
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		const char *type = NULL;
		if (g_str_equal(p->lname, "mimetype") || g_str_equal(p->lname, "meta-inf/manifest.xml"))
			continue;
		if (odf_stream_kept(c, p->lname) && mg_zpkg_parse_quiet(&c->z, p))
			type = "text/xml";
		else if (g_str_has_prefix(p->lname, "pictures/") || g_str_has_prefix(p->lname, "thumbnails/"))
			type = mg_zpkg_picture(&c->z, p, FALSE);
		if (type)
			g_hash_table_insert(c->keep, p, (gpointer)type);
		else
			mg_zpkg_note(&c->z,
				     g_str_has_prefix(p->lname, "basic/") || g_str_has_prefix(p->lname, "scripts/") ||
						     g_str_has_prefix(p->lname, "dialogs/")
					     ? CAT_SCRIPT
				     : g_str_has_prefix(p->lname, "object") ? CAT_OLE
									    : CAT_OTHER,
				     p->name);
		if (mg_zpkg_over_time(&c->z))
			return FALSE;
	}
	return TRUE;
}

/* ---- the manifest ---- */

static gboolean odf_read_manifest(struct odf_ctx *c)
{
	struct mg_zpart *m = mg_zpkg_part(&c->z, "meta-inf/manifest.xml");
	if (!m)
		return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE, "corrupt document: no META-INF/manifest.xml");
	if (!mg_zpkg_parse(&c->z, m))
		return FALSE;
	for (xmlNodePtr n = xmlDocGetRootElement(m->doc)->children; n; n = n->next)
		for (xmlNodePtr k = n->type == XML_ELEMENT_NODE ? n->children : NULL; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && g_str_equal((const char *)k->name, "encryption-data"))
				return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE,
						    "encrypted (password protected) document");
	odf_subdocs(c, m->doc);
	return TRUE;
}

static void manifest_entry(GString *g, const char *path, const char *type)
{
	char *p = g_markup_escape_text(path, -1), *t = g_markup_escape_text(type, -1);
	g_string_append_printf(g, " <manifest:file-entry manifest:full-path=\"%s\" manifest:media-type=\"%s\"/>\n", p,
			       t);
	g_free(p);
	g_free(t);
}

/* New mimetype and manifest; every file not kept is dropped. */
static void odf_new_package(struct odf_ctx *c)
{
	GString *g = g_string_new(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest xmlns:manifest=\"" NS_MANIFEST
		"\" manifest:version=\"1.2\">\n");
	manifest_entry(g, "/", c->mime);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, c->subdocs);
	while (g_hash_table_iter_next(&it, &k, &v))
		for (guint i = 0; i < c->z.parts->len; i++) {
			struct mg_zpart *p = c->z.parts->pdata[i];
			if (g_hash_table_contains(c->keep, p) && g_str_has_prefix(p->lname, k)) {
				char *dir = g_strndup(p->name, strlen(k));
				manifest_entry(g, dir, v);
				g_free(dir);
				break;
			}
		}
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		p->drop = !g_hash_table_contains(c->keep, p);
		if (!p->drop)
			manifest_entry(g, p->name, g_hash_table_lookup(c->keep, p));
	}
	g_string_append(g, "</manifest:manifest>\n");
	struct mg_zpart *mt = mg_zpkg_new_part(&c->z, g_strdup("mimetype"), g_bytes_new(c->mime, strlen(c->mime)));
	mt->store = TRUE;
	g_ptr_array_insert(c->z.parts, 0, mt);
	g_ptr_array_insert(c->z.parts, 1,
			   mg_zpkg_new_part(&c->z, g_strdup("META-INF/manifest.xml"), g_string_free_to_bytes(g)));
}

static gboolean odf_clean_parts(struct odf_ctx *c)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, c->keep);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct mg_zpart *p = k;
		if (p->doc)
			odf_prune(c, (xmlNodePtr)p->doc);
		if (mg_zpkg_over_time(&c->z))
			return FALSE;
	}
	return TRUE;
}

enum mg_cdr_status mg_cdr_odf(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct odf_ctx c = {0};
	mg_zpkg_init(&c.z, in, out);
	c.keep = g_hash_table_new(g_direct_hash, g_direct_equal);
	c.subdocs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c.mime = g_strdup(in->true_type ? in->true_type : "application/vnd.oasis.opendocument.text");
	gboolean ok = mg_zpkg_read(&c.z) && odf_read_manifest(&c) && odf_select(&c) && odf_clean_parts(&c);
	if (ok && !g_hash_table_contains(c.keep, mg_zpkg_part(&c.z, "content.xml")))
		ok = mg_zpkg_fail(&c.z, MG_CDR_UNSCANNABLE, "corrupt document: no readable content.xml");
	if (ok) {
		odf_new_package(&c);
		ok = mg_zpkg_write(&c.z);
	}
	if (ok)
		mg_zpkg_report_rebuilt(&c.z, "OpenDocument", c.links_kept);
	enum mg_cdr_status st = ok ? MG_CDR_REBUILT : c.z.fail;
	g_hash_table_destroy(c.keep);
	g_hash_table_destroy(c.subdocs);
	g_free(c.mime);
	mg_zpkg_clear(&c.z);
	return st;
}
