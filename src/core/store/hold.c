/*
 * hold.c - the store's side of the approval hold (issue 16 item 7, F26;
 * see mg_store.h and docs/outbound-controls.md).  The policy stage decides
 * (t->hold_reasons); this end-of-message step, the last one, keeps the
 * message in the quarantine store, class "hold", in the form it would have
 * been delivered (the header fields as received with every header operation
 * of the pipeline applied, then the new body or, when the body was not
 * replaced, the body as received), with the metadata member "approval"
 * that `mugaika hold` reads and updates, and sets t->hold_id: the front end
 * tells the MTA to discard the message (mg_txn_held).  If it cannot be kept
 * the message is tempfailed (on_error): nothing leaves unkept, nothing is
 * lost.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "mg_audit.h"
#include "mg_log.h"
#include "mg_quarantine.h"
#include "mg_spool.h"
#include "mg_store.h"
#include "mg_txn.h"

/* Is header i deleted by one of the operations? */
static gboolean deleted(const struct mg_txn *t, guint i)
{
	const struct mg_header *h = t->headers->pdata[i];
	int occurrence = 0;
	for (guint j = 0; j <= i; j++)
		occurrence += g_ascii_strcasecmp(((const struct mg_header *)t->headers->pdata[j])->name, h->name) == 0;
	for (guint k = 0; k < t->hdr_ops->len; k++) {
		const struct mg_hdr_op *op = t->hdr_ops->pdata[k];
		if (op->kind == MG_HDR_DELETE && op->index == occurrence && g_ascii_strcasecmp(op->name, h->name) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean put_field(struct mg_spool *sp, const char *name, const char *value, GError **err)
{
	char *line = g_strdup_printf("%s: %s\n", name, value ? value : "");
	gboolean ok = mg_spool_write(sp, line, strlen(line), err) == MG_SPOOL_OK;
	g_free(line);
	return ok;
}

static gboolean put_stream(struct mg_spool *sp, GMimeStream *in, GError **err)
{
	char buf[65536];
	gssize n;
	while ((n = g_mime_stream_read(in, buf, sizeof buf)) > 0)
		if (mg_spool_write(sp, buf, (gsize)n, err) != MG_SPOOL_OK)
			return FALSE;
	if (n < 0)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read the message body");
	return n == 0;
}

/* The body as delivered: the new one, or the one received. */
static GMimeStream *body_stream(struct mg_txn *t, GError **err)
{
	if (t->out_body)
		return g_mime_stream_substream(t->out_body, 0, g_mime_stream_length(t->out_body));
	GMimeStream *raw = mg_spool_stream(t->raw, err);
	if (!raw)
		return NULL;
	GMimeStream *b = g_mime_stream_substream(raw, (gint64)t->body_offset, g_mime_stream_length(raw));
	g_object_unref(raw);
	return b;
}

static struct mg_spool *render_delivered(struct mg_txn *t, GError **err)
{
	const struct mg_config *c = t->cfg;
	struct mg_spool *sp = mg_spool_new(c->spool_dir, (gsize)c->spool_memory_max, (gsize)c->max_message_size * 2);
	gboolean ok = TRUE;
	for (guint k = t->hdr_ops->len; ok && k-- > 0;) { /* INSERTs on top, the last first (mg_report.h) */
		const struct mg_hdr_op *op = t->hdr_ops->pdata[k];
		if (op->kind == MG_HDR_INSERT)
			ok = put_field(sp, op->name, op->value, err);
	}
	for (guint i = 0; ok && i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (!deleted(t, i))
			ok = put_field(sp, h->name, h->value, err);
	}
	for (guint k = 0; ok && k < t->hdr_ops->len; k++) {
		const struct mg_hdr_op *op = t->hdr_ops->pdata[k];
		if (op->kind == MG_HDR_ADD)
			ok = put_field(sp, op->name, op->value, err);
	}
	ok = ok && mg_spool_write(sp, "\n", 1, err) == MG_SPOOL_OK;
	GMimeStream *b = ok ? body_stream(t, err) : NULL;
	ok = b && put_stream(sp, b, err);
	if (b)
		g_object_unref(b);
	if (!ok)
		g_clear_pointer(&sp, mg_spool_free);
	return sp;
}

/* Who the sender may be, to refuse an approval by the same person. */
static JsonArray *sender_ids(const struct mg_txn *t)
{
	JsonArray *a = json_array_new();
	char *bare = g_ascii_strdown(t->mail_from ? t->mail_from : "", -1);
	char *at = strrchr(bare, '@');
	if (t->auth_user && *t->auth_user) {
		char *u = g_ascii_strdown(t->auth_user, -1);
		json_array_add_string_element(a, u);
		g_free(u);
	}
	if (*bare)
		json_array_add_string_element(a, bare);
	if (at && at > bare) {
		*at = '\0';
		json_array_add_string_element(a, bare);
	}
	g_free(bare);
	return a;
}

static JsonObject *approval_new(struct mg_txn *t, const char *id, gint64 now_us)
{
	JsonObject *a = json_object_new();
	JsonArray *why = json_array_new();
	gboolean delay = t->cfg->hold_release == MG_HOLD_DELAY;
	for (guint i = 0; i < t->hold_reasons->len; i++)
		json_array_add_string_element(why, t->hold_reasons->pdata[i]);
	json_object_set_string_member(a, "id", id);
	json_object_set_string_member(a, "status", "pending");
	json_object_set_array_member(a, "reasons", why);
	json_object_set_string_member(a, "release", delay ? "delay" : "approval");
	if (delay) {
		char *when = mg_audit_time_iso(now_us + t->cfg->hold_delay * G_USEC_PER_SEC);
		json_object_set_string_member(a, "release_after", when);
		g_free(when);
	}
	json_object_set_boolean_member(a, "approver_distinct", t->cfg->hold_approver_distinct);
	json_object_set_array_member(a, "sender_ids", sender_ids(t));
	json_object_set_array_member(a, "decisions", json_array_new());
	json_object_set_array_member(a, "delivered", json_array_new());
	return a;
}

static JsonObject *meta_new(struct mg_txn *t, const char *id, gint64 now_us, const char *sha, gint64 size)
{
	JsonObject *m = mg_store_record_new(t);
	char *stored = mg_audit_time_iso(now_us);
	json_object_set_string_member(m, "id", id);
	json_object_set_string_member(m, "state", "final");
	json_object_set_string_member(m, "class", mg_qclass_name(MG_QCLASS_HOLD));
	json_object_set_string_member(m, "stored", stored);
	json_object_set_string_member(m, "verdict", "accept");
	json_object_set_string_member(m, "rule", "hold");
	json_object_set_boolean_member(m, "hold", FALSE); /* legal hold: separate */
	json_object_set_string_member(m, "original_sha256", sha);
	json_object_set_int_member(m, "original_size", size);
	json_object_set_array_member(m, "releases", json_array_new());
	json_object_set_object_member(m, "approval", approval_new(t, id, now_us));
	g_free(stored);
	return m;
}

static gboolean keep_held(struct mg_txn *t, char **id_out, GError **err)
{
	gint64 now = g_get_real_time();
	char *id = mg_quarantine_new_id(now), sha[65] = "";
	gint64 size = 0;
	struct mg_qstore *s = mg_qstore_open(t->cfg);
	struct mg_spool *sp = render_delivered(t, err);
	GMimeStream *in = sp ? mg_spool_stream(sp, err) : NULL;
	JsonObject *m = NULL;
	gboolean ok = in && s->ops->put_original(s, id, in, sha, &size, err);
	if (ok) {
		m = meta_new(t, id, now, sha, size);
		ok = s->ops->put_meta(s, id, m, err);
		if (!ok)
			s->ops->remove(s, id, NULL);
	}
	if (ok)
		*id_out = g_steal_pointer(&id);
	if (m)
		json_object_unref(m);
	if (in)
		g_object_unref(in);
	mg_spool_free(sp);
	mg_qstore_close(s);
	g_free(id);
	return ok;
}

static void report_section(struct mg_txn *t)
{
	JsonObject *o = json_object_new();
	JsonArray *why = json_array_new();
	for (guint i = 0; i < t->hold_reasons->len; i++)
		json_array_add_string_element(why, t->hold_reasons->pdata[i]);
	json_object_set_string_member(o, "id", t->hold_id);
	json_object_set_string_member(o, "status", "pending");
	json_object_set_string_member(o, "release", t->cfg->hold_release == MG_HOLD_DELAY ? "delay" : "approval");
	json_object_set_array_member(o, "reasons", why);
	json_object_set_object_member(t->report->extra, "approval", o);
}

gboolean mg_store_hold_step(struct mg_txn *t)
{
	GError *err = NULL;
	if (!t->hold_reasons || t->hold_reasons->len == 0)
		return TRUE;
	if (!keep_held(t, &t->hold_id, &err)) {
		mg_txn_internal_error(t, "cannot keep the held message in quarantine", err);
		g_clear_error(&err);
		return FALSE;
	}
	GString *why = g_string_new(NULL);
	for (guint i = 0; i < t->hold_reasons->len; i++)
		g_string_append_printf(why, "%s%s", i ? "; " : "", (const char *)t->hold_reasons->pdata[i]);
	report_section(t);
	mg_warn(t->queue_id, "held for %s: quarantine id %s (%s)",
		t->cfg->hold_release == MG_HOLD_DELAY ? "a delay" : "approval", t->hold_id, why->str);
	mg_txn_fail(t, MG_VERDICT_ACCEPT, "250", "2.0.0", "hold", "Held for approval (%s)", t->hold_id);
	g_string_free(why, TRUE);
	return TRUE;
}

void mg_store_hold_drop(struct mg_txn *t, const char *why)
{
	GError *err = NULL;
	struct mg_qstore *s = mg_qstore_open(t->cfg);
	if (!s->ops->remove(s, t->hold_id, &err))
		mg_err(t->queue_id, "hold: cannot remove %s: %s", t->hold_id, err->message);
	else
		mg_info(t->queue_id, "hold: %s removed (%s)", t->hold_id, why);
	g_clear_error(&err);
	mg_qstore_close(s);
	g_clear_pointer(&t->hold_id, g_free);
	json_object_remove_member(t->report->extra, "approval");
}
