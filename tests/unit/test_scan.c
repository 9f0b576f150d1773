/*
 * test_scan.c - libclamav scanning (issue 5): verdicts through the whole
 * pipeline, reload and freshness of the engine.
 *
 * The signature database is written at run time by tests/mkclamdb.sh; the
 * EICAR string is assembled from pieces here, and archives/messages that
 * carry it are generated with libzip and GMime, so no hostile content sits
 * in the repository.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>
#include <clamav.h>
#include <zip.h>

#include <cmocka.h>

#include "mg_log.h"
#include "mg_mime.h"
#include "mg_pipeline.h"
#include "mg_body.h"
#include "mg_scan.h"
#include "testutil.h"
#include "mg_txn.h"
#include "scan_engine.h"

static char *tmp_dir;  /* removed at the end */
static char *db_dir;   /* the good database */
static char eicar[69]; /* assembled at run time */

/* ---- fixtures ---- */

static void build_eicar(void)
{
	/* The 68-byte EICAR test string, in pieces. */
	const char *parts[] = {"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"};
	eicar[0] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(parts); i++)
		g_strlcat(eicar, parts[i], sizeof eicar);
	assert_int_equal(strlen(eicar), 68);
}

static void run_mkclamdb(const char *dir)
{
	const char *top = g_getenv("top_srcdir");
	char *script = g_build_filename(top ? top : ".", "tests", "mkclamdb.sh", NULL);
	char *argv[] = {"/bin/sh", script, (char *)dir, NULL};
	int status = -1;
	GError *err = NULL;
	gboolean ok = g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, NULL, NULL, &status, &err);
	if (!ok)
		fail_msg("mkclamdb.sh: %s", err->message);
	assert_true(g_spawn_check_wait_status(status, NULL));
	g_free(script);
}

static struct mg_config *cfg_for(const char *dir, const char *extra)
{
	char *text = g_strdup_printf("clamav_database = %s\nlog_level = error\n%s", dir, extra ? extra : "");
	struct mg_config *cfg = tu_config(text); /* adds private store paths */
	g_free(text);
	return cfg;
}

static void load_engine(const char *dir, const char *extra)
{
	GError *err = NULL;
	struct mg_config *cfg = cfg_for(dir, extra);
	if (!mg_scan_reload(cfg, &err))
		fail_msg("reload: %s", err->message);
	mg_config_unref(cfg);
}

/* A zip archive with `copies` members name, name.1, ... of the same content. */
static GByteArray *zip_n(const char *name, const void *data, gsize len, gboolean encrypt, int copies)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	zip_source_keep(src);
	for (int i = 0; i < copies; i++) {
		char *member = i ? g_strdup_printf("%d-%s", i, name) : g_strdup(name); /* keeps the extension */
		zip_source_t *f = zip_source_buffer(z, g_memdup2(data, len), len, 1);
		zip_int64_t idx = zip_file_add(z, member, f, ZIP_FL_OVERWRITE);
		assert_true(idx >= 0);
		if (encrypt)
			assert_int_equal(zip_file_set_encryption(z, (zip_uint64_t)idx, ZIP_EM_AES_256, "secret"), 0);
		g_free(member);
	}
	assert_int_equal(zip_close(z), 0);
	zip_stat_t st;
	assert_int_equal(zip_source_stat(src, &st), 0);
	GByteArray *out = g_byte_array_sized_new((guint)st.size);
	g_byte_array_set_size(out, (guint)st.size);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, out->data, st.size), (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	return out;
}

static GByteArray *zip_of(const char *name, const void *data, gsize len, gboolean encrypt)
{
	return zip_n(name, data, len, encrypt, 1);
}

/* A multipart message: a text part and (optionally) one base64 attachment. */
static char *message_with(const char *text, const char *att_type, const char *att_name, const void *att, gsize att_len)
{
	GString *m = g_string_new("From: a@example.com\nTo: b@example.jp\nSubject: scan test\n"
				  "Message-ID: <t@example.com>\nMIME-Version: 1.0\n"
				  "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
				  "Content-Type: text/plain; charset=us-ascii\n\n");
	g_string_append_printf(m, "%s\n", text);
	if (att) {
		char *b64 = g_base64_encode(att, att_len);
		g_string_append_printf(m,
				       "--b1\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; "
				       "filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n",
				       att_type, att_name, att_name);
		for (gsize i = 0, n = strlen(b64); i < n; i += 76)
			g_string_append_printf(m, "%.76s\n", b64 + i);
		g_free(b64);
	}
	g_string_append(m, "--b1--\n");
	return g_string_free(m, FALSE);
}

