/*
 * agree.c - does GMime's reading of the message leave anything for a second
 * MIME parser to find?  (issue 15: the raw message's libclamav MIME parse)
 *
 * mugaika scans every leaf GMime finds, decoded, with everything libclamav
 * finds inside it, and delivers only what it rebuilt from those leaves.
 * libclamav's own mail parser adds something only where its reading of the
 * sender's bytes differs from GMime's, or where it looks at text for more
 * than the text: files encoded inside text (uuencode, BinHex, yEnc), bounces
 * it re-parses as mail (a text part with Content-Type or
 * Content-Transfer-Encoding lines), and the links of HTML (phishing).  This
 * check says "the readings agree" only when none of that can happen; the
 * scan step then reads the raw message without libclamav's parser (its
 * temporary directory and files cost two thirds of a plain message's work)
 * and otherwise runs it as before.  Any doubt is disagreement.
 *
 * The readings agree when, in the raw message:
 *   - every Content-Type and Content-Transfer-Encoding field is one that
 *     GMime honoured (same count outside the leaves' content as in the
 *     tree; no header block holds two), every transfer encoding is exactly
 *     7bit, 8bit, binary, base64 or quoted-printable (libclamav guesses
 *     from any other value where GMime decodes nothing), and every
 *     container type (multipart/, message/) anywhere in the raw text is one
 *     of GMime's containers (the prescan's count);
 *   - every multipart has one boundary, written once, as boundary="B" or
 *     boundary=B (no "boundary:", which libclamav reads as one too); no
 *     boundary contains another; every line that contains a boundary in
 *     any letter case, as written or with its RFC 822 comments taken out,
 *     is exactly "--B" or "--B--" (libclamav compares without case and
 *     strips comments; GMime does neither), and each multipart has as many
 *     delimiters as parts and one close;
 *   - no raw line (headers, preambles, epilogues, and the leaves' content
 *     as sent, whatever their type) and no decoded text leaf holds an
 *     encoded file, a bounce's MIME fields or HTML markup (libclamav checks
 *     the links of text parts too), and no leaf is HTML or an encoded
 *     message;
 *   - libclamav's line reader reads the lines GMime reads: no NUL byte
 *     (it drops them) and no line longer than AGREE_LINE_MAX (it splits
 *     them); this also bounds the memory of the check.
 * More than AGREE_BOUNDS_MAX multiparts is disagreement too (each line is
 * compared with each boundary: the work stays linear in the message's
 * size).
 */
#include "config.h"

#include <string.h>

#include "mg_log.h"
#include "mg_mime.h"
#include "mime_priv.h"

/* libclamav's line reader (mbox.c getline_from_mbox) takes at most 999
 * bytes: a longer line is read as several, each a line of its own (a
 * delimiter, a header field) where GMime reads one; 999 bytes exactly add
 * an empty line.  Beyond 998 bytes the parser reads the message. */
#define AGREE_LINE_MAX   998
#define AGREE_CHUNK      65536
#define AGREE_TAIL       64 /* longest marker, carried between decoded chunks */
#define AGREE_BOUNDS_MAX 32 /* every raw line is compared with every boundary: beyond, the parser reads it */

struct agree_range {
	gint64 start, end;        /* a leaf's content in the raw message */
	GMimeContentEncoding enc; /* its transfer encoding */
	gint64 chars;             /* base64: letters of the alphabet so far */
	int pad;                  /* base64: '=' so far */
};

struct agree_bound {
	char *b, *low; /* the boundary as written, lower case */
	gint64 parts;  /* the parts GMime found */
	gint64 opens, closes;
};

struct agree {
	GString *low;     /* scratch: the current line in lower case */
	GString *bare;    /* scratch: the same without RFC 822 comments */
	GArray *ranges;   /* struct agree_range, in document order */
	GArray *bounds;   /* struct agree_bound */
	GPtrArray *texts; /* GMimePart* text leaves (borrowed) */
	gint64 ct, cte, containers;
	gint64 raw_ct, raw_cte, raw_boundary;
	const char *why;
};

