/*
 * cdr_ooxml.c - Office Open XML (docx/xlsx/pptx and the macro-enabled and
 * template variants) rebuilt from an allowlist (mg_cdr_ooxml, mg_cdr.h).
 *
 * Contract: the package is read within the office_* limits (cdr_zip.h;
 * encrypted entries are unscannable).  Then:
 *   1. the walk starts at _rels/.rels: its officeDocument relationship names
 *      the main part, whose root element decides the family (Word, Excel,
 *      PowerPoint); [Content_Types].xml only chooses a variant (template,
 *      slide show) of the family's type, never the family;
 *   2. from each kept part its own .rels is read and every relationship
 *      judged: an internal one is kept when its type and the target's real
 *      content form a passive kind (cdr_ooxml_parts.c), and the walk goes
 *      on from the target; an external one is kept only for http, https
 *      and mailto hyperlinks (office_keep_hyperlinks); everything else is
 *      dropped and named in the report;
 *   3. parts no kept relationship reaches are not written, whatever their
 *      name or declared type (a VBA project under another name, a decoy
 *      main part, an orphan);
 *   4. every kept XML part is cleaned (cdr_ooxml_xml.c: removed
 *      relationship ids, fields, actions, settings) and re-serialised;
 *   5. new .rels parts list the kept relationships only, and a new
 *      [Content_Types].xml lists the kept parts with the types chosen in 2.
 * A macro-enabled document comes out as its plain counterpart (.docm ->
 * .docx).  Nothing is written to disk.
 */
#include "config.h"

#include <string.h>
#include <libxml/tree.h>

#include "cdr_ooxml.h"
#include "mg_cdr.h"

#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_CT      "http://schemas.openxmlformats.org/package/2006/content-types"

struct ox_walk {
	struct mg_zpart *src; /* NULL: the package root */
	char *base;           /* directory of the source part, lower case, "" or "dir/" */
};

/* The .rels part of a source: "word/document.xml" -> "word/_rels/document.xml.rels". */
static char *rels_name_of(const char *name)
{
	if (!name)
		return g_strdup("_rels/.rels");
	const char *slash = strrchr(name, '/');
	if (!slash)
		return g_strconcat("_rels/", name, ".rels", NULL);
	return g_strdup_printf("%.*s/_rels/%s.rels", (int)(slash - name), name, slash + 1);
}

/* Resolve an internal target against the source directory (lower case). */
static char *target_resolve(const char *base, const char *target)
{
	char *joined = target[0] == '/' ? g_strdup(target + 1) : g_strconcat(base, target, NULL);
	char **seg = g_strsplit(joined, "/", -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **s = seg; *s; s++) {
		if (g_str_equal(*s, "..")) {
			if (out->len)
				g_ptr_array_remove_index(out, out->len - 1);
		} else if (**s && !g_str_equal(*s, ".")) {
			g_ptr_array_add(out, *s);
		}
	}
	g_ptr_array_add(out, NULL);
	char *path = g_strjoinv("/", (char **)out->pdata);
	char *low = g_ascii_strdown(path, -1);
	g_free(path);
	g_ptr_array_free(out, TRUE);
	g_strfreev(seg);
	g_free(joined);
	return low;
}

static char *dir_of(const char *lname)
{
	const char *slash = lname ? strrchr(lname, '/') : NULL;
	return slash ? g_strndup(lname, (gsize)(slash - lname) + 1) : g_strdup("");
}

static void rels_append(GString *g, xmlChar *id, xmlChar *type, xmlChar *target, gboolean external)
{
	char *i = g_markup_escape_text((char *)id, -1), *ty = g_markup_escape_text((char *)type, -1);
	char *ta = g_markup_escape_text((char *)target, -1);
	g_string_append_printf(g, "<Relationship Id=\"%s\" Type=\"%s\" Target=\"%s\"%s/>", i, ty, ta,
			       external ? " TargetMode=\"External\"" : "");
	g_free(i);
	g_free(ty);
	g_free(ta);
}

static gboolean web_target(const char *t)
{
	return g_ascii_strncasecmp(t, "http://", 7) == 0 || g_ascii_strncasecmp(t, "https://", 8) == 0 ||
	       g_ascii_strncasecmp(t, "mailto:", 7) == 0;
}

