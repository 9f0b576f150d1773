/*
 * audit_key.c - the HMAC-SHA-256 keys of the audit logs (see mg_audit.h and
 * docs/audit-format.md section 3): read and check the key file, make and
 * rotate keys, compute MACs (nettle).
 *
 * The file is secret: it must be a regular file (no symlink), owned by root
 * or by the user running us, with no permission for others and none but
 * read for the group.  Key material lives in memory only inside struct
 * mg_audit_keys and is wiped when the last reference goes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_audit.h"
#include "mg_clock.h"

#define KEY_BYTES   32
#define KEY_ID_MAX  32
#define KEYFILE_MAX (1024 * 1024)

struct audit_key {
	char id[KEY_ID_MAX + 1];
	guint8 secret[KEY_BYTES];
};

struct mg_audit_keys {
	gint refs;
	char *path;
	GArray *keys; /* struct audit_key; the last one signs */
};

static GMutex keys_lock;
static struct mg_audit_keys *keys_current;

static gboolean key_id_valid(const char *id)
{
	gsize n = strlen(id);
	if (n == 0 || n > KEY_ID_MAX)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(id[i]) && !strchr("._-", id[i]))
			return FALSE;
	return TRUE;
}

static gboolean hex_decode(const char *hex, guint8 *out, gsize n)
{
	if (strlen(hex) != n * 2)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

static void hex_encode(const guint8 *in, gsize n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (gsize i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The rules of docs/audit-format.md section 3, on an open descriptor. */
static gboolean file_safe(int fd, const char *path, GError **err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: %s", path, g_strerror(errno));
		return FALSE;
	}
	const char *why = !S_ISREG(st.st_mode)                         ? "is not a regular file"
			  : (st.st_uid != 0 && st.st_uid != geteuid()) ? "is not owned by root"
			  : (st.st_mode & 0037)                        ? "may be read or written by others"
								       : NULL;
	if (!why)
		return TRUE;
	g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY,
		    "%s: the audit key file %s (mode %04o, uid %u); allowed: a regular file owned by root, mode 0600 "
		    "or 0640 (chown root %s; chmod 600 %s)",
		    path, why, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path, path);
	return FALSE;
}

static gboolean parse_line(char *line, guint no, const char *path, GArray *keys, GError **err)
{
	char **f = g_strsplit_set(g_strstrip(line), " \t", -1);
	char *v[3] = {NULL};
	guint n = 0;
	for (char **p = f; *p; p++)
		if (**p && n < 3)
			v[n++] = *p;
		else if (**p)
			n = 4;
	struct audit_key k = {0};
	const char *why = n != 3                                   ? "want: ID CREATED SECRET"
			  : !key_id_valid(v[0])                    ? "the key id may have 1 to 32 of A-Z a-z 0-9 . _ -"
			  : !hex_decode(v[2], k.secret, KEY_BYTES) ? "the secret must be 64 hex digits"
								   : NULL;
	for (guint i = 0; !why && i < keys->len; i++)
		if (strcmp(g_array_index(keys, struct audit_key, i).id, v[0]) == 0)
			why = "the key id is used twice";
	if (!why) {
		g_strlcpy(k.id, v[0], sizeof k.id);
		g_array_append_val(keys, k);
	} else
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s:%u: %s", path, no, why);
	explicit_bzero(&k, sizeof k);
	g_strfreev(f);
	return why == NULL;
}

static gboolean parse_text(char *text, const char *path, GArray *keys, GError **err)
{
	char **lines = g_strsplit(text, "\n", -1);
	gboolean ok = TRUE;
	for (guint i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l && *l != '#')
			ok = parse_line(l, i + 1, path, keys, err);
		explicit_bzero(lines[i], strlen(lines[i]));
	}
	g_strfreev(lines);
	if (ok && keys->len == 0) {
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: no key in the file", path);
		ok = FALSE;
	}
	return ok;
}

static gboolean read_all(int fd, const char *path, GString *out, GError **err)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0)
			g_string_append_len(out, buf, n);
		if (out->len > KEYFILE_MAX) {
			g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: larger than 1 MiB", path);
			return FALSE;
		}
	}
	explicit_bzero(buf, sizeof buf);
	if (n < 0)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: %s", path, g_strerror(errno));
	return n == 0;
}

struct mg_audit_keys *mg_audit_keys_load(const char *path, GError **err)
{
	struct mg_audit_keys *k = g_new0(struct mg_audit_keys, 1);
	GString *text = g_string_new(NULL);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	k->refs = 1;
	k->path = g_strdup(path);
	k->keys = g_array_new(FALSE, TRUE, sizeof(struct audit_key));
	gboolean ok = fd >= 0 && file_safe(fd, path, err) && read_all(fd, path, text, err) &&
		      parse_text(text->str, path, k->keys, err);
	if (fd < 0)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "cannot open the audit key file %s: %s", path,
			    g_strerror(errno));
	if (fd >= 0)
		close(fd);
	explicit_bzero(text->str, text->allocated_len);
	g_string_free(text, TRUE);
	if (!ok)
		g_clear_pointer(&k, mg_audit_keys_unref);
	return k;
}

struct mg_audit_keys *mg_audit_keys_ref(struct mg_audit_keys *k)
{
	g_atomic_int_inc(&k->refs);
	return k;
}

