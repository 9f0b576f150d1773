/*
 * cdr_pdf.c - PDF rebuilder (mg_cdr_fn, see mg_cdr.h), built on qpdf's C API.
 *
 * Contract: mg_cdr_pdf() opens the PDF from memory (qpdf_read_memory, empty
 * user password), walks every object reachable from the trailer once and
 * takes out what can act on its own or carry other files:
 *   - /OpenAction (catalog) and /AA (additional actions of the document,
 *     pages, annotations and form fields), whatever they point to;
 *   - actions of kind JavaScript, Launch, SubmitForm, ImportData, GoToR,
 *     GoToE, Rendition, Sound, Movie, RichMediaExecute wherever an /A or
 *     /Next entry names them; /JS entries; the /JavaScript name tree;
 *   - /EmbeddedFiles (names tree), /EF of every file specification, the
 *     portfolio /Collection; FileAttachment, RichMedia, Screen, Movie, Sound
 *     and 3D annotations; /XFA of the AcroForm (the static form stays);
 *   - any such action or /EmbeddedFile stream still reached through some
 *     other key: an indirect one is replaced by null, a direct action
 *     dictionary is emptied.
 * /URI actions to http, https and mailto stay (a reader asks the user
 * before following them; links are a matter for the body policy), other
 * URI schemes (javascript:, file:, data:, application handlers) go; /GoTo
 * links inside the document and document metadata (/Info, XMP) stay.
 * A fresh file is written by qpdf (only reachable objects, no encryption,
 * deterministic /ID) and re-opened to check that it parses.  Each kind of
 * object taken out is named in out->removed ("JavaScript removed",
 * "2 embedded files removed").
 *
 * Verdicts: encrypted with a non-empty user password -> UNSCANNABLE
 * "encrypted"; with an empty user password it is decrypted and written
 * without encryption.  Corrupt beyond qpdf's repair, larger than
 * pdf_max_size, more than pdf_max_objects indirect objects, past the
 * deadline, or a rebuilt file that does not re-open -> UNSCANNABLE.
 * qpdf calls cannot be interrupted: the deadline is checked between steps
 * and every 256 objects of the walk.  Stream data is copied without being
 * decoded (decode level none), so a compressed bomb is never expanded.
 * A `flatten` mode is not provided: qpdf's C API has no annotation or form
 * flattening (it is in the C++ QPDFPageDocumentHelper only).
 */
#include "config.h"

#include <qpdf/qpdf-c.h>
#include <string.h>

#include "mg_cdr.h"

enum pdf_kind {
	K_JS,
	K_OPENACTION,
	K_AA,
	K_LAUNCH,
	K_SUBMIT,
	K_IMPORT,
	K_GOTOR,
	K_GOTOE,
	K_MEDIA_ACTION,
	K_URI,
	K_EMBEDDED,
	K_ATTACH_ANNOT,
	K_MEDIA_ANNOT,
	K_XFA,
	K_PORTFOLIO,
	K_COUNT
};

/* Singular and plural names for out->removed, in report order. */
static const char *const kind_names[K_COUNT][2] = {
	[K_JS] = {"JavaScript", "JavaScript objects"},
	[K_OPENACTION] = {"OpenAction", "OpenActions"},
	[K_AA] = {"additional-actions (AA) entry", "additional-actions (AA) entries"},
	[K_LAUNCH] = {"Launch action", "Launch actions"},
	[K_SUBMIT] = {"SubmitForm action", "SubmitForm actions"},
	[K_IMPORT] = {"ImportData action", "ImportData actions"},
	[K_GOTOR] = {"GoToR (remote document) action", "GoToR (remote document) actions"},
	[K_GOTOE] = {"GoToE (embedded document) action", "GoToE (embedded document) actions"},
	[K_MEDIA_ACTION] = {"multimedia action", "multimedia actions"},
	[K_URI] = {"non-web link (URI) action", "non-web link (URI) actions"},
	[K_EMBEDDED] = {"embedded file", "embedded files"},
	[K_ATTACH_ANNOT] = {"file attachment annotation", "file attachment annotations"},
	[K_MEDIA_ANNOT] = {"multimedia annotation", "multimedia annotations"},
	[K_XFA] = {"XFA form", "XFA forms"},
	[K_PORTFOLIO] = {"portfolio (Collection)", "portfolios (Collection)"},
};

