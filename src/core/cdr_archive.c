/*
 * cdr_archive.c - placeholder: until its rebuilder lands, files of this family are
 * removed (never passed through unchanged).
 */
#include "config.h"

#include "mg_cdr.h"

enum mg_cdr_status mg_cdr_archive(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->reason = g_strdup("no rebuilder for this type yet");
	return MG_CDR_REMOVE;
}
