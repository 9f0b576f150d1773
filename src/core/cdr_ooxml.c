/*
 * cdr_ooxml.c - Office Open XML (docx/xlsx/pptx and the macro-enabled
 * docm/xlsm/pptm/dotm/xltm ...) rebuilt without active content.
 *
 * Contract: mg_cdr_ooxml() reads the package with libzip within the
 * ooxml_* limits (entries, total expanded size, ratio; encrypted entries
 * are unscannable), then:
 *   - drops VBA (vbaProject.bin, vbaData.xml, signatures), ActiveX,
 *     embedded OLE objects and packages, custom UI, Excel 4 macro sheets,
 *     external link parts and altChunks;
 *   - removes every relationship to a dropped part and every external
 *     relationship (http, https and mailto hyperlinks stay unless
 *     ooxml_keep_hyperlinks = no, and the report says how many stayed;
 *     file:, UNC, ms-*: and other schemes go), and the XML elements that
 *     used those relationship ids (w:attachedTemplate, oleObject, control;
 *     a removed w:hyperlink keeps its text);
 *   - removes DDE, DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, IMPORT, LINK and QUOTE fields, keeping the
 *     displayed result;
 *   - repairs [Content_Types].xml (no Override for a dropped part, the
 *     macro-free main content type) so a .docm becomes a .docx;
 *   - re-serialises every XML part through libxml2 (a DTD is refused: OOXML
 *     forbids it) and writes a fresh ZIP with fixed timestamps.
 * Text, tables, images and styles are copied.  Nothing is written to disk.
 */
#include "config.h"

#include <string.h>
#include <zip.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "mg_cdr.h"
#include "mg_cdr_policy.h"
#include "mg_txn.h"

#define NS_REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_S "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define ZIP_MTIME ((time_t)946684800) /* 2000-01-01: reproducible output */

enum ox_cat { OX_VBA, OX_ACTIVEX, OX_EMBED, OX_EXTERNAL, OX_DDE, OX_CUSTOMUI, OX_XLM, OX_ALTCHUNK, OX_NCAT };

static const char *const cat_names[OX_NCAT] = {
	"VBA macro part", "ActiveX control part", "embedded OLE object or package", "external relationship",
	"DDE or include field", "custom UI (ribbon)", "Excel 4 macro sheet", "alternative-format chunk",
};

struct ox_part {
	char *name;  /* as in the ZIP */
	char *lname; /* lower case, for lookups */
	GBytes *data;
	xmlDocPtr doc; /* parsed XML parts */
	gboolean drop;
	GHashTable *dead_ids; /* relationship ids removed from this part's .rels */
};

struct ox_ctx {
	const struct mg_cdr_in *in;
	struct mg_cdr_out *out;
	GPtrArray *parts;     /* struct ox_part*, ZIP order */
	GHashTable *by_lname; /* lname -> part */
	int count[OX_NCAT];
	char *first[OX_NCAT]; /* first detail per category */
	int links_kept;
	int pass; /* relationship pass: 0 or 1 */
	enum mg_cdr_status fail; /* status when a step returns FALSE */
};

/* Part names that are active content whatever refers to them. */
static const struct {
	const char *pattern; /* on the lower-case name */
	enum ox_cat cat;
} drop_names[] = {
	{ "*vbaproject.bin", OX_VBA },	   { "*vbadata.xml", OX_VBA },	     { "*vbaprojectsignature*", OX_VBA },
	{ "*/activex/*", OX_ACTIVEX },	   { "*/embeddings/*", OX_EMBED },   { "customui/*", OX_CUSTOMUI },
	{ "*/macrosheets/*", OX_XLM },	   { "*/externallinks/*", OX_EXTERNAL },
};

/* Relationship types (last path segment, lower case) that go. */
static const struct {
	const char *type;
	enum ox_cat cat;
} drop_rels[] = {
	{ "vbaproject", OX_VBA },	   { "wordvbadata", OX_VBA },	       { "vbaprojectsignature", OX_VBA },
	{ "keymapcustomizations", OX_VBA }, { "oleobject", OX_EMBED },	       { "package", OX_EMBED },
	{ "subdocument", OX_EMBED },	   { "control", OX_ACTIVEX },	       { "activexcontrol", OX_ACTIVEX },
	{ "activexcontrolbinary", OX_ACTIVEX }, { "attachedtemplate", OX_EXTERNAL }, { "externallink", OX_EXTERNAL },
	{ "externallinkpath", OX_EXTERNAL }, { "extensibility", OX_CUSTOMUI }, { "xlmacrosheet", OX_XLM },
	{ "xlintlmacrosheet", OX_XLM },	   { "afchunk", OX_ALTCHUNK },
};