/* Action types (/S) that go, and what they are reported as. */
static const struct {
	const char *name;
	enum pdf_kind kind;
} bad_actions[] = {
	{"/JavaScript", K_JS},
	{"/Launch", K_LAUNCH},
	{"/SubmitForm", K_SUBMIT},
	{"/ImportData", K_IMPORT},
	{"/GoToR", K_GOTOR},
	{"/GoToE", K_GOTOE},
	{"/Rendition", K_MEDIA_ACTION},
	{"/Sound", K_MEDIA_ACTION},
	{"/Movie", K_MEDIA_ACTION},
	{"/RichMediaExecute", K_MEDIA_ACTION},
};

/* Annotation subtypes that are removed from /Annots. */
static const struct {
	const char *name;
	enum pdf_kind kind;
} bad_annots[] = {
	{"/FileAttachment", K_ATTACH_ANNOT}, {"/RichMedia", K_MEDIA_ANNOT}, {"/Screen", K_MEDIA_ANNOT},
	{"/Movie", K_MEDIA_ANNOT},           {"/Sound", K_MEDIA_ANNOT},     {"/3D", K_MEDIA_ANNOT},
};

#define NAME_TREE_MAX_DEPTH 32
#define NAME_TREE_MAX_NODES 10000
/* Direct containers (dictionaries and arrays inside objects) walked per
 * allowed indirect object. */
#define DIRECT_PER_OBJECT 4

struct pdf_walk {
	qpdf_data q;
	GHashTable *seen; /* gint64 object id * 65536 + generation */
	GArray *stack;    /* qpdf_oh still to visit */
	gint64 objects, max_objects, deadline_us;
	gint64 containers; /* all containers visited, direct ones included */
	guint counts[K_COUNT];
	const char *fail; /* why the walk stopped */
};

static gboolean past(gint64 deadline_us)
{
	return deadline_us > 0 && g_get_monotonic_time() > deadline_us;
}

/* A /URI action stays only for http, https and mailto: javascript:, file:
 * (SMB credential leaks), data: and application handlers (ms-msdt:,
 * search-ms: ...) go. */
static gboolean uri_is_web(qpdf_data q, qpdf_oh action)
{
	static const char *const ok[] = {"http://", "https://", "mailto:"};
	const char *v = NULL;
	size_t n = 0, i = 0;
	gboolean web = FALSE;
	qpdf_oh uri = qpdf_oh_get_key(q, action, "/URI");
	if (qpdf_oh_get_value_as_string(q, uri, &v, &n)) {
		while (i < n && (guint8)v[i] <= ' ')
			i++;
		for (gsize k = 0; k < G_N_ELEMENTS(ok) && !web; k++)
			web = n - i >= strlen(ok[k]) && g_ascii_strncasecmp(v + i, ok[k], strlen(ok[k])) == 0;
	}
	qpdf_oh_release(q, uri);
	return web;
}

/* The kind of a dangerous action dictionary, or -1. */
static int action_kind(qpdf_data q, qpdf_oh action)
{
	int kind = -1;
	if (!qpdf_oh_is_dictionary(q, action))
		return -1;
	qpdf_oh s = qpdf_oh_get_key(q, action, "/S");
	if (qpdf_oh_is_name_and_equals(q, s, "/URI") && !uri_is_web(q, action))
		kind = K_URI;
	for (gsize i = 0; i < G_N_ELEMENTS(bad_actions) && kind < 0; i++)
		if (qpdf_oh_is_name_and_equals(q, s, bad_actions[i].name))
			kind = (int)bad_actions[i].kind;
	qpdf_oh_release(q, s);
	if (kind < 0 && qpdf_oh_has_key(q, action, "/JS"))
		kind = K_JS;
	return kind;
}

static void count_action(struct pdf_walk *w, qpdf_oh action)
{
	int kind = action_kind(w->q, action);
	if (kind >= 0)
		w->counts[kind]++;
}

/* Does an /A or /Next value (one action or an array of actions) hold a
 * bad action?  Counts each one found.  Array items are not followed into
 * further arrays (an array may contain itself). */
static gboolean action_value_bad(struct pdf_walk *w, qpdf_oh v)
{
	gboolean bad = FALSE;
	if (qpdf_oh_is_array(w->q, v)) {
		int n = qpdf_oh_get_array_n_items(w->q, v);
		for (int i = 0; i < n; i++) {
			qpdf_oh item = qpdf_oh_get_array_item(w->q, v, i);
			int kind = action_kind(w->q, item);
			if (kind >= 0) {
				w->counts[kind]++;
				bad = TRUE;
			}
			qpdf_oh_release(w->q, item);
		}
		return bad;
	}
	int kind = action_kind(w->q, v);
	if (kind >= 0)
		w->counts[kind]++;
	return kind >= 0;
}

