/*
 * selftest_smtp.c - `mugaika selftest --smtp HOST:PORT`: the cases whose
 * outcome shows in the SMTP reply, sent through the MTA (smtpclient.c)
 * rather than straight to the daemon.  The milter mode proves the daemon
 * works; this proves the MTA sends mail through it: a Postfix without the
 * milter on a listener, or with milter_default_action = accept hiding a
 * dead milter, accepts the EICAR message, and the case says so.  Cases
 * seen only in the delivered copy (macro removal, HTML conversion, the
 * encrypted zip's removal) are reported as not checked, never as passed.
 * Fail closed: no connection, a timeout, a broken conversation or a 4xx
 * where a final answer was expected fails the case.
 */
#include "config.h"

#include <string.h>

#include "mg_config.h"
#include "mg_policy.h"
#include "mg_scan.h"
#include "selftest.h"
#include "smtpclient.h"

#define DOES_NOT_PASS                                                                                                  \
	"the MTA accepted an infected message: it does not pass mail through mugaika (check smtpd_milters / "          \
	"milter_default_action)"

/* What one message did: the step it ended at and the MTA's last reply. */
struct sm_run {
	const char *stage; /* "connect", "EHLO", "XCLIENT", "MAIL FROM", "RCPT TO", "DATA", "end of data" */
	struct mg_sc_reply r;
	char *error; /* no connection, timeout, not SMTP */
};

static void run_clear(struct sm_run *x)
{
	mg_sc_reply_clear(&x->r);
	g_free(x->error);
}

/* One step: the command (NULL: the greeting or the data already sent)
 * answered with `want` (its first digit when want < 10). */
static gboolean step(struct mg_sc *s, struct sm_run *x, const char *stage, const char *cmd, int want)
{
	GError *err = NULL;
	x->stage = stage;
	if (cmd && !mg_sc_command(s, cmd, &x->r, &err)) {
		x->error = g_strdup(err->message);
		g_error_free(err);
		return FALSE;
	}
	return want < 10 ? x->r.code / 100 == want : x->r.code == want;
}

/* The cases need an outside client: the address the MTA sees, or the one
 * XCLIENT gives it when this host is inside internal_network. */
static gboolean outside_client(struct mg_st_ctx *c, struct mg_sc *s, struct sm_run *x)
{
	char *local = mg_sc_local_address(s);
	gboolean ok = TRUE;
	if (local && mg_policy_client_internal(c->cfg, local)) {
		if (mg_sc_reply_has_keyword(&x->r, "XCLIENT")) {
			char *cmd = g_strdup_printf("XCLIENT ADDR=%s NAME=[UNAVAILABLE]", c->ext_ip);
			ok = step(s, x, "XCLIENT", cmd, 220) && step(s, x, "EHLO", "EHLO selftest.invalid", 2);
			g_free(cmd);
		} else {
			x->stage = "EHLO";
			x->error = g_strdup_printf(
				"this host (%s) is inside internal_network and the MTA offers it no XCLIENT: the cases "
				"need an outside client (run from an outside address, or list this host in "
				"smtpd_authorized_xclient_hosts)",
				local);
			ok = FALSE;
		}
	}
	g_free(local);
	return ok;
}

/* One connection, one message: MAIL FROM (with `size`: SIZE=), RCPT TO, DATA. */
static void send_one(struct mg_st_ctx *c, const char *from, gint64 size, const char *to, const char *msg,
		     struct sm_run *x)
{
	GError *err = NULL;
	x->stage = "connect";
	struct mg_sc *s = mg_sc_open(c->smtp, c->timeout, &x->r, &err);
	char *mail = size > 0 ? g_strdup_printf("MAIL FROM:<%s> SIZE=%" G_GINT64_FORMAT, from, size)
			      : g_strdup_printf("MAIL FROM:<%s>", from);
	char *rcpt = g_strdup_printf("RCPT TO:<%s>", to);
	if (!s)
		x->error = g_strdup_printf("%s: %s", c->smtp, err->message);
	else if (step(s, x, "connect", NULL, 220) && step(s, x, "EHLO", "EHLO selftest.invalid", 2) &&
		 outside_client(c, s, x) && step(s, x, "MAIL FROM", mail, 2) && step(s, x, "RCPT TO", rcpt, 2) &&
		 step(s, x, "DATA", "DATA", 354)) {
		x->stage = "end of data";
		if (!mg_sc_data(s, msg, strlen(msg), &x->r, &err))
			x->error = g_strdup(err->message);
	}
	mg_sc_close(s);
	g_clear_error(&err);
	g_free(mail);
	g_free(rcpt);
}

static gboolean refused(const struct sm_run *x, int code, const char *stage)
{
	return !x->error && (code < 10 ? x->r.code / 100 == code : x->r.code == code) &&
	       (!stage || strcmp(x->stage, stage) == 0);
}

static gboolean accepted(const struct sm_run *x)
{
	return !x->error && strcmp(x->stage, "end of data") == 0 && x->r.code / 100 == 2;
}

