/*
 * cdr4b_imgfix - image fixtures of test_cdr_image, written at run time with
 * the format libraries (PNG, JPEG, GIF, TIFF, WebP) or by hand (BMP): each
 * generator returns the file and fills the pixels a decoder must find.
 */
#ifndef CDR4B_IMGFIX_H
#define CDR4B_IMGFIX_H

#include <glib.h>

#define ZIP_TAIL_LEN 19

/* Expected pixels: RGBA, rows top first; frames one after the other. */
struct want_px {
	int w, h, frames;
	guint8 *rgba;
};

extern const char *cdr4b_fix_dir; /* where generators may write temporary files */

GByteArray *gen_png_polyglot(struct want_px *wp);
GByteArray *gen_png_apng(struct want_px *wp);
GByteArray *gen_png_bomb(struct want_px *wp);
GByteArray *gen_png_many_pixels(struct want_px *wp);
GByteArray *gen_png_truncated(struct want_px *wp);
GByteArray *gen_png_palette(struct want_px *wp);
GByteArray *gen_png_gray(struct want_px *wp);
GByteArray *gen_jpeg_gps(struct want_px *wp);
GByteArray *gen_jpeg_bomb(struct want_px *wp);
GByteArray *gen_jpeg_truncated(struct want_px *wp);
GByteArray *gen_jpeg_cmyk(struct want_px *wp);
GByteArray *gen_jpeg_gray(struct want_px *wp);
GByteArray *gen_gif_anim(struct want_px *wp);
GByteArray *gen_gif_frame_bomb(struct want_px *wp);
GByteArray *gen_gif_pillow_bomb(struct want_px *wp);
GByteArray *gen_gif_truncated(struct want_px *wp);
void tiff_decode(const char *path, struct want_px *wp);
GByteArray *gen_tiff_gray(struct want_px *wp);
GByteArray *gen_tiff_rgba(struct want_px *wp);
GByteArray *gen_tiff_pages(struct want_px *wp);
GByteArray *gen_tiff_truncated(struct want_px *wp);
GByteArray *gen_webp_exif(struct want_px *wp);
GByteArray *gen_webp_anim(struct want_px *wp);
GByteArray *gen_bmp24(struct want_px *wp);
GByteArray *gen_bmp8_topdown(struct want_px *wp);
GByteArray *gen_bmp_truncated(struct want_px *wp);
GByteArray *gen_bmp_rle(struct want_px *wp);
GByteArray *gen_bmp_tiny(struct want_px *wp);
GByteArray *gen_ico(struct want_px *wp);

#endif
