/*
 * cdr4b_imgfix.c - see cdr4b_imgfix.h.  Metadata planted here carries the
 * word "secret" and trailing data is a zip header, so the test can look for
 * them in the rebuilt files.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/encode.h>

#include "cdr4b_imgfix.h"

#define ZIP_TAIL "PK\x03\x04\x14\x00\x00\x00zip-payload"

static guint8 px_val(int x, int y, int c, int f)
{
	return (guint8)((x * 37 + y * 91 + c * 53 + f * 17) & 0xff);
}

static void want_fill(struct want_px *wp, int w, int h, int frames, gboolean alpha)
{
	wp->w = w, wp->h = h, wp->frames = frames;
	wp->rgba = g_malloc((gsize)w * h * 4 * frames);
	for (int f = 0; f < frames; f++)
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				for (int c = 0; c < 4; c++)
					wp->rgba[(((gsize)f * h + y) * w + x) * 4 + c] =
						c < 3   ? px_val(x, y, c, f)
						: alpha ? 128 | px_val(x, y, c, f)
							: 255;
}

static void tail(GByteArray *b)
{
	g_byte_array_append(b, (const guint8 *)ZIP_TAIL, ZIP_TAIL_LEN);
}

/* ---- PNG ---- */

static void png_mem_write(png_structp p, png_bytep d, size_t n)
{
	g_byte_array_append(png_get_io_ptr(p), d, (guint)n);
}
static void png_mem_flush(png_structp p) {}

enum { PNG_META = 1, PNG_ACTL = 2 };

