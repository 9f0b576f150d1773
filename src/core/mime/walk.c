/*
 * walk.c - the rebuild walk (see mg_mime.h): a new MIME tree from the
 * parsed original, every leaf handed to the step sequence's callback.
 *
 * Nothing disappears unannounced (issue 12, Deliver 3).  Where the
 * structure is broken or unusual, the walk still accounts for every part:
 *  - a multipart in which no part could be found (no boundary parameter,
 *    a boundary that never occurs, a Content-Transfer-Encoding on the
 *    multipart, bare CRs turned into spaces by the MTA) is delivered as
 *    the text it is, decoded by its transfer encoding, through the body
 *    text path: what a mail client would have shown, never a file;
 *  - multipart/signed delivers every part but the signatures, whatever
 *    their order and number;
 *  - in multipart/alternative the last text/plain alternative with content
 *    is chosen (what a client shows); files inside the alternatives not
 *    chosen (a PDF in the multipart/related of the HTML version) follow as
 *    attachments under the attachment policy;
 *  - a message/rfc822 (or message/global) part with a base64 or
 *    quoted-printable encoding, and an application/octet-stream part named
 *    .eml that holds a message, is parsed and rebuilt like an unencoded
 *    attached message (issue 12, Deliver 6);
 *  - every container is delivered as multipart/mixed (or message/rfc822):
 *    the sender's subtype (report, digest, x-anything) is not copied.
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"
#include "mg_mime.h"
#include "mg_sha256.h"
#include "mg_smime.h"
#include "mime_priv.h"

struct rebuild {
	struct mg_txn *t;
	gint64 parts;
	mg_leaf_fn fn; /* the step sequence decides each leaf */
	void *fn_data;
};

static GMimeObject *rebuild_object(struct rebuild *rb, GMimeObject *obj, const char *path, int depth);

static gboolean rebuild_limits(struct rebuild *rb, int depth)
{
	struct mg_txn *t = rb->t;
	if (depth > t->cfg->max_mime_depth)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_depth",
			    "MIME nesting deeper than %" G_GINT64_FORMAT, t->cfg->max_mime_depth);
	else if (++rb->parts > t->cfg->max_mime_parts)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
	else if (mg_txn_past_deadline(t))
		mg_txn_internal_error(t, "processing time limit exceeded", NULL);
	return !mg_txn_decided(t);
}

static char *child_path(const char *path, int i)
{
	return *path ? g_strdup_printf("%s.%d", path, i) : g_strdup_printf("%d", i);
}

/* A container none of whose parts is delivered is not delivered either:
 * RFC 2046 wants at least one body part, and a client reads an empty
 * multipart as a broken one (corpus sweep: every part of a nested
 * multipart removed).  The removed parts are in the report and notice. */
static GMimeObject *unless_empty(GMimeMultipart *out)
{
	if (g_mime_multipart_get_count(out) > 0)
		return GMIME_OBJECT(out);
	g_object_unref(out);
	return NULL;
}

static GMimeObject *rebuild_children(struct rebuild *rb, GMimeMultipart *mp, const char *sub, const char *path,
				     int depth)
{
	GMimeMultipart *out = g_mime_multipart_new_with_subtype(sub);
	char *b = mg_txn_boundary(rb->t);
	g_mime_multipart_set_boundary(out, b);
	g_free(b);
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n && !mg_txn_decided(rb->t); i++) {
		char *cp = child_path(path, i + 1);
		GMimeObject *c = rebuild_object(rb, g_mime_multipart_get_part(mp, i), cp, depth + 1);
		if (c) {
			g_mime_multipart_add(out, c);
			g_object_unref(c);
		}
		g_free(cp);
	}
	return unless_empty(out);
}

/* Encrypted or opaque-signed content cannot be read: encrypted_action. */
static gboolean is_encrypted(GMimeObject *obj)
{
	char *type = mg_mime_type_of(obj);
	gboolean enc = GMIME_IS_MULTIPART_ENCRYPTED(obj) || g_str_equal(type, "application/pkcs7-mime") ||
		       g_str_equal(type, "application/x-pkcs7-mime") || g_str_equal(type, "application/pgp-encrypted");
	g_free(type);
	return enc;
}

