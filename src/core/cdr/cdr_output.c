/*
 * cdr_output.c - the type, charset and name a file is delivered under
 * (issue 12, Deliver 1: output is built, never copied).  See mg_cdr.h.
 *
 * After a rule kept, rebuilt or converted a file, mg_cdr_output() decides
 * what it goes out as, from what mugaika found and built and never from
 * what the sender declared:
 *  - the type is a row of the output table below (what mugaika builds or
 *    proves passive); kept text is text/plain whatever it was declared as;
 *    a rebuilt type without a row is not delivered; a file kept by a
 *    `keep` rule for a type without a row goes out under that true type
 *    only when its extension names that very type;
 *  - text is UTF-8: kept text is decoded from its declared (doubted) or
 *    detected charset, a rebuilder's text is checked and decoded if needed;
 *  - the name keeps the sender's stem, cleaned (no path, no control or
 *    bidirectional formatting characters, none of  : * ? " < > |, no
 *    trailing dots or spaces, at most NAME_MAX_BYTES), and an extension
 *    the output type allows: a rebuilt or converted file whose extension
 *    names another type of the same family gets the right one (.docm ->
 *    .docx, .jpg -> .png), any other gets the type's extension appended
 *    (page.html -> page.html.txt, winmail.dat -> winmail.dat.zip).  Kept
 *    text named with one of text_attachment_extensions (or without an
 *    extension) gets .txt appended unless it ends in .txt; with any other
 *    extension (x.hta, x.iqy, x.desktop) it is removed, or delivered as
 *    x.hta.txt when text_attachment_other = rename.
 * An approved exception (issue 16) keeps the bytes as they came, under the
 * type found in them (a row's spelling when there is one) and the sender's
 * name cleaned.  MIME parts (inline ones with a name too), archive members
 * and `mugaika rebuild` all pass mg_cdr_file(), so the rules hold at every
 * level.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_charset.h"
#include "mg_filetype.h"
#include "mg_inline.h"

#define OOXML          "application/vnd.openxmlformats-officedocument."
#define ODF            "application/vnd.oasis.opendocument."
#define NAME_MAX_BYTES 200 /* of a delivered name; a longer stem is cut */

struct out_row {
	const char *type;
	const char *exts; /* allowed extensions, space separated; the first is the one added */
};

static const struct out_row outputs[] = {
	{"text/plain", "txt"},
	{"text/csv", "csv"},
	{"application/rtf", "rtf"}, /* not text/: RTF names its own code page, no charset is declared
				     * and its bytes are never transcoded */
	{"application/pdf", "pdf"},
	{"image/png", "png"},
	{"image/jpeg", "jpg jpeg jpe"},
	{"image/gif", "gif"},
	{"image/bmp", "bmp"},
	{"image/tiff", "tif tiff"},
	{"image/webp", "webp"},
	{"application/zip", "zip"},
	{OOXML "wordprocessingml.document", "docx"},
	{OOXML "wordprocessingml.template", "dotx"},
	{OOXML "spreadsheetml.sheet", "xlsx"},
	{OOXML "spreadsheetml.template", "xltx"},
	{OOXML "presentationml.presentation", "pptx"},
	{OOXML "presentationml.slideshow", "ppsx"},
	{OOXML "presentationml.template", "potx"},
	{ODF "text", "odt"},
	{ODF "spreadsheet", "ods"},
	{ODF "presentation", "odp"},
	{ODF "graphics", "odg"},
	{"application/msword", "doc"},
	{"application/vnd.ms-excel", "xls"},
	{"application/vnd.ms-powerpoint", "ppt"},
};

/* Other spellings of a row's type (libmagic's, mostly). */
static const char *const aliases[][2] = {
	{"image/x-ms-bmp", "image/bmp"},
	{"text/rtf", "application/rtf"},
	{"application/x-zip-compressed", "application/zip"},
};

static const struct out_row *row_of(const char *type)
{
	for (gsize i = 0; type && i < G_N_ELEMENTS(aliases); i++)
		if (g_ascii_strcasecmp(type, aliases[i][0]) == 0)
			type = aliases[i][1];
	for (gsize i = 0; type && i < G_N_ELEMENTS(outputs); i++)
		if (g_ascii_strcasecmp(type, outputs[i].type) == 0)
			return &outputs[i];
	return NULL;
}

