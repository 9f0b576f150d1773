/*
 * store.c - see mg_store.h.  The pipeline's side of issue 7: decide which
 * originals are kept, keep them (mg_quarantine.h), and write one audit
 * record per message (mg_audit.h).
 *
 * The store follows the MTA's commit (issue 11).  mg_store_prepare, at the
 * end of the end-of-message steps, before the front end acts:
 *  1. a message rejected at end of message is kept (class blocked) when the
 *     configuration says so; failing that -> on_error verdict;
 *  2. an accepted message with a kept original gets X-Mugaika-Quarantine-Id.
 * mg_store_commit, once the front end knows what it tells the MTA (the
 * verdict, or a tempfail because the MTA refused a change) and before it
 * tells it:
 *  3. a kept original of a message that is not accepted or rejected in the
 *     end is removed (the MTA retries; the retry keeps a fresh copy);
 *  4. the metadata of a kept original gets the final verdict;
 *  5. the audit record is appended with what the MTA is told; failing that
 *     -> on_audit_failure (tempfail: 451 4.3.0, the original removed as in 3).
 * Messages refused before end of message or aborted get a record only, and
 * a failure to write it is logged (there is no verdict left to change).
 * Every kept original is in the crash journal (mg_quarantine.h) from before
 * its first file until it is final or removed; mg_store_reconcile, at start,
 * marks what a killed daemon left "not-accepted" (the MTA never had its
 * answer), removes incomplete entries and temporary files, and logs each.
 */
#include "config.h"

#include <string.h>

#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_charset.h"
#include "mg_hdrenc.h"
#include "mg_log.h"
#include "mg_quarantine.h"
#include "mg_store.h"

static gboolean abs_or_empty(const char *key, const char *v, gboolean empty_ok, const char *path, GError **err)
{
	if ((empty_ok && !*v) || g_path_is_absolute(v))
		return TRUE;
	g_set_error(err, MG_CONFIG_ERROR, 1, "%s: %s: '%s' is not an absolute path; allowed: /path%s", path, key, v,
		    empty_ok ? " or empty" : "");
	return FALSE;
}

static gboolean host_port_ok(const char *v)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v)
		return FALSE;
	char *end = NULL;
	gint64 port = g_ascii_strtoll(colon + 1, &end, 10);
	return end && *end == '\0' && end != colon + 1 && port > 0 && port < 65536;
}

gboolean mg_store_config_check(struct mg_config *cfg, GError **err)
{
	if (!abs_or_empty("quarantine_dir", cfg->quarantine_dir, FALSE, cfg->path, err) ||
	    !abs_or_empty("audit_log", cfg->audit_log, TRUE, cfg->path, err) ||
	    !abs_or_empty("admin_audit_log", cfg->admin_audit_log, TRUE, cfg->path, err) ||
	    !abs_or_empty("release_sendmail", cfg->release_sendmail, FALSE, cfg->path, err))
		return FALSE;
	if (*cfg->release_smtp_host && !host_port_ok(cfg->release_smtp_host)) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: release_smtp_host: '%s' is not HOST:PORT; allowed: e.g. "
			    "127.0.0.1:10026, [::1]:10026, or empty",
			    cfg->path, cfg->release_smtp_host);
		return FALSE;
	}
	return TRUE;
}

/* ---- the record ---- */

static const char *direction_name(enum mg_direction d)
{
	static const char *names[] = {"inbound", "outbound", "internal", "transit"};
	return (unsigned)d < G_N_ELEMENTS(names) ? names[d] : "inbound";
}

static gint64 txn_received_us(const struct mg_txn *t)
{
	return g_get_real_time() - (g_get_monotonic_time() - t->started_us);
}

static const char *header_first(const struct mg_txn *t, const char *name)
{
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}

/* A header value on one line (folding removed), for the record. */
static char *header_unfolded(const struct mg_txn *t, const char *name)
{
	const char *v = header_first(t, name);
	if (!v)
		return NULL;
	GString *g = g_string_sized_new(strlen(v));
	for (; *v; v++)
		if (*v != '\n' && *v != '\r')
			g_string_append_c(g, *v);
	return g_string_free(g, FALSE);
}

