/*
 * cdr_zipspan.c - a libzip source over a window of a file (issue 15,
 * deliverable 4).
 *
 * libzip compresses nothing before zip_close(): every member added from a
 * buffer stays in memory until then, so a rebuilt archive of 70 MB of
 * members held all 70 MB at once.  The archive rebuilder writes members
 * past spool_memory_max to one private spool file instead and adds each
 * as this source: `len` bytes at `start` of `fd`, read (pread) when libzip
 * writes the archive.  It answers like a buffer source (size, stored,
 * not encrypted, seekable), so libzip writes the same bytes either way.
 * The fd stays the caller's and must outlive the zip_t.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "cdr_archive.h"

struct zipspan {
	int fd;
	zip_uint64_t start, len, pos;
	time_t mtime;
	zip_error_t err;
};

static zip_int64_t span_read(struct zipspan *sp, void *data, zip_uint64_t want)
{
	zip_uint64_t n = MIN(want, sp->len - sp->pos), got = 0;
	while (got < n) {
		ssize_t r = pread(sp->fd, (char *)data + got, (size_t)(n - got), (off_t)(sp->start + sp->pos + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) { /* the spool file is shorter than what was written: never pass less */
			zip_error_set(&sp->err, ZIP_ER_READ, r < 0 ? errno : EIO);
			return -1;
		}
		got += (zip_uint64_t)r;
	}
	sp->pos += n;
	return (zip_int64_t)n;
}

static zip_int64_t span_stat(struct zipspan *sp, void *data, zip_uint64_t len)
{
	zip_stat_t *st = data;
	if (len < sizeof *st) {
		zip_error_set(&sp->err, ZIP_ER_INVAL, 0);
		return -1;
	}
	zip_stat_init(st);
	st->mtime = sp->mtime;
	st->size = sp->len;
	st->comp_size = sp->len;
	st->comp_method = ZIP_CM_STORE;
	st->encryption_method = ZIP_EM_NONE;
	st->valid =
		ZIP_STAT_MTIME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
	return (zip_int64_t)sizeof *st;
}

static zip_int64_t span_seek(struct zipspan *sp, void *data, zip_uint64_t len)
{
	zip_int64_t off = zip_source_seek_compute_offset(sp->pos, sp->len, data, len, &sp->err);
	if (off < 0)
		return -1;
	sp->pos = (zip_uint64_t)off;
	return 0;
}

static zip_int64_t span_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct zipspan *sp = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN: sp->pos = 0; return 0;
	case ZIP_SOURCE_READ: return span_read(sp, data, len);
	case ZIP_SOURCE_CLOSE: return 0;
	case ZIP_SOURCE_STAT: return span_stat(sp, data, len);
	case ZIP_SOURCE_ERROR: return zip_error_to_data(&sp->err, data, len);
	case ZIP_SOURCE_SEEK: return span_seek(sp, data, len);
	case ZIP_SOURCE_TELL: return (zip_int64_t)sp->pos;
	case ZIP_SOURCE_SUPPORTS: return ZIP_SOURCE_SUPPORTS_SEEKABLE;
	case ZIP_SOURCE_FREE:
		zip_error_fini(&sp->err);
		g_free(sp);
		return 0;
	default: zip_error_set(&sp->err, ZIP_ER_OPNOTSUPP, 0); return -1;
	}
}

zip_source_t *mg_cdr_zipspan_source(zip_t *z, int fd, guint64 start, guint64 len, time_t mtime)
{
	struct zipspan *sp = g_new0(struct zipspan, 1);
	sp->fd = fd;
	sp->start = start;
	sp->len = len;
	sp->mtime = mtime;
	zip_error_init(&sp->err);
	zip_source_t *s = zip_source_function(z, span_cb, sp);
	if (!s) {
		zip_error_fini(&sp->err);
		g_free(sp);
	}
	return s;
}
