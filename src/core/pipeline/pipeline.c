/*
 * pipeline.c - the step sequence: the functions of mg_pipeline.h that the
 * front ends drive (connection, envelope, headers, body chunks, end of
 * message) and the order in which they call the stages.  End of message is
 * a short table of named steps (eom_steps below); each step lives in its
 * stage (mime/ parses and rebuilds, body/ writes the notice, scan/, store/).
 * This is the only caller of the stages' entry points
 * (docs/ARCHITECTURE.md); the stages record their decisions in the
 * transaction record (txn/) and never call back up here.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_log.h"
#include "mg_auth.h"
#include "mg_metrics.h"
#include "mg_body.h"
#include "mg_mime.h"
#include "mg_guard.h"
#include "mg_policy.h"
#include "mg_scan.h"
#include "mg_steps.h"
#include "mg_store.h"
#include "mg_pipeline.h"
#include "mg_txn.h"

void mg_pipeline_global_init(void)
{
	g_mime_init();
	mg_pipeline_register_stages();
}

void mg_pipeline_global_shutdown(void)
{
	g_mime_shutdown();
}

struct mg_conn *mg_conn_new(const char *client_addr, const char *client_name)
{
	struct mg_conn *c = g_new0(struct mg_conn, 1);
	c->client_addr = g_strdup(client_addr ? client_addr : "");
	c->client_name = g_strdup(client_name ? client_name : "");
	c->helo = g_strdup("");
	return c;
}

void mg_conn_helo(struct mg_conn *c, const char *helo)
{
	g_free(c->helo);
	c->helo = g_strdup(helo ? helo : "");
}

void mg_conn_free(struct mg_conn *c)
{
	if (!c)
		return;
	g_free(c->client_addr);
	g_free(c->client_name);
	g_free(c->helo);
	g_free(c);
}

void mg_txn_set_queue_id(struct mg_txn *t, const char *qid)
{
	g_free(t->queue_id);
	t->queue_id = g_strdup(qid && *qid ? qid : "NOQUEUE");
}

const char *mg_txn_queue_id(const struct mg_txn *t)
{
	return t->queue_id;
}

const GPtrArray *mg_txn_header_ops(const struct mg_txn *t)
{
	return t->hdr_ops;
}

gboolean mg_txn_held(const struct mg_txn *t)
{
	return t->hold_id != NULL || t->hold_trial;
}

const struct mg_report *mg_txn_report(const struct mg_txn *t)
{
	return t->report;
}

GMimeStream *mg_txn_new_body(struct mg_txn *t)
{
	return mg_txn_output(t);
}

/* Read up to len bytes (fewer only at the end); -1 on a read error. */
static gssize read_full(GMimeStream *s, char *buf, gsize len)
{
	gsize got = 0;
	while (got < len) {
		gssize n = g_mime_stream_read(s, buf + got, len - got);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (gsize)n;
	}
	return (gssize)got;
}

gboolean mg_txn_body_unchanged(struct mg_txn *t)
{
	if (t->output_same_known) /* compared once the output was written (step_scan_output) */
		return t->output_same;
	GMimeStream *out = mg_txn_output(t), *raw = t->raw ? mg_spool_stream(t->raw, NULL) : NULL;
	gint64 left = raw ? g_mime_stream_length(raw) - (gint64)t->body_offset : -1;
	gboolean same = out && raw && left == g_mime_stream_length(out) &&
			g_mime_stream_seek(raw, (gint64)t->body_offset, GMIME_STREAM_SEEK_SET) >= 0;
	static const gsize chunk = 65536;
	char *a = same ? g_malloc(2 * chunk) : NULL, *b = a ? a + chunk : NULL; /* NULL + n is undefined */
	while (same && left > 0) { /* never past the end: a bounded file stream answers -1 there */
		gsize want = (gsize)MIN((gint64)chunk, left);
		same = read_full(out, a, want) == (gssize)want && read_full(raw, b, want) == (gssize)want &&
		       memcmp(a, b, want) == 0;
		left -= (gint64)want;
	}
	g_free(a);
	if (out)
		g_object_unref(out);
	if (raw)
		g_object_unref(raw);
	return same;
}

