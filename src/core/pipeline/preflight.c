/*
 * preflight.c - what a configuration needs of this machine (issue 14):
 * `mugaika check-config` and mugaika-milter (before it loads the
 * signatures) check the same things: the user exists; the directories
 * exist, or can be made, and the daemon's user may use them; no directory
 * that holds mail or records is writable by every user; the files the
 * daemon reads on a reload are readable by it; the socket's directory
 * exists; and (check-config) the signature database loads.  Each finding
 * names the key, the path and the reason (the errno text).
 *
 * Permissions are worked out from the owner, group and mode bits of the
 * path and of every directory above it, for the daemon's user and its
 * groups (check-config usually runs as root for a daemon that runs as
 * another user, so access(2) would answer the wrong question).  ACLs are
 * not looked at.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_pipeline.h"
#include "mg_scan.h"

#define MAX_GROUPS 256

struct who {
	char *name;
	uid_t uid;
	gid_t groups[MAX_GROUPS];
	int n_groups;
};

struct pf {
	const struct mg_config *cfg;
	struct who who;
	mg_preflight_say say;
	gpointer data;
	guint errors;
};

static void say(struct pf *p, gboolean error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say(struct pf *p, gboolean error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p->errors += error ? 1 : 0;
	p->say(error, text, p->data);
	g_free(text);
}

/* The daemon's user: `user`, or the one running this. */
static gboolean who_init(struct pf *p, const char *user)
{
	errno = 0;
	struct passwd *pw = user && *user ? getpwnam(user) : getpwuid(geteuid());
	if (!pw) {
		say(p, TRUE, "user %s: %s", user ? user : "(current)", errno ? g_strerror(errno) : "no such user");
		return FALSE;
	}
	p->who.name = g_strdup(pw->pw_name);
	p->who.uid = pw->pw_uid;
	p->who.n_groups = MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, p->who.groups, &p->who.n_groups) < 0) {
		p->who.groups[0] = pw->pw_gid;
		p->who.n_groups = 1;
	}
	return TRUE;
}

static gboolean in_group(const struct who *w, gid_t gid)
{
	for (int i = 0; i < w->n_groups; i++)
		if (w->groups[i] == gid)
			return TRUE;
	return FALSE;
}

/* May w use st with the permission bits `want` (4 read, 2 write, 1 search)? */
static gboolean allowed(const struct who *w, const struct stat *st, unsigned want)
{
	if (w->uid == 0)
		return TRUE;
	unsigned bits = st->st_uid == w->uid      ? (st->st_mode >> 6) & 7
			: in_group(w, st->st_gid) ? (st->st_mode >> 3) & 7
						  : st->st_mode & 7;
	return (bits & want) == want;
}

/* Every directory above path searchable by w?  Else the first that is not. */
static char *blocked_above(const struct who *w, const char *path)
{
	char *dir = g_path_get_dirname(path);
	char *bad = NULL;
	struct stat st;
	while (!bad) {
		if (stat(dir, &st) == 0 && !allowed(w, &st, 1))
			bad = g_strdup(dir);
		if (g_str_equal(dir, "/") || g_str_equal(dir, "."))
			break;
		char *up = g_path_get_dirname(dir);
		g_free(dir);
		dir = up;
	}
	g_free(dir);
	return bad;
}

/* path usable by the daemon's user with `want`; reports and returns FALSE
 * when not.  st gets the path's status. */
static gboolean usable(struct pf *p, const char *key, const char *path, unsigned want, struct stat *st)
{
	char *bad = blocked_above(&p->who, path);
	if (bad) {
		say(p, TRUE, "%s %s: %s (user %s cannot enter %s)", key, path, g_strerror(EACCES), p->who.name, bad);
		g_free(bad);
		return FALSE;
	}
	if (stat(path, st) != 0) {
		say(p, TRUE, "%s %s: %s", key, path, g_strerror(errno));
		return FALSE;
	}
	if (!allowed(&p->who, st, want)) {
		say(p, TRUE, "%s %s: %s (user %s may not %s it; owner %u:%u, mode %04o)", key, path, g_strerror(EACCES),
		    p->who.name, want & 2 ? "write to" : "read", (unsigned)st->st_uid, (unsigned)st->st_gid,
		    (unsigned)(st->st_mode & 07777));
		return FALSE;
	}
	return TRUE;
}

