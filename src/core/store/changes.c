/*
 * changes.c - change accountability (see mg_account.h; F45, F47): who
 * loaded which configuration, what each file's SHA-256 is and how it
 * differs from the copy kept at the previous load; the hashes of the
 * executable and the libraries the process mapped.
 *
 * The diff is GNU diff's unified format (`diff -u`, diffutils is Essential
 * in Debian): no C library for text diffs is packaged, and the admin who
 * reads the log knows that format.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_account.h"
#include "mg_audit.h"
#include "mg_log.h"
#include "mg_sha256.h"

#define CONF_FILE_MAX (16 * 1024 * 1024) /* a configuration file larger than this is hashed, not kept */
#define BINARY_MAX    (512 * 1024 * 1024)

/* ---- who ---- */

static char *user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
		return g_strdup(res->pw_name);
	return g_strdup_printf("uid=%u", (unsigned)uid);
}

static gint64 read_loginuid(const char *proc)
{
	char *p = g_strdup_printf("/proc/%s/loginuid", proc), *text = NULL;
	gint64 v = -1;
	if (g_file_get_contents(p, &text, NULL, NULL)) {
		v = g_ascii_strtoll(text, NULL, 10);
		if (v < 0 || v >= 4294967295LL)
			v = -1; /* unset: a daemon or systemd */
	}
	g_free(text);
	g_free(p);
	return v;
}

void mg_operator_self(struct mg_operator *op)
{
	memset(op, 0, sizeof *op);
	op->uid = getuid();
	op->loginuid = read_loginuid("self");
	const char *sudo = g_getenv("SUDO_USER");
	if (getuid() == 0 && sudo && *sudo)
		op->user = g_strdup(sudo);
	else if (op->loginuid >= 0)
		op->user = user_name((uid_t)op->loginuid);
	else
		op->user = user_name(getuid());
}

void mg_operator_of_pid(struct mg_operator *op, pid_t pid, uid_t uid)
{
	char *p = g_strdup_printf("%d", (int)pid);
	memset(op, 0, sizeof *op);
	op->pid = pid;
	op->uid = uid;
	op->loginuid = pid > 0 ? read_loginuid(p) : -1;
	op->user = user_name(op->loginuid >= 0 ? (uid_t)op->loginuid : uid);
	g_free(p);
}

void mg_operator_clear(struct mg_operator *op)
{
	g_free(op->user);
	memset(op, 0, sizeof *op);
}

static JsonObject *operator_json(const struct mg_operator *op)
{
	JsonObject *o = json_object_new();
	mg_json_set_str(o, "user", op->user);
	json_object_set_int_member(o, "uid", op->uid);
	if (op->loginuid >= 0)
		json_object_set_int_member(o, "loginuid", op->loginuid);
	if (op->pid > 0)
		json_object_set_int_member(o, "pid", op->pid);
	return o;
}

/* ---- what: the files and their diffs ---- */

static GPtrArray *config_files(const struct mg_config *conf, const char *conf_path)
{
	GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
	if (conf_path)
		g_ptr_array_add(f, g_strdup(conf_path));
	const char *more[] = {conf ? conf->policy_replies : NULL, conf ? conf->auto_forward_permit_file : NULL,
			      conf ? conf->notice_template : NULL};
	for (gsize i = 0; i < G_N_ELEMENTS(more); i++)
		if (more[i] && *more[i] && !g_ptr_array_find_with_equal_func(f, more[i], g_str_equal, NULL))
			g_ptr_array_add(f, g_strdup(more[i]));
	return f;
}

static char *history_path(const char *dir, const char *file)
{
	char h[65];
	mg_sha256_hex(file, strlen(file), h);
	char *base = g_path_get_basename(file);
	char *name = g_strdup_printf("%.16s-%s", h, base);
	char *p = g_build_filename(dir, name, NULL);
	g_free(base);
	g_free(name);
	return p;
}

/* `diff -u` of the kept copy and the file now, cut at `max` bytes. */
static char *unified_diff(const char *old, const char *now, const char *label, gint64 max)
{
	char *l1 = g_strdup_printf("%s (previous load)", label), *l2 = g_strdup_printf("%s (this load)", label);
	char *argv[] = {"diff", "-u", "--label", l1, "--label", l2, (char *)old, (char *)now, NULL};
	char *out = NULL;
	gint status = 0;
	GError *err = NULL;
	gboolean ran = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
				    &out, NULL, &status, &err);
	char *res = NULL;
	if (!ran)
		res = g_strdup_printf("(no diff: %s)", err->message);
	else if (out && (gint64)strlen(out) > max)
		res = g_strdup_printf("%.*s\n... (cut at config_diff_max = %" G_GINT64_FORMAT " bytes)", (int)max, out,
				      max);
	else
		res = g_strdup(out ? out : "");
	g_clear_error(&err);
	g_free(out);
	g_free(l1);
	g_free(l2);
	return res;
}