static gint64 *id_new(gint64 id)
{
	gint64 *p = g_new(gint64, 1);
	*p = id;
	return p;
}

static gint64 oh_id(qpdf_data q, qpdf_oh oh)
{
	return (gint64)qpdf_oh_get_object_id(q, oh) * 65536 + qpdf_oh_get_generation(q, oh);
}

/* Leaves of an embedded-files name tree.  Each node is counted once (a
 * /Kids entry may point back up the tree), at most NAME_TREE_MAX_NODES. */
static guint name_tree_count(struct pdf_walk *w, qpdf_oh node, int depth, GHashTable *seen)
{
	guint n = 0;
	if (depth > NAME_TREE_MAX_DEPTH || g_hash_table_size(seen) >= NAME_TREE_MAX_NODES ||
	    !qpdf_oh_is_dictionary(w->q, node))
		return 0;
	if (qpdf_oh_is_indirect(w->q, node)) {
		gint64 id = oh_id(w->q, node);
		if (g_hash_table_contains(seen, &id))
			return 0;
		g_hash_table_add(seen, id_new(id));
	}
	qpdf_oh names = qpdf_oh_get_key(w->q, node, "/Names");
	if (qpdf_oh_is_array(w->q, names))
		n += (guint)qpdf_oh_get_array_n_items(w->q, names) / 2;
	qpdf_oh_release(w->q, names);
	qpdf_oh kids = qpdf_oh_get_key(w->q, node, "/Kids");
	int nk = qpdf_oh_is_array(w->q, kids) ? qpdf_oh_get_array_n_items(w->q, kids) : 0;
	for (int i = 0; i < nk; i++) {
		qpdf_oh kid = qpdf_oh_get_array_item(w->q, kids, i);
		n += name_tree_count(w, kid, depth + 1, seen);
		qpdf_oh_release(w->q, kid);
	}
	qpdf_oh_release(w->q, kids);
	return n;
}

/* Name what an /AA dictionary held (its values are actions). */
static void count_aa_actions(struct pdf_walk *w, qpdf_oh aa)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	if (qpdf_oh_is_dictionary(w->q, aa)) {
		qpdf_oh_begin_dict_key_iter(w->q, aa);
		while (qpdf_oh_dict_more_keys(w->q))
			g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(w->q)));
	}
	for (guint i = 0; i < keys->len; i++) {
		qpdf_oh a = qpdf_oh_get_key(w->q, aa, keys->pdata[i]);
		count_action(w, a);
		qpdf_oh_release(w->q, a);
	}
	g_ptr_array_unref(keys);
}

/* Remove `key` from dict d when present; returns its value (caller
 * releases) through *val when val is not NULL. */
static gboolean take_key(qpdf_data q, qpdf_oh d, const char *key, qpdf_oh *val)
{
	if (!qpdf_oh_has_key(q, d, key))
		return FALSE;
	if (val)
		*val = qpdf_oh_get_key(q, d, key);
	qpdf_oh_remove_key(q, d, key);
	return TRUE;
}

/* /OpenAction, /AA, /JS, /JavaScript, /EmbeddedFiles, /EF, /XFA, /Collection. */
static void disarm_keys(struct pdf_walk *w, qpdf_oh d)
{
	qpdf_data q = w->q;
	qpdf_oh v = 0;

	if (take_key(q, d, "/OpenAction", &v)) {
		w->counts[K_OPENACTION]++;
		count_action(w, v);
		qpdf_oh_release(q, v);
	}
	if (take_key(q, d, "/AA", &v)) {
		w->counts[K_AA]++;
		count_aa_actions(w, v);
		qpdf_oh_release(q, v);
	}
	if (take_key(q, d, "/JS", NULL))
		w->counts[K_JS]++;
	if (take_key(q, d, "/JavaScript", NULL))
		w->counts[K_JS]++;
	if (take_key(q, d, "/EmbeddedFiles", &v)) {
		GHashTable *seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
		guint n = name_tree_count(w, v, 0, seen);
		g_hash_table_unref(seen);
		w->counts[K_EMBEDDED] += n ? n : 1;
		qpdf_oh_release(q, v);
	}
	if (take_key(q, d, "/EF", NULL))
		w->counts[K_EMBEDDED]++;
	if (take_key(q, d, "/XFA", NULL)) {
		w->counts[K_XFA]++;
		qpdf_oh_remove_key(q, d, "/NeedsRendering"); /* nothing left to render */
	}
	if (take_key(q, d, "/Collection", NULL))
		w->counts[K_PORTFOLIO]++;
}

