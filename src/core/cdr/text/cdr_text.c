/*
 * cdr_text.c - an HTML attachment converted to text (mg_cdr_html): it
 * becomes text/plain through mg_html2text (bounded before libxml2 parses
 * it, html_max_attributes and html_max_depth); when the converter fails,
 * the file is unscannable.  RTF is in cdr_rtf.c, CSV in cdr_csv.c.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_html2text.h"

/* ---- HTML ---- */

static char *txt_name(const char *name)
{
	if (!name)
		return NULL;
	const char *dot = strrchr(name, '.');
	return g_strdup_printf("%.*s.txt", (int)(dot && dot != name ? dot - name : (long)strlen(name)), name);
}

enum mg_cdr_status mg_cdr_html(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	GError *err = NULL;
	struct mg_html2text_opts o = {.defang_links = TRUE,
				      .max_output = (gsize)in->ctx->cfg->attachment_max_output,
				      .deadline_us = in->deadline_us,
				      .max_depth = (int)in->ctx->cfg->html_max_depth,
				      .max_attributes = (int)in->ctx->cfg->html_max_attributes};
	char *text = mg_html2text((const char *)in->data, in->len, NULL, &o, &err);
	if (!text) {
		/* the parser or iconv failed, not the file: fail closed (issue 11) */
		gboolean lib = err && g_error_matches(err, MG_HTML2TEXT_ERROR, MG_HTML2TEXT_ERROR_PARSER);
		out->reason = g_strdup_printf("HTML could not be converted to text (%s)", err ? err->message : "?");
		g_clear_error(&err);
		return lib ? MG_CDR_ERROR : MG_CDR_UNSCANNABLE;
	}
	gsize n = strlen(text);
	out->data = g_byte_array_new_take((guint8 *)text, n);
	out->new_type = g_strdup("text/plain");
	out->new_filename = txt_name(in->filename);
	g_ptr_array_add(out->removed, g_strdup("HTML markup, scripts and active links (converted to text)"));
	out->reason = g_strdup("HTML converted to plain text");
	return MG_CDR_CONVERTED;
}
