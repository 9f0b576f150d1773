/*
 * inspect.c - the read-only walk of the scan profile (issue 16): every leaf
 * of the parsed original is decoded within the limits, recorded in the
 * report and handed to the step sequence's callback (scan, policy), and
 * nothing is built: the message is delivered as it was received.
 *
 * Same structural limits as the rebuild (max_mime_depth, max_mime_parts,
 * the processing deadline); attached messages are walked into; encrypted
 * or signed containers are walked like any multipart (their parts are
 * leaves to scan, their content is not read).
 */
#include "config.h"

#include "mg_mime.h"

struct walk {
	struct mg_txn *t;
	gint64 parts;
	mg_leaf_fn fn;
	void *data;
};

static gboolean walk_limits(struct walk *w, int depth)
{
	struct mg_txn *t = w->t;
	if (depth > t->cfg->max_mime_depth)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_depth",
			    "MIME nesting deeper than %" G_GINT64_FORMAT, t->cfg->max_mime_depth);
	else if (++w->parts > t->cfg->max_mime_parts)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_mime_parts",
			    "Message has more than %" G_GINT64_FORMAT " MIME parts", t->cfg->max_mime_parts);
	else if (mg_txn_past_deadline(t))
		mg_txn_internal_error(t, "processing time limit exceeded", NULL);
	return !mg_txn_decided(t);
}

static void walk_object(struct walk *w, GMimeObject *obj, const char *path, int depth);

static void walk_children(struct walk *w, GMimeMultipart *mp, const char *path, int depth)
{
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n && !mg_txn_decided(w->t); i++) {
		char *cp = *path ? g_strdup_printf("%s.%d", path, i + 1) : g_strdup_printf("%d", i + 1);
		walk_object(w, g_mime_multipart_get_part(mp, i), cp, depth + 1);
		g_free(cp);
	}
}

static void walk_object(struct walk *w, GMimeObject *obj, const char *path, int depth)
{
	if (!walk_limits(w, depth))
		return;
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;
		if (body)
			walk_object(w, body, *path ? path : "1", depth + 1);
	} else if (GMIME_IS_MULTIPART(obj)) {
		walk_children(w, GMIME_MULTIPART(obj), path, depth);
	} else if (GMIME_IS_PART(obj)) {
		GMimeObject *o = mg_leaf_run(w->t, GMIME_PART(obj), *path ? path : "1", depth, w->fn, w->data);
		if (o)
			g_object_unref(o);
	}
}

gboolean mg_mime_inspect(struct mg_txn *t, mg_leaf_fn fn, void *data)
{
	struct walk w = {.t = t, .fn = fn, .data = data};
	GMimeObject *body = t->msg ? g_mime_message_get_mime_part(t->msg) : NULL;
	if (body)
		walk_object(&w, body, "", 0);
	return !mg_txn_decided(t);
}
