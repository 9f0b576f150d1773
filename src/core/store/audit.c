/*
 * audit.c - see mg_audit.h.  The chained JSON-lines writer, its verifier
 * and reader, and the time helpers shared by the audit and quarantine code.
 *
 * The hash covers the exact text written (the canonical line without its
 * hash member), so verification never depends on re-serialising JSON.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_audit.h"

G_DEFINE_QUARK(mg - audit - error - quark, mg_audit_error)

#define HASH_SUFFIX_LEN (sizeof ",\"hash\":\"\"}" - 1 + 64)
#define TAIL_MAX        (64 * 1024 * 1024) /* longest last line we look back over */

static GMutex audit_lock;

/* ---- times ---- */

char *mg_audit_time_iso(gint64 real_us)
{
	GDateTime *d = g_date_time_new_from_unix_local(real_us / G_USEC_PER_SEC);
	char *base = g_date_time_format(d, "%Y-%m-%dT%H:%M:%S");
	char *zone = g_date_time_format(d, "%:z");
	char *s = g_strdup_printf("%s.%03d%s", base, (int)((real_us % G_USEC_PER_SEC) / 1000), zone);
	g_free(base);
	g_free(zone);
	g_date_time_unref(d);
	return s;
}

static gboolean datetime_to_us(GDateTime *d, gint64 *out_us)
{
	if (!d)
		return FALSE;
	*out_us = g_date_time_to_unix(d) * G_USEC_PER_SEC + g_date_time_get_microsecond(d);
	g_date_time_unref(d);
	return TRUE;
}

gboolean mg_audit_time_parse(const char *s, gint64 *out_us)
{
	return s && datetime_to_us(g_date_time_new_from_iso8601(s, NULL), out_us);
}

/* YYYY-MM-DD exactly (no library parses a bare calendar date to a local
 * midnight; GDate validates it). */
static gboolean parse_day(const char *s, gboolean end_of_day, gint64 *out_us)
{
	unsigned y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
		return FALSE;
	if (y < 1970 || y > 9999 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	GDateTime *t = g_date_time_new_local((int)y, (int)m, (int)d, 0, 0, 0);
	if (t && end_of_day) {
		GDateTime *n = g_date_time_add_days(t, 1);
		g_date_time_unref(t);
		t = n;
	}
	return datetime_to_us(t, out_us);
}

gboolean mg_audit_parse_date(const char *s, gboolean end_of_day, gint64 *out_us, GError **err)
{
	if (s && parse_day(s, end_of_day, out_us))
		return TRUE;
	if (s && strchr(s, 'T')) {
		GTimeZone *local = g_time_zone_new_local();
		gboolean ok = datetime_to_us(g_date_time_new_from_iso8601(s, local), out_us);
		g_time_zone_unref(local);
		if (ok)
			return TRUE;
	}
	g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_BAD_DATE,
		    "'%s' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+09:00]", s ? s : "");
	return FALSE;
}

const char *mg_audit_hostname(void)
{
	static char *host;
	if (g_once_init_enter(&host)) {
		char buf[256] = "";
		if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0])
			g_strlcpy(buf, "localhost", sizeof buf);
		g_once_init_leave(&host, g_strdup(buf));
	}
	return host;
}

char *mg_audit_invoker(void)
{
	const char *sudo = g_getenv("SUDO_USER");
	if (getuid() == 0 && sudo && *sudo)
		return g_strdup(sudo);
	const char *login = getlogin();
	if (login && *login)
		return g_strdup(login);
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
		return g_strdup(res->pw_name);
	return g_strdup_printf("uid=%u", (unsigned)getuid());
}

/* ---- the chain ---- */

/* If `line` (without newline) ends in a well-formed hash member, return
 * the position where that member starts and copy the hash to out. */
static gssize line_hash_split(const char *line, gsize len, char out[65])
{
	if (len < HASH_SUFFIX_LEN + 2)
		return -1;
	const char *suf = line + len - HASH_SUFFIX_LEN;
	if (memcmp(suf, ",\"hash\":\"", 9) != 0 || memcmp(suf + 9 + 64, "\"}", 2) != 0)
		return -1;
	for (int i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(suf[9 + i]) || g_ascii_isupper(suf[9 + i]))
			return -1;
	memcpy(out, suf + 9, 64);
	out[64] = '\0';
	return (gssize)(len - HASH_SUFFIX_LEN);
}

/* Offset of the last newline of fd at or before `end`, or -1 (reads
 * backwards in blocks, at most TAIL_MAX bytes). */
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

/* The hash of the last complete line of fd, or the genesis value for an
 * empty file.  Only the end of that line is read: the hash member is last.
 * *torn is set when the file does not end in a newline (a crashed writer):
 * the caller starts a new line. */
