/*
 * scan_tmpdir.c - libclamav's temporary directory (issue 11).
 *
 * libclamav makes a directory YYYYMMDD_HHMMSS-scantemp.XXXXXXXXXX under its
 * TMPDIR for every scan; when it cannot, the scan reports CLEAN without
 * having looked (docs/faults.md).  So the directory is checked before every
 * scan, at start and at every reload (mg_scan_check_tmpdir): a directory,
 * writable and searchable by the user the daemon runs as, with
 * spool_min_free bytes and TMPDIR_MIN_INODES inodes left.  Any doubt is a
 * failed check, and the error names spool_dir, the directory and why.
 *
 * A daemon killed in mid-scan leaves its scantemp directories behind (and
 * what libclamav extracted into them); mg_scan_cleanup_tmpdir removes them
 * at start - only names of libclamav's forms, only entries owned by the
 * running user and older than this process, so that a concurrent scan of
 * another process sharing the directory is never touched.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mg_log.h"
#include "mg_scan.h"

#define TMPDIR_ERROR      (g_quark_from_static_string("mg-scan-tmpdir"))
#define TMPDIR_MIN_INODES 64 /* a scan creates a directory and a file per unpacked layer */
#define CLEAN_MAX_DEPTH   32 /* deeper than libclamav nests its extraction directories */

const char *mg_scan_tmpdir(const struct mg_config *cfg)
{
	return cfg->spool_dir && *cfg->spool_dir ? cfg->spool_dir : g_get_tmp_dir();
}

/* The user's own bits, the group's (primary or supplementary) or the
 * others' apply, as the kernel decides (POSIX ACLs are not read). */
static gboolean user_may_write(const struct stat *st, const struct passwd *pw)
{
	if (pw->pw_uid == 0)
		return TRUE;
	if (st->st_uid == pw->pw_uid)
		return (st->st_mode & (S_IWUSR | S_IXUSR)) == (S_IWUSR | S_IXUSR);
	gid_t groups[256];
	int n = G_N_ELEMENTS(groups);
	gboolean member = st->st_gid == pw->pw_gid;
	if (!member && getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) >= 0)
		for (int i = 0; i < n && !member; i++)
			member = groups[i] == st->st_gid;
	if (member)
		return (st->st_mode & (S_IWGRP | S_IXGRP)) == (S_IWGRP | S_IXGRP);
	return (st->st_mode & (S_IWOTH | S_IXOTH)) == (S_IWOTH | S_IXOTH);
}

/* Writable and searchable by `user` (when running as root and one is
 * given: the user the daemon will become), else by this process. */
static gboolean check_access(const char *dir, const struct stat *st, const char *user, GError **err)
{
	if (user && *user && geteuid() == 0) {
		struct passwd *pw = getpwnam(user);
		if (!pw) {
			g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: user %s does not exist", dir, user);
			return FALSE;
		}
		if (user_may_write(st, pw))
			return TRUE;
		g_set_error(err, TMPDIR_ERROR, 1,
			    "spool_dir %s: not writable by user %s (owner uid %u, group gid %u, mode %04o)", dir, user,
			    (unsigned)st->st_uid, (unsigned)st->st_gid, (unsigned)(st->st_mode & 07777));
		return FALSE;
	}
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0)
		return TRUE;
	g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: not writable by this process (uid %u): %s", dir,
		    (unsigned)geteuid(), g_strerror(errno));
	return FALSE;
}