/* An external relationship: TRUE when kept. */
static gboolean ox_external(struct ox_ctx *c, const char *rshort, const char *target)
{
	if (rshort && g_str_equal(rshort, "hyperlink") && web_target(target) &&
	    c->z.in->ctx->cfg->office_keep_hyperlinks) {
		c->links_kept++;
		return TRUE;
	}
	char *d = g_strdup_printf("%s -> %s", rshort ? rshort : "relationship", target);
	mg_zpkg_note(&c->z, OX_CAT_EXTERNAL, d);
	g_free(d);
	return FALSE;
}

/* An internal relationship from `w`: TRUE when kept (target queued). */
static gboolean ox_internal(struct ox_ctx *c, const struct ox_walk *w, const char *rshort, const char *target,
			    GQueue *todo)
{
	char *path = target_resolve(w->base, target);
	struct mg_zpart *p = mg_zpkg_part(&c->z, path);
	gboolean main = !w->src && rshort && g_str_equal(rshort, "officeDocument");
	const char *cat = mg_ox_drop_category(rshort);
	const struct ox_kind *kind = NULL;
	gboolean keep = FALSE;
	if (p && g_hash_table_contains(c->kind_of, p)) {
		/* reached again (an image used twice): by the same kind only */
		const struct ox_kind *had = g_hash_table_lookup(c->kind_of, p);
		keep = had ? rshort && g_ascii_strcasecmp(had->rel, rshort) == 0 : main;
	} else if (p && main) {
		keep = !c->family && mg_ox_main(c, p, NULL);
	} else if (p && rshort && !main && !g_str_has_suffix(p->lname, ".rels") &&
		   !g_str_equal(p->lname, "[content_types].xml")) {
		kind = mg_ox_kind(c, rshort, p, &cat);
		keep = kind != NULL;
	}
	if (keep && !g_hash_table_contains(c->kind_of, p)) {
		g_hash_table_insert(c->kind_of, p, (gpointer)kind);
		struct ox_walk *nw = g_new0(struct ox_walk, 1);
		nw->src = p;
		nw->base = dir_of(p->lname);
		g_queue_push_tail(todo, nw);
	} else if (!keep && !(p && g_hash_table_contains(c->noted, p))) {
		mg_zpkg_note(&c->z, cat, p ? p->name : target);
		if (p)
			g_hash_table_add(c->noted, p);
	}
	g_free(path);
	return keep;
}

/* One Relationship element: kept (appended to `out`) or not (id -> dead). */
static void ox_rel(struct ox_ctx *c, const struct ox_walk *w, xmlNodePtr rel, GString *out, GHashTable *dead,
		   GQueue *todo)
{
	xmlChar *id = xmlGetProp(rel, BAD_CAST "Id"), *type = xmlGetProp(rel, BAD_CAST "Type");
	xmlChar *target = xmlGetProp(rel, BAD_CAST "Target"), *mode = xmlGetProp(rel, BAD_CAST "TargetMode");
	gboolean external = mode && g_ascii_strcasecmp((char *)mode, "External") == 0;
	const char *rshort = mg_ox_rel_short((char *)type);
	gboolean keep = FALSE;
	if (id && type && target)
		keep = external ? ox_external(c, rshort, (char *)target)
				: ox_internal(c, w, rshort, (char *)target, todo);
	else
		mg_zpkg_note(&c->z, OX_CAT_UNKNOWN, "incomplete relationship");
	if (keep)
		rels_append(out, id, type, target, external);
	else if (id)
		g_hash_table_add(dead, g_strdup((char *)id));
	xmlFree(id);
	xmlFree(type);
	xmlFree(target);
	xmlFree(mode);
}