void mg_audit_keys_unref(struct mg_audit_keys *k)
{
	if (!k || !g_atomic_int_dec_and_test(&k->refs))
		return;
	if (k->keys->len)
		explicit_bzero(k->keys->data, k->keys->len * sizeof(struct audit_key));
	g_array_free(k->keys, TRUE);
	g_free(k->path);
	g_free(k);
}

const char *mg_audit_keys_current_id(const struct mg_audit_keys *k)
{
	return g_array_index(k->keys, struct audit_key, k->keys->len - 1).id;
}

const char *mg_audit_keys_path(const struct mg_audit_keys *k)
{
	return k->path;
}

gboolean mg_audit_keys_has(const struct mg_audit_keys *k, const char *id)
{
	for (guint i = 0; id && i < k->keys->len; i++)
		if (strcmp(g_array_index(k->keys, struct audit_key, i).id, id) == 0)
			return TRUE;
	return FALSE;
}

gboolean mg_audit_keys_mac(const struct mg_audit_keys *k, const char *id, const void *data, gsize len, char out[65])
{
	for (guint i = 0; id && i < k->keys->len; i++) {
		const struct audit_key *key = &g_array_index(k->keys, struct audit_key, i);
		if (strcmp(key->id, id) != 0)
			continue;
		struct hmac_sha256_ctx ctx;
		guint8 digest[SHA256_DIGEST_SIZE];
		hmac_sha256_set_key(&ctx, KEY_BYTES, key->secret);
		hmac_sha256_update(&ctx, len, data);
		hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
		hex_encode(digest, SHA256_DIGEST_SIZE, out);
		explicit_bzero(&ctx, sizeof ctx);
		return TRUE;
	}
	return FALSE;
}

gboolean mg_audit_mac_equal(const char *a, const char *b)
{
	return strlen(a) == 64 && strlen(b) == 64 && memeql_sec(a, b, 64);
}

/* ---- the process's signing keys ---- */

void mg_audit_use_keys(struct mg_audit_keys *k)
{
	g_mutex_lock(&keys_lock);
	struct mg_audit_keys *old = keys_current;
	keys_current = k ? mg_audit_keys_ref(k) : NULL;
	g_mutex_unlock(&keys_lock);
	mg_audit_keys_unref(old);
}

struct mg_audit_keys *mg_audit_keys_get(void)
{
	g_mutex_lock(&keys_lock);
	struct mg_audit_keys *k = keys_current ? mg_audit_keys_ref(keys_current) : NULL;
	g_mutex_unlock(&keys_lock);
	return k;
}

/* ---- making keys ---- */

static gboolean random_bytes(guint8 *buf, gsize n, GError **err)
{
	gsize got = 0;
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "no random bytes: %s", g_strerror(errno));
			return FALSE;
		}
		got += (gsize)r;
	}
	return TRUE;
}

/* "ID CREATED SECRET\n" for a new key; *id_out gets the id. */
static char *new_key_line(char **id_out, GError **err)
{
	guint8 raw[KEY_BYTES + 4];
	char hex[2 * KEY_BYTES + 1], tag[9];
	if (!random_bytes(raw, sizeof raw, err))
		return NULL;
	hex_encode(raw, KEY_BYTES, hex);
	hex_encode(raw + KEY_BYTES, 4, tag);
	char *now = mg_clock_iso(g_get_real_time());
	*id_out = g_strdup_printf("k%.4s%.2s%.2s-%s", now, now + 5, now + 8, tag);
	char *line = g_strdup_printf("%s %s %s\n", *id_out, now, hex);
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(hex, sizeof hex);
	g_free(now);
	return line;
}

static gboolean write_line(int fd, const char *s, GError **err)
{
	gsize len = strlen(s);
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "cannot write the key: %s",
				    n < 0 ? g_strerror(errno) : "short write");
			return FALSE;
		}
		s += n;
		len -= (gsize)n;
	}
	return TRUE;
}

#define KEYFILE_HEADER                                                                                                 \
	"# mugaika audit keys (HMAC-SHA-256), docs/audit-format.md.  Secret: owner root, mode 0600.\n"                 \
	"# ID CREATED SECRET; the last line signs new records, older lines verify old records.\n"

gboolean mg_audit_key_generate(const char *path, gboolean rotate, char **id_out, GError **err)
{
	char *id = NULL, *line = NULL;
	gboolean ok = FALSE;
	int flags = rotate ? O_WRONLY | O_APPEND : O_WRONLY | O_CREAT | O_EXCL;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: %s", path,
			    errno == EEXIST ? "exists already (use `mugaika audit key rotate` for a new key)"
					    : g_strerror(errno));
		return FALSE;
	}
	if (flock(fd, LOCK_EX) != 0 || (rotate && !file_safe(fd, path, err)) || !(line = new_key_line(&id, err)))
		goto out;
	if ((!rotate && !write_line(fd, KEYFILE_HEADER, err)) || !write_line(fd, line, err) || fsync(fd) != 0)
		goto out;
	ok = TRUE;
out:
	if (!ok && err && !*err)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_KEY, "%s: %s", path, g_strerror(errno));
	if (!ok && !rotate)
		unlink(path);
	close(fd);
	if (line)
		explicit_bzero(line, strlen(line));
	g_free(line);
	if (ok && id_out)
		*id_out = g_steal_pointer(&id);
	g_free(id);
	return ok;
}