static gboolean check_space(const char *dir, gint64 min_free, GError **err)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) != 0) {
		g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: cannot tell the free space: %s", dir,
			    g_strerror(errno));
		return FALSE;
	}
	guint64 bytes = (guint64)vfs.f_bavail * (guint64)vfs.f_frsize;
	if (min_free > 0 && bytes < (guint64)min_free) {
		g_set_error(err, TMPDIR_ERROR, 1,
			    "spool_dir %s: %" G_GUINT64_FORMAT
			    " bytes free, less than spool_min_free (%" G_GINT64_FORMAT ")",
			    dir, bytes, min_free);
		return FALSE;
	}
	/* f_files == 0: the filesystem does not count inodes (btrfs, some FUSE) */
	if (vfs.f_files > 0 && vfs.f_favail < TMPDIR_MIN_INODES) {
		g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: no inodes left (%lu free)", dir,
			    (unsigned long)vfs.f_favail);
		return FALSE;
	}
	return TRUE;
}

gboolean mg_scan_check_tmpdir(const struct mg_config *cfg, const char *user, GError **err)
{
	const char *dir = mg_scan_tmpdir(cfg);
	struct stat st;
	if (stat(dir, &st) != 0) {
		g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	if (!S_ISDIR(st.st_mode)) {
		g_set_error(err, TMPDIR_ERROR, 1, "spool_dir %s: not a directory", dir);
		return FALSE;
	}
	return check_access(dir, &st, user, err) && check_space(dir, cfg->spool_min_free, err);
}

/* ---- leftovers of a crash ---- */

/* YYYYMMDD_HHMMSS-scantemp.HEX (a scan's directory) or clamav-HEX.tmp. */
static gboolean leftover_name(const char *name)
{
	static const char form[] = "DDDDDDDD_DDDDDD-scantemp.";
	gsize n = strlen(name), f = sizeof form - 1;
	if (n > f && strncmp(name + 15, "-scantemp.", 10) == 0) {
		for (gsize i = 0; i < f; i++)
			if (form[i] == 'D' ? !g_ascii_isdigit(name[i]) : name[i] != form[i])
				return FALSE;
		for (gsize i = f; i < n; i++)
			if (!g_ascii_isxdigit(name[i]))
				return FALSE;
		return TRUE;
	}
	if (g_str_has_prefix(name, "clamav-") && g_str_has_suffix(name, ".tmp") && n > 11) {
		for (gsize i = 7; i < n - 4; i++)
			if (!g_ascii_isxdigit(name[i]))
				return FALSE;
		return TRUE;
	}
	return FALSE;
}

/* Remove path and everything below it (no symlink is followed); adds the
 * bytes freed to *bytes.  FALSE when something stayed. */
static gboolean remove_tree(const char *path, int depth, guint64 *bytes)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT;
	if (S_ISDIR(st.st_mode) && depth < CLEAN_MAX_DEPTH) {
		GDir *d = g_dir_open(path, 0, NULL);
		const char *name;
		while (d && (name = g_dir_read_name(d))) {
			char *p = g_build_filename(path, name, NULL);
			remove_tree(p, depth + 1, bytes);
			g_free(p);
		}
		if (d)
			g_dir_close(d);
		return g_rmdir(path) == 0;
	}
	*bytes += (guint64)st.st_size;
	return g_unlink(path) == 0;
}

static gint64 mtime_us(const struct stat *st)
{
	return (gint64)st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

guint mg_scan_cleanup_tmpdir(const struct mg_config *cfg, gint64 started_us)
{
	const char *dir = mg_scan_tmpdir(cfg), *name;
	GDir *d = g_dir_open(dir, 0, NULL);
	guint removed = 0, failed = 0;
	guint64 bytes = 0;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		struct stat st;
		if (leftover_name(name) && lstat(p, &st) == 0 && st.st_uid == geteuid() && mtime_us(&st) < started_us) {
			if (remove_tree(p, 0, &bytes))
				removed++;
			else
				failed++;
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	if (removed)
		mg_info(NULL,
			"spool_dir %s: removed %u libclamav scantemp leftovers of an earlier run (%" G_GUINT64_FORMAT
			" bytes)",
			dir, removed, bytes);
	if (failed)
		mg_warn(NULL, "spool_dir %s: %u libclamav leftovers could not be removed", dir, failed);
	return removed;
}
