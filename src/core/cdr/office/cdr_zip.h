/*
 * cdr_zip.h - private to the CDR rebuilders: a ZIP package (OOXML, ODF)
 * read into memory within limits, its XML parts parsed on demand, written
 * back as a fresh ZIP, and a tally of what was removed for the report.
 *
 * Call order: mg_zpkg_init -> mg_zpkg_read -> (rebuilder marks parts
 * `drop`, edits `doc`, calls mg_zpkg_note) -> mg_zpkg_write ->
 * mg_zpkg_report -> mg_zpkg_clear.  A step that returns FALSE has set
 * out->reason and z->fail (the status the rebuilder returns).
 * Limits: office_max_entries, office_max_expanded, office_max_ratio, the
 * file's deadline; encrypted entries, duplicate or unsafe names, a DTD in
 * an XML part and unreadable data make the file unscannable.
 */
#ifndef MG_CDR_ZIP_H
#define MG_CDR_ZIP_H

#include <glib.h>
#include <libxml/tree.h>

#include "mg_cdr.h"

struct mg_zpart {
	char *name;  /* as in the ZIP */
	char *lname; /* lower case, for lookups */
	GBytes *data;
	xmlDocPtr doc;        /* parsed XML (mg_zpkg_parse), written back when set */
	gboolean drop;        /* not written */
	gboolean store;       /* written without compression (ODF "mimetype") */
	GHashTable *dead_ids; /* OOXML: relationship ids removed from this part's .rels */
};

struct mg_zpkg {
	const struct mg_cdr_in *in;
	struct mg_cdr_out *out;
	GPtrArray *parts;     /* struct mg_zpart*, ZIP order */
	GHashTable *by_lname; /* lname -> part */
	GPtrArray *cats;      /* char*: categories in first-seen order */
	GArray *counts;       /* int per category */
	GPtrArray *firsts;    /* char*: first detail per category */
	enum mg_cdr_status fail;
};

void mg_zpkg_init(struct mg_zpkg *z, const struct mg_cdr_in *in, struct mg_cdr_out *out);
void mg_zpkg_clear(struct mg_zpkg *z);
gboolean mg_zpkg_read(struct mg_zpkg *z);
gboolean mg_zpkg_parse(struct mg_zpkg *z, struct mg_zpart *p);
/* The same for a part that may simply be left out: FALSE (and no failure)
 * when it is not well-formed XML or has a DTD. */
gboolean mg_zpkg_parse_quiet(struct mg_zpkg *z, struct mg_zpart *p);
/* A new part (name and data taken) for the caller to put in z->parts;
 * it is not in by_lname (an old part of the same name can stay, dropped). */
struct mg_zpart *mg_zpkg_new_part(struct mg_zpkg *z, char *name, GBytes *data);
gboolean mg_zpkg_write(struct mg_zpkg *z);
gboolean mg_zpkg_fail(struct mg_zpkg *z, enum mg_cdr_status st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
gboolean mg_zpkg_over_time(struct mg_zpkg *z);
struct mg_zpart *mg_zpkg_part(struct mg_zpkg *z, const char *lname);
/* Count one removed object of `category`; `detail` (first one) goes to the report. */
void mg_zpkg_note(struct mg_zpkg *z, const char *category, const char *detail);
/* removed[] lines "CATEGORY removed: N (first detail)"; returns the total. */
int mg_zpkg_report(struct mg_zpkg *z);
/* mg_zpkg_report, then out->reason "WHAT rebuilt: N active objects removed"
 * with the kept web links said in the reason only (the removed list is what
 * the notice shows under "removed items"). */
void mg_zpkg_report_rebuilt(struct mg_zpkg *z, const char *what, int links_kept);
/* A picture part typed by its magic bytes (PNG, JPEG, GIF, BMP; TIFF when
 * `tiff`) and rebuilt by the image rebuilder, p->data replaced: the type
 * it was rebuilt as, or NULL when it is none of those or did not rebuild. */
const char *mg_zpkg_picture(struct mg_zpkg *z, struct mg_zpart *p, gboolean tiff);

/* libxml2 helpers: free a node; replace a node by its children. */
void mg_xml_drop(xmlNodePtr n);
void mg_xml_unwrap(xmlNodePtr n);

/* The OpenDocument rebuilder (cdr_odf.c), dispatched by cdr.c. */
enum mg_cdr_status mg_cdr_odf(const struct mg_cdr_in *in, struct mg_cdr_out *out);

#endif
