/*
 * quarantine.c - see mg_quarantine.h.  The directory store, ids,
 * retention and purge.
 *
 * Atomic file writes: a temporary ".NAME.XXXXXX" in the target directory
 * (mode 0600), written fully, fsync, rename over NAME, fsync of the
 * directory.  A crash leaves either the old file or the new one, plus at
 * worst a dot-file that list() ignores.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_audit.h"
#include "mg_quarantine.h"
#include "mg_sha256.h"

G_DEFINE_QUARK(mg - quarantine - error - quark, mg_quarantine_error)

#define ID_LEN   33 /* YYYYMMDDTHHMMSSZ-%16x */
#define META_MAX (64 * 1024 * 1024)

const char *mg_qclass_name(enum mg_qclass c)
{
	static const char *names[] = {"modified", "blocked", "clean", "hold"};
	return (unsigned)c < G_N_ELEMENTS(names) ? names[c] : "modified";
}

gboolean mg_qclass_parse(const char *s, enum mg_qclass *out)
{
	for (int c = MG_QCLASS_MODIFIED; c <= MG_QCLASS_HOLD; c++)
		if (s && strcmp(s, mg_qclass_name((enum mg_qclass)c)) == 0) {
			*out = (enum mg_qclass)c;
			return TRUE;
		}
	return FALSE;
}

gint64 mg_quarantine_retention(const struct mg_config *cfg, enum mg_qclass c)
{
	switch (c) {
	case MG_QCLASS_BLOCKED: return cfg->quarantine_retention_blocked;
	case MG_QCLASS_HOLD: return cfg->quarantine_retention_blocked; /* issue 16: decided held mail */
	case MG_QCLASS_CLEAN: return cfg->quarantine_retention_clean;
	default: return cfg->quarantine_retention_modified;
	}
}

char *mg_quarantine_new_id(gint64 real_us)
{
	guint8 r[8];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) /* never short for 8 bytes; be safe */
		for (gsize i = 0; i < sizeof r; i++)
			r[i] = (guint8)g_random_int();
	GDateTime *d = g_date_time_new_from_unix_utc(real_us / G_USEC_PER_SEC);
	char *stamp = g_date_time_format(d, "%Y%m%dT%H%M%SZ");
	g_date_time_unref(d);
	char *id = g_strdup_printf("%s-%02x%02x%02x%02x%02x%02x%02x%02x", stamp, r[0], r[1], r[2], r[3], r[4], r[5],
				   r[6], r[7]);
	g_free(stamp);
	return id;
}

gboolean mg_quarantine_id_valid(const char *id)
{
	static const char form[] = "DDDDDDDDTDDDDDDZ-XXXXXXXXXXXXXXXX";
	if (!id || strlen(id) != ID_LEN)
		return FALSE;
	for (int i = 0; i < ID_LEN; i++) {
		char f = form[i], c = id[i];
		if ((f == 'D' && !g_ascii_isdigit(c)) ||
		    (f == 'X' && !(g_ascii_isdigit(c) || (c >= 'a' && c <= 'f'))) || (f != 'D' && f != 'X' && c != f))
			return FALSE;
	}
	return TRUE;
}

static gboolean id_check(const char *id, GError **err)
{
	if (mg_quarantine_id_valid(id))
		return TRUE;
	g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_BAD_ID,
		    "'%s' is not a quarantine id (form: 20261129T110203Z-0123456789abcdef)", id ? id : "");
	return FALSE;
}

/* ---- the directory store ---- */

static char *day_dir(struct mg_qstore *s, const char *id)
{
	char day[9];
	memcpy(day, id, 8);
	day[8] = '\0';
	return g_build_filename(s->root, day, NULL);
}

static char *entry_path(struct mg_qstore *s, const char *id, const char *ext)
{
	char *dir = day_dir(s, id);
	char *name = g_strconcat(id, ext, NULL);
	char *p = g_build_filename(dir, name, NULL);
	g_free(dir);
	g_free(name);
	return p;
}

static gboolean fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	gboolean ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

