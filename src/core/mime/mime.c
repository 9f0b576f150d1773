/*
 * mime.c - prescan, parse and part names (see mg_mime.h); the rebuild walk
 * is in walk.c.
 *
 * The prescan is a guard, not a parser: it counts Content-Type fields that
 * open containers (multipart/, message/) in the raw text, so that a message
 * with thousands of parts or deep nesting is refused before GMime (whose
 * parser recurses) ever sees it.  The count is an upper bound of both the
 * container count and the nesting depth.
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_log.h"
#include "mg_mime.h"
#include "mime_priv.h"
#include "mg_sha256.h"

char *mg_mime_lf(const char *s)
{
	GString *g = g_string_sized_new(strlen(s));
	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			g_string_append_c(g, *s);
	return g_string_free(g, FALSE);
}

char *mg_mime_type_of(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *t = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("text/plain");
	char *l = g_ascii_strdown(t, -1);
	g_free(t);
	return l;
}

/* Count container Content-Type fields in the raw message (case-insensitive,
 * folding allowed between the colon and the type).  Reads in blocks; the
 * last TAIL bytes of a block are carried into the next one and matches that
 * start there are counted only then, so none is missed or counted twice. */
#define PRESCAN_TAIL 64
gint64 mg_mime_count_in(const char *low, gsize len, gsize limit)
{
	static const char pat[] = "content-type:";
	const char *end = low + len;
	gint64 n = 0;
	/* memmem, not a string search: a NUL byte must not hide what follows */
	for (const char *p = low; (p = memmem(p, (gsize)(end - p), pat, sizeof pat - 1)) != NULL; p++) {
		if ((gsize)(p - low) >= limit)
			break;
		const char *v = p + sizeof pat - 1;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if ((end - v >= 10 && memcmp(v, "multipart/", 10) == 0) ||
		    (end - v >= 8 && memcmp(v, "message/", 8) == 0))
			n++;
	}
	return n;
}

static gint64 count_containers(GMimeStream *s)
{
	char buf[65536];
	gsize len = 0;
	gint64 n = 0;
	for (;;) {
		gssize got = g_mime_stream_read(s, buf + len, sizeof buf - len);
		gboolean eof = got <= 0;
		gsize old = len;
		len += eof ? 0 : (gsize)got;
		for (gsize i = old; i < len; i++) /* the carried tail is lower case already */
			buf[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] + ('a' - 'A') : buf[i]);
		gsize limit = eof ? len : (len > PRESCAN_TAIL ? len - PRESCAN_TAIL : 0);
		n += mg_mime_count_in(buf, len, limit);
		if (eof)
			return n;
		memmove(buf, buf + limit, len - limit);
		len -= limit;
	}
}

/* The message as received, or NULL after failing the message closed. */
static GMimeStream *raw_stream(struct mg_txn *t)
{
	GError *err = NULL;
	GMimeStream *s = mg_spool_stream(t->raw, &err);
	if (!s) {
		mg_txn_internal_error(t, "spool read", err);
		g_clear_error(&err);
	}
	return s;
}

/* Header blocks inside the body (of every MIME part and attached message)
 * are bounded too: GMime keeps each field as objects, 40 to 90 times its
 * size in memory (corpus sweep: one 3 MB To field or a million short
 * fields in an attached message took 0.7 to 1.2 GB), and only the top
 * header goes through max_header_*.  A block starts at the body, after a
 * line that begins with "--" (a boundary) or after the blank line that
 * ends a block, with a "name:" line; it ends at a blank line or at a line
 * that is neither a field nor a continuation.  Text that only looks like
 * a header must not be refused, so the bounds are HDR_SCALE times the
 * top-level ones: fields of all blocks together, bytes of one field. */
#define HDR_SCALE 10
enum hdr_line { HL_START, HL_NAME, HL_FIELD, HL_CONT, HL_DASH, HL_OTHER };

struct hdr_scan {
	gint64 fields, field_len, line_len;
	enum hdr_line kind;
	gboolean in_block, may_open, blank;
};

static void hdr_line_end(struct hdr_scan *h)
{
	gboolean field = h->kind == HL_FIELD, cont = h->kind == HL_CONT && !h->blank;
	if (h->blank || h->kind == HL_DASH || (!field && !cont)) {
		h->may_open = h->kind == HL_DASH || (h->blank && h->in_block);
		h->in_block = FALSE;
	} else if (field && (h->in_block || h->may_open)) {
		h->in_block = TRUE;
		h->may_open = FALSE;
		h->fields++;
		h->field_len = h->line_len;
	} else if (cont && h->in_block) {
		h->field_len += h->line_len;
	}
	h->kind = HL_START;
	h->line_len = 0;
	h->blank = TRUE;
}

