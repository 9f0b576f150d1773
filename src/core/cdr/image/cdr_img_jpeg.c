/*
 * cdr_img_jpeg.c - JPEG codec of the image rebuilder (see cdr_image.h).
 *
 * Reads with libjpeg(-turbo) from memory: the frame header's dimensions are
 * checked before decompression starts; the image is decoded to gray, RGB
 * or CMYK samples and compressed again at image_jpeg_quality.  Only pixels
 * cross over, plus the JFIF density and the EXIF orientation (so phone
 * photos stay upright):
 * the new file carries a fresh minimal EXIF block holding that one tag.
 * APPn segments (EXIF with GPS, XMP, ICC, IPTC/Photoshop), comments and
 * bytes after EOI are named in the report and dropped.  Any libjpeg warning
 * other than "extraneous bytes before marker" (truncated or corrupt data,
 * which libjpeg would fill with grey) makes the file unscannable; a
 * progress monitor stops over-long progressive files (scan count) and the
 * deadline.  Errors unwind by longjmp: state lives in struct jpeg_job.
 */
#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "cdr_image.h"

#define JPEG_MAX_SCANS 1000
#define JPEG_APP_SAVE  0xffff
#define JPEG_MEM_SLACK (16 * 1024 * 1024)

struct jpeg_job {
	struct jpeg_error_mgr pub; /* first: libjpeg hands us this pointer */
	jmp_buf jb;
	struct jpeg_progress_mgr progress;
	struct mg_img_job *job;
	gboolean corrupt, too_long;
	JDIMENSION w, h;
	int comps;
	J_COLOR_SPACE space;
	int orientation;
	UINT8 density_unit;
	UINT16 x_density, y_density;
	guint8 *pixels;
	unsigned char *enc;
	unsigned long enc_len;
};

static void jpeg_error_exit_cb(j_common_ptr cinfo)
{
	struct jpeg_job *jj = (struct jpeg_job *)cinfo->err;
	longjmp(jj->jb, 1);
}

static void jpeg_emit_cb(j_common_ptr cinfo, int level)
{
	struct jpeg_job *jj = (struct jpeg_job *)cinfo->err;
	if (level < 0 && cinfo->err->msg_code != JWRN_EXTRANEOUS_DATA)
		jj->corrupt = TRUE;
}

static void jpeg_output_cb(j_common_ptr cinfo) {}

static void jpeg_progress_cb(j_common_ptr cinfo)
{
	struct jpeg_job *jj = (struct jpeg_job *)cinfo->err;
	if (!cinfo->is_decompressor)
		return;
	if (((j_decompress_ptr)cinfo)->input_scan_number > JPEG_MAX_SCANS || mg_img_past_deadline(jj->job)) {
		jj->too_long = TRUE;
		longjmp(jj->jb, 1);
	}
}

static guint exif_u16(const guint8 *p, gboolean le)
{
	return le ? p[0] | p[1] << 8 : p[0] << 8 | p[1];
}

