/*
 * stopstate.c - the stop switch's state (issue 16 item 6, R10.1-R10.4; see
 * mg_guard.h and docs/outbound-controls.md).
 *
 * The state is a small JSON file (stop_state_file) that `mugaika stop` /
 * `mugaika start` and the daemon's outbreak guard edit: read, change,
 * written to a temporary file in the same directory, fsync, rename, fsync
 * of the directory, all under an flock of the directory (both the root
 * command and the daemon's user can open a directory to lock it; a lock file
 * made by one of them might not be writable by the other).  A missing file is
 * "nothing stopped".  The daemon keeps the parsed state and the file's
 * identity (device, inode, size, mtime) and re-reads the file when the
 * identity changes: mg_stop_current costs one stat() per call.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_json.h"
#include "mg_guard.h"
#include "mg_log.h"

#define STOP_ENTRIES_MAX 10000
#define STOP_FILE_MAX    (4 * 1024 * 1024)

static const char *const scope_names[] = {"in", "out", "all", "sender", "client"};

const char *mg_stop_scope_name(int scope)
{
	return scope >= 0 && scope < (int)G_N_ELEMENTS(scope_names) ? scope_names[scope] : "?";
}

int mg_stop_scope_parse(const char *s)
{
	for (gsize i = 0; s && i < G_N_ELEMENTS(scope_names); i++)
		if (strcmp(s, scope_names[i]) == 0)
			return (int)i;
	return -1;
}

static void entry_free(gpointer p)
{
	struct mg_stop_entry *e = p;
	g_free(e->value);
	g_free(e->since);
	g_free(e->by);
	g_free(e->origin);
	g_free(e->reason);
	g_free(e);
}

/* Local time with its offset, to the second ("2026-12-01T10:00:00+09:00"). */
static char *now_iso(void)
{
	GDateTime *now = g_date_time_new_now_local();
	char *s = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S%:z");
	g_date_time_unref(now);
	return s;
}

struct mg_stop_state *mg_stop_state_new(void)
{
	struct mg_stop_state *s = g_new0(struct mg_stop_state, 1);
	s->refcount = 1;
	s->entries = g_ptr_array_new_with_free_func(entry_free);
	return s;
}

struct mg_stop_state *mg_stop_ref(struct mg_stop_state *s)
{
	g_atomic_int_inc(&s->refcount);
	return s;
}

void mg_stop_unref(struct mg_stop_state *s)
{
	if (s && g_atomic_int_dec_and_test(&s->refcount)) {
		g_ptr_array_unref(s->entries);
		g_free(s);
	}
}

static gboolean has_value(int scope)
{
	return scope == MG_STOP_SENDER || scope == MG_STOP_CLIENT;
}

const struct mg_stop_entry *mg_stop_lookup(const struct mg_stop_state *s, int scope, const char *value)
{
	for (guint i = 0; s && i < s->entries->len; i++) {
		const struct mg_stop_entry *e = s->entries->pdata[i];
		if (e->scope == scope && (!has_value(scope) || g_ascii_strcasecmp(e->value, value ? value : "") == 0))
			return e;
	}
	return NULL;
}

gboolean mg_stop_add(struct mg_stop_state *s, int scope, const char *value, const char *by, const char *origin,
		     const char *reason)
{
	if (mg_stop_lookup(s, scope, value) || s->entries->len >= STOP_ENTRIES_MAX)
		return FALSE;
	struct mg_stop_entry *e = g_new0(struct mg_stop_entry, 1);
	e->scope = scope;
	e->value = has_value(scope) ? g_ascii_strdown(value ? value : "", -1) : NULL;
	e->since = now_iso();
	e->by = g_strdup(by);
	e->origin = g_strdup(origin);
	e->reason = g_strdup(reason);
	g_ptr_array_add(s->entries, e);
	return TRUE;
}

gboolean mg_stop_remove(struct mg_stop_state *s, int scope, const char *value)
{
	for (guint i = 0; i < s->entries->len; i++) {
		const struct mg_stop_entry *e = s->entries->pdata[i];
		if (e->scope == scope && (!has_value(scope) || g_ascii_strcasecmp(e->value, value ? value : "") == 0)) {
			g_ptr_array_remove_index(s->entries, i);
			return TRUE;
		}
	}
	return FALSE;
}

/* ---- JSON ---- */

