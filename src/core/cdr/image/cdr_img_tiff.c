/*
 * cdr_img_tiff.c - TIFF codec of the image rebuilder (see cdr_image.h).
 *
 * Reads every page (IFD) with libtiff from memory (TIFFClientOpenExt with
 * per-handle error handlers and a single-allocation cap, so nothing is
 * printed and nothing global is touched): each page's size is checked
 * before TIFFReadRGBAImageOriented decodes it to RGBA, whatever its
 * compression and photometric.  Each page is written again as a new IFD
 * holding only the tags needed to show it (size, samples, photometric,
 * compression, strips, resolution): 1-bit pages (fax) as CCITT G4,
 * single-sample pages as 8-bit gray, the rest as 8-bit RGB(A), Deflate.
 * EXIF/GPS IFDs, XMP, IPTC, Photoshop, ICC, descriptions and any data no
 * IFD points to are gone.  All pages are kept (image_max_frames).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

#include "cdr_image.h"

#define TIFF_ALLOC_SLACK (16 * 1024 * 1024)

/* A TIFF file in memory: read-only input or growing output. */
struct tiff_mem {
	const guint8 *rdata;
	gsize rlen;
	GByteArray *w; /* output, or NULL */
	gint64 off;
	gboolean failed; /* libtiff reported an error */
};

static gsize tm_len(const struct tiff_mem *m)
{
	return m->w ? m->w->len : m->rlen;
}

static tmsize_t tm_read(thandle_t h, void *buf, tmsize_t n)
{
	struct tiff_mem *m = h;
	const guint8 *base = m->w ? m->w->data : m->rdata;
	gsize len = tm_len(m);
	if (n < 0 || m->off < 0 || (guint64)m->off >= len)
		return 0;
	gsize take = MIN((gsize)n, len - (gsize)m->off);
	memcpy(buf, base + m->off, take);
	m->off += (gint64)take;
	return (tmsize_t)take;
}

static tmsize_t tm_write(thandle_t h, void *buf, tmsize_t n)
{
	struct tiff_mem *m = h;
	if (!m->w || n < 0 || m->off < 0 || (guint64)m->off + (guint64)n > G_MAXUINT)
		return -1;
	if ((gsize)m->off + (gsize)n > m->w->len)
		g_byte_array_set_size(m->w, (guint)(m->off + n));
	memcpy(m->w->data + m->off, buf, (gsize)n);
	m->off += n;
	return n;
}

static toff_t tm_seek(thandle_t h, toff_t off, int whence)
{
	struct tiff_mem *m = h;
	gint64 base = whence == SEEK_CUR ? m->off : whence == SEEK_END ? (gint64)tm_len(m) : 0;
	if (off > (toff_t)G_MAXINT32 * 4 || base + (gint64)off < 0)
		return (toff_t)-1;
	m->off = base + (gint64)off;
	return (toff_t)m->off;
}

static int tm_close(thandle_t h)
{
	return 0;
}

static toff_t tm_size(thandle_t h)
{
	return tm_len(h);
}

static int tm_map(thandle_t h, void **base, toff_t *size)
{
	return 0;
}

static void tm_unmap(thandle_t h, void *base, toff_t size) {}

static int tiff_error_cb(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	((struct tiff_mem *)user)->failed = TRUE;
	return 1; /* handled: the global handler stays silent */
}

static int tiff_warning_cb(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	return 1;
}

static TIFF *tiff_open(struct tiff_mem *m, const char *mode, const struct mg_img_job *job)
{
	TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
	guint64 cap = (guint64)job->max_pixels * 8 + TIFF_ALLOC_SLACK;
	TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)MIN(cap, (guint64)G_MAXSSIZE));
	TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error_cb, m);
	TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_warning_cb, m);
	TIFF *tif = TIFFClientOpenExt("attachment.tif", mode, m, tm_read, tm_write, tm_seek, tm_close, tm_size, tm_map,
				      tm_unmap, opts);
	TIFFOpenOptionsFree(opts);
	return tif;
}

enum tiff_kind { TK_BILEVEL, TK_GRAY, TK_RGB, TK_RGBA };