/* Markup and encodings libclamav's parser acts on inside text (lower case). */
static const char *const text_markers[] = {
	"\nbegin ", "=ybegin", "binhex",  "content-type", "content-transfer-encoding",
	"<a ",      "<a\t",    "<a\n",    "<a\r",         "<area",
	"<form",    "<img",    "<iframe", "<html",        "<body",
	"<script",  "<meta",   "<base",
};

/* Link attributes, as attributes: the name, blanks, '=' (a bare "HREF" in
 * random letters of a CSV export is not markup). */
static const char *const attr_markers[] = {"href", "src", "action"};

static gboolean has_attr(const char *low, gsize len)
{
	const char *end = low + len;
	for (gsize i = 0; i < G_N_ELEMENTS(attr_markers); i++) {
		gsize ml = strlen(attr_markers[i]);
		for (const char *p = low; (p = memmem(p, (gsize)(end - p), attr_markers[i], ml)) != NULL;) {
			p += ml;
			const char *q = p;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
				q++;
			if (q < end && *q == '=')
				return TRUE;
		}
	}
	return FALSE;
}

static gboolean has_marker(const char *low, gsize len, gboolean counted_fields)
{
	for (gsize i = 0; i < G_N_ELEMENTS(text_markers); i++) {
		const char *m = text_markers[i];
		if (counted_fields && g_str_has_prefix(m, "content-"))
			continue; /* outside the leaves these are counted instead */
		if (memmem(low, len, m, strlen(m)))
			return TRUE;
	}
	return has_attr(low, len);
}

static gint64 count_of(const char *low, gsize len, const char *pat)
{
	gint64 n = 0;
	gsize pl = strlen(pat);
	for (const char *p = low; (p = memmem(p, len - (gsize)(p - low), pat, pl)) != NULL; p += pl)
		n++;
	return n;
}

/* "boundary" as a parameter name: followed by '=', an RFC 2231 '*', or
 * the ':' libclamav takes for '=' ("boundary:"B"" is a boundary to it). */
static gint64 count_boundary_params(const char *low, gsize len)
{
	gint64 n = 0;
	const char *end = low + len;
	for (const char *p = low; (p = memmem(p, (gsize)(end - p), "boundary", 8)) != NULL;) {
		p += 8;
		const char *q = p;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		n += q < end && (*q == '=' || *q == '*' || *q == ':');
	}
	return n;
}

static void disagree(struct agree *a, const char *why)
{
	if (!a->why)
		a->why = why;
}

/* ---- GMime's side: the tree ---- */

/* A transfer encoding both parsers read alike: one of RFC 2045's, alone.
 * Any other value GMime leaves undecoded, while libclamav guesses from it
 * ("bas64", "x-base64", "7bit base64" are base64 to it; an unknown value
 * turns on both of its decoders). */
static gboolean cte_plain(const char *raw)
{
	static const char *const known[] = {"7bit", "8bit", "binary", "base64", "quoted-printable"};
	char *v = g_strstrip(g_strdup(raw ? raw : ""));
	gboolean ok = FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(known) && !ok; i++)
		ok = g_ascii_strcasecmp(v, known[i]) == 0;
	g_free(v);
	return ok;
}

static void count_fields(struct agree *a, GMimeObject *o)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(o);
	int n = hl ? g_mime_header_list_get_count(hl) : 0, ct = 0, cte = 0;
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		ct += g_ascii_strcasecmp(name, "Content-Type") == 0;
		if (g_ascii_strcasecmp(name, "Content-Transfer-Encoding") == 0) {
			cte++;
			if (!cte_plain(g_mime_header_get_raw_value(h)))
				disagree(a, "a Content-Transfer-Encoding other than 7bit, 8bit, binary, base64 or "
					    "quoted-printable");
		}
	}
	if (ct > 1 || cte > 1)
		disagree(a, "a header block with two Content-Type or Content-Transfer-Encoding fields");
	a->ct += ct;
	a->cte += cte;
}

