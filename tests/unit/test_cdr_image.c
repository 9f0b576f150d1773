/*
 * test_cdr_image - the image rebuilder (cdr_image.c, cdr_img_*.c) on images
 * this test writes at run time with the format libraries: PNG with text and
 * EXIF chunks and a zip appended (polyglot), JPEG with EXIF GPS, a comment
 * and trailing bytes, animated GIF with a comment, two-page TIFF with
 * description and XMP, WebP with an EXIF chunk, BMPs written by hand; then
 * pixel bombs (header only), truncated files and limits.  Each rebuilt file
 * must be typed right by `file`, decode again through a different API of
 * the library (png_image_*, DGifSlurp, TIFFReadRGBAImage, WebPDecode) to
 * the same pixels (JPEG: close pixels), and lack the metadata bytes.
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
#include <glib/gstdio.h>
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>
#include <unistd.h>

#include "cdrctx.h"
#include "cdr4b_imgfix.h"
#include "cdr4b_util.h"
#include "mg_pipeline.h"

static void check_png(const GByteArray *out, const struct want_px *wp)
{
	png_image im = {.version = PNG_IMAGE_VERSION};
	assert_true(png_image_begin_read_from_memory(&im, out->data, out->len));
	im.format = PNG_FORMAT_RGBA;
	assert_int_equal(im.width, wp->w);
	assert_int_equal(im.height, wp->h);
	guint8 *buf = g_malloc(PNG_IMAGE_SIZE(im));
	assert_true(png_image_finish_read(&im, NULL, buf, 0, NULL));
	assert_memory_equal(buf, wp->rgba, (gsize)wp->w * wp->h * 4);
	g_free(buf);
}

static void check_jpeg_space(const GByteArray *out, const struct want_px *wp, int comps)
{
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	long diff = 0;
	d.err = jpeg_std_error(&err);
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, out->data, out->len);
	assert_int_equal(jpeg_read_header(&d, TRUE), JPEG_HEADER_OK);
	jpeg_start_decompress(&d);
	assert_int_equal(d.output_components, comps);
	assert_int_equal(d.output_width, wp->w);
	guint8 *row = g_malloc((gsize)wp->w * comps);
	while (d.output_scanline < d.output_height) {
		int y = (int)d.output_scanline;
		jpeg_read_scanlines(&d, &row, 1);
		for (int x = 0; x < wp->w; x++)
			for (int c = 0; c < comps; c++)
				diff += labs((long)row[x * comps + c] - wp->rgba[((gsize)y * wp->w + x) * 4 + c]);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	g_free(row);
	assert_true(diff / (wp->w * wp->h * comps) < 6);
}

static void check_jpeg_cmyk(const GByteArray *out, const struct want_px *wp)
{
	check_jpeg_space(out, wp, 4);
}

static void check_jpeg_gray(const GByteArray *out, const struct want_px *wp)
{
	check_jpeg_space(out, wp, 1);
}

static void check_jpeg(const GByteArray *out, const struct want_px *wp)
{
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	d.err = jpeg_std_error(&err);
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, out->data, out->len);
	assert_int_equal(jpeg_read_header(&d, TRUE), JPEG_HEADER_OK);
	d.out_color_space = JCS_RGB;
	jpeg_start_decompress(&d);
	assert_int_equal(d.output_width, wp->w);
	assert_int_equal(d.output_height, wp->h);
	guint8 *row = g_malloc((gsize)wp->w * 3);
	long diff = 0;
	while (d.output_scanline < d.output_height) {
		int y = (int)d.output_scanline;
		jpeg_read_scanlines(&d, &row, 1);
		for (int x = 0; x < wp->w; x++)
			for (int c = 0; c < 3; c++)
				diff += labs((long)row[x * 3 + c] - wp->rgba[((gsize)y * wp->w + x) * 4 + c]);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	g_free(row);
	assert_true(diff / (wp->w * wp->h * 3) < 6); /* mean error of a quality-90 re-encode */
	/* Orientation 6 kept in a minimal EXIF block. */
	static const guint8 orient[] = {0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6};
	assert_non_null(memmem(out->data, out->len, orient, sizeof orient));
}

