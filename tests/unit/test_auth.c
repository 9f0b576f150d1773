/*
 * test_auth.c - sender authentication (issue 16, item 4): the
 * Authentication-Results parser, the lookalike checks, the resolver's cache
 * and deadline, and every generated case (tests/auth/mkauth.py: keys made
 * now, signed messages, recorded DNS answers served in-process) through the
 * whole pipeline, with the results, warnings, header and actions checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-glib/json-glib.h>

#include "auth_ar.h"
#include "auth_priv.h"
#include "dnszone.h"
#include "lookalike.h"
#include "mg_auth.h"
#include "mg_log.h"
#include "mtafeed.h"
#include "testutil.h"

/* ---- Authentication-Results parser ---- */

struct ar_row {
	const char *value, *id;
	gboolean malformed;
	guint n;
	const char *method, *result, *prop, *prop_value;
};

static const struct ar_row ar_rows[] = {
	{"mx.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com header.s=s1 header.b=abcdEFGH",
	 "mx.example.org", FALSE, 1, "dkim", "pass", "header.d", "example.com"},
	{"mx.example.org;\n\tspf=fail smtp.mailfrom=a@example.com;\n\tdkim=none", "mx.example.org", FALSE, 2, "spf",
	 "fail", "smtp.mailfrom", "a@example.com"},
	{"mx.example.org 1; none", "mx.example.org", FALSE, 0, NULL, NULL, NULL, NULL},
	{"\"quoted id\" ; spf = fail (nested (comment)) reason=\"bad ip\" smtp.mailfrom=x@y", "quoted id", FALSE, 1,
	 "spf", "fail", "smtp.mailfrom", "x@y"},
	{"(first) mugaika.test; dkim/1=pass header.d=a.example", "mugaika.test", FALSE, 1, "dkim", "pass", "header.d",
	 "a.example"},
	{"mx.example.org; dmarc=fail (p=reject dis=none) header.from=example.com", "mx.example.org", FALSE, 1, "dmarc",
	 "fail", "header.from", "example.com"},
	{"example.com; dkim=pass; garbage garbage", "example.com", TRUE, 1, "dkim", "pass", NULL, NULL},
	{"broken (unclosed", "broken", TRUE, 0, NULL, NULL, NULL, NULL},
	{"", NULL, TRUE, 0, NULL, NULL, NULL, NULL},
	{"; spf=pass", NULL, TRUE, 0, NULL, NULL, NULL, NULL},
};

static void test_ar_parse(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(ar_rows); i++) {
		const struct ar_row *w = &ar_rows[i];
		struct mg_ar *ar = mg_ar_parse(w->value);
		if (g_strcmp0(ar->authserv_id, w->id) || ar->malformed != w->malformed || ar->results->len != w->n)
			fail_msg("row %zu: id %s malformed %d n %u", i, ar->authserv_id, ar->malformed,
				 ar->results->len);
		if (w->method) {
			const struct mg_ar_result *r = ar->results->pdata[0];
			assert_string_equal(r->method, w->method);
			assert_string_equal(r->result, w->result);
			if (w->prop)
				assert_string_equal(mg_ar_prop(r, w->prop), w->prop_value);
		}
		mg_ar_free(ar);
	}
	assert_true(mg_ar_id_equal("MX.Example.ORG.", "mx.example.org"));
	assert_false(mg_ar_id_equal("mx.example.org", "mx.example.org.evil"));
}

/* Fed one byte at a time from the end: every prefix parses without harm. */
static void test_ar_prefixes(void **state)
{
	(void)state;
	const char *v = "a.example (c (d)) 1; spf=pass smtp.mailfrom=\"x y\"@b; dkim=fail reason=\"r\\\"q\" header.d=c";
	for (gsize n = 0; n <= strlen(v); n++) {
		char *p = g_strndup(v, n);
		mg_ar_free(mg_ar_parse(p));
		g_free(p);
	}
}

/* ---- lookalike ---- */

