/*
 * cdr.c - see mg_cdr.h.  Foundation version: every attachment is copied
 * into the new tree unchanged (issue 4 replaces this with the policy table
 * and the rebuilders).
 */
#include "config.h"

#include "mg_cdr.h"

void mg_cdr_out_init(struct mg_cdr_out *out)
{
	*out = (struct mg_cdr_out){ 0 };
	out->removed = g_ptr_array_new_with_free_func(g_free);
}

void mg_cdr_out_clear(struct mg_cdr_out *out)
{
	if (out->data)
		g_byte_array_unref(out->data);
	g_free(out->new_type);
	g_free(out->new_filename);
	g_free(out->reason);
	g_free(out->virus);
	if (out->removed)
		g_ptr_array_unref(out->removed);
	*out = (struct mg_cdr_out){ 0 };
}

enum mg_cdr_status mg_cdr_file(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->data = g_byte_array_new();
	g_byte_array_append(out->data, in->data, (guint)in->len);
	return MG_CDR_REBUILT;
}

GMimeObject *mg_cdr_attachment(struct mg_leaf *leaf)
{
	leaf->rep->action = MG_ACTION_KEPT;
	leaf->rep->reason = g_strdup("attachment copied (no CDR policy yet)");
	return mg_leaf_new_part(leaf, leaf->mime_type, leaf->filename, leaf->data->data, leaf->data->len);
}