/* A directory the daemon writes into.  `private`: it holds mail or records,
 * so other users should not even list it. */
static void check_dir(struct pf *p, const char *key, const char *path, gboolean may_create, gboolean private)
{
	struct stat st;
	if (!path || !*path)
		return;
	if (may_create && stat(path, &st) != 0 && errno == ENOENT) {
		char *up = g_path_get_dirname(path);
		while (stat(up, &st) != 0 && errno == ENOENT && !g_str_equal(up, "/")) {
			char *next = g_path_get_dirname(up);
			g_free(up);
			up = next;
		}
		if (usable(p, key, up, 3, &st))
			say(p, FALSE, "%s %s: does not exist yet; the daemon creates it (mode 0700)", key, path);
		g_free(up);
		return;
	}
	if (!usable(p, key, path, 3, &st))
		return;
	if (!S_ISDIR(st.st_mode))
		say(p, TRUE, "%s %s: %s", key, path, g_strerror(ENOTDIR));
	else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		say(p, TRUE, "%s %s: mode %04o lets every user write there; allowed: no write permission for others",
		    key, path, (unsigned)(st.st_mode & 07777));
	else if (private && (st.st_mode & (S_IROTH | S_IXOTH)))
		say(p, FALSE, "%s %s: mode %04o lets every user enter it; better 0750 or 0700", key, path,
		    (unsigned)(st.st_mode & 07777));
}

/* A file the daemon appends to: its directory, and the file if it exists. */
static void check_log(struct pf *p, const char *key, const char *path)
{
	struct stat st;
	if (!path || !*path)
		return;
	char *dir = g_path_get_dirname(path);
	check_dir(p, key, dir, FALSE, TRUE);
	if (stat(path, &st) == 0)
		usable(p, key, path, 2, &st);
	g_free(dir);
}

/* A file the daemon reads again on every reload. */
static void check_readable(struct pf *p, const char *key, const char *path)
{
	struct stat st;
	if (path && *path && !g_str_equal(path, "(defaults)"))
		usable(p, key, path, 4, &st);
}

/* The socket's directory: it must exist; whoever creates the socket must
 * be able to write there (creator: that user for sure; NULL: the daemon's
 * user, unless the daemon is started as root, so only a note). */
static void check_socket_dir(struct pf *p, const char *path, const char *creator)
{
	struct stat st;
	char *dir = g_path_get_dirname(path);
	struct pf q = {.cfg = p->cfg, .say = p->say, .data = p->data};
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		say(p, TRUE, "socket directory %s: %s", dir, g_strerror(errno ? errno : ENOTDIR));
	} else if (creator && who_init(&q, creator)) {
		if (!usable(&q, "socket directory", dir, 3, &st))
			p->errors++;
		g_free(q.who.name);
	} else if (!creator && (!allowed(&p->who, &st, 3) || blocked_above(&p->who, dir))) {
		say(p, FALSE,
		    "socket directory %s: user %s cannot create the socket there; only a daemon started as "
		    "root can",
		    dir, p->who.name);
	}
	g_free(dir);
}

static void check_socket(struct pf *p, const char *socket, const char *creator)
{
	const char *path = g_str_has_prefix(socket, "unix:")    ? socket + 5
			   : g_str_has_prefix(socket, "local:") ? socket + 6
								: NULL;
	if (!path)
		return;
	errno = 0;
	check_socket_dir(p, path, creator);
	if (*p->cfg->socket_owner && !getpwnam(p->cfg->socket_owner))
		say(p, TRUE, "socket_owner %s: no such user", p->cfg->socket_owner);
	if (!*p->cfg->socket_group)
		return;
	struct group *gr = getgrnam(p->cfg->socket_group);
	if (!gr)
		say(p, TRUE, "socket_group %s: no such group", p->cfg->socket_group);
	else if (p->who.uid != 0 && !in_group(&p->who, gr->gr_gid))
		say(p, FALSE,
		    "socket_group %s: user %s is not a member, so a daemon that is not started as root cannot give "
		    "its socket to it (usermod -a -G %s %s)",
		    gr->gr_name, p->who.name, gr->gr_name, p->who.name);
}