/* Macro-enabled main content types and the file they become. */
static const struct {
	const char *from, *to, *ext_from, *ext_to;
} macro_types[] = {
	{ "application/vnd.ms-word.document.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docm", "docx" },
	{ "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
	  "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "dotm", "dotx" },
	{ "application/vnd.ms-excel.sheet.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsm", "xlsx" },
	{ "application/vnd.ms-excel.template.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xltm", "xltx" },
	{ "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptm", "pptx" },
	{ "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "ppsm", "ppsx" },
	{ "application/vnd.ms-powerpoint.template.macroenabled.main+xml",
	  "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", "potm", "potx" },
};

static gboolean ox_fail(struct ox_ctx *c, enum mg_cdr_status st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean ox_fail(struct ox_ctx *c, enum mg_cdr_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_free(c->out->reason);
	c->out->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	c->fail = st;
	return FALSE;
}

/* Printable ASCII, at most 80 characters: for report details. */
static char *ox_detail(const char *s)
{
	GString *g = g_string_new(NULL);
	for (const char *p = s ? s : ""; *p && g->len < 80; p++)
		g_string_append_c(g, (guchar)*p >= 0x20 && (guchar)*p < 0x7f ? *p : '?');
	return g_string_free(g, FALSE);
}

static void ox_note(struct ox_ctx *c, enum ox_cat cat, const char *detail)
{
	if (c->count[cat]++ == 0)
		c->first[cat] = ox_detail(detail);
}

static void part_free(gpointer p)
{
	struct ox_part *x = p;
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

static gboolean ox_over_time(struct ox_ctx *c)
{
	if (c->in->deadline_us > 0 && g_get_monotonic_time() > c->in->deadline_us)
		return !ox_fail(c, MG_CDR_UNSCANNABLE, "time budget exceeded while rebuilding the document");
	return FALSE;
}

/* ---- reading ---- */

static gboolean name_ok(const char *name)
{
	return *name && name[0] != '/' && !strchr(name, '\\') && !strstr(name, "..") && !strstr(name, "//") &&
	       g_utf8_validate(name, -1, NULL);
}

static gboolean ox_read_entry(struct ox_ctx *c, zip_t *za, zip_int64_t i, gint64 *expanded)
{
	const struct mg_config *cfg = c->in->t->cfg;
	zip_stat_t st;
	if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt ZIP directory (entry %" G_GINT64_FORMAT ")", (gint64)i);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return ox_fail(c, MG_CDR_UNSCANNABLE, "encrypted document entry");
	if (g_str_has_suffix(st.name, "/"))
		return TRUE;
	if (!name_ok(st.name))
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: invalid part name");
	*expanded += (gint64)st.size;
	if (*expanded > cfg->ooxml_max_expanded || st.size > G_MAXUINT32)
		return ox_fail(c, MG_CDR_UNSCANNABLE, "expanded size exceeds the ooxml_max_expanded limit");
	if (*expanded > (gint64)c->in->len * cfg->ooxml_max_ratio + 65536)
		return ox_fail(c, MG_CDR_UNSCANNABLE, "compression ratio exceeds the ooxml_max_ratio limit");
	char *lname = g_ascii_strdown(st.name, -1);
	if (g_hash_table_contains(c->by_lname, lname)) {
		g_free(lname);
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: duplicate part name");
	}
	zip_file_t *zf = zip_fopen_index(za, i, 0);
	guint8 *buf = g_malloc(st.size + 1);
	zip_int64_t n = zf ? zip_fread(zf, buf, st.size + 1) : -1;
	if (zf)
		zip_fclose(zf);
	if (n != (zip_int64_t)st.size) {
		g_free(buf);
		g_free(lname);
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: unreadable part");
	}
	struct ox_part *p = g_new0(struct ox_part, 1);
	p->name = g_strdup(st.name);
	p->lname = lname;
	p->data = g_bytes_new_take(buf, st.size);
	g_ptr_array_add(c->parts, p);
	g_hash_table_insert(c->by_lname, p->lname, p);
	return TRUE;
}

static gboolean ox_read(struct ox_ctx *c)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(c->in->data, c->in->len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	gboolean ok = FALSE;
	if (!za) {
		if (src)
			zip_source_free(src);
		ok = ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: not a readable ZIP (%s)", zip_error_strerror(&ze));
		goto out;
	}
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n > c->in->t->cfg->ooxml_max_entries) {
		ox_fail(c, MG_CDR_UNSCANNABLE, "too many entries (ooxml_max_entries limit)");
		goto close;
	}
	gint64 expanded = 0;
	ok = TRUE;
	for (zip_int64_t i = 0; ok && i < n; i++)
		ok = ox_read_entry(c, za, i, &expanded) && !ox_over_time(c);
close:
	zip_discard(za);
out:
	zip_error_fini(&ze);
	return ok;
}

/* ---- XML ---- */

static gboolean is_xml_part(const struct ox_part *p)
{
	return g_str_has_suffix(p->lname, ".xml") || g_str_has_suffix(p->lname, ".rels");
}

static gboolean ox_parse(struct ox_ctx *c, struct ox_part *p)
{
	if (p->doc || p->drop)
		return TRUE;
	gsize len;
	const char *d = g_bytes_get_data(p->data, &len);
	if (len > G_MAXINT / 2)
		return ox_fail(c, MG_CDR_UNSCANNABLE, "part %s exceeds the XML size limit", p->name);
	p->doc = xmlReadMemory(d, (int)len, p->name, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!p->doc || !xmlDocGetRootElement(p->doc))
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: part %s is not well-formed XML", p->name);
	if (p->doc->intSubset || p->doc->extSubset)
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: DTD in part %s (not allowed in OOXML)",
			       p->name);
	return TRUE;
}

static void node_drop(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* ---- which parts go ---- */

static void ox_mark_names(struct ox_ctx *c)
{
	for (guint i = 0; i < c->parts->len; i++) {
		struct ox_part *p = c->parts->pdata[i];
		for (gsize k = 0; k < G_N_ELEMENTS(drop_names) && !p->drop; k++)
			if (g_pattern_match_simple(drop_names[k].pattern, p->lname)) {
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
	struct ox_part *tp = NULL;
	if (!external && target) {
		char *path = target_resolve(base, (char *)target);
		tp = g_hash_table_lookup(c->by_lname, path);
		g_free(path);
	}
	gboolean drop = FALSE;
	if (external && hyperlink && c->in->t->cfg->ooxml_keep_hyperlinks) {
		c->links_kept += c->pass == 0;
	} else if (external || cat >= 0 || (tp && tp->drop)) {
		drop = TRUE;
		char *d = g_strdup_printf("%s%s%s", type && strrchr((char *)type, '/') ? strrchr((char *)type, '/') + 1
									 : "relationship",
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
static struct ox_part *rels_source(struct ox_ctx *c, const struct ox_part *rels)
{
	char *dir = rels_base_dir(rels->lname);
	const char *file = strstr(rels->lname, "_rels/");
	char *src = file ? g_strconcat(dir, file + 6, NULL) : NULL;
	if (src && g_str_has_suffix(src, ".rels"))
		src[strlen(src) - 5] = '\0';
	struct ox_part *p = src ? g_hash_table_lookup(c->by_lname, src) : NULL;
	g_free(src);
	g_free(dir);
	return p;
}

static gboolean ox_rels_one(struct ox_ctx *c, struct ox_part *rels)
{
	struct ox_part *src = rels_source(c, rels);
	if (src && src->drop) {
		rels->drop = TRUE;
		return TRUE;
	}
	if (!ox_parse(c, rels))
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
		node_drop(n);
	}
	g_free(base);
	return TRUE;
}

/* Two passes: a relationship may point at a part that a later .rels file
 * marks, and a dropped part's own .rels goes with it. */
static gboolean ox_relationships(struct ox_ctx *c)
{
	for (c->pass = 0; c->pass < 2; c->pass++)
		for (guint i = 0; i < c->parts->len; i++) {
			struct ox_part *p = c->parts->pdata[i];
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
			node_drop(k); /* the whole frame: an empty OLE frame needs repair in PowerPoint */
		} else if (node_uses_dead_id(k, dead) && g_str_equal((const char *)k->name, "hyperlink")) {
			while (k->children) { /* the link goes, its text stays */
				xmlNodePtr g = k->children;
				xmlUnlinkNode(g);
				xmlAddPrevSibling(k, g);
			}
			node_drop(k);
		} else if (node_uses_dead_id(k, dead))
			node_drop(k);
		else
			prune_refs(k, dead);
	}
}

/* Containers that must not stay empty once their children went. */
static const char *const empty_containers[] = { "externalReferences", "oleObjects", "controls", "object" };

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
				node_drop(k);
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
			node_drop(f);
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
			node_drop(f->nodes->pdata[i]);
	}
	g_ptr_array_free(f->nodes, TRUE);
	g_string_free(f->instr, TRUE);
	g_free(f);
}

/* Complex fields: fldChar begin, instrText..., separate, result, end.
 * The code may be split over many instrText elements and fields nest. */
static void dde_complex(struct ox_ctx *c, xmlXPathContextPtr xp)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
		BAD_CAST "//*[local-name()='fldChar' or local-name()='instrText']", xp);
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

static gboolean ox_clean_part(struct ox_ctx *c, struct ox_part *p)
{
	if (p->drop || !is_xml_part(p) || g_str_has_suffix(p->lname, ".rels"))
		return TRUE;
	if (!ox_parse(c, p))
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
	return !ox_over_time(c);
}

/* ---- [Content_Types].xml ---- */

static void ct_override(struct ox_ctx *c, xmlNodePtr n)
{
	xmlChar *pn = xmlGetProp(n, BAD_CAST "PartName"), *ct = xmlGetProp(n, BAD_CAST "ContentType");
	char *lname = pn ? g_ascii_strdown((char *)pn + (pn[0] == '/'), -1) : NULL;
	struct ox_part *p = lname ? g_hash_table_lookup(c->by_lname, lname) : NULL;
	if (!p || p->drop) {
		node_drop(n);
		goto out;
	}
	for (gsize k = 0; ct && k < G_N_ELEMENTS(macro_types); k++)
		if (g_ascii_strcasecmp((char *)ct, macro_types[k].from) == 0) {
			xmlSetProp(n, BAD_CAST "ContentType", BAD_CAST macro_types[k].to);
			g_free(c->out->new_type);
			c->out->new_type = g_strndup(macro_types[k].to, strlen(macro_types[k].to) - strlen(".main+xml"));
			const char *ext = c->in->filename ? strrchr(c->in->filename, '.') : NULL;
			if (ext && g_ascii_strcasecmp(ext + 1, macro_types[k].ext_from) == 0)
				c->out->new_filename = g_strdup_printf("%.*s.%s", (int)(ext - c->in->filename),
								       c->in->filename, macro_types[k].ext_to);
		}
out:
	g_free(lname);
	xmlFree(pn);
	xmlFree(ct);
}

static gboolean ox_content_types(struct ox_ctx *c)
{
	struct ox_part *p = g_hash_table_lookup(c->by_lname, "[content_types].xml");
	if (!p || !g_hash_table_lookup(c->by_lname, "_rels/.rels"))
		return ox_fail(c, MG_CDR_UNSCANNABLE, "corrupt document: no [Content_Types].xml or _rels/.rels");
	if (!ox_parse(c, p))
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
			node_drop(n); /* Default Extension="bin" for VBA */
		xmlFree(ct);
	}
	return TRUE;
}

/* ---- writing ---- */

static GBytes *part_bytes(struct ox_part *p)
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

static gboolean ox_add(zip_t *za, struct ox_part *p, GPtrArray *keep)
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
	zip_set_file_compression(za, idx, ZIP_CM_DEFLATE, 6);
	zip_file_set_mtime(za, idx, ZIP_MTIME, 0);
	return TRUE;
}

static gboolean ox_write(struct ox_ctx *c)
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
	for (guint i = 0; ok && i < c->parts->len; i++) {
		struct ox_part *p = c->parts->pdata[i];
		ok = p->drop || ox_add(za, p, keep);
	}
	if (za && (!ok || zip_close(za) != 0)) {
		zip_discard(za);
		ok = FALSE;
	}
	if (ok)
		c->out->data = source_take(src);
	if (za)
		zip_source_free(src);
	g_ptr_array_unref(keep);
	zip_error_fini(&ze);
	return c->out->data ? TRUE : ox_fail(c, MG_CDR_ERROR, "writing the rebuilt document failed");
}