/* /A and /Next entries that name a bad action are removed. */
static void disarm_actions(struct pdf_walk *w, qpdf_oh d)
{
	static const char *const keys[] = {"/A", "/Next", "/PA"};
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (!qpdf_oh_has_key(w->q, d, keys[i]))
			continue;
		qpdf_oh v = qpdf_oh_get_key(w->q, d, keys[i]);
		if (action_value_bad(w, v))
			qpdf_oh_remove_key(w->q, d, keys[i]);
		qpdf_oh_release(w->q, v);
	}
}

static int annot_kind(qpdf_data q, qpdf_oh annot)
{
	int kind = -1;
	if (!qpdf_oh_is_dictionary(q, annot))
		return -1;
	qpdf_oh st = qpdf_oh_get_key(q, annot, "/Subtype");
	for (gsize i = 0; i < G_N_ELEMENTS(bad_annots) && kind < 0; i++)
		if (qpdf_oh_is_name_and_equals(q, st, bad_annots[i].name))
			kind = (int)bad_annots[i].kind;
	qpdf_oh_release(q, st);
	return kind;
}

/* Drop attachment and multimedia annotations from a page's /Annots. */
static void disarm_annots(struct pdf_walk *w, qpdf_oh d)
{
	if (!qpdf_oh_has_key(w->q, d, "/Annots"))
		return;
	qpdf_oh annots = qpdf_oh_get_key(w->q, d, "/Annots");
	int n = qpdf_oh_is_array(w->q, annots) ? qpdf_oh_get_array_n_items(w->q, annots) : 0;
	for (int i = n - 1; i >= 0; i--) {
		qpdf_oh a = qpdf_oh_get_array_item(w->q, annots, i);
		int kind = annot_kind(w->q, a);
		if (kind >= 0) {
			w->counts[kind]++;
			qpdf_oh_erase_item(w->q, annots, i);
		}
		qpdf_oh_release(w->q, a);
	}
	qpdf_oh_release(w->q, annots);
}

static void push(struct pdf_walk *w, qpdf_oh oh)
{
	if (qpdf_oh_is_dictionary(w->q, oh) || qpdf_oh_is_array(w->q, oh) || qpdf_oh_is_stream(w->q, oh))
		g_array_append_val(w->stack, oh);
	else
		qpdf_oh_release(w->q, oh);
}

/* Push the values of a dictionary.  Key iteration state lives in the
 * qpdf_data, so keys are collected before any other call. */
static void push_dict_values(struct pdf_walk *w, qpdf_oh d)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	qpdf_oh_begin_dict_key_iter(w->q, d);
	while (qpdf_oh_dict_more_keys(w->q))
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(w->q)));
	for (guint i = 0; i < keys->len; i++)
		push(w, qpdf_oh_get_key(w->q, d, keys->pdata[i]));
	g_ptr_array_unref(keys);
}

/* A bad action or an embedded file stream reached through any key (not
 * only /A, /Next, /EF): its kind, or -1. */
static int bad_object_kind(struct pdf_walk *w, qpdf_oh oh, qpdf_oh d)
{
	if (qpdf_oh_is_stream(w->q, oh)) {
		qpdf_oh type = qpdf_oh_get_key(w->q, d, "/Type");
		gboolean ef = qpdf_oh_is_name_and_equals(w->q, type, "/EmbeddedFile");
		qpdf_oh_release(w->q, type);
		return ef ? K_EMBEDDED : -1;
	}
	return qpdf_oh_is_dictionary(w->q, oh) ? action_kind(w->q, oh) : -1;
}

/* Make a bad object inert: an indirect one becomes null everywhere, a
 * direct dictionary loses all its keys. */
static void neutralize(struct pdf_walk *w, qpdf_oh oh)
{
	if (qpdf_oh_is_indirect(w->q, oh)) {
		qpdf_oh null = qpdf_oh_new_null(w->q);
		qpdf_replace_object(w->q, qpdf_oh_get_object_id(w->q, oh), qpdf_oh_get_generation(w->q, oh), null);
		qpdf_oh_release(w->q, null);
		return;
	}
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	qpdf_oh_begin_dict_key_iter(w->q, oh);
	while (qpdf_oh_dict_more_keys(w->q))
		g_ptr_array_add(keys, g_strdup(qpdf_oh_dict_next_key(w->q)));
	for (guint i = 0; i < keys->len; i++)
		qpdf_oh_remove_key(w->q, oh, keys->pdata[i]);
	g_ptr_array_unref(keys);
}

