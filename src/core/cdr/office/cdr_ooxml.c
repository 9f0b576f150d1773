/*
 * cdr_ooxml.c - Office Open XML (docx/xlsx/pptx and the macro-enabled
 * docm/xlsm/pptm/dotm/xltm ...) rebuilt without active content.
 *
 * Contract: mg_cdr_ooxml() reads the package (cdr_zip.h: libzip within the
 * office_* limits; encrypted entries are unscannable), then:
 *   - drops VBA (vbaProject.bin, vbaData.xml, signatures), ActiveX,
 *     embedded OLE objects and packages, custom UI, Excel 4 macro sheets,
 *     external link parts, external data connections and query tables
 *     (web/ODBC queries that fetch on refresh) and altChunks;
 *   - removes every relationship to a dropped part and every external
 *     relationship (http, https and mailto hyperlinks stay unless
 *     office_keep_hyperlinks = no, and the report says how many stayed;
 *     file:, UNC, ms-*: and other schemes go), and the XML elements that
 *     used those relationship ids (w:attachedTemplate, oleObject, control;
 *     a removed w:hyperlink keeps its text);
 *   - removes the fields mg_cdr_field_is_risky() flags (DDE, DDEAUTO,
 *     INCLUDE*, LINK, QUOTE, HYPERLINK to files), keeping their result;
 *   - repairs [Content_Types].xml (no Override for a dropped part, the
 *     macro-free main content type) so a .docm becomes a .docx;
 *   - re-serialises every XML part through libxml2 (a DTD is refused: OOXML
 *     forbids it) and writes a fresh ZIP.
 * Text, tables, images and styles are copied.  Nothing is written to disk.
 */
#include "config.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "mg_glob.h"
#include "cdr_zip.h"
#include "mg_cdr.h"
#include "mg_cdr_policy.h"

#define NS_REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_S "http://purl.oclc.org/ooxml/officeDocument/relationships"

enum ox_cat {
	OX_VBA,
	OX_ACTIVEX,
	OX_EMBED,
	OX_EXTERNAL,
	OX_DDE,
	OX_CUSTOMUI,
	OX_XLM,
	OX_ALTCHUNK,
	OX_DATACONN,
	OX_NCAT
};

static const char *const cat_names[OX_NCAT] = {
	"VBA macro part",        "ActiveX control part",     "embedded OLE object or package",
	"external relationship", "DDE or include field",     "custom UI (ribbon)",
	"Excel 4 macro sheet",   "alternative-format chunk", "external data connection or query",
};

struct ox_ctx {
	struct mg_zpkg z;
	int links_kept;
	int pass; /* relationship pass: 0 or 1 */
};

/* Part names that are active content whatever refers to them. */
static const struct {
	const char *pattern; /* on the lower-case name */
	enum ox_cat cat;
} drop_names[] = {
	{"*vbaproject.bin", OX_VBA},       {"*vbadata.xml", OX_VBA},
	{"*vbaprojectsignature*", OX_VBA}, {"*/activex/*", OX_ACTIVEX},
	{"*/embeddings/*", OX_EMBED},      {"customui/*", OX_CUSTOMUI},
	{"*/macrosheets/*", OX_XLM},       {"xl/connections.xml", OX_DATACONN},
	{"xl/querytables/*", OX_DATACONN}, {"*/externallinks/*", OX_EXTERNAL},
};

/* Relationship types (last path segment, lower case) that go. */
static const struct {
	const char *type;
	enum ox_cat cat;
} drop_rels[] = {
	{"vbaproject", OX_VBA},
	{"wordvbadata", OX_VBA},
	{"vbaprojectsignature", OX_VBA},
	{"keymapcustomizations", OX_VBA},
	{"oleobject", OX_EMBED},
	{"package", OX_EMBED},
	{"subdocument", OX_EMBED},
	{"control", OX_ACTIVEX},
	{"activexcontrol", OX_ACTIVEX},
	{"activexcontrolbinary", OX_ACTIVEX},
	{"attachedtemplate", OX_EXTERNAL},
	{"externallink", OX_EXTERNAL},
	{"externallinkpath", OX_EXTERNAL},
	{"extensibility", OX_CUSTOMUI},
	{"xlmacrosheet", OX_XLM},
	{"xlintlmacrosheet", OX_XLM},
	{"afchunk", OX_ALTCHUNK},
	{"connections", OX_DATACONN},
	{"querytable", OX_DATACONN},
};

