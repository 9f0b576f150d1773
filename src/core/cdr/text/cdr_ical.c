/*
 * cdr_ical.c - calendar invitations and contact cards to plain text
 * (issue 12, Deliver 6).
 *
 * Contract: mg_cdr_ical() turns an iCalendar (RFC 5545: .ics, text/calendar)
 * or vCard (RFC 6350: .vcf, text/vcard) file into UTF-8 text that reads
 * like the original: one "PROPERTY: value" line for each property a person
 * reads (summary, time, place, organizer, name, address...), a heading line
 * for each component.  Everything else is left out, and what could act or
 * carry a file is listed as removed: binary values (ATTACH;VALUE=BINARY,
 * PHOTO;ENCODING=b - a file the CDR never saw) and alarms (a PROCEDURE
 * alarm names a program to run).  Time zone definitions, identifiers and
 * time stamps are left out silently: nothing a reader needs.
 *
 * Why no library: the conversion only unfolds lines (RFC 5545 3.1) and
 * picks properties by name; values are shown as written, after the text
 * escapes (\n \, \; \\).  A full iCalendar library (libical) would parse
 * dates and recurrences that are then printed as they were, and adds a
 * dependency for no change in the result.  The output is never longer than
 * the input, so the attachment size limits bound it.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_charset.h"

/* Properties shown, in the order of the file. */
static const char *const shown[] = {"METHOD",   "SUMMARY",     "DTSTART",    "DTEND",    "DUE",     "DURATION",
				    "LOCATION", "DESCRIPTION", "ORGANIZER",  "ATTENDEE", "STATUS",  "RRULE",
				    "RDATE",    "EXDATE",      "URL",        "FN",       "N",       "ORG",
				    "TITLE",    "ROLE",        "TEL",        "EMAIL",    "ADR",     "NOTE",
				    "BDAY",     "NICKNAME",    "CATEGORIES", "COMMENT",  "CONTACT", "PRIORITY"};

struct ical {
	GString *text;
	GPtrArray *removed;
	int hidden; /* inside a component that is left out (VALARM, VTIMEZONE) */
	guint binaries, alarms;
};

static gboolean is_shown(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(shown); i++)
		if (g_ascii_strcasecmp(name, shown[i]) == 0)
			return TRUE;
	return FALSE;
}

/* RFC 5545 3.1: a line break followed by a space or a tab continues the
 * previous line.  Line ends become '\n'. */
static char *unfold(const char *s)
{
	GString *g = g_string_sized_new(strlen(s));
	for (const char *p = s; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) {
			p++;
			continue;
		}
		g_string_append_c(g, *p);
	}
	return g_string_free(g, FALSE);
}

/* A value's text escapes (RFC 5545 3.3.11, RFC 6350 3.4). */
static void append_value(GString *g, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' && (v[1] == 'n' || v[1] == 'N')) {
			g_string_append(g, "\n    ");
			v++;
		} else if (*v == '\\' && v[1]) {
			g_string_append_c(g, *++v);
		} else {
			g_string_append_c(g, *v);
		}
	}
}

/* A parameter list says the value is a file: VALUE=BINARY, ENCODING=BASE64 / b. */
static gboolean params_binary(const char *params)
{
	char *up = g_ascii_strup(params, -1);
	gboolean bin = strstr(up, "VALUE=BINARY") || strstr(up, "ENCODING=BASE64") || strstr(up, "ENCODING=B;") ||
		       g_str_has_suffix(up, "ENCODING=B");
	g_free(up);
	return bin;
}

/* Alarms (a PROCEDURE alarm names a program) and time zone definitions
 * (rules, no content) are left out with all they contain. */
static gboolean hidden_component(const char *name)
{
	return g_ascii_strcasecmp(name, "VALARM") == 0 || g_ascii_strcasecmp(name, "VTIMEZONE") == 0;
}

static void component(struct ical *ic, const char *value, gboolean begin)
{
	if (hidden_component(value)) {
		ic->hidden += begin ? 1 : ic->hidden > 0 ? -1 : 0;
		ic->alarms += begin && g_ascii_strcasecmp(value, "VALARM") == 0;
		return;
	}
	if (begin && ic->hidden == 0)
		g_string_append_printf(ic->text, "%s[%s]\n", ic->text->len ? "\n" : "", value);
}

static void property(struct ical *ic, char *line)
{
	char *colon = strchr(line, ':');
	if (!colon)
		return;
	*colon = '\0';
	char *semi = strchr(line, ';');
	const char *params = semi ? semi + 1 : "";
	if (semi)
		*semi = '\0';
	const char *value = colon + 1;
	if (g_ascii_strcasecmp(line, "BEGIN") == 0 || g_ascii_strcasecmp(line, "END") == 0) {
		component(ic, value, g_ascii_strcasecmp(line, "BEGIN") == 0);
		return;
	}
	if (ic->hidden > 0)
		return;
	if (params_binary(params)) {
		ic->binaries++;
		return;
	}
	if (!is_shown(line))
		return; /* identifiers, time stamps, extensions: nothing a reader needs */
	g_string_append_printf(ic->text, "%s: ", line);
	append_value(ic->text, value);
	g_string_append_c(ic->text, '\n');
}

static void record_removed(struct ical *ic)
{
	if (ic->binaries)
		g_ptr_array_add(ic->removed, g_strdup_printf("embedded file (binary value) removed: %u", ic->binaries));
	if (ic->alarms)
		g_ptr_array_add(ic->removed, g_strdup_printf("alarm removed: %u", ic->alarms));
}

enum mg_cdr_status mg_cdr_ical(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	char *utf8 = mg_charset_to_utf8((const char *)in->data, in->len, in->declared_charset, NULL);
	char *text = unfold(utf8);
	struct ical ic = {.text = g_string_sized_new(in->len), .removed = out->removed};
	char **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++)
		property(&ic, lines[i]);
	g_strfreev(lines);
	g_free(text);
	g_free(utf8);
	record_removed(&ic);
	if (ic.text->len == 0) {
		g_string_free(ic.text, TRUE);
		out->reason = g_strdup("calendar or contact file without readable content");
		return MG_CDR_REMOVE;
	}
	gsize n = ic.text->len;
	out->data = g_byte_array_new_take((guint8 *)g_string_free(ic.text, FALSE), n);
	out->new_type = g_strdup("text/plain");
	out->reason = g_strdup("calendar or contact file converted to text");
	return MG_CDR_CONVERTED;
}