static gboolean write_fd_all(int fd, const char *data, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* Copy a stream into fd, hashing what is written. */
static gboolean copy_stream(GMimeStream *in, int fd, struct mg_sha256 *sum, gint64 *size)
{
	char buf[65536];
	ssize_t n;
	*size = 0;
	while ((n = g_mime_stream_read(in, buf, sizeof buf)) > 0) {
		if (!write_fd_all(fd, buf, (gsize)n))
			return FALSE;
		mg_sha256_update(sum, buf, (gsize)n);
		*size += n;
	}
	if (n < 0)
		errno = EIO;
	return n == 0;
}

/* Files and day directories belong to the owner of the store's root (the
 * daemon's user), also when an admin command running as root writes them,
 * so that the daemon can still write and purge there.  Best effort. */
static void adopt_owner(struct mg_qstore *s, int fd, const char *path)
{
	struct stat root;
	if (geteuid() != 0 || stat(s->root, &root) != 0 || root.st_uid == 0)
		return;
	if ((fd >= 0 ? fchown(fd, root.st_uid, root.st_gid) : chown(path, root.st_uid, root.st_gid)) != 0)
		return; /* stays root's: the daemon will fail closed and say so */
}

/* Write NAME in the entry's directory atomically from a stream or a buffer. */
static gboolean write_atomic(struct mg_qstore *s, const char *id, const char *ext, GMimeStream *in, const char *data,
			     gsize len, char sha256[65], gint64 *size, GError **err)
{
	char *dir = day_dir(s, id), *final = entry_path(s, id, ext);
	char *tmp = g_strdup_printf("%s/.%s%s.XXXXXX", dir, id, ext);
	struct mg_sha256 sum;
	int fd = -1;
	gboolean ok = FALSE;
	gint64 n = (gint64)len;

	mg_sha256_init(&sum);
	gboolean new_dir = !g_file_test(dir, G_FILE_TEST_IS_DIR);
	if (g_mkdir_with_parents(dir, 0700) != 0 || (fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600)) < 0)
		goto out;
	if (new_dir)
		adopt_owner(s, -1, dir);
	if (in ? !copy_stream(in, fd, &sum, &n) : !write_fd_all(fd, data, len))
		goto out;
	adopt_owner(s, fd, NULL);
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, final) != 0 || !fsync_dir(dir))
		goto out;
	if (sha256)
		mg_sha256_final_hex(&sum, sha256);
	if (size)
		*size = n;
	ok = TRUE;
out:
	if (!ok) {
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s: cannot write: %s", final, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	g_free(tmp);
	g_free(final);
	g_free(dir);
	return ok;
}

static gboolean dir_put_original(struct mg_qstore *s, const char *id, GMimeStream *in, char sha256[65], gint64 *size,
				 GError **err)
{
	return id_check(id, err) && write_atomic(s, id, ".eml", in, NULL, 0, sha256, size, err);
}

static gboolean dir_put_meta(struct mg_qstore *s, const char *id, JsonObject *meta, GError **err)
{
	if (!id_check(id, err))
		return FALSE;
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(root, meta);
	JsonGenerator *g = json_generator_new();
	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, root);
	gsize len = 0;
	char *text = json_generator_to_data(g, &len);
	g_object_unref(g);
	json_node_unref(root);
	gboolean ok = write_atomic(s, id, ".json", NULL, text, len, NULL, NULL, err);
	g_free(text);
	return ok;
}

static JsonObject *dir_get_meta(struct mg_qstore *s, const char *id, GError **err)
{
	if (!id_check(id, err))
		return NULL;
	char *path = entry_path(s, id, ".json"), *text = NULL, *eml = entry_path(s, id, ".eml");
	gsize len = 0;
	JsonObject *meta = NULL;
	GError *e = NULL;
	JsonParser *p = json_parser_new();
	struct stat st;

	if (stat(path, &st) != 0 && errno == ENOENT && access(eml, F_OK) == 0)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_INCOMPLETE, "%s: metadata missing (incomplete entry)",
			    path);
	else if (stat(path, &st) != 0 && errno == ENOENT)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_NOT_FOUND, "no quarantine entry %s", id);
	else if (stat(path, &st) == 0 && st.st_size > META_MAX)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_CORRUPT, "%s: metadata too large", path);
	else if (!g_file_get_contents(path, &text, &len, &e))
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s", e->message);
	else if (!json_parser_load_from_data(p, text, (gssize)len, &e) ||
		 !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_CORRUPT, "%s: corrupt metadata: %s", path,
			    e ? e->message : "not a JSON object");
	else if (g_strcmp0(mg_json_get_str(json_node_get_object(json_parser_get_root(p)), "id"), id) != 0)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_CORRUPT, "%s: corrupt metadata: id does not match", path);
	else
		meta = json_object_ref(json_node_get_object(json_parser_get_root(p)));
	g_clear_error(&e);
	g_object_unref(p);
	g_free(text);
	g_free(path);
	g_free(eml);
	return meta;
}

