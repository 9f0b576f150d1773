/*
 * cdr_img_bmp.c - BMP codec of the image rebuilder (see cdr_image.h).
 *
 * Hand-written, because none of the image libraries among the
 * dependencies reads BMP (gdk-pixbuf or ImageMagick would pull in many
 * more parsers than this file), and the uncompressed format is a fixed
 * header and raw rows: every offset and length below is checked against
 * the file size before it is read.  Reads the OS/2 core header and the
 * Windows headers (40, 52, 56, 108, 124 bytes) with 1/4/8-bit palettes,
 * 16/24/32-bit BI_RGB and BI_BITFIELDS pixels; RLE, embedded JPEG/PNG and
 * other compressions are unscannable.  Writes a fresh 24-bit BI_RGB
 * bottom-up BMP with a 40-byte header (resolution copied): colour spaces,
 * embedded ICC profiles, gaps and bytes after the pixel rows are gone; an
 * alpha channel is dropped (BMP alpha is rarely honoured by viewers).
 */
#include "config.h"

#include <string.h>

#include "cdr_image.h"

enum { BI_RGB = 0, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6 };

struct bmp_info {
	gint64 w, h; /* h < 0: rows top-down */
	guint bpp, compression;
	guint32 masks[3];
	guint8 pal[256][3]; /* RGB */
	gint32 xppm, yppm;
	gsize pix_off, stride;
};

static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint le16(const guint8 *p)
{
	return p[0] | p[1] << 8;
}

static void put32(guint8 *p, guint32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (guint8)(v >> (8 * i));
}

/* Palette after the header (4 bytes per entry, 3 for OS/2). */
static gboolean bmp_palette(struct bmp_info *bi, const guint8 *d, gsize len, gsize at, guint n_used, gsize entry)
{
	guint n = n_used ? n_used : 1u << bi->bpp;
	if (n > 256 || at + (gsize)n * entry > len)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const guint8 *e = d + at + (gsize)i * entry;
		bi->pal[i][0] = e[2], bi->pal[i][1] = e[1], bi->pal[i][2] = e[0];
	}
	return TRUE;
}

static gboolean bmp_masks(struct bmp_info *bi, const guint8 *d, gsize len, gsize hdr)
{
	if (bi->compression == BI_RGB) {
		static const guint32 m16[3] = {0x7c00, 0x03e0, 0x001f}, m32[3] = {0xff0000, 0xff00, 0xff};
		memcpy(bi->masks, bi->bpp == 16 ? m16 : m32, sizeof bi->masks);
		return TRUE;
	}
	if ((bi->compression != BI_BITFIELDS && bi->compression != BI_ALPHABITFIELDS) ||
	    (bi->bpp != 16 && bi->bpp != 32) || 14 + hdr + 12 > len)
		return FALSE;
	for (int i = 0; i < 3; i++) /* masks follow a 40-byte header, or sit inside larger ones */
		bi->masks[i] = le32(d + 14 + 40 + 4 * i);
	return TRUE;
}

static gboolean bmp_header(struct bmp_info *bi, const guint8 *d, gsize len)
{
	if (len < 14 + 12)
		return FALSE;
	gsize hdr = le32(d + 14);
	if (hdr < 12 || hdr > len - 14)
		return FALSE;
	bi->pix_off = le32(d + 10);
	if (hdr == 12) { /* OS/2 BITMAPCOREHEADER */
		bi->w = le16(d + 18), bi->h = le16(d + 20), bi->bpp = le16(d + 24);
		return bi->bpp == 24 ||
		       ((bi->bpp == 1 || bi->bpp == 4 || bi->bpp == 8) && bmp_palette(bi, d, len, 14 + hdr, 0, 3));
	}
	if (hdr < 40)
		return FALSE;
	bi->w = (gint32)le32(d + 18), bi->h = (gint32)le32(d + 22);
	bi->bpp = le16(d + 28), bi->compression = le32(d + 30);
	bi->xppm = (gint32)le32(d + 38), bi->yppm = (gint32)le32(d + 42);
	if (bi->bpp == 1 || bi->bpp == 4 || bi->bpp == 8)
		return bi->compression == BI_RGB && bmp_palette(bi, d, len, 14 + hdr, le32(d + 46), 4);
	if (bi->bpp == 24)
		return bi->compression == BI_RGB;
	if (bi->bpp == 16 || bi->bpp == 32)
		return bmp_masks(bi, d, len, hdr);
	return FALSE;
}