/* Macro-enabled main content types and the file they become. */
static const struct {
	const char *from, *to, *ext_from, *ext_to;
} macro_types[] = {
	{"application/vnd.ms-word.document.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docm", "docx"},
	{"application/vnd.ms-word.template.macroenabledtemplate.main+xml",
	 "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "dotm", "dotx"},
	{"application/vnd.ms-excel.sheet.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsm", "xlsx"},
	{"application/vnd.ms-excel.template.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xltm", "xltx"},
	{"application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptm", "pptx"},
	{"application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "ppsm", "ppsx"},
	{"application/vnd.ms-powerpoint.template.macroenabled.main+xml",
	 "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", "potm", "potx"},
};

static void ox_note(struct ox_ctx *c, enum ox_cat cat, const char *detail)
{
	mg_zpkg_note(&c->z, cat_names[cat], detail);
}

/* ---- XML ---- */

static gboolean is_xml_part(const struct mg_zpart *p)
{
	return g_str_has_suffix(p->lname, ".xml") || g_str_has_suffix(p->lname, ".rels");
}

/* ---- which parts go ---- */

static void ox_mark_names(struct ox_ctx *c)
{
	for (guint i = 0; i < c->z.parts->len; i++) {
		struct mg_zpart *p = c->z.parts->pdata[i];
		for (gsize k = 0; k < G_N_ELEMENTS(drop_names) && !p->drop; k++)
			if (mg_glob_match(drop_names[k].pattern, p->lname)) {
				p->drop = TRUE;
				ox_note(c, drop_names[k].cat, p->name);
			}
	}
}

/* "word/_rels/document.xml.rels" -> "word/"; "_rels/.rels" -> "". */
static char *rels_base_dir(const char *rels)
{
	const char *r = strstr(rels, "_rels/");
	return g_strndup(rels, r ? (gsize)(r - rels) : 0);
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

static int rel_drop_cat(const char *type)
{
	const char *slash = type ? strrchr(type, '/') : NULL;
	char *last = g_ascii_strdown(slash ? slash + 1 : (type ? type : ""), -1);
	int cat = -1;
	for (gsize k = 0; k < G_N_ELEMENTS(drop_rels) && cat < 0; k++)
		if (g_str_equal(drop_rels[k].type, last))
			cat = drop_rels[k].cat;
	g_free(last);
	return cat;
}

/* Decide one Relationship element: TRUE when it is removed. */
static gboolean ox_rel_judge(struct ox_ctx *c, const char *base, xmlNodePtr rel)
{
	xmlChar *type = xmlGetProp(rel, BAD_CAST "Type"), *target = xmlGetProp(rel, BAD_CAST "Target");
	xmlChar *mode = xmlGetProp(rel, BAD_CAST "TargetMode");
	gboolean external = mode && g_ascii_strcasecmp((char *)mode, "External") == 0;
	gboolean hyperlink = type && g_str_has_suffix((char *)type, "/hyperlink") && target &&
			     (g_ascii_strncasecmp((char *)target, "http://", 7) == 0 ||
			      g_ascii_strncasecmp((char *)target, "https://", 8) == 0 ||
			      g_ascii_strncasecmp((char *)target, "mailto:", 7) == 0);
	int cat = rel_drop_cat((char *)type);
	struct mg_zpart *tp = NULL;
	if (!external && target) {
		char *path = target_resolve(base, (char *)target);
		tp = g_hash_table_lookup(c->z.by_lname, path);
		g_free(path);
	}
	gboolean drop = FALSE;
	if (external && hyperlink && c->z.in->ctx->cfg->office_keep_hyperlinks) {
		c->links_kept += c->pass == 0;
	} else if (external || cat >= 0 || (tp && tp->drop)) {
		drop = TRUE;
		char *d = g_strdup_printf(
			"%s%s%s", type && strrchr((char *)type, '/') ? strrchr((char *)type, '/') + 1 : "relationship",
			external ? " -> " : "", external && target ? (char *)target : "");
		if (tp && !tp->drop) {
			tp->drop = TRUE;
			ox_note(c, cat >= 0 ? (enum ox_cat)cat : OX_EMBED, tp->name);
		} else if (external || !tp) {
			ox_note(c, external ? OX_EXTERNAL : (cat >= 0 ? (enum ox_cat)cat : OX_EMBED), d);
		}
		g_free(d);
	}
	xmlFree(type);
	xmlFree(target);
	xmlFree(mode);
	return drop;
}

/* The part a .rels file describes: "word/_rels/document.xml.rels" -> "word/document.xml". */
static struct mg_zpart *rels_source(struct ox_ctx *c, const struct mg_zpart *rels)
{
	char *dir = rels_base_dir(rels->lname);
	const char *file = strstr(rels->lname, "_rels/");
	char *src = file ? g_strconcat(dir, file + 6, NULL) : NULL;
	if (src && g_str_has_suffix(src, ".rels"))
		src[strlen(src) - 5] = '\0';
	struct mg_zpart *p = src ? g_hash_table_lookup(c->z.by_lname, src) : NULL;
	g_free(src);
	g_free(dir);
	return p;
}

static gboolean ox_rels_one(struct ox_ctx *c, struct mg_zpart *rels)
{
	struct mg_zpart *src = rels_source(c, rels);
	if (src && src->drop) {
		rels->drop = TRUE;
		return TRUE;
	}
	if (!mg_zpkg_parse(&c->z, rels))
		return FALSE;
	char *base = rels_base_dir(rels->name);
	xmlNodePtr root = xmlDocGetRootElement(rels->doc), next;
	for (xmlNodePtr n = root->children; n; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE || !ox_rel_judge(c, base, n))
			continue;
		xmlChar *id = xmlGetProp(n, BAD_CAST "Id");
		if (src && id) {
			if (!src->dead_ids)
				src->dead_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			g_hash_table_add(src->dead_ids, g_strdup((char *)id));
		}
		xmlFree(id);
		mg_xml_drop(n);
	}
	g_free(base);
	return TRUE;
}

/* Two passes: a relationship may point at a part that a later .rels file
 * marks, and a dropped part's own .rels goes with it. */
static gboolean ox_relationships(struct ox_ctx *c)
{
	for (c->pass = 0; c->pass < 2; c->pass++)
		for (guint i = 0; i < c->z.parts->len; i++) {
			struct mg_zpart *p = c->z.parts->pdata[i];
			if (g_str_has_suffix(p->lname, ".rels") && !p->drop && !ox_rels_one(c, p))
				return FALSE;
		}
	return TRUE;
}

/* ---- references to removed relationships, DDE fields ---- */

static gboolean node_uses_dead_id(xmlNodePtr n, GHashTable *dead)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		gboolean relns = a->ns && (g_str_equal((char *)a->ns->href, NS_REL_T) ||
					   g_str_equal((char *)a->ns->href, NS_REL_S));
		if (!relns && g_ascii_strcasecmp((char *)a->name, "relid") != 0)
			continue;
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		gboolean hit = v && g_hash_table_contains(dead, v);
		xmlFree(v);
		if (hit)
			return TRUE;
	}
	return FALSE;
}