static GMimeStream *dir_open_original(struct mg_qstore *s, const char *id, GError **err)
{
	if (!id_check(id, err))
		return NULL;
	char *path = entry_path(s, id, ".eml"), *meta = entry_path(s, id, ".json");
	GMimeStream *st = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		st = g_mime_stream_fs_new(fd);
	else if (errno == ENOENT && access(meta, F_OK) == 0)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_CORRUPT, "%s: original missing", path);
	else if (errno == ENOENT)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_NOT_FOUND, "no quarantine entry %s", id);
	else
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s: %s", path, g_strerror(errno));
	g_free(path);
	g_free(meta);
	return st;
}

static gboolean all_digits(const char *s, gsize n)
{
	if (strlen(s) != n)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
	return TRUE;
}

static void list_day(const char *dir, GHashTable *seen, GPtrArray *ids)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		if (strlen(name) < ID_LEN || name[0] == '.')
			continue;
		char *id = g_strndup(name, ID_LEN);
		const char *ext = name + ID_LEN;
		if (mg_quarantine_id_valid(id) && (strcmp(ext, ".eml") == 0 || strcmp(ext, ".json") == 0) &&
		    !g_hash_table_contains(seen, id)) {
			g_hash_table_add(seen, id);
			g_ptr_array_add(ids, g_strdup(id));
		} else
			g_free(id);
	}
	if (d)
		g_dir_close(d);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *dir_list(struct mg_qstore *s, GError **err)
{
	GError *e = NULL;
	GDir *d = g_dir_open(s->root, 0, &e);
	if (!d && g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) { /* nothing kept yet */
		g_error_free(e);
		return g_ptr_array_new_with_free_func(g_free);
	}
	if (!d) {
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s", e->message);
		g_error_free(e);
		return NULL;
	}
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)) != NULL)
		if (all_digits(name, 8)) {
			char *day = g_build_filename(s->root, name, NULL);
			list_day(day, seen, ids);
			g_free(day);
		}
	g_dir_close(d);
	g_hash_table_unref(seen);
	g_ptr_array_sort(ids, cmp_str);
	return ids;
}

static gboolean dir_remove(struct mg_qstore *s, const char *id, GError **err)
{
	if (!id_check(id, err))
		return FALSE;
	char *eml = entry_path(s, id, ".eml"), *meta = entry_path(s, id, ".json"), *dir = day_dir(s, id);
	gboolean ok = TRUE;
	/* metadata first: an entry without metadata is incomplete, never "live" */
	if (unlink(meta) != 0 && errno != ENOENT)
		ok = FALSE;
	if (ok && unlink(eml) != 0 && errno != ENOENT)
		ok = FALSE;
	if (!ok)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "cannot remove %s: %s", id, g_strerror(errno));
	else {
		fsync_dir(dir);
		rmdir(dir); /* only succeeds once the day is empty */
	}
	g_free(eml);
	g_free(meta);
	g_free(dir);
	return ok;
}

/* ---- crash journal (issue 11) ----
 * quarantine_dir/.pending/ID exists from before an entry's first file is
 * written until the entry is final or gone: what a killed daemon left is
 * found at start without reading the whole store.  (Not fsynced: a power
 * loss may lose a marker; a killed process cannot.) */

static char *pending_path(struct mg_qstore *s, const char *id)
{
	return g_build_filename(s->root, ".pending", id, NULL);
}

