/*
 * cmd_selftest.c - `mugaika selftest`: are the security functions working
 * right now?  Sends the cases of docs/selftest.md through the running
 * daemon (milter protocol, milterclient.c) or, with --smtp, the cases
 * whose outcome shows in the SMTP reply through the MTA (selftest_smtp.c),
 * compares what happened with what the configuration says must happen,
 * prints one line per case,
 * writes a `selftest` record to the audit log and raises the
 * selftest-failed alert when a case failed.
 * Exit: 0 every case passed, 1 a case failed or the daemon could not be
 * reached, 64 usage, 78 configuration.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_policy.h"
#include "mg_scan.h"
#include "milterclient.h"
#include "selftest.h"

struct st_opts {
	char *conf, *socket, *smtp, *smtp_from, *smtp_rcpt;
	gboolean json;
	gint timeout;
};

/* --smtp-from/--smtp-rcpt only with --smtp, addresses without <>, spaces or control characters */
static gboolean opts_valid(const struct st_opts *o)
{
	const char *addrs[] = {o->smtp_from, o->smtp_rcpt};
	gboolean ok = o->smtp || (!o->smtp_from && !o->smtp_rcpt);
	for (gsize i = 0; ok && i < G_N_ELEMENTS(addrs); i++)
		for (const char *p = addrs[i]; ok && p && *p; p++)
			ok = (guchar)*p > ' ' && *p != '<' && *p != '>' && *p != 0x7f;
	if (!ok)
		fprintf(stderr, "mugaika selftest: --smtp-from/--smtp-rcpt take an address (no <>, spaces or control "
				"characters) and need --smtp\n");
	return ok && (!o->smtp || *o->smtp);
}

/* What one message did: where it ended and the milter's last answer. */
struct st_run {
	const char *stage; /* connect, helo, mail, rcpt, message */
	struct mg_mc_reply r;
	char *error; /* the daemon could not be reached / the conversation broke */
};

static void run_clear(struct st_run *x)
{
	mg_mc_reply_clear(&x->r);
	g_free(x->error);
}

/* One connection, one message: connect as client_ip, MAIL (with args), RCPT, the message. */
static void send_one(struct mg_st_ctx *c, const char *client_ip, const char *from, char **args, const char *to,
		     const char *msg, struct st_run *x)
{
	GError *err = NULL;
	char *qid = g_strdup_printf("ST%s%u", c->nonce, ++c->n);
	struct mg_mc *m = mg_mc_open(c->socket, c->timeout, &err);
	gboolean ok = m != NULL;
	x->stage = "connect";
	if (ok && (ok = mg_mc_connect(m, "selftest.invalid", client_ip, &x->r, &err)) && !mg_mc_reply_final(&x->r))
		x->stage = "helo", ok = mg_mc_helo(m, "selftest.invalid", &x->r, &err);
	if (ok && !mg_mc_reply_final(&x->r))
		x->stage = "mail", ok = mg_mc_mail(m, from, args, qid, &x->r, &err);
	if (ok && !mg_mc_reply_final(&x->r))
		x->stage = "rcpt", ok = mg_mc_rcpt(m, to, &x->r, &err);
	if (ok && !mg_mc_reply_final(&x->r))
		x->stage = "message", ok = mg_mc_message(m, msg, strlen(msg), &x->r, &err);
	if (!ok)
		x->error =
			g_strdup_printf("%s: %s", c->socket, err ? err->message : "the milter closed the connection");
	if (m && ok && x->r.action == 'c' && strcmp(x->stage, "message") != 0)
		(void)mg_mc_abort(m, NULL);
	mg_mc_close(m);
	g_clear_error(&err);
	g_free(qid);
}

static gboolean refused(const struct st_run *x, char cls)
{
	if (x->error)
		return FALSE;
	if (x->r.action == 'y')
		return x->r.text && x->r.text[0] == cls;
	return cls == '5' ? x->r.action == 'r' : cls == '4' ? x->r.action == 't' : FALSE;
}

static gboolean accepted(const struct st_run *x)
{
	return !x->error && strcmp(x->stage, "message") == 0 && (x->r.action == 'c' || x->r.action == 'a');
}

static char *observed(const struct st_run *x)
{
	if (x->error)
		return g_strdup_printf("daemon not reachable or conversation broken: %s", x->error);
	char *d = mg_mc_reply_describe(&x->r);
	char *s = g_strdup_printf("%s at %s", d, x->stage);
	g_free(d);
	return s;
}

