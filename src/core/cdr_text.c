/*
 * cdr_text.c - placeholder: until its rebuilder lands, files of this family are
 * removed (never passed through unchanged).
 */
#include "config.h"

#include "mg_cdr.h"

enum mg_cdr_status mg_cdr_rtf(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->reason = g_strdup("no rebuilder for this type yet");
	return MG_CDR_REMOVE;
}

enum mg_cdr_status mg_cdr_csv(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->reason = g_strdup("no rebuilder for this type yet");
	return MG_CDR_REMOVE;
}

enum mg_cdr_status mg_cdr_html(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->reason = g_strdup("no rebuilder for this type yet");
	return MG_CDR_REMOVE;
}
