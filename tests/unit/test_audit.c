/*
 * test_audit.c - the keyed, sealed audit log (issues 7, 17, 11 item 4,
 * 14 item 5): append and verify; a changed, removed, reordered, inserted,
 * re-MAC'ed or cut record is named at the right line; rotation by `mv`
 * links the files and a missing or foreign file breaks the link; seals
 * carry the count and last MAC; a short write or a full disk leaves the
 * file whole; a torn tail is repaired and recorded; legacy (unkeyed) lines
 * are still checked; the key file's permissions; concurrent writers;
 * times in log_timezone whatever the host's zone; administrator dates.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_pipeline.h"

static char *tmpdir;
static char *keyfile;

static char *tmp_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static char *fresh(const char *name)
{
	char *p = tmp_path(name), *h = g_strconcat(p, ".head", NULL);
	unlink(p);
	unlink(h);
	g_free(h);
	mg_audit_close_all();
	return p;
}

static void append_n(const char *path, int n, const char *tag)
{
	for (int i = 0; i < n; i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "type", "message");
		json_object_set_string_member(o, "tag", tag);
		json_object_set_int_member(o, "n", i);
		mg_json_set_str(o, "subject", "件名 \"quoted\" \\ back");
		GError *err = NULL;
		assert_true(mg_audit_append(path, o, &err));
		assert_null(err);
		json_object_unref(o);
	}
}

static char **read_lines(const char *path)
{
	char *text = NULL;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	return lines; /* last element is "" after the final newline */
}

static void write_lines(const char *path, char **lines)
{
	char *text = g_strjoinv("\n", lines);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
}

/* Verify a list of files with the installed keys: TRUE intact; the result
 * of the file named `which` (or the first broken one) in *line / *why. */
static gboolean check(char **paths, gboolean seal, guint64 *line, char **why)
{
	struct mg_audit_keys *k = mg_audit_keys_get();
	gboolean intact = FALSE;
	GPtrArray *r = mg_audit_verify_files(paths, k, seal, &intact);
	*line = 0;
	for (guint i = 0; i < r->len; i++) {
		const struct mg_audit_vfile *f = r->pdata[i];
		if (!f->intact && !f->skipped) {
			*line = f->bad_line;
			if (why)
				*why = g_strdup_printf("%s: %s", f->path, f->why);
			break;
		}
	}
	g_ptr_array_unref(r);
	mg_audit_keys_unref(k);
	return intact;
}

/* Re-MAC a line under a key the attacker made up. */
static char *remac_foreign(const char *line)
{
	char *cut = strstr(line, ",\"mac\":\"");
	GString *canon = g_string_new_len(line, cut - line);
	g_string_append_c(canon, '}');
	char *h = g_compute_hmac_for_string(G_CHECKSUM_SHA256, (const guchar *)"guess", 5, canon->str, canon->len);
	g_string_truncate(canon, canon->len - 1);
	g_string_append_printf(canon, ",\"mac\":\"%s\"}", h);
	g_free(h);
	return g_string_free(canon, FALSE);
}

/* Tamperings of a 4-record file; each returns the line verify must name. */
static guint64 t_edit(char **l)
{
	char *p = strstr(l[1], "\"n\":1");
	p[4] = '7';
	return 2;
}
static guint64 t_delete(char **l)
{
	g_free(l[1]);
	memmove(&l[1], &l[2], sizeof(char *) * (g_strv_length(l) - 1));
	return 2;
}
static guint64 t_swap(char **l)
{
	char *x = l[1];
	l[1] = l[2];
	l[2] = x;
	return 2;
}
static guint64 t_forged_first(char **l)
{
	g_free(l[0]);
	l[0] = g_strdup_printf("{\"type\":\"message\",\"seq\":1,\"key\":\"x\",\"prev_mac\":\"%s\",\"mac\":\"%064d\"}",
			       MG_AUDIT_GENESIS, 0);
	return 1;
}
static guint64 t_remac(char **l)
{
	char *p = strstr(l[1], "\"n\":1");
	p[4] = '8';
	char *n = remac_foreign(l[1]);
	g_free(l[1]);
	l[1] = n;
	return 2; /* without the key the MAC cannot be made to match */
}
static guint64 t_cut_last(char **l)
{
	l[3][strlen(l[3]) - 20] = '\0'; /* the last line loses its end and its newline */
	g_free(l[4]);
	l[4] = NULL;
	return 4;
}

