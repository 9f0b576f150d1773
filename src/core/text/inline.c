/*
 * inline.c - files encoded inside text (uuencode, BinHex 4.0, yEnc).
 *
 * Contract: mg_text_strip_inline_files() returns the text with every such
 * block cut out and one marker line "[KIND file NAME removed]" in its
 * place, or NULL when the text has none (nothing to change).  Mail clients
 * (Thunderbird's untyped-text handler, Outlook) show such a block in a
 * text body or an inline text attachment as a separate attachment, so a
 * file sent this way would otherwise pass by the attachment CDR (corpus
 * sweep: mime-tools uu-junk; a uuencoded .docm in a text body was
 * delivered whole).  A block opens on
 *   - "begin MODE NAME" (MODE 3-4 octal digits) and closes on "end";
 *   - "begin-base64 MODE NAME" and closes on "====";
 *   - "=ybegin ... name=NAME" and closes on "=yend";
 *   - "(This file must be converted with BinHex ...)" followed by a line
 *     starting with ':', and closes on the next line that ends with ':';
 *   - a MIME part quoted in the text (a bounce, a forwarded raw message):
 *     after a "Content-Transfer-Encoding: base64" line and the blank line
 *     that ends its header block, the base64 lines are the file; the block
 *     closes before the first line that is not base64 (issue 12: virus
 *     scanners decode such a part, and an encrypted zip quoted in a bounce
 *     made every delivery attempt unscannable).
 * An unclosed block runs to the end of the text (fail closed).  One pass
 * over the lines, output no longer than the input plus the markers; bytes
 * are handled as bytes (every marker is ASCII), so any ASCII-compatible
 * charset works.  Names are cut to INLINE_NAME_MAX bytes and made valid
 * UTF-8.  Each cut block adds "KIND file: NAME" to *cut.
 */
#include "config.h"

#include <string.h>

#include "mg_inline.h"

#define INLINE_NAME_MAX 200
#define INLINE_B64_MIN  20 /* a quoted part's first base64 line is at least this long */

enum inline_kind { IK_NONE, IK_UU, IK_UU64, IK_YENC, IK_BINHEX, IK_MIME };

static const char *const kind_names[] = {"", "uuencoded", "uuencoded", "yEnc", "BinHex", "MIME base64"};

struct inline_line {
	const char *p, *e; /* the line without its end (CR, LF, trailing blanks) */
	const char *next;  /* the start of the following line */
};

static struct inline_line line_at(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (gsize)(end - p));
	struct inline_line l = {p, nl ? nl : end, nl ? nl + 1 : end};
	while (l.e > l.p && (l.e[-1] == '\r' || l.e[-1] == ' ' || l.e[-1] == '\t'))
		l.e--;
	return l;
}

static gboolean has_prefix(const struct inline_line *l, const char *s)
{
	gsize n = strlen(s);
	return (gsize)(l->e - l->p) >= n && memcmp(l->p, s, n) == 0;
}

static char *name_of(const char *p, const char *e)
{
	gsize n = MIN((gsize)(e - p), INLINE_NAME_MAX);
	char *raw = g_strndup(p, n);
	char *valid = g_utf8_make_valid(raw, -1);
	g_free(raw);
	return valid;
}

/* "begin 644 name" / "begin-base64 644 name" */
static enum inline_kind uu_open(const struct inline_line *l, char **name)
{
	gboolean b64 = has_prefix(l, "begin-base64 ");
	if (!b64 && !has_prefix(l, "begin "))
		return IK_NONE;
	const char *q = l->p + (b64 ? 13 : 6), *mode = q;
	while (q < l->e && *q >= '0' && *q <= '7')
		q++;
	if (q - mode < 3 || q - mode > 4 || q + 1 >= l->e || *q != ' ')
		return IK_NONE;
	*name = name_of(q + 1, l->e);
	return b64 ? IK_UU64 : IK_UU;
}

/* A quoted MIME header block: 0 outside, 1 after a base64 transfer
 * encoding line, 2 after the blank line that ends that block. */
struct inline_mime {
	int state;
	char *name; /* the name= / filename= seen in the block */
};

static gboolean base64_line(const struct inline_line *l)
{
	if (l->e == l->p)
		return FALSE;
	for (const char *q = l->p; q < l->e; q++)
		if (!g_ascii_isalnum(*q) && *q != '+' && *q != '/' && *q != '=')
			return FALSE;
	return TRUE;
}