static void set_time(JsonObject *o, const char *key, gint64 us)
{
	char *s = mg_audit_time_iso(us);
	json_object_set_string_member(o, key, s);
	g_free(s);
}

static void record_client(JsonObject *o, const struct mg_txn *t)
{
	JsonObject *c = json_object_new();
	mg_json_set_str(c, "addr", t->conn->client_addr);
	mg_json_set_str(c, "name", t->conn->client_name);
	mg_json_set_str(c, "helo", t->conn->helo);
	json_object_set_object_member(o, "client", c);
}

static void record_envelope(JsonObject *o, const struct mg_txn *t)
{
	mg_json_set_str(o, "mail_from", t->mail_from);
	JsonArray *a = json_array_new();
	for (guint i = 0; i < t->rcpts->len; i++) {
		char *r = g_utf8_make_valid(t->rcpts->pdata[i], -1);
		json_array_add_string_element(a, r);
		g_free(r);
	}
	json_object_set_array_member(o, "rcpts", a);
}

static void record_headers(JsonObject *o, const struct mg_txn *t)
{
	char *from = header_unfolded(t, "From"), *mid = header_unfolded(t, "Message-ID");
	char *subj = header_unfolded(t, "Subject");
	char *dec = subj ? mg_hdrenc_decode(subj) : NULL;
	mg_json_set_str(o, "header_from", from);
	mg_json_set_str(o, "message_id", mid);
	mg_json_set_str(o, "subject", dec ? dec : subj);
	g_free(from);
	g_free(mid);
	g_free(subj);
	g_free(dec);
}

static void record_verdict(JsonObject *o, const struct mg_txn *t, gboolean aborted)
{
	const struct mg_verdict *v = &t->report->verdict;
	mg_json_set_str(o, "verdict", aborted ? "aborted" : mg_verdict_name(v->kind));
	char *reply = v->code[0] ? g_strdup_printf("%s %s %s", v->code, v->ecode, v->reason ? v->reason : "") : NULL;
	mg_json_set_str(o, "smtp_reply", reply);
	g_free(reply);
	mg_json_set_str(o, "rule", v->rule);
}

/* Everything known about the message, for the audit log and metadata. */
static JsonObject *record_new(const struct mg_txn *t, gboolean aborted)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "type", "message");
	set_time(o, "time", txn_received_us(t));
	set_time(o, "decided", g_get_real_time());
	mg_json_set_str(o, "host", mg_audit_hostname());
	mg_json_set_str(o, "queue_id", t->queue_id);
	record_client(o, t);
	record_envelope(o, t);
	record_headers(o, t);
	json_object_set_string_member(o, "direction", direction_name(t->direction));
	json_object_set_int_member(o, "size_in", t->report->size_in);
	json_object_set_int_member(o, "size_out", t->report->size_out);
	record_verdict(o, t, aborted);
	mg_json_set_str(o, "quarantine_id", t->quarantine_id);
	json_object_set_int_member(o, "processing_ms", (g_get_monotonic_time() - t->started_us) / 1000);
	json_object_set_member(o, "report", mg_report_to_json(t->report));
	return o;
}

JsonObject *mg_store_record_new(const struct mg_txn *t)
{
	return record_new(t, FALSE);
}

static JsonObject *meta_new(const struct mg_txn *t, const char *id, const char *state)
{
	JsonObject *m = record_new(t, FALSE);
	json_object_set_string_member(m, "id", id);
	json_object_set_string_member(m, "state", state);
	json_object_set_string_member(m, "class", mg_qclass_name((enum mg_qclass)t->q_class));
	set_time(m, "stored", t->q_stored_us);
	json_object_set_boolean_member(m, "hold", FALSE);
	json_object_set_string_member(m, "original_sha256", t->q_sha256);
	json_object_set_int_member(m, "original_size", t->q_size);
	json_object_set_array_member(m, "releases", json_array_new());
	return m;
}

