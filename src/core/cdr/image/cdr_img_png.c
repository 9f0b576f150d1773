/*
 * cdr_img_png.c - PNG codec of the image rebuilder (see cdr_image.h).
 *
 * Reads with libpng from memory: IHDR dimensions are checked (and set as
 * libpng's own user limits) before the pixel buffer is allocated; every
 * colour type is expanded to 8-bit gray, gray+alpha, RGB or RGBA (16-bit
 * samples are reduced to 8 bits, palettes and tRNS become RGB(A)).  Writes a
 * fresh non-interlaced PNG with only IHDR, IDAT and IEND: text, EXIF,
 * iCCP, gAMA/cHRM/sRGB, tIME, APNG animation and unknown chunks are gone,
 * and bytes after IEND are counted and dropped.  libpng reports errors by
 * longjmp: the state it may leave behind lives in struct png_job (reached
 * through a pointer), never in locals changed after setjmp.
 */
#include "config.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>

#include "cdr_image.h"

#define PNG_CHUNK_MALLOC_MAX (8 * 1024 * 1024)
#define PNG_CHUNK_CACHE_MAX  1000

struct png_job {
	struct mg_img_job *job;
	gsize off; /* bytes of job->data consumed */
	guint32 w, h;
	int channels;
	guint8 *pixels;
	png_bytep *rows;
	gboolean had_text, had_exif, had_icc, had_anim;
};

static void png_read_cb(png_structp png, png_bytep dst, size_t n)
{
	struct png_job *pj = png_get_io_ptr(png);
	if (n > pj->job->len - pj->off)
		png_error(png, "truncated");
	memcpy(dst, pj->job->data + pj->off, n);
	pj->off += n;
}

static void png_write_cb(png_structp png, png_bytep src, size_t n)
{
	GByteArray *b = png_get_io_ptr(png);
	if (n > G_MAXUINT - b->len)
		png_error(png, "too large");
	g_byte_array_append(b, src, (guint)n);
}

static void png_flush_cb(png_structp png) {}

static void png_error_cb(png_structp png, png_const_charp msg)
{
	png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg) {}

static gboolean png_alloc_rows(struct png_job *pj, size_t rowbytes)
{
	if (rowbytes != (size_t)pj->w * (size_t)pj->channels)
		return FALSE;
	pj->pixels = g_try_malloc((gsize)rowbytes * pj->h);
	pj->rows = g_try_new(png_bytep, pj->h);
	if (!pj->pixels || !pj->rows)
		return FALSE;
	for (guint32 y = 0; y < pj->h; y++)
		pj->rows[y] = pj->pixels + (gsize)y * rowbytes;
	return TRUE;
}

static void png_note_meta(struct png_job *pj, png_structp png, png_infop info)
{
	png_textp text = NULL;
	int n_text = 0;
	if (png_get_text(png, info, &text, &n_text) > 0)
		pj->had_text = TRUE;
	if (png_get_valid(png, info, PNG_INFO_eXIf))
		pj->had_exif = TRUE;
	if (png_get_valid(png, info, PNG_INFO_iCCP))
		pj->had_icc = TRUE;
}

/* Record APNG's acTL chunk so the report can say the animation went. */
static int png_chunk_cb(png_structp png, png_unknown_chunkp chunk)
{
	struct png_job *pj = png_get_user_chunk_ptr(png);
	if (memcmp(chunk->name, "acTL", 4) == 0)
		pj->had_anim = TRUE;
	return 1; /* handled: libpng discards it */
}

