/*
 * txn.c - the record of one message, below every stage: its envelope and
 * headers as received, the raw spool, the verdict and the report.  Stages
 * write their decision here (mg_txn_fail, mg_txn_internal_error,
 * mg_txn_refuse_rcpt) and read it (mg_txn_decided); none of this calls a
 * stage.  A stage that keeps per-message state in the record registers
 * its own cleanup with mg_txn_on_free.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_log.h"
#include "mg_txn.h"

static void header_free(gpointer p)
{
	struct mg_header *h = p;
	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

static void hdr_op_free(gpointer p)
{
	struct mg_hdr_op *op = p;
	g_free(op->name);
	g_free(op->value);
	g_free(op);
}

struct mg_txn *mg_txn_record_new(struct mg_conn *c, struct mg_config *cfg)
{
	struct mg_txn *t = g_new0(struct mg_txn, 1);
	t->cfg = mg_config_ref(cfg);
	t->conn = c;
	c->n_msgs++;
	t->queue_id = g_strdup("NOQUEUE");
	t->rcpts = g_ptr_array_new_with_free_func(g_free);
	t->headers = g_ptr_array_new_with_free_func(header_free);
	t->hdr_ops = g_ptr_array_new_with_free_func(hdr_op_free);
	t->notes = g_ptr_array_new_with_free_func(g_free);
	t->report = mg_report_new();
	t->raw = mg_spool_new(cfg->spool_dir, (gsize)cfg->spool_memory_max, (gsize)cfg->max_message_size);
	t->started_us = g_get_monotonic_time();
	return t;
}

/* Registered per-message cleanups, last registered first. */
static void run_cleanups(struct mg_txn *t)
{
	for (guint i = t->cleanups ? t->cleanups->len : 0; i > 0; i--) {
		mg_txn_cleanup_fn fn = (mg_txn_cleanup_fn)g_ptr_array_index(t->cleanups, i - 1);
		fn(t);
	}
	if (t->cleanups)
		g_ptr_array_unref(t->cleanups);
	t->cleanups = NULL;
}

void mg_txn_on_free(struct mg_txn *t, mg_txn_cleanup_fn fn)
{
	if (!t->cleanups)
		t->cleanups = g_ptr_array_new();
	for (guint i = 0; i < t->cleanups->len; i++)
		if (g_ptr_array_index(t->cleanups, i) == (gpointer)fn)
			return;
	g_ptr_array_add(t->cleanups, (gpointer)fn);
}

void mg_txn_record_free(struct mg_txn *t)
{
	if (!t)
		return;
	run_cleanups(t);
	mg_txn_mem_return(t); /* txn_mem.c */
	if (t->msg)
		g_object_unref(t->msg);
	if (t->new_top)
		g_object_unref(t->new_top);
	mg_spool_free(t->raw);
	if (t->out_body)
		g_object_unref(t->out_body);
	mg_report_free(t->report);
	mg_verdict_clear(&t->rcpt_verdict);
	g_ptr_array_unref(t->rcpts);
	g_ptr_array_unref(t->headers);
	g_ptr_array_unref(t->hdr_ops);
	g_ptr_array_unref(t->notes);
	g_strfreev(t->mail_args);
	g_free(t->mail_from);
	g_free(t->queue_id);
	g_free(t->boundary_seed);
	g_free(t->quarantine_id);
	g_free(t->auth_user);
	if (t->hold_reasons) /* issue 16 */
		g_ptr_array_unref(t->hold_reasons);
	g_free(t->hold_id);
	mg_config_unref(t->cfg);
	g_free(t);
}

gboolean mg_txn_decided(const struct mg_txn *t)
{
	return t->report->verdict.kind != MG_VERDICT_CONTINUE;
}

gboolean mg_txn_past_deadline(const struct mg_txn *t)
{
	return t->deadline_us && g_get_monotonic_time() > t->deadline_us;
}

void mg_txn_fail(struct mg_txn *t, enum mg_verdict_kind kind, const char *code, const char *ecode, const char *rule,
		 const char *fmt, ...)
{
	va_list ap;
	if (mg_txn_decided(t))
		return;
	va_start(ap, fmt);
	char *reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	mg_verdict_set(&t->report->verdict, kind, code, ecode, rule, "%s", reason);
	mg_info(t->queue_id, "%s: %s %s %s (rule %s)", mg_verdict_name(kind), code, ecode, reason, rule);
	g_free(reason);
}

void mg_txn_internal_error(struct mg_txn *t, const char *what, const GError *err)
{
	mg_err(t->queue_id, "internal error: %s: %s", what, err ? err->message : "unknown");
	if (t->cfg->on_error == MG_FAIL_REJECT)
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.3.0", "internal-error",
			    "Message could not be sanitized (%s)", what);
	else
		mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.3.0", "internal-error",
			    "Temporary failure while sanitizing the message (%s), try again later", what);
}

char *mg_txn_boundary(struct mg_txn *t)
{
	return g_strdup_printf("=_mugaika_%.24s_%u", t->boundary_seed ? t->boundary_seed : "0", ++t->boundary_n);
}

void mg_txn_refuse_rcpt(struct mg_txn *t, enum mg_verdict_kind kind, const char *code, const char *ecode,
			const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	mg_verdict_set(&t->rcpt_verdict, kind, code, ecode, rule, "%s", reason);
	g_free(reason);
}

void mg_txn_event_once(struct mg_txn *t, const char *event)
{
	for (guint i = 0; i < t->report->events->len; i++)
		if (g_str_equal(t->report->events->pdata[i], event))
			return;
	mg_report_event(t->report, "%s", event);
}

gboolean mg_txn_is_body_rep(const struct mg_txn *t, const struct mg_part_report *p)
{
	if (!t->body_reps || p->action == MG_ACTION_REMOVED)
		return FALSE;
	for (guint i = 0; i < t->body_reps->len; i++)
		if (t->body_reps->pdata[i] == p)
			return TRUE;
	return FALSE;
}

GMimeStream *mg_txn_output(struct mg_txn *t)
{
	if (!t->out_body)
		return NULL;
	return g_mime_stream_substream(t->out_body, 0, g_mime_stream_length(t->out_body));
}

void mg_txn_header_op(struct mg_txn *t, enum mg_hdr_op_kind kind, const char *name, int index, const char *value)
{
	struct mg_hdr_op *op = g_new0(struct mg_hdr_op, 1);
	op->kind = kind;
	op->name = g_strdup(name);
	op->index = index;
	op->value = g_strdup(value);
	g_ptr_array_add(t->hdr_ops, op);
}
