/*
 * rawmsg - the CLI's stand-in for the MTA: split a message file into
 * header fields the way Postfix hands them to a milter (name; value without
 * the leading space; folded lines kept with LF), stream the body, and apply
 * the pipeline's header operations to the raw fields as the MTA would, so
 * that `mugaika sanitize` prints exactly what the milter makes Postfix
 * deliver.
 */
#ifndef MG_RAWMSG_H
#define MG_RAWMSG_H

#include <glib.h>
#include <stdio.h>

struct mg_rawfield {
	char *raw; /* the field as read, LF line ends, final LF included */
	char *name;
	char *value;
	gboolean deleted;
};

/* Read the header section from `in` (at most max_bytes).  Returns the
 * fields; *body_start gets any bytes read past the header block that belong
 * to the body. */
GPtrArray *mg_rawmsg_read_headers(FILE *in, gsize max_bytes, GString *body_start, GError **err);
void mg_rawmsg_apply_ops(GPtrArray *fields, const GPtrArray *ops);
void mg_rawmsg_write_headers(FILE *out, const GPtrArray *fields, const GPtrArray *ops);

#endif