static gboolean dir_set_pending(struct mg_qstore *s, const char *id, gboolean on, GError **err)
{
	if (!id_check(id, err))
		return FALSE;
	char *dir = g_build_filename(s->root, ".pending", NULL), *p = pending_path(s, id);
	gboolean ok, new_dir = on && !g_file_test(dir, G_FILE_TEST_IS_DIR);
	int fd = -1;
	if (on) {
		ok = g_mkdir_with_parents(dir, 0700) == 0 && (fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0;
		if (ok && new_dir)
			adopt_owner(s, -1, dir);
		if (fd >= 0)
			close(fd);
	} else {
		ok = unlink(p) == 0 || errno == ENOENT;
	}
	if (!ok)
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s: %s", p, g_strerror(errno));
	g_free(p);
	g_free(dir);
	return ok;
}

/* ".ID.eml.XXXXXX" / ".ID.json.XXXXXX": a temporary file of write_atomic. */
static gboolean temp_name(const char *name)
{
	if (name[0] != '.' || strlen(name) < ID_LEN + 2)
		return FALSE;
	char *id = g_strndup(name + 1, ID_LEN);
	const char *ext = name + 1 + ID_LEN;
	gboolean t = mg_quarantine_id_valid(id) && (g_str_has_prefix(ext, ".eml.") || g_str_has_prefix(ext, ".json."));
	g_free(id);
	return t;
}

/* Remove the temporary files modified before before_us in one day directory. */
static guint sweep_day(const char *day, gint64 before_us)
{
	GDir *d = g_dir_open(day, 0, NULL);
	const char *name;
	guint n = 0;
	while (d && (name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(day, name, NULL);
		struct stat st;
		if (temp_name(name) && lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (gint64)st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 < before_us &&
		    unlink(p) == 0)
			n++;
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	return n;
}

/* The day directories to sweep: those of the marked ids and the two newest. */
static GHashTable *sweep_days(struct mg_qstore *s, const GPtrArray *ids)
{
	GHashTable *days = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(s->root, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL)
		if (all_digits(name, 8))
			g_ptr_array_add(all, g_strdup(name));
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(all, cmp_str);
	for (guint i = all->len > 2 ? all->len - 2 : 0; i < all->len; i++)
		g_hash_table_add(days, g_strdup(all->pdata[i]));
	for (guint i = 0; i < ids->len; i++)
		g_hash_table_add(days, g_strndup(ids->pdata[i], 8));
	g_ptr_array_unref(all);
	return days;
}

static GPtrArray *dir_leftovers(struct mg_qstore *s, gint64 before_us, guint *temps)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	char *dir = g_build_filename(s->root, ".pending", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d)) != NULL)
		if (mg_quarantine_id_valid(name))
			g_ptr_array_add(ids, g_strdup(name));
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(ids, cmp_str);
	GHashTable *days = sweep_days(s, ids);
	GHashTableIter it;
	gpointer day;
	*temps = 0;
	g_hash_table_iter_init(&it, days);
	while (g_hash_table_iter_next(&it, &day, NULL)) {
		char *p = g_build_filename(s->root, (const char *)day, NULL);
		*temps += sweep_day(p, before_us);
		g_free(p);
	}
	g_hash_table_unref(days);
	g_free(dir);
	return ids;
}

static void dir_close(struct mg_qstore *s)
{
	g_free(s->root);
	g_free(s);
}

static const struct mg_qstore_ops dir_ops = {
	"directory", dir_put_original, dir_put_meta,    dir_get_meta,  dir_open_original,
	dir_list,    dir_remove,       dir_set_pending, dir_leftovers, dir_close,
};

struct mg_qstore *mg_qstore_open_dir(const char *dir)
{
	struct mg_qstore *s = g_new0(struct mg_qstore, 1);
	s->ops = &dir_ops;
	s->root = g_strdup(dir);
	return s;
}

struct mg_qstore *mg_qstore_open(const struct mg_config *cfg)
{
	return mg_qstore_open_dir(cfg->quarantine_dir);
}

void mg_qstore_close(struct mg_qstore *s)
{
	if (s)
		s->ops->close(s);
}

