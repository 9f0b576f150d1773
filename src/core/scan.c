/*
 * scan.c - see mg_scan.h.  Foundation version: no engine; everything is
 * reported clean.  Issue 5 replaces this with libclamav.
 */
#include "config.h"

#include "mg_scan.h"

gboolean mg_scan_global_init(const struct mg_config *cfg, GError **err) { return TRUE; }
gboolean mg_scan_reload(const struct mg_config *cfg, GError **err) { return TRUE; }
void mg_scan_global_shutdown(void) {}
gboolean mg_scan_message_step(struct mg_txn *t) { return TRUE; }
gboolean mg_scan_leaf(struct mg_leaf *leaf) { return TRUE; }

enum mg_scan_result mg_scan_buffer(struct mg_txn *t, const void *data, gsize len, const char *name,
				   char **virus, char **why)
{
	return MG_SCAN_CLEAN;
}