static void check_pid_file(struct pf *p, const char *path)
{
	struct stat st;
	if (!path || !*path)
		return;
	char *dir = g_path_get_dirname(path), *up = g_path_get_dirname(dir);
	if (stat(dir, &st) != 0 && errno == ENOENT && stat(up, &st) == 0 && S_ISDIR(st.st_mode))
		say(p, FALSE, "pid_file %s: %s does not exist yet; the daemon creates it for user %s", path, dir,
		    p->who.name);
	else if (stat(dir, &st) != 0)
		say(p, TRUE, "pid_file %s: %s", dir, g_strerror(errno));
	else if (!allowed(&p->who, &st, 3))
		say(p, FALSE,
		    "pid_file %s: user %s may not write to %s, so the daemon cannot remove its pid file "
		    "when it stops (it empties it instead); better a directory of its own",
		    path, p->who.name, dir);
	g_free(up);
	g_free(dir);
}

static void check_database(struct pf *p, gboolean load)
{
	const struct mg_config *cfg = p->cfg;
	struct mg_scan_status s;
	struct stat st;
	GError *err = NULL;
	if (!usable(p, "clamav_database", cfg->clamav_database, 5, &st) || !load)
		return;
	if (!mg_scan_check_load(cfg, &s, &err)) {
		say(p, !cfg->scan_allow_degraded, "%s", err->message);
		g_error_free(err);
		return;
	}
	gboolean old = s.age > cfg->scan_db_max_age;
	if (old || s.age > cfg->scan_db_warn_age)
		say(p, FALSE, "clamav_database %s: the signatures are %" G_GINT64_FORMAT " hours old%s",
		    cfg->clamav_database, s.age / 3600,
		    old ? " (older than scan_db_max_age: mail is tempfailed until they are updated)" : "");
	else
		say(p, FALSE, "clamav_database %s: %u signatures loaded", cfg->clamav_database, s.sigs);
}

/* issue 11: libclamav's temporary files (spool_dir or $TMPDIR) can be made
 * by the daemon's user, or every scan would read as clean. */
static void check_tmpdir(struct pf *p)
{
	GError *err = NULL;
	if (!mg_scan_check_tmpdir(p->cfg, p->who.name, &err)) {
		say(p, TRUE, "%s", err->message);
		g_error_free(err);
	}
}

guint mg_preflight_check(const struct mg_config *cfg, const struct mg_preflight *opts, mg_preflight_say fn,
			 gpointer data)
{
	struct pf p = {.cfg = cfg, .say = fn, .data = data};
	if (!who_init(&p, opts->user && *opts->user ? opts->user : cfg->user)) {
		if (!who_init(&p, NULL)) /* go on as the current user */
			return p.errors;
	}
	check_readable(&p, "configuration", cfg->path);
	check_readable(&p, "notice_template", cfg->notice_template);
	check_readable(&p, "policy_replies", cfg->policy_replies);
	check_readable(&p, "auto_forward_permit_file", cfg->auto_forward_permit_file);
	check_dir(&p, "spool_dir", cfg->spool_dir, FALSE, TRUE);
	check_dir(&p, "quarantine_dir", cfg->quarantine_dir, TRUE, TRUE);
	check_log(&p, "audit_log", cfg->audit_log);
	check_log(&p, "admin_audit_log", cfg->admin_audit_log);
	check_pid_file(&p, opts->pid_file ? opts->pid_file : cfg->pid_file);
	check_socket(&p, opts->socket ? opts->socket : cfg->socket, opts->socket_creator);
	check_tmpdir(&p);
	check_database(&p, opts->load_database);
	g_free(p.who.name);
	return p.errors;
}
