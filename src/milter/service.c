/*
 * service.c - mugaika-milter as a system service (issue 14): the unix
 * socket's directory, owner, group and mode; the pid file; the switch to
 * the configured user; systemd's readiness protocol and the journal.
 *
 * Contract: every function that can fail returns FALSE with a GError that
 * names the file or the user and the reason (the errno text).  The socket
 * path and the pid file name are copied when they are made, so that a
 * reload, which releases the configuration they came from, cannot leave
 * them dangling (SIGHUP then SIGTERM used to read the freed pid file name);
 * mg_service_cleanup removes both on every exit after they were made, and
 * only those this process made.  Call order: mg_service_socket_prepare,
 * smfi_opensocket, mg_service_socket_own, [daemon()], mg_service_pid_write,
 * mg_service_become, mg_service_notify("READY=1") ... mg_service_cleanup.
 * The pid file is written as root before the switch, so it (and a
 * directory made for it) is given to the user the daemon switches to.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "mg_log.h"
#include "milter.h"

#define SERVICE_ERROR (g_quark_from_static_string("mg-service-error"))

static char *made_socket; /* the unix socket this process created */
static char *made_pid_file;

/* The path of a unix socket ("unix:/p", "local:/p"), or NULL. */
static const char *unix_path(const char *conn)
{
	if (g_str_has_prefix(conn, "unix:"))
		return conn + 5;
	if (g_str_has_prefix(conn, "local:"))
		return conn + 6;
	return NULL;
}