/* The parts a recipient would get (accepted messages only). */
static GPtrArray *delivered(const struct st_run *x, const char *sent)
{
	if (x->r.body)
		return mg_st_parts(x->r.added, x->r.body->str, x->r.body->len);
	return mg_st_parts(NULL, sent, strlen(sent)); /* unchanged: the original itself */
}

/* ---- the cases ---- */

static struct mg_st_msg msg_for(struct mg_st_ctx *c, const char *from, const char *to, char **extra)
{
	struct mg_st_msg m = {.from = from, .to = to, .nonce = c->nonce, .date = c->date, .extra = extra};
	return m;
}

static void case_eicar(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct st_run x = {0};
	GBytes *e = mg_st_eicar();
	struct mg_st_msg m = msg_for(c, c->ext_addr, c->int_addr, NULL);
	char *msg = mg_st_with_attachment(&m, "eicar", "application/octet-stream", "eicar.com", e);
	gboolean removes = c->cfg->scan_on_infected == MG_SCAN_INF_REMOVE;
	k->expected = g_strdup(removes ? "accepted without the EICAR bytes (scan_on_infected = remove)"
				       : "refused 5xx (scan_on_infected = reject or quarantine)");
	send_one(c, c->ext_ip, c->ext_addr, NULL, c->int_addr, msg, &x);
	if (removes && accepted(&x)) {
		GPtrArray *parts = delivered(&x, msg);
		gsize n = 0;
		const void *d = g_bytes_get_data(e, &n);
		k->pass = !mg_st_parts_contain(parts, d, n, FALSE);
		g_ptr_array_unref(parts);
	} else
		k->pass = !removes && refused(&x, '5');
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
	g_bytes_unref(e);
}

/* One attachment that must not reach the recipient as it is: accepted
 * without `needle` in any delivered part, or refused 5xx.  `data` NULL:
 * the test file could not be built (`err`, `what`). */
struct st_attach {
	const char *label, *type, *name, *needle, *what;
	gboolean nocase;
};

static void attachment_case(struct mg_st_ctx *c, struct mg_st_case *k, const struct st_attach *a, GBytes *data,
			    GError *err)
{
	struct st_run x = {0};
	if (!data) {
		k->observed = g_strdup_printf("could not build the test %s: %s", a->what, err->message);
		g_error_free(err);
		return;
	}
	struct mg_st_msg m = msg_for(c, c->ext_addr, c->int_addr, NULL);
	char *msg = mg_st_with_attachment(&m, a->label, a->type, a->name, data);
	send_one(c, c->ext_ip, c->ext_addr, NULL, c->int_addr, msg, &x);
	if (accepted(&x)) {
		GPtrArray *parts = delivered(&x, msg);
		k->pass = !mg_st_parts_contain(parts, a->needle, strlen(a->needle), a->nocase);
		g_ptr_array_unref(parts);
	} else
		k->pass = refused(&x, '5');
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
	g_bytes_unref(data);
}

static void case_macro(struct mg_st_ctx *c, struct mg_st_case *k)
{
	static const struct st_attach a = {
		"macro-docx",   "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"invoice.docx", "vbaProject",
		"document",     TRUE};
	GError *err = NULL;
	GBytes *docm = mg_st_macro_docx(&err);
	k->expected = g_strdup("no macro delivered: the document rebuilt without vbaProject, removed, or refused 5xx");
	attachment_case(c, k, &a, docm, err);
}

static void case_html(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct st_run x = {0};
	struct mg_st_msg m = msg_for(c, c->ext_addr, c->int_addr, NULL);
	char *msg = mg_st_html_lure(&m);
	k->expected = g_strdup("accepted as plain text: no text/html part, no script, form or remote image");
	send_one(c, c->ext_ip, c->ext_addr, NULL, c->int_addr, msg, &x);
	if (accepted(&x)) {
		GPtrArray *parts = delivered(&x, msg);
		k->pass = parts->len > 0 && !mg_st_parts_have_type(parts, "text/html") &&
			  !mg_st_parts_contain(parts, "<script", 7, FALSE) &&
			  !mg_st_parts_contain(parts, "<form", 5, FALSE);
		g_ptr_array_unref(parts);
	}
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
}

