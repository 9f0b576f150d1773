/*
 * cdr4b_util - shared helpers of the PDF and image rebuilder tests: a
 * message context with default configuration, running a rebuilder, and
 * running an independent command-line tool (qpdf, file) on bytes.
 */
#ifndef CDR4B_UTIL_H
#define CDR4B_UTIL_H

#include <glib.h>

#include "mg_cdr.h"
#include "mg_txn.h"

struct cdr4b_ctx {
	struct mg_txn t;
	char *dir; /* private temporary directory */
};

void cdr4b_setup(struct cdr4b_ctx *c);
void cdr4b_teardown(struct cdr4b_ctx *c);
/* Run fn on data with a 30 s deadline; out must be initialised. */
enum mg_cdr_status cdr4b_run(struct cdr4b_ctx *c, mg_cdr_fn fn, const void *data, gsize len, struct mg_cdr_out *out);
/* Write data to dir/name; returns the path (caller frees). */
char *cdr4b_write(struct cdr4b_ctx *c, const char *name, const void *data, gsize len);
/* Run argv; returns the exit status (-1 if it could not run); stdout in
 * *out when out is not NULL (caller frees). */
int cdr4b_spawn(char **argv, char **out);
/* Does out->removed hold exactly this string? */
gboolean cdr4b_removed_has(const struct mg_cdr_out *out, const char *what);
/* Byte search. */
gboolean cdr4b_contains(const void *hay, gsize len, const char *needle);

#endif
