/*
 * test_emergency.c - F31 (R16.4, R17.9): the emergency profiles of the
 * exception registry through the pipeline stages (the calls the milter
 * makes).
 *
 *  - body-only: while an entry is live, an inbound message in its scope
 *    loses every attachment (announced in the notice, with the emergency
 *    measure), the original is kept, the use is in report.exceptions; an
 *    expired entry, a message out of scope and outbound mail are handled
 *    as usual;
 *  - cdr-fallback: a rebuild that fails for an internal reason (qpdf's
 *    read failing with a system error: 451 4.3.0 without the profile) is
 *    the PDF removed with a notice and 250; a virus is still 550, a scan
 *    that fails (of the message, or of the rebuilt file) still 451; an
 *    expired entry and outbound mail (sanitize profile) still get 451.
 *
 * The library failures are injected with the linker (-Wl,--wrap, see
 * Makefile.am): the production code carries no test switch.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <clamav.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <qpdf/qpdf-c.h>

#include "mg_body.h"
#include "mg_json.h"
#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_txn.h"
#include "mtafeed.h"
#include "testutil.h"

/* ---- injected failures ---- */

static gboolean qpdf_fails;       /* the CDR's qpdf_read_memory fails (a system error) */
static gboolean scan_fails_after; /* the first scan after the CDR's qpdf_read_memory fails */
static gboolean scan_fails;       /* every scan fails */
static gboolean scan_fails_once;
static gboolean qpdf_faulted;
static int qpdf_calls;       /* by the CDR */
static qpdf_data cdr_handle; /* the CDR silences its handle's errors; the encryption check does not */

void __real_qpdf_silence_errors(qpdf_data q);
void __wrap_qpdf_silence_errors(qpdf_data q);
void __wrap_qpdf_silence_errors(qpdf_data q)
{
	cdr_handle = q;
	__real_qpdf_silence_errors(q);
}

QPDF_ERROR_CODE __real_qpdf_read_memory(qpdf_data q, char const *desc, char const *buf, unsigned long long len,
					char const *pw);
QPDF_ERROR_CODE __wrap_qpdf_read_memory(qpdf_data q, char const *desc, char const *buf, unsigned long long len,
					char const *pw);
QPDF_ERROR_CODE __wrap_qpdf_read_memory(qpdf_data q, char const *desc, char const *buf, unsigned long long len,
					char const *pw)
{
	if (q != cdr_handle)
		return __real_qpdf_read_memory(q, desc, buf, len, pw);
	qpdf_calls++;
	if (scan_fails_after)
		scan_fails_once = TRUE;
	qpdf_faulted = qpdf_fails;
	if (qpdf_fails)
		return QPDF_ERRORS;
	return __real_qpdf_read_memory(q, desc, buf, len, pw);
}

enum qpdf_error_code_e __real_qpdf_get_error_code(qpdf_data q, qpdf_error e);
enum qpdf_error_code_e __wrap_qpdf_get_error_code(qpdf_data q, qpdf_error e);
enum qpdf_error_code_e __wrap_qpdf_get_error_code(qpdf_data q, qpdf_error e)
{
	if (qpdf_faulted) {
		qpdf_faulted = FALSE;
		return qpdf_e_system; /* I/O or memory: not the file's fault */
	}
	return __real_qpdf_get_error_code(q, e);
}

cl_error_t __real_cl_scanmap_callback(cl_fmap_t *map, const char *name, const char **virname, unsigned long *scanned,
				      const struct cl_engine *engine, struct cl_scan_options *opts, void *ctx);
cl_error_t __wrap_cl_scanmap_callback(cl_fmap_t *map, const char *name, const char **virname, unsigned long *scanned,
				      const struct cl_engine *engine, struct cl_scan_options *opts, void *ctx);
cl_error_t __wrap_cl_scanmap_callback(cl_fmap_t *map, const char *name, const char **virname, unsigned long *scanned,
				      const struct cl_engine *engine, struct cl_scan_options *opts, void *ctx)
{
	if (scan_fails || scan_fails_once) {
		scan_fails_once = FALSE;
		return CL_EMEM;
	}
	return __real_cl_scanmap_callback(map, name, virname, scanned, engine, opts, ctx);
}

static void faults_off(void)
{
	qpdf_fails = scan_fails_after = scan_fails = scan_fails_once = qpdf_faulted = FALSE;
	qpdf_calls = 0;
	cdr_handle = NULL;
}

/* ---- messages ---- */

static char *dir; /* the registry */