static void ox_report(struct ox_ctx *c)
{
	for (int k = 0; k < OX_NCAT; k++)
		if (c->count[k])
			g_ptr_array_add(c->out->removed, g_strdup_printf("%s removed: %d (%s)", cat_names[k], c->count[k],
									 c->first[k] ? c->first[k] : ""));
	int n = 0;
	for (int k = 0; k < OX_NCAT; k++)
		n += c->count[k];
	g_free(c->out->reason);
	c->out->reason = g_strdup_printf("Office document rebuilt: %d active object%s removed%s", n, n == 1 ? "" : "s",
					 c->links_kept ? ", external hyperlinks kept" : "");
	if (c->links_kept)
		g_ptr_array_add(c->out->removed, g_strdup_printf("external hyperlinks kept (not removed): %d",
								 c->links_kept));
}

enum mg_cdr_status mg_cdr_ooxml(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct ox_ctx c = { .in = in, .out = out, .fail = MG_CDR_ERROR };
	c.parts = g_ptr_array_new_with_free_func(part_free);
	c.by_lname = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean ok = ox_read(&c);
	if (ok)
		ox_mark_names(&c);
	ok = ok && ox_relationships(&c);
	for (guint i = 0; ok && i < c.parts->len; i++)
		ok = ox_clean_part(&c, c.parts->pdata[i]);
	ok = ok && ox_content_types(&c) && ox_write(&c);
	if (ok)
		ox_report(&c);
	for (int k = 0; k < OX_NCAT; k++)
		g_free(c.first[k]);
	g_hash_table_destroy(c.by_lname);
	g_ptr_array_unref(c.parts);
	return ok ? MG_CDR_REBUILT : c.fail;
}