/* A PresentationML OLE object (p:oleObj, possibly inside
 * mc:AlternateContent) with a removed relationship. */
static gboolean has_dead_ole(xmlNodePtr n, GHashTable *dead)
{
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if ((g_str_equal((const char *)k->name, "oleObj") && node_uses_dead_id(k, dead)) ||
		    has_dead_ole(k, dead))
			return TRUE;
	}
	return FALSE;
}

static void prune_refs(xmlNodePtr n, GHashTable *dead)
{
	xmlNodePtr next;
	for (xmlNodePtr k = n->children; k; k = next) {
		next = k->next;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (g_str_equal((const char *)k->name, "graphicFrame") && has_dead_ole(k, dead)) {
			mg_xml_drop(k); /* the whole frame: an empty OLE frame needs repair in PowerPoint */
		} else if (node_uses_dead_id(k, dead) && g_str_equal((const char *)k->name, "hyperlink")) {
			while (k->children) { /* the link goes, its text stays */
				xmlNodePtr g = k->children;
				xmlUnlinkNode(g);
				xmlAddPrevSibling(k, g);
			}
			mg_xml_drop(k);
		} else if (node_uses_dead_id(k, dead))
			mg_xml_drop(k);
		else
			prune_refs(k, dead);
	}
}

/* Containers that must not stay empty once their children went. */
static const char *const empty_containers[] = {"externalReferences", "oleObjects", "controls", "object"};

