/*
 * attach.c - an attachment leaf through the CDR stage (mg_steps.h).
 *
 * The CDR stage sees bytes, a name and a context; this file gives it the
 * message's configuration, budgets and scanner, records the result in the
 * part report and builds the new MIME part from what the stage returned.
 */
#include "config.h"

#include <gio/gio.h>

#include "mg_cdr.h"
#include "mg_exception.h"
#include "mg_guard.h"
#include "mg_log.h"
#include "mg_mime.h"
#include "mg_scan.h"
#include "mg_sha256.h"
#include "mg_steps.h"

static enum mg_cdr_scan scan_for_cdr(void *data, const guint8 *buf, gsize len, const char *name, char **virus,
				     char **why)
{
	switch (mg_scan_buffer(data, buf, len, name, virus, why)) {
	case MG_SCAN_CLEAN: return MG_CDR_SCAN_CLEAN;
	case MG_SCAN_INFECTED: return MG_CDR_SCAN_INFECTED;
	case MG_SCAN_UNSCANNABLE: return MG_CDR_SCAN_UNSCANNABLE;
	default: return MG_CDR_SCAN_ERROR;
	}
}

void mg_pipeline_cdr_ctx_init(struct mg_cdr_ctx *ctx, struct mg_txn *t)
{
	*ctx = (struct mg_cdr_ctx){.cfg = t->cfg,
				   .direction = t->direction,
				   .deadline_us = t->deadline_us,
				   .log_id = t->queue_id,
				   .scan = scan_for_cdr,
				   .scan_data = t,
				   .archive_unpacked = t->archive_unpacked};
}

void mg_pipeline_cdr_ctx_finish(struct mg_cdr_ctx *ctx, struct mg_txn *t)
{
	t->archive_unpacked = ctx->archive_unpacked;
	if (ctx->quarantine)
		t->force_quarantine = TRUE;
	if (ctx->refuse_rule)
		mg_txn_fail(t, MG_VERDICT_REJECT, "550", "5.7.1", ctx->refuse_rule, "Attachment refused: %s",
			    ctx->refuse_reason ? ctx->refuse_reason : "");
	mg_cdr_ctx_clear(ctx);
}

static enum mg_action action_of(enum mg_cdr_status st, const struct mg_cdr_out *out)
{
	if (st == MG_CDR_CONVERTED)
		return MG_ACTION_CONVERTED;
	if (st == MG_CDR_REBUILT)
		return out->kept ? MG_ACTION_KEPT : MG_ACTION_REBUILT;
	return MG_ACTION_REMOVED;
}

static void report_fill(struct mg_part_report *rep, enum mg_action action, const struct mg_cdr_out *out)
{
	rep->action = action;
	g_free(rep->reason);
	rep->reason = g_strdup(out->reason ? out->reason : mg_action_name(action));
	for (guint i = 0; out->removed && i < out->removed->len; i++)
		mg_part_report_removed(rep, "%s", (const char *)out->removed->pdata[i]);
	if (out->virus) {
		g_free(rep->virus);
		rep->virus = g_strdup(out->virus);
	}
}

static void report_new(struct mg_part_report *rep, const char *type, const struct mg_cdr_out *out)
{
	char hex[65];
	g_free(rep->new_type);
	rep->new_type = g_strdup(type);
	g_free(rep->new_filename);
	rep->new_filename = g_strdup(out->new_filename);
	mg_sha256_hex(out->data->data, out->data->len, hex);
	g_free(rep->new_sha256);
	rep->new_sha256 = g_strdup(hex);
	rep->new_size = out->data->len;
}