/* Visit one container: returns FALSE when the walk must stop. */
static gboolean visit(struct pdf_walk *w, qpdf_oh oh)
{
	if (++w->containers > w->max_objects * DIRECT_PER_OBJECT) {
		w->fail = "too many objects";
		return FALSE;
	}
	if (qpdf_oh_is_indirect(w->q, oh)) {
		gint64 id = oh_id(w->q, oh);
		if (g_hash_table_contains(w->seen, &id))
			return TRUE;
		g_hash_table_add(w->seen, id_new(id));
		if (++w->objects > w->max_objects) {
			w->fail = "too many objects";
			return FALSE;
		}
		if ((w->objects & 255) == 0 && past(w->deadline_us)) {
			w->fail = "time budget exceeded";
			return FALSE;
		}
	}
	if (qpdf_oh_is_array(w->q, oh)) {
		int n = qpdf_oh_get_array_n_items(w->q, oh);
		for (int i = 0; i < n; i++)
			push(w, qpdf_oh_get_array_item(w->q, oh, i));
		return TRUE;
	}
	qpdf_oh d = qpdf_oh_is_stream(w->q, oh) ? qpdf_oh_get_dict(w->q, oh) : oh;
	int kind = bad_object_kind(w, oh, d);
	if (kind >= 0) {
		w->counts[kind]++;
		neutralize(w, oh);
		if (d != oh)
			qpdf_oh_release(w->q, d);
		return TRUE;
	}
	disarm_keys(w, d);
	disarm_actions(w, d);
	disarm_annots(w, d);
	push_dict_values(w, d);
	if (d != oh)
		qpdf_oh_release(w->q, d);
	return TRUE;
}

/* The trailer's /Size bounds the object numbers: refuse before walking. */
static gboolean pdf_size_ok(struct pdf_walk *w)
{
	qpdf_oh trailer = qpdf_get_trailer(w->q);
	qpdf_oh size = qpdf_oh_get_key(w->q, trailer, "/Size");
	gboolean ok = !qpdf_oh_is_integer(w->q, size) || qpdf_oh_get_int_value(w->q, size) <= w->max_objects;
	qpdf_oh_release(w->q, size);
	qpdf_oh_release(w->q, trailer);
	if (!ok)
		w->fail = "too many objects";
	return ok;
}

static gboolean pdf_walk_run(struct pdf_walk *w)
{
	gboolean ok = pdf_size_ok(w);
	if (!ok)
		return FALSE;
	push(w, qpdf_get_trailer(w->q));
	while (w->stack->len > 0) {
		qpdf_oh oh = g_array_index(w->stack, qpdf_oh, w->stack->len - 1);
		g_array_set_size(w->stack, w->stack->len - 1);
		if (ok)
			ok = visit(w, oh);
		qpdf_oh_release(w->q, oh);
		if (qpdf_has_error(w->q)) {
			qpdf_get_error(w->q); /* clears it */
			if (ok)
				w->fail = "corrupt (object error)";
			ok = FALSE;
		}
	}
	return ok;
}

static void report_counts(const struct pdf_walk *w, struct mg_cdr_out *out)
{
	for (int k = 0; k < K_COUNT; k++) {
		if (w->counts[k] == 1)
			g_ptr_array_add(out->removed, g_strdup_printf("%s removed", kind_names[k][0]));
		else if (w->counts[k] > 1)
			g_ptr_array_add(out->removed, g_strdup_printf("%u %s removed", w->counts[k], kind_names[k][1]));
	}
}

/* qpdf warns on stderr about an error nobody fetched: fetch it first. */
static void pdf_close(qpdf_data *q)
{
	if (qpdf_has_error(*q))
		qpdf_get_error(*q);
	qpdf_cleanup(q);
}

/* NULL with *why "encrypted" or "corrupt" (the file's), or NULL (qpdf's
 * own failure: memory, I/O, an internal error - issue 11). */
static const char *pdf_error_why(enum qpdf_error_code_e code)
{
	switch (code) {
	case qpdf_e_password: return "encrypted";
	case qpdf_e_system:
	case qpdf_e_internal: return NULL;
	default: return "corrupt";
	}
}

