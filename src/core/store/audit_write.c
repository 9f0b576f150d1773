/*
 * audit_write.c - appending to a keyed, chained audit log (see mg_audit.h;
 * the format and the algorithm are docs/audit-format.md sections 2 and 4).
 *
 * Every append runs under the process mutex and flock() on FILE.head, the
 * head file that remembers where the chain stands (seq, mac, which file),
 * so that a file moved away by log rotation is continued, not restarted,
 * by the next record.  A record reaches the file whole or not at all: on a
 * short write or an error the file is cut back to its size before.
 *
 * The process keeps each log open between appends (struct held); when the
 * path names another file than the one held, the held one was rotated and
 * gets a seal before it is closed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_json.h"
#include "mg_log.h"

#define TAIL_MAX    (64 * 1024 * 1024) /* longest last line we look back over */
#define HEAD_MAX    512
#define MAC_SUFFIX  (sizeof ",\"mac\":\"\"}" - 1 + 64)
#define HASH_SUFFIX (sizeof ",\"hash\":\"\"}" - 1 + 64)
#define TYPE_MAX    16

/* Where the chain stands: the last record of the chain. */
struct pos {
	gint64 seq; /* 0: nothing yet, or a legacy line (then mac is its hash) */
	char mac[65];
	char type[TYPE_MAX];
	gint64 first_seq; /* seq of the first record of the current file, 0 unknown */
};

struct head {
	gboolean valid;
	struct pos pos;
	guint64 dev, ino;
};

struct held {
	int fd;
	guint64 dev, ino;
	off_t size; /* after our last write: the cached pos is valid while the file has this size */
	gboolean cached;
	struct pos pos;
};

static GMutex write_lock;
static GHashTable *held_files; /* path -> struct held */
static mg_audit_line_fn forward_fn;
static gpointer forward_data;

static const char zeros[65] = "0000000000000000000000000000000000000000000000000000000000000000";

void mg_audit_set_forward(mg_audit_line_fn fn, gpointer data)
{
	g_mutex_lock(&write_lock);
	forward_fn = fn;
	forward_data = data;
	g_mutex_unlock(&write_lock);
}

static void held_free(gpointer p)
{
	struct held *h = p;
	if (h->fd >= 0)
		close(h->fd);
	g_free(h);
}

static struct held *held_get(const char *path)
{
	if (!held_files)
		held_files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, held_free);
	struct held *h = g_hash_table_lookup(held_files, path);
	if (!h) {
		h = g_new0(struct held, 1);
		h->fd = -1;
		g_hash_table_insert(held_files, g_strdup(path), h);
	}
	return h;
}

void mg_audit_close_all(void)
{
	g_mutex_lock(&write_lock);
	g_clear_pointer(&held_files, g_hash_table_unref);
	g_mutex_unlock(&write_lock);
}

static void io_error(GError **err, const char *path, const char *what)
{
	if (err && !*err)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_IO, "%s: %s: %s", path, what, g_strerror(errno));
}

/* ---- the head file ---- */

static void head_parse(const char *text, struct head *h)
{
	char mac[65] = "", type[TYPE_MAX] = "";
	long long seq = 0, first = 0;
	unsigned long long dev = 0, ino = 0;
	memset(h, 0, sizeof *h);
	if (sscanf(text, "mugaika-head 2 seq=%lld mac=%64s dev=%llu ino=%llu first_seq=%lld type=%15s", &seq, mac, &dev,
		   &ino, &first, type) != 6 ||
	    strlen(mac) != 64 || seq < 0)
		return;
	h->valid = TRUE;
	h->pos.seq = seq;
	memcpy(h->pos.mac, mac, 65);
	g_strlcpy(h->pos.type, type, sizeof h->pos.type);
	h->pos.first_seq = first;
	h->dev = dev;
	h->ino = ino;
}

static void head_read(int fd, struct head *h)
{
	char buf[HEAD_MAX];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	head_parse(buf, h);
}

static gboolean head_write(int fd, const struct pos *p, const struct held *f)
{
	char buf[HEAD_MAX];
	int n = snprintf(buf, sizeof buf,
			 "mugaika-head 2 seq=%" G_GINT64_FORMAT " mac=%s dev=%" G_GUINT64_FORMAT
			 " ino=%" G_GUINT64_FORMAT " first_seq=%" G_GINT64_FORMAT " type=%s\n",
			 p->seq, p->mac, f->dev, f->ino, p->first_seq, p->type[0] ? p->type : "-");
	return n > 0 && n < (int)sizeof buf && pwrite(fd, buf, (size_t)n, 0) == n && ftruncate(fd, n) == 0 &&
	       fdatasync(fd) == 0;
}