/* meta: PNG_META adds tEXt and eXIf, PNG_ACTL an APNG animation control chunk. */
static GByteArray *png_make(int w, int h, const struct want_px *wp, int meta)
{
	GByteArray *b = g_byte_array_new();
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(p);
	png_text text = {.compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment", .text = "secret-text"};
	png_byte exif[] = "MM\0*\0\0\0\x08\0\0\0\0\0\0secret-exif";
	assert_int_equal(setjmp(png_jmpbuf(p)), 0);
	png_set_write_fn(p, b, png_mem_write, png_mem_flush);
	png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_ADAM7,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (meta & PNG_META) {
		png_set_text(p, info, &text, 1);
		png_set_eXIf_1(p, info, sizeof exif - 1, exif);
	}
	png_write_info(p, info);
	if (meta & PNG_ACTL) {
		static const png_byte actl[8] = {0, 0, 0, 2, 0, 0, 0, 0}; /* 2 frames, loop forever */
		png_write_chunk(p, (png_const_bytep) "acTL", actl, sizeof actl);
	}
	if (wp) {
		int passes = png_set_interlace_handling(p);
		for (int pass = 0; pass < passes; pass++)
			for (int y = 0; y < h; y++)
				png_write_row(p, wp->rgba + (gsize)y * w * 4);
		png_write_end(p, info);
	}
	png_destroy_write_struct(&p, &info);
	return b;
}

GByteArray *gen_png_apng(struct want_px *wp)
{
	want_fill(wp, 5, 5, 1, TRUE);
	return png_make(5, 5, wp, PNG_ACTL);
}

GByteArray *gen_png_polyglot(struct want_px *wp)
{
	want_fill(wp, 13, 7, 1, TRUE);
	GByteArray *b = png_make(13, 7, wp, PNG_META);
	tail(b);
	return b;
}

GByteArray *gen_png_bomb(struct want_px *wp)
{
	return png_make(100000, 100000, NULL, 0);
}

GByteArray *gen_png_many_pixels(struct want_px *wp)
{
	return png_make(20000, 20000, NULL, 0);
}

GByteArray *gen_png_truncated(struct want_px *wp)
{
	struct want_px tmp;
	want_fill(&tmp, 64, 64, 1, TRUE);
	GByteArray *b = png_make(64, 64, &tmp, 0);
	g_byte_array_set_size(b, b->len / 2);
	g_free(tmp.rgba);
	return b;
}

/* Through libpng's simplified writer: a palette with transparency, or gray. */
static GByteArray *png_simple(png_uint_32 format, int w, int h, const guint8 *buf, const guint8 *cmap, int n)
{
	png_image im = {.version = PNG_IMAGE_VERSION,
			.width = (png_uint_32)w,
			.height = (png_uint_32)h,
			.format = format,
			.colormap_entries = (png_uint_32)n};
	png_alloc_size_t len = 0;
	assert_true(png_image_write_to_memory(&im, NULL, &len, 0, buf, 0, cmap));
	GByteArray *b = g_byte_array_sized_new((guint)len);
	g_byte_array_set_size(b, (guint)len);
	assert_true(png_image_write_to_memory(&im, b->data, &len, 0, buf, 0, cmap));
	return b;
}

GByteArray *gen_png_palette(struct want_px *wp)
{
	guint8 cmap[4 * 4] = {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 255};
	guint8 idx[7 * 3];
	want_fill(wp, 7, 3, 1, TRUE);
	for (int i = 0; i < 21; i++) {
		idx[i] = (guint8)(i % 4);
		memcpy(wp->rgba + i * 4, cmap + idx[i] * 4, 4);
	}
	return png_simple(PNG_FORMAT_RGBA_COLORMAP, 7, 3, idx, cmap, 4);
}

GByteArray *gen_png_gray(struct want_px *wp)
{
	guint8 g[6 * 5];
	want_fill(wp, 6, 5, 1, FALSE);
	for (int i = 0; i < 30; i++) {
		g[i] = (guint8)(i * 8);
		memset(wp->rgba + i * 4, g[i], 3);
	}
	return png_simple(PNG_FORMAT_GRAY, 6, 5, g, NULL, 0);
}

/* ---- JPEG ---- */

/* EXIF (big-endian): IFD0 = Orientation 6 + GPS IFD pointer; GPS IFD with
 * GPSLatitudeRef "N"; then a marker string. */
static const guint8 exif_gps[] = {
	'E', 'x',  'i',  'f', 0,   0,   'M', 'M', 0,   42,  0,  0, 0, 8,    /* IFD0 */ 0,
	2,   0x01, 0x12, 0,   3,   0,   0,   0,   1,   0,   6,  0, 0, 0x88, 0x25,
	0,   4,    0,    0,   0,   1,   0,   0,   0,   38,  0,  0, 0, 0,    /* GPS IFD at 38 */ 0,
	1,   0,    1,    0,   2,   0,   0,   0,   2,   'N', 0,  0, 0, 0,    0,
	0,   0,    'G',  'P', 'S', 's', 'e', 'c', 'r', 'e', 't'};

static GByteArray *jpeg_make_cs(int w, int h, const struct want_px *wp, gboolean meta, J_COLOR_SPACE cs, int comps)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *buf = NULL;
	unsigned long len = 0;
	guint8 *row = g_malloc((gsize)w * 4);
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &buf, &len);
	c.image_width = (JDIMENSION)w, c.image_height = (JDIMENSION)h, c.input_components = comps;
	c.in_color_space = cs;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 98, TRUE);
	jpeg_start_compress(&c, TRUE);
	if (meta) {
		jpeg_write_marker(&c, JPEG_APP0 + 1, exif_gps, sizeof exif_gps);
		jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)"secret-comment", 14);
		jpeg_write_marker(&c, JPEG_APP0 + 13, (const JOCTET *)"Photoshop 3.0\0secret-iptc", 25);
	}
	while (c.next_scanline < c.image_height) {
		for (int x = 0; x < w; x++)
			for (int k = 0; k < comps; k++)
				row[x * comps + k] = wp ? wp->rgba[((gsize)c.next_scanline * w + x) * 4 + k] : 0;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, buf, (guint)len);
	free(buf);
	g_free(row);
	return b;
}

static GByteArray *jpeg_make(int w, int h, const struct want_px *wp, gboolean meta)
{
	return jpeg_make_cs(w, h, wp, meta, JCS_RGB, 3);
}

static void want_smooth(struct want_px *wp, int w, int h)
{
	want_fill(wp, w, h, 1, FALSE);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++)
				wp->rgba[((gsize)y * w + x) * 4 + c] = (guint8)(c == 0 ? x * 6 : c == 1 ? y * 10 : 128);
}

GByteArray *gen_jpeg_gps(struct want_px *wp)
{
	want_smooth(wp, 40, 24);
	GByteArray *b = jpeg_make(40, 24, wp, TRUE);
	tail(b);
	return b;
}