static void test_chain_tamper(void **state)
{
	static const struct {
		const char *name;
		guint64 (*tamper)(char **lines);
	} rows[] = {
		{"edited value", t_edit},         {"deleted record", t_delete},
		{"swapped records", t_swap},      {"forged first record", t_forged_first},
		{"edited and re-MACed", t_remac}, {"cut last line", t_cut_last},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *path = fresh("chain.log"), *paths[] = {path, NULL}, *why = NULL;
		guint64 line = 0;
		append_n(path, 4, rows[i].name);
		assert_true(check(paths, FALSE, &line, NULL));
		char **lines = read_lines(path);
		guint64 want = rows[i].tamper(lines);
		write_lines(path, lines);
		g_strfreev(lines);
		gboolean got = check(paths, FALSE, &line, &why);
		print_message("%s: line %" G_GUINT64_FORMAT ": %s\n", rows[i].name, line, why ? why : "(intact)");
		assert_false(got);
		assert_int_equal(line, want);
		g_free(why);
		g_free(path);
	}
}

/* `mv audit.log audit.log.1`: the next record continues the chain in a new
 * file; verify proves the link in either order of the arguments. */
static void test_rotation_links(void **state)
{
	char *path = fresh("rot.log"), *old = tmp_path("rot.log.1"), *why = NULL;
	guint64 line = 0;
	append_n(path, 3, "before");
	mg_audit_close_all(); /* as logrotate runs between two processes that write */
	assert_int_equal(rename(path, old), 0);
	append_n(path, 2, "after");
	char *both[] = {path, old, NULL}, *alone[] = {path, NULL};
	assert_true(check(both, FALSE, &line, NULL));
	char **l = read_lines(path);
	assert_non_null(strstr(l[0], "\"seq\":4,"));
	g_strfreev(l);
	assert_true(check(alone, FALSE, &line, NULL)); /* intact, link unproven (a note) */

	/* a record removed from the end of the rotated file breaks the link */
	char **lo = read_lines(old);
	g_free(lo[2]);
	lo[2] = g_strdup("");
	g_free(lo[3]);
	lo[3] = NULL;
	write_lines(old, lo);
	g_strfreev(lo);
	assert_false(check(both, FALSE, &line, &why));
	print_message("tail of rotated file: %s\n", why);
	assert_non_null(strstr(why, "missing"));
	g_free(why);
	g_free(path);
	g_free(old);
}

/* Losing the head file between rotation and the next record starts a new
 * chain: verify says the files do not belong together. */
static void test_rotation_new_chain(void **state)
{
	char *path = fresh("nc.log"), *old = tmp_path("nc.log.1"), *head = g_strconcat(path, ".head", NULL);
	char *why = NULL, *both[] = {old, path, NULL};
	guint64 line = 0;
	append_n(path, 2, "before");
	assert_int_equal(rename(path, old), 0);
	assert_int_equal(unlink(head), 0);
	mg_audit_close_all();
	append_n(path, 1, "after");
	assert_false(check(both, FALSE, &line, &why));
	print_message("%s\n", why);
	assert_non_null(strstr(why, "new chain"));
	g_free(why);
	g_free(path);
	g_free(old);
	g_free(head);
}

/* The writer that holds the rotated file open seals it before moving on. */
static void test_rotation_seal(void **state)
{
	char *path = fresh("rs.log"), *old = tmp_path("rs.log.1"), *both[] = {path, old, NULL};
	guint64 line = 0;
	append_n(path, 2, "before"); /* this process keeps rs.log open */
	assert_int_equal(rename(path, old), 0);
	append_n(path, 1, "after");
	char **l = read_lines(old);
	assert_int_equal(g_strv_length(l), 4); /* 2 records, the seal, "" */
	assert_non_null(strstr(l[2], "\"type\":\"seal\""));
	assert_non_null(strstr(l[2], "\"reason\":\"rotate\""));
	assert_non_null(strstr(l[2], "\"file_records\":2"));
	g_strfreev(l);
	assert_true(check(both, FALSE, &line, NULL));
	g_free(path);
	g_free(old);
}

/* A seal at stop: its count and last MAC are checked; removing the tail
 * together with the seal is caught by --require-seal. */
