/* testutil - run messages through the pipeline in unit tests. */
#ifndef MG_TESTUTIL_H
#define MG_TESTUTIL_H

#include <glib.h>

#include "mg_config.h"
#include "mg_pipeline.h"

/* Load the scan engine once from a generated test database (tu_run does). */
void tu_scan_init(void);
/* A config from text (asserts it parses); store paths go to a temporary
 * directory unless the text sets them. */
struct mg_config *tu_config(const char *text);
/* issue 17: make (once) and install the audit key of this test program. */
void tu_audit_keys(void);
/* As tu_config, without the internal_domain it adds (issue 16 tests). */
struct mg_config *tu_config_unzoned(const char *text);
/* Feed a whole message (header block + body, LF or CRLF) through all stages
 * in chunks of `chunk` bytes (0 = one chunk).  Returns the transaction
 * (caller frees it and the connection in *conn). */
struct mg_txn *tu_run(struct mg_config *cfg, const char *msg, gsize len, gsize chunk, struct mg_conn **conn);
/* The rebuilt body as a string (caller frees). */
char *tu_body(struct mg_txn *t);
/* Value of the first ADD op with this name, or NULL. */
const char *tu_added(struct mg_txn *t, const char *name);

#endif