static void check_gif(const GByteArray *out, const struct want_px *wp)
{
	char *path = g_strdup_printf("%s/mg4b-%d.gif", g_get_tmp_dir(), (int)getpid());
	assert_true(g_file_set_contents(path, (const char *)out->data, out->len, NULL));
	int err = 0;
	GifFileType *g = DGifOpenFileName(path, &err);
	assert_non_null(g);
	assert_int_equal(DGifSlurp(g), GIF_OK);
	assert_int_equal(g->ImageCount, wp->frames);
	for (int f = 0; f < wp->frames; f++) {
		SavedImage *si = &g->SavedImages[f];
		GraphicsControlBlock gcb;
		assert_int_equal(si->ImageDesc.Width, wp->w);
		for (int i = 0; i < wp->w * wp->h; i++)
			assert_int_equal(si->RasterBits[i], wp->rgba[((gsize)f * wp->w * wp->h + i) * 4]);
		assert_int_equal(DGifSavedExtensionToGCB(g, f, &gcb), GIF_OK);
		assert_int_equal(gcb.DelayTime, 10);
	}
	assert_non_null(memmem(out->data, out->len, "NETSCAPE2.0", 11));
	DGifCloseFile(g, &err);
	g_unlink(path);
	g_free(path);
}

static void check_tiff_one(const GByteArray *out, const struct want_px *wp)
{
	struct want_px got = {0};
	char *path = g_strdup_printf("%s/mg4b-%d.tif", g_get_tmp_dir(), (int)getpid());
	assert_true(g_file_set_contents(path, (const char *)out->data, out->len, NULL));
	tiff_decode(path, &got);
	assert_int_equal(got.w, wp->w);
	assert_int_equal(got.h, wp->h);
	assert_int_equal(got.frames, 1);
	assert_memory_equal(got.rgba, wp->rgba, (gsize)wp->w * wp->h * 4);
	g_free(got.rgba);
	g_unlink(path);
	g_free(path);
}

