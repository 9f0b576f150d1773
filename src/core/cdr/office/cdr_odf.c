/*
 * cdr_odf.c - OpenDocument (odt/ods/odp/odg) rebuilt without active content.
 *
 * Contract: mg_cdr_odf() reads the package (cdr_zip.h, office_* limits); a
 * package whose manifest has encryption data is unscannable (encrypted).
 * It then:
 *   - drops macro storages (Basic/, Scripts/, dialogs), UI configuration
 *     that can bind keys and menus to macros (Configurations2/), and binary
 *     OLE objects ("Object N" files); embedded ODF sub-documents (charts)
 *     stay and are cleaned like the main document;
 *   - in every XML part removes script and event-listener elements
 *     (office:scripts, office:event-listeners, script:event-listener,
 *     presentation:event-listener, text:script), draw:object-ole, applets,
 *     plugins, floating frames, DDE (text/table dde-*, office:dde-source),
 *     linked sections and tables, images and objects linked from outside
 *     the package; links (text:a, draw:a) to macro, script, file or UNC
 *     targets lose their target but keep their text; http, https and mailto
 *     links stay unless office_keep_hyperlinks = no;
 *   - removes the manifest entries of dropped files; "mimetype" stays the
 *     first entry, stored uncompressed, as ODF requires.
 * Text, tables, pictures and styles are copied.
 */
#include "config.h"

#include <string.h>
#include <libxml/tree.h>

#include "mg_glob.h"
#include "cdr_zip.h"

#define NS_XLINK "http://www.w3.org/1999/xlink"

static const struct {
	const char *pattern; /* lower-case part name */
	const char *cat;
} drop_names[] = {
	{"basic/*", "macro (Basic) library"}, {"scripts/*", "macro script"},
	{"dialogs/*", "macro dialog"},        {"configurations2/*", "UI configuration (key and menu bindings)"},
	{"object ?", "embedded OLE object"},  {"object ??", "embedded OLE object"},
};

/* Elements removed with their content (local names). */
static const struct {
	const char *name;
	const char *cat;
} drop_elems[] = {
	{"scripts", "script or event handler"},
	{"event-listeners", "script or event handler"},
	{"event-listener", "script or event handler"},
	{"script", "script or event handler"},
	{"object-ole", "embedded OLE object"},
	{"applet", "applet or plugin"},
	{"plugin", "applet or plugin"},
	{"floating-frame", "external frame"},
	{"dde-connection-decls", "DDE link"},
	{"dde-connection", "DDE link"},
	{"dde-links", "DDE link"},
	{"dde-source", "DDE link"},
	{"section-source", "linked section"},
	{"table-source", "linked table"},
};

static gboolean href_is_web(const char *h)
{
	return g_ascii_strncasecmp(h, "http://", 7) == 0 || g_ascii_strncasecmp(h, "https://", 8) == 0 ||
	       g_ascii_strncasecmp(h, "mailto:", 7) == 0;
}

/* A reference into the package ("Pictures/a.png", "./Object 1"). */
static gboolean href_is_internal(const char *h)
{
	return !strchr(h, ':') && h[0] != '/' && h[0] != '\\' && !g_str_has_prefix(h, "../") && !strstr(h, "/../");
}

struct odf_ctx {
	struct mg_zpkg z;
	int links_kept;
};

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
	if (href && g_str_equal(name, "a")) {
		if (href_is_web((char *)href) && c->z.in->ctx->cfg->office_keep_hyperlinks)
			c->links_kept++;
		else if (!href_is_internal((char *)href) || g_str_has_prefix((char *)href, "vnd.sun.star.script"))
			verdict = 2,
			*cat = href_is_web((char *)href) ? "external hyperlink" : "macro, script or file link";
	} else if (href && (g_str_equal(name, "image") || g_str_equal(name, "object"))) {
		char *path = g_ascii_strdown((char *)href + (g_str_has_prefix((char *)href, "./") ? 2 : 0), -1);
		struct mg_zpart *p = mg_zpkg_part(&c->z, path);
		if (!href_is_internal((char *)href))
			verdict = 1, *cat = "externally linked image or object";
		else if (p && p->drop)
			verdict = 1, *cat = "embedded OLE object";
		g_free(path);
	}
	if (verdict)
		*detail = g_strdup((char *)href);
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