/* Feed a message (LF line ends, unfolded header fields) through the stages. */
static struct mg_txn *feed(struct mg_conn *c, struct mg_config *cfg, const char *msg)
{
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_set_queue_id(t, "TEST");
	mg_txn_mail_from(t, "a@example.com", NULL);
	mg_txn_rcpt(t, "b@city.example.lg.jp", NULL);
	const char *p = msg;
	while (*p && *p != '\n') {
		const char *eol = strchr(p, '\n'), *colon = strchr(p, ':');
		char *name = g_strndup(p, (gsize)(colon - p));
		char *value = g_strndup(colon + 2, (gsize)(eol - colon - 2));
		mg_txn_header(t, name, value);
		g_free(name);
		g_free(value);
		p = eol + 1;
	}
	mg_txn_eoh(t);
	if (*p == '\n')
		p++;
	mg_txn_body(t, p, strlen(p));
	mg_txn_eom(t);
	return t;
}

/* The recipient's notice lists the removal (in its own words). */
static gboolean notice_says(struct mg_txn *t, const char *needle)
{
	char *n = mg_notice_render(t);
	gboolean yes = n && strstr(n, needle);
	g_free(n);
	return yes;
}

static guint removed_parts(const struct mg_txn *t, const char *reason_prefix)
{
	guint n = 0;
	for (guint i = 0; i < t->report->parts->len; i++) {
		const struct mg_part_report *p = t->report->parts->pdata[i];
		if (p->action == MG_ACTION_REMOVED && p->reason && g_str_has_prefix(p->reason, reason_prefix))
			n++;
	}
	return n;
}

static const char *scan_member(const struct mg_txn *t, const char *key)
{
	JsonObject *scan = json_object_get_object_member(t->report->extra, "scan");
	return scan && json_object_has_member(scan, key) ? json_object_get_string_member(scan, key) : NULL;
}

/* ---- messages through the pipeline, one row per case ---- */

enum builder {
	B_CLEAN,
	B_EICAR_BODY,
	B_EICAR_ZIP,
	B_EICAR_FWD_ZIP,
	B_TEST_STRING,
	B_ENC_ZIP,
	B_BIG,
	B_ZIP_MANY,  /* 20 clean members */
	B_ZIP_NESTED /* zip in zip in zip, clean */
};

static char *build(enum builder b)
{
	GByteArray *z = NULL;
	char *m = NULL, *inner = NULL;
	switch (b) {
	case B_CLEAN: return message_with("Hello, this message is clean.", NULL, NULL, NULL, 0);
	case B_EICAR_BODY: return message_with(eicar, NULL, NULL, NULL, 0);
	case B_EICAR_ZIP: z = zip_of("eicar.com", eicar, 68, FALSE); break;
	case B_EICAR_FWD_ZIP:
		inner = message_with("forwarded", "application/octet-stream", "e.com", eicar, 68);
		z = zip_of("forward.eml", inner, strlen(inner), FALSE);
		g_free(inner);
		break;
	case B_TEST_STRING: return message_with("prefix CLAMAV-TEST-STRING-NOT-EICAR suffix", NULL, NULL, NULL, 0);
	case B_ENC_ZIP: z = zip_of("report.txt", "quarterly report, nothing secret", 32, TRUE); break;
	case B_ZIP_MANY: z = zip_n("note.txt", "a clean note", 12, FALSE, 20); break;
	case B_ZIP_NESTED: {
		GByteArray *z1 = zip_of("note.txt", "a clean note", 12, FALSE);
		GByteArray *z2 = zip_of("inner.zip", z1->data, z1->len, FALSE);
		z = zip_of("middle.zip", z2->data, z2->len, FALSE);
		g_byte_array_unref(z1);
		g_byte_array_unref(z2);
		break;
	}
	case B_BIG: {
		GByteArray *big = g_byte_array_sized_new(1536 * 1024);
		for (guint i = 0; i < 1536 * 1024; i++)
			g_byte_array_append(big, (const guint8 *)"abcdefghijklmnopqrstuvwxyz" + (i * 7 + i / 26) % 26,
					    1);
		m = message_with("big", "text/plain", "big.txt", big->data, big->len);
		g_byte_array_unref(big);
		return m;
	}
	}
	m = message_with("see attachment", "application/zip", "archive.zip", z->data, z->len);
	g_byte_array_unref(z);
	return m;
}

struct msg_case {
	const char *name;
	enum builder msg;
	const char *conf; /* extra configuration lines */
	enum mg_verdict_kind want_kind;
	const char *want_code, *want_ecode;
	const char *want_reason;  /* substring of the SMTP reason, or NULL */
	const char *want_removed; /* reason prefix of removed parts, or NULL */
	guint want_n_removed;
	gboolean want_quarantine;
	const char *want_raw; /* scan.message in the report */
};