/* The MIME entity inside opaque-signed S/MIME, parsed under the same
 * container guard as the whole message (GMime's parser recurses); NULL
 * when it cannot be had. */
static GMimeObject *opaque_signed_entity(struct rebuild *rb, GMimeObject *obj)
{
	GByteArray *der = g_byte_array_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(der);
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	GMimeObject *entity = NULL;
	if (!w || g_mime_data_wrapper_write_to_stream(w, mem) < 0)
		goto done;
	GBytes *content = mg_smime_signed_content(der->data, der->len);
	if (!content)
		goto done;
	gsize n = 0;
	const char *data = g_bytes_get_data(content, &n);
	char *low = g_ascii_strdown(data ? data : "", (gssize)n);
	gint64 containers = mg_mime_count_in(low, n, n);
	g_free(low);
	if (containers + rb->parts <= rb->t->cfg->max_mime_parts) {
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, n);
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		entity = g_mime_parser_construct_part(p, mg_charset_parser_options());
		g_object_unref(p);
		g_object_unref(s);
	}
	g_bytes_unref(content);
done:
	g_object_unref(mem); /* owns der */
	return entity;
}

static GMimeObject *rebuild_encrypted(struct rebuild *rb, GMimeObject *obj, const char *path, int depth)
{
	struct mg_txn *t = rb->t;
	const char *st = g_mime_object_get_content_type_parameter(obj, "smime-type");
	gboolean opaque_signed = st && g_ascii_strcasecmp(st, "signed-data") == 0;
	GMimeObject *inner = opaque_signed ? opaque_signed_entity(rb, obj) : NULL;
	if (inner) { /* like multipart/signed: the content, without its signature */
		mg_txn_event_once(t, "signature-removed");
		char *cp = child_path(path, 1);
		GMimeObject *c = rebuild_object(rb, inner, cp, depth + 1);
		g_free(cp);
		g_object_unref(inner);
		return c;
	}
	if (t->cfg->encrypted_action == 0) {
		if (opaque_signed)
			mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.7.1", "encrypted_action",
				    "Opaque-signed S/MIME cannot be sanitized; send it clear-signed or unsigned");
		else
			mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.7.1", "encrypted_action",
				    "Encrypted content cannot be sanitized; send the message unencrypted");
		return NULL;
	}
	struct mg_part_report *pr = mg_report_add_part(t->report, *path ? path : "1");
	pr->declared_type = mg_mime_type_of(obj);
	pr->action = MG_ACTION_REMOVED;
	pr->reason = g_strdup(opaque_signed ? "opaque-signed S/MIME content cannot be sanitized"
					    : "encrypted content cannot be sanitized");
	mg_txn_event_once(t, "encrypted-removed");
	return NULL;
}

static gboolean is_signature(GMimeObject *obj)
{
	static const char *const sig[] = {"application/pkcs7-signature", "application/x-pkcs7-signature",
					  "application/pgp-signature"};
	char *type = mg_mime_type_of(obj);
	gboolean yes = FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(sig); i++)
		yes = yes || g_str_equal(type, sig[i]);
	g_free(type);
	return yes;
}

static GMimeMultipart *new_mixed(struct rebuild *rb)
{
	GMimeMultipart *out = g_mime_multipart_new_with_subtype("mixed");
	char *b = mg_txn_boundary(rb->t);
	g_mime_multipart_set_boundary(out, b);
	g_free(b);
	return out;
}

static void add_rebuilt(struct rebuild *rb, GMimeMultipart *out, GMimeObject *orig, const char *path, int i, int depth)
{
	char *cp = child_path(path, i + 1);
	GMimeObject *c = rebuild_object(rb, orig, cp, depth + 1);
	if (c) {
		g_mime_multipart_add(out, c);
		g_object_unref(c);
	}
	g_free(cp);
}

