/*
 * policy_testlib.h - helpers for the issue 6 policy tests: build a config
 * from text, run one message through the pipeline stages and collect the
 * per-recipient and final verdicts.  Header-only (static functions) so
 * each test program stays one file plus this one.
 */
#ifndef POLICY_TESTLIB_H
#define POLICY_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_policy.h"
#include "mg_txn.h"

#define PT_BASE_CONF                                                                                                   \
	"internal_network = 10.0.0.0/8\n"                                                                              \
	"internal_network = 2001:db8:10::/48\n"                                                                        \
	"internal_domain = city.example.lg.jp\n"

static struct mg_config *pt_conf(const char *extra)
{
	char *text = g_strconcat(PT_BASE_CONF, extra ? extra : "", NULL);
	GError *err = NULL;
	(void)err;
	tu_scan_init();
	struct mg_config *cfg = tu_config(text);
	g_free(text);
	return cfg;
}

/* One message: envelope, "Name: value" header lines separated by \n, body. */
struct pt_msg {
	const char *client, *from, *args, *rcpts, *headers;
	const char *body;
	const char *auth; /* SMTP AUTH identity, or NULL */
};

struct pt_result {
	char rcpt_codes[8][16]; /* "250" or "550 5.7.1" per recipient */
	char code[16];          /* final "250 2.0.0", "550 5.7.1", ... */
	char rule[48];
	char reason[256];
	int direction;
};

static void pt_code(char *out, gsize n, const struct mg_verdict *v)
{
	if (v->kind == MG_VERDICT_CONTINUE)
		g_strlcpy(out, "250", n);
	else
		g_snprintf(out, n, "%s %s", v->code, v->ecode);
}

static void pt_headers(struct mg_txn *t, const char *headers)
{
	char **h = g_strsplit(headers ? headers : "", "\n", -1);
	for (int i = 0; h[i]; i++) {
		char *colon = strchr(h[i], ':');
		if (!colon)
			continue;
		*colon = '\0';
		mg_txn_header(t, h[i], g_strstrip(colon + 1));
	}
	g_strfreev(h);
}

static void pt_run(struct mg_config *cfg, const struct pt_msg *m, struct pt_result *r)
{
	memset(r, 0, sizeof *r);
	struct mg_conn *c = mg_conn_new(m->client, "client.example");
	struct mg_txn *t = mg_txn_new(c, cfg);
	char **args = g_strsplit(m->args ? m->args : "", " ", -1);
	mg_txn_set_auth(t, m->auth);
	const struct mg_verdict *v = mg_txn_mail_from(t, m->from, *args && **args ? args : NULL);
	char **rc = g_strsplit(m->rcpts ? m->rcpts : "", " ", -1);
	for (int i = 0; v->kind == MG_VERDICT_CONTINUE && rc[i] && i < 8; i++)
		pt_code(r->rcpt_codes[i], sizeof r->rcpt_codes[i], mg_txn_rcpt(t, rc[i], NULL));
	pt_headers(t, m->headers);
	mg_txn_eoh(t);
	const char *body = m->body ? m->body : "hello\n";
	mg_txn_body(t, body, strlen(body));
	v = mg_txn_eom(t);
	pt_code(r->code, sizeof r->code, v);
	g_strlcpy(r->rule, v->rule ? v->rule : "", sizeof r->rule);
	g_strlcpy(r->reason, v->reason ? v->reason : "", sizeof r->reason);
	r->direction = t->direction;
	g_strfreev(args);
	g_strfreev(rc);
	mg_txn_free(t);
	mg_conn_free(c);
}

static int pt_setup(void **state)
{
	mg_pipeline_global_init();
	mg_log_init("test", TRUE);
	mg_log_set_level(MG_LOG_ERR);
	return 0;
}

#endif