/* Decode; FALSE with job->fail set on any problem. */
static gboolean png_decode(struct png_job *pj, png_structp png, png_infop info)
{
	png_uint_32 w, h;
	int depth, ctype, interlace;
	if (setjmp(png_jmpbuf(png)))
		return FALSE;
	png_set_read_fn(png, pj, png_read_cb);
	png_set_user_limits(png, (png_uint_32)pj->job->max_dim, (png_uint_32)pj->job->max_dim);
	png_set_chunk_cache_max(png, PNG_CHUNK_CACHE_MAX);
	png_set_chunk_malloc_max(png, PNG_CHUNK_MALLOC_MAX);
	png_set_read_user_chunk_fn(png, pj, png_chunk_cb);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	if (w != pj->w || h != pj->h)
		return FALSE;
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	pj->channels = png_get_channels(png, info);
	if (pj->channels < 1 || pj->channels > 4 || !png_alloc_rows(pj, png_get_rowbytes(png, info))) {
		pj->job->fail = "corrupt (unexpected PNG layout)";
		return FALSE;
	}
	png_read_image(png, pj->rows);
	png_read_end(png, info);
	png_note_meta(pj, png, info);
	return TRUE;
}

static gboolean png_encode(struct png_job *pj, png_structp png, png_infop info, GByteArray *outb)
{
	static const int types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
				    PNG_COLOR_TYPE_RGB_ALPHA};
	if (setjmp(png_jmpbuf(png)))
		return FALSE;
	png_set_write_fn(png, outb, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, pj->w, pj->h, 8, types[pj->channels - 1], PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 1); /* zlib's fastest: the encoder was 4 % of the corpus (issue 15) */
	png_write_info(png, info);
	png_write_image(png, pj->rows);
	png_write_end(png, NULL);
	return TRUE;
}

static void png_report(struct png_job *pj)
{
	if (pj->had_text)
		mg_img_removed(pj->job, "text chunks (tEXt/zTXt/iTXt)");
	if (pj->had_exif)
		mg_img_removed(pj->job, "EXIF metadata");
	if (pj->had_icc)
		mg_img_removed(pj->job, "ICC colour profile");
	if (pj->had_anim)
		g_ptr_array_add(pj->job->out->removed, g_strdup("APNG animation removed (first frame kept)"));
	mg_img_trailing(pj->job, pj->job->len - pj->off);
}

/* IHDR is the first chunk at a fixed place: its size is checked here,
 * before libpng reads anything (its own limits would only say "error"). */
static gboolean png_precheck(struct png_job *pj)
{
	const guint8 *d = pj->job->data;
	if (pj->job->len < 33 || memcmp(d + 12, "IHDR", 4) != 0) {
		pj->job->fail = "corrupt PNG";
		return FALSE;
	}
	pj->w = (guint32)d[16] << 24 | (guint32)d[17] << 16 | (guint32)d[18] << 8 | d[19];
	pj->h = (guint32)d[20] << 24 | (guint32)d[21] << 16 | (guint32)d[22] << 8 | d[23];
	return mg_img_check_size(pj->job, pj->w, pj->h);
}

enum mg_cdr_status mg_img_png(struct mg_img_job *job)
{
	struct png_job pj = {.job = job};
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;
	png_structp rd = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_cb, png_warning_cb);
	png_infop rinfo = rd ? png_create_info_struct(rd) : NULL;
	png_structp wr = NULL;
	png_infop winfo = NULL;

	if (!rinfo) {
		st = MG_CDR_ERROR;
		goto out;
	}
	if (!png_precheck(&pj) || !png_decode(&pj, rd, rinfo)) {
		st = mg_img_unscannable(job, job->fail ? job->fail : "corrupt PNG");
		goto out;
	}
	wr = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_cb, png_warning_cb);
	winfo = wr ? png_create_info_struct(wr) : NULL;
	job->out->data = g_byte_array_new();
	if (!winfo) { /* libpng could not allocate: its failure, not the file's (issue 11) */
		mg_img_unscannable(job, "libpng could not allocate its encoder");
		st = MG_CDR_ERROR;
		goto out;
	}
	if (!png_encode(&pj, wr, winfo, job->out->data)) {
		st = mg_img_unscannable(job, "PNG encoder failed");
		goto out;
	}
	png_report(&pj);
	st = MG_CDR_REBUILT;
out:
	png_destroy_read_struct(&rd, &rinfo, NULL);
	png_destroy_write_struct(&wr, &winfo);
	g_free(pj.rows);
	g_free(pj.pixels);
	return st;
}