/* ---- keeping the original ---- */

static gboolean keep_wanted(const struct mg_txn *t, enum mg_qclass c)
{
	if (t->force_quarantine)
		return TRUE;
	switch (t->cfg->quarantine_keep) {
	case MG_QKEEP_MODIFIED_BLOCKED: return c != MG_QCLASS_CLEAN;
	case MG_QKEEP_MODIFIED: return c == MG_QCLASS_MODIFIED;
	case MG_QKEEP_BLOCKED: return c == MG_QCLASS_BLOCKED;
	case MG_QKEEP_ALL: return TRUE;
	default: return FALSE;
	}
}

static gboolean txn_modified(const struct mg_txn *t)
{
	int c[4];
	mg_report_count(t->report, c);
	return c[MG_ACTION_CONVERTED] + c[MG_ACTION_REBUILT] + c[MG_ACTION_REMOVED] > 0 || t->report->events->len > 0;
}

static void report_section(struct mg_txn *t)
{
	JsonObject *q = json_object_new();
	mg_json_set_str(q, "id", t->quarantine_id);
	json_object_set_string_member(q, "class", mg_qclass_name((enum mg_qclass)t->q_class));
	json_object_set_object_member(t->report->extra, "quarantine", q);
}

static gboolean keep_original(struct mg_txn *t, enum mg_qclass c, const char *state, GError **err)
{
	struct mg_qstore *s = mg_qstore_open(t->cfg);
	t->q_stored_us = g_get_real_time();
	char *id = mg_quarantine_new_id(t->q_stored_us);
	JsonObject *meta = NULL;
	gboolean ok = FALSE;
	GMimeStream *in = mg_spool_stream(t->raw, err);

	t->q_class = c;
	if (!in || !s->ops->set_pending(s, id, TRUE, err)) /* before any file: a crash is found at start */
		goto out;
	if (!s->ops->put_original(s, id, in, t->q_sha256, &t->q_size, err))
		goto undo;
	meta = meta_new(t, id, state);
	if (!s->ops->put_meta(s, id, meta, err))
		goto undo;
	t->quarantine_id = g_steal_pointer(&id);
	report_section(t);
	mg_info(t->queue_id, "original kept: quarantine id %s (%s)", t->quarantine_id, mg_qclass_name(c));
	ok = TRUE;
	goto out;
undo:
	s->ops->remove(s, id, NULL);
	s->ops->set_pending(s, id, FALSE, NULL);
out:
	if (in)
		g_object_unref(in);
	if (meta)
		json_object_unref(meta);
	g_free(id);
	mg_qstore_close(s);
	return ok;
}

gboolean mg_quarantine_step(struct mg_txn *t)
{
	GError *err = NULL;
	enum mg_qclass c = txn_modified(t) ? MG_QCLASS_MODIFIED : MG_QCLASS_CLEAN;
	if (t->quarantine_id || !keep_wanted(t, c))
		return TRUE;
	if (keep_original(t, c, "pending", &err))
		return TRUE;
	mg_alert_emit(MG_ALERT_STORE_FAILURE, MG_ALERT_ERROR, "%s: the original cannot be kept in quarantine: %s",
		      t->queue_id ? t->queue_id : "-", err ? err->message : "?");
	mg_txn_internal_error(t, "cannot keep the original in quarantine", err);
	g_clear_error(&err);
	return FALSE;
}

/* ---- after the verdict ---- */

#define ID_HEADER "X-Mugaika-Quarantine-Id"

/* A dropped original is named nowhere (its header operation goes too). */
static void remove_id_header(struct mg_txn *t)
{
	for (guint i = t->hdr_ops->len; i-- > 0;) {
		const struct mg_hdr_op *op = t->hdr_ops->pdata[i];
		if (op->kind == MG_HDR_ADD && g_strcmp0(op->name, ID_HEADER) == 0)
			g_ptr_array_remove_index(t->hdr_ops, i);
	}
}