static void case_encrypted(struct mg_st_ctx *c, struct mg_st_case *k)
{
	static const struct st_attach a = {
		"encrypted-zip", "application/zip", "secret.zip", MG_ST_SECRET_NAME, "zip", TRUE};
	GError *err = NULL;
	GBytes *zip = mg_st_encrypted_zip(&err);
	k->expected = g_strdup("the encrypted zip not delivered: removed with a notice, or refused 5xx");
	attachment_case(c, k, &a, zip, err);
}

static void case_relay(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct st_run x = {0};
	struct mg_st_msg m = msg_for(c, "selftest@example.org", "selftest@example.com", NULL);
	char *msg = mg_st_plain(&m, "relay");
	k->expected = g_strdup("refused 550 5.7.1 at RCPT (outside to outside)");
	send_one(c, c->ext_ip, "selftest@example.org", NULL, "selftest@example.com", msg, &x);
	k->pass = refused(&x, '5') && strcmp(x.stage, "rcpt") == 0;
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
}

static void case_forward(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct st_run x = {0};
	char *extra[] = {"Auto-Submitted: auto-forwarded", NULL};
	struct mg_st_msg m = msg_for(c, c->int_addr, "selftest@example.com", extra);
	char *msg = mg_st_plain(&m, "auto-forward");
	int mode = c->cfg->auto_forward_outbound;
	gboolean strict = mode == MG_FWD_DENY || mode == MG_FWD_PERMIT_LIST;
	static const char *modes[] = {"deny", "permit-list", "log-only", "off"};
	k->expected = g_strdup_printf("%s (auto_forward_outbound = %s)", strict ? "refused 5xx" : "accepted",
				      modes[CLAMP(mode, 0, 3)]);
	send_one(c, c->int_ip, c->int_addr, NULL, "selftest@example.com", msg, &x);
	k->pass = strict ? refused(&x, '5') : accepted(&x);
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
}

static void case_oversize(struct mg_st_ctx *c, struct mg_st_case *k)
{
	struct st_run x = {0};
	const struct mg_config *f = c->cfg;
	gint64 limit = MAX(f->max_message_size, MAX(f->inbound_max_message_size, f->outbound_max_message_size));
	char *size = g_strdup_printf("SIZE=%" G_GINT64_FORMAT, limit + 1);
	char *args[] = {size, NULL};
	struct mg_st_msg m = msg_for(c, c->ext_addr, c->int_addr, NULL);
	char *msg = mg_st_plain(&m, "oversize");
	k->expected = g_strdup_printf("refused 552 5.3.4 at MAIL FROM (SIZE=%" G_GINT64_FORMAT ")", limit + 1);
	send_one(c, c->ext_ip, c->ext_addr, args, c->int_addr, msg, &x);
	k->pass = refused(&x, '5') && strcmp(x.stage, "mail") == 0;
	k->observed = observed(&x);
	run_clear(&x);
	g_free(msg);
	g_free(size);
}

/* ---- addresses the cases use ---- */

static char *outside_ip(const struct mg_config *cfg)
{
	static const char *candidates[] = {"192.0.2.1", "198.51.100.1", "203.0.113.1"};
	for (gsize i = 0; i < G_N_ELEMENTS(candidates); i++)
		if (!mg_policy_client_internal(cfg, candidates[i]))
			return g_strdup(candidates[i]);
	return g_strdup(candidates[0]);
}

/* The first host of the first internal network (10.0.0.0/8 -> 10.0.0.1). */
static char *inside_ip(const struct mg_config *cfg)
{
	GInetAddressMask *mask = cfg->internal_network && cfg->internal_network[0]
					 ? g_inet_address_mask_new_from_string(cfg->internal_network[0], NULL)
					 : NULL;
	char *ip = NULL;
	if (mask) {
		GInetAddress *a = g_inet_address_mask_get_address(mask);
		guint8 bytes[16];
		gsize n = g_inet_address_get_native_size(a);
		memcpy(bytes, g_inet_address_to_bytes(a), n);
		bytes[n - 1] |= 1;
		GInetAddress *h = g_inet_address_new_from_bytes(bytes, g_inet_address_get_family(a));
		ip = g_inet_address_to_string(h);
		g_object_unref(h);
		g_object_unref(mask);
	}
	return ip ? ip : g_strdup("127.0.0.1");
}