static gboolean ci_contains(const struct inline_line *l, const char *needle)
{
	char *low = g_ascii_strdown(l->p, l->e - l->p);
	gboolean yes = strstr(low, needle) != NULL;
	g_free(low);
	return yes;
}

/* Follow quoted MIME header blocks; TRUE when l starts the encoded data. */
static gboolean mime_track(struct inline_mime *m, const struct inline_line *l)
{
	if (m->state == 2 && base64_line(l) && l->e - l->p >= INLINE_B64_MIN)
		return TRUE;
	if (l->e == l->p) {
		if (m->state != 1)
			g_clear_pointer(&m->name, g_free);
		m->state = m->state == 1 ? 2 : 0;
		return FALSE;
	}
	if (m->state == 2 || (*l->p != ' ' && *l->p != '\t' && !memchr(l->p, ':', (gsize)(l->e - l->p))))
		m->state = 0;
	if (ci_contains(l, "content-transfer-encoding:") && ci_contains(l, "base64"))
		m->state = 1;
	const char *n = g_strstr_len(l->p, l->e - l->p, "name=");
	if (n && m->state <= 1) {
		n += 5 + (n[5] == '"');
		const char *q = n;
		while (q < l->e && *q != '"' && *q != ';')
			q++;
		g_free(m->name);
		m->name = name_of(n, q);
	}
	return FALSE;
}

static enum inline_kind block_open(const struct inline_line *l, const char *end, char **name)
{
	*name = NULL;
	enum inline_kind k = uu_open(l, name);
	if (k != IK_NONE)
		return k;
	if (has_prefix(l, "=ybegin ")) {
		const char *n = g_strstr_len(l->p, l->e - l->p, " name=");
		*name = n ? name_of(n + 6, l->e) : NULL;
		return IK_YENC;
	}
	if (g_strstr_len(l->p, l->e - l->p, "(This file must be converted with BinHex") && l->next < end) {
		struct inline_line d = line_at(l->next, end);
		return has_prefix(&d, ":") ? IK_BINHEX : IK_NONE;
	}
	return IK_NONE;
}

/* Is l the last line of the block?  *data counts BinHex data lines. */
static gboolean block_close(enum inline_kind k, const struct inline_line *l, int *data)
{
	gsize n = (gsize)(l->e - l->p);
	switch (k) {
	case IK_UU: return n == 3 && memcmp(l->p, "end", 3) == 0;
	case IK_UU64: return n == 4 && memcmp(l->p, "====", 4) == 0;
	case IK_YENC: return has_prefix(l, "=yend") && (n == 5 || l->p[5] == ' ');
	case IK_BINHEX: /* the data starts with ':' and ends with ':' */
		if (n && (*data > 0 || l->p[0] == ':'))
			(*data)++;
		return *data > 0 && n && l->e[-1] == ':' && !(*data == 1 && n == 1);
	default: return TRUE;
	}
}

static void open_block(GString **out, const char *s, gsize len, const char *from, enum inline_kind k, const char *name,
		       GPtrArray *cut)
{
	if (!*out)
		*out = g_string_sized_new(len);
	g_string_append_len(*out, s, from - s);
	g_string_append_printf(*out, "[%s file %s removed]\n", kind_names[k], name ? name : "(no name)");
	g_ptr_array_add(cut, g_strdup_printf("%s file: %s", kind_names[k], name ? name : "(no name)"));
}

GString *mg_text_strip_inline_files(const char *s, gsize len, GPtrArray *cut)
{
	GString *out = NULL;
	const char *end = s + len, *copied = s;
	enum inline_kind open = IK_NONE;
	struct inline_mime mime = {0};
	int data = 0;
	for (const char *p = s; p < end;) {
		struct inline_line l = line_at(p, end);
		char *name = NULL;
		if (open == IK_MIME && !base64_line(&l)) { /* the line after the data is text again */
			open = IK_NONE;
			copied = l.p;
			mime.state = 0;
		}
		enum inline_kind k = open == IK_NONE ? block_open(&l, end, &name) : IK_NONE;
		if (k == IK_NONE && open == IK_NONE && mime_track(&mime, &l))
			k = IK_MIME;
		if (k != IK_NONE) {
			open_block(&out, copied, len, p, k, k == IK_MIME ? mime.name : name, cut);
			open = k;
			data = 0;
		} else if (open != IK_NONE && open != IK_MIME && block_close(open, &l, &data)) {
			open = IK_NONE;
			copied = l.next;
		}
		g_free(name);
		p = l.next;
	}
	g_free(mime.name);
	if (out && open == IK_NONE)
		g_string_append_len(out, copied, end - copied);
	return out;
}