static void check_tiff(const GByteArray *out, const struct want_px *wp)
{
	char *path = g_strdup_printf("%s/mg4b-%d.tif", g_get_tmp_dir(), (int)getpid());
	assert_true(g_file_set_contents(path, (const char *)out->data, out->len, NULL));
	TIFF *t = TIFFOpen(path, "r");
	guint32 *r = g_malloc((gsize)wp->w * wp->h * 4), w = 0, h = 0;
	char *desc = NULL;
	assert_non_null(t);
	assert_int_equal(TIFFNumberOfDirectories(t), 2);
	assert_true(TIFFReadRGBAImageOriented(t, (guint32)wp->w, (guint32)wp->h, r, ORIENTATION_TOPLEFT, 0));
	for (int i = 0; i < wp->w * wp->h; i++)
		for (int c = 0; c < 3; c++)
			assert_int_equal((r[i] >> (8 * c)) & 0xff, wp->rgba[(gsize)i * 4 + c]);
	assert_false(TIFFGetField(t, TIFFTAG_IMAGEDESCRIPTION, &desc));
	assert_true(TIFFReadDirectory(t));
	guint16 bps = 0, comp = 0;
	float xres = 0;
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetField(t, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetField(t, TIFFTAG_COMPRESSION, &comp);
	TIFFGetField(t, TIFFTAG_XRESOLUTION, &xres);
	assert_int_equal(w, 16);
	assert_int_equal(h, 4);
	assert_int_equal(bps, 1);
	assert_int_equal(comp, COMPRESSION_CCITTFAX4);
	assert_true(xres > 203.9 && xres < 204.1);
	guint8 brow[2];
	TIFFReadScanline(t, brow, 0, 0); /* G4 rows decode in order only */
	assert_int_equal(brow[0], 0x3c);
	TIFFReadScanline(t, brow, 1, 0);
	assert_int_equal(brow[0], 0xa5);
	TIFFClose(t);
	g_unlink(path);
	g_free(path);
	g_free(r);
}

static void check_webp(const GByteArray *out, const struct want_px *wp)
{
	int w = 0, h = 0;
	guint8 *p = WebPDecodeRGBA(out->data, out->len, &w, &h);
	assert_non_null(p);
	assert_int_equal(w, wp->w);
	assert_int_equal(h, wp->h);
	assert_memory_equal(p, wp->rgba, (gsize)w * h * 4);
	WebPFree(p);
}

static void check_bmp(const GByteArray *out, const struct want_px *wp)
{
	const guint8 *d = out->data;
	gsize stride = ((gsize)wp->w * 3 + 3) & ~(gsize)3;
	assert_int_equal(out->len, 54 + stride * wp->h);
	assert_int_equal(d[10], 54);
	assert_int_equal(d[28], 24);
	for (int y = 0; y < wp->h; y++)
		for (int x = 0; x < wp->w; x++)
			for (int c = 0; c < 3; c++)
				assert_int_equal(d[54 + (gsize)(wp->h - 1 - y) * stride + x * 3 + 2 - c],
						 wp->rgba[((gsize)y * wp->w + x) * 4 + c]);
}

/* ---- the table ---- */

struct row {
	const char *name;
	GByteArray *(*gen)(struct want_px *wp);
	gint64 max_pixels, max_frames; /* 0 = default */
	enum mg_cdr_status want;
	const char *want_removed[5];
	const char *file_type; /* `file -b` output starts with this */
	void (*check)(const GByteArray *out, const struct want_px *wp);
	const char *want_reason;
};

#define NOT_IN                                                                                                         \
	{                                                                                                              \
		"secret", "PK\x03\x04", "zip-payload"                                                                  \
	}

static const struct row rows[] = {
	{"png-polyglot",
	 gen_png_polyglot,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"text chunks (tEXt/zTXt/iTXt) removed", "EXIF metadata removed", "19 bytes after the image removed"},
	 "PNG image data, 13 x 7, 8-bit/color RGBA",
	 check_png},
	{"png-palette-trns",
	 gen_png_palette,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {NULL},
	 "PNG image data, 7 x 3, 8-bit/color RGBA",
	 check_png},
	{"png-gray", gen_png_gray, 0, 0, MG_CDR_REBUILT, {NULL}, "PNG image data, 6 x 5, 8-bit grayscale", check_png},
	{"png-apng",
	 gen_png_apng,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"APNG animation removed (first frame kept)"},
	 "PNG image data, 5 x 5, 8-bit/color RGBA",
	 check_png},
	{"png-bomb",
	 gen_png_bomb,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "image larger than image_max_dimension"},
	{"png-many-pixels",
	 gen_png_many_pixels,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "more pixels than image_max_pixels"},
	{"png-truncated", gen_png_truncated, 0, 0, MG_CDR_UNSCANNABLE, {NULL}, NULL, NULL, "corrupt PNG"},
	{"jpeg-gps",
	 gen_jpeg_gps,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"EXIF metadata (with GPS position) removed", "comment removed", "IPTC/Photoshop metadata removed",
	  "19 bytes after the image removed"},
	 "JPEG image data, JFIF standard 1.01",
	 check_jpeg},
	{"jpeg-cmyk",
	 gen_jpeg_cmyk,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {NULL},
	 "JPEG image data, baseline, precision 8, 24x16, components 4",
	 check_jpeg_cmyk},
	{"jpeg-gray",
	 gen_jpeg_gray,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {NULL},
	 "JPEG image data, JFIF standard 1.01",
	 check_jpeg_gray},
	{"jpeg-bomb", gen_jpeg_bomb, 0, 0, MG_CDR_UNSCANNABLE, {NULL}, NULL, NULL, "more pixels than image_max_pixels"},
	{"jpeg-truncated",
	 gen_jpeg_truncated,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "corrupt or truncated JPEG"},
	{"gif-anim",
	 gen_gif_anim,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"comment removed", "19 bytes after the image removed"},
	 "GIF image data, version 89a, 9 x 5",
	 check_gif},
	{"gif-too-many-frames",
	 gen_gif_anim,
	 0,
	 2,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "more frames than image_max_frames"},
	{"gif-pixel-budget",
	 gen_gif_anim,
	 100,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "more pixels than image_max_pixels"},
	{"gif-frame-bomb",
	 gen_gif_frame_bomb,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "more pixels than image_max_pixels"},
	{"gif-pillow-bomb",
	 gen_gif_pillow_bomb,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "corrupt or truncated GIF"},
	{"gif-truncated", gen_gif_truncated, 0, 0, MG_CDR_UNSCANNABLE, {NULL}, NULL, NULL, "corrupt or truncated GIF"},
	{"tiff-two-pages",
	 gen_tiff_pages,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"XMP metadata removed", "image description removed"},
	 "TIFF image data, ",
	 check_tiff},
	{"tiff-gray", gen_tiff_gray, 0, 0, MG_CDR_REBUILT, {NULL}, "TIFF image data, ", check_tiff_one},
	{"tiff-rgba", gen_tiff_rgba, 0, 0, MG_CDR_REBUILT, {NULL}, "TIFF image data, ", check_tiff_one},
	{"tiff-truncated",
	 gen_tiff_truncated,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "corrupt or unsupported TIFF"},
	{"webp-exif",
	 gen_webp_exif,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"EXIF metadata removed", "19 bytes after the image removed"},
	 "RIFF (little-endian) data, Web/P image",
	 check_webp},
	{"webp-animated",
	 gen_webp_anim,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"animation removed (first frame kept)"},
	 "RIFF (little-endian) data, Web/P image",
	 check_webp},
	{"bmp24-trailing",
	 gen_bmp24,
	 0,
	 0,
	 MG_CDR_REBUILT,
	 {"19 bytes after the image removed"},
	 "PC bitmap",
	 check_bmp},
	{"bmp8-topdown", gen_bmp8_topdown, 0, 0, MG_CDR_REBUILT, {NULL}, "PC bitmap", check_bmp},
	{"bmp-truncated", gen_bmp_truncated, 0, 0, MG_CDR_UNSCANNABLE, {NULL}, NULL, NULL, "truncated BMP"},
	{"bmp-rle",
	 gen_bmp_rle,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "corrupt or unsupported BMP (compressed or unknown header)"},
	{"bmp-tiny",
	 gen_bmp_tiny,
	 0,
	 0,
	 MG_CDR_UNSCANNABLE,
	 {NULL},
	 NULL,
	 NULL,
	 "corrupt or unsupported BMP (compressed or unknown header)"},
	{"ico-unknown",
	 gen_ico,
	 0,
	 0,
	 MG_CDR_REMOVE,
	 {NULL},
	 NULL,
	 NULL,
	 "no rebuilder for this image type (application/octet-stream)"},
};