char *mg_qstore_describe(struct mg_qstore *s, const char *id)
{
	if (s->ops != &dir_ops || !mg_quarantine_id_valid(id))
		return g_strdup(id);
	return entry_path(s, id, ".eml");
}

/* ---- purge ---- */

gint64 mg_quarantine_id_time(const char *id)
{
	int y, mo, d, h, mi, sec;
	if (!mg_quarantine_id_valid(id) || sscanf(id, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &sec) != 6)
		return G_MAXINT64;
	GDateTime *t = g_date_time_new_utc(y, mo, d, h, mi, sec);
	gint64 us = t ? g_date_time_to_unix(t) * G_USEC_PER_SEC : G_MAXINT64;
	if (t)
		g_date_time_unref(t);
	return us;
}

/* An approval hold not decided yet (issue 16): never purged. */
static gboolean approval_pending(JsonObject *m)
{
	JsonNode *n = json_object_get_member(m, "approval");
	const char *st = n && JSON_NODE_HOLDS_OBJECT(n) ? mg_json_get_str(json_node_get_object(n), "status") : NULL;
	return g_strcmp0(st, "pending") == 0 || g_strcmp0(st, "release-failed") == 0;
}

/* 1 on hold, 0 not, -1 malformed. */
static int meta_hold(JsonObject *m)
{
	JsonNode *n = json_object_get_member(m, "hold");
	if (!n)
		return 0;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return -1;
	return json_node_get_boolean(n) ? 1 : 0;
}

static gint64 longest_retention(const struct mg_config *cfg)
{
	return MAX(cfg->quarantine_retention_modified,
		   MAX(cfg->quarantine_retention_blocked, cfg->quarantine_retention_clean));
}

static const char *purge_incomplete(struct mg_qstore *s, const struct mg_config *cfg, const char *id, gint64 now_us,
				    GError **e)
{
	g_clear_error(e);
	if (mg_quarantine_id_time(id) > now_us - longest_retention(cfg) * G_USEC_PER_SEC)
		return "kept";
	return s->ops->remove(s, id, e) ? "removed" : "error";
}

static const char *purge_one(struct mg_qstore *s, const struct mg_config *cfg, const char *id, gint64 now_us,
			     char **detail)
{
	GError *e = NULL;
	JsonObject *m = s->ops->get_meta(s, id, &e);
	enum mg_qclass c = MG_QCLASS_MODIFIED;
	const char *what = "kept";
	gint64 stored_us = 0;

	if (!m && g_error_matches(e, MG_QUARANTINE_ERROR, MG_QERR_INCOMPLETE))
		what = purge_incomplete(s, cfg, id, now_us, &e);
	else if (!m)
		what = "error";
	else if (!mg_audit_time_parse(mg_json_get_str(m, "stored"), &stored_us) ||
		 !mg_qclass_parse(mg_json_get_str(m, "class"), &c) || meta_hold(m) < 0)
		what = "error", *detail = g_strdup_printf("%s: corrupt metadata: bad stored, class or hold", id);
	else if (meta_hold(m) > 0 || approval_pending(m))
		what = "held";
	else if (stored_us + mg_quarantine_retention(cfg, c) * G_USEC_PER_SEC <= now_us)
		what = s->ops->remove(s, id, &e) ? "removed" : "error";
	if (e)
		*detail = g_strdup(e->message);
	g_clear_error(&e);
	if (m)
		json_object_unref(m);
	return what;
}

guint mg_quarantine_purge(struct mg_qstore *s, const struct mg_config *cfg, gint64 now_us, mg_purge_fn cb,
			  gpointer data)
{
	GError *e = NULL;
	GPtrArray *ids = s->ops->list(s, &e);
	guint errors = 0;
	if (!ids) {
		if (cb)
			cb("", "error", e->message, data);
		g_error_free(e);
		return 1;
	}
	for (guint i = 0; i < ids->len; i++) {
		char *detail = NULL;
		const char *what = purge_one(s, cfg, ids->pdata[i], now_us, &detail);
		if (strcmp(what, "error") == 0)
			errors++;
		if (cb)
			cb(ids->pdata[i], what, detail, data);
		g_free(detail);
	}
	g_ptr_array_unref(ids);
	return errors;
}