gboolean mg_service_socket_prepare(const char *conn, GError **err)
{
	const char *path = unix_path(conn);
	struct stat st;
	if (!path)
		return TRUE;
	char *dir = g_path_get_dirname(path);
	gboolean ok = FALSE;
	if (stat(dir, &st) != 0)
		g_set_error(err, SERVICE_ERROR, errno, "socket directory %s: %s", dir, g_strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		g_set_error(err, SERVICE_ERROR, ENOTDIR, "socket directory %s: %s", dir, g_strerror(ENOTDIR));
	else if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		g_set_error(err, SERVICE_ERROR, EEXIST, "socket %s: exists and is not a socket; not removing it", path);
	else if (lstat(path, &st) == 0 && unlink(path) != 0) /* a stale socket of an earlier run */
		g_set_error(err, SERVICE_ERROR, errno, "socket %s: cannot remove the old socket: %s", path,
			    g_strerror(errno));
	else
		ok = TRUE;
	g_free(dir);
	return ok;
}

static gboolean lookup_ids(const struct mg_config *cfg, uid_t *uid, gid_t *gid, GError **err)
{
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (*cfg->socket_owner) {
		struct passwd *pw = getpwnam(cfg->socket_owner);
		if (!pw) {
			g_set_error(err, SERVICE_ERROR, ENOENT, "socket_owner %s: no such user", cfg->socket_owner);
			return FALSE;
		}
		*uid = pw->pw_uid;
	}
	if (*cfg->socket_group) {
		struct group *gr = getgrnam(cfg->socket_group);
		if (!gr) {
			g_set_error(err, SERVICE_ERROR, ENOENT, "socket_group %s: no such group", cfg->socket_group);
			return FALSE;
		}
		*gid = gr->gr_gid;
	}
	return TRUE;
}

gboolean mg_service_socket_own(const struct mg_config *cfg, const char *conn, GError **err)
{
	const char *path = unix_path(conn);
	uid_t uid;
	gid_t gid;
	if (!path)
		return TRUE;
	g_free(made_socket);
	made_socket = g_strdup(path);
	if (!lookup_ids(cfg, &uid, &gid, err))
		return FALSE;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) != 0) {
		int e = errno;
		g_set_error(err, SERVICE_ERROR, e, "socket %s: cannot give it to %s:%s: %s%s", path,
			    *cfg->socket_owner ? cfg->socket_owner : "-", *cfg->socket_group ? cfg->socket_group : "-",
			    g_strerror(e),
			    e == EPERM ? " (a daemon not started as root must be a member of socket_group)" : "");
		return FALSE;
	}
	mode_t mode = (mode_t)g_ascii_strtoull(cfg->socket_mode, NULL, 8);
	if (chmod(path, mode) != 0) {
		g_set_error(err, SERVICE_ERROR, errno, "socket %s: cannot set mode %s: %s", path, cfg->socket_mode,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* The user the daemon will switch to, when it runs as root now: the pid
 * file (and a directory made for it) go to that user, so that it can
 * remove the file at exit (issue 14). */
static const struct passwd *switch_target(const char *user)
{
	if (geteuid() != 0 || !user || !*user)
		return NULL;
	const struct passwd *pw = getpwnam(user);
	return pw && pw->pw_uid != 0 ? pw : NULL;
}

/* The pid file's directory, made (mode 0755, for the daemon's user) when
 * it is missing, like systemd's RuntimeDirectory= for a daemon started by
 * hand after a reboot emptied /run. */
static gboolean pid_dir(const char *path, const struct passwd *pw, GError **err)
{
	char *dir = g_path_get_dirname(path);
	gboolean ok = TRUE;
	if (mkdir(dir, 0755) == 0) {
		if (pw && chown(dir, pw->pw_uid, pw->pw_gid) != 0) {
			g_set_error(err, SERVICE_ERROR, errno, "pid file directory %s: cannot give it to %s: %s", dir,
				    pw->pw_name, g_strerror(errno));
			ok = FALSE;
		}
	} else if (errno != EEXIST) {
		g_set_error(err, SERVICE_ERROR, errno, "pid file directory %s: %s", dir, g_strerror(errno));
		ok = FALSE;
	}
	g_free(dir);
	return ok;
}

gboolean mg_service_pid_write(const char *path, const char *user, GError **err)
{
	char buf[32];
	if (!path || !*path)
		return TRUE;
	const struct passwd *pw = switch_target(user);
	if (!pid_dir(path, pw, err))
		return FALSE;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		g_set_error(err, SERVICE_ERROR, errno, "pid file %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	g_free(made_pid_file);
	made_pid_file = g_strdup(path);
	int n = g_snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	errno = 0;
	gboolean ok = write(fd, buf, (size_t)n) == n && (!pw || fchown(fd, pw->pw_uid, pw->pw_gid) == 0);
	if (!ok)
		g_set_error(err, SERVICE_ERROR, errno ? errno : EIO, "pid file %s: %s", path,
			    g_strerror(errno ? errno : EIO));
	close(fd);
	return ok;
}

static gboolean switch_user(const struct passwd *pw, GError **err)
{
	if (setgroups(1, &pw->pw_gid) != 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		g_set_error(err, SERVICE_ERROR, errno, "dropping privileges to %s: %s", pw->pw_name, g_strerror(errno));
		return FALSE;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		g_set_error(err, SERVICE_ERROR, EPERM, "privileges could be regained after dropping them to %s",
			    pw->pw_name);
		return FALSE;
	}
	return TRUE;
}

gboolean mg_service_become(const char *user, GError **err)
{
	if (!user || !*user)
		return TRUE;
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		g_set_error(err, SERVICE_ERROR, ENOENT, "user %s: %s", user,
			    errno ? g_strerror(errno) : "no such user");
		return FALSE;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid) { /* systemd's User=, or started by that user */
		mg_info(NULL, "running as %s already; no privileges to drop", user);
		return TRUE;
	}
	if (geteuid() != 0) {
		g_set_error(err, SERVICE_ERROR, EPERM, "cannot switch to user %s: %s (running as uid %ld, not root)",
			    user, g_strerror(EPERM), (long)geteuid());
		return FALSE;
	}
	return switch_user(pw, err);
}

static void remove_made(char **path, const char *what)
{
	if (*path && unlink(*path) != 0 && errno != ENOENT)
		mg_warn(NULL, "cannot remove the %s %s: %s", what, *path, g_strerror(errno));
	g_free(*path);
	*path = NULL;
}

/* The pid file: removed; when its directory does not let this user remove
 * it (a root-owned directory and a daemon that dropped its privileges),
 * emptied, so that it names no process. */
static void remove_pid_file(void)
{
	if (!made_pid_file || unlink(made_pid_file) == 0 || errno == ENOENT) {
		g_clear_pointer(&made_pid_file, g_free);
		return;
	}
	int e = errno;
	char *dir = g_path_get_dirname(made_pid_file);
	int fd = (e == EACCES || e == EPERM) ? open(made_pid_file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW) : -1;
	if (fd >= 0)
		mg_warn(NULL,
			"cannot remove the pid file %s (%s: %s); emptied it instead: give %s to the daemon's user",
			made_pid_file, dir, g_strerror(e), dir);
	else
		mg_warn(NULL, "cannot remove the pid file %s: %s", made_pid_file, g_strerror(e));
	if (fd >= 0)
		close(fd);
	g_free(dir);
	g_clear_pointer(&made_pid_file, g_free);
}

void mg_service_cleanup(void)
{
	remove_made(&made_socket, "socket");
	remove_pid_file();
}

void mg_service_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

gboolean mg_service_stderr_is_journal(void)
{
	const char *e = g_getenv("JOURNAL_STREAM");
	unsigned long long dev = 0, ino = 0;
	struct stat st;
	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
		return FALSE;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
