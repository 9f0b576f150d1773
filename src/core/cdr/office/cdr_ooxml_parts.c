/*
 * cdr_ooxml_parts.c - the allowlist of passive OOXML parts (cdr_ooxml.h).
 *
 * A part is kept only when a kept part reaches it by a relationship whose
 * type is in kinds[] and its content is what that type promises: XML whose
 * root element has the listed name in the listed namespace (parsed by
 * libxml2, no DTD), or a picture that the image rebuilder decodes and
 * encodes again.  The part's content type is taken from the row, never
 * from [Content_Types].xml.  Everything else (VBA projects, ActiveX,
 * embedded objects and packages, custom UI, macro sheets, external links,
 * data connections, embedded fonts, printer settings, custom XML, and any
 * type this table does not know) is left out of the new package.
 */
#include "config.h"

#include <string.h>

#include "cdr_ooxml.h"
#include "mg_cdr.h"

#define WML "application/vnd.openxmlformats-officedocument.wordprocessingml."
#define SML "application/vnd.openxmlformats-officedocument.spreadsheetml."
#define PML "application/vnd.openxmlformats-officedocument.presentationml."
#define DML "application/vnd.openxmlformats-officedocument.drawingml."

static const struct ox_kind kinds[] = {
	{"metadata/core-properties", "core-properties", "coreProperties",
	 "application/vnd.openxmlformats-package.core-properties+xml"},
	{"extended-properties", "extended-properties", "Properties",
	 "application/vnd.openxmlformats-officedocument.extended-properties+xml"},
	{"custom-properties", "custom-properties", "Properties",
	 "application/vnd.openxmlformats-officedocument.custom-properties+xml"},
	{"metadata/thumbnail", NULL, NULL, NULL},
	{"image", NULL, NULL, NULL},
	/* WordprocessingML */
	{"styles", "wordprocessingml", "styles", WML "styles+xml"},
	{"stylesWithEffects", "wordprocessingml", "styles", "application/vnd.ms-word.stylesWithEffects+xml"},
	{"settings", "wordprocessingml", "settings", WML "settings+xml"},
	{"webSettings", "wordprocessingml", "webSettings", WML "webSettings+xml"},
	{"fontTable", "wordprocessingml", "fonts", WML "fontTable+xml"},
	{"numbering", "wordprocessingml", "numbering", WML "numbering+xml"},
	{"footnotes", "wordprocessingml", "footnotes", WML "footnotes+xml"},
	{"endnotes", "wordprocessingml", "endnotes", WML "endnotes+xml"},
	{"comments", "wordprocessingml", "comments", WML "comments+xml"},
	{"header", "wordprocessingml", "hdr", WML "header+xml"},
	{"footer", "wordprocessingml", "ftr", WML "footer+xml"},
	{"glossaryDocument", "wordprocessingml", "glossaryDocument", WML "document.glossary+xml"},
	{"commentsExtended", "office/word", "commentsEx", WML "commentsExtended+xml"},
	{"commentsIds", "office/word", "commentsIds", WML "commentsIds+xml"},
	{"people", "office/word", "people", WML "people+xml"},
	/* shared DrawingML */
	{"theme", "drawingml", "theme", "application/vnd.openxmlformats-officedocument.theme+xml"},
	{"themeOverride", "drawingml", "themeOverride",
	 "application/vnd.openxmlformats-officedocument.themeOverride+xml"},
	{"chart", "drawingml", "chartSpace", DML "chart+xml"},
	{"chartUserShapes", "drawingml", "userShapes", DML "chartshapes+xml"},
	{"diagramData", "drawingml", "dataModel", DML "diagramData+xml"},
	{"diagramLayout", "drawingml", "layoutDef", DML "diagramLayout+xml"},
	{"diagramQuickStyle", "drawingml", "styleDef", DML "diagramStyle+xml"},
	{"diagramColors", "drawingml", "colorsDef", DML "diagramColors+xml"},
	{"diagramDrawing", "office/drawing", "drawing", "application/vnd.ms-office.drawingml.diagramDrawing+xml"},
	{"chartStyle", "office/drawing", "chartStyle", "application/vnd.ms-office.chartstyle+xml"},
	{"chartColorStyle", "office/drawing", "colorStyle", "application/vnd.ms-office.chartcolorstyle+xml"},
	/* SpreadsheetML */
	{"worksheet", "spreadsheetml", "worksheet", SML "worksheet+xml"},
	{"chartsheet", "spreadsheetml", "chartsheet", SML "chartsheet+xml"},
	{"sharedStrings", "spreadsheetml", "sst", SML "sharedStrings+xml"},
	{"styles", "spreadsheetml", "styleSheet", SML "styles+xml"},
	{"calcChain", "spreadsheetml", "calcChain", SML "calcChain+xml"},
	{"drawing", "drawingml", "wsDr", "application/vnd.openxmlformats-officedocument.drawing+xml"},
	{"comments", "spreadsheetml", "comments", SML "comments+xml"},
	{"table", "spreadsheetml", "table", SML "table+xml"},
	{"pivotTable", "spreadsheetml", "pivotTableDefinition", SML "pivotTable+xml"},
	{"pivotCacheDefinition", "spreadsheetml", "pivotCacheDefinition", SML "pivotCacheDefinition+xml"},
	{"pivotCacheRecords", "spreadsheetml", "pivotCacheRecords", SML "pivotCacheRecords+xml"},
	{"sheetMetadata", "spreadsheetml", "metadata", SML "sheetMetadata+xml"},
	{"person", "office/spreadsheetml", "personList", "application/vnd.ms-excel.person+xml"},
	{"threadedComment", "office/spreadsheetml", "ThreadedComments",
	 "application/vnd.ms-excel.threadedcomments+xml"},
	{"vmlDrawing", "", "xml", "application/vnd.openxmlformats-officedocument.vmlDrawing"},
	/* PresentationML */
	{"slide", "presentationml", "sld", PML "slide+xml"},
	{"slideLayout", "presentationml", "sldLayout", PML "slideLayout+xml"},
	{"slideMaster", "presentationml", "sldMaster", PML "slideMaster+xml"},
	{"notesMaster", "presentationml", "notesMaster", PML "notesMaster+xml"},
	{"notesSlide", "presentationml", "notes", PML "notesSlide+xml"},
	{"handoutMaster", "presentationml", "handoutMaster", PML "handoutMaster+xml"},
	{"presProps", "presentationml", "presentationPr", PML "presProps+xml"},
	{"viewProps", "presentationml", "viewPr", PML "viewProps+xml"},
	{"tableStyles", "drawingml", "tblStyleLst", PML "tableStyles+xml"},
	{"commentAuthors", "presentationml", "cmAuthorLst", PML "commentAuthors+xml"},
	{"comments", "presentationml", "cmLst", PML "comments+xml"},
	{"tags", "presentationml", "tagLst", PML "tags+xml"},
};