/* The boundary parameter as the header wrote it: once, plainly. */
static void add_bound(struct agree *a, GMimeMultipart *mp)
{
	const char *b = g_mime_multipart_get_boundary(mp);
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(mp));
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, "Content-Type") : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!b || !*b || !raw) {
		disagree(a, "a multipart without a boundary");
		return;
	}
	if (a->bounds->len >= AGREE_BOUNDS_MAX) {
		disagree(a, "more multiparts than are compared line by line");
		return;
	}
	char *low = g_ascii_strdown(raw, -1), *lb = g_ascii_strdown(b, -1);
	char *q = g_strdup_printf("boundary=\"%s\"", b), *u = g_strdup_printf("boundary=%s", b);
	if (count_boundary_params(low, strlen(low)) != 1 ||
	    (!strstr(raw, q) && !strstr(raw, u) && !strstr(low, q) && !strstr(low, u)))
		disagree(a, "a boundary parameter written in more than one way");
	for (guint i = 0; i < a->bounds->len; i++) {
		const struct agree_bound *o = &g_array_index(a->bounds, struct agree_bound, i);
		if (strstr(o->low, lb) || strstr(lb, o->low))
			disagree(a, "one boundary inside another");
	}
	struct agree_bound nb = {.b = g_strdup(b), .low = lb, .parts = g_mime_multipart_get_count(mp)};
	g_array_append_val(a->bounds, nb);
	g_free(low);
	g_free(q);
	g_free(u);
}

static void leaf_of(struct agree *a, GMimePart *p)
{
	char *type = mg_mime_type_of(GMIME_OBJECT(p));
	GMimeDataWrapper *w = g_mime_part_get_content(p);
	GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (g_str_has_prefix(type, "message/") || g_str_has_prefix(type, "multipart/"))
		disagree(a, "a container GMime keeps as one part (encoded message)");
	else if (strcmp(type, "text/html") == 0)
		disagree(a, "an HTML part (libclamav checks its links)");
	else if (!s || s->bound_start < 0 || s->bound_end < s->bound_start)
		disagree(a, "a part whose place in the message is not known");
	if (s && s->bound_start >= 0 && s->bound_end >= s->bound_start) {
		struct agree_range r = {s->bound_start, s->bound_end, g_mime_data_wrapper_get_encoding(w), 0, 0};
		g_array_append_val(a->ranges, r);
	}
	if (g_str_has_prefix(type, "text/"))
		g_ptr_array_add(a->texts, p);
	g_free(type);
}

static void walk(struct agree *a, GMimeObject *o, int depth)
{
	if (!o || depth > 256) {
		disagree(a, "an empty or too deep structure");
		return;
	}
	count_fields(a, o);
	char *type = mg_mime_type_of(o);
	a->containers += g_str_has_prefix(type, "multipart/") || g_str_has_prefix(type, "message/");
	g_free(type);
	if (GMIME_IS_MULTIPART(o)) {
		add_bound(a, GMIME_MULTIPART(o));
		for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o)); i++)
			walk(a, g_mime_multipart_get_part(GMIME_MULTIPART(o), i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		walk(a, m ? g_mime_message_get_mime_part(m) : NULL, depth + 1);
	} else if (GMIME_IS_PART(o)) {
		leaf_of(a, GMIME_PART(o));
	} else {
		disagree(a, "an object of unknown kind");
	}
}

/* ---- the raw side: line by line ---- */

/* The line as libclamav's boundary test reads it (mbox.c boundaryStart):
 * RFC 822 comments taken out once the line holds a '(' - "--Bou(x)ndary"
 * is the delimiter of "Boundary" to it - with its quoting and backslash
 * escapes.  Written to `out` (lower case in, lower case out). */
static void uncomment(GString *out, const char *low, gsize len)
{
	int level = 0;
	gboolean quoted = FALSE, escaped = FALSE;
	g_string_truncate(out, 0);
	for (gsize i = 0; i < len; i++) {
		char c = low[i];
		if (escaped || (c != '\\' && c != '"' && c != '(' && c != ')')) {
			if (level == 0)
				g_string_append_c(out, c);
			escaped = FALSE;
		} else if (c == '\\') {
			escaped = TRUE;
		} else if (c == '"') {
			g_string_append_c(out, c);
			quoted = !quoted;
		} else if (quoted) {
			g_string_append_c(out, c);
		} else {
			level = c == '(' ? level + 1 : MAX(level - 1, 0);
		}
	}
}