GMimeStream *mg_txn_original_body(struct mg_txn *t)
{
	GMimeStream *raw = mg_spool_stream(t->raw, NULL);
	if (!raw)
		return NULL;
	GMimeStream *body = g_mime_stream_substream(raw, (gint64)t->body_offset, g_mime_stream_length(raw));
	g_object_unref(raw);
	return body;
}

gboolean mg_pipeline_config_ready(const struct mg_config *cfg, GError **err)
{
	return mg_policy_config_ready(cfg, err);
}

struct mg_txn *mg_txn_new(struct mg_conn *c, struct mg_config *cfg)
{
	return mg_txn_record_new(c, cfg);
}

void mg_txn_set_store(struct mg_txn *t, gboolean store)
{
	t->no_store = !store;
}

/* issue 14: a message ended with a verdict; count it for monitoring. */
static void count_message(const struct mg_txn *t, gint64 elapsed_us)
{
	static const enum mg_metric_verdict verdicts[] = {MG_MV_N, MG_MV_ACCEPT, MG_MV_REJECT, MG_MV_TEMPFAIL};
	const struct mg_verdict *v = &t->report->verdict;
	int counts[4] = {0};
	if ((unsigned)v->kind >= G_N_ELEMENTS(verdicts) || verdicts[v->kind] == MG_MV_N)
		return; /* aborted: no verdict */
	mg_metrics_message(verdicts[v->kind], (enum mg_metric_direction)t->direction, elapsed_us);
	if (v->kind == MG_VERDICT_TEMPFAIL)
		mg_metrics_tempfail(v->rule);
	mg_report_count(t->report, counts);
	for (int a = 0; a < 4; a++)
		mg_metrics_parts((enum mg_metric_action)a, (guint)counts[a]);
}

void mg_txn_free(struct mg_txn *t)
{
	if (!t)
		return;
	if (!t->finished && t->mail_from) { /* refused early, aborted, or never answered */
		gboolean answered_early = !t->store_prepared && mg_txn_decided(t);
		mg_store_commit(t, t->store_prepared || !mg_txn_decided(t));
		if (answered_early) /* issue 14: a message refused before its end */
			count_message(t, g_get_monotonic_time() - t->started_us);
	}
	mg_txn_record_free(t);
}

/* "<a@b>" -> "a@b": the MTA passes the address as the client wrote it. */
static char *addr_bare(const char *addr)
{
	char *a = g_strstrip(g_strdup(addr ? addr : ""));
	gsize n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	return a;
}

void mg_txn_set_auth(struct mg_txn *t, const char *authen)
{
	g_free(t->auth_user);
	t->auth_user = g_strdup(authen ? authen : "");
}

const struct mg_verdict *mg_txn_mail_from(struct mg_txn *t, const char *addr, char *const *esmtp_args)
{
	g_free(t->mail_from);
	t->mail_from = addr_bare(addr);
	g_strfreev(t->mail_args);
	t->mail_args = g_strdupv((char **)esmtp_args);
	mg_policy_mail_from(t);
	return &t->report->verdict;
}

/* A recipient refused alone gets its own verdict; the message goes on. */
const struct mg_verdict *mg_txn_rcpt(struct mg_txn *t, const char *addr, char *const *esmtp_args)
{
	mg_verdict_clear(&t->rcpt_verdict);
	char *bare = addr_bare(addr);
	if (!mg_txn_decided(t) && mg_policy_rcpt(t, bare)) {
		g_ptr_array_add(t->rcpts, bare);
		bare = NULL;
	} else if (t->rcpt_verdict.kind != MG_VERDICT_CONTINUE) { /* issue 16: every refusal on record */
		mg_report_refused_rcpt(t->report, bare, &t->rcpt_verdict);
	}
	g_free(bare);
	if (!mg_txn_decided(t) && t->rcpt_verdict.kind != MG_VERDICT_CONTINUE)
		return &t->rcpt_verdict;
	return &t->report->verdict;
}