static void hdr_char(struct hdr_scan *h, char c)
{
	if (c == '\n') {
		hdr_line_end(h);
		return;
	}
	h->line_len++;
	if (c == '\r')
		return;
	gboolean first = h->blank;
	h->blank = FALSE;
	if (first)
		h->kind = c == ' ' || c == '\t'            ? HL_CONT
			  : c == '-'                       ? HL_DASH
			  : c > ' ' && c < 127 && c != ':' ? HL_NAME
							   : HL_OTHER;
	else if (h->kind == HL_DASH && h->line_len == 2 && c != '-')
		h->kind = c > ' ' && c < 127 && c != ':' ? HL_NAME : c == ':' ? HL_FIELD : HL_OTHER;
	else if (h->kind == HL_NAME && c == ':')
		h->kind = HL_FIELD;
	else if (h->kind == HL_NAME && (c <= ' ' || c >= 127))
		h->kind = HL_OTHER;
}

static gboolean header_blocks_ok(struct mg_txn *t, GMimeStream *s)
{
	const struct mg_config *cfg = t->cfg;
	struct hdr_scan h = {.kind = HL_START, .may_open = TRUE, .blank = TRUE};
	char buf[65536];
	gssize got;
	g_mime_stream_seek(s, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET);
	while ((got = g_mime_stream_read(s, buf, sizeof buf)) > 0) {
		for (gssize i = 0; i < got; i++)
			hdr_char(&h, buf[i]);
		if (h.fields > HDR_SCALE * cfg->max_headers || h.field_len > HDR_SCALE * cfg->max_header_field ||
		    (h.kind == HL_CONT && h.in_block && h.field_len + h.line_len > HDR_SCALE * cfg->max_header_field))
			break;
	}
	hdr_line_end(&h);
	if (h.fields > HDR_SCALE * cfg->max_headers)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_headers",
			    "MIME part headers have more than %" G_GINT64_FORMAT " fields",
			    HDR_SCALE * cfg->max_headers);
	else if (h.field_len > HDR_SCALE * cfg->max_header_field)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_header_field",
			    "A MIME part header field exceeds %" G_GINT64_FORMAT " bytes",
			    HDR_SCALE * cfg->max_header_field);
	return !mg_txn_decided(t);
}

gboolean mg_mime_prescan(struct mg_txn *t)
{
	GMimeStream *s = raw_stream(t);
	if (!s)
		return FALSE;
	gint64 n = count_containers(s);
	if (n > t->cfg->max_mime_parts) {
		g_object_unref(s);
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
		return FALSE;
	}
	gboolean ok = header_blocks_ok(t, s);
	g_object_unref(s);
	return ok;
}

gboolean mg_mime_parse(struct mg_txn *t)
{
	GMimeStream *s = raw_stream(t);
	if (!s)
		return FALSE;
	/* Boundaries derive from the body only: the MTA adds its own trace
	 * fields (Received) to what the milter sees, and the milter and
	 * `mugaika sanitize` must write identical output. */
	struct mg_sha256 ck;
	char buf[65536];
	gssize n;
	mg_sha256_init(&ck);
	g_mime_stream_seek(s, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET);
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		mg_sha256_update(&ck, buf, (gsize)n);
	t->boundary_seed = g_malloc(65);
	mg_sha256_final_hex(&ck, t->boundary_seed);
	g_mime_stream_reset(s);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(p, TRUE);
	t->msg = g_mime_parser_construct_message(p, mg_charset_parser_options());
	g_object_unref(p);
	g_object_unref(s);
	if (!t->msg) {
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.6.0", "mime-parse", "Message could not be parsed as MIME");
		return FALSE;
	}
	return TRUE;
}

/* ---- filenames ----
 * Why a parameter parser here: GMime decodes RFC 2231 / RFC 2047 values
 * with iconv by label, which mangles ISO-2022-JP with NEC extensions and
 * cannot join an escape sequence split across continuations; so the raw
 * Content-Disposition / Content-Type value is split into parameters here
 * and the joined bytes go through mg_charset. */

struct param {
	char *name; /* lower case, with any "*N*" suffix */
	char *value;
};

static const char *param_value(const char *p, GString *v)
{
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			g_string_append_c(v, *p);
		}
		return *p ? p + 1 : p;
	}
	while (*p && *p != ';' && !g_ascii_isspace(*p))
		g_string_append_c(v, *p++);
	return p;
}