/* multipart/signed: the signature cannot survive rebuilding; deliver the
 * signed content alone - every part that is not a signature, whatever the
 * order (a signature first used to take the content's place and the
 * content parts were dropped unannounced). */
static GMimeObject *rebuild_signed(struct rebuild *rb, GMimeMultipart *mp, const char *path, int depth)
{
	int n = g_mime_multipart_get_count(mp), content = 0, only = -1;
	mg_txn_event_once(rb->t, "signature-removed");
	for (int i = 0; i < n; i++)
		if (!is_signature(g_mime_multipart_get_part(mp, i))) {
			content++;
			only = i;
		}
	if (content == 1) {
		char *cp = child_path(path, only + 1);
		GMimeObject *c = rebuild_object(rb, g_mime_multipart_get_part(mp, only), cp, depth + 1);
		g_free(cp);
		return c;
	}
	if (content == 0)
		return NULL;
	GMimeMultipart *out = new_mixed(rb);
	for (int i = 0; i < n && !mg_txn_decided(rb->t); i++)
		if (!is_signature(g_mime_multipart_get_part(mp, i)))
			add_rebuilt(rb, out, g_mime_multipart_get_part(mp, i), path, i, depth);
	return unless_empty(out);
}

/* A plain alternative that only points at the HTML one: blank, or short
 * (at most `max` non-blank characters) and saying one of the known stub
 * phrases ("This is an HTML message...", "HTMLメールです", a MIME
 * preamble).  A short real reply (Gmail and iPhone send two lines of
 * plain text with their HTML) is not a stub, nor is text that merely
 * mentions HTML. */
static gboolean plain_is_stub(GMimeObject *obj, gint64 max)
{
	static const char *const marks[] = {
		"html message",       "html-formatted",        "html format",       "html capable",
		"html-capable",       "html compatible",       "html e-mail",       "html email",
		"html mail",          "does not support html", "view this message", "view this email",
		"multi-part message", "multipart message",     "htmlメール",        "html形式",
		"ｈｔｍｌメール",     "ｈｔｍｌ形式",          "view in html",      "html version",
		"web browser",
	};
	if (!GMIME_IS_PART(obj))
		return FALSE;
	char *text = mg_charset_part_text(GMIME_PART(obj));
	gint64 n = 0;
	for (const char *p = text; *p && n <= max; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			n++;
	gboolean stub = n == 0;
	char *low = n <= max ? g_utf8_strdown(text, -1) : NULL;
	for (gsize i = 0; low && !stub && i < G_N_ELEMENTS(marks); i++)
		stub = strstr(low, marks[i]) != NULL;
	g_free(low);
	g_free(text);
	return stub;
}

static gboolean is_type(GMimeObject *obj, const char *type)
{
	char *t = mg_mime_type_of(obj);
	gboolean yes = g_str_equal(t, type);
	g_free(t);
	return yes;
}

/* multipart/alternative: the text/plain alternative unless it is a stub
 * (the last one, as a client shows the last it can), else the HTML
 * (text/html or a multipart/related holding it); -1 when there is
 * neither. */
static int alternative_choice(struct rebuild *rb, GMimeMultipart *mp)
{
	int plain = -1, html = -1, n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		if (GMIME_IS_PART(c) && is_type(c, "text/plain"))
			plain = i;
		else if (html < 0 && ((GMIME_IS_PART(c) && is_type(c, "text/html")) ||
				      (GMIME_IS_MULTIPART(c) && is_type(c, "multipart/related"))))
			html = i;
	}
	if (plain >= 0 &&
	    (html < 0 || !plain_is_stub(g_mime_multipart_get_part(mp, plain), rb->t->cfg->alternative_stub_chars)))
		return plain;
	return html;
}

/* A text form of the body (dropped when not chosen)? */
static gboolean is_body_alternative(GMimeObject *c)
{
	return is_type(c, "text/plain") || is_type(c, "text/html") || is_type(c, "multipart/related") ||
	       is_type(c, "multipart/alternative");
}

