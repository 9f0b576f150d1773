/*
 * cdr_csv.c - CSV rebuilt without formula cells (mg_cdr_csv, mg_cdr.h).
 *
 * The file is first decoded to UTF-8 (byte order marks, UTF-16, then
 * mg_charset_to_utf8's detection: Shift_JIS/CP932, EUC-JP, ISO-2022-JP),
 * because a full-width ＝ in Shift_JIS is two bytes that no byte test
 * sees.  Then every place where a spreadsheet could start a cell is
 * checked, whatever the quoting says: the start of the file, after each
 * separator (comma, semicolon, tab and the character a "sep=" first line
 * names) and after each line break (CR LF, bare CR, LF, also inside quotes:
 * readers disagree on quoting, and a cell that begins after a quoted line
 * break in one reader is a cell start in another).  At such a place,
 * blanks (space, tab, U+3000, NBSP) and opening quotes are skipped; when
 * the next character is = + - @ or a full-width or small form of them and
 * the cell is not a plain number (-12.5), an apostrophe is put before it,
 * so spreadsheets show the text.  The result is UTF-8 with a byte order
 * mark (Excel then reads it as UTF-8): MG_CDR_CONVERTED, so the part is
 * labelled charset=utf-8 whatever the sender declared.  Hand-written: the neutralising
 * must see every possible cell start, which a CSV parser library (that
 * picks one reading) does not give.
 */
#include "config.h"

#include <string.h>

#include "mg_cdr.h"
#include "mg_charset.h"

#define CSV_BOM "\xef\xbb\xbf"

/* Characters that start a formula: ASCII, full-width, small forms. */
static gboolean formula_char(gunichar c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == 0xFF1D || c == 0xFF0B || c == 0xFF0D ||
	       c == 0xFF20 || c == 0xFE66 || c == 0xFE62 || c == 0xFE63 || c == 0x2212;
}

static gboolean blank_char(gunichar c)
{
	return c == ' ' || c == '\t' || c == 0x3000 || c == 0xA0 || c == '"' || c == 0xFF02;
}

static gboolean line_break(char c)
{
	return c == '\r' || c == '\n';
}

struct csv {
	const char *s;
	gsize len;
	gunichar sep; /* from "sep=", or 0 */
	GString *out;
	int fixed;
};

static gboolean is_separator(const struct csv *c, gunichar ch)
{
	return ch == ',' || ch == ';' || ch == '\t' || (c->sep && ch == c->sep);
}

/* A plain number from p to the end of its cell: [+-]digits[.digits]. */
static gboolean plain_number(const struct csv *c, const char *p)
{
	const char *end = c->s + c->len;
	gsize digits = 0;
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	for (; p < end && (g_ascii_isdigit(*p) || *p == '.'); p++)
		digits += g_ascii_isdigit(*p) != 0;
	while (p < end && *p == ' ')
		p++;
	return digits > 0 && (p == end || *p == '"' || line_break(*p) || is_separator(c, (guchar)*p));
}

/* At a possible cell start p: copy the blanks, neutralise a formula.
 * Returns the position after what was copied. */
static const char *cell_start(struct csv *c, const char *p)
{
	const char *end = c->s + c->len;
	while (p < end) {
		gunichar ch = g_utf8_get_char(p);
		if (!blank_char(ch))
			break;
		const char *next = g_utf8_next_char(p);
		g_string_append_len(c->out, p, next - p);
		p = next;
		if (ch == '\t' && !c->sep) /* tab separated: the tab ended a cell */
			continue;
	}
	if (p < end && formula_char(g_utf8_get_char(p)) && !plain_number(c, p)) {
		g_string_append_c(c->out, '\'');
		c->fixed++;
	}
	return p;
}

/* "sep=X" on the first line names the separator. */
static void csv_sep_line(struct csv *c)
{
	const char *p = c->s;
	if (c->len >= 5 && g_ascii_strncasecmp(p, "sep=", 4) == 0 && !line_break(p[4]))
		c->sep = g_utf8_get_char(p + 4);
}

static gboolean csv_neutralise(struct csv *c, gint64 deadline_us)
{
	const char *p = c->s, *end = c->s + c->len;
	guint n = 0;
	csv_sep_line(c);
	p = cell_start(c, p);
	while (p < end) {
		if ((++n & 0xffff) == 0 && deadline_us > 0 && g_get_monotonic_time() > deadline_us)
			return FALSE;
		gunichar ch = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);
		g_string_append_len(c->out, p, next - p);
		p = next;
		if (line_break((char)ch) || is_separator(c, ch))
			p = cell_start(c, p);
	}
	return TRUE;
}

/* The file as UTF-8 without a byte order mark; *from names the charset. */
static char *csv_decode(const guint8 *d, gsize len, gsize *out_len, char **from)
{
	const char *cs = NULL;
	gsize skip = 0;
	if (len >= 3 && memcmp(d, CSV_BOM, 3) == 0)
		cs = "UTF-8", skip = 3;
	else if (len >= 2 && d[0] == 0xff && d[1] == 0xfe)
		cs = "UTF-16LE", skip = 2;
	else if (len >= 2 && d[0] == 0xfe && d[1] == 0xff)
		cs = "UTF-16BE", skip = 2;
	char *u = mg_charset_to_utf8((const char *)d + skip, len - skip, cs, from);
	*out_len = strlen(u);
	return u;
}

enum mg_cdr_status mg_cdr_csv(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	gboolean utf16 = in->len >= 2 &&
			 ((in->data[0] == 0xff && in->data[1] == 0xfe) || (in->data[0] == 0xfe && in->data[1] == 0xff));
	if (!utf16 && memchr(in->data, '\0', in->len)) {
		out->reason = g_strdup("corrupt CSV: binary content");
		return MG_CDR_UNSCANNABLE;
	}
	char *from = NULL;
	gsize ulen = 0;
	char *u = csv_decode(in->data, in->len, &ulen, &from);
	struct csv c = {.s = u, .len = ulen, .out = g_string_sized_new(ulen + 64)};
	g_string_append(c.out, CSV_BOM);
	enum mg_cdr_status st = MG_CDR_CONVERTED;
	if (!csv_neutralise(&c, in->deadline_us)) {
		out->reason = g_strdup("time budget exceeded");
		st = MG_CDR_UNSCANNABLE;
	} else {
		if (c.fixed)
			g_ptr_array_add(out->removed, g_strdup_printf("formula cells neutralised: %d", c.fixed));
		out->reason = g_strdup_printf("CSV rebuilt (UTF-8, from %s): %d formula cell%s neutralised",
					      from ? from : "UTF-8", c.fixed, c.fixed == 1 ? "" : "s");
		out->new_type = g_strdup("text/csv");
		gsize n = c.out->len;
		out->data = g_byte_array_new_take((guint8 *)g_string_free(c.out, FALSE), n);
		c.out = NULL;
	}
	if (c.out)
		g_string_free(c.out, TRUE);
	g_free(u);
	g_free(from);
	return st;
}
