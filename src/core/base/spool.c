/*
 * spool.c - see mg_spool.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_spool.h"

struct mg_spool {
	char *dir;
	gsize mem_max, hard_max, size;
	GByteArray *mem; /* while in memory */
	int fd;          /* once on disk */
};

struct mg_spool *mg_spool_new(const char *dir, gsize mem_max, gsize hard_max)
{
	struct mg_spool *sp = g_new0(struct mg_spool, 1);
	sp->dir = g_strdup(dir && *dir ? dir : g_get_tmp_dir());
	sp->mem_max = mem_max;
	sp->hard_max = hard_max;
	sp->mem = g_byte_array_new();
	sp->fd = -1;
	return sp;
}

static gboolean write_all(int fd, const void *data, gsize len, GError **err)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno), "spool write: %s",
				    g_strerror(errno));
			return FALSE;
		}
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static int private_tmp(const char *dir, GError **err)
{
	char *tmpl = g_build_filename(dir && *dir ? dir : g_get_tmp_dir(), "mugaika-XXXXXX", NULL);
	mode_t old = umask(077);
	int fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
	umask(old);
	if (fd < 0)
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno), "spool file in %s: %s", dir,
			    g_strerror(errno));
	else
		unlink(tmpl);
	g_free(tmpl);
	return fd;
}

int mg_spool_tmpfile(const char *dir, GError **err)
{
	return private_tmp(dir, err);
}

gboolean mg_spool_write_fd(int fd, const void *data, gsize len, GError **err)
{
	return write_all(fd, data, len, err);
}

GMimeStream *mg_spool_sink(const char *dir, gboolean on_disk, GError **err)
{
	if (!on_disk)
		return g_mime_stream_mem_new();
	int fd = private_tmp(dir, err);
	return fd < 0 ? NULL : g_mime_stream_fs_new(fd);
}

static gboolean spool_to_disk(struct mg_spool *sp, GError **err)
{
	sp->fd = private_tmp(sp->dir, err);
	if (sp->fd < 0)
		return FALSE;
	gboolean ok = write_all(sp->fd, sp->mem->data, sp->mem->len, err);
	g_byte_array_free(sp->mem, TRUE);
	sp->mem = NULL;
	return ok;
}

enum mg_spool_status mg_spool_write(struct mg_spool *sp, const void *data, gsize len, GError **err)
{
	if (len > sp->hard_max - sp->size || sp->size > sp->hard_max)
		return MG_SPOOL_FULL;
	if (sp->mem && sp->size + len > sp->mem_max && !spool_to_disk(sp, err))
		return MG_SPOOL_ERROR;
	if (sp->mem)
		g_byte_array_append(sp->mem, data, (guint)len);
	else if (!write_all(sp->fd, data, len, err))
		return MG_SPOOL_ERROR;
	sp->size += len;
	return MG_SPOOL_OK;
}

gsize mg_spool_size(const struct mg_spool *sp)
{
	return sp->size;
}

void mg_spool_set_hard_max(struct mg_spool *sp, gsize hard_max)
{
	sp->hard_max = hard_max;
}

gboolean mg_spool_on_disk(const struct mg_spool *sp)
{
	return sp->mem == NULL;
}

GMimeStream *mg_spool_stream(struct mg_spool *sp, GError **err)
{
	if (sp->mem) {
		GMimeStream *s = g_mime_stream_mem_new_with_byte_array(sp->mem);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s), FALSE);
		return s;
	}
	int fd = dup(sp->fd);
	if (fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno), "spool dup: %s", g_strerror(errno));
		return NULL;
	}
	/* Unbounded on purpose: a bounded GMimeStreamFs answers -1 (not 0) at
	 * its end; the file holds exactly the spooled bytes anyway.  Start 0:
	 * the dup shares the writer's offset, which is at the end. */
	GMimeStream *s = g_mime_stream_fs_new_with_bounds(fd, 0, -1);
	return s;
}

gboolean mg_spool_copy_to(struct mg_spool *sp, FILE *out, GError **err)
{
	GMimeStream *s = mg_spool_stream(sp, err);
	char buf[65536];
	gssize n;
	gboolean ok = TRUE;
	if (!s)
		return FALSE;
	while ((n = g_mime_stream_read(s, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "write: %s", g_strerror(errno));
			ok = FALSE;
			break;
		}
	if (n < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "spool read failed");
		ok = FALSE;
	}
	g_object_unref(s);
	return ok;
}

void mg_spool_free(struct mg_spool *sp)
{
	if (!sp)
		return;
	if (sp->mem)
		g_byte_array_unref(sp->mem);
	if (sp->fd >= 0)
		close(sp->fd);
	g_free(sp->dir);
	g_free(sp);
}