static GPtrArray *params_parse(const char *raw)
{
	GPtrArray *ps = g_ptr_array_new();
	const char *p = strchr(raw, ';');
	while (p && *p) {
		p += strspn(p, "; \t\r\n");
		const char *eq = strchr(p, '=');
		if (!*p || !eq)
			break;
		struct param *pa = g_new0(struct param, 1);
		pa->name = g_ascii_strdown(p, eq - p);
		g_strstrip(pa->name);
		p = eq + 1;
		p += strspn(p, " \t\r\n");
		GString *v = g_string_new(NULL);
		p = param_value(p, v);
		pa->value = g_string_free(v, FALSE);
		g_ptr_array_add(ps, pa);
		p = strchr(p, ';');
	}
	return ps;
}

static void params_free(GPtrArray *ps)
{
	for (guint i = 0; i < ps->len; i++) {
		struct param *pa = ps->pdata[i];
		g_free(pa->name);
		g_free(pa->value);
		g_free(pa);
	}
	g_ptr_array_free(ps, TRUE);
}

static const char *params_get(GPtrArray *ps, const char *name)
{
	for (guint i = 0; i < ps->len; i++)
		if (g_str_equal(((struct param *)ps->pdata[i])->name, name))
			return ((struct param *)ps->pdata[i])->value;
	return NULL;
}

/* Append %XX-decoded bytes; the first extended segment starts with
 * charset'language' which goes to *charset. */
static void pct_append(GString *b, const char *v, char **charset)
{
	if (charset && !*charset) {
		const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
		if (q2) {
			*charset = g_strndup(v, q1 - v);
			v = q2 + 1;
		}
	}
	for (; *v; v++) {
		if (v[0] == '%' && g_ascii_isxdigit(v[1]) && g_ascii_isxdigit(v[2])) {
			g_string_append_c(b, (char)(g_ascii_xdigit_value(v[1]) * 16 + g_ascii_xdigit_value(v[2])));
			v += 2;
		} else {
			g_string_append_c(b, *v);
		}
	}
}

static char *param_decode(GPtrArray *ps, const char *name)
{
	char *key = g_strdup_printf("%s*", name), *charset = NULL, *out = NULL;
	const char *v = params_get(ps, key);
	GString *b = g_string_new(NULL);
	if (v)
		pct_append(b, v, &charset);
	for (int i = 0; !v && i < 1000; i++) { /* RFC 2231 continuations */
		char *k = g_strdup_printf("%s*%d", name, i), *kx = g_strdup_printf("%s*%d*", name, i);
		const char *s = params_get(ps, k), *sx = params_get(ps, kx);
		if (sx)
			pct_append(b, sx, i == 0 ? &charset : NULL);
		else if (s)
			g_string_append(b, s);
		g_free(k);
		g_free(kx);
		if (!s && !sx)
			break;
	}
	if (b->len)
		out = mg_charset_to_utf8(b->str, b->len, charset && *charset ? charset : NULL, NULL);
	else if ((v = params_get(ps, name)) != NULL)
		out = mg_charset_decode_header(v); /* RFC 2047 in quotes, or raw 8-bit */
	g_string_free(b, TRUE);
	g_free(charset);
	g_free(key);
	return out;
}

static char *header_param(GMimeObject *obj, const char *header, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, header) : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (!raw)
		return NULL;
	GPtrArray *ps = params_parse(raw);
	char *v = param_decode(ps, name);
	params_free(ps);
	return v;
}

/* Control characters and bidirectional formatting characters (U+202E
 * turns "txt.exe" into "exe.txt" on screen) become '_'. */
static char *name_clean(const char *v)
{
	GString *g = g_string_sized_new(strlen(v));
	for (const char *p = v; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gboolean bad = c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x061C || c == 0x200E ||
			       c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
		if (bad)
			g_string_append_c(g, '_');
		else
			g_string_append_unichar(g, c);
	}
	return g_string_free(g, FALSE);
}

char *mg_mime_part_filename(GMimePart *part)
{
	char *v = header_param(GMIME_OBJECT(part), "Content-Disposition", "filename");
	if (!v || !*v) {
		g_free(v);
		v = header_param(GMIME_OBJECT(part), "Content-Type", "name");
	}
	if (!v)
		return NULL;
	char *clean = name_clean(v);
	g_free(v);
	v = g_strstrip(clean);
	if (!*v) {
		g_free(v);
		return NULL;
	}
	return v;
}