static void test_seal_stop(void **state)
{
	char *path = fresh("seal.log"), *paths[] = {path, NULL}, *why = NULL;
	guint64 line = 0;
	GError *err = NULL;
	append_n(path, 3, "x");
	assert_true(mg_audit_seal(path, "stop", &err));
	gboolean ok = check(paths, TRUE, &line, &why);
	print_message("%s\n", why ? why : "sealed and intact");
	assert_true(ok);
	char **l = read_lines(path);
	char *p = strstr(l[3], "\"file_records\":3");
	assert_non_null(p);
	p[16] = '2'; /* a forged count is also a changed record */
	char *n = remac_foreign(l[3]);
	g_free(l[3]);
	l[3] = n;
	write_lines(path, l);
	assert_false(check(paths, TRUE, &line, &why));
	assert_int_equal(line, 4);
	g_free(why);
	why = NULL;
	for (int i = 2; i < 5; i++) /* seal and one record removed */
		g_free(l[i]);
	l[2] = g_strdup("");
	l[3] = NULL;
	write_lines(path, l);
	g_strfreev(l);
	assert_true(check(paths, FALSE, &line, NULL));
	assert_false(check(paths, TRUE, &line, &why));
	assert_non_null(strstr(why, "not sealed"));
	g_free(why);
	g_free(path);
}

/* Records removed from the end of the live file are found by the next
 * append (the head file remembers the last seq) and stay on record. */
static void test_tail_removed_live(void **state)
{
	char *path = fresh("live.log"), *paths[] = {path, NULL}, *why = NULL;
	guint64 line = 0;
	append_n(path, 4, "x");
	char **l = read_lines(path);
	for (int i = 2; i < 5; i++)
		g_free(l[i]);
	l[2] = g_strdup("");
	l[3] = NULL;
	write_lines(path, l);
	g_strfreev(l);
	append_n(path, 1, "y");
	l = read_lines(path);
	assert_non_null(strstr(l[2], "\"type\":\"repair\""));
	assert_non_null(strstr(l[2], "\"reason\":\"tail-missing\""));
	g_strfreev(l);
	assert_false(check(paths, FALSE, &line, &why));
	print_message("%s\n", why);
	assert_int_equal(line, 3);
	assert_non_null(strstr(why, "missing"));
	g_free(why);
	g_free(path);
}

/* A writer that died in mid-record: the next append removes the partial
 * line, records how much, and the chain verifies. */
static void test_torn_tail_repaired(void **state)
{
	char *path = fresh("torn.log"), *paths[] = {path, NULL};
	guint64 line = 0;
	append_n(path, 2, "torn");
	FILE *f = fopen(path, "a");
	static const char half[] = "{\"type\":\"message\",\"half";
	fputs(half, f);
	fclose(f);
	mg_audit_close_all(); /* a new process */
	append_n(path, 1, "after");
	char **l = read_lines(path);
	assert_non_null(strstr(l[2], "\"reason\":\"torn-tail\""));
	char *want = g_strdup_printf("\"removed_bytes\":%zu", strlen(half));
	assert_non_null(strstr(l[2], want));
	g_free(want);
	g_strfreev(l);
	assert_true(check(paths, FALSE, &line, NULL));
	g_free(path);
}

/* Disk full in mid-record (issue 11 item 4): RLIMIT_FSIZE makes write(2)
 * short, then EFBIG, as a full disk would; the file keeps only whole
 * records and the chain goes on once there is room. */
static void test_short_write(void **state)
{
	char *path = fresh("full.log"), *paths[] = {path, NULL};
	guint64 line = 0;
	append_n(path, 2, "room");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the limit applies to this child only */
		struct rlimit rl = {(rlim_t)st.st_size + 100, (rlim_t)st.st_size + 100};
		signal(SIGXFSZ, SIG_IGN);
		GError *err = NULL;
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "type", "message");
		json_object_set_string_member(o, "big", "a record longer than the hundred bytes that are left on disk");
		gboolean ok = setrlimit(RLIMIT_FSIZE, &rl) == 0 && !mg_audit_append(path, o, &err) && err &&
			      strstr(err->message, "cut back");
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct stat after;
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, st.st_size); /* nothing of the failed record */
	append_n(path, 1, "room again");
	assert_true(check(paths, FALSE, &line, NULL));
	g_free(path);
}

/* ENOSPC after part of the record, through the writer's write seam. */
static int enospc_after;
static ssize_t write_enospc(int fd, const void *buf, size_t n)
{
	if (enospc_after <= 0) {
		errno = ENOSPC;
		return -1;
	}
	size_t k = MIN(n, (size_t)enospc_after);
	enospc_after -= (int)k;
	return write(fd, buf, k);
}