/* The files inside an alternative that is not chosen: every leaf that is
 * not a text form of the body (a PDF or image in the multipart/related of
 * the HTML version), at any depth.  TRUE when there is one. */
static gboolean has_files(GMimeObject *obj)
{
	if (!GMIME_IS_MULTIPART(obj))
		return !is_body_alternative(obj);
	for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(obj)); i++)
		if (has_files(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i)))
			return TRUE;
	return FALSE;
}

static void add_files(struct rebuild *rb, GMimeMultipart *out, GMimeObject *obj, const char *path, int i, int depth)
{
	if (!GMIME_IS_MULTIPART(obj)) {
		if (!is_body_alternative(obj))
			add_rebuilt(rb, out, obj, path, i, depth);
		return;
	}
	char *cp = child_path(path, i + 1);
	GMimeMultipart *mp = GMIME_MULTIPART(obj);
	for (int j = 0; j < g_mime_multipart_get_count(mp) && !mg_txn_decided(rb->t); j++)
		add_files(rb, out, g_mime_multipart_get_part(mp, j), cp, j, depth + 1);
	g_free(cp);
}

/* The chosen alternative, then the files of the others (a text/calendar
 * of an invitation, attachments in the HTML version's multipart/related)
 * as attachments under the attachment policy instead of being dropped. */
static GMimeObject *rebuild_alternative(struct rebuild *rb, GMimeMultipart *mp, int chosen, const char *path, int depth)
{
	int n = g_mime_multipart_get_count(mp), extras = 0;
	for (int j = 0; j < n; j++)
		extras += j != chosen && has_files(g_mime_multipart_get_part(mp, j));
	if (extras == 0) {
		char *cp = child_path(path, chosen + 1);
		GMimeObject *c = rebuild_object(rb, g_mime_multipart_get_part(mp, chosen), cp, depth + 1);
		g_free(cp);
		return c;
	}
	GMimeMultipart *out = new_mixed(rb);
	add_rebuilt(rb, out, g_mime_multipart_get_part(mp, chosen), path, chosen, depth);
	for (int j = 0; j < n && !mg_txn_decided(rb->t); j++)
		if (j != chosen)
			add_files(rb, out, g_mime_multipart_get_part(mp, j), path, j, depth);
	return unless_empty(out);
}

/* A multipart in which no part was found: its text (GMime keeps it as the
 * prologue), decoded by the multipart's own transfer encoding, goes the
 * body text path as a plain text leaf - what a mail client shows of it. */
static GMimeObject *rebuild_unsplit(struct rebuild *rb, GMimeMultipart *mp, const char *path, int depth)
{
	const char *pro = g_mime_multipart_get_prologue(mp), *epi = g_mime_multipart_get_epilogue(mp);
	GString *g = g_string_new(pro ? pro : "");
	g_string_append(g, epi ? epi : "");
	gboolean blank = TRUE;
	for (gsize i = 0; i < g->len && blank; i++)
		blank = g_ascii_isspace(g->str[i]);
	GMimeObject *out = NULL;
	if (!blank) {
		const char *cte = g_mime_object_get_header(GMIME_OBJECT(mp), "Content-Transfer-Encoding");
		GMimePart *p = g_mime_part_new_with_type("text", "plain");
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(g->str, g->len);
		GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(
			s, cte ? g_mime_content_encoding_from_string(cte) : GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(p, w);
		g_object_unref(w);
		g_object_unref(s);
		mg_txn_event_once(rb->t, "mime-unsplit");
		out = mg_leaf_run(rb->t, p, *path ? path : "1", depth, rb->fn, rb->fn_data);
		g_object_unref(p);
	}
	g_string_free(g, TRUE);
	return out;
}

/* RFC 2046 bchars: the characters a boundary may hold. */
static gboolean is_bchars(const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && !strchr("'()+_,-./:=? ", s[i]))
			return FALSE;
	return n > 0 && n <= 200 && s[n - 1] != ' ';
}

