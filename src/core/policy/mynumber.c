/*
 * mynumber.c - the individual-number (マイナンバー) detector of the
 * exfiltration rules (see mg_exfil.h).
 *
 * Check digit (行政手続における特定の個人を識別するための番号の利用等に関する
 * 法律施行令 第八条): with P(n) the n-th of the first eleven digits counted
 * from the right and Q(n) = n + 1 (n <= 6) or n - 5 (n >= 7), the check
 * digit is 11 - (sum P(n) Q(n) mod 11), and 0 when that remainder is 0 or 1.
 * Vectors: tests/unit/mynumber-vectors.txt (tests/tools/mynumber.py).
 *
 * The scanner is a hand-written byte loop: a regular expression cannot
 * refuse a number that is the head of a longer digit group written with
 * the same separators (1234-5678-9012-3456) without look-behind tricks that
 * cost more than the loop.
 */
#include "config.h"

#include <string.h>

#include "mg_exfil.h"

gboolean mg_mynumber_valid(const char *d)
{
	guint sum = 0;
	for (int i = 0; i < 12; i++)
		if (!g_ascii_isdigit(d[i]))
			return FALSE;
	for (int n = 1; n <= 11; n++) {
		guint p = (guint)(d[11 - n] - '0');
		guint q = n <= 6 ? (guint)n + 1 : (guint)n - 5;
		sum += p * q;
	}
	guint r = sum % 11;
	guint check = r <= 1 ? 0 : 11 - r;
	return (guint)(d[11] - '0') == check;
}

static gboolean is_sep(char c)
{
	return c == ' ' || c == '-';
}

/* Read 12 digits at p (plain, or NNNN s NNNN s NNNN with one separator s);
 * returns the bytes used, 0 when there is no such number.  out gets the
 * digits.  A grouped number must not continue a group before it
 * (before_sep: the s of "digit s" just before p) nor go on after it ("s
 * digit"), with the same separator. */
static gsize read_number(const char *p, const char *end, char before_sep, char out[13])
{
	gsize n = 0, used = 0;
	int nsep = 0;
	char sep = 0;
	while (p + used < end && n < 12) {
		char c = p[used];
		if (g_ascii_isdigit(c) && !(sep && n == 8 && nsep == 1))
			out[n++] = c;
		else if (is_sep(c) && n == 4 && nsep == 0) {
			sep = c; /* NNNN s NNNN s NNNN: the same s twice */
			nsep = 1;
		} else if (sep && c == sep && n == 8 && nsep == 1)
			nsep = 2;
		else
			break;
		used++;
	}
	out[n] = '\0';
	if (n != 12)
		return 0;
	const char *q = p + used;
	if (q < end && g_ascii_isdigit(*q))
		return 0;
	if (sep && (before_sep == sep || (q + 1 < end && *q == sep && g_ascii_isdigit(q[1]))))
		return 0; /* part of a longer grouped number (1234-5678-9012-3456) */
	return used;
}

guint mg_mynumber_scan(const char *text, gsize len, GHashTable *seen, guint cap)
{
	guint found = 0;
	const char *end = text + len;
	for (gsize i = 0; i < len;) {
		char digits[13];
		gboolean start = g_ascii_isdigit(text[i]) && (i == 0 || !g_ascii_isdigit(text[i - 1]));
		char before = i >= 2 && is_sep(text[i - 1]) && g_ascii_isdigit(text[i - 2]) ? text[i - 1] : 0;
		gsize used = start ? read_number(text + i, end, before, digits) : 0;
		if (used == 0) {
			i++;
			continue;
		}
		if (mg_mynumber_valid(digits)) {
			found++;
			if (seen && g_hash_table_size(seen) < cap)
				g_hash_table_add(seen, g_strdup(digits));
		}
		i += used;
	}
	return found;
}
