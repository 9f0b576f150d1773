/*
 * cdr_ooxml_xml.c - active content taken out of the XML of a kept OOXML
 * part (mg_ox_clean_xml, cdr_ooxml.h).  Every kept XML part goes through
 * every step, whatever its name or kind, because the package decides
 * where things are (a field in a header, a footnote or a main part moved
 * out of word/ is still a field):
 *   - elements that use a relationship id that was not kept go (a removed
 *     hyperlink keeps its text; a PowerPoint OLE frame goes whole);
 *   - fields: w:fldSimple and complex fields (fldChar begin / instrText /
 *     separate / end, nested) whose code is not on the allowlist
 *     (mg_cdr_field.h), or holds a nested field (QUOTE building DDEAUTO),
 *     lose their code and keep their result; text runs inside a field code
 *     count as code;
 *   - click and hover actions other than jumps inside the presentation
 *     (ppaction://macro, ppaction://program, ppaction://ole ...);
 *   - settings that fetch or update on open (w:updateFields, w:mailMerge),
 *     Excel names that run on open (Auto_Open, Auto_Close ...) and VBA
 *     macro bindings of form controls (x:FmlaMacro).
 */
#include "config.h"

#include <string.h>
#include <libxml/xpath.h>

#include "cdr_ooxml.h"
#include "mg_cdr_field.h"

#define NS_REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_S "http://purl.oclc.org/ooxml/officeDocument/relationships"

static gboolean node_uses_dead_id(xmlNodePtr n, GHashTable *dead)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		gboolean relns = a->ns && (g_str_equal((char *)a->ns->href, NS_REL_T) ||
					   g_str_equal((char *)a->ns->href, NS_REL_S));
		if (!relns && g_ascii_strcasecmp((char *)a->name, "relid") != 0)
			continue;
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		gboolean hit = v && *v && g_hash_table_contains(dead, v);
		xmlFree(v);
		if (hit)
			return TRUE;
	}
	return FALSE;
}

static gboolean has_dead_ole(xmlNodePtr n, GHashTable *dead)
{
	for (xmlNodePtr k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE &&
		    ((g_str_equal((const char *)k->name, "oleObj") && node_uses_dead_id(k, dead)) ||
		     has_dead_ole(k, dead)))
			return TRUE;
	return FALSE;
}

static void prune_refs(xmlNodePtr n, GHashTable *dead)
{
	xmlNodePtr next;
	for (xmlNodePtr k = n->children; k; k = next) {
		next = k->next;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (g_str_equal((const char *)k->name, "graphicFrame") && has_dead_ole(k, dead))
			mg_xml_drop(k);
		else if (node_uses_dead_id(k, dead) && g_str_equal((const char *)k->name, "hyperlink"))
			mg_xml_unwrap(k); /* the link goes, its text stays */
		else if (node_uses_dead_id(k, dead))
			mg_xml_drop(k);
		else
			prune_refs(k, dead);
	}
}

/* Containers that must not stay empty once their children went. */
static void prune_empty(xmlNodePtr n)
{
	static const char *const empty_containers[] = {"externalReferences", "oleObjects", "controls", "object"};
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

static xmlChar *attr_local(xmlNodePtr n, const char *name)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		if (g_str_equal((const char *)a->name, name))
			return xmlNodeListGetString(n->doc, a->children, 1);
	return NULL;
}

static void note_field(struct ox_ctx *c, const char *code, gsize len)
{
	char *name = mg_cdr_field_name(code, len);
	mg_zpkg_note(&c->z, OX_CAT_FIELD, name);
	g_free(name);
}

/* ---- fields ---- */

struct ox_field {
	GPtrArray *nodes; /* fldChar and instrText elements of this field */
	GString *code;
	gboolean in_code, nested;
};

static void field_end(struct ox_ctx *c, struct ox_field *f)
{
	if (f->nested || !mg_cdr_field_is_passive(f->code->str, f->code->len)) {
		note_field(c, f->nested ? "(code built by a nested field)" : f->code->str,
			   f->nested ? 30 : f->code->len);
		for (guint i = 0; i < f->nodes->len; i++)
			mg_xml_drop(f->nodes->pdata[i]);
	}
	g_ptr_array_free(f->nodes, TRUE);
	g_string_free(f->code, TRUE);
	g_free(f);
}