const char *mg_cdr_output_type(const char *type)
{
	const struct out_row *row = row_of(type);
	return row ? row->type : NULL;
}

/* Is `w` one of the space-separated words of `list` (case-insensitive)? */
static gboolean word_in(const char *list, const char *w)
{
	gboolean found = FALSE;
	char **v = g_strsplit(list ? list : "", " ", -1);
	for (int i = 0; v[i] && !found; i++)
		found = *v[i] && g_ascii_strcasecmp(v[i][0] == '.' ? v[i] + 1 : v[i], w) == 0;
	g_strfreev(v);
	return found;
}

static gboolean name_char_ok(gunichar c)
{
	GUnicodeType t = g_unichar_type(c);
	return t != G_UNICODE_CONTROL && t != G_UNICODE_FORMAT && t != G_UNICODE_UNASSIGNED &&
	       t != G_UNICODE_SURROGATE && t != G_UNICODE_LINE_SEPARATOR && t != G_UNICODE_PARAGRAPH_SEPARATOR &&
	       !strchr(":*?\"<>|", (int)(c < 0x80 ? c : 'a'));
}

/* The last component of a path, cleaned as the contract says. */
static char *clean_base(const char *name)
{
	const char *b = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	GString *g = g_string_sized_new(strlen(b));
	for (const char *p = b; *p;) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_c(g, '_');
			p++;
			continue;
		}
		if (name_char_ok(c))
			g_string_append_unichar(g, c);
		else
			g_string_append_c(g, '_');
		p = g_utf8_next_char(p);
	}
	while (g->len && (g->str[g->len - 1] == '.' || g->str[g->len - 1] == ' '))
		g_string_truncate(g, g->len - 1);
	return g_string_free(g, FALSE);
}

/* "report.final.docm" -> "docm"; NULL without one (".hta" has none: its
 * stem would be empty). */
static const char *ext_of(const char *base)
{
	const char *dot = strrchr(base, '.');
	return dot && dot != base && dot[1] ? dot + 1 : NULL;
}

/* stem + "." + ext, the stem cut (at a character) to fit NAME_MAX_BYTES. */
static char *join_name(const char *stem, gsize stem_len, const char *ext)
{
	gsize room = NAME_MAX_BYTES - strlen(ext) - 1;
	if (stem_len > room) {
		const char *end = g_utf8_find_prev_char(stem, stem + room + 1);
		stem_len = end ? (gsize)(end - stem) : 0;
	}
	return g_strdup_printf("%.*s.%s", (int)stem_len, stem, ext);
}

/* Same family as the output: .jpg for a PNG, .docm for a docx. */
static gboolean same_family(const char *base, const char *out_type)
{
	const char *et = mg_filetype_ext_type(base);
	const char *a = et ? mg_filetype_family(et) : NULL, *b = mg_filetype_family(out_type);
	return a && b && g_str_equal(a, b);
}

char *mg_cdr_output_name(const struct mg_config *cfg, const char *name, const char *out_type, enum mg_cdr_made made,
			 char **why)
{
	const struct out_row *row = row_of(out_type);
	if (!row) {
		*why = g_strdup_printf("%s has no delivery form", out_type ? out_type : "(no type)");
		return NULL;
	}
	char *base = clean_base(name && *name ? name : "attachment");
	if (!*base || g_str_equal(base, "_")) {
		g_free(base);
		base = g_strdup("attachment");
	}
	const char *ext = ext_of(base);
	char *first = g_strndup(row->exts, strcspn(row->exts, " "));
	char *out = NULL;
	if (ext && word_in(row->exts, ext))
		out = join_name(base, (gsize)(ext - 1 - base), ext);
	else if (made != MG_CDR_MADE_KEPT && ext && same_family(base, out_type))
		out = join_name(base, (gsize)(ext - 1 - base), first);
	else if (made != MG_CDR_MADE_KEPT || !ext || word_in(cfg->text_attachment_extensions, ext) ||
		 cfg->text_attachment_other == MG_TEXT_OTHER_RENAME)
		out = join_name(base, strlen(base), first);
	else
		*why = g_strdup_printf("a text file named .%s is not delivered (text_attachment_other is remove)", ext);
	g_free(first);
	g_free(base);
	return out;
}