static void ctx_init(struct mg_st_ctx *c, const struct mg_config *cfg, const struct st_opts *o)
{
	guint32 r[2] = {g_random_int(), g_random_int()};
	c->cfg = cfg;
	c->socket = o->socket ? o->socket : cfg->socket;
	c->smtp = o->smtp;
	c->timeout = (guint)(o->timeout > 0 ? o->timeout : 60);
	g_snprintf(c->nonce, sizeof c->nonce, "%08x%08x", r[0], r[1]);
	c->ext_ip = outside_ip(cfg);
	c->int_ip = inside_ip(cfg);
	c->ext_addr = g_strdup("selftest@example.net");
	c->int_addr =
		g_strdup_printf("selftest@%s", cfg->internal_domain && cfg->internal_domain[0] ? cfg->internal_domain[0]
											       : "internal.invalid");
	c->smtp_from = o->smtp_from ? o->smtp_from : c->ext_addr;
	c->smtp_rcpt = o->smtp_rcpt ? o->smtp_rcpt : c->int_addr;
	GDateTime *now = g_date_time_new_now_utc();
	c->date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
	g_date_time_unref(now);
}

static void ctx_clear(struct mg_st_ctx *c)
{
	g_free(c->ext_ip);
	g_free(c->int_ip);
	g_free(c->ext_addr);
	g_free(c->int_addr);
	g_free(c->date);
}

/* ---- running and reporting ---- */

static const struct mg_st_def cases[] = {
	{"eicar", case_eicar},       {"macro-docx", case_macro},
	{"html-lure", case_html},    {"encrypted-zip", case_encrypted},
	{"relay", case_relay},       {"auto-forward", case_forward},
	{"oversize", case_oversize},
};

struct st_tally {
	guint passed, failed, unchecked;
};

static JsonObject *result_json(struct mg_st_case *k, gsize n, const struct st_tally *t, const char *via)
{
	JsonObject *o = json_object_new();
	char *now = mg_clock_iso(g_get_real_time());
	JsonArray *a = json_array_new();
	json_object_set_string_member(o, "type", "selftest");
	json_object_set_string_member(o, "time", now);
	json_object_set_string_member(o, "host", mg_clock_hostname());
	json_object_set_string_member(o, "via", via);
	json_object_set_int_member(o, "passed", t->passed);
	json_object_set_int_member(o, "failed", t->failed);
	json_object_set_int_member(o, "not_checked", t->unchecked);
	for (gsize i = 0; i < n; i++) {
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "name", k[i].name);
		json_object_set_string_member(e, "expected", k[i].expected ? k[i].expected : "");
		json_object_set_string_member(e, "observed", k[i].observed ? k[i].observed : "");
		json_object_set_boolean_member(e, "pass", k[i].pass);
		json_object_set_boolean_member(e, "checked", !k[i].unchecked);
		json_array_add_object_element(a, e);
	}
	json_object_set_array_member(o, "cases", a);
	g_free(now);
	return o;
}

static void print_text(struct mg_st_case *k, gsize n, const struct st_tally *t, const char *via)
{
	for (gsize i = 0; i < n; i++)
		printf("%s %-14s expected: %s\n%*s observed: %s\n",
		       k[i].unchecked ? "SKIP"
		       : k[i].pass    ? "PASS"
				      : "FAIL",
		       k[i].name, k[i].expected ? k[i].expected : "?", 19, "", k[i].observed ? k[i].observed : "?");
	printf("selftest %s via %s: %u passed, %u failed", t->failed ? "FAILED" : "passed", via, t->passed, t->failed);
	if (t->unchecked)
		printf(", %u not checked in this mode", t->unchecked);
	printf("\n");
}

static void record(const struct mg_config *cfg, JsonObject *o, const struct st_tally *t, gsize n)
{
	GError *err = NULL;
	if (*cfg->audit_log && !mg_audit_append(cfg->audit_log, o, &err)) {
		fprintf(stderr, "mugaika selftest: the result was not written to the audit log: %s\n", err->message);
		g_clear_error(&err);
	}
	if (t->failed)
		mg_alert_emit(MG_ALERT_SELFTEST_FAILED, MG_ALERT_ERROR,
			      "self-test: %u of %zu cases failed (mugaika "
			      "selftest via %s on %s)",
			      t->failed, n, json_object_get_string_member(o, "via"), mg_clock_hostname());
}