static void prune_empty(xmlNodePtr n)
{
	xmlNodePtr next;
	for (xmlNodePtr k = n->children; k; k = next) {
		next = k->next;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		prune_empty(k);
		gboolean has_elem = FALSE;
		for (xmlNodePtr g = k->children; g && !has_elem; g = g->next)
			has_elem = g->type == XML_ELEMENT_NODE;
		for (gsize i = 0; !has_elem && i < G_N_ELEMENTS(empty_containers); i++)
			if (g_str_equal((const char *)k->name, empty_containers[i])) {
				mg_xml_drop(k);
				break;
			}
	}
}

/* <w:fldSimple w:instr="DDEAUTO ..."> -> its result runs only. */
static void dde_simple(struct ox_ctx *c, xmlXPathContextPtr xp)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST "//*[local-name()='fldSimple']", xp);
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr f = r->nodesetval->nodeTab[i];
		xmlChar *instr = xmlGetProp(f, BAD_CAST "instr");
		if (instr && mg_cdr_field_is_risky((char *)instr)) {
			ox_note(c, OX_DDE, (char *)instr);
			while (f->children) {
				xmlNodePtr k = f->children;
				xmlUnlinkNode(k);
				xmlAddPrevSibling(f, k);
			}
			r->nodesetval->nodeTab[i] = NULL;
			mg_xml_drop(f);
		}
		xmlFree(instr);
	}
	xmlXPathFreeObject(r);
}

struct ox_field {
	GPtrArray *nodes; /* fldChar and instrText elements */
	GString *instr;
	gboolean in_code;
};

static void field_end(struct ox_ctx *c, struct ox_field *f)
{
	if (mg_cdr_field_is_risky(f->instr->str)) {
		ox_note(c, OX_DDE, f->instr->str);
		for (guint i = 0; i < f->nodes->len; i++)
			mg_xml_drop(f->nodes->pdata[i]);
	}
	g_ptr_array_free(f->nodes, TRUE);
	g_string_free(f->instr, TRUE);
	g_free(f);
}

/* Complex fields: fldChar begin, instrText..., separate, result, end.
 * The code may be split over many instrText elements and fields nest. */
static void dde_complex(struct ox_ctx *c, xmlXPathContextPtr xp)
{
	xmlXPathObjectPtr r =
		xmlXPathEvalExpression(BAD_CAST "//*[local-name()='fldChar' or local-name()='instrText']", xp);
	GPtrArray *stack = g_ptr_array_new();
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr n = r->nodesetval->nodeTab[i];
		xmlChar *kind = xmlGetProp(n, BAD_CAST "fldCharType");
		struct ox_field *top = stack->len ? stack->pdata[stack->len - 1] : NULL;
		if (kind && g_str_equal((char *)kind, "begin")) {
			top = g_new0(struct ox_field, 1);
			top->nodes = g_ptr_array_new();
			top->instr = g_string_new(NULL);
			top->in_code = TRUE;
			g_ptr_array_add(stack, top);
			g_ptr_array_add(top->nodes, n);
		} else if (top && !kind && top->in_code) {
			xmlChar *t = xmlNodeGetContent(n);
			if (top->instr->len < 4096)
				g_string_append(top->instr, t ? (char *)t : "");
			xmlFree(t);
			g_ptr_array_add(top->nodes, n);
		} else if (top && kind) {
			g_ptr_array_add(top->nodes, n);
			top->in_code = FALSE;
			if (g_str_equal((char *)kind, "end"))
				field_end(c, g_ptr_array_steal_index(stack, stack->len - 1));
		}
		xmlFree(kind);
	}
	while (stack->len)
		field_end(c, g_ptr_array_steal_index(stack, stack->len - 1));
	g_ptr_array_free(stack, TRUE);
	xmlXPathFreeObject(r);
}