/* ---- mg_cdr_output ---- */

static void set_data(struct mg_cdr_out *out, const char *s, gsize n)
{
	if (out->data)
		g_byte_array_unref(out->data);
	out->data = g_byte_array_sized_new((guint)n);
	g_byte_array_append(out->data, (const guint8 *)s, (guint)n);
}

/* Kept text: UTF-8 from its declared (doubted) or detected charset, then
 * without the files encoded inside it.  TRUE when the bytes changed. */
static gboolean text_kept(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	char *used = NULL;
	char *u = mg_charset_to_utf8((const char *)out->data->data, out->data->len, in->declared_charset, &used);
	gsize n = strlen(u);
	gboolean changed = n != out->data->len || memcmp(u, out->data->data, n) != 0;
	GString *g = mg_text_strip_inline_files(u, n, out->removed);
	set_data(out, g ? g->str : u, g ? g->len : n);
	if (g)
		g_string_free(g, TRUE);
	g_free(u);
	g_free(used);
	return changed || g != NULL;
}

/* A rebuilder's text that is not UTF-8 is decoded (detection). */
static void text_built(struct mg_cdr_out *out)
{
	if (g_utf8_validate((const char *)out->data->data, (gssize)out->data->len, NULL) &&
	    !memchr(out->data->data, '\0', out->data->len))
		return;
	char *u = mg_charset_to_utf8((const char *)out->data->data, out->data->len, NULL, NULL);
	set_data(out, u, strlen(u));
	g_free(u);
}

/* The delivered type; NULL when there is none (reason set). */
static const char *output_type(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_cdr_made made)
{
	gboolean as_came = made == MG_CDR_MADE_KEPT || made == MG_CDR_MADE_EXCEPTION;
	const char *t = as_came ? in->true_type : out->new_type ? out->new_type : in->true_type;
	const char *row = mg_cdr_output_type(t);
	if (row)
		return row;
	if (made == MG_CDR_MADE_EXCEPTION)
		return t; /* approved as it came: the type found in it, never the declared one */
	if (made == MG_CDR_MADE_KEPT && g_str_has_prefix(t, "text/"))
		return "text/plain";
	if (made == MG_CDR_MADE_KEPT && in->filename && g_strcmp0(mg_filetype_ext_type(in->filename), t) == 0)
		return t; /* a keep rule for this very type, and a name that says so */
	g_free(out->reason);
	out->reason = g_strdup_printf("%s has no delivery form%s", t,
				      made == MG_CDR_MADE_KEPT ? " under this file name" : "");
	return NULL;
}

enum mg_cdr_status mg_cdr_output(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_cdr_made made,
				 enum mg_cdr_status st)
{
	const char *type = output_type(in, out, made);
	char *why = NULL, *name = NULL;
	gboolean changed = FALSE;
	if (!type)
		return MG_CDR_REMOVE;
	if (made == MG_CDR_MADE_KEPT && g_str_equal(type, "text/plain"))
		changed = text_kept(in, out);
	else if (g_str_has_prefix(type, "text/") && made != MG_CDR_MADE_EXCEPTION)
		text_built(out);
	const char *given = out->new_filename ? out->new_filename : in->filename;
	if (given || !g_str_equal(type, "text/plain")) {
		/* a type without a row is kept under a name that says it (output_type) */
		name = row_of(type) && made != MG_CDR_MADE_EXCEPTION
			       ? mg_cdr_output_name(in->ctx->cfg, given, type, made, &why)
			       : clean_base(given ? given : "attachment");
		if (!name) {
			g_free(out->reason);
			out->reason = why;
			return MG_CDR_REMOVE;
		}
	}
	changed |= g_strcmp0(name, in->filename) != 0;
	g_free(out->new_type);
	out->new_type = g_strdup(type);
	g_free(out->new_filename);
	out->new_filename = name;
	out->kept = (made == MG_CDR_MADE_KEPT || made == MG_CDR_MADE_EXCEPTION) && !changed;
	return st;
}