static void print_result(const struct st_opts *o, JsonObject *res, struct mg_st_case *k, gsize n,
			 const struct st_tally *t)
{
	if (o->json) {
		JsonNode *node = json_node_init_object(json_node_alloc(), json_object_ref(res));
		char *s = json_to_string(node, TRUE);
		printf("%s\n", s);
		g_free(s);
		json_node_unref(node);
	} else
		print_text(k, n, t, json_object_get_string_member(res, "via"));
}

static int selftest_run(const struct st_opts *o, const struct mg_config *cfg)
{
	struct mg_st_ctx c = {0};
	const struct mg_st_def *defs = o->smtp ? mg_st_smtp_cases : cases;
	gsize n = o->smtp ? mg_st_smtp_ncases : G_N_ELEMENTS(cases);
	struct mg_st_case *k = g_new0(struct mg_st_case, n);
	struct st_tally t = {0};
	ctx_init(&c, cfg, o);
	for (gsize i = 0; i < n; i++) {
		k[i].name = defs[i].name;
		defs[i].run(&c, &k[i]);
		k[i].pass = k[i].pass && !k[i].unchecked;
		t.unchecked += k[i].unchecked;
		t.passed += k[i].pass;
		t.failed += !k[i].pass && !k[i].unchecked;
	}
	char *via = o->smtp ? g_strdup("smtp") : g_strdup_printf("milter:%s", c.socket);
	JsonObject *res = result_json(k, n, &t, via);
	if (o->smtp)
		json_object_set_string_member(res, "smtp", o->smtp);
	print_result(o, res, k, n, &t);
	record(cfg, res, &t, n);
	json_object_unref(res);
	for (gsize i = 0; i < n; i++) {
		g_free(k[i].expected);
		g_free(k[i].observed);
	}
	g_free(k);
	g_free(via);
	ctx_clear(&c);
	return t.failed ? 1 : 0;
}

int mg_cmd_selftest(int argc, char **argv)
{
	struct st_opts o = {0};
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.conf, "configuration file", "CONF"},
		{"milter", 0, 0, G_OPTION_ARG_STRING, &o.socket, "the daemon's socket (default: socket)", "SOCKET"},
		{"smtp", 0, 0, G_OPTION_ARG_STRING, &o.smtp,
		 "send the cases through the MTA at HOST:PORT instead (proves the MTA passes mail through mugaika)",
		 "HOST:PORT"},
		{"smtp-from", 0, 0, G_OPTION_ARG_STRING, &o.smtp_from,
		 "envelope sender of the SMTP cases (default selftest@example.net)", "ADDR"},
		{"smtp-rcpt", 0, 0, G_OPTION_ARG_STRING, &o.smtp_rcpt,
		 "envelope recipient of the SMTP cases (default selftest@ the first internal_domain)", "ADDR"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "JSON instead of text", NULL},
		{"timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout, "seconds per step (default 60)", "N"},
		{NULL},
	};
	gboolean ok = mg_cli_options(
		"selftest", NULL,
		"Send the self-test cases (EICAR, macro document, HTML lure, encrypted zip, relay,\n"
		"auto-forward, oversize) through the running mugaika-milter and compare.\n"
		"With --smtp HOST:PORT the cases whose outcome shows in the SMTP reply (EICAR, relay,\n"
		"oversize, a clean message) go through the MTA instead: an accepted EICAR means the MTA\n"
		"does not pass mail through mugaika. The clean message is delivered to --smtp-rcpt;\n"
		"the others are reported as not checked in SMTP mode.",
		entries, &argc, &argv);
	int rc = ok && argc <= 1 && o.timeout >= 0 && o.timeout <= 3600 && opts_valid(&o) ? MG_EX_OK : MG_EX_USAGE;
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(o.conf);
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc) {
		JsonObject *d = json_object_new();
		if (o.smtp)
			json_object_set_string_member(d, "smtp", o.smtp);
		mg_admin_log(cfg, "selftest", d, FALSE);
		json_object_unref(d);
		rc = selftest_run(&o, cfg);
	}
	if (cfg)
		mg_config_unref(cfg);
	mg_alert_flush(30 * G_USEC_PER_SEC);
	g_free(o.conf);
	g_free(o.socket);
	g_free(o.smtp);
	g_free(o.smtp_from);
	g_free(o.smtp_rcpt);
	return rc;
}