/* A minimal one-page PDF with a classic xref table. */
static char *pdf_b64(void)
{
	const char *objs[] = {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"};
	GString *s = g_string_new("%PDF-1.7\n");
	gsize offs[G_N_ELEMENTS(objs)];
	for (gsize i = 0; i < G_N_ELEMENTS(objs); i++) {
		offs[i] = s->len;
		g_string_append_printf(s, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	gsize xref = s->len;
	g_string_append_printf(s, "xref\n0 %zu\n0000000000 65535 f \n", G_N_ELEMENTS(objs) + 1);
	for (gsize i = 0; i < G_N_ELEMENTS(objs); i++)
		g_string_append_printf(s, "%010zu 00000 n \n", offs[i]);
	g_string_append_printf(s, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			       G_N_ELEMENTS(objs) + 1, xref);
	char *b64 = g_base64_encode((const guchar *)s->str, s->len);
	g_string_free(s, TRUE);
	return b64;
}

/* From `from` to `to`: a text body and one attachment (name, type, base64). */
static char *msg_with(const char *from, const char *to, const char *name, const char *type, const char *b64)
{
	return g_strdup_printf("From: %s\nTo: %s\nSubject: report\nMessage-ID: <e@example.net>\nMIME-Version: 1.0\n"
			       "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; "
			       "charset=us-ascii\n\nplease see the file\n--b\nContent-Type: %s; name=\"%s\"\n"
			       "Content-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: "
			       "base64\n\n%s\n--b--\n",
			       from, to, type, name, name, b64);
}

static char *pdf_msg(const char *from, const char *to)
{
	char *b64 = pdf_b64();
	char *m = msg_with(from, to, "doc.pdf", "application/pdf", b64);
	g_free(b64);
	return m;
}

/* ---- the registry and the run ---- */

#define EP(id, profile, scope, expires)                                                                                \
	"[" id "]\ntype = emergency-profile\nprofile = " profile "\n" scope                                            \
	"requested_by = 情報政策課 田中\napproved_by = CISO補佐 佐藤\nreason = CDR 障害\n"                \
	"granted = 2020-01-01\nexpires = " expires "\nemergency = yes\npost_report_due = 2099-12-31\n"
#define LIVE    "2099-12-31"
#define EXPIRED "2020-01-02"

/* A config with this registry; quarantine_keep = none, so that only a rule
 * (here: the emergency profile) keeps the original. */
static struct mg_config *conf_with(const char *registry, const char *extra)
{
	char *p = g_build_filename(dir, "exc.conf", NULL);
	if (!g_file_set_contents(p, registry, -1, NULL))
		fail_msg("cannot write %s", p);
	char *text = g_strdup_printf("internal_network = 10.0.0.0/8\nexceptions_file = %s\nquarantine_keep = none\n"
				     "log_level = error\n%s",
				     p, extra ? extra : "");
	struct mg_config *cfg = tu_config(text);
	g_free(text);
	g_free(p);
	return cfg;
}

struct run {
	struct mg_conn *c;
	struct mg_txn *t;
	char code[16]; /* "250", "451 4.3.0", ... */
	char *extra;   /* the report's extra sections (JSON) */
	char *notice;
};

static void run_msg(struct run *r, struct mg_config *cfg, const char *client, const char *from, const char *rcpt,
		    const char *msg)
{
	memset(r, 0, sizeof *r);
	tu_scan_init();
	r->c = mg_conn_new(client, "client.example");
	r->t = mg_txn_new(r->c, cfg);
	mg_txn_mail_from(r->t, from, NULL);
	mg_txn_rcpt(r->t, rcpt, NULL);
	const char *p = msg, *end = msg + strlen(msg);
	p = mg_test_feed_headers(r->t, p, end);
	mg_txn_body(r->t, p, (gsize)(end - p));
	const struct mg_verdict *v = mg_txn_eom(r->t);
	if (v->kind == MG_VERDICT_CONTINUE || v->kind == MG_VERDICT_ACCEPT)
		g_strlcpy(r->code, "250", sizeof r->code);
	else
		g_snprintf(r->code, sizeof r->code, "%s %s", v->code, v->ecode);
	JsonNode *n = json_node_init_object(json_node_alloc(), r->t->report->extra);
	r->extra = json_to_string(n, FALSE);
	json_node_unref(n);
	if (!strcmp(r->code, "250") && r->t->profile == MG_PROFILE_SANITIZE)
		r->notice = mg_notice_render(r->t);
}

static void run_in(struct run *r, struct mg_config *cfg, const char *msg)
{
	run_msg(r, cfg, "192.0.2.1", "<sender@example.net>", "<a@kikaku.city.example.lg.jp>", msg);
}

static void run_clear(struct run *r)
{
	mg_txn_free(r->t);
	mg_conn_free(r->c);
	g_free(r->extra);
	g_free(r->notice);
	faults_off();
}

/* The part report of the attachment (the second leaf). */
static const struct mg_part_report *attachment(const struct run *r)
{
	const GPtrArray *parts = r->t->report->parts;
	for (guint i = 0; i < parts->len; i++) {
		const struct mg_part_report *p = parts->pdata[i];
		if (p->filename && !strcmp(p->filename, "doc.pdf"))
			return p;
	}
	fail_msg("no part report for doc.pdf");
	return NULL;
}

/* ---- body-only ---- */

static void test_body_only(void **state)
{
	(void)state;
	struct mg_config *cfg =
		conf_with(EP("EP-B", "body-only", "recipient = @kikaku.city.example.lg.jp\n", LIVE), NULL);
	char *msg = pdf_msg("sender@example.net", "a@kikaku.city.example.lg.jp");
	struct run r;
	run_in(&r, cfg, msg);
	assert_string_equal(r.code, "250");
	assert_int_equal(qpdf_calls, 0); /* never rebuilt: removed */
	const struct mg_part_report *p = attachment(&r);
	assert_int_equal(p->action, MG_ACTION_REMOVED);
	assert_string_equal(p->reason, "emergency profile EP-B (body-only): attachments are not accepted");
	assert_non_null(strstr(r.extra, "\"exceptions\":[{\"id\":\"EP-B\",\"type\":\"emergency-profile\","
					"\"use\":\"body-only: attachment doc.pdf removed\"}]"));
	assert_non_null(r.notice);
	assert_non_null(strstr(r.notice, "添付「doc.pdf」"));
	assert_non_null(strstr(r.notice, "緊急時の運用 (例外措置 EP-B) のため、本文のみを受け付けています"));
	assert_non_null(strstr(r.notice, "緊急時の運用 (承認された例外措置) のもとで処理しました"));
	char *body = tu_body(r.t);
	assert_null(strstr(body, "application/pdf")); /* no attachment part left */
	assert_null(strstr(body, "filename="));
	g_free(body);
	assert_non_null(r.t->quarantine_id); /* the original kept */
	run_clear(&r);

	/* out of its scope: another recipient */
	run_msg(&r, cfg, "192.0.2.1", "<sender@example.net>", "<b@soumu.city.example.lg.jp>", msg);
	assert_string_equal(r.code, "250");
	assert_int_equal(attachment(&r)->action, MG_ACTION_REBUILT);
	assert_null(strstr(r.extra, "EP-B"));
	run_clear(&r);
	mg_config_unref(cfg);

	/* expired: auto-expiring, the attachment rebuilt as usual */
	cfg = conf_with(EP("EP-B", "body-only", "", EXPIRED), NULL);
	run_in(&r, cfg, msg);
	assert_string_equal(r.code, "250");
	assert_int_equal(attachment(&r)->action, MG_ACTION_REBUILT);
	assert_null(strstr(r.extra, "EP-B"));
	assert_null(strstr(r.notice, "緊急時"));
	run_clear(&r);
	mg_config_unref(cfg);
	g_free(msg);

	/* outbound mail (scan profile by default, or sanitize) is not affected */
	for (int i = 0; i < 2; i++) {
		cfg = conf_with(EP("EP-B", "body-only", "", LIVE), i ? "outbound_profile = sanitize\n" : NULL);
		msg = pdf_msg("taro@city.example.lg.jp", "partner@example.com");
		run_msg(&r, cfg, "10.1.2.3", "<taro@city.example.lg.jp>", "<partner@example.com>", msg);
		assert_int_equal(r.t->direction, MG_DIR_OUTBOUND);
		assert_string_equal(r.code, "250");
		assert_int_not_equal(attachment(&r)->action, MG_ACTION_REMOVED);
		assert_null(strstr(r.extra, "EP-B"));
		run_clear(&r);
		mg_config_unref(cfg);
		g_free(msg);
	}
}

/* ---- cdr-fallback ---- */

static void test_cdr_fallback(void **state)
{
	(void)state;
	char *msg = pdf_msg("sender@example.net", "a@kikaku.city.example.lg.jp");
	struct run r;

	/* without the profile, qpdf failing is the message's 451 */
	struct mg_config *cfg = conf_with("", NULL);
	qpdf_fails = TRUE;
	run_in(&r, cfg, msg);
	assert_int_equal(qpdf_calls, 1);
	assert_string_equal(r.code, "451 4.3.0");
	run_clear(&r);
	mg_config_unref(cfg);

	/* with it: the PDF removed, the notice says so and why, 250 */
	cfg = conf_with(EP("EP-C", "cdr-fallback", "", LIVE), NULL);
	qpdf_fails = TRUE;
	run_in(&r, cfg, msg);
	assert_int_equal(qpdf_calls, 1);
	assert_string_equal(r.code, "250");
	const struct mg_part_report *p = attachment(&r);
	assert_int_equal(p->action, MG_ACTION_REMOVED);
	assert_non_null(strstr(p->reason, "emergency profile EP-C (cdr-fallback): removed, the rebuild failed "
					  "(degraded operation): qpdf failed"));
	assert_non_null(strstr(r.extra, "{\"id\":\"EP-C\",\"type\":\"emergency-profile\",\"use\":\"cdr-fallback: "
					"attachment doc.pdf removed instead of a temporary failure (qpdf failed"));
	assert_non_null(strstr(r.notice, "添付「doc.pdf」"));
	assert_non_null(strstr(r.notice, "無害化 (再構成) が一時的にできないため、緊急時の運用 (例外措置 EP-C) "
					 "として削除しました"));
	assert_non_null(strstr(r.notice, "緊急時の運用 (承認された例外措置) のもとで処理しました"));
	assert_non_null(r.t->quarantine_id);
	run_clear(&r);

	/* a healthy CDR: rebuilt, no use recorded */
	run_in(&r, cfg, msg);
	assert_string_equal(r.code, "250");
	assert_int_equal(attachment(&r)->action, MG_ACTION_REBUILT);
	assert_null(strstr(r.extra, "EP-C"));
	run_clear(&r);

	/* the scan of the rebuilt PDF fails (and only that one): never
	 * degraded, 451 */
	scan_fails_after = TRUE;
	run_in(&r, cfg, msg);
	assert_true(qpdf_calls >= 1); /* the CDR (and the exfiltration rules on outbound mail) */
	assert_string_equal(r.code, "451 4.3.0");
	assert_null(strstr(r.extra, "EP-C"));
	run_clear(&r);

	/* every scan fails: 451 */
	scan_fails = TRUE;
	run_in(&r, cfg, msg);
	assert_string_equal(r.code, "451 4.3.0");
	run_clear(&r);

	/* a virus: still refused */
	char *b64 = g_base64_encode((const guchar *)"CLAMAV-TEST-STRING-NOT-EICAR", 28);
	char *vmsg = msg_with("sender@example.net", "a@kikaku.city.example.lg.jp", "doc.pdf", "application/pdf", b64);
	qpdf_fails = TRUE;
	run_in(&r, cfg, vmsg);
	assert_string_equal(r.code, "550 5.7.1");
	run_clear(&r);
	g_free(vmsg);
	g_free(b64);
	mg_config_unref(cfg);

	/* expired, or outbound mail under the sanitize profile: 451 as usual */
	cfg = conf_with(EP("EP-C", "cdr-fallback", "", EXPIRED), NULL);
	qpdf_fails = TRUE;
	run_in(&r, cfg, msg);
	assert_string_equal(r.code, "451 4.3.0");
	run_clear(&r);
	mg_config_unref(cfg);
	g_free(msg);
	cfg = conf_with(EP("EP-C", "cdr-fallback", "", LIVE), "outbound_profile = sanitize\n");
	msg = pdf_msg("taro@city.example.lg.jp", "partner@example.com");
	qpdf_fails = TRUE;
	run_msg(&r, cfg, "10.1.2.3", "<taro@city.example.lg.jp>", "<partner@example.com>", msg);
	assert_int_equal(qpdf_calls, 1);
	assert_string_equal(r.code, "451 4.3.0");
	run_clear(&r);
	mg_config_unref(cfg);
	g_free(msg);
}

static int setup(void **state)
{
	(void)state;
	mg_pipeline_global_init();
	mg_log_init("test", TRUE);
	mg_log_set_level(MG_LOG_ERR);
	dir = g_dir_make_tmp("mgemerg-XXXXXX", NULL);
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mg_test_rm_tree(dir);
	g_free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_only),
		cmocka_unit_test(test_cdr_fallback),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