static void test_lookalike(void **state)
{
	(void)state;
	char *internal[] = {"city.example.lg.jp", NULL}, *prot[] = {"pref.example.lg.jp", NULL};
	char *names[] = {"市長", "総務課", NULL};
	struct mg_lookalike *l = mg_lookalike_new(internal, prot, names, 1, NULL);
	static const struct {
		const char *domain, *imitates;
	} doms[] = {
		{"city.example.lg.jp", NULL},
		{"mail.city.example.lg.jp", NULL},
		{"clty.example.lg.jp", "city"},
		{"city-example.lg.jp", "city"},
		{"xn--ity-3ed.example.lg.jp", "city"},
		{"city.examp1e.lg.jp", "city"},
		{"ctiy.example.lg.jp", "city"},
		{"city.example.lg.jp.example.net", "city"},
		{"prefs.example.lg.jp", "pref"},
		{"town.example.lg.jp", NULL},
		{"example.net", NULL},
		{"CITY.EXAMPLE.LG.JP", NULL},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(doms); i++) {
		const char *hit = mg_lookalike_domain(l, doms[i].domain);
		if ((hit == NULL) != (doms[i].imitates == NULL) || (hit && !g_str_has_prefix(hit, doms[i].imitates)))
			fail_msg("%s: got %s want %s", doms[i].domain, hit ? hit : "-", doms[i].imitates);
	}
	static const struct {
		const char *name;
		gboolean hit;
	} ns[] = {{"市長 山田太郎", TRUE}, {"総務 課", TRUE}, {"ｓｏｕｍｕ@city.example.lg.jp", TRUE},
		  {"Taro Yamada", FALSE},  {"総務部", FALSE}, {"", FALSE}};
	for (gsize i = 0; i < G_N_ELEMENTS(ns); i++)
		if ((mg_lookalike_name(l, ns[i].name) != NULL) != ns[i].hit)
			fail_msg("name %s: want %d", ns[i].name, ns[i].hit);
	assert_true(mg_lookalike_protected(l, "a.b.pref.example.lg.jp"));
	assert_false(mg_lookalike_protected(l, "xpref.example.lg.jp"));
	mg_lookalike_free(l);
}

/* ---- the resolver's cache and deadline ---- */

struct counting {
	guint calls;
	enum mg_dns_status answer;
};

static enum mg_dns_status counting_backend(void *data, const char *name, int type, gint64 deadline_us, GPtrArray *rrs,
					   guint32 *ttl)
{
	struct counting *c = data;
	c->calls++;
	*ttl = 60;
	if (c->answer == MG_DNS_OK)
		g_ptr_array_add(rrs, g_bytes_new("v=spf1 -all", 11));
	return c->answer;
}

static enum mg_dns_status ask(struct mg_auth_dns *d, const char *name, gint64 in_us)
{
	GPtrArray *rrs = NULL;
	enum mg_dns_status s = mg_auth_dns_query(d, name, MG_DNS_TXT, g_get_monotonic_time() + in_us, &rrs);
	if (rrs)
		g_ptr_array_unref(rrs);
	return s;
}

static void test_dns_cache(void **state)
{
	(void)state;
	struct counting c = {0, MG_DNS_OK};
	struct mg_auth_dns *d = mg_auth_dns_new("", 1, 2, 3600, NULL);
	mg_auth_dns_set_backend(d, counting_backend, &c);
	assert_int_equal(ask(d, "a.example", G_USEC_PER_SEC), MG_DNS_OK);
	assert_int_equal(ask(d, "A.Example", G_USEC_PER_SEC), MG_DNS_OK);
	assert_int_equal(c.calls, 1); /* names compare case-insensitively */
	c.answer = MG_DNS_TEMPFAIL;
	assert_int_equal(ask(d, "b.example", G_USEC_PER_SEC), MG_DNS_TEMPFAIL);
	assert_int_equal(ask(d, "b.example", G_USEC_PER_SEC), MG_DNS_TEMPFAIL);
	assert_int_equal(c.calls, 3); /* failures are not cached */
	c.answer = MG_DNS_NXDOMAIN;
	assert_int_equal(ask(d, "c.example", G_USEC_PER_SEC), MG_DNS_NXDOMAIN);
	assert_int_equal(ask(d, "c.example", G_USEC_PER_SEC), MG_DNS_NXDOMAIN);
	assert_int_equal(c.calls, 4); /* "no such record" is */
	assert_int_equal(ask(d, "d.example", -1), MG_DNS_TEMPFAIL);
	assert_int_equal(c.calls, 4); /* past the deadline: not even asked */
	c.answer = MG_DNS_OK;
	ask(d, "e.example", G_USEC_PER_SEC); /* full (2 entries): bounded */
	ask(d, "a.example", G_USEC_PER_SEC);
	assert_true(c.calls >= 5);
	mg_auth_dns_free(d);

	struct counting n = {0, MG_DNS_OK};
	d = mg_auth_dns_new("", 1, 0, 3600, NULL); /* cache off */
	mg_auth_dns_set_backend(d, counting_backend, &n);
	ask(d, "a.example", G_USEC_PER_SEC);
	ask(d, "a.example", G_USEC_PER_SEC);
	assert_int_equal(n.calls, 2);
	mg_auth_dns_free(d);
	GError *err = NULL;
	assert_null(mg_auth_dns_new("not-an-ip:53", 1, 1, 1, &err));
	g_clear_error(&err);
}