/* A line "--TOKEN" in a prologue or epilogue that opens a part of its own:
 * TOKEN is no close delimiter and not the container's own boundary, and
 * the next line is a header field.  Returns where the line starts, and
 * the token when `token` is not NULL; NULL when there is none. */
static const char *hidden_start(const char *text, const char *own, char **token)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		gsize len = eol ? (gsize)(eol - p) : strlen(p);
		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		const char *next = eol ? eol + 1 : NULL;
		gsize name = next ? strcspn(next, ": \t\r\n") : 0;
		if (len > 2 && p[0] == '-' && p[1] == '-' && is_bchars(p + 2, len - 2) &&
		    !(len > 4 && p[len - 1] == '-' && p[len - 2] == '-') && name > 0 && next[name] == ':' &&
		    !(own && strlen(own) == len - 2 && strncmp(own, p + 2, len - 2) == 0)) {
			if (token)
				*token = g_strndup(p + 2, len - 2);
			return p;
		}
		p = next;
	}
	return NULL;
}

/* The parts hidden in `text` (a prologue or epilogue delimited by another
 * boundary: `boundary=X; boundary=Y` with parts under both), rebuilt like
 * any other part and added to `out`.  A client that reads the other
 * boundary shows them; dropping them said nothing (corpus sweep: ClamAV's
 * clam.mail-multiple-boundaries.eml, an executable after the first
 * boundary's close delimiter, left neither delivered nor announced). */
static void add_hidden(struct rebuild *rb, GMimeMultipart *out, const char *text, const char *own, const char *path,
		       int *next, int depth)
{
	char *token = NULL;
	const char *start = text ? hidden_start(text, own, &token) : NULL;
	if (!start)
		return;
	gsize n = strlen(start);
	char *low = g_ascii_strdown(start, (gssize)n);
	gint64 containers = mg_mime_count_in(low, n, n);
	g_free(low);
	GMimeObject *entity = NULL;
	if (containers + rb->parts <= rb->t->cfg->max_mime_parts) {
		GString *g = g_string_new(NULL);
		g_string_printf(g, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", token);
		g_string_append_len(g, start, (gssize)n);
		GMimeStream *st = g_mime_stream_mem_new_with_buffer(g->str, g->len);
		GMimeParser *p = g_mime_parser_new_with_stream(st);
		entity = g_mime_parser_construct_part(p, mg_charset_parser_options());
		g_object_unref(p);
		g_object_unref(st);
		g_string_free(g, TRUE);
	} else {
		mg_txn_fail(rb->t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", rb->t->cfg->max_mime_parts);
	}
	if (entity && GMIME_IS_MULTIPART(entity)) {
		GMimeMultipart *mp = GMIME_MULTIPART(entity);
		for (int i = 0; i < g_mime_multipart_get_count(mp) && !mg_txn_decided(rb->t); i++)
			add_rebuilt(rb, out, g_mime_multipart_get_part(mp, i), path, (*next)++, depth);
	}
	if (entity)
		g_object_unref(entity);
	g_free(token);
}

/* `built` (the container as rebuilt, may be NULL), with the parts hidden
 * in its prologue and epilogue around it when there are any. */
static GMimeObject *with_hidden(struct rebuild *rb, GMimeMultipart *mp, GMimeObject *built, const char *path, int depth)
{
	const char *pro = g_mime_multipart_get_prologue(mp), *epi = g_mime_multipart_get_epilogue(mp);
	const char *own = g_mime_multipart_get_boundary(mp);
	gboolean any = (pro && hidden_start(pro, own, NULL)) || (epi && hidden_start(epi, own, NULL));
	if (!any || mg_txn_decided(rb->t))
		return built;
	GMimeMultipart *out = new_mixed(rb);
	int next = g_mime_multipart_get_count(mp);
	add_hidden(rb, out, pro, own, path, &next, depth);
	if (built) {
		g_mime_multipart_add(out, built);
		g_object_unref(built);
	}
	add_hidden(rb, out, epi, own, path, &next, depth);
	return unless_empty(out);
}

static GMimeObject *rebuild_multipart(struct rebuild *rb, GMimeMultipart *mp, const char *path, int depth)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(mp));
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	if (is_encrypted(GMIME_OBJECT(mp)))
		return rebuild_encrypted(rb, GMIME_OBJECT(mp), path, depth);
	if (g_mime_multipart_get_count(mp) == 0)
		return rebuild_unsplit(rb, mp, path, depth);
	if (GMIME_IS_MULTIPART_SIGNED(mp))
		return with_hidden(rb, mp, rebuild_signed(rb, mp, path, depth), path, depth);
	if (sub && g_ascii_strcasecmp(sub, "alternative") == 0) {
		int i = alternative_choice(rb, mp);
		if (i >= 0)
			return with_hidden(rb, mp, rebuild_alternative(rb, mp, i, path, depth), path, depth);
	}
	/* every container goes out as multipart/mixed: related and alternative
	 * lose their meaning once HTML is gone, and the sender's subtype
	 * (report, digest, x-anything) is a claim like any other */
	return with_hidden(rb, mp, rebuild_children(rb, mp, "mixed", path, depth), path, depth);
}