static JsonObject *entry_to_json(const struct mg_stop_entry *e)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "scope", mg_stop_scope_name(e->scope));
	mg_json_set_str(o, "value", e->value);
	mg_json_set_str(o, "since", e->since);
	mg_json_set_str(o, "by", e->by);
	mg_json_set_str(o, "origin", e->origin);
	mg_json_set_str(o, "reason", e->reason);
	return o;
}

char *mg_stop_to_json(const struct mg_stop_state *s, gboolean pretty)
{
	JsonObject *o = json_object_new();
	JsonArray *a = json_array_new();
	json_object_set_int_member(o, "version", 1);
	for (guint i = 0; i < s->entries->len; i++)
		json_array_add_object_element(a, entry_to_json(s->entries->pdata[i]));
	json_object_set_array_member(o, "stops", a);
	JsonNode *n = json_node_init_object(json_node_alloc(), o);
	char *text = json_to_string(n, pretty);
	json_node_unref(n);
	json_object_unref(o);
	return text;
}

static gboolean entry_from_json(struct mg_stop_state *s, JsonNode *n, char **why)
{
	JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
	int scope = o ? mg_stop_scope_parse(mg_json_get_str(o, "scope")) : -1;
	const char *value = o ? mg_json_get_str(o, "value") : NULL;
	if (scope < 0 || (has_value(scope) && (!value || !*value))) {
		*why = g_strdup("a stop without a valid scope (in|out|all|sender|client) or value");
		return FALSE;
	}
	struct mg_stop_entry *e = g_new0(struct mg_stop_entry, 1);
	e->scope = scope;
	e->value = has_value(scope) ? g_ascii_strdown(value, -1) : NULL;
	e->since = g_strdup(mg_json_get_str(o, "since"));
	e->by = g_strdup(mg_json_get_str(o, "by"));
	e->origin = g_strdup(mg_json_get_str(o, "origin"));
	e->reason = g_strdup(mg_json_get_str(o, "reason"));
	g_ptr_array_add(s->entries, e);
	return TRUE;
}

struct mg_stop_state *mg_stop_parse(const char *name, const char *text, gsize len, GError **err)
{
	JsonParser *p = json_parser_new();
	struct mg_stop_state *s = mg_stop_state_new();
	char *why = NULL;
	JsonNode *root = json_parser_load_from_data(p, text, (gssize)len, NULL) ? json_parser_get_root(p) : NULL;
	JsonObject *o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	JsonNode *an = o ? json_object_get_member(o, "stops") : NULL;
	if (!an || !JSON_NODE_HOLDS_ARRAY(an))
		why = g_strdup("not a stop state (JSON object with a \"stops\" array)");
	JsonArray *a = why ? NULL : json_node_get_array(an);
	for (guint i = 0; a && !why && i < json_array_get_length(a) && i < STOP_ENTRIES_MAX; i++)
		entry_from_json(s, json_array_get_element(a, i), &why);
	if (why) {
		g_set_error(err, MG_GUARD_ERROR, 1, "%s: %s", name, why);
		g_free(why);
		g_clear_pointer(&s, mg_stop_unref);
	}
	g_object_unref(p);
	return s;
}

/* ---- the file ---- */

/* Read the file; a missing file is an empty state. */
static struct mg_stop_state *read_file(const char *path, struct stat *st_out, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			memset(st_out, 0, sizeof *st_out);
			return mg_stop_state_new();
		}
		g_set_error(err, MG_GUARD_ERROR, 1, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (st.st_size > STOP_FILE_MAX) {
		g_set_error(err, MG_GUARD_ERROR, 1, "%s: larger than %d bytes", path, STOP_FILE_MAX);
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, MG_GUARD_ERROR, 1, "%s", e->message);
		g_error_free(e);
		return NULL;
	}
	struct mg_stop_state *s = mg_stop_parse(path, text, len, err);
	g_free(text);
	*st_out = st;
	return s;
}

struct mg_stop_state *mg_stop_read(const char *path, GError **err)
{
	struct stat st;
	return read_file(path, &st, err);
}

static gboolean write_all(int fd, const char *p, gsize n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return FALSE;
		p += w;
		n -= (gsize)w;
	}
	return TRUE;
}