static void test_enospc(void **state)
{
	char *path = fresh("nospc.log"), *paths[] = {path, NULL};
	guint64 line = 0;
	GError *err = NULL;
	append_n(path, 2, "ok");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	enospc_after = 30;
	mg_audit_test_set_write(write_enospc);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "type", "message");
	assert_false(mg_audit_append(path, o, &err));
	mg_audit_test_set_write(NULL);
	assert_non_null(strstr(err->message, "No space left"));
	g_clear_error(&err);
	struct stat after;
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, st.st_size);
	assert_true(mg_audit_append(path, o, &err));
	json_object_unref(o);
	assert_true(check(paths, FALSE, &line, NULL));
	g_free(path);
}

/* A file of the pre-keyed format goes on with keyed records linked to it. */
static void test_legacy_then_keyed(void **state)
{
	char *path = fresh("legacy.log"), *paths[] = {path, NULL}, *why = NULL;
	guint64 line = 0;
	GString *g = g_string_new(NULL);
	char prev[65];
	g_strlcpy(prev, MG_AUDIT_GENESIS, sizeof prev);
	for (int i = 0; i < 2; i++) {
		char *canon = g_strdup_printf("{\"type\":\"message\",\"n\":%d,\"prev_hash\":\"%s\"}", i, prev);
		char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, canon, -1);
		canon[strlen(canon) - 1] = '\0';
		g_string_append_printf(g, "%s,\"hash\":\"%s\"}\n", canon, h);
		g_strlcpy(prev, h, sizeof prev);
		g_free(h);
		g_free(canon);
	}
	assert_true(g_file_set_contents(path, g->str, -1, NULL));
	g_string_free(g, TRUE);
	append_n(path, 2, "keyed");
	assert_true(check(paths, FALSE, &line, NULL));
	char **l = read_lines(path);
	assert_non_null(strstr(l[2], prev)); /* the first keyed record names the legacy hash */
	char *p = strstr(l[0], "\"n\":0");
	p[4] = '5';
	write_lines(path, l);
	g_strfreev(l);
	assert_false(check(paths, FALSE, &line, &why));
	assert_int_equal(line, 1);
	g_free(why);
	g_free(path);
}

/* Key rotation: old records verify with the old key, new ones are signed
 * with the new one; a key missing from the file is named. */
static void test_key_rotation(void **state)
{
	char *path = fresh("keys.log"), *paths[] = {path, NULL}, *why = NULL;
	char *kf = tmp_path("rotate.key"), *id = NULL;
	guint64 line = 0;
	GError *err = NULL;
	unlink(kf);
	assert_true(mg_audit_key_generate(kf, FALSE, &id, &err));
	struct mg_audit_keys *k1 = mg_audit_keys_load(kf, &err);
	mg_audit_use_keys(k1);
	append_n(path, 2, "k1");
	assert_true(mg_audit_key_generate(kf, TRUE, NULL, &err));
	struct mg_audit_keys *k2 = mg_audit_keys_load(kf, &err);
	assert_string_not_equal(mg_audit_keys_current_id(k2), id);
	mg_audit_use_keys(k2);
	append_n(path, 2, "k2");
	assert_true(check(paths, FALSE, &line, NULL));
	char **l = read_lines(path);
	assert_non_null(strstr(l[0], id));
	assert_non_null(strstr(l[3], mg_audit_keys_current_id(k2)));
	g_strfreev(l);
	mg_audit_use_keys(k1); /* a key file without the newer key */
	assert_false(check(paths, FALSE, &line, &why));
	assert_int_equal(line, 3);
	assert_non_null(strstr(why, "not in the key file"));
	g_free(why);
	mg_audit_keys_unref(k1);
	mg_audit_keys_unref(k2);
	struct mg_audit_keys *k = mg_audit_keys_load(keyfile, &err);
	mg_audit_use_keys(k);
	mg_audit_keys_unref(k);
	g_free(id);
	g_free(kf);
	g_free(path);
}

