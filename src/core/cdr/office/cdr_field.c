/*
 * cdr_field.c - see mg_cdr_field.h: Word field codes judged by an
 * allowlist.
 *
 * A field is passive when its code's first word names a field that only
 * shows something already in the document (page numbers, dates, document
 * properties, references, tables of contents, form fields, formulas) and,
 * for HYPERLINK, its target is a web or mail address or a bookmark.
 * Everything else is active or unknown: DDE/DDEAUTO (run a program),
 * INCLUDETEXT/INCLUDEPICTURE/IMPORT/LINK/EMBED/RD/DATABASE (fetch a file
 * or a URL), QUOTE (builds other field codes), MACROBUTTON (runs a macro),
 * PRINT (sends printer codes), ASK/FILLIN (prompt the reader), and any
 * name we do not know.  A code that starts with something other than a
 * plain ASCII name (a nested field's result, a full-width letter, a
 * control character) is not passive either.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr_field.h"

static const char *const passive_fields[] = {
	"ADVANCE",
	"AUTHOR",
	"AUTONUM",
	"AUTONUMLGL",
	"AUTONUMOUT",
	"BARCODE",
	"BIDIOUTLINE",
	"BIBLIOGRAPHY",
	"CITATION",
	"COMMENTS",
	"COMPARE",
	"CREATEDATE",
	"DATE",
	"DISPLAYBARCODE",
	"DOCPROPERTY",
	"DOCVARIABLE",
	"EDITTIME",
	"EQ",
	"FILENAME",
	"FILESIZE",
	"FORMCHECKBOX",
	"FORMDROPDOWN",
	"FORMTEXT",
	"GOTOBUTTON",
	"GREETINGLINE",
	"ADDRESSBLOCK",
	"IF",
	"INDEX",
	"INFO",
	"KEYWORDS",
	"LASTSAVEDBY",
	"LISTNUM",
	"MERGEFIELD",
	"MERGEREC",
	"MERGESEQ",
	"NEXT",
	"NEXTIF",
	"NOTEREF",
	"NUMCHARS",
	"NUMPAGES",
	"NUMWORDS",
	"PAGE",
	"PAGEREF",
	"PRINTDATE",
	"REF",
	"REVNUM",
	"SAVEDATE",
	"SECTION",
	"SECTIONPAGES",
	"SEQ",
	"SET",
	"SKIPIF",
	"STYLEREF",
	"SUBJECT",
	"SYMBOL",
	"TA",
	"TC",
	"TEMPLATE",
	"TIME",
	"TITLE",
	"TOA",
	"TOC",
	"USERADDRESS",
	"USERINITIALS",
	"USERNAME",
	"XE",
	"=",
};

/* A HYPERLINK field is passive when it points at the web, mail or a
 * bookmark (\l).  `code` is upper case. */
static gboolean hyperlink_passive(const char *code)
{
	const char *q = strchr(code, '"');
	if (strstr(code, "\\L"))
		return TRUE;
	if (!q)
		return FALSE;
	q++;
	return g_str_has_prefix(q, "HTTP://") || g_str_has_prefix(q, "HTTPS://") || g_str_has_prefix(q, "MAILTO:");
}

gboolean mg_cdr_field_is_passive(const char *code, gsize len)
{
	gsize i = 0;
	while (i < len && (code[i] == ' ' || code[i] == '\t' || code[i] == '\r' || code[i] == '\n'))
		i++;
	gsize start = i;
	if (i < len && code[i] == '=')
		return TRUE; /* a formula: "= 2 * 3" */
	while (i < len && g_ascii_isalpha(code[i]))
		i++;
	if (i == start || i - start > 20 || (i < len && !strchr(" \t\r\n\\\"", code[i])))
		return FALSE; /* no name, an over-long one, or a name glued to something else */
	char *all = g_ascii_strup(code, (gssize)MIN(len, 4096));
	char *name = g_strndup(all + start, i - start);
	gboolean ok = FALSE;
	if (g_str_equal(name, "HYPERLINK"))
		ok = hyperlink_passive(all + i);
	for (gsize k = 0; !ok && k < G_N_ELEMENTS(passive_fields); k++)
		ok = g_str_equal(name, passive_fields[k]);
	g_free(name);
	g_free(all);
	return ok;
}

char *mg_cdr_field_name(const char *code, gsize len)
{
	GString *g = g_string_new(NULL);
	gsize i = 0;
	while (i < len && g_ascii_isspace(code[i]))
		i++;
	for (; i < len && g->len < 24 && !g_ascii_isspace(code[i]); i++)
		g_string_append_c(g,
				  (guchar)code[i] >= 0x20 && (guchar)code[i] < 0x7f ? g_ascii_toupper(code[i]) : '?');
	if (g->len == 0)
		g_string_append(g, "(empty)");
	return g_string_free(g, FALSE);
}