/* The name an attached message's field is copied under: without a UTF-8
 * byte order mark before it (an editor's BOM at the start of a saved
 * message), or NULL when what is left is not a field name (RFC 5322
 * ftext) - copied as it was, it made the attached message's header
 * block start with a line that is no field (corpus sweep: mime-tools
 * utf8-bom-at-start.msg, forwarded). */
static const char *inner_field_name(const char *name)
{
	if (g_str_has_prefix(name, "\xef\xbb\xbf"))
		name += 3;
	for (const char *p = name; *p; p++)
		if (*p < 33 || *p > 126 || *p == ':')
			return NULL;
	return *name ? name : NULL;
}

/* Header fields of an attached message that survive rebuilding. */
static gboolean keep_inner_header(const char *name)
{
	return name &&
	       !(g_ascii_strncasecmp(name, "Content-", 8) == 0 || g_ascii_strcasecmp(name, "MIME-Version") == 0 ||
		 g_ascii_strncasecmp(name, "X-Mugaika-", 10) == 0);
}

/* Every field goes through the header encoder (decoded with the relay's
 * decoders: CP50220, split words, mislabels; written again cleanly); a
 * field that is clean already keeps its bytes. */
static void inner_header_copy(struct mg_txn *t, GMimeHeaderList *nl, const char *name, GMimeHeader *h)
{
	const char *raw = g_mime_header_get_raw_value(h);
	char *value = g_strchomp(g_strdup(raw ? raw : ""));
	char *clean = mg_hdrenc_field(name, value, t->cfg->body_charset == 1 ? MG_HDRENC_JIS : MG_HDRENC_UTF8);
	const char *v = clean ? clean : value + strspn(value, " \t");
	g_mime_header_list_append(nl, name, v, NULL);
	char *r = g_strdup_printf(" %s\n", v);
	g_mime_header_set_raw_value(g_mime_header_list_get_header_at(nl, g_mime_header_list_get_count(nl) - 1), r);
	g_free(r);
	g_free(clean);
	g_free(value);
}

/* A new message/rfc822 part for the message `inner` (may be NULL) that
 * `container` held, with the disposition's kind and nothing else of it. */