static const struct msg_case msg_cases[] = {
	{"clean", B_CLEAN, "", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL, "virus", 0, FALSE, "clean"},
	{"eicar in the body", B_EICAR_BODY, "", MG_VERDICT_REJECT, "550", "5.7.1", "Eicar-Test-Signature", NULL, 0,
	 FALSE, "infected"},
	{"eicar in a zip", B_EICAR_ZIP, "", MG_VERDICT_REJECT, "550", "5.7.1", "Eicar-Test-Signature", NULL, 0, FALSE,
	 "infected"},
	{"eicar in a message/rfc822 in a zip", B_EICAR_FWD_ZIP, "", MG_VERDICT_REJECT, "550", "5.7.1",
	 "Eicar-Test-Signature", NULL, 0, FALSE, "infected"},
	{"quarantine", B_EICAR_ZIP, "scan_on_infected = quarantine\n", MG_VERDICT_REJECT, "550", "5.7.1", "Eicar", NULL,
	 0, TRUE, "infected"},
	{"remove infected zip", B_EICAR_ZIP, "scan_on_infected = remove\n", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL,
	 "virus found: Eicar-Test-Signature", 1, FALSE, "infected"},
	{"remove infected text", B_TEST_STRING, "scan_on_infected = remove\n", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL,
	 "virus found: Mugaika-Test-String", 1, FALSE, "infected"},
	{"ndb signature rejects", B_TEST_STRING, "", MG_VERDICT_REJECT, "550", "5.7.1", "Mugaika-Test-String", NULL, 0,
	 FALSE, "infected"},
	/* issue 12: what libclamav cannot open as it came goes on to the CDR
	 * stage, which removes what it cannot examine itself */
	{"encrypted zip removed", B_ENC_ZIP, "", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL, "encrypted archive", 1, FALSE,
	 "unscannable"},
	{"encrypted zip tempfail", B_ENC_ZIP, "scan_on_unscannable = tempfail\n", MG_VERDICT_TEMPFAIL, "451", "4.7.1",
	 "Heuristics.Encrypted", NULL, 0, FALSE, "unscannable"},
	{"encrypted zip reject", B_ENC_ZIP, "scan_on_unscannable = reject\n", MG_VERDICT_REJECT, "554", "5.7.1",
	 "could not be scanned", NULL, 0, FALSE, "unscannable"},
	{"encrypted zip, alert off", B_ENC_ZIP, "scan_alert_encrypted_archives = no\n", MG_VERDICT_ACCEPT, "250",
	 "2.0.0", NULL, "could not be scanned", 0, FALSE, "clean"},
	{"over scan_max_file_size removed", B_BIG, "scan_max_file_size = 1M\n", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL,
	 "scanner: larger than scan_max_file_size", 1, FALSE, "unscannable"},
	{"over scan_max_files removed", B_ZIP_MANY, "scan_max_files = 5\n", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL,
	 "scanner: Heuristics.Limits.Exceeded.MaxFiles", 1, FALSE, "unscannable"},
	{"under scan_max_files", B_ZIP_MANY, "", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL, "could not be scanned", 0,
	 FALSE, "clean"},
	{"over scan_max_recursion reject", B_ZIP_NESTED, "scan_max_recursion = 2\nscan_on_unscannable = reject\n",
	 MG_VERDICT_REJECT, "554", "5.7.1", "Heuristics.Limits.Exceeded.MaxRecursion", NULL, 0, FALSE, "unscannable"},
	{"under scan_max_recursion", B_ZIP_NESTED, "", MG_VERDICT_ACCEPT, "250", "2.0.0", NULL, "could not be scanned",
	 0, FALSE, "clean"},
	{"over scan_max_file_size tempfail", B_BIG, "scan_max_file_size = 1M\nscan_on_unscannable = tempfail\n",
	 MG_VERDICT_TEMPFAIL, "451", "4.7.1", "scan_max_file_size", NULL, 0, FALSE, "unscannable"},
};

/* One case in one mode: with scan_message_mime = always the raw message is
 * parsed by libclamav and its result is the case's want_raw; with auto
 * (issue 15) libclamav may read it as raw text when the readings agree, and
 * the verdict must be the same - the parts find what the parser found. */
static void message_case(const struct msg_case *w, gboolean always)
{
	char *conf = g_strconcat(always ? "scan_message_mime = always\n" : "", w->conf, NULL);
	struct mg_config *cfg = cfg_for(db_dir, conf);
	load_engine(db_dir, conf);
	struct mg_conn *c = mg_conn_new("192.0.2.1", "client.example.com");
	char *msg = build(w->msg);
	struct mg_txn *t = feed(c, cfg, msg);
	const struct mg_verdict *v = &t->report->verdict;
	print_message("case: %s (%s) -> %s %s %s [%s]\n", w->name, always ? "always" : "auto", v->code, v->ecode,
		      v->reason ? v->reason : "", scan_member(t, "mime_parse"));
	assert_int_equal(v->kind, w->want_kind);
	assert_string_equal(v->code, w->want_code);
	assert_string_equal(v->ecode, w->want_ecode);
	if (w->want_reason)
		assert_non_null(strstr(v->reason, w->want_reason));
	if (w->want_removed)
		assert_int_equal(removed_parts(t, w->want_removed), w->want_n_removed);
	if (w->want_removed && w->want_n_removed)
		assert_true(notice_says(t, "削除"));
	assert_int_equal(t->force_quarantine, w->want_quarantine);
	assert_non_null(scan_member(t, "message"));
	if (always) {
		assert_string_equal(scan_member(t, "mime_parse"), "scan_message_mime = always");
		assert_string_equal(scan_member(t, "message"), w->want_raw);
	}
	assert_string_equal(scan_member(t, "engine"), cl_retver());
	if (w->want_kind == MG_VERDICT_ACCEPT)
		assert_string_equal(scan_member(t, "output"), "clean");
	mg_txn_free(t);
	mg_conn_free(c);
	g_free(msg);
	mg_config_unref(cfg);
	g_free(conf);
}