/* The key file must be secret and well formed. */
static void test_key_file(void **state)
{
	char *kf = tmp_path("perm.key");
	GError *err = NULL;
	unlink(kf);
	assert_true(mg_audit_key_generate(kf, FALSE, NULL, &err));
	assert_false(mg_audit_key_generate(kf, FALSE, NULL, &err)); /* exists */
	assert_non_null(strstr(err->message, "rotate"));
	g_clear_error(&err);
	assert_int_equal(chmod(kf, 0644), 0);
	assert_null(mg_audit_keys_load(kf, &err));
	assert_non_null(strstr(err->message, "0644"));
	g_clear_error(&err);
	assert_int_equal(chmod(kf, 0640), 0);
	struct mg_audit_keys *k = mg_audit_keys_load(kf, &err);
	assert_non_null(k);
	mg_audit_keys_unref(k);
	static const char *bad[] = {"k1 2026 abcd\n", "k1 2026\n", "bad/id 2026 " MG_AUDIT_GENESIS "\n",
				    "k1 x " MG_AUDIT_GENESIS "\nk1 y " MG_AUDIT_GENESIS "\n", "# only a comment\n"};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_true(g_file_set_contents(kf, bad[i], -1, NULL));
		assert_int_equal(chmod(kf, 0600), 0);
		assert_null(mg_audit_keys_load(kf, &err));
		print_message("%s", err->message);
		assert_non_null(strstr(err->message, kf));
		g_clear_error(&err);
	}
	g_free(kf);
}

/* A record longer than the writer's read block still chains. */
static void test_long_records(void **state)
{
	char *path = fresh("long.log"), *paths[] = {path, NULL};
	guint64 line = 0;
	char *big = g_strnfill(200000, 'x');
	for (int i = 0; i < 3; i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "big", big);
		assert_true(mg_audit_append(path, o, NULL));
		json_object_unref(o);
		mg_audit_close_all(); /* each append reads the long tail again */
		append_n(path, 1, "short");
	}
	assert_true(check(paths, FALSE, &line, NULL));
	g_free(big);
	g_free(path);
}

static void test_unreadable(void **state)
{
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	GError *err = NULL;
	assert_false(mg_audit_verify("/nonexistent/audit.log", &n_ok, &bad, &why, &err));
	assert_non_null(err);
	g_clear_error(&err);
	char *path = g_build_filename(tmpdir, "nodir", "x", "audit.log", NULL);
	JsonObject *o = json_object_new();
	assert_false(mg_audit_append(path, o, &err));
	assert_non_null(strstr(err->message, path)); /* the error names the file */
	g_clear_error(&err);
	mg_audit_use_keys(NULL);
	char *nokey = tmp_path("nokey.log");
	assert_false(mg_audit_append(nokey, o, &err)); /* no key, no record */
	g_free(nokey);
	assert_non_null(strstr(err->message, "no audit key"));
	g_clear_error(&err);
	struct mg_audit_keys *k = mg_audit_keys_load(keyfile, &err);
	mg_audit_use_keys(k);
	mg_audit_keys_unref(k);
	json_object_unref(o);
	g_free(path);
}

struct writer {
	const char *path;
	int n;
};

static gpointer writer_thread(gpointer data)
{
	struct writer *w = data;
	append_n(w->path, w->n, "thread");
	return NULL;
}

/* Threads of this process and other processes append to one file. */
static void test_concurrent(void **state)
{
	char *path = fresh("threads.log"), *paths[] = {path, NULL};
	guint64 line = 0, n = 0, bad = 0;
	char *why = NULL;
	struct writer w = {path, 30};
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			mg_audit_close_all();
			append_n(path, 30, "process");
			_exit(0);
		}
	}
	GThread *th[3];
	for (int i = 0; i < 3; i++)
		th[i] = g_thread_new("w", writer_thread, &w);
	for (int i = 0; i < 3; i++)
		g_thread_join(th[i]);
	for (int i = 0; i < 2; i++) {
		int status = 0;
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_int_equal(status, 0);
	}
	assert_true(check(paths, FALSE, &line, NULL));
	assert_true(mg_audit_verify(path, &n, &bad, &why, NULL));
	assert_int_equal(n, 150);
	g_free(path);
}