static gboolean tail_hash(int fd, char out[65], gboolean *torn, GError **err)
{
	struct stat st;
	char last = '\n', suffix[HASH_SUFFIX_LEN + 2];
	g_strlcpy(out, MG_AUDIT_GENESIS, 65);
	*torn = FALSE;
	if (fstat(fd, &st) != 0 || (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1))
		goto fail;
	*torn = last != '\n';
	off_t nl = st.st_size > 0 ? last_newline(fd, st.st_size) : -1;
	if (nl == -2)
		goto fail;
	if (nl < 0) /* empty, or only a torn line */
		return TRUE;
	off_t start = nl - (off_t)sizeof suffix;
	gsize n = start < 0 ? (gsize)nl : sizeof suffix;
	if (pread(fd, suffix, n, start < 0 ? 0 : start) != (ssize_t)n)
		goto fail;
	if (line_hash_split(suffix, n, out) < 0)
		g_strlcpy(out, MG_AUDIT_GENESIS, 65); /* a broken line: verify will say so */
	return TRUE;
fail:
	g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_IO, "cannot read the end of the log: %s", g_strerror(errno));
	return FALSE;
}

static char *record_text(JsonObject *rec, const char *prev, gboolean continues)
{
	JsonObject *copy = json_object_new();
	GList *members = json_object_get_members(rec);
	for (GList *m = members; m; m = m->next)
		if (strcmp(m->data, "hash") != 0 && strcmp(m->data, "prev_hash") != 0 &&
		    strcmp(m->data, MG_AUDIT_CONTINUES) != 0)
			json_object_set_member(copy, m->data, json_node_copy(json_object_get_member(rec, m->data)));
	g_list_free(members);
	if (continues)
		json_object_set_boolean_member(copy, MG_AUDIT_CONTINUES, TRUE);
	json_object_set_string_member(copy, "prev_hash", prev);
	JsonNode *root = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(root, copy);
	char *s = json_to_string(root, FALSE);
	json_node_unref(root);
	GString *line = g_string_new(s);
	g_free(s);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, line->str, line->len);
	g_string_truncate(line, line->len - 1); /* the closing brace */
	g_string_append_printf(line, ",\"hash\":\"%s\"}\n", h);
	g_free(h);
	return g_string_free(line, FALSE);
}

static gboolean write_all(int fd, const char *data, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
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

/* ---- rotation (issue 14) ----
 * PATH.head holds the hash of the last record appended to PATH.  When the
 * writer finds PATH empty (logrotate moved it away) it continues the chain
 * from there, and marks that first record "chain_continues": so
 * `audit verify OLD NEW` proves the link, while a file whose first lines
 * were cut still shows as broken. */

static char *head_path(const char *path)
{
	return g_strconcat(path, ".head", NULL);
}

/* The head left by the file before, if PATH (fd) is empty. */
static gboolean head_read(int fd, const char *path, char prev[65])
{
	struct stat st;
	char buf[66] = "";
	if (fstat(fd, &st) != 0 || st.st_size != 0)
		return FALSE;
	char *hp = head_path(path);
	int h = open(hp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = h >= 0 ? read(h, buf, 65) : -1;
	if (h >= 0)
		close(h);
	g_free(hp);
	gboolean ok = n >= 64;
	for (int i = 0; ok && i < 64; i++)
		ok = g_ascii_isxdigit(buf[i]) && !g_ascii_isupper(buf[i]);
	if (ok)
		g_strlcpy(prev, buf, 65);
	return ok;
}

/* Best effort: a head that could not be written only means the next
 * rotation's link cannot be proven (verify says so). */
static void head_write(const char *path, const char *line)
{
	char h[65];
	if (line_hash_split(line, strlen(line) - 1, h) < 0)
		return;
	char *hp = head_path(path);
	int fd = open(hp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0) {
		adopt_owner(fd, hp);
		h[64] = '\n';
		if (pwrite(fd, h, 65, 0) != 65 || ftruncate(fd, 65) != 0) {
			/* nothing to do: verify names the unproven link */
		}
		close(fd);
	}
	g_free(hp);
}

gboolean mg_audit_append(const char *path, JsonObject *rec, GError **err)
{
	char prev[65];
	gboolean torn = FALSE, ok = FALSE;
	char *line = NULL;
	GError *tmp = NULL;

	g_mutex_lock(&audit_lock);
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0 || flock(fd, LOCK_EX) != 0 || !tail_hash(fd, prev, &torn, &tmp))
		goto out;
	adopt_owner(fd, path);
	line = record_text(rec, prev, head_read(fd, path, prev));
	if ((torn && !write_all(fd, "\n", 1)) || !write_all(fd, line, strlen(line)) || fdatasync(fd) != 0)
		goto out;
	head_write(path, line);
	ok = TRUE;
out:
	if (!ok)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_IO, "%s: cannot append the record: %s", path,
			    tmp ? tmp->message : g_strerror(errno));
	g_clear_error(&tmp);
	if (fd >= 0)
		close(fd); /* releases the flock */
	g_mutex_unlock(&audit_lock);
	g_free(line);
	return ok;
}