static gboolean ox_clean_part(struct ox_ctx *c, struct mg_zpart *p)
{
	if (p->drop || !is_xml_part(p) || g_str_has_suffix(p->lname, ".rels"))
		return TRUE;
	if (!mg_zpkg_parse(&c->z, p))
		return FALSE;
	if (p->dead_ids) {
		prune_refs((xmlNodePtr)p->doc, p->dead_ids);
		prune_empty((xmlNodePtr)p->doc);
	}
	if (g_str_has_prefix(p->lname, "word/")) {
		xmlXPathContextPtr xp = xmlXPathNewContext(p->doc);
		dde_simple(c, xp);
		dde_complex(c, xp);
		xmlXPathFreeContext(xp);
	}
	return !mg_zpkg_over_time(&c->z);
}

/* ---- [Content_Types].xml ---- */

static void ct_override(struct ox_ctx *c, xmlNodePtr n)
{
	xmlChar *pn = xmlGetProp(n, BAD_CAST "PartName"), *ct = xmlGetProp(n, BAD_CAST "ContentType");
	char *lname = pn ? g_ascii_strdown((char *)pn + (pn[0] == '/'), -1) : NULL;
	struct mg_zpart *p = lname ? g_hash_table_lookup(c->z.by_lname, lname) : NULL;
	if (!p || p->drop) {
		mg_xml_drop(n);
		goto out;
	}
	for (gsize k = 0; ct && k < G_N_ELEMENTS(macro_types); k++)
		if (g_ascii_strcasecmp((char *)ct, macro_types[k].from) == 0) {
			xmlSetProp(n, BAD_CAST "ContentType", BAD_CAST macro_types[k].to);
			g_free(c->z.out->new_type);
			c->z.out->new_type =
				g_strndup(macro_types[k].to, strlen(macro_types[k].to) - strlen(".main+xml"));
			const char *ext = c->z.in->filename ? strrchr(c->z.in->filename, '.') : NULL;
			if (ext && g_ascii_strcasecmp(ext + 1, macro_types[k].ext_from) == 0)
				c->z.out->new_filename = g_strdup_printf("%.*s.%s", (int)(ext - c->z.in->filename),
									 c->z.in->filename, macro_types[k].ext_to);
		}
out:
	g_free(lname);
	xmlFree(pn);
	xmlFree(ct);
}

static gboolean ox_content_types(struct ox_ctx *c)
{
	struct mg_zpart *p = g_hash_table_lookup(c->z.by_lname, "[content_types].xml");
	if (!p || !g_hash_table_lookup(c->z.by_lname, "_rels/.rels"))
		return mg_zpkg_fail(&c->z, MG_CDR_UNSCANNABLE,
				    "corrupt document: no [Content_Types].xml or _rels/.rels");
	if (!mg_zpkg_parse(&c->z, p))
		return FALSE;
	xmlNodePtr next;
	for (xmlNodePtr n = xmlDocGetRootElement(p->doc)->children; n; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *ct = xmlGetProp(n, BAD_CAST "ContentType");
		if (g_str_equal((char *)n->name, "Override"))
			ct_override(c, n);
		else if (ct && g_strrstr((char *)ct, "vbaProject"))
			mg_xml_drop(n); /* Default Extension="bin" for VBA */
		xmlFree(ct);
	}
	return TRUE;
}

static void ox_report(struct ox_ctx *c)
{
	int n = mg_zpkg_report(&c->z);
	g_free(c->z.out->reason);
	/* Kept web links are said in the reason only: the removed list is
	 * what the notice shows under "removed items". */
	char *kept = c->links_kept ? g_strdup_printf("; %d external web hyperlink%s kept", c->links_kept,
						     c->links_kept == 1 ? "" : "s")
				   : g_strdup("");
	c->z.out->reason =
		g_strdup_printf("Office document rebuilt: %d active object%s removed%s", n, n == 1 ? "" : "s", kept);
	g_free(kept);
}

enum mg_cdr_status mg_cdr_ooxml(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct ox_ctx c = {0};
	mg_zpkg_init(&c.z, in, out);
	gboolean ok = mg_zpkg_read(&c.z);
	if (ok)
		ox_mark_names(&c);
	ok = ok && ox_relationships(&c);
	for (guint i = 0; ok && i < c.z.parts->len; i++)
		ok = ox_clean_part(&c, c.z.parts->pdata[i]);
	ok = ok && ox_content_types(&c) && mg_zpkg_write(&c.z);
	if (ok)
		ox_report(&c);
	enum mg_cdr_status st = ok ? MG_CDR_REBUILT : c.z.fail;
	mg_zpkg_clear(&c.z);
	return st;
}