/* A line that holds a boundary in any case, as it is or without its
 * comments, must be a delimiter exactly. */
static void boundary_line(struct agree *a, const char *line, const char *low, gsize len, gboolean in_leaf)
{
	gsize k = 0, n = len, blen = len;
	const char *bare = low; /* the line without comments, as libclamav compares it */
	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k == len || (line[k] != '-' && line[k] != '('))
		return; /* no parser reads a boundary here: GMime wants "--" first, libclamav '-' or '(' */
	if (memchr(low, '(', len)) {
		uncomment(a->bare, low, len);
		bare = a->bare->str;
		blen = a->bare->len;
	}
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	for (guint i = 0; i < a->bounds->len; i++) {
		struct agree_bound *b = &g_array_index(a->bounds, struct agree_bound, i);
		gsize bl = strlen(b->b);
		if (!memmem(low, len, b->low, bl) && !memmem(bare, blen, b->low, bl))
			continue;
		if (n >= bl + 2 && line[0] == '-' && line[1] == '-' && memcmp(line + 2, b->b, bl) == 0 &&
		    (n == bl + 2 || (n == bl + 4 && line[bl + 2] == '-' && line[bl + 3] == '-'))) {
			if (n == bl + 2)
				b->opens++;
			else
				b->closes++;
		} else if (in_leaf || count_boundary_params(low, len) == 0) {
			disagree(a, "a line that holds a boundary but is not its delimiter");
		}
	}
}