struct tiff_page {
	guint32 w, h;
	enum tiff_kind kind;
	guint32 *raster; /* ABGR from TIFFReadRGBAImageOriented, top row first */
	float xres, yres;
	guint16 resunit;
	gboolean has_res;
};

static void tiff_note_meta(struct mg_img_job *job, TIFF *in)
{
	guint32 n = 0;
	void *p = NULL;
	guint64 off = 0;
	char *s = NULL;
	if (TIFFGetField(in, TIFFTAG_GPSIFD, &off))
		mg_img_removed(job, "GPS position");
	if (TIFFGetField(in, TIFFTAG_EXIFIFD, &off))
		mg_img_removed(job, "EXIF metadata");
	if (TIFFGetField(in, TIFFTAG_XMLPACKET, &n, &p))
		mg_img_removed(job, "XMP metadata");
	if (TIFFGetField(in, TIFFTAG_ICCPROFILE, &n, &p))
		mg_img_removed(job, "ICC colour profile");
	if (TIFFGetField(in, TIFFTAG_RICHTIFFIPTC, &n, &p) || TIFFGetField(in, TIFFTAG_PHOTOSHOP, &n, &p))
		mg_img_removed(job, "IPTC/Photoshop metadata");
	if (TIFFGetField(in, TIFFTAG_IMAGEDESCRIPTION, &s))
		mg_img_removed(job, "image description");
}