/* A log created by root (an admin command) in a directory that belongs to
 * someone else (the daemon's user) is given to that owner, so the daemon
 * can go on appending.  Best effort. */
static void adopt_owner(int fd, const char *path)
{
	struct stat st, dir;
	char *d = g_path_get_dirname(path);
	if (geteuid() == 0 && fstat(fd, &st) == 0 && st.st_uid == 0 && st.st_size == 0 && stat(d, &dir) == 0 &&
	    dir.st_uid != 0 && fchown(fd, dir.st_uid, dir.st_gid) != 0)
		st.st_uid = 0; /* stays root's: the daemon fails closed and says so */
	g_free(d);
}

/* ---- the tail of the log ---- */

struct tail {
	gboolean any;     /* a complete last line exists */
	gboolean foreign; /* ...but it is not a record of ours */
	off_t torn;       /* bytes after the last newline */
	struct pos pos;
};

/* Offset of the last newline of fd before `end`, -1 none, -2 read error. */
static off_t last_newline(int fd, off_t end)
{
	char buf[65536];
	for (off_t stop = end > TAIL_MAX ? end - TAIL_MAX : 0; end > stop;) {
		size_t n = (size_t)MIN((off_t)sizeof buf, end - stop);
		if (pread(fd, buf, n, end - (off_t)n) != (ssize_t)n)
			return -2;
		char *nl = memrchr(buf, '\n', n);
		if (nl)
			return end - (off_t)n + (nl - buf);
		end -= (off_t)n;
	}
	return -1;
}

static gboolean hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return FALSE;
	return TRUE;
}

gssize mg_audit_line_split(const char *line, gsize len, char out[65], gboolean *legacy)
{
	const char *names[2] = {",\"mac\":\"", ",\"hash\":\""};
	gsize sizes[2] = {MAC_SUFFIX, HASH_SUFFIX};
	for (int i = 0; i < 2; i++) {
		gsize nl = strlen(names[i]);
		if (len < sizes[i] + 2)
			continue;
		const char *suf = line + len - sizes[i];
		if (memcmp(suf, names[i], nl) != 0 || memcmp(suf + nl + 64, "\"}", 2) != 0 || !hex64(suf + nl))
			continue;
		memcpy(out, suf + nl, 64);
		out[64] = '\0';
		*legacy = i == 1;
		return (gssize)(len - sizes[i]);
	}
	return -1;
}

/* Read one complete line [start, nl) and learn seq, mac, type from it. */
static void tail_parse(const char *line, gsize len, struct tail *t)
{
	gboolean legacy = FALSE;
	gssize cut = mg_audit_line_split(line, len, t->pos.mac, &legacy);
	JsonParser *p = json_parser_new();
	GString *canon = g_string_new_len(line, cut > 0 ? cut : 0);
	g_string_append_c(canon, '}');
	t->foreign = cut < 0 || !json_parser_load_from_data(p, canon->str, (gssize)canon->len, NULL) ||
		     !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p));
	if (!t->foreign) {
		JsonObject *o = json_node_get_object(json_parser_get_root(p));
		t->pos.seq = legacy ? 0 : mg_json_get_int(o, "seq", -1);
		g_strlcpy(t->pos.type, mg_json_get_str0(o, "type"), sizeof t->pos.type);
		t->foreign = t->pos.seq < 0;
	}
	g_object_unref(p);
	g_string_free(canon, TRUE);
}

static gboolean tail_read(int fd, off_t size, struct tail *t, const char *path, GError **err)
{
	memset(t, 0, sizeof *t);
	off_t nl = size > 0 ? last_newline(fd, size) : -1;
	if (nl == -2) {
		io_error(err, path, "cannot read the end of the log");
		return FALSE;
	}
	t->torn = size - (nl + 1);
	if (nl < 0)
		return TRUE;
	off_t prev = last_newline(fd, nl);
	if (prev == -2) {
		io_error(err, path, "cannot read the end of the log");
		return FALSE;
	}
	gsize len = (gsize)(nl - (prev + 1));
	char *line = g_malloc(len + 1);
	gboolean ok = pread(fd, line, len, prev + 1) == (ssize_t)len;
	if (ok) {
		t->any = TRUE;
		tail_parse(line, len, t);
	} else
		io_error(err, path, "cannot read the last record");
	g_free(line);
	return ok;
}