/* A valid small JPEG whose SOF0 claims 30000 x 30000. */
GByteArray *gen_jpeg_bomb(struct want_px *wp)
{
	GByteArray *b = jpeg_make(16, 16, NULL, FALSE);
	for (guint i = 2; i + 9 < b->len; i++)
		if (b->data[i] == 0xff && b->data[i + 1] == 0xc0) {
			b->data[i + 5] = 0x75, b->data[i + 6] = 0x30; /* height 30000 */
			b->data[i + 7] = 0x75, b->data[i + 8] = 0x30; /* width 30000 */
			return b;
		}
	fail_msg("no SOF0");
	return b;
}

GByteArray *gen_jpeg_truncated(struct want_px *wp)
{
	struct want_px tmp;
	want_smooth(&tmp, 40, 24);
	GByteArray *b = jpeg_make(40, 24, &tmp, FALSE);
	g_byte_array_set_size(b, b->len * 2 / 3);
	g_free(tmp.rgba);
	return b;
}

/* CMYK (4 components, Adobe marker) and gray: decoded in their own space. */
GByteArray *gen_jpeg_cmyk(struct want_px *wp)
{
	want_smooth(wp, 24, 16);
	for (int i = 0; i < 24 * 16; i++)
		wp->rgba[i * 4 + 3] = (guint8)(i % 16 * 4);
	return jpeg_make_cs(24, 16, wp, FALSE, JCS_CMYK, 4);
}

GByteArray *gen_jpeg_gray(struct want_px *wp)
{
	want_smooth(wp, 24, 16);
	return jpeg_make_cs(24, 16, wp, FALSE, JCS_GRAYSCALE, 1);
}

/* ---- GIF ---- */

static int gif_mem_write(GifFileType *g, const GifByteType *d, int n)
{
	g_byte_array_append(g->UserData, d, (guint)n);
	return n;
}

static void gif_want(struct want_px *wp, int w, int h, int frames)
{
	want_fill(wp, w, h, frames, FALSE); /* rgba[...+0] holds the palette index */
	for (gsize i = 0; i < (gsize)w * h * frames; i++)
		wp->rgba[i * 4] &= 3;
}

static GByteArray *gif_make(int sw, int sh, const struct want_px *wp, int fw, int fh)
{
	static const GifColorType colors[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
	GByteArray *b = g_byte_array_new();
	int err = 0, frames = wp ? wp->frames : 1;
	GifFileType *g = EGifOpen(b, gif_mem_write, &err);
	ColorMapObject *cmap = GifMakeMapObject(4, colors);
	GifByteType loop[3] = {1, 0, 0}, gce[4] = {0, 10, 0, 0};
	EGifSetGifVersion(g, true);
	assert_int_equal(EGifPutScreenDesc(g, sw, sh, 2, 0, cmap), GIF_OK);
	EGifPutExtensionLeader(g, APPLICATION_EXT_FUNC_CODE);
	EGifPutExtensionBlock(g, 11, "NETSCAPE2.0");
	EGifPutExtensionBlock(g, 3, loop);
	EGifPutExtensionTrailer(g);
	EGifPutComment(g, "secret-gif-comment");
	GifByteType *line = g_malloc0((gsize)fw);
	for (int f = 0; f < frames; f++) {
		EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, gce);
		assert_int_equal(EGifPutImageDesc(g, 0, 0, fw, fh, false, NULL), GIF_OK);
		for (int y = 0; wp && y < fh; y++) {
			for (int x = 0; x < fw; x++)
				line[x] = wp->rgba[(((gsize)f * fh + y) * fw + x) * 4];
			EGifPutLine(g, line, fw);
		}
	}
	if (!wp) { /* header-only bomb: end right after the frame header */
		EGifCloseFile(g, &err);
		g_free(line);
		GifFreeMapObject(cmap);
		return b;
	}
	EGifCloseFile(g, &err);
	GifFreeMapObject(cmap);
	g_free(line);
	return b;
}

GByteArray *gen_gif_anim(struct want_px *wp)
{
	gif_want(wp, 9, 5, 3);
	GByteArray *b = gif_make(9, 5, wp, 9, 5);
	tail(b);
	return b;
}

