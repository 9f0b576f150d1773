/*
 * cdr_ooxml.h - private to the OOXML rebuilder (cdr_ooxml.c: the walk and
 * the new package; cdr_ooxml_parts.c: which parts are passive;
 * cdr_ooxml_xml.c: what is taken out of the XML of a kept part).
 */
#ifndef MG_CDR_OOXML_H
#define MG_CDR_OOXML_H

#include <glib.h>
#include <libxml/tree.h>

#include "cdr_zip.h"

enum ox_family { OX_WORD = 1, OX_EXCEL, OX_POWERPOINT };

/* What the report calls a removed object. */
#define OX_CAT_VBA      "VBA macro part"
#define OX_CAT_ACTIVEX  "ActiveX control part"
#define OX_CAT_EMBED    "embedded OLE object or package"
#define OX_CAT_EXTERNAL "external relationship"
#define OX_CAT_FIELD    "DDE, include or other active field"
#define OX_CAT_UNKNOWN  "part of an unknown or active kind"
#define OX_CAT_ACTION   "click action that runs a program or macro"
#define OX_CAT_SETTING  "setting that runs or fetches something"
#define OX_CAT_PICTURE  "picture that cannot be rebuilt"

/* One kind of passive part: reached by a relationship of type `rel` (the
 * last part of its URI), holding XML whose root element is `root` in a
 * namespace that contains `ns`, or an image (root NULL). */
struct ox_kind {
	const char *rel;
	const char *ns;
	const char *root;
	const char *ctype;
};

struct ox_ctx {
	struct mg_zpkg z;
	enum ox_family family;
	int links_kept;
	GHashTable *kind_of; /* struct mg_zpart* -> const struct ox_kind* (the kept parts) */
	GHashTable *rels_of; /* struct mg_zpart* (NULL: the package) -> GString* of its new .rels */
	GHashTable *img_ct;  /* struct mg_zpart* -> static image content type */
	GHashTable *noted;   /* struct mg_zpart*: already named in the report */
	char *main_ctype;    /* the main part's new content type */
};

/* cdr_ooxml_parts.c */
/* The relationship type's short name ("styles", "metadata/core-properties")
 * when its URI is in a namespace OOXML defines, else NULL. */
const char *mg_ox_rel_short(const char *type);
/* The passive kind for a relationship and a part's content, or NULL (then
 * *cat says what the report calls the part). */
const struct ox_kind *mg_ox_kind(struct ox_ctx *c, const char *rel_short, struct mg_zpart *p, const char **cat);
/* The main part: its family and new content type from its root element
 * and the claimed type ([Content_Types].xml: only its variant is used). */
gboolean mg_ox_main(struct ox_ctx *c, struct mg_zpart *p, const char *claimed);
/* What the report calls a part reached by a relationship that is not kept. */
const char *mg_ox_drop_category(const char *rel_short);

/* cdr_ooxml_xml.c */
/* Take active content out of a kept XML part: elements that use removed
 * relationship ids, fields that are not on the allowlist, click actions,
 * settings and defined names that run or fetch something. */
void mg_ox_clean_xml(struct ox_ctx *c, struct mg_zpart *p, GHashTable *dead_ids);

#endif
