/*
 * mg_rebuild - one bare file through the attachment policy and its
 * rebuilder, outside any message: what `mugaika rebuild` uses to
 * sanitize a file offline (the same code mugaika-milter runs for an
 * attachment).  The caller owns the result and frees it with
 * mg_rebuild_clear().  The scanner must have been initialised
 * (mg_scan_global_init) as for `mugaika sanitize`.
 */
#ifndef MG_REBUILD_H
#define MG_REBUILD_H

#include <glib.h>

#include "mg_config.h"

struct mg_rebuild {
	char *true_type;    /* from the content */
	const char *result; /* rebuilt, converted, kept, removed, unscannable, infected, error */
	char *reason;
	char *new_type, *new_filename; /* NULL when unchanged */
	GPtrArray *removed;            /* char*: objects taken out */
	GByteArray *data;              /* the file to deliver; NULL unless rebuilt/converted/kept */
	char *verdict;                 /* "550 5.7.1 ..." when a rule would refuse the whole message */
	gboolean quarantine;           /* a rule asks that the original be kept */
};

/* `direction`: inbound, outbound, internal or transit (NULL: inbound).
 * FALSE with *err only for a bad argument or an internal failure. */
gboolean mg_rebuild_file(struct mg_config *cfg, const char *direction, const guint8 *data, gsize len,
			 const char *filename, struct mg_rebuild *r, GError **err);
void mg_rebuild_clear(struct mg_rebuild *r);

#endif
