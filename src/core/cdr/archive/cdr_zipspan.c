/*
 * cdr_zipspan.c - libzip sources of the archive rebuilder that keep the
 * rebuild out of memory (issue 15, deliverable 4).
 *
 * libzip compresses nothing before zip_close(): every member added from a
 * buffer stays in memory until then, so a rebuilt archive of 70 MB of
 * members held all 70 MB at once.  The archive rebuilder writes members
 * past spool_memory_max to one private spool file instead and adds each
 * as this source: `len` bytes at `start` of `fd`, read (pread) when libzip
 * writes the archive.  It answers like a buffer source (size, stored,
 * not encrypted, seekable), so libzip writes the same bytes either way.
 * The fd stays the caller's and must outlive the zip_t.  The zip written
 * goes to a source of its own (mg_cdr_zipout, below).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
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

/* ZIP_SOURCE_STAT of both sources: `size` bytes, stored, not encrypted. */
static zip_int64_t stat_stored(zip_error_t *err, void *data, zip_uint64_t len, time_t mtime, zip_uint64_t size)
{
	zip_stat_t *st = data;
	if (len < sizeof *st) {
		zip_error_set(err, ZIP_ER_INVAL, 0);
		return -1;
	}
	zip_stat_init(st);
	st->mtime = mtime;
	st->size = size;
	st->comp_size = size;
	st->comp_method = ZIP_CM_STORE;
	st->encryption_method = ZIP_EM_NONE;
	st->valid =
		ZIP_STAT_MTIME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
	return (zip_int64_t)sizeof *st;
}

static zip_int64_t span_stat(struct zipspan *sp, void *data, zip_uint64_t len)
{
	return stat_stored(&sp->err, data, len, sp->mtime, sp->len);
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

/* ---- the rebuilt zip itself ----
 *
 * libzip writes the archive at zip_close() into its source; a buffer
 * source keeps it in fragments that had to be copied into one block for
 * the CDR result, twice the zip's size at once.  This source writes into
 * one growing block (g_try_realloc: a failure is ZIP_ER_MEMORY, the
 * rebuild's error, never an abort) that becomes the result as it is. */
struct mg_cdr_zipout {
	guint8 *data, *w; /* committed bytes; the ones being written */
	gsize len, wlen, wcap, pos, wpos;
	time_t mtime;
	zip_error_t err;
};

static zip_int64_t out_write(struct mg_cdr_zipout *o, const void *data, zip_uint64_t n)
{
	if (n > G_MAXSIZE - o->wpos) {
		zip_error_set(&o->err, ZIP_ER_INVAL, 0);
		return -1;
	}
	gsize end = o->wpos + (gsize)n;
	if (end > o->wcap) {
		gsize cap = MAX(end, o->wcap > G_MAXSIZE / 2 ? end : MAX(o->wcap * 2, (gsize)65536));
		guint8 *p = g_try_realloc(o->w, cap);
		if (!p) {
			zip_error_set(&o->err, ZIP_ER_MEMORY, 0);
			return -1;
		}
		o->w = p;
		o->wcap = cap;
	}
	memcpy(o->w + o->wpos, data, (gsize)n);
	o->wpos = end;
	o->wlen = MAX(o->wlen, end);
	return (zip_int64_t)n;
}

static zip_int64_t out_read(struct mg_cdr_zipout *o, void *data, zip_uint64_t want)
{
	gsize n = (gsize)MIN(want, (zip_uint64_t)(o->len - o->pos));
	if (n)
		memcpy(data, o->data + o->pos, n);
	o->pos += n;
	return (zip_int64_t)n;
}

static zip_int64_t out_stat(struct mg_cdr_zipout *o, void *data, zip_uint64_t len)
{
	return stat_stored(&o->err, data, len, o->mtime, (zip_uint64_t)o->len);
}

/* A seek of the reading (write = FALSE) or the writing position. */
static zip_int64_t out_seek(struct mg_cdr_zipout *o, void *data, zip_uint64_t len, gboolean write)
{
	gsize *at = write ? &o->wpos : &o->pos;
	zip_int64_t off = zip_source_seek_compute_offset(*at, write ? o->wlen : o->len, data, len, &o->err);
	if (off < 0)
		return -1;
	*at = (gsize)off;
	return 0;
}

static void out_drop_write(struct mg_cdr_zipout *o)
{
	g_free(o->w);
	o->w = NULL;
	o->wlen = o->wcap = o->wpos = 0;
}

static zip_int64_t out_commit(struct mg_cdr_zipout *o)
{
	g_free(o->data);
	o->data = o->w;
	o->len = o->wlen;
	o->w = NULL;
	o->wlen = o->wcap = o->wpos = 0;
	return 0;
}

static zip_int64_t out_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct mg_cdr_zipout *o = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN: o->pos = 0; return 0;
	case ZIP_SOURCE_READ: return out_read(o, data, len);
	case ZIP_SOURCE_CLOSE: return 0;
	case ZIP_SOURCE_STAT: return out_stat(o, data, len);
	case ZIP_SOURCE_ERROR: return zip_error_to_data(&o->err, data, len);
	case ZIP_SOURCE_SEEK: return out_seek(o, data, len, FALSE);
	case ZIP_SOURCE_TELL: return (zip_int64_t)o->pos;
	case ZIP_SOURCE_BEGIN_WRITE: out_drop_write(o); return 0;
	case ZIP_SOURCE_WRITE: return out_write(o, data, len);
	case ZIP_SOURCE_SEEK_WRITE: return out_seek(o, data, len, TRUE);
	case ZIP_SOURCE_TELL_WRITE: return (zip_int64_t)o->wpos;
	case ZIP_SOURCE_COMMIT_WRITE: return out_commit(o);
	case ZIP_SOURCE_ROLLBACK_WRITE: out_drop_write(o); return 0;
	case ZIP_SOURCE_REMOVE:
		g_free(o->data);
		o->data = NULL;
		o->len = o->pos = 0;
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
			ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR,
			ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_BEGIN_WRITE,
			ZIP_SOURCE_COMMIT_WRITE, ZIP_SOURCE_REMOVE, ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_SEEK_WRITE,
			ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_WRITE, -1);
	case ZIP_SOURCE_FREE:
		out_drop_write(o);
		g_free(o->data);
		zip_error_fini(&o->err);
		g_free(o);
		return 0;
	default: zip_error_set(&o->err, ZIP_ER_OPNOTSUPP, 0); return -1;
	}
}

zip_source_t *mg_cdr_zipout_new(struct mg_cdr_zipout **out, zip_error_t *ze)
{
	struct mg_cdr_zipout *o = g_new0(struct mg_cdr_zipout, 1);
	o->mtime = time(NULL);
	zip_error_init(&o->err);
	zip_source_t *s = zip_source_function_create(out_cb, o, ze);
	if (!s) {
		zip_error_fini(&o->err);
		g_free(o);
		o = NULL;
	}
	*out = o;
	return s;
}

GByteArray *mg_cdr_zipout_take(struct mg_cdr_zipout *o)
{
	if (!o || !o->data || o->len > G_MAXUINT)
		return NULL;
	GByteArray *ba = g_byte_array_new_take(o->data, o->len);
	o->data = NULL;
	o->len = o->pos = 0;
	return ba;
}