static gboolean tiff_read_page(struct mg_img_job *job, TIFF *in, struct tiff_page *pg)
{
	guint16 bps = 1, spp = 1, n_extra = 0, *extra = NULL, photometric = PHOTOMETRIC_MINISWHITE;
	if (!TIFFGetField(in, TIFFTAG_IMAGEWIDTH, &pg->w) || !TIFFGetField(in, TIFFTAG_IMAGELENGTH, &pg->h))
		return FALSE;
	if (!mg_img_check_size(job, pg->w, pg->h) || mg_img_past_deadline(job))
		return FALSE;
	TIFFGetFieldDefaulted(in, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(in, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(in, TIFFTAG_EXTRASAMPLES, &n_extra, &extra);
	TIFFGetField(in, TIFFTAG_PHOTOMETRIC, &photometric);
	gboolean gray = spp == 1 && (photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK);
	pg->kind = gray && bps == 1 ? TK_BILEVEL : gray ? TK_GRAY : n_extra > 0 ? TK_RGBA : TK_RGB;
	pg->has_res = TIFFGetField(in, TIFFTAG_XRESOLUTION, &pg->xres) &&
		      TIFFGetField(in, TIFFTAG_YRESOLUTION, &pg->yres) && pg->xres > 0 && pg->yres > 0;
	TIFFGetFieldDefaulted(in, TIFFTAG_RESOLUTIONUNIT, &pg->resunit);
	tiff_note_meta(job, in);
	pg->raster = g_try_malloc((gsize)pg->w * pg->h * 4);
	if (!pg->raster)
		return FALSE;
	return TIFFReadRGBAImageOriented(in, pg->w, pg->h, pg->raster, ORIENTATION_TOPLEFT, 0) == 1;
}

static void tiff_set_layout(TIFF *o, const struct tiff_page *pg)
{
	/* TIFFReadRGBAImage premultiplies: the raster's alpha is associated. */
	static const guint16 alpha[] = {EXTRASAMPLE_ASSOCALPHA};
	static const struct {
		guint16 bps, spp, photometric, compression;
	} fmt[] = {
		[TK_BILEVEL] = {1, 1, PHOTOMETRIC_MINISWHITE, COMPRESSION_CCITTFAX4},
		[TK_GRAY] = {8, 1, PHOTOMETRIC_MINISBLACK, COMPRESSION_ADOBE_DEFLATE},
		[TK_RGB] = {8, 3, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE},
		[TK_RGBA] = {8, 4, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE},
	};
	TIFFSetField(o, TIFFTAG_IMAGEWIDTH, pg->w);
	TIFFSetField(o, TIFFTAG_IMAGELENGTH, pg->h);
	TIFFSetField(o, TIFFTAG_BITSPERSAMPLE, fmt[pg->kind].bps);
	TIFFSetField(o, TIFFTAG_SAMPLESPERPIXEL, fmt[pg->kind].spp);
	TIFFSetField(o, TIFFTAG_PHOTOMETRIC, fmt[pg->kind].photometric);
	TIFFSetField(o, TIFFTAG_COMPRESSION, fmt[pg->kind].compression);
	TIFFSetField(o, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	if (pg->kind == TK_RGBA)
		TIFFSetField(o, TIFFTAG_EXTRASAMPLES, 1, alpha);
	TIFFSetField(o, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(o, 0));
	if (pg->has_res) {
		TIFFSetField(o, TIFFTAG_XRESOLUTION, pg->xres);
		TIFFSetField(o, TIFFTAG_YRESOLUTION, pg->yres);
		TIFFSetField(o, TIFFTAG_RESOLUTIONUNIT, pg->resunit);
	}
}

/* One output row from the RGBA raster. */
static void tiff_pack_row(const struct tiff_page *pg, guint32 y, guint8 *row)
{
	const guint32 *src = pg->raster + (gsize)y * pg->w;
	if (pg->kind == TK_BILEVEL)
		memset(row, 0, (pg->w + 7) / 8);
	for (guint32 x = 0; x < pg->w; x++) {
		guint32 p = src[x];
		if (pg->kind == TK_BILEVEL) {
			if (TIFFGetR(p) + TIFFGetG(p) + TIFFGetB(p) < 3 * 128)
				row[x / 8] |= (guint8)(0x80 >> (x % 8));
		} else if (pg->kind == TK_GRAY) {
			row[x] = (guint8)TIFFGetR(p);
		} else {
			int spp = pg->kind == TK_RGBA ? 4 : 3;
			row[x * spp] = (guint8)TIFFGetR(p);
			row[x * spp + 1] = (guint8)TIFFGetG(p);
			row[x * spp + 2] = (guint8)TIFFGetB(p);
			if (spp == 4)
				row[x * spp + 3] = (guint8)TIFFGetA(p);
		}
	}
}

static gboolean tiff_write_page(TIFF *o, const struct tiff_page *pg)
{
	gboolean ok = TRUE;
	guint8 *row = g_try_malloc((gsize)pg->w * 4 + 1);
	if (!row)
		return FALSE;
	tiff_set_layout(o, pg);
	for (guint32 y = 0; y < pg->h && ok; y++) {
		tiff_pack_row(pg, y, row);
		ok = TIFFWriteScanline(o, row, y, 0) >= 0;
	}
	g_free(row);
	return ok && TIFFWriteDirectory(o);
}

static gboolean tiff_pages(struct mg_img_job *job, TIFF *in, TIFF *o, struct tiff_mem *mi)
{
	do {
		struct tiff_page pg = {0};
		gboolean ok = tiff_read_page(job, in, &pg) && !mi->failed && tiff_write_page(o, &pg);
		g_free(pg.raster);
		if (!ok)
			return FALSE;
	} while (TIFFReadDirectory(in));
	return !mi->failed;
}

enum mg_cdr_status mg_img_tiff(struct mg_img_job *job)
{
	struct tiff_mem mi = {.rdata = job->data, .rlen = job->len};
	struct tiff_mem mo = {.w = g_byte_array_new()};
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;
	TIFF *in = tiff_open(&mi, "rm", job);
	TIFF *o = in ? tiff_open(&mo, "w", job) : NULL;

	gboolean ok = o && tiff_pages(job, in, o, &mi);
	if (o)
		TIFFClose(o); /* flushes the last directory into mo.w */
	if (!ok || mo.failed) {
		st = mg_img_unscannable(job, job->fail ? job->fail : "corrupt or unsupported TIFF");
		goto out;
	}
	job->out->data = mo.w;
	mo.w = NULL;
	st = MG_CDR_REBUILT;
out:
	if (in)
		TIFFClose(in);
	if (mo.w)
		g_byte_array_unref(mo.w);
	return st;
}