/* The real resolver pointed at a port that never answers: a temperror
 * within the timeout, never "no record". */
static void test_dns_timeout(void **state)
{
	(void)state;
	GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
	assert_true(g_socket_bind(s, sa, FALSE, NULL));
	GInetSocketAddress *bound = G_INET_SOCKET_ADDRESS(g_socket_get_local_address(s, NULL));
	char *server = g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(bound));
	struct mg_auth_dns *d = mg_auth_dns_new(server, 1, 10, 60, NULL);
	assert_int_equal(ask(d, "silent.example", 10 * G_USEC_PER_SEC), MG_DNS_TEMPFAIL);
	assert_int_equal(ask(d, "silent.example", 10 * G_USEC_PER_SEC), MG_DNS_TEMPFAIL); /* and not cached */
	assert_int_equal(mg_auth_dns_misses(d), 2);
	mg_auth_dns_free(d);
	g_free(server);
	g_object_unref(bound);
	g_object_unref(sa);
	g_object_unref(lo);
	g_object_unref(s);
}

/* ---- the generated cases through the pipeline ---- */

static char *fixtures; /* directory made by mkauth.py, or NULL (skip) */
static struct mg_test_zone *zone;

static const char *fixture_python(void)
{
	static const char *candidates[] = {NULL, "/usr/bin/python3"};
	candidates[0] = g_getenv("PYTHON3") ? g_getenv("PYTHON3") : "python3";
	for (gsize i = 0; i < G_N_ELEMENTS(candidates); i++) {
		const char *argv[] = {candidates[i], "-c", "import dkim, nacl, dns.message", NULL};
		gint status = -1;
		if (g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
				 NULL, NULL, NULL, &status, NULL) &&
		    status == 0)
			return candidates[i];
	}
	return NULL;
}

static int fixtures_setup(void **state)
{
	(void)state;
	const char *py = fixture_python();
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : "..";
	if (!py)
		return 0; /* the case tests skip */
	fixtures = g_dir_make_tmp("mg_auth_XXXXXX", NULL);
	char *script = g_build_filename(top, "tests", "auth", "mkauth.py", NULL);
	const char *argv[] = {py, script, fixtures, NULL};
	gint status = -1;
	gboolean ok =
		g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
		status == 0;
	g_free(script);
	char *zp = g_build_filename(fixtures, "zone", NULL);
	zone = ok ? mg_test_zone_load(zp) : NULL;
	g_free(zp);
	return zone ? 0 : -1;
}

static int fixtures_teardown(void **state)
{
	(void)state;
	mg_test_zone_free(zone);
	if (fixtures)
		mg_test_rm_tree(fixtures);
	g_free(fixtures);
	return 0;
}

/* A configuration for the cases, its resolver answering from the zone. */
static struct mg_config *case_config(const char *extra)
{
	tu_scan_init(); /* the stages' configuration hooks first */
	char *text = g_strdup_printf("auth_mode = verify\nauth_serv_id = mugaika.test\nauth_protected_name = 市長\n"
				     "auth_public_suffix_list = %s/psl.dat\n%s",
				     fixtures, extra ? extra : "");
	if (strstr(text, "auth_mode = trust-upstream")) { /* the extra's mode wins */
		char *p = strstr(text, "auth_mode = verify\n");
		memmove(p, p + 19, strlen(p + 19) + 1);
	}
	struct mg_config *cfg = tu_config(text);
	g_free(text);
	if (cfg->auth && cfg->auth->dns)
		mg_auth_dns_set_backend(cfg->auth->dns, mg_test_zone_backend, zone);
	return cfg;
}