static guint8 bmp_channel(guint32 px, guint32 mask)
{
	if (!mask)
		return 0;
	guint shift = (guint)__builtin_ctz(mask);
	guint64 max = (guint64)(mask >> shift);
	return (guint8)(((guint64)((px & mask) >> shift) * 255 + max / 2) / max);
}

/* RGB of pixel x of a source row. */
static void bmp_pixel(const struct bmp_info *bi, const guint8 *row, gint64 x, guint8 rgb[3])
{
	if (bi->bpp <= 8) {
		guint bit = (guint)(x * bi->bpp);
		guint idx = (row[bit / 8] >> (8 - bi->bpp - bit % 8)) & ((1u << bi->bpp) - 1);
		memcpy(rgb, bi->pal[idx], 3);
	} else if (bi->bpp == 24) {
		rgb[0] = row[x * 3 + 2], rgb[1] = row[x * 3 + 1], rgb[2] = row[x * 3];
	} else {
		guint32 px = bi->bpp == 16 ? le16(row + x * 2) : le32(row + x * 4);
		for (int i = 0; i < 3; i++)
			rgb[i] = bmp_channel(px, bi->masks[i]);
	}
}

static GByteArray *bmp_write(const struct bmp_info *bi, const guint8 *d)
{
	gint64 h = bi->h < 0 ? -bi->h : bi->h;
	gsize ostride = ((gsize)bi->w * 3 + 3) & ~(gsize)3;
	gsize size = 54 + ostride * (gsize)h;
	GByteArray *b = g_byte_array_sized_new((guint)size);
	g_byte_array_set_size(b, (guint)size);
	memset(b->data, 0, size);
	guint8 *o = b->data;
	o[0] = 'B', o[1] = 'M';
	put32(o + 2, (guint32)size), put32(o + 10, 54), put32(o + 14, 40);
	put32(o + 18, (guint32)bi->w), put32(o + 22, (guint32)h);
	o[26] = 1, o[28] = 24;
	put32(o + 34, (guint32)(ostride * (gsize)h));
	put32(o + 38, (guint32)bi->xppm), put32(o + 42, (guint32)bi->yppm);
	for (gint64 y = 0; y < h; y++) { /* output row y counts from the bottom */
		gint64 src_y = bi->h < 0 ? h - 1 - y : y;
		const guint8 *row = d + bi->pix_off + (gsize)src_y * bi->stride;
		guint8 *orow = o + 54 + (gsize)y * ostride;
		for (gint64 x = 0; x < bi->w; x++) {
			guint8 rgb[3];
			bmp_pixel(bi, row, x, rgb);
			orow[x * 3] = rgb[2], orow[x * 3 + 1] = rgb[1], orow[x * 3 + 2] = rgb[0];
		}
	}
	return b;
}

enum mg_cdr_status mg_img_bmp(struct mg_img_job *job)
{
	struct bmp_info *bi = g_new0(struct bmp_info, 1);
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;

	if (!bmp_header(bi, job->data, job->len)) {
		st = mg_img_unscannable(job, "corrupt or unsupported BMP (compressed or unknown header)");
		goto out;
	}
	gint64 h = bi->h < 0 ? -bi->h : bi->h;
	if (bi->w <= 0 || !mg_img_check_size(job, (guint64)bi->w, (guint64)h)) {
		st = mg_img_unscannable(job, job->fail ? job->fail : "corrupt BMP");
		goto out;
	}
	bi->stride = (((gsize)bi->w * bi->bpp + 31) / 32) * 4;
	if (bi->pix_off > job->len || (gsize)h > (job->len - bi->pix_off) / bi->stride ||
	    54 + (((gsize)bi->w * 3 + 3) & ~(gsize)3) * (gsize)h > G_MAXUINT) {
		st = mg_img_unscannable(job, "truncated BMP");
		goto out;
	}
	job->out->data = bmp_write(bi, job->data);
	if (bi->pix_off + bi->stride * (gsize)h < job->len)
		mg_img_trailing(job, job->len - bi->pix_off - bi->stride * (gsize)h);
	st = MG_CDR_REBUILT;
out:
	g_free(bi);
	return st;
}