/* Frame header claims 20000 x 20000 on a 10 x 10 screen; no pixel data. */
GByteArray *gen_gif_frame_bomb(struct want_px *wp)
{
	return gif_make(10, 10, NULL, 20000, 20000);
}

/* Pillow's decompression_bomb.gif (44 bytes): a 65535-wide frame with a
 * bad LZW code size. */
GByteArray *gen_gif_pillow_bomb(struct want_px *wp)
{
	static const guint8 d[] = {'G', 'I',  'F', '8',  '9',  'a',  0x20, 0,    0x20, 0,    0xf1, 3,    0, 0,    0,
				   0,   0xff, 0,   0,    0xff, 0xff, 0,    0xff, 0xff, 0xff, 0x21, 0xf9, 4, 0xc9, 0,
				   0,   0,    0,   0x2c, 0,    0,    0,    0xff, 0xff, 0xff, 0x29, 5,    0, 0x8f};
	GByteArray *b = g_byte_array_new();
	return g_byte_array_append(b, d, sizeof d);
}

GByteArray *gen_gif_truncated(struct want_px *wp)
{
	struct want_px tmp;
	gif_want(&tmp, 64, 64, 2);
	GByteArray *b = gif_make(64, 64, &tmp, 64, 64);
	g_byte_array_set_size(b, b->len / 2);
	g_free(tmp.rgba);
	return b;
}

/* ---- TIFF ---- */

static GByteArray *tiff_make(const struct want_px *rgb, int bw, int bh)
{
	char *path = g_build_filename(cdr4b_fix_dir, "in.tif", NULL);
	TIFF *t = TIFFOpen(path, "w");
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, rgb->w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, rgb->h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, "secret-desc");
	TIFFSetField(t, TIFFTAG_XMLPACKET, 20, "<x:xmpmeta secret/>");
	guint8 row[3 * 64], brow[8];
	for (int y = 0; y < rgb->h; y++) {
		for (int x = 0; x < rgb->w; x++)
			memcpy(row + x * 3, rgb->rgba + ((gsize)y * rgb->w + x) * 4, 3);
		TIFFWriteScanline(t, row, (guint32)y, 0);
	}
	TIFFWriteDirectory(t);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, bw);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, bh);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
	TIFFSetField(t, TIFFTAG_XRESOLUTION, 204.0);
	TIFFSetField(t, TIFFTAG_YRESOLUTION, 196.0);
	for (int y = 0; y < bh; y++) {
		for (int i = 0; i < (bw + 7) / 8; i++)
			brow[i] = (guint8)(y % 2 ? 0xa5 : 0x3c);
		TIFFWriteScanline(t, brow, (guint32)y, 0);
	}
	TIFFClose(t);
	char *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_free(path);
	return g_byte_array_new_take((guint8 *)data, len);
}

const char *cdr4b_fix_dir; /* generators that need a temporary file */

/* RGBA of page 1 through TIFFReadRGBAImage (premultiplied alpha). */
void tiff_decode(const char *path, struct want_px *wp)
{
	TIFF *t = TIFFOpen(path, "r");
	guint32 w = 0, h = 0;
	assert_non_null(t);
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	guint32 *r = g_malloc((gsize)w * h * 4);
	assert_true(TIFFReadRGBAImageOriented(t, w, h, r, ORIENTATION_TOPLEFT, 0));
	wp->w = (int)w, wp->h = (int)h, wp->frames = TIFFNumberOfDirectories(t);
	wp->rgba = g_malloc((gsize)w * h * 4);
	for (gsize i = 0; i < (gsize)w * h; i++)
		for (int c = 0; c < 4; c++)
			wp->rgba[i * 4 + c] = (guint8)(r[i] >> (8 * c));
	g_free(r);
	TIFFClose(t);
}

/* One page, 8-bit, spp 1 (gray) or 4 (RGB + unassociated alpha), LZW. */
static GByteArray *tiff_one(struct want_px *wp, int spp)
{
	char *path = g_build_filename(cdr4b_fix_dir, "one.tif", NULL);
	TIFF *t = TIFFOpen(path, "w");
	guint16 extra[] = {EXTRASAMPLE_UNASSALPHA};
	guint8 row[4 * 7];
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 7);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, 3);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, spp == 1 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	if (spp == 4)
		TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, extra);
	for (int y = 0; y < 3; y++) {
		for (int i = 0; i < 7 * spp; i++)
			row[i] = px_val(i, y, 0, 0);
		TIFFWriteScanline(t, row, (guint32)y, 0);
	}
	TIFFClose(t);
	tiff_decode(path, wp);
	char *data = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_free(path);
	return g_byte_array_new_take((guint8 *)data, len);
}