static guint32 exif_u32(const guint8 *p, gboolean le)
{
	return le ? (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24
		  : (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | (guint32)p[3];
}

/* Orientation (tag 0x0112) and whether a GPS IFD (tag 0x8825) is present,
 * from IFD0 of an EXIF APP1 payload.  Hand-written: no EXIF library is
 * among the dependencies, and this reads one bounded table (12-byte
 * entries, every offset checked against the segment length). */
static void exif_scan(const guint8 *p, gsize n, int *orientation, gboolean *gps)
{
	if (n < 14 || memcmp(p, "Exif\0\0", 6) != 0)
		return;
	const guint8 *t = p + 6;
	gsize tn = n - 6;
	gboolean le = t[0] == 'I';
	if (!(t[0] == 'I' && t[1] == 'I') && !(t[0] == 'M' && t[1] == 'M'))
		return;
	guint32 ifd = exif_u32(t + 4, le);
	if (ifd > tn - 2 || tn < 8)
		return;
	guint cnt = exif_u16(t + ifd, le);
	for (guint i = 0; i < cnt && ifd + 2 + (gsize)(i + 1) * 12 <= tn; i++) {
		const guint8 *e = t + ifd + 2 + (gsize)i * 12;
		guint tag = exif_u16(e, le);
		if (tag == 0x0112 && exif_u16(e + 2, le) == 3) {
			guint v = exif_u16(e + 8, le);
			*orientation = v >= 1 && v <= 8 ? (int)v : 1;
		} else if (tag == 0x8825)
			*gps = TRUE;
	}
}

static void jpeg_note_markers(struct jpeg_job *jj, j_decompress_ptr d)
{
	gboolean gps = FALSE;
	for (jpeg_saved_marker_ptr m = d->marker_list; m; m = m->next) {
		if (m->marker == JPEG_COM)
			mg_img_removed(jj->job, "comment");
		else if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
			exif_scan(m->data, m->data_length, &jj->orientation, &gps);
			mg_img_removed(jj->job, gps ? "EXIF metadata (with GPS position)" : "EXIF metadata");
		} else if (m->marker == JPEG_APP0 + 1)
			mg_img_removed(jj->job, "XMP metadata");
		else if (m->marker == JPEG_APP0 + 2)
			mg_img_removed(jj->job, "ICC colour profile");
		else if (m->marker == JPEG_APP0 + 13)
			mg_img_removed(jj->job, "IPTC/Photoshop metadata");
		else
			mg_img_removed(jj->job, "application (APPn) data");
	}
}

static gboolean jpeg_decode(struct jpeg_job *jj, j_decompress_ptr d)
{
	if (setjmp(jj->jb))
		return FALSE;
	jpeg_create_decompress(d);
	/* libjpeg's own buffers (progressive coefficients: 2 bytes per sample
	 * and component) stay within the pixel budget, or it stops. */
	d->mem->max_memory_to_use = (long)MIN((guint64)jj->job->max_pixels * 8 + JPEG_MEM_SLACK, (guint64)G_MAXLONG);
	d->progress = &jj->progress;
	jpeg_mem_src(d, jj->job->data, (unsigned long)jj->job->len);
	jpeg_save_markers(d, JPEG_COM, JPEG_APP_SAVE);
	for (int m = 1; m < 16; m++)
		if (m != 14) /* APP14 Adobe: libjpeg reads it for the colour transform */
			jpeg_save_markers(d, JPEG_APP0 + m, JPEG_APP_SAVE);
	jpeg_read_header(d, TRUE);
	jpeg_note_markers(jj, d); /* the saved markers live until finish_decompress */
	if (!mg_img_check_size(jj->job, d->image_width, d->image_height))
		return FALSE;
	d->out_color_space = d->num_components == 1                                               ? JCS_GRAYSCALE
			     : d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK ? JCS_CMYK
												  : JCS_RGB;
	jpeg_start_decompress(d);
	jj->w = d->output_width, jj->h = d->output_height, jj->comps = d->output_components;
	jj->space = d->out_color_space;
	if (d->saw_JFIF_marker)
		jj->density_unit = d->density_unit, jj->x_density = d->X_density, jj->y_density = d->Y_density;
	jj->pixels = g_try_malloc((gsize)jj->w * jj->h * (gsize)jj->comps);
	if (!jj->pixels || jj->w != d->image_width || jj->h != d->image_height)
		return FALSE;
	while (d->output_scanline < d->output_height) {
		JSAMPROW row = jj->pixels + (gsize)d->output_scanline * jj->w * (gsize)jj->comps;
		jpeg_read_scanlines(d, &row, 1);
	}
	jpeg_finish_decompress(d);
	mg_img_trailing(jj->job, d->src->bytes_in_buffer);
	return !jj->corrupt;
}

/* APP1 "Exif" with a big-endian IFD0 holding only Orientation. */
static void jpeg_write_orientation(j_compress_ptr c, int orientation)
{
	static const guint8 tmpl[] = {'E',  'x',  'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
				      0x01, 0x12, 0,   3,   0, 0, 0,   1,   0, 0,  0, 0, 0, 0, 0, 0};
	guint8 app1[sizeof tmpl];
	memcpy(app1, tmpl, sizeof tmpl);
	app1[25] = (guint8)orientation;
	jpeg_write_marker(c, JPEG_APP0 + 1, app1, sizeof app1);
}

static gboolean jpeg_encode(struct jpeg_job *jj, j_compress_ptr c)
{
	if (setjmp(jj->jb))
		return FALSE;
	jpeg_create_compress(c);
	jpeg_mem_dest(c, &jj->enc, &jj->enc_len);
	c->image_width = jj->w;
	c->image_height = jj->h;
	c->input_components = jj->comps;
	c->in_color_space = jj->space;
	jpeg_set_defaults(c);
	jpeg_set_quality(c, (int)jj->job->quality, TRUE);
	c->optimize_coding = TRUE;
	if (jj->x_density && jj->y_density)
		c->density_unit = jj->density_unit, c->X_density = jj->x_density, c->Y_density = jj->y_density;
	jpeg_start_compress(c, TRUE);
	if (jj->orientation > 1)
		jpeg_write_orientation(c, jj->orientation);
	while (c->next_scanline < c->image_height) {
		JSAMPROW row = jj->pixels + (gsize)c->next_scanline * jj->w * (gsize)jj->comps;
		jpeg_write_scanlines(c, &row, 1);
	}
	jpeg_finish_compress(c);
	return TRUE;
}

enum mg_cdr_status mg_img_jpeg(struct mg_img_job *job)
{
	struct jpeg_job *jj = g_new0(struct jpeg_job, 1);
	struct jpeg_decompress_struct d = {0};
	struct jpeg_compress_struct c = {0};
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;

	jj->job = job;
	d.err = jpeg_std_error(&jj->pub);
	jj->pub.error_exit = jpeg_error_exit_cb;
	jj->pub.emit_message = jpeg_emit_cb;
	jj->pub.output_message = jpeg_output_cb;
	jj->progress.progress_monitor = jpeg_progress_cb;
	if (!jpeg_decode(jj, &d)) {
		st = mg_img_unscannable(job, job->fail      ? job->fail
					     : jj->too_long ? "JPEG over its time or scan budget"
							    : "corrupt or truncated JPEG");
		goto out;
	}
	c.err = &jj->pub;
	if (!jpeg_encode(jj, &c)) {
		st = mg_img_unscannable(job, "JPEG encoder failed");
		goto out;
	}
	job->out->data = g_byte_array_sized_new((guint)jj->enc_len);
	g_byte_array_append(job->out->data, jj->enc, (guint)jj->enc_len);
	st = MG_CDR_REBUILT;
out:
	jpeg_destroy_decompress(&d);
	jpeg_destroy_compress(&c);
	free(jj->enc);
	g_free(jj->pixels);
	g_free(jj);
	return st;
}