struct case_row {
	char *name, *ip, *helo, *from, *spf, *dkim, *dmarc, *warnings;
};

static GPtrArray *case_rows(void)
{
	char *path = g_build_filename(fixtures, "cases.tsv", NULL), *text = NULL;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l)
			g_ptr_array_add(rows, g_strsplit(*l, "\t", 8));
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return rows;
}

static char **case_of(GPtrArray *rows, const char *name)
{
	for (guint i = 0; i < rows->len; i++)
		if (strcmp(((char **)rows->pdata[i])[0], name) == 0)
			return rows->pdata[i];
	fail_msg("no case %s", name);
	return NULL;
}

/* One message as the MTA would hand it over from client ip. */
static struct mg_txn *run_case(struct mg_config *cfg, char **c, const char *msg_override, struct mg_conn **conn)
{
	char *path = g_strdup_printf("%s/%s.eml", fixtures, c[0]), *msg = NULL;
	gsize len = 0;
	if (msg_override) {
		msg = g_strdup(msg_override);
		len = strlen(msg);
	} else {
		assert_true(g_file_get_contents(path, &msg, &len, NULL));
	}
	tu_scan_init();
	*conn = mg_conn_new(c[1], c[2]);
	mg_conn_helo(*conn, c[2]);
	struct mg_txn *t = mg_txn_new(*conn, cfg);
	mg_txn_set_queue_id(t, c[0]);
	mg_txn_mail_from(t, c[3], NULL);
	mg_txn_rcpt(t, "staff@city.example.lg.jp", NULL);
	const char *p = mg_test_feed_headers(t, msg, msg + len);
	mg_txn_eoh(t);
	mg_txn_body(t, p, (gsize)(msg + len - p));
	mg_txn_eom(t);
	g_free(msg);
	g_free(path);
	return t;
}

static const char *auth_result(const struct mg_txn *t, const char *method)
{
	JsonObject *auth = json_object_get_object_member(mg_txn_report(t)->extra, "auth");
	if (!auth)
		return NULL;
	return json_object_get_string_member(json_object_get_object_member(auth, method), "result");
}

static char *auth_header(const struct mg_txn *t)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_INSERT && strcmp(op->name, "Authentication-Results") == 0)
			return op->value;
	}
	return NULL;
}

static char *warnings_of(const struct mg_txn *t)
{
	GString *w = g_string_new(NULL);
	const GPtrArray *ws = mg_txn_report(t)->warnings;
	for (guint i = 0; i < ws->len; i++)
		g_string_append_printf(w, "%s%s", i ? "," : "", (char *)ws->pdata[i]);
	if (!w->len)
		g_string_append(w, "-");
	return g_string_free(w, FALSE);
}

static void test_cases(void **state)
{
	(void)state;
	if (!fixtures)
		skip(); /* python3-dkim, python3-nacl, python3-dnspython not installed */
	struct mg_config *cfg = case_config(NULL);
	GPtrArray *rows = case_rows();
	for (guint i = 0; i < rows->len; i++) {
		char **c = rows->pdata[i];
		struct mg_conn *conn;
		struct mg_txn *t = run_case(cfg, c, NULL, &conn);
		const struct mg_verdict *v = &mg_txn_report(t)->verdict;
		char *w = warnings_of(t);
		const char *ar = auth_header(t);
		if (v->kind != MG_VERDICT_ACCEPT || g_strcmp0(auth_result(t, "spf"), c[4]) ||
		    g_strcmp0(auth_result(t, "dkim"), c[5]) || g_strcmp0(auth_result(t, "dmarc"), c[6]) ||
		    strcmp(w, c[7]) || !ar || !g_str_has_prefix(ar, "mugaika.test;"))
			fail_msg("%s: %s spf=%s dkim=%s dmarc=%s warnings=%s A-R=%s; want spf=%s dkim=%s dmarc=%s %s",
				 c[0], mg_verdict_name(v->kind), auth_result(t, "spf"), auth_result(t, "dkim"),
				 auth_result(t, "dmarc"), w, ar ? ar : "(none)", c[4], c[5], c[6], c[7]);
		g_free(w);
		mg_txn_free(t);
		mg_conn_free(conn);
	}
	g_ptr_array_unref(rows);
	mg_config_unref(cfg);
}

struct action_row {
	const char *conf, *name, *code, *rule;
	gboolean quarantine;
};