/* Append DATA to BUF with CRLF turned into LF, and a bare CR too: mail
 * clients take a lone CR for a line end, so the message is parsed as they
 * will read it (issue 12: bare-CR multiparts used to come out empty; Postfix
 * turns a bare CR into a space before a milter sees it, Sendmail and a file
 * given to `mugaika sanitize` do not).  A CR at the end of DATA is held in
 * t->body_cr until the next byte shows whether LF follows. */
static void lf_append(struct mg_txn *t, GString *buf, const char *data, gsize len)
{
	const char *p = data, *end = data + len;
	if (t->body_cr && p < end) {
		if (*p != '\n')
			g_string_append_c(buf, '\n');
		t->body_cr = FALSE;
	}
	while (p < end) {
		const char *cr = memchr(p, '\r', (gsize)(end - p));
		g_string_append_len(buf, p, (cr ? cr : end) - p);
		if (!cr)
			return;
		p = cr + 1;
		if (p == end)
			t->body_cr = TRUE;
		else if (*p != '\n')
			g_string_append_c(buf, '\n');
	}
}

/* Normalize CRLF to LF (across chunk boundaries) and spool.  Data without
 * CR (LF-only input, most of a file given to `mugaika sanitize`) goes to the
 * spool as it is, without a copy. */
static void spool_lf(struct mg_txn *t, const char *data, gsize len)
{
	GError *err = NULL;
	GString *buf = NULL;
	if (t->body_cr || (len > 0 && memchr(data, '\r', len))) {
		buf = g_string_sized_new(len + 1);
		lf_append(t, buf, data, len);
		data = buf->str;
		len = buf->len;
	}
	enum mg_spool_status st = mg_spool_write(t->raw, data, len, &err);
	if (buf)
		g_string_free(buf, TRUE);
	if (st == MG_SPOOL_FULL)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.3.4", "max_message_size",
			    "Message exceeds the size limit of %" G_GINT64_FORMAT " bytes",
			    t->size_limit ? t->size_limit : t->cfg->max_message_size);
	else if (st == MG_SPOOL_ERROR)
		mg_txn_internal_error(t, "spool", err);
	g_clear_error(&err);
}

static gboolean has_bare_cr(const char *v)
{
	for (const char *p = strchr(v, '\r'); p; p = strchr(p + 1, '\r'))
		if (p[1] != '\n')
			return TRUE;
	return FALSE;
}

const struct mg_verdict *mg_txn_header(struct mg_txn *t, const char *name, const char *value)
{
	const struct mg_config *cfg = t->cfg;
	if (mg_txn_decided(t))
		return &t->report->verdict;
	gsize flen = strlen(name) + strlen(value) + 3;
	t->header_bytes += flen;
	if (flen > (gsize)cfg->max_header_field)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_header_field",
			    "Header field %.40s exceeds %" G_GINT64_FORMAT " bytes", name, cfg->max_header_field);
	else if (t->header_bytes > (gsize)cfg->max_header_size)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_header_size",
			    "Message header exceeds %" G_GINT64_FORMAT " bytes", cfg->max_header_size);
	else if (t->headers->len >= (guint)cfg->max_headers)
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.6.0", "max_headers",
			    "Message has more than %" G_GINT64_FORMAT " header fields", cfg->max_headers);
	else if (has_bare_cr(value))
		/* issue 12: header fields other than Content-* are delivered as they
		 * came, and a client that takes the CR for a line end would read
		 * fields (a second Content-Type) that mugaika never saw */
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.6.0", "header-bare-cr",
			    "Header field %.40s contains a bare CR", name);
	if (mg_txn_decided(t))
		return &t->report->verdict;
	struct mg_header *h = g_new0(struct mg_header, 1);
	h->name = g_strdup(name);
	h->value = mg_mime_lf(value);
	g_ptr_array_add(t->headers, h);
	return &t->report->verdict;
}