static void drop_original(struct mg_txn *t, const char *why)
{
	GError *err = NULL;
	struct mg_qstore *s = mg_qstore_open(t->cfg);
	if (!s->ops->remove(s, t->quarantine_id, &err))
		mg_err(t->queue_id, "quarantine: cannot remove %s: %s", t->quarantine_id, err->message);
	else
		mg_info(t->queue_id, "quarantine: %s removed (%s)", t->quarantine_id, why);
	if (!err)
		s->ops->set_pending(s, t->quarantine_id, FALSE, NULL);
	g_clear_error(&err);
	mg_qstore_close(s);
	g_clear_pointer(&t->quarantine_id, g_free);
	json_object_remove_member(t->report->extra, "quarantine");
	remove_id_header(t);
}

static void finalize_meta(struct mg_txn *t)
{
	GError *err = NULL;
	struct mg_qstore *s = mg_qstore_open(t->cfg);
	if (t->report->verdict.kind == MG_VERDICT_REJECT)
		t->q_class = MG_QCLASS_BLOCKED;
	report_section(t);
	JsonObject *meta = meta_new(t, t->quarantine_id, "final");
	if (!s->ops->put_meta(s, t->quarantine_id, meta, &err)) /* the original and first metadata are safe */
		mg_warn(t->queue_id, "quarantine %s: final metadata not written: %s", t->quarantine_id, err->message);
	else /* a marker left only makes the next start look at a final entry */
		s->ops->set_pending(s, t->quarantine_id, FALSE, NULL);
	g_clear_error(&err);
	json_object_unref(meta);
	mg_qstore_close(s);
}

/* Turn the verdict into a temporary failure after the fact (the front end
 * has not acted on it yet): the MTA keeps the message and retries. */
static void verdict_tempfail(struct mg_txn *t, const char *rule, const char *what)
{
	mg_verdict_set(&t->report->verdict, MG_VERDICT_TEMPFAIL, "451", "4.3.0", rule,
		       "Temporary failure while processing the message (%s), try again later", what);
}

static void keep_blocked(struct mg_txn *t)
{
	GError *err = NULL;
	if (keep_original(t, MG_QCLASS_BLOCKED, "final", &err))
		return;
	mg_err(t->queue_id, "internal error: cannot keep the original of a blocked message: %s", err->message);
	g_clear_error(&err);
	if (t->cfg->on_error != MG_FAIL_REJECT) /* with reject, the sender keeps his copy */
		verdict_tempfail(t, "quarantine", "quarantine");
}

static gboolean write_record(struct mg_txn *t, gboolean aborted)
{
	GError *err = NULL;
	if (!*t->cfg->audit_log)
		return TRUE;
	JsonObject *rec = record_new(t, aborted);
	gboolean ok = mg_audit_append(t->cfg->audit_log, rec, &err);
	json_object_unref(rec);
	if (!ok) {
		mg_err(t->queue_id, "audit record not written: %s", err->message);
		mg_alert_emit(MG_ALERT_AUDIT_FAILURE, MG_ALERT_CRITICAL, "%s: audit record not written (%s): %s",
			      t->queue_id ? t->queue_id : "-",
			      t->cfg->on_audit_failure == 0 ? "message held with 451" : "message went on",
			      err->message);
	}
	g_clear_error(&err);
	return ok;
}

static void add_id_header(struct mg_txn *t)
{
	struct mg_hdr_op *op = g_new0(struct mg_hdr_op, 1);
	op->kind = MG_HDR_ADD;
	op->name = g_strdup(ID_HEADER);
	op->value = g_strdup(t->quarantine_id);
	g_ptr_array_add(t->hdr_ops, op);
}