static void field_node(struct ox_ctx *c, GPtrArray *stack, xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	struct ox_field *top = stack->len ? stack->pdata[stack->len - 1] : NULL;
	xmlChar *kind = g_str_equal(name, "fldChar") ? attr_local(n, "fldCharType") : NULL;
	if (kind && g_ascii_strcasecmp((char *)kind, "begin") == 0) {
		if (top && top->in_code)
			top->nested = TRUE;
		top = g_new0(struct ox_field, 1);
		top->nodes = g_ptr_array_new();
		top->code = g_string_new(NULL);
		top->in_code = TRUE;
		g_ptr_array_add(stack, top);
		g_ptr_array_add(top->nodes, n);
	} else if (kind && top) {
		g_ptr_array_add(top->nodes, n);
		top->in_code = FALSE;
		if (g_ascii_strcasecmp((char *)kind, "end") == 0)
			field_end(c, g_ptr_array_steal_index(stack, stack->len - 1));
	} else if (!kind && top && top->in_code && !g_str_equal(name, "fldChar")) {
		xmlChar *t = xmlNodeGetContent(n);
		if (top->code->len < 4096)
			g_string_append(top->code, t ? (char *)t : "");
		xmlFree(t);
		if (!g_str_equal(name, "t"))
			g_ptr_array_add(top->nodes, n);
	}
	xmlFree(kind);
}

static void ox_fields(struct ox_ctx *c, xmlXPathContextPtr xp)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
		BAD_CAST "//*[local-name()='fldChar' or local-name()='instrText' or local-name()='delInstrText' or "
			 "local-name()='t']",
		xp);
	GPtrArray *stack = g_ptr_array_new();
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++)
		field_node(c, stack, r->nodesetval->nodeTab[i]);
	while (stack->len)
		field_end(c, g_ptr_array_steal_index(stack, stack->len - 1));
	g_ptr_array_free(stack, TRUE);
	xmlXPathFreeObject(r);
	r = xmlXPathEvalExpression(BAD_CAST "//*[local-name()='fldSimple']", xp);
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr f = r->nodesetval->nodeTab[i];
		xmlChar *instr = attr_local(f, "instr");
		gsize len = instr ? strlen((char *)instr) : 0;
		if (!mg_cdr_field_is_passive(instr ? (char *)instr : "", len)) {
			note_field(c, instr ? (char *)instr : "", len);
			r->nodesetval->nodeTab[i] = NULL;
			mg_xml_unwrap(f);
		}
		xmlFree(instr);
	}
	xmlXPathFreeObject(r);
}

/* ---- actions, settings, names ---- */

static gboolean action_ok(const char *a)
{
	static const char *const ok[] = {"ppaction://hlinkshowjump", "ppaction://hlinksldjump", "ppaction://customshow",
					 "ppaction://noaction"};
	if (!a || !*a)
		return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(ok); i++)
		if (g_ascii_strncasecmp(a, ok[i], strlen(ok[i])) == 0)
			return TRUE;
	return FALSE;
}

/* Elements removed wherever they are, with what the report calls them. */
static const struct {
	const char *name;
	const char *cat;
} drop_elems[] = {
	{"updateFields", OX_CAT_SETTING},
	{"mailMerge", OX_CAT_SETTING},
	{"FmlaMacro", OX_CAT_VBA},
};

static gboolean auto_name(xmlNodePtr n)
{
	if (!g_str_equal((const char *)n->name, "definedName"))
		return FALSE;
	xmlChar *v = attr_local(n, "name");
	char *low = v ? g_ascii_strdown((char *)v, -1) : NULL;
	const char *s = low ? low + (g_str_has_prefix(low, "_xlnm.") ? 6 : 0) : "";
	gboolean hit = g_str_has_prefix(s, "auto_open") || g_str_has_prefix(s, "auto_close") ||
		       g_str_has_prefix(s, "auto_activate") || g_str_has_prefix(s, "auto_deactivate");
	g_free(low);
	xmlFree(v);
	return hit;
}

static void ox_prune_active(struct ox_ctx *c, xmlNodePtr n)
{
	xmlNodePtr next;
	for (xmlNodePtr k = n->children; k; k = next) {
		next = k->next;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)k->name;
		const char *cat = NULL;
		for (gsize i = 0; i < G_N_ELEMENTS(drop_elems) && !cat; i++)
			if (g_str_equal(name, drop_elems[i].name))
				cat = drop_elems[i].cat;
		xmlChar *action = g_str_has_prefix(name, "hlink") ? attr_local(k, "action") : NULL;
		if (!cat && action && !action_ok((char *)action))
			cat = OX_CAT_ACTION;
		if (!cat && auto_name(k))
			cat = "Excel 4 macro sheet";
		if (cat) {
			mg_zpkg_note(&c->z, cat, action ? (char *)action : name);
			mg_xml_drop(k);
		} else {
			ox_prune_active(c, k);
		}
		xmlFree(action);
	}
}

void mg_ox_clean_xml(struct ox_ctx *c, struct mg_zpart *p, GHashTable *dead_ids)
{
	if (dead_ids && g_hash_table_size(dead_ids)) {
		prune_refs((xmlNodePtr)p->doc, dead_ids);
		prune_empty((xmlNodePtr)p->doc);
	}
	xmlXPathContextPtr xp = xmlXPathNewContext(p->doc);
	ox_fields(c, xp);
	xmlXPathFreeContext(xp);
	ox_prune_active(c, (xmlNodePtr)p->doc);
}