static void odf_mark_names(struct odf_ctx *c)
{
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		for (gsize k = 0; k < G_N_ELEMENTS(drop_names) && !p->drop; k++)
			if (mg_glob_match(drop_names[k].pattern, p->lname)) {
				p->drop = TRUE;
				mg_zpkg_note(&c->z, drop_names[k].cat, p->name);
			}
	}
}

/* Drop manifest entries of dropped parts; encryption makes it unscannable. */
static gboolean odf_manifest(struct odf_ctx *c)
{
	struct mg_zpart *m = mg_zpkg_part(&c->z, "meta-inf/manifest.xml");
	if (!m)
		return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE, "corrupt document: no META-INF/manifest.xml");
	if (!mg_zpkg_parse(&c->z, m))
		return FALSE;
	xmlNodePtr next;
	for (xmlNodePtr n = xmlDocGetRootElement(m->doc)->children; n; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNodePtr k = n->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && g_str_equal((const char *)k->name, "encryption-data"))
				return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE,
						    "encrypted (password protected) document");
		xmlChar *path = xmlGetProp(n, BAD_CAST "full-path");
		char *low = path ? g_ascii_strdown((char *)path, -1) : NULL;
		struct mg_zpart *p = low ? mg_zpkg_part(&c->z, low) : NULL;
		gboolean dir = low && g_str_has_suffix(low, "/") && !g_str_equal(low, "/");
		gboolean dropped_dir = FALSE;
		for (guint i = 0; dir && i < c->z.parts->len && !dropped_dir; i++) {
			struct mg_zpart *q = c->z.parts->pdata[i];
			dropped_dir = q->drop && g_str_has_prefix(q->lname, low);
		}
		if ((p && p->drop) || dropped_dir)
			mg_xml_drop(n);
		g_free(low);
		xmlFree(path);
	}
	return TRUE;
}

static gboolean odf_mimetype(struct odf_ctx *c)
{
	struct mg_zpart *first = c->z.parts->len ? c->z.parts->pdata[0] : NULL;
	if (!first || !g_str_equal(first->name, "mimetype"))
		return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE, "corrupt document: mimetype is not the first entry");
	first->store = TRUE;
	return TRUE;
}

static gboolean odf_clean_parts(struct odf_ctx *c)
{
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		if (p->drop || !g_str_has_suffix(p->lname, ".xml") || g_str_equal(p->lname, "meta-inf/manifest.xml"))
			continue;
		if (!mg_zpkg_parse(&c->z, p))
			return FALSE;
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
	gboolean ok = mg_zpkg_read(&c.z) && odf_mimetype(&c);
	if (ok)
		odf_mark_names(&c);
	ok = ok && odf_manifest(&c) && odf_clean_parts(&c) && mg_zpkg_write(&c.z);
	if (ok) {
		int n = mg_zpkg_report(&c.z);
		g_free(out->reason);
		/* kept links in the reason only, never in the removed list */
		char *kept = c.links_kept ? g_strdup_printf("; %d external web hyperlink%s kept", c.links_kept,
							    c.links_kept == 1 ? "" : "s")
					  : g_strdup("");
		out->reason = g_strdup_printf("OpenDocument rebuilt: %d active object%s removed%s", n,
					      n == 1 ? "" : "s", kept);
		g_free(kept);
	}
	enum mg_cdr_status st = ok ? MG_CDR_REBUILT : c.z.fail;
	mg_zpkg_clear(&c.z);
	return st;
}