/* The first record may continue an earlier file (see rotation): then its
 * prev_hash is taken as the start of the chain, or checked against the
 * last hash of the file given before it (v->expect). */
static char *verify_first(JsonObject *o, const char *ph, struct mg_audit_chain *v, char prev[65])
{
	gboolean cont = json_object_has_member(o, MG_AUDIT_CONTINUES);
	if (!cont)
		return NULL; /* must follow the genesis value: checked by the caller */
	if (*v->expect && strcmp(ph, v->expect) != 0)
		return g_strdup_printf("does not continue the file before it (that one ends with %.12s..., this "
				       "one follows %.12s...)",
				       v->expect, ph);
	g_strlcpy(v->first_prev, ph, sizeof v->first_prev);
	g_strlcpy(prev, ph, 65);
	return NULL;
}

/* Check one line against the chain.  Returns NULL or why it is broken. */
static char *verify_line(const char *line, gsize len, char prev[65], struct mg_audit_chain *v)
{
	char h[65];
	gssize cut = line_hash_split(line, len, h);
	if (cut < 0)
		return g_strdup("no hash member at the end of the line (not written by mugaika, or cut)");
	GString *canon = g_string_new_len(line, cut);
	g_string_append_c(canon, '}');
	char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, canon->str, canon->len);
	char *why = NULL;
	JsonParser *p = json_parser_new();
	if (!json_parser_load_from_data(p, canon->str, (gssize)canon->len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		why = g_strdup("not a JSON object");
	else if (strcmp(want, h) != 0)
		why = g_strdup("hash does not match the content (the line was changed)");
	else {
		JsonObject *o = json_node_get_object(json_parser_get_root(p));
		const char *ph = mg_json_get_str(o, "prev_hash");
		if (ph && v->first_line && (why = verify_first(o, ph, v, prev)) != NULL)
			; /* why says it */
		else if (ph && v->first_line && *v->expect && !*v->first_prev)
			why = g_strdup("does not continue the file before it (this one starts a new chain)");
		else if (!ph || strcmp(ph, prev) != 0)
			why = g_strdup_printf("prev_hash does not match the line before (a line was removed, "
					      "inserted or reordered)");
	}
	if (!why)
		memcpy(prev, h, 65);
	g_object_unref(p);
	g_free(want);
	g_string_free(canon, TRUE);
	return why;
}

gboolean mg_audit_verify_chain(const char *path, struct mg_audit_chain *v, guint64 *n_ok, guint64 *bad_line, char **why,
			       GError **err)
{
	GIOChannel *ch = g_io_channel_new_file(path, "r", err);
	if (!ch)
		return FALSE;
	g_io_channel_set_encoding(ch, NULL, NULL);
	char prev[65], *line = NULL;
	gsize len = 0;
	guint64 no = 0;
	gboolean intact = TRUE;
	GIOStatus st;
	g_strlcpy(prev, MG_AUDIT_GENESIS, sizeof prev);
	v->first_prev[0] = '\0';
	*n_ok = 0;
	while (intact && (st = g_io_channel_read_line(ch, &line, &len, NULL, err)) == G_IO_STATUS_NORMAL) {
		no++;
		v->first_line = no == 1;
		gboolean nl = len > 0 && line[len - 1] == '\n';
		*why = nl ? verify_line(line, len - 1, prev, v) : g_strdup("last line is incomplete (no newline)");
		if (*why) {
			*bad_line = no;
			intact = FALSE;
		} else
			(*n_ok)++;
		g_free(line);
	}
	g_io_channel_unref(ch);
	if (intact && no > 0)
		g_strlcpy(v->last, prev, sizeof v->last);
	if (intact && err && *err)
		return FALSE;
	return intact;
}

gboolean mg_audit_verify(const char *path, guint64 *n_ok, guint64 *bad_line, char **why, GError **err)
{
	struct mg_audit_chain v = {{0}};
	return mg_audit_verify_chain(path, &v, n_ok, bad_line, why, err);
}

gboolean mg_audit_foreach(const char *path, mg_audit_fn fn, gpointer data, guint64 *n_bad, GError **err)
{
	GIOChannel *ch = g_io_channel_new_file(path, "r", err);
	if (!ch)
		return FALSE;
	g_io_channel_set_encoding(ch, NULL, NULL);
	JsonParser *p = json_parser_new();
	char *line = NULL;
	gsize len = 0;
	guint64 no = 0;
	gboolean go = TRUE;
	GIOStatus st = G_IO_STATUS_NORMAL;
	while (go && (st = g_io_channel_read_line(ch, &line, &len, NULL, err)) == G_IO_STATUS_NORMAL) {
		no++;
		if (json_parser_load_from_data(p, line, (gssize)len, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			go = fn(json_node_get_object(json_parser_get_root(p)), no, data);
		else if (n_bad)
			(*n_bad)++;
		g_free(line);
	}
	g_object_unref(p);
	g_io_channel_unref(ch);
	return st != G_IO_STATUS_ERROR;
}