void mg_store_prepare(struct mg_txn *t)
{
	const struct mg_verdict *v = &t->report->verdict;
	if (v->kind == MG_VERDICT_REJECT && !t->quarantine_id && keep_wanted(t, MG_QCLASS_BLOCKED))
		keep_blocked(t);
	if (v->kind == MG_VERDICT_ACCEPT && t->quarantine_id)
		add_id_header(t);
	t->store_prepared = TRUE;
}

void mg_store_commit(struct mg_txn *t, gboolean aborted)
{
	const struct mg_verdict *v = &t->report->verdict;
	gboolean told = !aborted && t->store_prepared; /* the front end answers the MTA after this */

	if (t->quarantine_id && (!told || (v->kind != MG_VERDICT_ACCEPT && v->kind != MG_VERDICT_REJECT)))
		drop_original(t, "message not accepted, the MTA will retry");
	if (t->quarantine_id)
		finalize_meta(t);
	if (!write_record(t, aborted) && told && t->cfg->on_audit_failure == 0 && v->kind != MG_VERDICT_TEMPFAIL) {
		verdict_tempfail(t, "audit-log", "audit log");
		if (t->quarantine_id)
			drop_original(t, "no audit record");
		if (t->hold_id) /* issue 16: the MTA retries; the retry is held afresh */
			mg_store_hold_drop(t, "no audit record");
	}
	t->finished = TRUE;
}

/* ---- at start: what a killed daemon left (issue 11) ---- */

/* A crashed daemon never answered the MTA for an entry still "pending": the
 * MTA kept the message and will retry.  The entry stays, marked so. */
static const char *reconcile_pending(struct mg_qstore *s, const char *id, JsonObject *m, char **detail)
{
	const char *state = mg_json_get_str0(m, "state");
	if (g_strcmp0(state, "pending") != 0)
		return "already final, kept";
	json_object_set_string_member(m, "state", "not-accepted");
	set_time(m, "reconciled", g_get_real_time());
	json_object_set_string_member(m, "note",
				      "the daemon stopped before the MTA had its answer; the MTA kept "
				      "the message");
	GError *err = NULL;
	if (s->ops->put_meta(s, id, m, &err))
		return "marked not-accepted (the daemon stopped before the MTA had its answer)";
	*detail = g_strdup(err->message);
	g_error_free(err);
	return "could not be marked not-accepted";
}

static void reconcile_entry(struct mg_qstore *s, const char *id, const char *root)
{
	GError *err = NULL;
	char *detail = NULL;
	const char *what;
	JsonObject *m = s->ops->get_meta(s, id, &err);
	if (m)
		what = reconcile_pending(s, id, m, &detail);
	else if (g_error_matches(err, MG_QUARANTINE_ERROR, MG_QERR_INCOMPLETE))
		what = s->ops->remove(s, id, NULL) ? "incomplete entry removed (no metadata; the MTA kept the message)"
						   : "incomplete entry could not be removed";
	else if (g_error_matches(err, MG_QUARANTINE_ERROR, MG_QERR_NOT_FOUND))
		what = "nothing had been written";
	else
		what = "left for an administrator", detail = g_strdup(err->message);
	mg_info(NULL, "quarantine %s: reconciled at start: %s: %s%s%s", root, id, what, detail ? ": " : "",
		detail ? detail : "");
	s->ops->set_pending(s, id, FALSE, NULL);
	if (m)
		json_object_unref(m);
	g_clear_error(&err);
	g_free(detail);
}

guint mg_store_reconcile(const struct mg_config *cfg, gint64 started_us)
{
	struct mg_qstore *s = mg_qstore_open(cfg);
	guint temps = 0;
	GPtrArray *ids = s->ops->leftovers(s, started_us, &temps);
	for (guint i = 0; i < ids->len; i++)
		reconcile_entry(s, ids->pdata[i], cfg->quarantine_dir);
	if (temps)
		mg_info(NULL, "quarantine %s: reconciled at start: %u temporary files of interrupted writes removed",
			cfg->quarantine_dir, temps);
	guint n = ids->len;
	g_ptr_array_unref(ids);
	mg_qstore_close(s);
	return n + temps;
}