static GMimeObject *deliver(struct mg_leaf *leaf, enum mg_cdr_status st, struct mg_cdr_out *out)
{
	enum mg_action action = action_of(st, out);
	if (st == MG_CDR_ERROR) {
		GError *e = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", out->reason ? out->reason : "?");
		mg_txn_internal_error(leaf->t, "attachment rebuild", e);
		g_error_free(e);
		report_fill(leaf->rep, MG_ACTION_REMOVED, out);
		return NULL;
	}
	report_fill(leaf->rep, action, out);
	if (st == MG_CDR_INFECTED)
		mg_scan_part_infected(leaf->t, out->virus);
	if (st != MG_CDR_REBUILT && st != MG_CDR_CONVERTED)
		return NULL;
	/* issue 12: the type and name the CDR stage chose, never the sender's */
	const char *type = out->new_type;
	if (!type) {
		GError *e = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "no delivery type for part %s", leaf->path);
		mg_txn_internal_error(leaf->t, "attachment rebuild", e);
		g_error_free(e);
		return NULL;
	}
	if (action != MG_ACTION_KEPT)
		report_new(leaf->rep, type, out);
	return mg_leaf_new_part(leaf, type, out->new_filename, out->data->data, out->data->len);
}

/* The charset the sender declared for a text part (a claim: the CDR
 * stage doubts it when it decodes the text). */
static const char *leaf_charset(const struct mg_leaf *leaf)
{
	GMimeContentType *ct = leaf->orig ? g_mime_object_get_content_type(GMIME_OBJECT(leaf->orig)) : NULL;
	return ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
}

/* The sanitize-bypass exceptions of the message, for the CDR (issue 16). */
static GPtrArray *keep_list(struct mg_txn *t)
{
	GPtrArray *ex = mg_guard_bypass_list(t);
	if (!ex)
		return NULL;
	GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < ex->len; i++) {
		const struct mg_exception *e = ex->pdata[i];
		struct mg_cdr_keep *k = g_new0(struct mg_cdr_keep, 1);
		*k = (struct mg_cdr_keep){.id = e->id, .type_glob = e->filetype, .name_glob = e->filename};
		g_ptr_array_add(keep, k);
	}
	g_ptr_array_unref(ex);
	return keep;
}

static void keep_used(struct mg_txn *t, const struct mg_leaf *leaf, enum mg_cdr_status st, const struct mg_cdr_out *out)
{
	if (!out->kept_by || st != MG_CDR_REBUILT)
		return;
	char *what =
		g_strdup_printf("attachment %s (%s) delivered as it came", leaf->filename ? leaf->filename : leaf->path,
				out->true_type ? out->true_type : "?");
	mg_guard_bypass_used(t, out->kept_by, what);
	g_free(what);
}

GMimeObject *mg_pipeline_attachment(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	struct mg_cdr_ctx ctx;
	struct mg_cdr_out out;
	struct mg_fallback fb;
	mg_pipeline_cdr_ctx_init(&ctx, t);
	mg_pipeline_fallback_arm(&fb, &ctx, t); /* F31: an emergency cdr-fallback profile */
	GPtrArray *keep = keep_list(t);
	ctx.keep = keep;
	mg_cdr_out_init(&out);
	struct mg_cdr_in in = {.ctx = &ctx,
			       .data = leaf->data->data,
			       .len = leaf->data->len,
			       .filename = leaf->filename,
			       .declared_type = leaf->mime_type,
			       .declared_charset = leaf_charset(leaf)};
	enum mg_cdr_status st = mg_pipeline_fallback(&fb, leaf, mg_cdr_file(&in, &out), &out);
	if (out.data && !mg_txn_mem_take(t, out.data->len, "attachment rebuild")) /* issue 11 */
		st = MG_CDR_REMOVE;
	g_free(leaf->rep->detected_type);
	leaf->rep->detected_type = g_strdup(out.true_type);
	mg_info(t->queue_id, "part %s: %s: %s", leaf->path, out.true_type ? out.true_type : "?",
		out.reason ? out.reason : "");
	mg_pipeline_cdr_ctx_finish(&ctx, t);
	keep_used(t, leaf, st, &out);
	GMimeObject *o = deliver(leaf, st, &out);
	mg_cdr_out_clear(&out);
	if (keep)
		g_ptr_array_unref(keep);
	return o;
}