GByteArray *gen_tiff_gray(struct want_px *wp)
{
	return tiff_one(wp, 1);
}

GByteArray *gen_tiff_rgba(struct want_px *wp)
{
	return tiff_one(wp, 4);
}

GByteArray *gen_tiff_pages(struct want_px *wp)
{
	want_fill(wp, 11, 6, 1, FALSE);
	return tiff_make(wp, 16, 4);
}

GByteArray *gen_tiff_truncated(struct want_px *wp)
{
	struct want_px tmp;
	want_fill(&tmp, 64, 64, 1, FALSE);
	GByteArray *b = tiff_make(&tmp, 16, 4);
	g_byte_array_set_size(b, b->len / 3);
	g_free(tmp.rgba);
	return b;
}

/* ---- WebP ---- */

static void put_le32(GByteArray *b, guint32 v)
{
	guint8 x[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24)};
	g_byte_array_append(b, x, 4);
}

/* Extended WebP: VP8X (EXIF flag) + the lossless bitstream + EXIF chunk. */
GByteArray *gen_webp_exif(struct want_px *wp)
{
	uint8_t *enc = NULL;
	want_fill(wp, 10, 6, 1, TRUE);
	size_t n = WebPEncodeLosslessRGBA(wp->rgba, 10, 6, 40, &enc);
	assert_true(n > 12);
	GByteArray *b = g_byte_array_new();
	const char exif[] = "MM\0*secret-webp-exif"; /* 20 bytes, even */
	g_byte_array_append(b, (const guint8 *)"RIFF", 4);
	put_le32(b, (guint32)(4 + 18 + (n - 12) + 8 + 20));
	g_byte_array_append(b, (const guint8 *)"WEBPVP8X", 8);
	put_le32(b, 10);
	guint8 vp8x[10] = {0x08 | 0x10, 0, 0, 0, 9, 0, 0, 5, 0, 0}; /* EXIF + alpha; 10x6 */
	g_byte_array_append(b, vp8x, 10);
	g_byte_array_append(b, enc + 12, (guint)(n - 12));
	g_byte_array_append(b, (const guint8 *)"EXIF", 4);
	put_le32(b, 20);
	g_byte_array_append(b, (const guint8 *)exif, 20);
	WebPFree(enc);
	tail(b);
	return b;
}

static void put_le24(GByteArray *b, guint32 v)
{
	guint8 x[3] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16)};
	g_byte_array_append(b, x, 3);
}

/* Animated WebP by hand: VP8X (animation + alpha), ANIM, two ANMF frames
 * holding lossless bitstreams; frame 2 differs from frame 1. */
GByteArray *gen_webp_anim(struct want_px *wp)
{
	struct want_px f2;
	GByteArray *body = g_byte_array_new(), *b = g_byte_array_new();
	want_fill(wp, 6, 4, 1, TRUE);
	want_fill(&f2, 6, 4, 2, TRUE);
	guint8 vp8x[10] = {0x02 | 0x10, 0, 0, 0, 5, 0, 0, 3, 0, 0}, anim[6] = {0};
	g_byte_array_append(body, (const guint8 *)"VP8X", 4);
	put_le32(body, 10);
	g_byte_array_append(body, vp8x, 10);
	g_byte_array_append(body, (const guint8 *)"ANIM", 4);
	put_le32(body, 6);
	g_byte_array_append(body, anim, 6);
	for (int f = 0; f < 2; f++) {
		uint8_t *enc = NULL;
		const guint8 *px = f == 0 ? wp->rgba : f2.rgba + 6 * 4 * 4;
		size_t n = WebPEncodeLosslessRGBA(px, 6, 4, 24, &enc);
		g_byte_array_append(body, (const guint8 *)"ANMF", 4);
		put_le32(body, (guint32)(16 + n - 12));
		put_le24(body, 0), put_le24(body, 0), put_le24(body, 5), put_le24(body, 3), put_le24(body, 100);
		guint8 flags = 0x02; /* do not blend */
		g_byte_array_append(body, &flags, 1);
		g_byte_array_append(body, enc + 12, (guint)(n - 12));
		WebPFree(enc);
	}
	g_byte_array_append(b, (const guint8 *)"RIFF", 4);
	put_le32(b, body->len + 4);
	g_byte_array_append(b, (const guint8 *)"WEBP", 4);
	g_byte_array_append(b, body->data, body->len);
	g_byte_array_unref(body);
	g_free(f2.rgba);
	return b;
}