/* Times carry the configured offset whatever TZ says (main sets New York). */
static void test_times(void **state)
{
	gint64 us = G_GINT64_CONSTANT(1795950123123456); /* 2026-11-29T11:02:03.123456Z */
	char *s = mg_audit_time_iso(us);
	assert_string_equal(s, "2026-11-29T20:02:03.123+09:00");
	gint64 back = 0;
	assert_true(mg_audit_time_parse(s, &back));
	assert_int_equal(back, us - 456);
	g_free(s);
	static const struct {
		const char *tz;
		int off;
		const char *want;
	} rows[] = {{"Z", 0, "2026-11-29T11:02:03.123+00:00"},
		    {"-05:30", -19800, "2026-11-29T05:32:03.123-05:30"},
		    {"+14:00", 50400, "2026-11-30T01:02:03.123+14:00"}};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		int off = 1;
		assert_true(mg_clock_parse_offset(rows[i].tz, &off));
		assert_int_equal(off, rows[i].off);
		mg_clock_set_offset(off);
		s = mg_audit_time_iso(us);
		assert_string_equal(s, rows[i].want);
		g_free(s);
	}
	mg_clock_set_offset(MG_CLOCK_DEFAULT_OFFSET);
	static const char *bad[] = {"+9:00", "+15:00", "09:00", "+09:60", "JST", "", "+09:00x"};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		int off = 0;
		char *why = NULL;
		assert_false(mg_clock_parse_offset(bad[i], &off));
		assert_false(mg_clock_check_offset(bad[i], &why));
		assert_non_null(why);
		g_free(why);
	}
	struct mg_clock_sync cs;
	mg_clock_sync_read(&cs); /* whatever this host's state, it is described */
	char *d = mg_clock_sync_describe(&cs);
	print_message("clock: %s\n", d);
	assert_true(strstr(d, "synchronized") || strstr(d, "unknown"));
	g_free(d);
}

static void test_dates(void **state)
{
	static const struct {
		const char *in;
		gboolean end_of_day, ok;
		gint64 want_s; /* unix seconds */
	} rows[] = {
		{"2026-11-29", FALSE, TRUE, 1795878000}, /* midnight +09:00 */
		{"2026-11-29", TRUE, TRUE, 1795964400},  /* the next midnight */
		{"2026-11-29T20:02:03+09:00", FALSE, TRUE, 1795950123},
		{"2026-11-29T20:02:03", FALSE, TRUE, 1795950123}, /* log_timezone */
		{"2026-11-29T11:02:03Z", TRUE, TRUE, 1795950123}, /* a time is exact */
		{"2026-02-30", FALSE, FALSE, 0},
		{"2026-13-01", FALSE, FALSE, 0},
		{"2026-1-1", FALSE, FALSE, 0},
		{"2026-11-29x", FALSE, FALSE, 0},
		{"yesterday", FALSE, FALSE, 0},
		{"", FALSE, FALSE, 0},
		{"2026-11-29T25:00:00", FALSE, FALSE, 0},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		gint64 got = 0;
		GError *err = NULL;
		gboolean ok = mg_audit_parse_date(rows[i].in, rows[i].end_of_day, &got, &err);
		print_message("%s -> %d %" G_GINT64_FORMAT "\n", rows[i].in, ok, got / G_USEC_PER_SEC);
		assert_int_equal(ok, rows[i].ok);
		if (ok)
			assert_int_equal(got, rows[i].want_s * G_USEC_PER_SEC);
		else {
			assert_non_null(err);
			assert_non_null(strstr(err->message, rows[i].in)); /* names the text */
			g_error_free(err);
		}
	}
}

int main(void)
{
	mg_pipeline_global_init();                /* the stages' configuration hooks */
	g_setenv("TZ", "America/New_York", TRUE); /* the logs must not care */
	tzset();
	tmpdir = g_dir_make_tmp("mg_audit_XXXXXX", NULL);
	keyfile = tmp_path("audit.key");
	GError *err = NULL;
	struct mg_audit_keys *k = NULL;
	if (!mg_audit_key_generate(keyfile, FALSE, NULL, &err) || !(k = mg_audit_keys_load(keyfile, &err))) {
		fprintf(stderr, "key: %s\n", err->message);
		return 1;
	}
	mg_audit_use_keys(k);
	mg_audit_keys_unref(k);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_tamper),
		cmocka_unit_test(test_rotation_links),
		cmocka_unit_test(test_rotation_new_chain),
		cmocka_unit_test(test_rotation_seal),
		cmocka_unit_test(test_seal_stop),
		cmocka_unit_test(test_tail_removed_live),
		cmocka_unit_test(test_torn_tail_repaired),
		cmocka_unit_test(test_short_write),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_legacy_then_keyed),
		cmocka_unit_test(test_key_rotation),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_long_records),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_dates),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mg_audit_use_keys(NULL);
	mg_audit_close_all();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	g_free(cmd);
	g_free(keyfile);
	g_free(tmpdir);
	return rc;
}