/* The .rels of one kept part (or of the package): judged, the new one kept. */
static gboolean ox_walk_one(struct ox_ctx *c, struct ox_walk *w, GQueue *todo)
{
	char *rname = rels_name_of(w->src ? w->src->lname : NULL);
	struct mg_zpart *rels = mg_zpkg_part(&c->z, rname);
	g_free(rname);
	GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships "
				    "xmlns=\"" NS_PKG_REL "\">");
	GHashTable *dead = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (rels && !mg_zpkg_parse_quiet(&c->z, rels)) {
		mg_zpkg_note(&c->z, OX_CAT_UNKNOWN, rels->name); /* unreadable .rels: none of its links */
		rels = NULL;
	}
	xmlNodePtr root = rels ? xmlDocGetRootElement(rels->doc) : NULL;
	for (xmlNodePtr n = root ? root->children : NULL; n && !mg_zpkg_over_time(&c->z); n = n->next)
		if (n->type == XML_ELEMENT_NODE && g_str_equal((const char *)n->name, "Relationship"))
			ox_rel(c, w, n, out, dead, todo);
	g_string_append(out, "</Relationships>");
	g_hash_table_insert(c->rels_of, w->src, out);
	if (w->src && w->src->doc)
		mg_ox_clean_xml(c, w->src, dead);
	g_hash_table_destroy(dead);
	return !mg_zpkg_over_time(&c->z);
}

static void walk_free(gpointer p)
{
	struct ox_walk *w = p;
	g_free(w->base);
	g_free(w);
}

static gboolean ox_walk(struct ox_ctx *c)
{
	GQueue *todo = g_queue_new();
	struct ox_walk *w = g_new0(struct ox_walk, 1);
	w->base = g_strdup("");
	g_queue_push_tail(todo, w);
	gboolean ok = TRUE;
	while (ok && (w = g_queue_pop_head(todo))) {
		ok = ox_walk_one(c, w, todo);
		walk_free(w);
	}
	g_queue_free_full(todo, walk_free);
	if (ok && !c->family)
		return mg_zpkg_fail(
			&c->z, MG_CDR_UNSCANNABLE,
			"corrupt document: no Word, Excel or PowerPoint main part reached from _rels/.rels");
	return ok;
}

/* ---- the new package ---- */

static void ct_override(GString *g, const struct mg_zpart *p, const char *ct)
{
	char *name = g_markup_escape_text(p->name, -1);
	g_string_append_printf(g, "<Override PartName=\"/%s\" ContentType=\"%s\"/>", name, ct);
	g_free(name);
}

/* A part that no kept relationship reached: named in the report unless it
 * is package structure (the old .rels and [Content_Types].xml are rebuilt). */
static void ox_orphan(struct ox_ctx *c, struct mg_zpart *p)
{
	if (g_hash_table_contains(c->noted, p) || g_str_has_suffix(p->lname, ".rels") ||
	    g_str_equal(p->lname, "[content_types].xml"))
		return;
	mg_zpkg_note(&c->z, strstr(p->lname, "vba") ? OX_CAT_VBA : "part not reached from the document", p->name);
}

static void ox_new_parts(struct ox_ctx *c)
{
	GString *ct =
		g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"" NS_CT
			     "\"><Default Extension=\"rels\" "
			     "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
			     "<Default Extension=\"xml\" ContentType=\"application/xml\"/>");
	GPtrArray *add = g_ptr_array_new();
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		gboolean kept = g_hash_table_contains(c->kind_of, p);
		p->drop = !kept;
		if (!kept) {
			ox_orphan(c, p);
			continue;
		}
		const struct ox_kind *k = g_hash_table_lookup(c->kind_of, p);
		const char *type = k && k->ctype ? k->ctype : g_hash_table_lookup(c->img_ct, p);
		ct_override(ct, p, k || g_hash_table_contains(c->img_ct, p) ? type : c->main_ctype);
		GString *rels = g_hash_table_lookup(c->rels_of, p);
		if (rels && strstr(rels->str, "<Relationship "))
			g_ptr_array_add(
				add, mg_zpkg_new_part(&c->z, rels_name_of(p->name),
						      g_string_free_to_bytes(g_string_new_len(rels->str, rels->len))));
	}
	g_string_append(ct, "</Types>");
	GString *root_rels = g_hash_table_lookup(c->rels_of, NULL);
	g_ptr_array_add(add,
			mg_zpkg_new_part(&c->z, g_strdup("_rels/.rels"), g_bytes_new(root_rels->str, root_rels->len)));
	g_ptr_array_insert(c->z.parts, 0,
			   mg_zpkg_new_part(&c->z, g_strdup("[Content_Types].xml"), g_string_free_to_bytes(ct)));
	for (guint i = 0; i < add->len; i++)
		g_ptr_array_add(c->z.parts, add->pdata[i]);
	g_ptr_array_free(add, TRUE);
}