static GMimeObject *rebuild_inner(struct rebuild *rb, GMimeMessage *inner, GMimeObject *container, const char *path,
				  int depth)
{
	GMimeMessage *nm = g_mime_message_new(FALSE);
	GMimeMessagePart *out = g_mime_message_part_new("rfc822");
	if (inner) {
		GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(inner));
		GMimeHeaderList *nl = g_mime_object_get_header_list(GMIME_OBJECT(nm));
		for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
			const char *name = inner_field_name(g_mime_header_get_name(h));
			if (keep_inner_header(name))
				inner_header_copy(rb->t, nl, name, h);
		}
		GMimeObject *body = g_mime_message_get_mime_part(inner);
		char *cp = child_path(path, 1);
		rb->t->in_attached++;
		GMimeObject *nb = body ? rebuild_object(rb, body, *path ? path : cp, depth + 1) : NULL;
		rb->t->in_attached--;
		g_free(cp);
		if (nb) {
			g_mime_message_set_mime_part(nm, nb);
			g_object_unref(nb);
		}
	}
	g_mime_message_part_set_message(out, nm);
	g_object_unref(nm);
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(container);
	const char *disp = d ? g_mime_content_disposition_get_disposition(d) : NULL;
	if (disp)
		g_mime_object_set_disposition(GMIME_OBJECT(out),
					      g_ascii_strcasecmp(disp, "inline") == 0 ? "inline" : "attachment");
	return GMIME_OBJECT(out);
}

static GMimeObject *rebuild_message_part(struct rebuild *rb, GMimeMessagePart *mpart, const char *path, int depth)
{
	return rebuild_inner(rb, g_mime_message_part_get_message(mpart), GMIME_OBJECT(mpart), path, depth);
}

/* ---- an attached message in a transfer encoding (issue 12) ----
 * RFC 2046 allows only 7bit, 8bit or binary on message/rfc822, so GMime
 * keeps a base64 or quoted-printable one as a leaf; mail clients open it
 * as a message all the same.  Likewise a message sent as
 * application/octet-stream and named .eml. */

static gboolean named_eml(GMimePart *part)
{
	char *name = mg_mime_part_filename(part);
	gboolean yes = name && g_str_has_suffix(name, ".eml");
	if (name && !yes) {
		char *low = g_ascii_strdown(name, -1);
		yes = g_str_has_suffix(low, ".eml");
		g_free(low);
	}
	g_free(name);
	return yes;
}

static gboolean is_encoded_message(GMimeObject *obj)
{
	if (!GMIME_IS_PART(obj) || GMIME_IS_MESSAGE_PARTIAL(obj))
		return FALSE;
	return is_type(obj, "message/rfc822") || is_type(obj, "message/global") ||
	       (is_type(obj, "application/octet-stream") && named_eml(GMIME_PART(obj)));
}

/* Its first line is a header field and a blank line ends the header. */
static gboolean looks_like_message(const char *d, gsize n)
{
	gsize i = 0;
	while (i < n && d[i] > ' ' && d[i] < 127 && d[i] != ':')
		i++;
	return i > 0 && i < n && d[i] == ':' &&
	       (g_strstr_len(d, (gssize)n, "\n\n") || g_strstr_len(d, (gssize)n, "\r\n\r\n"));
}

/* The decoded content parsed as a message, under the container guard and
 * max_part_size; NULL when it is not one (the leaf path decides then).
 * The decoded bytes' size and hash go to *size and hex. */
static GMimeMessage *encoded_message(struct rebuild *rb, GMimePart *part, gint64 *size, char hex[65])
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *enc = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (!enc || g_mime_stream_length(enc) > rb->t->cfg->max_part_size * 2)
		return NULL;
	GByteArray *ba = g_byte_array_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(ba);
	GMimeMessage *m = NULL;
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0 || (gint64)ba->len > rb->t->cfg->max_part_size ||
	    !looks_like_message((const char *)ba->data, ba->len))
		goto done;
	char *low = g_ascii_strdown((const char *)ba->data, (gssize)ba->len);
	gint64 containers = mg_mime_count_in(low, ba->len, ba->len);
	g_free(low);
	if (containers + rb->parts > rb->t->cfg->max_mime_parts)
		goto done;
	*size = (gint64)ba->len;
	mg_sha256_hex(ba->data, ba->len, hex);
	g_mime_stream_reset(mem);
	GMimeParser *p = g_mime_parser_new_with_stream(mem);
	g_mime_parser_set_format(p, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(p, mg_charset_parser_options());
	g_object_unref(p);
done:
	g_object_unref(mem); /* owns ba */
	return m;
}