static void test_messages(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(msg_cases); i++) {
		message_case(&msg_cases[i], TRUE);
		message_case(&msg_cases[i], FALSE);
	}
	load_engine(db_dir, NULL);
}

/* ---- buffers, reload, freshness, degraded mode ---- */

static struct mg_txn *bare_txn(struct mg_conn *c, struct mg_config *cfg)
{
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_set_queue_id(t, "TEST");
	return t;
}

struct buf_case {
	const char *name;
	const char *data;
	enum mg_scan_result want;
	const char *want_virus;
};

static void test_buffer(void **state)
{
	const struct buf_case cases[] = {
		{"eicar", eicar, MG_SCAN_INFECTED, "Eicar-Test-Signature"},
		{"clean", "just some words", MG_SCAN_CLEAN, NULL},
		{"empty", "", MG_SCAN_CLEAN, NULL},
		{"test string", "xx CLAMAV-TEST-STRING-NOT-EICAR xx", MG_SCAN_INFECTED, "Mugaika-Test-String"},
	};
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mg_txn *t = bare_txn(c, cfg);
		char *virus = NULL, *why = NULL;
		enum mg_scan_result got =
			mg_scan_buffer(t, cases[i].data, strlen(cases[i].data), cases[i].name, &virus, &why);
		print_message("buffer %s -> %d %s\n", cases[i].name, got, virus ? virus : "");
		assert_int_equal(got, cases[i].want);
		if (cases[i].want_virus)
			assert_non_null(strstr(virus, cases[i].want_virus));
		else
			assert_null(virus);
		g_free(virus);
		g_free(why);
		mg_txn_free(t);
	}
	mg_conn_free(c);
	mg_config_unref(cfg);
}

static gint64 scan_count(const struct mg_txn *t, const char *key)
{
	JsonObject *scan = json_object_get_object_member(t->report->extra, "scan");
	return scan ? json_object_get_int_member_with_default(scan, key, 0) : -1;
}

/* Issue 15: bytes scanned clean once in a message are not handed to
 * libclamav again (its per-scan temporary directory is the fixed cost);
 * other bytes, an infected result and large objects always are. */