/* Temporary file, fsync, rename, fsync of the directory. */
static gboolean write_atomic(const char *path, int dirfd, const char *text, GError **err)
{
	char *tmp = g_strdup_printf("%s.XXXXXX", path);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
	gboolean ok = fd >= 0 && fchmod(fd, 0644) == 0 && write_all(fd, text, strlen(text)) && fsync(fd) == 0;
	int saved = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = FALSE;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = FALSE;
		saved = errno;
	}
	if (!ok) {
		if (fd >= 0)
			unlink(tmp);
		g_set_error(err, MG_GUARD_ERROR, 1, "%s: cannot write the stop state: %s", path, g_strerror(saved));
	} else
		fsync(dirfd);
	g_free(tmp);
	return ok;
}

gboolean mg_stop_update(const char *path, mg_stop_edit_fn fn, gpointer data, gboolean *changed, GError **err)
{
	char *dir = g_path_get_dirname(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	gboolean ok = FALSE;
	struct mg_stop_state *s = NULL;
	*changed = FALSE;
	if (dfd < 0 || flock(dfd, LOCK_EX) != 0) {
		g_set_error(err, MG_GUARD_ERROR, 1, "%s: cannot lock the directory of the stop state: %s", dir,
			    g_strerror(errno));
		goto out;
	}
	if (!(s = mg_stop_read(path, err)))
		goto out;
	*changed = fn(s, data);
	ok = TRUE;
	if (*changed) {
		char *text = mg_stop_to_json(s, TRUE);
		ok = write_atomic(path, dfd, text, err);
		g_free(text);
	}
out:
	if (dfd >= 0)
		close(dfd); /* releases the flock */
	mg_stop_unref(s);
	g_free(dir);
	return ok;
}

/* ---- the daemon's view ---- */

static GMutex cache_lock;
static struct {
	char *path;
	struct stat st;
	struct mg_stop_state *state;
} cache;

static gboolean same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static gboolean entry_in(const struct mg_stop_entry *e, const struct mg_stop_state *s)
{
	for (guint i = 0; s && i < s->entries->len; i++) {
		const struct mg_stop_entry *o = s->entries->pdata[i];
		if (o->scope == e->scope && g_strcmp0(o->value, e->value) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The state changed from OLD (NULL at start) to NOW: each stop that is new
 * is alerted once (critical), each stop that ended is alerted as a notice;
 * stops in force in both are not repeated. */
static void log_state(const char *path, const struct mg_stop_state *old, const struct mg_stop_state *now)
{
	for (guint i = 0; i < now->entries->len; i++) {
		const struct mg_stop_entry *e = now->entries->pdata[i];
		if (entry_in(e, old))
			continue;
		mg_guard_alert(NULL, MG_ALERT_STOP_SWITCH, MG_ALERT_CRITICAL,
			       "%s%s%s mail stopped since %s by %s (%s): %s", mg_stop_scope_name(e->scope),
			       e->value ? " " : "", e->value ? e->value : "", e->since ? e->since : "?",
			       e->by ? e->by : "?", e->origin ? e->origin : "?", e->reason ? e->reason : "");
	}
	for (guint i = 0; old && i < old->entries->len; i++) {
		const struct mg_stop_entry *e = old->entries->pdata[i];
		if (!entry_in(e, now))
			mg_guard_alert(NULL, MG_ALERT_STOP_SWITCH, MG_ALERT_NOTICE, "%s%s%s mail flows again",
				       mg_stop_scope_name(e->scope), e->value ? " " : "", e->value ? e->value : "");
	}
	if (now->entries->len == 0)
		mg_info(NULL, "stop switch: nothing stopped (%s)", path);
}

struct mg_stop_state *mg_stop_current(const char *path, GError **err)
{
	struct stat st;
	struct mg_stop_state *s = NULL;
	g_mutex_lock(&cache_lock);
	gboolean known = cache.path && strcmp(cache.path, path) == 0;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) {
			g_set_error(err, MG_GUARD_ERROR, 1, "%s: %s", path, g_strerror(errno));
			goto out;
		}
		memset(&st, 0, sizeof st);
	}
	if (!known || !same_file(&st, &cache.st)) {
		struct stat rst;
		struct mg_stop_state *n = read_file(path, &rst, err);
		if (!n)
			goto out;
		if (known || n->entries->len)
			log_state(path, known ? cache.state : NULL, n);
		mg_stop_unref(cache.state);
		g_free(cache.path);
		cache.path = g_strdup(path);
		cache.st = rst;
		cache.state = n;
	}
	s = mg_stop_ref(cache.state);
out:
	g_mutex_unlock(&cache_lock);
	return s;
}