static void check_file_type(struct cdr4b_ctx *c, const struct row *r, const GByteArray *out)
{
	char *path = cdr4b_write(c, "out.img", out->data, out->len);
	char *argv[] = {"file", "-b", path, NULL}, *type = NULL;
	assert_int_equal(cdr4b_spawn(argv, &type), 0);
	if (!g_str_has_prefix(type, r->file_type))
		fail_msg("%s: file says '%s', want '%s...'", r->name, type, r->file_type);
	g_free(type);
	g_free(path);
}

static void check_rebuilt(struct cdr4b_ctx *c, const struct row *r, const struct mg_cdr_out *out,
			  const struct want_px *wp)
{
	static const char *const not_in[] = NOT_IN;
	int want_n = 0;
	for (int i = 0; i < 5 && r->want_removed[i]; i++, want_n++)
		if (!cdr4b_removed_has(out, r->want_removed[i]))
			fail_msg("%s: removed[] lacks '%s'", r->name, r->want_removed[i]);
	if ((int)out->removed->len != want_n)
		fail_msg("%s: %u removed entries, want %d (first: %s)", r->name, out->removed->len, want_n,
			 out->removed->len ? (char *)out->removed->pdata[0] : "");
	for (gsize i = 0; i < G_N_ELEMENTS(not_in); i++)
		if (cdr4b_contains(out->data->data, out->data->len, not_in[i]))
			fail_msg("%s: '%s' still in the output", r->name, not_in[i]);
	check_file_type(c, r, out->data);
	r->check(out->data, wp);
}