const struct mg_verdict *mg_txn_eoh(struct mg_txn *t)
{
	if (mg_txn_decided(t))
		return &t->report->verdict;
	for (guint i = 0; i < t->headers->len && !mg_txn_decided(t); i++) {
		struct mg_header *h = t->headers->pdata[i];
		char *line = g_strdup_printf("%s: %s\n", h->name, h->value);
		spool_lf(t, line, strlen(line));
		g_free(line);
	}
	if (!mg_txn_decided(t))
		spool_lf(t, "\n", 1);
	t->in_body = TRUE;
	t->body_offset = mg_spool_size(t->raw);
	if (!mg_txn_decided(t))
		mg_policy_eoh(t);
	return &t->report->verdict;
}

const struct mg_verdict *mg_txn_body(struct mg_txn *t, const void *data, gsize len)
{
	if (!t->in_body)
		mg_txn_eoh(t);
	if (!mg_txn_decided(t))
		spool_lf(t, data, len);
	return &t->report->verdict;
}

/* One leaf of the original: the stage that decides it. */
GMimeObject *mg_pipeline_leaf(struct mg_leaf *leaf, void *unused)
{
	(void)unused;
	if (!mg_policy_leaf(leaf)) /* issue 6: attachment count/size */
		return NULL;
	if (leaf->t->cfg->body_only && !leaf->inline_text) /* issue 3: body-only profile (F3) */
		return mg_body_only_remove(leaf);
	if (mg_pipeline_emergency_leaf(leaf)) /* F31: an emergency body-only profile */
		return NULL;
	if (!mg_scan_leaf(leaf)) /* infected or unscannable: removed or decided */
		return NULL;
	if (leaf->inline_text)
		return mg_body_text(leaf);
	return mg_pipeline_attachment(leaf);
}

/* One leaf of the scan profile (issue 16): checked, never changed.  A
 * finding the sanitize profile would resolve by removing the part cannot
 * be resolved here: an infected part refuses the message; an unscannable
 * one (an encrypted file going out) is delivered as it is, unless
 * scan_on_unscannable refuses such files. */
static GMimeObject *inspect_leaf(struct mg_leaf *leaf, void *unused)
{
	struct mg_txn *t = leaf->t;
	(void)unused;
	if (!mg_policy_leaf(leaf))
		return NULL;
	char *virus = NULL, *why = NULL;
	enum mg_scan_result r = mg_scan_buffer(t, leaf->data->data, leaf->data->len,
					       leaf->filename ? leaf->filename : leaf->path, &virus, &why);
	mg_scan_verdict_unchanged(leaf, r, virus, why);
	g_free(virus);
	g_free(why);
	return NULL;
}

/* The raw message through the scanner (issue 15): libclamav's own MIME
 * parser reads it too unless GMime's reading leaves it nothing to find
 * (mg_mime_agree) and the site did not ask for it on every message.  After
 * the parse, so that the agreement can be checked; one scan either way
 * (libclamav's clean cache does not tell its scan options apart, so a
 * second, deeper scan of the same bytes would be answered from it). */
static gboolean step_scan_message(struct mg_txn *t)
{
	if (t->cfg->scan_message_mime == MG_SCAN_MIME_ALWAYS)
		t->mime_disagreement = "scan_message_mime = always";
	else
		t->mime_agreed = mg_mime_agree(t);
	return mg_scan_message_step(t);
}

/* The content: a new tree (sanitize) or a read-only walk (scan). */
static gboolean step_content(struct mg_txn *t)
{
	if (t->profile == MG_PROFILE_SCAN)
		return mg_mime_inspect(t, inspect_leaf, NULL) && mg_scan_raw_accounted(t);
	return mg_mime_rebuild(t, mg_pipeline_leaf, NULL);
}

static gboolean step_notice(struct mg_txn *t)
{
	return t->profile == MG_PROFILE_SCAN || mg_notice_step(t);
}

static gboolean step_write(struct mg_txn *t)
{
	return t->profile == MG_PROFILE_SCAN ? mg_mime_write_unchanged(t) : mg_mime_write(t);
}

/* The scan profile delivers what was scanned as a whole and part by part.
 * So does a sanitized message whose body comes out byte for byte as it
 * came in (issue 15): every byte of it was scanned in the raw message and
 * again decoded part by part, and what is new is mugaika's own header
 * fields; mg_scan_output_step then does not scan it a third time. */