/* Opened and rebuilt like a forwarded message; the report (and so the
 * notice) says so, under the name it came with. */
static GMimeObject *rebuild_encoded_message(struct rebuild *rb, GMimeObject *obj, const char *path, int depth)
{
	gint64 size = 0;
	char hex[65] = "";
	GMimeMessage *m = encoded_message(rb, GMIME_PART(obj), &size, hex);
	if (!m)
		return mg_leaf_run(rb->t, GMIME_PART(obj), *path ? path : "1", depth, rb->fn, rb->fn_data);
	struct mg_part_report *pr = mg_report_add_part(rb->t->report, *path ? path : "1");
	pr->declared_type = mg_mime_type_of(obj);
	pr->filename = mg_mime_part_filename(GMIME_PART(obj));
	pr->size = size;
	memcpy(pr->sha256, hex, sizeof pr->sha256);
	pr->action = MG_ACTION_CONVERTED;
	pr->reason =
		g_strdup("attached message sent encoded or as a file: opened and sanitized like a forwarded message");
	pr->new_type = g_strdup("message/rfc822");
	GMimeObject *out = rebuild_inner(rb, m, obj, path, depth);
	g_object_unref(m);
	return out;
}

/* A fragment (message/partial) or a pointer to content elsewhere
 * (message/external-body): neither can be checked here.  GMime models a
 * fragment as a subclass of GMimePart and an external body as a plain
 * part, so this is asked before the leaf test (corpus sweep: fragments
 * 2..n passed as kept text/plain). */
static gboolean is_unsupported_message(GMimeObject *obj)
{
	return GMIME_IS_MESSAGE_PARTIAL(obj) || is_type(obj, "message/partial") ||
	       is_type(obj, "message/external-body");
}

static GMimeObject *rebuild_object(struct rebuild *rb, GMimeObject *obj, const char *path, int depth)
{
	if (!rebuild_limits(rb, depth))
		return NULL;
	if (GMIME_IS_MULTIPART(obj))
		return rebuild_multipart(rb, GMIME_MULTIPART(obj), path, depth);
	if (GMIME_IS_MESSAGE_PART(obj))
		return rebuild_message_part(rb, GMIME_MESSAGE_PART(obj), path, depth);
	if (is_encrypted(obj))
		return rebuild_encrypted(rb, obj, path, depth);
	if (is_encoded_message(obj))
		return rebuild_encoded_message(rb, obj, path, depth);
	if (GMIME_IS_PART(obj) && !is_unsupported_message(obj))
		return mg_leaf_run(rb->t, GMIME_PART(obj), *path ? path : "1", depth, rb->fn, rb->fn_data);
	/* message/partial, external bodies and anything else GMime models separately */
	struct mg_part_report *pr = mg_report_add_part(rb->t->report, *path ? path : "1");
	pr->declared_type = mg_mime_type_of(obj);
	pr->action = MG_ACTION_REMOVED;
	pr->reason = g_strdup("unsupported MIME container (message/partial or external body)");
	return NULL;
}

gboolean mg_mime_rebuild(struct mg_txn *t, mg_leaf_fn fn, void *data)
{
	struct rebuild rb = {.t = t, .fn = fn, .fn_data = data};
	GMimeObject *body = g_mime_message_get_mime_part(t->msg);
	if (!body) { /* headers only: an empty text body */
		t->new_top = GMIME_OBJECT(g_mime_text_part_new_with_subtype("plain"));
		g_mime_text_part_set_text(GMIME_TEXT_PART(t->new_top), "");
		g_mime_text_part_set_charset(GMIME_TEXT_PART(t->new_top), "utf-8");
		return TRUE;
	}
	t->new_top = rebuild_object(&rb, body, "", 0);
	if (mg_txn_decided(t))
		return FALSE;
	if (!t->new_top) /* the whole body was removed: leave an empty text */
		t->new_top = mg_leaf_empty_text();
	return TRUE;
}