/* Relationship types that are known to be active, for the report. */
static const struct {
	const char *rel;
	const char *cat;
} active_rels[] = {
	{"vbaProject", OX_CAT_VBA},
	{"wordVbaData", OX_CAT_VBA},
	{"vbaProjectSignature", OX_CAT_VBA},
	{"keyMapCustomizations", OX_CAT_VBA},
	{"oleObject", OX_CAT_EMBED},
	{"package", OX_CAT_EMBED},
	{"subDocument", OX_CAT_EMBED},
	{"control", OX_CAT_ACTIVEX},
	{"activeXControl", OX_CAT_ACTIVEX},
	{"activeXControlBinary", OX_CAT_ACTIVEX},
	{"ctrlProp", OX_CAT_ACTIVEX},
	{"attachedTemplate", OX_CAT_EXTERNAL},
	{"externalLink", OX_CAT_EXTERNAL},
	{"externalLinkPath", OX_CAT_EXTERNAL},
	{"ui/extensibility", "custom UI (ribbon)"},
	{"ui/userCustomization", "custom UI (ribbon)"},
	{"xlMacrosheet", "Excel 4 macro sheet"},
	{"xlIntlMacrosheet", "Excel 4 macro sheet"},
	{"dialogsheet", "Excel 4 macro sheet"},
	{"aFChunk", "alternative-format chunk"},
	{"connections", "external data connection or query"},
	{"queryTable", "external data connection or query"},
	{"volatileDependencies", "external data connection or query"},
	{"font", "embedded font"},
	{"printerSettings", "printer settings (binary)"},
	{"customXml", "custom XML data"},
	{"audio", "media file"},
	{"video", "media file"},
	{"media", "media file"},
};