static void test_buffer_repeats(void **state)
{
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	struct mg_txn *t = bare_txn(c, cfg);
	const char *clean = "the same clean bytes twice";
	assert_int_equal(mg_scan_buffer(t, clean, strlen(clean), "first", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(mg_scan_buffer(t, clean, strlen(clean), "again", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(scan_count(t, "objects"), 1);
	assert_int_equal(scan_count(t, "repeats"), 1);
	assert_int_equal(mg_scan_buffer(t, clean, strlen(clean) - 1, "shorter", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(scan_count(t, "objects"), 2);
	for (int i = 0; i < 2; i++) { /* an infected result is never remembered */
		char *virus = NULL;
		assert_int_equal(mg_scan_buffer(t, eicar, strlen(eicar), "eicar", &virus, NULL), MG_SCAN_INFECTED);
		assert_non_null(virus);
		g_free(virus);
	}
	assert_int_equal(scan_count(t, "objects"), 4);
	gsize big = (1 << 20) + 1; /* above the keyed size: scanned every time */
	char *large = g_malloc0(big);
	assert_int_equal(mg_scan_buffer(t, large, big, "large", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(mg_scan_buffer(t, large, big, "large again", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(scan_count(t, "objects"), 6);
	assert_int_equal(scan_count(t, "repeats"), 1);
	g_free(large);
	mg_txn_free(t);
	t = bare_txn(c, cfg); /* per message: a new message scans again */
	assert_int_equal(mg_scan_buffer(t, clean, strlen(clean), "next message", NULL, NULL), MG_SCAN_CLEAN);
	assert_int_equal(scan_count(t, "objects"), 1);
	assert_int_equal(scan_count(t, "repeats"), 0);
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

static void test_classify(void **state)
{
	const struct {
		cl_error_t rc;
		const char *vname;
		enum mg_scan_result want;
		const char *want_text; /* virus or reason */
	} cases[] = {
		{CL_CLEAN, NULL, MG_SCAN_CLEAN, NULL},
		{CL_VIRUS, "Win.Trojan.Agent-1", MG_SCAN_INFECTED, "Win.Trojan.Agent-1"},
		{CL_VIRUS, "Heuristics.Limits.Exceeded.MaxScanTime", MG_SCAN_UNSCANNABLE, "MaxScanTime"},
		{CL_VIRUS, "Heuristics.Limits.Exceeded.MaxFileSize", MG_SCAN_UNSCANNABLE, "MaxFileSize"},
		{CL_VIRUS, "Heuristics.Encrypted.Zip", MG_SCAN_UNSCANNABLE, "Encrypted.Zip"},
		{CL_VIRUS, "Heuristics.Broken.Executable", MG_SCAN_INFECTED, "Broken.Executable"},
		{CL_VIRUS, "Bad\r\nName\xe3\x81\x82", MG_SCAN_INFECTED, "Bad??Name???"},
		{CL_VIRUS, NULL, MG_SCAN_INFECTED, "Unknown"},
		{CL_ETIMEOUT, NULL, MG_SCAN_UNSCANNABLE, ""},
		{CL_EMAXREC, NULL, MG_SCAN_UNSCANNABLE, ""},
		{CL_EMAXSIZE, NULL, MG_SCAN_UNSCANNABLE, ""},
		{CL_EMAXFILES, NULL, MG_SCAN_UNSCANNABLE, ""},
		{CL_EMEM, NULL, MG_SCAN_ERROR, ""},
		{CL_EOPEN, NULL, MG_SCAN_ERROR, ""},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *virus = NULL, *why = NULL;
		enum mg_scan_result got = mg_scan_classify(cases[i].rc, cases[i].vname, &virus, &why);
		assert_int_equal(got, cases[i].want);
		if (cases[i].want_text) {
			const char *text = got == MG_SCAN_INFECTED ? virus : why;
			assert_non_null(text);
			assert_non_null(strstr(text, cases[i].want_text));
		}
		if (got == MG_SCAN_CLEAN)
			assert_true(virus == NULL && why == NULL);
		g_free(virus);
		g_free(why);
	}
}

/* Past the message's processing deadline nothing is scanned: an error, so
 * the message fails closed (on_error), never "clean". */
static void test_deadline(void **state)
{
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	struct mg_txn *t = bare_txn(c, cfg);
	char *why = NULL;
	assert_int_equal(mg_scan_buffer(t, "clean", 5, "a", NULL, NULL), MG_SCAN_CLEAN);
	t->deadline_us = 1; /* long past */
	assert_int_equal(mg_scan_buffer(t, "clean", 5, "a", NULL, &why), MG_SCAN_ERROR);
	assert_non_null(strstr(why, "time limit"));
	g_free(why);
	t->new_top = mg_leaf_new_part(NULL, "text/plain", NULL, "x", 1);
	assert_true(mg_mime_write(t));
	assert_false(mg_scan_output_step(t));
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_TEMPFAIL);
	assert_string_equal(t->report->verdict.code, "451");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

/* The rebuilt message is scanned again: content that reached the output
 * (e.g. a rebuilder let it through) is refused; a clean output passes. */
static void test_output_step(void **state)
{
	const struct {
		const char *content;
		enum mg_verdict_kind want;
		const char *want_reason;
	} cases[] = {
		{eicar, MG_VERDICT_REJECT, "Eicar-Test-Signature"},
		{"a harmless rebuilt file", MG_VERDICT_CONTINUE, NULL},
	};
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mg_txn *t = bare_txn(c, cfg);
		t->new_top = mg_leaf_new_part(NULL, "application/octet-stream", "rebuilt.bin", cases[i].content,
					      strlen(cases[i].content));
		assert_true(mg_mime_write(t));
		gboolean ok = mg_scan_output_step(t);
		assert_int_equal(t->report->verdict.kind, cases[i].want);
		assert_int_equal(ok, cases[i].want == MG_VERDICT_CONTINUE);
		if (cases[i].want_reason)
			assert_non_null(strstr(t->report->verdict.reason, cases[i].want_reason));
		assert_string_equal(scan_member(t, "output"),
				    cases[i].want == MG_VERDICT_CONTINUE ? "clean" : "infected");
		mg_txn_free(t);
	}
	mg_conn_free(c);
	mg_config_unref(cfg);
}

/* Issue 15: a rebuilt part past spool_memory_max is held by the new tree
 * as a stream onto a spool file, not as bytes in memory, and the output
 * scan reads it from there (the signature sits in a base64 part, so only
 * the scan of the decoded leaf can find it).  A spool that cannot be
 * written is on_error (451), never a delivery. */
static GMimeObject *spool_part(struct mg_txn *t, gsize len, gboolean signed_)
{
	struct mg_leaf leaf = {.t = t, .path = "2"};
	GByteArray *b = g_byte_array_new();
	for (gsize i = 0; i < len; i++)
		g_byte_array_append(b, (const guint8 *)"\0\1\2\3\4\5\6\7", 1);
	if (signed_)
		g_byte_array_append(b, (const guint8 *)"CLAMAV-TEST-STRING-NOT-EICAR", 28);
	GMimeObject *o = mg_leaf_new_part(&leaf, "application/octet-stream", "rebuilt.bin", b->data, b->len);
	g_byte_array_unref(b);
	return o;
}

static gboolean part_in_memory(GMimeObject *o)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
	return GMIME_IS_STREAM_MEM(g_mime_data_wrapper_get_stream(w));
}

static void test_output_spooled(void **state)
{
	struct mg_config *cfg = cfg_for(db_dir, "spool_memory_max = 4K\n");
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	for (int i = 0; i < 2; i++) {
		struct mg_txn *t = bare_txn(c, cfg);
		t->new_top = spool_part(t, 12000, i == 1);
		assert_non_null(t->new_top);
		assert_false(part_in_memory(t->new_top));
		assert_true(GMIME_IS_STREAM_FS(
			g_mime_data_wrapper_get_stream(g_mime_part_get_content(GMIME_PART(t->new_top)))));
		assert_true(mg_mime_write(t));
		assert_int_equal(mg_scan_output_step(t), i == 0);
		assert_int_equal(t->report->verdict.kind, i == 0 ? MG_VERDICT_CONTINUE : MG_VERDICT_REJECT);
		if (i == 1)
			assert_non_null(strstr(t->report->verdict.reason, "Mugaika-Test-String"));
		mg_txn_free(t);
	}
	struct mg_txn *t = bare_txn(c, cfg); /* at or under the threshold: in memory as before */
	GMimeObject *small = spool_part(t, 4096, FALSE);
	assert_true(part_in_memory(small));
	g_object_unref(small);
	mg_txn_free(t);
	mg_config_unref(cfg);
	cfg = cfg_for(db_dir, "spool_memory_max = 4K\nspool_dir = /nonexistent/mugaika-spool\n");
	t = bare_txn(c, cfg);
	assert_null(spool_part(t, 12000, FALSE));
	assert_int_equal(t->report->verdict.kind, MG_VERDICT_TEMPFAIL);
	assert_string_equal(t->report->verdict.code, "451");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

/* libclamav without libclamunrar passes RAR as clean, unopened: unscannable. */
static void test_rar_without_unrar(void **state)
{
	static const char rar[] = "Rar!\x1a\x07\x00\xcf\x90\x73\x00\x00\x0d\x00\x00\x00\x00\x00\x00\x00"
				  "not really an archive body, but typed as RAR by its magic";
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	for (int round = 0; round < 2; round++) { /* the second scan must not hit a "clean" cache */
		struct mg_txn *t = bare_txn(c, cfg);
		char *why = NULL;
		enum mg_scan_result got = mg_scan_buffer(t, rar, sizeof rar - 1, "a.rar", NULL, &why);
		print_message("rar (unrar %s) -> %d %s\n", mg_scan_have_unrar() ? "present" : "absent", got,
			      why ? why : "");
		assert_int_equal(got, mg_scan_have_unrar() ? MG_SCAN_CLEAN : MG_SCAN_UNSCANNABLE);
		g_free(why);
		mg_txn_free(t);
	}
	mg_conn_free(c);
	mg_config_unref(cfg);
}

static char *new_dir(const char *name)
{
	char *d = g_build_filename(tmp_dir, name, NULL);
	g_mkdir_with_parents(d, 0700);
	return d;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);
	assert_true(g_file_set_contents(p, text, -1, NULL));
	g_free(p);
}

static enum mg_verdict_kind verdict_of(const char *dir, enum builder b, char **code)
{
	struct mg_config *cfg = cfg_for(dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	char *msg = build(b);
	struct mg_txn *t = feed(c, cfg, msg);
	enum mg_verdict_kind k = t->report->verdict.kind;
	if (code)
		*code = g_strdup_printf("%s %s %s", t->report->verdict.code, t->report->verdict.ecode,
					t->report->verdict.rule);
	mg_txn_free(t);
	mg_conn_free(c);
	g_free(msg);
	mg_config_unref(cfg);
	return k;
}

static void test_corrupt_reload_keeps_engine(void **state)
{
	const char *bad[][2] = {
		{"bad.hdb", "this is not a signature line\n"},
		{"bad.ndb", "Name:0:*:zz-not-hex\n"},
		{"daily.cvd", "ClamAV-VDB:garbage header that is much too short"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *dir = new_dir(bad[i][0]);
		write_file(dir, bad[i][0], bad[i][1]);
		GError *err = NULL;
		struct mg_config *cfg = cfg_for(dir, NULL);
		assert_false(mg_scan_reload(cfg, &err));
		assert_non_null(err);
		print_message("corrupt %s: %s\n", bad[i][0], err->message);
		assert_non_null(strstr(err->message, "keeping the engine in force"));
		g_error_free(err);
		mg_config_unref(cfg);
		/* the old engine still finds EICAR */
		assert_int_equal(verdict_of(db_dir, B_EICAR_ZIP, NULL), MG_VERDICT_REJECT);
		g_free(dir);
	}
}

/* Image fuzzy hashing only when the loaded database can use it (issue 15):
 * off for the test database (hash and body signatures), on with a logical
 * signature that has a fuzzy_img subsignature, on with a signature
 * container mugaika does not open. */
static gboolean engine_hashes_images(void)
{
	struct mg_scan_engine *e = mg_scan_engine_get();
	assert_non_null(e);
	gboolean on = (e->opts.parse & CL_SCAN_PARSE_IMAGE_FUZZY_HASH) != 0;
	mg_scan_engine_unref(e);
	return on;
}

static void test_fuzzy_hash_from_database(void **state)
{
	load_engine(db_dir, NULL);
	assert_false(engine_hashes_images());
	char *dir = new_dir("fuzzy");
	run_mkclamdb(dir);
	write_file(dir, "img.ldb", "Mugaika.Test.FuzzyImg;Engine:150-255,Target:0;0;fuzzy_img#af2ad01ed42993c7#0\n");
	load_engine(dir, NULL);
	assert_true(engine_hashes_images());
	assert_int_equal(verdict_of(dir, B_EICAR_ZIP, NULL), MG_VERDICT_REJECT);
	load_engine(db_dir, NULL);
	assert_false(engine_hashes_images());
	g_free(dir);
}

static void test_inflight_keeps_engine(void **state)
{
	char *only_ndb = new_dir("only-ndb");
	write_file(only_ndb, "x.ndb", "Other-Sig:0:*:6d7567616b612d6f6e6c792d6e6462\n");
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	struct mg_conn *c = mg_conn_new(NULL, NULL);
	struct mg_txn *old = bare_txn(c, cfg);
	assert_int_equal(mg_scan_buffer(old, "hello", 5, "first", NULL, NULL), MG_SCAN_CLEAN); /* takes engine A */
	load_engine(only_ndb, NULL);                                                           /* B: no EICAR */
	struct mg_txn *young = bare_txn(c, cfg);
	assert_int_equal(mg_scan_buffer(old, eicar, 68, "e", NULL, NULL), MG_SCAN_INFECTED);
	assert_int_equal(mg_scan_buffer(young, eicar, 68, "e", NULL, NULL), MG_SCAN_CLEAN);
	mg_txn_free(old); /* engine A freed here */
	mg_txn_free(young);
	load_engine(db_dir, NULL);
	struct mg_txn *again = bare_txn(c, cfg);
	assert_int_equal(mg_scan_buffer(again, eicar, 68, "e", NULL, NULL), MG_SCAN_INFECTED);
	mg_txn_free(again);
	mg_conn_free(c);
	mg_config_unref(cfg);
	g_free(only_ndb);
}

static void set_age(const char *dir, gint64 seconds)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	struct utimbuf ut;
	ut.actime = ut.modtime = (time_t)(g_get_real_time() / G_USEC_PER_SEC - seconds);
	while ((name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		assert_int_equal(utime(p, &ut), 0);
		g_free(p);
	}
	g_dir_close(d);
}

static void test_database_age(void **state)
{
	const struct {
		gint64 age;
		enum mg_verdict_kind want;
		const char *want_code;
	} cases[] = {
		{3600, MG_VERDICT_ACCEPT, "250 2.0.0 sanitized"},
		{3 * 86400, MG_VERDICT_ACCEPT, "250 2.0.0 sanitized"}, /* past warn age: logged only */
		{8 * 86400, MG_VERDICT_TEMPFAIL, "451 4.3.0 scan-db-too-old"},
		{400 * 86400, MG_VERDICT_TEMPFAIL, "451 4.3.0 scan-db-too-old"},
	};
	char *dir = new_dir("aged");
	run_mkclamdb(dir);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		set_age(dir, cases[i].age);
		load_engine(dir, NULL);
		char *code = NULL;
		assert_int_equal(verdict_of(dir, B_CLEAN, &code), cases[i].want);
		print_message("age %" G_GINT64_FORMAT "s -> %s\n", cases[i].age, code);
		assert_string_equal(code, cases[i].want_code);
		g_free(code);
	}
	load_engine(db_dir, NULL);
	g_free(dir);
}

static void test_no_database(void **state)
{
	char *dir = new_dir("empty");
	GError *err = NULL;
	mg_scan_global_shutdown();
	struct mg_config *strict = cfg_for(dir, NULL);
	assert_false(mg_scan_global_init(strict, &err));
	print_message("no database: %s\n", err->message);
	assert_non_null(strstr(err->message, "refusing to start"));
	g_clear_error(&err);
	struct mg_config *degraded = cfg_for(dir, "scan_allow_degraded = yes\n");
	assert_true(mg_scan_global_init(degraded, &err));
	char *code = NULL;
	assert_int_equal(verdict_of(dir, B_CLEAN, &code), MG_VERDICT_TEMPFAIL);
	assert_string_equal(code, "451 4.3.0 scan-degraded");
	g_free(code);
	assert_false(mg_scan_check_database()); /* still nothing there */
	run_mkclamdb(dir);                      /* the database arrives */
	assert_true(mg_scan_check_database());
	assert_int_equal(verdict_of(dir, B_CLEAN, NULL), MG_VERDICT_ACCEPT);
	assert_int_equal(verdict_of(dir, B_EICAR_ZIP, NULL), MG_VERDICT_REJECT);
	mg_config_unref(strict);
	mg_config_unref(degraded);
	mg_scan_global_shutdown();
	struct mg_config *good = cfg_for(db_dir, NULL);
	assert_true(mg_scan_global_init(good, NULL));
	mg_config_unref(good);
	g_free(dir);
}

static void test_directory_change(void **state)
{
	char *dir = new_dir("watched");
	run_mkclamdb(dir);
	load_engine(dir, NULL);
	assert_false(mg_scan_check_database());
	assert_int_equal(verdict_of(dir, B_CLEAN, NULL), MG_VERDICT_ACCEPT);
	/* a new signature that matches the clean message's text */
	write_file(dir, "new.ndb", "Now-Detected:0:*:48656c6c6f2c2074686973206d657373616765\n");
	assert_true(mg_scan_check_database());
	assert_int_equal(verdict_of(dir, B_CLEAN, NULL), MG_VERDICT_REJECT);
	/* a broken update is refused: the engine in force stays */
	write_file(dir, "broken.hdb", "garbage\n");
	assert_false(mg_scan_check_database());
	assert_int_equal(verdict_of(dir, B_CLEAN, NULL), MG_VERDICT_REJECT);
	load_engine(db_dir, NULL);
	g_free(dir);
}

static void test_config_rows(void **state)
{
	const struct {
		const char *text;
		gboolean ok;
	} cases[] = {
		{"scan_db_warn_age = 3d\nscan_db_max_age = 2d\n", FALSE},
		{"scan_db_warn_age = 1d\nscan_db_max_age = 2d\n", TRUE},
		{"scan_on_infected = delete\n", FALSE},
		{"scan_on_unscannable = tempfail\n", TRUE},
		{"scan_max_recursion = 0\n", FALSE},
		{"scan_max_time = 2m\n", TRUE},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *err = NULL;
		struct mg_config *cfg = mg_config_parse("t", cases[i].text, strlen(cases[i].text), &err);
		assert_int_equal(cfg != NULL, cases[i].ok);
		g_clear_error(&err);
		mg_config_unref(cfg);
	}
}

/* ---- reload under load: every message gets its verdict ---- */

#define LOAD_THREADS 4
#define LOAD_MSGS    24

static gpointer load_worker(gpointer arg)
{
	gint *wrong = arg;
	char *clean = build(B_CLEAN), *dirty = build(B_EICAR_ZIP);
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	for (int i = 0; i < LOAD_MSGS; i++) {
		struct mg_conn *c = mg_conn_new(NULL, NULL);
		struct mg_txn *t = feed(c, cfg, i % 2 ? dirty : clean);
		enum mg_verdict_kind want = i % 2 ? MG_VERDICT_REJECT : MG_VERDICT_ACCEPT;
		if (t->report->verdict.kind != want)
			g_atomic_int_inc(wrong);
		mg_txn_free(t);
		mg_conn_free(c);
	}
	mg_config_unref(cfg);
	g_free(clean);
	g_free(dirty);
	return NULL;
}

static void test_reload_under_load(void **state)
{
	gint wrong = 0;
	GThread *th[LOAD_THREADS];
	for (int i = 0; i < LOAD_THREADS; i++)
		th[i] = g_thread_new("load", load_worker, &wrong);
	for (int i = 0; i < 8; i++) {
		load_engine(db_dir, NULL);
		g_usleep(20000);
	}
	for (int i = 0; i < LOAD_THREADS; i++)
		g_thread_join(th[i]);
	assert_int_equal(wrong, 0);
}

/* ---- setup ---- */

static int group_setup(void **state)
{
	GError *err = NULL;
	mg_pipeline_global_init();
	mg_log_set_level(g_getenv("MG_TEST_VERBOSE") ? MG_LOG_DEBUG : MG_LOG_ERR);
	build_eicar();
	tmp_dir = g_dir_make_tmp("test_scan.XXXXXX", &err);
	if (!tmp_dir)
		return -1;
	db_dir = g_build_filename(tmp_dir, "db", NULL);
	run_mkclamdb(db_dir);
	struct mg_config *cfg = cfg_for(db_dir, NULL);
	gboolean ok = mg_scan_global_init(cfg, &err);
	mg_config_unref(cfg);
	if (!ok)
		fprintf(stderr, "scan init: %s\n", err->message);
	return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
	mg_scan_global_shutdown();
	char *argv[] = {"rm", "-rf", tmp_dir, NULL};
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	g_free(tmp_dir);
	g_free(db_dir);
	mg_pipeline_global_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_rows),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_buffer),
		cmocka_unit_test(test_buffer_repeats),
		cmocka_unit_test(test_fuzzy_hash_from_database),
		cmocka_unit_test(test_output_step),
		cmocka_unit_test(test_output_spooled),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_rar_without_unrar),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_corrupt_reload_keeps_engine),
		cmocka_unit_test(test_inflight_keeps_engine),
		cmocka_unit_test(test_database_age),
		cmocka_unit_test(test_directory_change),
		cmocka_unit_test(test_no_database),
		cmocka_unit_test(test_reload_under_load),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