static gboolean is_delimiter(const struct agree *a, const char *line, gsize len)
{
	if (len < 3 || line[0] != '-' || line[1] != '-')
		return FALSE;
	for (guint i = 0; i < a->bounds->len; i++) {
		const struct agree_bound *b = &g_array_index(a->bounds, struct agree_bound, i);
		if (len >= strlen(b->b) + 2 && memcmp(line + 2, b->b, strlen(b->b)) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The decoders part where an encoded leaf is not written plainly.
 * libclamav decodes base64 line by line and takes a '=' for the end of
 * the data on that line, then goes on with the next; GMime counts '=' as
 * a letter worth zero and drops bytes only for the '=' at the very end
 * ("====" before the data moves every byte of it for one and not the
 * other).  So '=' is only the final padding: after the last letter, at
 * most two, making the letters a multiple of four (checked at the end,
 * b64_end).  Quoted-printable: every '=' starts "=XX" in hex or ends the
 * line, and no line ends in a blank (transport padding the decoders
 * treat differently). */
/* Returns TRUE when the line holds nothing but the base64 alphabet, '='
 * and a final CR (raw_line then looks only for the markers such a line
 * can spell). */
static gboolean b64_line(struct agree *a, struct agree_range *r, const char *line, gsize len)
{
	gboolean plain = TRUE;
	for (gsize i = 0; i < len; i++) {
		char c = line[i];
		if (c == '=') {
			r->pad++;
		} else if (g_ascii_isalnum(c) || c == '+' || c == '/') {
			if (r->pad)
				disagree(a, "base64 with '=' before the end of its data");
			r->chars++;
		} else if (c != '\r' || i + 1 != len) {
			plain = FALSE;
		}
	}
	return plain;
}

/* The markers a line of the base64 alphabet can spell: every other one
 * holds a blank, '-', '<' or a letter after '=' (which b64_line refuses
 * already).  A 15 MB attachment is 200,000 such lines: the full search
 * was a third of the message's time. */
static gboolean b64_has_marker(const char *low, gsize len)
{
	return memmem(low, len, "binhex", 6) || (memchr(low, '=', len) && has_attr(low, len));
}

static void b64_end(struct agree *a)
{
	for (guint i = 0; i < a->ranges->len; i++) {
		const struct agree_range *r = &g_array_index(a->ranges, struct agree_range, i);
		if (r->enc == GMIME_CONTENT_ENCODING_BASE64 && (r->pad > 2 || (r->chars + r->pad) % 4 != 0))
			disagree(a, "base64 whose padding does not complete its last group");
	}
}

static void qp_line(struct agree *a, const char *line, gsize len)
{
	if (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		disagree(a, "a quoted-printable line that ends in a blank");
	for (const char *p = line, *end = line + len; (p = memchr(p, '=', (gsize)(end - p))) != NULL; p++) {
		if (p + 1 == end)
			break; /* a soft line break */
		if (p + 2 >= end || !g_ascii_isxdigit(p[1]) || !g_ascii_isxdigit(p[2]))
			disagree(a, "a quoted-printable '=' that is not \"=XX\" nor a soft line break");
		else
			p += 2;
	}
}

/* One raw line.  libclamav's mail parser reads every line of the message,
 * a part's content as much as its headers: an encoded file, a bounce's
 * MIME fields or markup there is found by it whatever the part's type, so
 * the raw lines of the leaves are searched too (their decoded text, for
 * text leaves, by text_leaf).  Its line reader drops NUL bytes (GMime keeps
 * them: "Content-T\0ype" is a field to one parser only). */
static void raw_line(struct agree *a, const char *line, gsize len, struct agree_range *leaf)
{
	gboolean in_leaf = leaf != NULL;
	if (memchr(line, '\0', len)) {
		disagree(a, "a NUL byte in the raw message (libclamav reads its lines without them)");
		return;
	}
	g_string_set_size(a->low, len);
	char *low = a->low->str;
	for (gsize i = 0; i < len; i++)
		low[i] = mg_mime_lower(line[i]);
	boundary_line(a, line, low, len, in_leaf);
	if (!in_leaf) {
		a->raw_ct += count_of(low, len, "content-type");
		a->raw_cte += count_of(low, len, "content-transfer-encoding");
		if (!is_delimiter(a, line, len))
			a->raw_boundary += count_boundary_params(low, len);
	}
	gboolean plain = FALSE;
	if (leaf && leaf->enc == GMIME_CONTENT_ENCODING_BASE64)
		plain = b64_line(a, leaf, line, len);
	else if (leaf && leaf->enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		qp_line(a, line, len);
	if (plain ? b64_has_marker(low, len)
		  : (len >= 6 && memcmp(low, "begin ", 6) == 0) || has_marker(low, len, !in_leaf))
		disagree(a, in_leaf ? "an encoded file, MIME fields or markup in the raw lines of a part"
				    : "an encoded file or markup outside the parts");
}

/* The leaf whose content holds offset `at`, or NULL; `cur` walks the
 * ranges in order. */
static struct agree_range *in_leaf(const struct agree *a, guint *cur, gint64 at)
{
	while (*cur < a->ranges->len && g_array_index(a->ranges, struct agree_range, *cur).end <= at)
		(*cur)++;
	if (*cur < a->ranges->len && g_array_index(a->ranges, struct agree_range, *cur).start <= at)
		return &g_array_index(a->ranges, struct agree_range, *cur);
	return NULL;
}

static void read_raw(struct agree *a, GMimeStream *s)
{
	GString *line = g_string_sized_new(256); /* a line split between two reads */
	char buf[AGREE_CHUNK];
	gssize got = 0;                                  /* read after the loop, which may not run */
	gint64 base = s->bound_start, at = 0, start = 0; /* offset of buf[0], of the line */
	guint cur = 0;
	g_mime_stream_reset(s);
	while (!a->why && (got = g_mime_stream_read(s, buf, sizeof buf)) > 0) {
		const char *p = buf, *end = buf + got;
		while (p < end && !a->why) {
			const char *nl = memchr(p, '\n', (gsize)(end - p));
			gsize n = (gsize)((nl ? nl : end) - p);
			if (line->len + n > AGREE_LINE_MAX)
				disagree(a, "a line longer than 998 bytes (libclamav reads it as several)");
			else if (!nl)
				g_string_append_len(line, p, (gssize)n);
			else if (line->len) {
				g_string_append_len(line, p, (gssize)n);
				raw_line(a, line->str, line->len, in_leaf(a, &cur, base + start));
				g_string_truncate(line, 0);
			} else {
				raw_line(a, p, n, in_leaf(a, &cur, base + start));
			}
			if (!nl)
				break;
			start = at + (nl - buf) + 1;
			p = nl + 1;
		}
		at += got;
	}
	if (got < 0)
		disagree(a, "the spool could not be read");
	if (!a->why && line->len)
		raw_line(a, line->str, line->len, in_leaf(a, &cur, base + start));
	g_string_free(line, TRUE);
}

/* ---- decoded text leaves ---- */

static void text_leaf(struct agree *a, GMimePart *p)
{
	GMimeDataWrapper *w = g_mime_part_get_content(p);
	GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (!raw) {
		disagree(a, "a text part without content");
		return;
	}
	GMimeStream *s = g_mime_stream_filter_new(raw);
	GMimeFilter *f = g_mime_filter_basic_new(g_mime_data_wrapper_get_encoding(w), FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(s), f);
	g_object_unref(f);
	g_mime_stream_reset(raw);
	char buf[AGREE_TAIL + AGREE_CHUNK];
	gsize carry = 1;
	gssize got = 0;
	buf[0] = '\n'; /* "begin " at the very start counts as a line start */
	while (!a->why && (got = g_mime_stream_read(s, buf + carry, AGREE_CHUNK)) > 0) {
		gsize len = carry;
		for (gsize i = carry; i < carry + (gsize)got; i++)
			if (buf[i]) /* without NUL bytes: a marker libclamav reads with them dropped or cut off there */
				buf[len++] = mg_mime_lower(buf[i]);
		if (has_marker(buf, len, FALSE))
			disagree(a, "a text part with an encoded file, MIME fields or markup");
		carry = MIN(len, (gsize)AGREE_TAIL);
		memmove(buf, buf + len - carry, carry);
	}
	if (got < 0)
		disagree(a, "a text part that cannot be decoded");
	g_object_unref(s);
}

static void counts_match(struct agree *a, gint64 prescan_containers)
{
	if (a->raw_ct != a->ct || a->raw_cte != a->cte)
		disagree(a, "Content-Type or Content-Transfer-Encoding text GMime did not read as a field");
	else if (a->raw_boundary != (gint64)a->bounds->len)
		disagree(a, "a boundary parameter GMime did not read as one");
	else if (prescan_containers != a->containers)
		disagree(a, "a container type GMime did not read as one");
	for (guint i = 0; i < a->bounds->len; i++) {
		const struct agree_bound *b = &g_array_index(a->bounds, struct agree_bound, i);
		if (b->opens != b->parts || b->closes != 1)
			disagree(a, "a multipart whose delimiters do not match its parts");
	}
}

gboolean mg_mime_agree(struct mg_txn *t)
{
	struct agree a = {.low = g_string_sized_new(256),
			  .bare = g_string_sized_new(256),
			  .ranges = g_array_new(FALSE, FALSE, sizeof(struct agree_range)),
			  .bounds = g_array_new(FALSE, FALSE, sizeof(struct agree_bound)),
			  .texts = g_ptr_array_new()};
	GMimeStream *s = NULL;
	if (!t->msg || !(s = mg_spool_stream(t->raw, NULL)))
		disagree(&a, "no parsed message");
	else
		walk(&a, g_mime_message_get_mime_part(t->msg), 0);
	if (!a.why)
		read_raw(&a, s);
	if (!a.why)
		b64_end(&a);
	if (!a.why)
		counts_match(&a, t->prescan_containers);
	for (guint i = 0; i < a.texts->len && !a.why; i++)
		text_leaf(&a, g_ptr_array_index(a.texts, i));
	t->mime_disagreement = a.why;
	t->mime_agreed = a.why == NULL;
	if (a.why)
		mg_debug(t->queue_id, "libclamav parses the message's MIME: %s", a.why);
	for (guint i = 0; i < a.bounds->len; i++) {
		g_free(g_array_index(a.bounds, struct agree_bound, i).b);
		g_free(g_array_index(a.bounds, struct agree_bound, i).low);
	}
	g_array_unref(a.bounds);
	g_array_unref(a.ranges);
	g_ptr_array_unref(a.texts);
	g_string_free(a.low, TRUE);
	g_string_free(a.bare, TRUE);
	if (s)
		g_object_unref(s);
	return a.why == NULL;
}