/* ---- making and writing a line ---- */

static gboolean chain_member(const char *name)
{
	static const char *names[] = {"seq", "key", "prev_mac", "mac", "hash", "prev_hash"};
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(name, names[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The line for rec after pos, signed with key `kid`; NULL when the key is gone. */
static char *line_new(JsonObject *rec, const struct pos *pos, struct mg_audit_keys *keys, struct pos *next)
{
	JsonObject *copy = json_object_new();
	GList *members = json_object_get_members(rec);
	for (GList *m = members; m; m = m->next)
		if (!chain_member(m->data))
			json_object_set_member(copy, m->data, json_node_copy(json_object_get_member(rec, m->data)));
	g_list_free(members);
	next->seq = pos->seq + 1;
	json_object_set_int_member(copy, "seq", next->seq);
	json_object_set_string_member(copy, "key", mg_audit_keys_current_id(keys));
	json_object_set_string_member(copy, "prev_mac", pos->mac);
	g_strlcpy(next->type, mg_json_get_str0(copy, "type"), sizeof next->type);
	next->first_seq = pos->first_seq;
	JsonNode *root = json_node_init_object(json_node_alloc(), copy);
	char *canon = json_to_string(root, FALSE);
	json_node_unref(root);
	json_object_unref(copy);
	mg_audit_keys_mac(keys, mg_audit_keys_current_id(keys), canon, strlen(canon), next->mac);
	GString *line = g_string_new(canon);
	g_free(canon);
	g_string_truncate(line, line->len - 1); /* the closing brace */
	g_string_append_printf(line, ",\"mac\":\"%s\"}\n", next->mac);
	return g_string_free(line, FALSE);
}

/* Test seam (tests/unit/test_audit.c): a write(2) that may fail. */
static ssize_t (*write_fn)(int, const void *, size_t) = write;

void mg_audit_test_set_write(ssize_t (*fn)(int, const void *, size_t))
{
	write_fn = fn ? fn : write;
}

/* Write all of it, or cut the file back to `size` and fail. */
static gboolean write_whole(struct held *f, const char *data, gsize len, const char *path, GError **err)
{
	gsize done = 0;
	while (done < len) {
		ssize_t n = write_fn(f->fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			break;
		}
		done += (gsize)n;
	}
	if (done == len)
		return TRUE;
	int saved = errno;
	gboolean cut = ftruncate(f->fd, f->size) == 0 && fdatasync(f->fd) == 0;
	errno = saved;
	g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_IO,
		    "%s: cannot append the record (%s after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes)%s", path,
		    g_strerror(saved), done, len,
		    cut ? "; the file was cut back to its last whole record"
			: "; the partial record could not be removed (the next append removes it)");
	f->cached = FALSE;
	return FALSE;
}

struct append {
	const char *path;
	struct held *f;
	struct pos pos;
	struct mg_audit_keys *keys;
	GPtrArray *lines; /* written, for forwarding */
};

static gboolean append_one(struct append *a, JsonObject *rec, GError **err)
{
	struct pos next;
	char *line = line_new(rec, &a->pos, a->keys, &next);
	gsize len = strlen(line);
	if (!write_whole(a->f, line, len, a->path, err)) {
		g_free(line);
		return FALSE;
	}
	if (a->f->size == 0)
		next.first_seq = next.seq; /* the first record of this file */
	a->f->size += (off_t)len;
	a->pos = next;
	g_ptr_array_add(a->lines, line);
	return TRUE;
}

static JsonObject *writer_record(const char *type)
{
	JsonObject *o = json_object_new();
	char *now = mg_clock_iso(g_get_real_time());
	json_object_set_string_member(o, "type", type);
	json_object_set_string_member(o, "time", now);
	mg_json_set_str(o, "host", mg_clock_hostname());
	g_free(now);
	return o;
}

static gboolean append_repair(struct append *a, const char *reason, gint64 v1, gint64 v2, GError **err)
{
	JsonObject *o = writer_record("repair");
	json_object_set_string_member(o, "reason", reason);
	if (strcmp(reason, "torn-tail") == 0)
		json_object_set_int_member(o, "removed_bytes", v1);
	else if (strcmp(reason, "tail-missing") == 0) {
		json_object_set_int_member(o, "missing_from_seq", v1);
		json_object_set_int_member(o, "missing_to_seq", v2);
	}
	mg_warn(NULL, "audit log %s: %s: a repair record is written", a->path, reason);
	if (strcmp(reason, "torn-tail") != 0)
		mg_alert_emit(MG_ALERT_AUDIT_FAILURE, MG_ALERT_CRITICAL,
			      "audit log %s was changed behind the writer (%s)", a->path, reason);
	gboolean ok = append_one(a, o, err);
	json_object_unref(o);
	return ok;
}

static JsonObject *seal_new(const struct pos *pos, const char *reason)
{
	JsonObject *o = writer_record("seal");
	json_object_set_string_member(o, "reason", reason);
	json_object_set_int_member(o, "pid", (gint64)getpid());
	if (pos->first_seq > 0) {
		json_object_set_int_member(o, "first_seq", pos->first_seq);
		json_object_set_int_member(o, "file_records", pos->seq - pos->first_seq + 1);
	} else {
		json_object_set_null_member(o, "first_seq");
		json_object_set_null_member(o, "file_records");
	}
	json_object_set_int_member(o, "last_seq", pos->seq);
	json_object_set_string_member(o, "last_mac", pos->mac);
	return o;
}

/* ---- one append ---- */

static gboolean head_open(const char *path, int *hfd, struct head *h, GError **err)
{
	char *hp = g_strconcat(path, ".head", NULL);
	*hfd = open(hp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	gboolean ok = *hfd >= 0 && flock(*hfd, LOCK_EX) == 0;
	if (ok) {
		adopt_owner(*hfd, hp);
		head_read(*hfd, h);
	} else
		io_error(err, hp, "cannot open and lock the head file");
	g_free(hp);
	return ok;
}

static gboolean same_file(const struct head *h, const struct held *f)
{
	return h->valid && h->dev == f->dev && h->ino == f->ino;
}

/* The chain position at the end of the held file (cache or its tail). */
static gboolean held_pos(struct append *a, struct tail *t, GError **err)
{
	struct stat st;
	if (fstat(a->f->fd, &st) != 0) {
		io_error(err, a->path, "cannot stat the log");
		return FALSE;
	}
	if (a->f->cached && a->f->size == st.st_size) {
		memset(t, 0, sizeof *t);
		t->any = st.st_size > 0;
		t->pos = a->f->pos;
		return TRUE;
	}
	a->f->size = st.st_size;
	return tail_read(a->f->fd, st.st_size, t, a->path, err);
}

/* The path names another file than the one we hold: seal the held one if
 * the chain's last record is in it, then let it go. */
static gboolean seal_rotated(struct append *a, struct head *h, GError **err)
{
	struct tail t;
	gboolean ok = TRUE;
	if (same_file(h, a->f) && held_pos(a, &t, err) && t.any && !t.foreign && !t.torn) {
		a->pos = t.pos;
		a->pos.first_seq = h->pos.first_seq;
		JsonObject *seal = seal_new(&a->pos, "rotate");
		ok = append_one(a, seal, err) && fdatasync(a->f->fd) == 0;
		json_object_unref(seal);
		if (ok)
			h->pos = a->pos; /* the new file continues from the seal */
	}
	close(a->f->fd);
	a->f->fd = -1;
	a->f->cached = FALSE;
	return ok;
}

static gboolean log_open(struct append *a, struct head *h, GError **err)
{
	struct stat st;
	gboolean there = stat(a->path, &st) == 0;
	if (a->f->fd >= 0 && (!there || (guint64)st.st_dev != a->f->dev || (guint64)st.st_ino != a->f->ino) &&
	    !seal_rotated(a, h, err))
		g_clear_error(err); /* the old file is gone for us; the link in the new one still proves it */
	if (a->f->fd >= 0)
		return TRUE;
	a->f->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (a->f->fd < 0 || fstat(a->f->fd, &st) != 0) {
		io_error(err, a->path, "cannot open the log");
		if (a->f->fd >= 0)
			close(a->f->fd);
		a->f->fd = -1;
		return FALSE;
	}
	adopt_owner(a->f->fd, a->path);
	a->f->dev = (guint64)st.st_dev;
	a->f->ino = (guint64)st.st_ino;
	a->f->cached = FALSE;
	return TRUE;
}

/* Where the chain stands for the next record, repairing what needs it. */
static gboolean chain_pos(struct append *a, const struct head *h, GError **err)
{
	struct tail t;
	if (!held_pos(a, &t, err))
		return FALSE;
	if (t.torn > 0) {
		a->f->size -= t.torn;
		if (ftruncate(a->f->fd, a->f->size) != 0) {
			io_error(err, a->path, "cannot remove an incomplete last line");
			return FALSE;
		}
	}
	gboolean here = same_file(h, a->f);
	memset(&a->pos, 0, sizeof a->pos);
	memcpy(a->pos.mac, zeros, 65);
	if (t.any && !t.foreign) {
		a->pos = t.pos;
		a->pos.first_seq = here ? h->pos.first_seq : t.pos.first_seq;
	} else if (h->valid && (here || !t.any))
		a->pos = h->pos;
	if (t.torn > 0 && !append_repair(a, "torn-tail", t.torn, 0, err))
		return FALSE;
	if (t.any && t.foreign)
		return append_repair(a, "foreign-line", 0, 0, err);
	if (t.any && t.pos.seq > 0 && h->valid && h->pos.seq > t.pos.seq) /* cut, or replaced by an older copy */
		return append_repair(a, "tail-missing", t.pos.seq + 1, h->pos.seq, err);
	if (!t.any && here && h->pos.seq > 0)
		return append_repair(a, "emptied-in-place", 0, 0, err);
	return TRUE;
}

static const char *previous_state(const struct pos *p)
{
	if (p->seq == 0 && strcmp(p->mac, zeros) == 0)
		return "new";
	return strcmp(p->type, "seal") == 0 ? "sealed" : "open";
}

static void forward_lines(struct append *a)
{
	for (guint i = 0; forward_fn && i < a->lines->len; i++)
		forward_fn(a->path, a->lines->pdata[i], forward_data);
}

static gboolean append_locked(struct append *a, JsonObject *rec, enum mg_audit_kind kind, const char *reason,
			      GError **err)
{
	int hfd = -1;
	struct head h;
	gboolean ok = FALSE;
	if (!head_open(a->path, &hfd, &h, err) || !log_open(a, &h, err) || !chain_pos(a, &h, err))
		goto out;
	off_t before = a->f->size;
	JsonObject *own = kind == MG_AUDIT_SEAL ? seal_new(&a->pos, reason) : json_object_ref(rec);
	if (kind == MG_AUDIT_START)
		json_object_set_string_member(own, "previous", previous_state(&a->pos));
	ok = append_one(a, own, err);
	json_object_unref(own);
	if (ok && fdatasync(a->f->fd) != 0) {
		io_error(err, a->path, "cannot sync the log");
		ok = FALSE;
		if (ftruncate(a->f->fd, before) == 0)
			a->f->size = before;
	}
	if (!ok)
		goto out;
	if (!head_write(hfd, &a->pos, a->f))
		mg_warn(NULL, "audit log %s: the head file could not be updated: %s", a->path, g_strerror(errno));
	a->f->pos = a->pos;
	a->f->cached = TRUE;
out:
	if (!ok && a->f->fd >= 0)
		a->f->cached = FALSE;
	if (hfd >= 0)
		close(hfd); /* releases the flock */
	return ok;
}

gboolean mg_audit_append_kind(const char *path, JsonObject *rec, enum mg_audit_kind kind, const char *reason,
			      GError **err)
{
	struct append a = {.path = path, .keys = mg_audit_keys_get(), .lines = g_ptr_array_new_with_free_func(g_free)};
	gboolean ok = FALSE;
	if (!a.keys) {
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY,
			    "%s: no audit key is loaded (audit_key_file); the record is not written", path);
		goto out;
	}
	g_mutex_lock(&write_lock);
	a.f = held_get(path);
	ok = append_locked(&a, rec, kind, reason, err);
	if (ok)
		forward_lines(&a);
	g_mutex_unlock(&write_lock);
out:
	mg_audit_keys_unref(a.keys);
	g_ptr_array_unref(a.lines);
	return ok;
}

gboolean mg_audit_append(const char *path, JsonObject *rec, GError **err)
{
	return mg_audit_append_kind(path, rec, MG_AUDIT_RECORD, NULL, err);
}

gboolean mg_audit_seal(const char *path, const char *reason, GError **err)
{
	return mg_audit_append_kind(path, NULL, MG_AUDIT_SEAL, reason, err);
}
