/* testutil.c - see testutil.h */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <cmocka.h>

#include "mg_audit.h"
#include "mg_scan.h"
#include "mtafeed.h"
#include "testutil.h"

/* Issue 5: every message is scanned, so the tests load an engine once from
 * a database that tests/mkclamdb.sh generates under tests/tmp. */
static gpointer scan_init(gpointer unused)
{
	const char *top = g_getenv("top_srcdir"), *build = g_getenv("top_builddir");
	char *dir = g_build_filename(build ? build : ".", "tests", "tmp", "unit-clamdb", NULL);
	char *script = g_build_filename(top ? top : ".", "tests", "mkclamdb.sh", NULL);
	char *argv[] = {"/bin/sh", script, dir, NULL};
	int status = -1;
	GError *err = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, NULL, NULL, &status, &err) ||
	    !g_spawn_check_wait_status(status, &err))
		fail_msg("tests/mkclamdb.sh: %s", err->message);
	char *text = g_strdup_printf("clamav_database = %s\n", dir);
	struct mg_config *cfg = tu_config(text);
	if (!mg_scan_global_init(cfg, &err))
		fail_msg("scanner: %s", err->message);
	mg_config_unref(cfg);
	g_free(text);
	g_free(script);
	g_free(dir);
	return NULL;
}

/* issue 7: the quarantine store and audit logs of unit tests go to one
 * temporary directory per test program (removed at exit), unless the test
 * sets those keys itself; the built-in defaults are system paths. */
static char *tu_store_dir;

static void tu_store_cleanup(void)
{
	mg_test_rm_tree(tu_store_dir);
}

/* issue 17: the audit logs are keyed; one key file per test program,
 * installed as the process's signing keys. */
void tu_audit_keys(void)
{
	if (!tu_store_dir) {
		tu_store_dir = g_dir_make_tmp("mg_unit_XXXXXX", NULL);
		atexit(tu_store_cleanup);
	}
	char *path = g_build_filename(tu_store_dir, "audit.key", NULL);
	GError *err = NULL;
	if (!g_file_test(path, G_FILE_TEST_EXISTS) && !mg_audit_key_generate(path, FALSE, NULL, &err))
		fail_msg("audit key: %s", err->message);
	struct mg_audit_keys *k = mg_audit_keys_load(path, &err);
	if (!k)
		fail_msg("audit key: %s", err->message);
	mg_audit_use_keys(k);
	mg_audit_keys_unref(k);
	g_free(path);
}

static void tu_store_keys(GString *text)
{
	static const char *keys[][2] = {
		{"quarantine_dir", "q"},
		{"audit_log", "audit.log"},
		{"admin_audit_log", "admin.log"},
		{"audit_key_file", "audit.key"},
		{"stop_state_file", "stop.state"}}; /* issue 16: never the system's stop switch */
	tu_audit_keys();
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		char *re = g_strdup_printf("(?m)^\\s*%s\\s*=", keys[i][0]);
		if (!g_regex_match_simple(re, text->str, 0, 0)) /* appended: line numbers stay */
			g_string_append_printf(text, "\n%s = %s/%s\n", keys[i][0], tu_store_dir, keys[i][1]);
		g_free(re);
	}
}

void tu_scan_init(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks, before any config */
	static GOnce scan_once = G_ONCE_INIT;
	g_once(&scan_once, scan_init, NULL);
}

/* issue 16: the organisation's domain (a recipient must be internal, or it
 * is refused as relaying) and no sender authentication (it would ask the
 * host's DNS), unless the test sets them itself. */
static void tu_boundary_keys(GString *text, gboolean zones)
{
	static const char *keys[][2] = {{"auth_mode", "off"}, {"internal_domain", "city.example.lg.jp"}};
	for (gsize i = 0; i < (zones ? G_N_ELEMENTS(keys) : 1); i++) {
		char *re = g_strdup_printf("(?m)^\\s*%s\\s*=", keys[i][0]);
		if (!g_regex_match_simple(re, text->str, 0, 0)) /* appended: line numbers stay */
			g_string_append_printf(text, "\n%s = %s\n", keys[i][0], keys[i][1]);
		g_free(re);
	}
}

static struct mg_config *config_with(const char *text, gboolean zones)
{
	GError *err = NULL;
	GString *full = g_string_new(text);
	tu_store_keys(full);
	tu_boundary_keys(full, zones);
	struct mg_config *cfg = mg_config_parse("test.conf", full->str, full->len, &err);
	if (!cfg)
		fail_msg("config: %s", err->message);
	g_string_free(full, TRUE);
	return cfg;
}

struct mg_config *tu_config(const char *text)
{
	return config_with(text, TRUE);
}

struct mg_config *tu_config_unzoned(const char *text)
{
	return config_with(text, FALSE);
}

/* Split the header block the way an MTA does (name, value without the
 * leading blank, folded lines kept), then stream the body. */
struct mg_txn *tu_run(struct mg_config *cfg, const char *msg, gsize len, gsize chunk, struct mg_conn **conn)
{
	tu_scan_init();
	*conn = mg_conn_new("192.0.2.1", "client.example.net");
	struct mg_txn *t = mg_txn_new(*conn, cfg);
	char *args[] = {NULL};
	mg_txn_mail_from(t, "<sender@example.net>", args);
	mg_txn_rcpt(t, "<staff@city.example.lg.jp>", args);
	const char *p = msg, *end = msg + len;
	p = mg_test_feed_headers(t, p, end);
	mg_txn_eoh(t);
	gsize step = chunk ? chunk : (gsize)(end - p);
	while (p < end) {
		gsize n = MIN(step, (gsize)(end - p));
		mg_txn_body(t, p, n);
		p += n;
	}
	mg_txn_eom(t);
	return t;
}

char *tu_body(struct mg_txn *t)
{
	GMimeStream *s = mg_txn_new_body(t);
	if (!s)
		return NULL;
	GByteArray *ba = g_byte_array_new();
	char buf[4096];
	gssize n;
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		g_byte_array_append(ba, (guint8 *)buf, (guint)n);
	g_object_unref(s);
	g_byte_array_append(ba, (guint8 *)"", 1);
	return (char *)g_byte_array_free(ba, FALSE);
}

const char *tu_added(struct mg_txn *t, const char *name)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD && g_ascii_strcasecmp(op->name, name) == 0)
			return op->value;
	}
	return NULL;
}