static void test_actions(void **state)
{
	(void)state;
	if (!fixtures)
		skip();
	static const struct action_row rows[] = {
		{"auth_on_dmarc_fail = reject\n", "dkim-body", "550", "auth-fail", FALSE},
		{"auth_on_dmarc_fail = reject\n", "dkim-pass", "250", NULL, FALSE},
		{"auth_on_dmarc_fail = policy\n", "spf-fail", "550", "auth-fail", TRUE},         /* p=quarantine */
		{"auth_on_dmarc_fail = policy\n", "dmarc-unaligned", "550", "auth-fail", FALSE}, /* p=reject */
		{"auth_on_dmarc_fail = policy\n", "nodmarc", "250", NULL, FALSE},
		{"auth_on_spf_fail = quarantine\n", "dkim-ed25519", "250", NULL, FALSE}, /* DMARC passes by DKIM */
		{"auth_on_spf_fail = quarantine\n", "internal-spoof", "550", "auth-fail", TRUE},
		{"auth_on_dkim_fail = reject\n", "dkim-header", "550", "auth-fail", FALSE},
		{"auth_on_temperror = tempfail\n", "temperror", "451", "auth-temperror", FALSE},
		{"auth_on_temperror = tempfail\n", "nodmarc", "250", NULL, FALSE},
		{"auth_on_lookalike = reject\n", "lookalike-idn", "550", "auth-lookalike", FALSE},
		{"auth_on_lookalike = reject\n", "lookalike-name", "550", "auth-lookalike", FALSE},
		{"auth_on_lookalike = quarantine\n", "display-address", "550", "auth-lookalike", TRUE},
	};
	GPtrArray *cases = case_rows();
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct mg_config *cfg = case_config(rows[i].conf);
		struct mg_conn *conn;
		struct mg_txn *t = run_case(cfg, case_of(cases, rows[i].name), NULL, &conn);
		const struct mg_verdict *v = &mg_txn_report(t)->verdict;
		if (strcmp(v->code, rows[i].code) ||
		    g_strcmp0(rows[i].rule, v->kind == MG_VERDICT_ACCEPT ? NULL : v->rule) ||
		    t->force_quarantine != rows[i].quarantine)
			fail_msg("row %zu (%s): %s %s rule %s quarantine %d", i, rows[i].name, v->code, v->ecode,
				 v->rule, t->force_quarantine);
		mg_txn_free(t);
		mg_conn_free(conn);
		mg_config_unref(cfg);
	}
	g_ptr_array_unref(cases);
}

/* trust-upstream: the trusted verifier's results are restated, no DNS is
 * asked, an untrusted authserv-id and a field claiming ours are ignored. */