static const char *const rel_prefixes[] = {
	"http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
	"http://purl.oclc.org/ooxml/officeDocument/relationships/",
	"http://schemas.openxmlformats.org/package/2006/relationships/",
};

const char *mg_ox_rel_short(const char *type)
{
	static const char ms[] = "http://schemas.microsoft.com/office/";
	for (gsize i = 0; type && i < G_N_ELEMENTS(rel_prefixes); i++)
		if (g_str_has_prefix(type, rel_prefixes[i]))
			return type + strlen(rel_prefixes[i]);
	/* http://schemas.microsoft.com/office/2011/relationships/chartStyle */
	if (type && g_str_has_prefix(type, ms) && strlen(type) > sizeof ms + 4 &&
	    g_ascii_isdigit(type[sizeof ms - 1]) && g_str_has_prefix(type + sizeof ms + 3, "/relationships/"))
		return type + sizeof ms + 3 + strlen("/relationships/");
	return NULL;
}

const char *mg_ox_drop_category(const char *rel_short)
{
	for (gsize i = 0; rel_short && i < G_N_ELEMENTS(active_rels); i++)
		if (g_ascii_strcasecmp(rel_short, active_rels[i].rel) == 0)
			return active_rels[i].cat;
	return OX_CAT_UNKNOWN;
}

static gboolean root_is(xmlNodePtr root, const char *ns, const char *name)
{
	if (!g_str_equal((const char *)root->name, name))
		return FALSE;
	if (!ns)
		return TRUE;
	if (!*ns)
		return root->ns == NULL || root->ns->href == NULL || !*root->ns->href;
	return root->ns && root->ns->href && strstr((const char *)root->ns->href, ns);
}

const struct ox_kind *mg_ox_kind(struct ox_ctx *c, const char *rel_short, struct mg_zpart *p, const char **cat)
{
	gboolean rel_known = FALSE;
	*cat = mg_ox_drop_category(rel_short);
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (g_ascii_strcasecmp(kinds[i].rel, rel_short) != 0)
			continue;
		rel_known = TRUE;
		if (!kinds[i].root) {
			const char *ct = mg_zpkg_picture(&c->z, p, TRUE);
			if (ct)
				g_hash_table_insert(c->img_ct, p, (gpointer)ct);
			*cat = OX_CAT_PICTURE;
			return ct ? &kinds[i] : NULL;
		}
		if (!mg_zpkg_parse_quiet(&c->z, p))
			break;
		if (root_is(xmlDocGetRootElement(p->doc), kinds[i].ns, kinds[i].root))
			return &kinds[i];
	}
	if (rel_known)
		*cat = OX_CAT_UNKNOWN;
	return NULL;
}

/* Main part content types by family: the plain type first, then the
 * variants a claim may select (macro-enabled ones become plain). */
static const struct {
	enum ox_family family;
	const char *ns, *root;
	const char *claim, *ctype;
} mains[] = {
	{OX_WORD, "wordprocessingml", "document", "", WML "document.main+xml"},
	{OX_WORD, "wordprocessingml", "document", "template", WML "template.main+xml"},
	{OX_EXCEL, "spreadsheetml", "workbook", "", SML "sheet.main+xml"},
	{OX_EXCEL, "spreadsheetml", "workbook", "template", SML "template.main+xml"},
	{OX_POWERPOINT, "presentationml", "presentation", "", PML "presentation.main+xml"},
	{OX_POWERPOINT, "presentationml", "presentation", "slideshow", PML "slideshow.main+xml"},
	{OX_POWERPOINT, "presentationml", "presentation", "template", PML "template.main+xml"},
};

gboolean mg_ox_main(struct ox_ctx *c, struct mg_zpart *p, const char *claimed)
{
	if (!mg_zpkg_parse_quiet(&c->z, p))
		return FALSE;
	xmlNodePtr root = xmlDocGetRootElement(p->doc);
	char *low = g_ascii_strdown(claimed ? claimed : "", -1);
	for (gsize i = 0; i < G_N_ELEMENTS(mains); i++) {
		if (!root_is(root, mains[i].ns, mains[i].root))
			continue;
		if (!c->family || (*mains[i].claim && strstr(low, mains[i].claim))) {
			c->family = mains[i].family;
			g_free(c->main_ctype);
			c->main_ctype = g_strdup(mains[i].ctype);
		}
	}
	g_free(low);
	return c->family != 0;
}