static char *observed(const struct mg_st_ctx *c, const struct sm_run *x)
{
	if (x->error)
		return g_strdup_printf("the MTA could not be reached or the conversation broke at %s: %s", x->stage,
				       x->error);
	char *d = mg_sc_reply_describe(&x->r);
	char *s = g_strdup_printf("%s at %s (%s)%s", d, x->stage, c->smtp,
				  x->r.code / 100 == 4 ? ": a temporary refusal where a final answer was expected (the "
							 "milter is not answering, or the MTA is not ready)"
						       : "");
	g_free(d);
	return s;
}

static char *message(const struct mg_st_ctx *c, const char *from, const char *to, const char *subject,
		     GBytes *attachment)
{
	struct mg_st_msg m = {.from = from, .to = to, .nonce = c->nonce, .date = c->date};
	return attachment ? mg_st_with_attachment(&m, subject, "application/octet-stream", "eicar.com", attachment)
			  : mg_st_plain(&m, subject);
}

/* ---- the cases ---- */

static void case_eicar(struct mg_st_ctx *c, struct mg_st_case *k)
{
	if (c->cfg->scan_on_infected == MG_SCAN_INF_REMOVE) {
		k->unchecked = TRUE;
		k->expected = g_strdup("accepted without the EICAR bytes (scan_on_infected = remove)");
		k->observed = g_strdup("not checked in SMTP mode: the removal is only visible in the delivered copy, "
				       "so this run does not prove the MTA passes mail through mugaika");
		return;
	}
	struct sm_run x = {0};
	GBytes *e = mg_st_eicar();
	char *msg = message(c, c->smtp_from, c->smtp_rcpt, "eicar", e);
	k->expected = g_strdup("refused 550 5.7.1 at end of data (scan_on_infected = reject or quarantine): the "
			       "proof that the MTA passes mail through mugaika");
	send_one(c, c->smtp_from, 0, c->smtp_rcpt, msg, &x);
	k->pass = refused(&x, 550, "end of data") && g_str_has_prefix(x.r.text->str, "5.7.1");
	char *o = observed(c, &x);
	k->observed = accepted(&x) ? g_strdup_printf("%s: %s", o, DOES_NOT_PASS) : g_strdup(o);
	g_free(o);
	run_clear(&x);
	g_free(msg);
	g_bytes_unref(e);
}

static void case_relay(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct sm_run x = {0};
	char *msg = message(c, "selftest@example.org", "selftest@example.com", "relay", NULL);
	k->expected = g_strdup("refused 5xx at RCPT TO (outside to outside)");
	send_one(c, "selftest@example.org", 0, "selftest@example.com", msg, &x);
	k->pass = refused(&x, 5, "RCPT TO");
	k->observed = observed(c, &x);
	run_clear(&x);
	g_free(msg);
}

static void case_oversize(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct sm_run x = {0};
	const struct mg_config *f = c->cfg;
	gint64 limit = MAX(f->max_message_size, MAX(f->inbound_max_message_size, f->outbound_max_message_size));
	char *msg = message(c, c->smtp_from, c->smtp_rcpt, "oversize", NULL);
	k->expected = g_strdup_printf("refused 552 at MAIL FROM (SIZE=%" G_GINT64_FORMAT ")", limit + 1);
	send_one(c, c->smtp_from, limit + 1, c->smtp_rcpt, msg, &x);
	k->pass = refused(&x, 552, "MAIL FROM");
	k->observed = observed(c, &x);
	run_clear(&x);
	g_free(msg);
}

static void case_clean(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct sm_run x = {0};
	char *msg = message(c, c->smtp_from, c->smtp_rcpt, "clean", NULL);
	k->expected = g_strdup_printf("accepted 250 (a plain text message, delivered to <%s>)", c->smtp_rcpt);
	send_one(c, c->smtp_from, 0, c->smtp_rcpt, msg, &x);
	k->pass = accepted(&x) && x.r.code == 250;
	k->observed = observed(c, &x);
	run_clear(&x);
	g_free(msg);
}

static void case_unchecked(struct mg_st_ctx *c, struct mg_st_case *k)
{
	static const struct {
		const char *name, *what;
	} why[] = {
		{"macro-docx", "the macro's removal is only visible in the delivered copy"},
		{"html-lure", "the HTML conversion is only visible in the delivered copy"},
		{"encrypted-zip", "the zip's removal is only visible in the delivered copy"},
		{"auto-forward", "it needs an inside client and would send mail outside if the guard were missing"},
	};
	(void)c;
	k->unchecked = TRUE;
	k->expected = g_strdup("(see the milter mode)");
	for (gsize i = 0; i < G_N_ELEMENTS(why); i++)
		if (strcmp(why[i].name, k->name) == 0)
			k->observed = g_strdup_printf("not checked in SMTP mode: %s (run mugaika selftest without "
						      "--smtp)",
						      why[i].what);
}

const struct mg_st_def mg_st_smtp_cases[] = {
	{"eicar", case_eicar},         {"macro-docx", case_unchecked},
	{"html-lure", case_unchecked}, {"encrypted-zip", case_unchecked},
	{"relay", case_relay},         {"auto-forward", case_unchecked},
	{"oversize", case_oversize},   {"clean", case_clean},
};
const gsize mg_st_smtp_ncases = G_N_ELEMENTS(mg_st_smtp_cases);
