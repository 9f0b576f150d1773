/* fuzz_common.c - see fuzz_common.h */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mg_audit.h"
#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_scan.h"
#include "../tests/unit/mtafeed.h"
#include "fuzz_common.h"

static char *fz_dir;
static struct mg_config *fz_cfg;
static struct mg_conn *fz_conn;

/* The body signature of tests/mkclamdb.sh for the harmless text
 * CLAMAV-TEST-STRING-NOT-EICAR: a detection path without any malware. */
static void fz_write_db(const char *dir)
{
	static const char needle[] = "CLAMAV-TEST-STRING-NOT-EICAR";
	GString *s = g_string_new("Mugaika-Test-String:0:*:");
	for (const char *p = needle; *p; p++)
		g_string_append_printf(s, "%02x", (unsigned char)*p);
	g_string_append_c(s, '\n');
	char *path = g_build_filename(dir, "mugaika-fuzz.ndb", NULL);
	if (!g_file_set_contents(path, s->str, (gssize)s->len, NULL))
		abort();
	g_free(path);
	g_string_free(s, TRUE);
}

static void fz_cleanup(void)
{
	mg_test_rm_tree(fz_dir);
}

struct mg_config *mg_fuzz_config(void)
{
	if (fz_cfg)
		return fz_cfg;
	/* Every message is audited with fdatasync and may be quarantined:
	 * tmpfs keeps that from dominating the run time. */
	const char *base = g_getenv("TMPDIR");
	if (!base)
		base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
	fz_dir = g_build_filename(base, "mg_fuzz_XXXXXX", NULL);
	if (!g_mkdtemp(fz_dir))
		abort();
	atexit(fz_cleanup);
	char *db = g_build_filename(fz_dir, "clamdb", NULL);
	g_mkdir(db, 0700);
	fz_write_db(db);
	char *key = g_build_filename(fz_dir, "audit.key", NULL); /* issue 17: the audit log is keyed */
	GError *err = NULL;
	struct mg_audit_keys *keys = NULL;
	if (!mg_audit_key_generate(key, FALSE, NULL, &err) || !(keys = mg_audit_keys_load(key, &err))) {
		fprintf(stderr, "fuzz audit key: %s\n", err->message);
		abort();
	}
	mg_audit_use_keys(keys);
	mg_audit_keys_unref(keys);
	char *text =
		g_strdup_printf("clamav_database = %s\nquarantine_dir = %s/q\naudit_log = %s/audit.log\n"
				"admin_audit_log = %s/admin.log\naudit_key_file = %s\n"
				"internal_domain = city.example.lg.jp\nauth_mode = off\n", /* no DNS while fuzzing */
				db, fz_dir, fz_dir, fz_dir, key);
	g_free(key);
	fz_cfg = mg_config_parse("fuzz.conf", text, strlen(text), &err);
	if (!fz_cfg) {
		fprintf(stderr, "fuzz config: %s\n", err->message);
		abort();
	}
	g_free(text);
	g_free(db);
	return fz_cfg;
}

void mg_fuzz_init(gboolean with_scanner)
{
	static gboolean done, scanner;
	if (!done) {
		const char *lv = g_getenv("MG_FUZZ_LOG_LEVEL");
		mg_log_init("mugaika-fuzz", TRUE);
		mg_log_set_level(lv ? atoi(lv) : -1); /* -1: silent */
		mg_pipeline_global_init();
		fz_conn = mg_conn_new("192.0.2.1", "client.example.net");
		done = TRUE;
	}
	if (with_scanner && !scanner) {
		GError *err = NULL;
		if (!mg_scan_global_init(mg_fuzz_config(), &err)) {
			fprintf(stderr, "fuzz scanner: %s\n", err->message);
			abort();
		}
		scanner = TRUE;
	}
}

struct mg_txn *mg_fuzz_txn(void)
{
	struct mg_txn *t = mg_txn_new(fz_conn, mg_fuzz_config());
	t->deadline_us = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	return t;
}
