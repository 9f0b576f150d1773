/*
 * body.c - see mg_body.h.  Foundation version: text is kept as it is.
 */
#include "config.h"

#include "mg_body.h"

GMimeObject *mg_body_text(struct mg_leaf *leaf)
{
	leaf->rep->action = MG_ACTION_KEPT;
	leaf->rep->reason = g_strdup("body text");
	return mg_leaf_new_part(leaf, leaf->mime_type, leaf->filename, leaf->data->data, leaf->data->len);
}

gboolean mg_notice_step(struct mg_txn *t) { return TRUE; }