static gboolean step_scan_output(struct mg_txn *t)
{
	if (t->profile == MG_PROFILE_SCAN)
		return TRUE;
	t->output_same = mg_txn_body_unchanged(t);
	t->output_same_known = TRUE;
	return mg_scan_output_step(t);
}

/* The end-of-message steps, in order.  Each returns FALSE once decided. */
typedef gboolean (*mg_eom_step)(struct mg_txn *t);

static gboolean step_finish_spool(struct mg_txn *t)
{
	if (!t->in_body)
		mg_txn_eoh(t);
	if (t->body_cr && !mg_txn_decided(t)) {
		t->body_cr = FALSE;
		GError *err = NULL;
		if (mg_spool_write(t->raw, "\n", 1, &err) != MG_SPOOL_OK)
			mg_txn_internal_error(t, "spool", err);
		g_clear_error(&err);
	}
	t->report->size_in = (gint64)mg_spool_size(t->raw);
	t->deadline_us = t->started_us + t->cfg->max_processing_time * G_USEC_PER_SEC;
	return !mg_txn_decided(t);
}

static const mg_eom_step eom_steps[] = {
	step_finish_spool,
	mg_mime_prescan,        /* structural limits before the parser runs */
	mg_policy_message_step, /* boundary rules on the whole message (issue 6) */
	mg_auth_step,           /* SPF/DKIM/DMARC, lookalikes, A-R hygiene (issue 16) */
	mg_mime_parse,          /* GMime tree of the original */
	step_scan_message,      /* the raw message through the scanner (issues 5, 15) */
	step_content,           /* a new tree (issues 3, 4, 5) or a walk (scan profile) */
	mg_encryption_step,     /* outbound encryption rule (issue 16) */
	mg_quarantine_step,     /* keep the original (issue 7) */
	step_notice,            /* tell the recipient what was done (issue 3) */
	step_write,             /* header operations and the new body */
	step_scan_output,       /* the message as delivered, scanned again (issue 5) */
	mg_guard_message_step,  /* exfiltration verdict, approval hold decided (issue 16) */
	mg_store_hold_step,     /* a held message kept as it would be delivered (issue 16) */
};

const struct mg_verdict *mg_txn_eom_prepare(struct mg_txn *t)
{
	for (gsize i = 0; i < G_N_ELEMENTS(eom_steps) && !mg_txn_decided(t); i++)
		if (!eom_steps[i](t)) {
			if (!mg_txn_decided(t)) /* a step that fails must say why; fail closed */
				mg_txn_internal_error(t, "end-of-message step failed", NULL);
			break;
		}
	if (!mg_txn_decided(t) && mg_txn_past_deadline(t))
		mg_txn_internal_error(t, "processing time limit exceeded", NULL);
	if (!mg_txn_decided(t))
		mg_verdict_set(&t->report->verdict, MG_VERDICT_ACCEPT, "250", "2.0.0", "sanitized", "Sanitized");
	t->report->elapsed_us = g_get_monotonic_time() - t->started_us;
	mg_guard_after_verdict(t); /* issue 16: outbound virus hits for the outbreak guard */
	mg_store_prepare(t);
	return &t->report->verdict;
}

const struct mg_verdict *mg_txn_commit(struct mg_txn *t, gboolean applied)
{
	if (t->finished)
		return &t->report->verdict;
	if (!applied && t->report->verdict.kind == MG_VERDICT_ACCEPT) {
		mg_err(t->queue_id, "the MTA refused a header or body change; tempfail");
		mg_verdict_set(&t->report->verdict, MG_VERDICT_TEMPFAIL, "451", "4.3.0", "mta-refused-change",
			       "Temporary failure while sanitizing, try again later");
	}
	mg_store_commit(t, FALSE);
	mg_mime_log_summary(t);
	count_message(t, t->report->elapsed_us);
	return &t->report->verdict;
}

const struct mg_verdict *mg_txn_eom(struct mg_txn *t)
{
	mg_txn_eom_prepare(t);
	return mg_txn_commit(t, TRUE);
}