static qpdf_data pdf_open(const guint8 *data, gsize len, const char **why)
{
	qpdf_data q = qpdf_init();
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (qpdf_read_memory(q, "attachment.pdf", (const char *)data, (unsigned long long)len, "") & QPDF_ERRORS) {
		qpdf_error e = qpdf_get_error(q);
		*why = pdf_error_why(qpdf_get_error_code(q, e));
		pdf_close(&q);
		return NULL;
	}
	return q;
}

/* qpdf writes a trailer /Size only when the input trailer had one (it
 * then writes the right value): make sure it has one. */
static void pdf_fix_trailer(qpdf_data q)
{
	qpdf_oh trailer = qpdf_get_trailer(q);
	if (!qpdf_oh_has_key(q, trailer, "/Size")) {
		qpdf_oh size = qpdf_oh_new_integer(q, 0);
		qpdf_oh_replace_key(q, trailer, "/Size", size);
		qpdf_oh_release(q, size);
	}
	qpdf_oh_release(q, trailer);
}

/* Write the disarmed document into out->data. */
static gboolean pdf_write(qpdf_data q, struct mg_cdr_out *out)
{
	pdf_fix_trailer(q);
	if (qpdf_init_write_memory(q) & QPDF_ERRORS)
		return FALSE;
	qpdf_set_preserve_encryption(q, QPDF_FALSE);
	qpdf_set_deterministic_ID(q, QPDF_TRUE);
	qpdf_set_decode_level(q, qpdf_dl_none);
	qpdf_set_object_stream_mode(q, qpdf_o_preserve);
	qpdf_set_linearization(q, QPDF_FALSE);
	if (qpdf_write(q) & QPDF_ERRORS)
		return FALSE;
	size_t n = qpdf_get_buffer_length(q);
	const unsigned char *buf = qpdf_get_buffer(q);
	if (!buf || n == 0 || n > G_MAXUINT)
		return FALSE;
	out->data = g_byte_array_sized_new((guint)n);
	g_byte_array_append(out->data, buf, (guint)n);
	return TRUE;
}

/* The rebuilt file must open again and have its page tree. */
static gboolean pdf_verify(const GByteArray *pdf)
{
	const char *why = NULL;
	qpdf_data q = pdf_open(pdf->data, pdf->len, &why);
	if (!q)
		return FALSE;
	gboolean ok = !qpdf_is_encrypted(q) && qpdf_get_num_pages(q) >= 0 && !qpdf_has_error(q);
	pdf_close(&q);
	return ok;
}

static enum mg_cdr_status unscannable(struct mg_cdr_out *out, const char *why)
{
	g_free(out->reason);
	out->reason = g_strdup(why);
	if (out->data) {
		g_byte_array_unref(out->data);
		out->data = NULL;
	}
	return MG_CDR_UNSCANNABLE;
}

enum mg_cdr_status mg_cdr_pdf(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	const struct mg_config *cfg = in->ctx->cfg;
	struct pdf_walk w = {.max_objects = cfg->pdf_max_objects, .deadline_us = in->deadline_us};
	enum mg_cdr_status st = MG_CDR_REBUILT;
	const char *why = NULL;

	if ((gint64)in->len > cfg->pdf_max_size)
		return unscannable(out, "larger than pdf_max_size");
	if (past(in->deadline_us))
		return unscannable(out, "time budget exceeded");
	w.q = pdf_open(in->data, in->len, &why);
	if (!w.q && !why) {
		g_free(out->reason);
		out->reason = g_strdup("qpdf failed (memory or internal error)");
		return MG_CDR_ERROR;
	}
	if (!w.q)
		return unscannable(out, why);
	w.seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	w.stack = g_array_new(FALSE, FALSE, sizeof(qpdf_oh));
	if (!pdf_walk_run(&w)) {
		st = unscannable(out, w.fail);
		goto out;
	}
	if (past(in->deadline_us) || !pdf_write(w.q, out) || past(in->deadline_us)) {
		st = unscannable(out, past(in->deadline_us) ? "time budget exceeded" : "corrupt (cannot be rewritten)");
		goto out;
	}
	if (!pdf_verify(out->data)) {
		st = unscannable(out, "rebuilt PDF does not parse");
		goto out;
	}
	if (qpdf_is_encrypted(w.q))
		g_ptr_array_add(out->removed, g_strdup("encryption removed (empty user password)"));
	report_counts(&w, out);
out:
	g_array_unref(w.stack);
	g_hash_table_unref(w.seen);
	pdf_close(&w.q);
	return st;
}
