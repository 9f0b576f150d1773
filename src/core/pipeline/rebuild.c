/*
 * rebuild.c - one bare file outside any message (mg_rebuild.h), for
 * `mugaika rebuild`: the same entry of the CDR stage as an attachment
 * (mg_cdr_file), with a scanner bound to a message record of its own so
 * that the file is scanned exactly as an attachment would be.
 */
#include "config.h"

#include <gio/gio.h>

#include "mg_cdr.h"
#include "mg_filetype.h"
#include "mg_pipeline.h"
#include "mg_rebuild.h"
#include "mg_scan.h"
#include "mg_steps.h"

static const char *result_name(enum mg_cdr_status st, const struct mg_cdr_out *out)
{
	static const char *const names[] = {"rebuilt", "converted", "removed", "unscannable", "infected", "error"};
	if (st == MG_CDR_REBUILT && out->kept)
		return "kept";
	return (gsize)st < G_N_ELEMENTS(names) ? names[st] : "error";
}

static void rebuild_fill(struct mg_rebuild *r, const struct mg_txn *t, enum mg_cdr_status st, struct mg_cdr_out *out)
{
	r->true_type = g_strdup(out->true_type);
	r->result = result_name(st, out);
	r->reason = g_strdup(out->reason ? out->reason : r->result);
	r->new_type = g_strdup(out->new_type);
	r->new_filename = g_strdup(out->new_filename);
	r->removed = g_ptr_array_ref(out->removed);
	if (st == MG_CDR_REBUILT || st == MG_CDR_CONVERTED)
		r->data = g_byte_array_ref(out->data);
	const struct mg_verdict *v = &t->report->verdict;
	if (v->kind == MG_VERDICT_REJECT || v->kind == MG_VERDICT_TEMPFAIL)
		r->verdict = g_strdup_printf("%s %s %s", v->code, v->ecode, v->reason ? v->reason : "");
	r->quarantine = t->force_quarantine;
}

/* The file as it came, scanned first as the step sequence scans every
 * decoded part (mg_scan_leaf) before the CDR stage sees it: a file the
 * milter refuses as infected was reported "rebuilt" and delivered here,
 * since only what the CDR stage takes apart (archive members, rebuilt
 * files) was scanned (corpus sweep: ClamAV's clam.pdf, clam.exe.rtf,
 * clam.exe.html).  TRUE when the CDR stage may go on; else `r` is filled. */
static gboolean rebuild_scan(struct mg_txn *t, const guint8 *data, gsize len, const char *filename,
			     struct mg_rebuild *r)
{
	GByteArray *copy = g_byte_array_sized_new((guint)len);
	g_byte_array_append(copy, data, (guint)len);
	struct mg_part_report *rep = mg_report_add_part(t->report, "1");
	struct mg_leaf leaf = {.t = t, .path = "1", .data = copy, .filename = (char *)filename, .rep = rep};
	gboolean go_on = mg_scan_leaf(&leaf);
	g_byte_array_unref(copy);
	if (go_on)
		return TRUE;
	const struct mg_verdict *v = &t->report->verdict;
	struct mg_filetype ft = {0};
	if (mg_filetype_detect(data, len, filename, NULL, &ft, NULL))
		r->true_type = g_strdup(ft.true_type);
	mg_filetype_clear(&ft);
	r->result = rep->virus ? "infected" : v->kind == MG_VERDICT_TEMPFAIL ? "error" : "unscannable";
	r->reason = g_strdup(rep->reason ? rep->reason : v->reason ? v->reason : r->result);
	r->removed = g_ptr_array_new_with_free_func(g_free);
	if (v->kind == MG_VERDICT_REJECT || v->kind == MG_VERDICT_TEMPFAIL)
		r->verdict = g_strdup_printf("%s %s %s", v->code, v->ecode, v->reason ? v->reason : "");
	return FALSE;
}

static int direction_of(const char *direction)
{
	static const char *const dirs[] = {"inbound", "outbound", "internal", "transit"};
	if (!direction)
		return MG_DIR_INBOUND;
	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++)
		if (g_ascii_strcasecmp(direction, dirs[i]) == 0)
			return (int)i;
	return -1;
}

gboolean mg_rebuild_file(struct mg_config *cfg, const char *direction, const guint8 *data, gsize len,
			 const char *filename, struct mg_rebuild *r, GError **err)
{
	int dir = direction_of(direction);
	*r = (struct mg_rebuild){0};
	if (dir < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "'%s' is not a direction; allowed: inbound, outbound, internal, transit", direction);
		return FALSE;
	}
	struct mg_conn *c = mg_conn_new("", NULL);
	struct mg_txn *t = mg_txn_new(c, cfg);
	t->direction = dir;
	t->deadline_us = g_get_monotonic_time() + cfg->max_processing_time * G_USEC_PER_SEC;
	gboolean ok = TRUE;
	if (!rebuild_scan(t, data, len, filename, r))
		goto done;
	struct mg_cdr_ctx ctx;
	struct mg_cdr_out out;
	mg_pipeline_cdr_ctx_init(&ctx, t);
	mg_cdr_out_init(&out);
	struct mg_cdr_in in = {.ctx = &ctx, .data = data, .len = len, .filename = filename};
	enum mg_cdr_status st = mg_cdr_file(&in, &out);
	mg_pipeline_cdr_ctx_finish(&ctx, t);        /* the message's verdict, as for an attachment */
	if (st == MG_CDR_ERROR && !out.true_type) { /* the content could not be typed */
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", out.reason ? out.reason : "file typing failed");
		ok = FALSE;
	} else {
		rebuild_fill(r, t, st, &out);
	}
	mg_cdr_out_clear(&out);
done:
	mg_txn_free(t);
	mg_conn_free(c);
	return ok;
}

void mg_rebuild_clear(struct mg_rebuild *r)
{
	g_free(r->true_type);
	g_free(r->reason);
	g_free(r->new_type);
	g_free(r->new_filename);
	if (r->removed)
		g_ptr_array_unref(r->removed);
	if (r->data)
		g_byte_array_unref(r->data);
	g_free(r->verdict);
	*r = (struct mg_rebuild){0};
}