/* Replace the kept copy (temporary file, rename). */
static void keep_copy(const char *copy, const char *text, gsize len)
{
	GError *err = NULL;
	if (!g_file_set_contents_full(copy, text, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0640, &err)) {
		mg_warn(NULL, "configuration history: %s", err->message);
		g_error_free(err);
	}
}

static JsonObject *file_json(const struct mg_config *cfg, const char *path, gboolean remember)
{
	JsonObject *o = json_object_new();
	char *text = NULL, h[65];
	gsize len = 0;
	GError *err = NULL;
	mg_json_set_str(o, "path", path);
	if (!g_file_get_contents(path, &text, &len, &err) || len > CONF_FILE_MAX) {
		mg_json_set_str(o, "error", err ? err->message : "too large");
		g_clear_error(&err);
		g_free(text);
		return o;
	}
	mg_sha256_hex(text, len, h);
	json_object_set_string_member(o, "sha256", h);
	char *copy = remember && *cfg->config_history_dir ? history_path(cfg->config_history_dir, path) : NULL;
	char *before = NULL;
	gsize blen = 0;
	if (copy && g_file_get_contents(copy, &before, &blen, NULL)) {
		gboolean same = blen == len && memcmp(before, text, len) == 0;
		json_object_set_boolean_member(o, "changed", !same);
		if (!same) {
			char *d = unified_diff(copy, path, path, cfg->config_diff_max);
			json_object_set_string_member(o, "diff", d);
			g_free(d);
		}
	} else if (copy)
		json_object_set_string_member(o, "changed", "first load recorded");
	if (copy && (!before || blen != len || memcmp(before, text, len) != 0)) {
		g_mkdir_with_parents(cfg->config_history_dir, 0750);
		keep_copy(copy, text, len);
	}
	g_free(before);
	g_free(copy);
	g_free(text);
	return o;
}

gboolean mg_account_config_event(const struct mg_config *cfg, const struct mg_config *conf, const char *conf_path,
				 const char *event, const struct mg_operator *op, const char *result, gboolean remember)
{
	JsonObject *d = json_object_new();
	JsonArray *files = json_array_new();
	GPtrArray *paths = config_files(conf, conf_path);
	gboolean changed = FALSE;
	for (guint i = 0; i < paths->len; i++) {
		JsonObject *f = file_json(cfg, paths->pdata[i], remember);
		changed |= json_object_has_member(f, "diff");
		json_array_add_object_element(files, f);
	}
	json_object_set_object_member(d, "operator", operator_json(op));
	mg_json_set_str(d, "result", result);
	json_object_set_array_member(d, "files", files);
	gboolean ok = mg_admin_log(cfg, event, d, FALSE);
	json_object_unref(d);
	g_ptr_array_unref(paths);
	return ok && changed;
}

/* ---- the binaries ---- */

static gboolean hash_file(const char *path, char out[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct mg_sha256 h;
	char buf[65536];
	ssize_t n = 0;
	gint64 total = 0;
	if (fd < 0)
		return FALSE;
	mg_sha256_init(&h);
	while ((n = read(fd, buf, sizeof buf)) > 0 && total < BINARY_MAX) {
		mg_sha256_update(&h, buf, (gsize)n);
		total += n;
	}
	close(fd);
	mg_sha256_final_hex(&h, out);
	return n == 0;
}

/* A file replaced since it was mapped shows as "PATH (deleted)": what
 * matters is what is at PATH now (a package upgrade without a restart). */
static void add_binary(JsonArray *a, GHashTable *seen, const char *mapped)
{
	char h[65];
	char *path = mapped ? g_strdup(mapped) : NULL;
	if (path && g_str_has_suffix(path, " (deleted)"))
		path[strlen(path) - strlen(" (deleted)")] = '\0';
	if (!path || path[0] != '/' || g_hash_table_contains(seen, path)) {
		g_free(path);
		return;
	}
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "path", path);
	if (hash_file(path, h))
		json_object_set_string_member(o, "sha256", h);
	else
		json_object_set_string_member(o, "error", g_strerror(errno));
	json_array_add_object_element(a, o);
	g_hash_table_add(seen, path);
}

JsonArray *mg_account_binaries(void)
{
	JsonArray *a = json_array_new();
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *exe = g_file_read_link("/proc/self/exe", NULL), *maps = NULL;
	add_binary(a, seen, exe);
	if (g_file_get_contents("/proc/self/maps", &maps, NULL, NULL)) {
		char **lines = g_strsplit(maps, "\n", -1);
		for (char **l = lines; *l; l++) {
			char perms[8] = "", *path = strchr(*l, '/');
			if (sscanf(*l, "%*s %7s", perms) == 1 && strchr(perms, 'x') && path &&
			    !strstr(path, " (deleted)"))
				add_binary(a, seen, path);
		}
		g_strfreev(lines);
	}
	g_free(maps);
	g_free(exe);
	g_hash_table_unref(seen);
	return a;
}
