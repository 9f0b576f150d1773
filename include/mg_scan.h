/*
 * mg_scan - in-process virus scanning with libclamav (issue 5).
 *
 * The engine is loaded once per process (mg_scan_global_init), shared by
 * all threads, and replaced as a whole on reload; a transaction scans with
 * the engine that was current when it started.
 */
#ifndef MG_SCAN_H
#define MG_SCAN_H

#include <glib.h>

#include "mg_config.h"
#include "mg_mime.h"

enum mg_scan_result { MG_SCAN_CLEAN = 0, MG_SCAN_INFECTED, MG_SCAN_UNSCANNABLE, MG_SCAN_ERROR };

gboolean mg_scan_global_init(const struct mg_config *cfg, GError **err);
gboolean mg_scan_reload(const struct mg_config *cfg, GError **err);
void mg_scan_global_shutdown(void);

/* End-of-message step: the raw message, once. */
gboolean mg_scan_message_step(struct mg_txn *t);
/* A decoded leaf before anything else looks at it.  FALSE when the leaf
 * was removed (report filled) or the message was decided. */
gboolean mg_scan_leaf(struct mg_leaf *leaf);
/* Any buffer: an archive member, a rebuilt file.  *virus / *why get the
 * signature name / the reason (caller frees). */
enum mg_scan_result mg_scan_buffer(struct mg_txn *t, const void *data, gsize len, const char *name,
				   char **virus, char **why);

#endif