/* The claimed content type of the main part, for its variant only. */
static char *claimed_main_type(struct ox_ctx *c, struct mg_zpart *main)
{
	struct mg_zpart *ct = mg_zpkg_part(&c->z, "[content_types].xml");
	char *found = NULL;
	if (!ct || !mg_zpkg_parse_quiet(&c->z, ct))
		return NULL;
	for (xmlNodePtr n = xmlDocGetRootElement(ct->doc)->children; n && !found; n = n->next) {
		xmlChar *pn = n->type == XML_ELEMENT_NODE ? xmlGetProp(n, BAD_CAST "PartName") : NULL;
		char *low = pn ? g_ascii_strdown((char *)pn + (pn[0] == '/'), -1) : NULL;
		if (low && g_str_equal(low, main->lname)) {
			xmlChar *t = xmlGetProp(n, BAD_CAST "ContentType");
			found = g_strdup((char *)t);
			xmlFree(t);
		}
		g_free(low);
		xmlFree(pn);
	}
	return found;
}

static void ox_names(struct ox_ctx *c)
{
	static const struct {
		const char *mark, *ext;
	} exts[] = {{"wordprocessingml.document", "docx"},   {"wordprocessingml.template", "dotx"},
		    {"spreadsheetml.sheet", "xlsx"},         {"spreadsheetml.template", "xltx"},
		    {"presentationml.presentation", "pptx"}, {"presentationml.slideshow", "ppsx"},
		    {"presentationml.template", "potx"}};
	struct mg_cdr_out *out = c->z.out;
	char *type = g_strndup(c->main_ctype, strlen(c->main_ctype) - strlen(".main+xml"));
	if (c->z.in->true_type && g_ascii_strcasecmp(c->z.in->true_type, type) == 0) {
		g_free(type); /* typed as what it is rebuilt as: no change to report */
		return;
	}
	g_free(out->new_type);
	out->new_type = type;
	const char *name = c->z.in->filename, *dot = name ? strrchr(name, '.') : NULL;
	for (gsize i = 0; dot && i < G_N_ELEMENTS(exts); i++)
		if (strstr(out->new_type, exts[i].mark) && g_ascii_strcasecmp(dot + 1, exts[i].ext) != 0) {
			g_free(out->new_filename);
			out->new_filename = g_strdup_printf("%.*s.%s", (int)(dot - name), name, exts[i].ext);
		}
}

/* The main part's variant from [Content_Types].xml, once the walk found it. */
static void ox_variant(struct ox_ctx *c)
{
	GHashTableIter it;
	gpointer p, k;
	g_hash_table_iter_init(&it, c->kind_of);
	while (g_hash_table_iter_next(&it, &p, &k))
		if (!k && !g_hash_table_contains(c->img_ct, p)) {
			char *claim = claimed_main_type(c, p);
			c->family = 0;
			mg_ox_main(c, p, claim);
			g_free(claim);
		}
}

static void rels_free(gpointer p)
{
	g_string_free(p, TRUE);
}

enum mg_cdr_status mg_cdr_ooxml(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct ox_ctx c = {0};
	mg_zpkg_init(&c.z, in, out);
	c.kind_of = g_hash_table_new(g_direct_hash, g_direct_equal);
	c.rels_of = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, rels_free);
	c.img_ct = g_hash_table_new(g_direct_hash, g_direct_equal);
	c.noted = g_hash_table_new(g_direct_hash, g_direct_equal);
	gboolean ok = mg_zpkg_read(&c.z) && ox_walk(&c);
	if (ok) {
		ox_variant(&c);
		ox_new_parts(&c);
		ok = mg_zpkg_write(&c.z);
	}
	if (ok) {
		ox_names(&c);
		mg_zpkg_report_rebuilt(&c.z, "Office document", c.links_kept);
	}
	enum mg_cdr_status st = ok ? MG_CDR_REBUILT : c.z.fail;
	g_hash_table_destroy(c.kind_of);
	g_hash_table_destroy(c.rels_of);
	g_hash_table_destroy(c.img_ct);
	g_hash_table_destroy(c.noted);
	g_free(c.main_ctype);
	mg_zpkg_clear(&c.z);
	return st;
}