static void test_rows(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		const struct row *r = &rows[i];
		struct cdr4b_ctx c;
		struct mg_cdr_out out;
		struct want_px wp = {0};
		cdr4b_setup(&c);
		cdr4b_fix_dir = c.dir;
		if (r->max_pixels)
			c.t.cfg->image_max_pixels = r->max_pixels;
		if (r->max_frames)
			c.t.cfg->image_max_frames = r->max_frames;
		mg_cdr_out_init(&out);
		GByteArray *in = r->gen(&wp);
		if (g_getenv("MG4B_DUMP_DIR")) { /* keep the fixtures, e.g. as fuzzing seeds */
			char *p = g_build_filename(g_getenv("MG4B_DUMP_DIR"), r->name, NULL);
			g_file_set_contents(p, (const char *)in->data, in->len, NULL);
			g_free(p);
		}
		enum mg_cdr_status got = cdr4b_run(&c, mg_cdr_image, in->data, in->len, &out);
		if (got != r->want)
			fail_msg("%s: status %d, want %d (%s)", r->name, got, r->want, out.reason ? out.reason : "");
		if (got == MG_CDR_REBUILT) {
			check_rebuilt(&c, r, &out, &wp);
		} else {
			assert_null(out.data);
			assert_int_equal(out.removed->len, 0);
			if (strcmp(out.reason, r->want_reason) != 0)
				fail_msg("%s: reason '%s', want '%s'", r->name, out.reason, r->want_reason);
		}
		g_byte_array_unref(in);
		g_free(wp.rgba);
		mg_cdr_out_clear(&out);
		cdr4b_teardown(&c);
	}
}

/* Every prefix of a valid file: never a crash, never a pass-through of
 * a cut file as "rebuilt" with trailing bytes. */
static void test_prefixes(void **state)
{
	struct cdr4b_ctx c;
	struct want_px wp = {0};
	GByteArray *(*gens[])(struct want_px *) = {gen_png_polyglot, gen_jpeg_gps, gen_gif_anim, gen_webp_exif,
						   gen_bmp24};
	cdr4b_setup(&c);
	cdr4b_fix_dir = c.dir;
	for (gsize g = 0; g < G_N_ELEMENTS(gens); g++) {
		GByteArray *in = gens[g](&wp);
		for (gsize n = 0; n < in->len - ZIP_TAIL_LEN; n += 7) {
			struct mg_cdr_out out;
			mg_cdr_out_init(&out);
			enum mg_cdr_status st = cdr4b_run(&c, mg_cdr_image, in->data, n, &out);
			assert_true(st == MG_CDR_UNSCANNABLE || st == MG_CDR_REMOVE || st == MG_CDR_REBUILT);
			if (st == MG_CDR_REBUILT)
				assert_non_null(out.data);
			mg_cdr_out_clear(&out);
		}
		g_byte_array_unref(in);
		g_free(wp.rgba);
		wp.rgba = NULL;
	}
	cdr4b_teardown(&c);
}

/* A deadline already past: unscannable, for every format. */
static void test_deadline(void **state)
{
	struct cdr4b_ctx c;
	struct want_px wp = {0};
	GByteArray *(*gens[])(struct want_px *) = {gen_png_gray,  gen_jpeg_gray, gen_gif_anim,
						   gen_webp_exif, gen_bmp24,     gen_tiff_gray};
	cdr4b_setup(&c);
	cdr4b_fix_dir = c.dir;
	for (gsize g = 0; g < G_N_ELEMENTS(gens); g++) {
		GByteArray *in = gens[g](&wp);
		struct mg_cdr_in late = {.ctx = cdrctx(&c.t), .data = in->data, .len = in->len, .deadline_us = 1};
		struct mg_cdr_out out;
		mg_cdr_out_init(&out);
		assert_int_equal(mg_cdr_image(&late, &out), MG_CDR_UNSCANNABLE);
		assert_string_equal(out.reason, "time budget exceeded");
		assert_null(out.data);
		mg_cdr_out_clear(&out);
		g_byte_array_unref(in);
		g_free(wp.rgba);
		wp.rgba = NULL;
	}
	cdr4b_teardown(&c);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