static void test_trust_upstream(void **state)
{
	(void)state;
	if (!fixtures)
		skip();
	struct mg_config *cfg = case_config("auth_mode = trust-upstream\nauth_trusted_serv_id = upstream.test\n");
	assert_null(cfg->auth->dns); /* no resolver at all: nothing can be asked */
	GPtrArray *cases = case_rows();
	char **c = case_of(cases, "dkim-body");
	char *path = g_strdup_printf("%s/dkim-body.eml", fixtures), *orig = NULL;
	assert_true(g_file_get_contents(path, &orig, NULL, NULL));
	static const struct {
		const char *fields, *dkim, *dmarc;
	} rows[] = {
		{"Authentication-Results: upstream.test; spf=fail smtp.mailfrom=a@example.com;\n\tdkim=pass "
		 "header.d=example.com header.s=s1;\n\tdmarc=pass header.from=example.com\n",
		 "pass", "pass"},
		{"Authentication-Results: elsewhere.test; dkim=pass header.d=example.com; dmarc=pass\n", "none",
		 "none"},
		{"Authentication-Results: mugaika.test; dkim=pass header.d=example.com; dmarc=pass\n", "none", "none"},
		{"Authentication-Results: upstream.test; dkim=pass; garbage garbage\n", "none", "none"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *msg = g_strconcat(rows[i].fields, orig, NULL);
		struct mg_conn *conn;
		struct mg_txn *t = run_case(cfg, c, msg, &conn);
		if (g_strcmp0(auth_result(t, "dkim"), rows[i].dkim) ||
		    g_strcmp0(auth_result(t, "dmarc"), rows[i].dmarc))
			fail_msg("row %zu: dkim=%s dmarc=%s", i, auth_result(t, "dkim"), auth_result(t, "dmarc"));
		mg_txn_free(t);
		mg_conn_free(conn);
		g_free(msg);
	}
	g_free(orig);
	g_free(path);
	g_ptr_array_unref(cases);
	mg_config_unref(cfg);
}

/* Hygiene in every mode: the forged field with our id is deleted, ours
 * inserted once; with auth_mode = off nothing is inserted. */
static void test_hygiene(void **state)
{
	(void)state;
	static const char msg[] = "Authentication-Results: other.example; spf=pass\n"
				  "Authentication-Results: MUGAIKA.TEST; dkim=pass\n"
				  "Authentication-Results: mugaika.test (forged); dmarc=pass header.from=example.com "
				  "header.d=example.com smtp.mailfrom=a@example.com\n"
				  "From: a@example.net\nTo: staff@city.example.lg.jp\nSubject: x\n\nhello\n";
	struct mg_config *cfg = tu_config("auth_serv_id = mugaika.test\n");
	struct mg_conn *conn;
	struct mg_txn *t = tu_run(cfg, msg, strlen(msg), 0, &conn);
	const GPtrArray *ops = mg_txn_header_ops(t);
	int deleted[4] = {0, 0, 0, 0}, inserted = 0;
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (strcmp(op->name, "Authentication-Results") != 0)
			continue;
		if (op->kind == MG_HDR_DELETE && op->index < 4)
			deleted[op->index]++;
		if (op->kind == MG_HDR_CHANGE) /* the header encoder must not rewrite (and revive) a deleted one */
			assert_true(op->index == 1 || op->index >= 4);
		inserted += op->kind == MG_HDR_INSERT;
	}
	assert_int_equal(deleted[1], 0); /* other.example kept */
	assert_int_equal(deleted[2], 1);
	assert_int_equal(deleted[3], 1);
	assert_int_equal(inserted, 0); /* auth_mode = off (tu_config) */
	mg_txn_free(t);
	mg_conn_free(conn);
	mg_config_unref(cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	tu_scan_init();
	static const struct {
		const char *text, *want;
	} rows[] = {
		{"auth_dns_server = example.net\n", "t.conf:1: auth_dns_server:"},
		{"auth_serv_id = bad id\n", "t.conf:1: auth_serv_id:"},
		{"auth_trusted_serv_id = a;b\n", "t.conf:1: auth_trusted_serv_id:"},
		{"auth_mode = trust-upstream\n", "auth_trusted_serv_id: empty"},
		{"auth_mode = trust-upstream\nauth_serv_id = a.example\nauth_trusted_serv_id = A.example\n",
		 "also our own auth_serv_id"},
		{"auth_protected_domain = not a domain\n", "t.conf:1: auth_protected_domain:"},
		{"auth_mode = verify\nauth_public_suffix_list = /nonexistent/psl.dat\n", "auth_public_suffix_list"},
		{"auth_on_dmarc_fail = bounce\n", "t.conf:1: auth_on_dmarc_fail:"},
		{"auth_lookalike_distance = 9\n", "t.conf:1: auth_lookalike_distance:"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GError *err = NULL;
		char *text = g_strconcat(rows[i].text, "auth_mode = off\n", NULL);
		if (strstr(rows[i].text, "auth_mode")) {
			g_free(text);
			text = g_strdup(rows[i].text);
		}
		struct mg_config *cfg = mg_config_parse("t.conf", text, strlen(text), &err);
		if (cfg || !err || !strstr(err->message, rows[i].want))
			fail_msg("row %zu: %s", i, err ? err->message : "accepted");
		g_clear_error(&err);
		g_free(text);
	}
}

int main(void)
{
	mg_log_init("test_auth", TRUE);
	mg_log_set_level(MG_LOG_WARNING);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ar_parse),    cmocka_unit_test(test_ar_prefixes),
		cmocka_unit_test(test_lookalike),   cmocka_unit_test(test_dns_cache),
		cmocka_unit_test(test_dns_timeout), cmocka_unit_test(test_cases),
		cmocka_unit_test(test_actions),     cmocka_unit_test(test_trust_upstream),
		cmocka_unit_test(test_hygiene),     cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, fixtures_setup, fixtures_teardown);
}