/* ---- BMP (written by hand: no BMP library) ---- */

static void put_le16(GByteArray *b, guint v)
{
	guint8 x[2] = {(guint8)v, (guint8)(v >> 8)};
	g_byte_array_append(b, x, 2);
}

static GByteArray *bmp_header(int w, int h, int bpp, guint32 pal_n, guint32 data_len)
{
	GByteArray *b = g_byte_array_new();
	guint32 off = 54 + pal_n * 4;
	g_byte_array_append(b, (const guint8 *)"BM", 2);
	put_le32(b, off + data_len), put_le32(b, 0), put_le32(b, off);
	put_le32(b, 40), put_le32(b, (guint32)w), put_le32(b, (guint32)h);
	put_le16(b, 1), put_le16(b, (guint)bpp), put_le32(b, 0), put_le32(b, data_len);
	put_le32(b, 2835), put_le32(b, 2835), put_le32(b, pal_n), put_le32(b, 0);
	return b;
}

GByteArray *gen_bmp24(struct want_px *wp)
{
	int w = 5, h = 3, stride = 16;
	want_fill(wp, w, h, 1, FALSE);
	GByteArray *b = bmp_header(w, h, 24, 0, (guint32)(stride * h));
	for (int y = h - 1; y >= 0; y--) { /* bottom-up */
		guint8 row[16] = {0};
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++)
				row[x * 3 + c] = wp->rgba[((gsize)y * w + x) * 4 + 2 - c];
		g_byte_array_append(b, row, 16);
	}
	tail(b);
	return b;
}

GByteArray *gen_bmp8_topdown(struct want_px *wp)
{
	int w = 6, h = 2;
	want_fill(wp, w, h, 1, FALSE);
	GByteArray *b = bmp_header(w, -h, 8, 256, 16);
	for (int i = 0; i < 256; i++) {
		guint8 e[4] = {(guint8)(255 - i), (guint8)i, (guint8)(i * 3), 0};
		g_byte_array_append(b, e, 4);
	}
	for (int y = 0; y < h; y++) {
		guint8 row[8] = {0};
		for (int x = 0; x < w; x++) {
			row[x] = (guint8)(x * 40 + y);
			wp->rgba[((gsize)y * w + x) * 4 + 0] = (guint8)(row[x] * 3);
			wp->rgba[((gsize)y * w + x) * 4 + 1] = row[x];
			wp->rgba[((gsize)y * w + x) * 4 + 2] = (guint8)(255 - row[x]);
		}
		g_byte_array_append(b, row, 8);
	}
	return b;
}

GByteArray *gen_bmp_truncated(struct want_px *wp)
{
	GByteArray *b = bmp_header(100, 100, 24, 0, 30000);
	g_byte_array_append(b, (const guint8 *)"short", 5);
	return b;
}

GByteArray *gen_bmp_rle(struct want_px *wp)
{
	GByteArray *b = bmp_header(4, 4, 8, 0, 16);
	b->data[30] = 1; /* BI_RLE8 */
	g_byte_array_set_size(b, b->len + 1024 + 16);
	return b;
}

GByteArray *gen_bmp_tiny(struct want_px *wp)
{
	GByteArray *b = g_byte_array_new();
	return g_byte_array_append(b, (const guint8 *)"BM\x0a\0\0\0\0\0\0\0\0\0\x28\0\0\0", 16);
}

GByteArray *gen_ico(struct want_px *wp)
{
	GByteArray *b = g_byte_array_new();
	return g_byte_array_append(b, (const guint8 *)"\0\0\1\0\1\0\x10\x10\0\0\1\0\x20\0", 14);
}
