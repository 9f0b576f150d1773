/*
 * cdr_image.c - image rebuilder (mg_cdr_fn, see mg_cdr.h).
 *
 * Contract: mg_cdr_image() recognises PNG, JPEG, GIF, BMP, TIFF and WebP by
 * their signature (not by name or declared type), decodes the image with
 * the format's library (libpng, libjpeg-turbo, giflib, libtiff, libwebp;
 * BMP by a small decoder in cdr_img_bmp.c) and encodes a fresh file of the
 * same format from the pixels alone.  Nothing but pixels (and the few
 * fields needed to show them: palette, transparency, GIF timing and loop
 * count, JPEG orientation) crosses over, so EXIF (GPS), XMP, IPTC,
 * comments, text chunks, ICC profiles and any bytes after the image end
 * (polyglots) are gone; out->removed names what was found.
 *
 * Decisions: ICC colour profiles are dropped (a binary blob parsed by
 * every viewer; office images are sRGB).  Animated GIF keeps all frames
 * (each frame is re-encoded; bounded by image_max_frames and the pixel
 * budget); animated WebP and APNG keep the first frame only (no encoder
 * for them among the libraries).  Multi-page TIFF keeps all pages.  JPEG
 * is re-encoded at image_jpeg_quality and keeps only its EXIF orientation.
 *
 * Bounds: width and height are read from the header and checked against
 * image_max_dimension and image_max_pixels (summed over frames) before any
 * pixel memory is taken (pixel bombs); more frames than image_max_frames,
 * a corrupt or truncated file, or the deadline -> UNSCANNABLE.  A format
 * not listed above -> REMOVE.
 */
#include "config.h"

#include <string.h>

#include "cdr_image.h"

gboolean mg_img_check_size(struct mg_img_job *job, guint64 w, guint64 h)
{
	if (w == 0 || h == 0) {
		job->fail = "corrupt (empty image)";
		return FALSE;
	}
	if (w > (guint64)job->max_dim || h > (guint64)job->max_dim) {
		job->fail = "image larger than image_max_dimension";
		return FALSE;
	}
	if (++job->frames > job->max_frames) {
		job->fail = "more frames than image_max_frames";
		return FALSE;
	}
	job->pixels += w * h;
	if (job->pixels > (guint64)job->max_pixels) {
		job->fail = "more pixels than image_max_pixels";
		return FALSE;
	}
	return TRUE;
}

void mg_img_removed(struct mg_img_job *job, const char *what)
{
	char *s = g_strdup_printf("%s removed", what);
	for (guint i = 0; i < job->out->removed->len; i++)
		if (strcmp(job->out->removed->pdata[i], s) == 0) {
			g_free(s);
			return;
		}
	g_ptr_array_add(job->out->removed, s);
}

void mg_img_trailing(struct mg_img_job *job, gsize n)
{
	if (n > 0)
		g_ptr_array_add(job->out->removed,
				g_strdup_printf("%" G_GSIZE_FORMAT " bytes after the image removed", n));
}

gboolean mg_img_past_deadline(const struct mg_img_job *job)
{
	return job->deadline_us > 0 && g_get_monotonic_time() > job->deadline_us;
}

enum mg_cdr_status mg_img_unscannable(struct mg_img_job *job, const char *why)
{
	if (why)
		job->fail = why;
	if (!job->fail)
		job->fail = "corrupt";
	if (job->out->data) {
		g_byte_array_unref(job->out->data);
		job->out->data = NULL;
	}
	g_ptr_array_set_size(job->out->removed, 0); /* nothing was delivered */
	return MG_CDR_UNSCANNABLE;
}

typedef enum mg_cdr_status (*mg_img_codec)(struct mg_img_job *job);

static const struct {
	const char *magic;
	gsize off, len;
	mg_img_codec codec;
} signatures[] = {
	{"\x89PNG\r\n\x1a\n", 0, 8, mg_img_png},
	{"\xff\xd8\xff", 0, 3, mg_img_jpeg},
	{"GIF87a", 0, 6, mg_img_gif},
	{"GIF89a", 0, 6, mg_img_gif},
	{"II*\0", 0, 4, mg_img_tiff},
	{"MM\0*", 0, 4, mg_img_tiff},
	{"II+\0", 0, 4, mg_img_tiff},
	{"MM\0+", 0, 4, mg_img_tiff}, /* BigTIFF */
	{"WEBP", 8, 4, mg_img_webp},
	{"BM", 0, 2, mg_img_bmp},
};

static mg_img_codec codec_for(const guint8 *data, gsize len)
{
	for (gsize i = 0; i < G_N_ELEMENTS(signatures); i++)
		if (len >= signatures[i].off + signatures[i].len + 8 &&
		    memcmp(data + signatures[i].off, signatures[i].magic, signatures[i].len) == 0) {
			if (signatures[i].codec == mg_img_webp && memcmp(data, "RIFF", 4) != 0)
				continue;
			return signatures[i].codec;
		}
	return NULL;
}

enum mg_cdr_status mg_cdr_image(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	const struct mg_config *cfg = in->ctx->cfg;
	struct mg_img_job job = {.data = in->data,
				 .len = in->len,
				 .out = out,
				 .max_pixels = cfg->image_max_pixels,
				 .max_dim = cfg->image_max_dimension,
				 .max_frames = cfg->image_max_frames,
				 .quality = cfg->image_jpeg_quality,
				 .deadline_us = in->deadline_us};
	mg_img_codec codec = codec_for(in->data, in->len);

	if (!codec) {
		out->reason = g_strdup_printf("no rebuilder for this image type (%s)",
					      in->true_type ? in->true_type : "unknown");
		return MG_CDR_REMOVE;
	}
	enum mg_cdr_status st =
		mg_img_past_deadline(&job) ? mg_img_unscannable(&job, "time budget exceeded") : codec(&job);
	if (st == MG_CDR_REBUILT && mg_img_past_deadline(&job))
		st = mg_img_unscannable(&job, "time budget exceeded");
	if (st == MG_CDR_REBUILT && (!out->data || out->data->len == 0))
		st = mg_img_unscannable(&job, "encoder produced no output");
	if (st != MG_CDR_REBUILT && !out->reason)
		out->reason = g_strdup(job.fail ? job.fail : "corrupt");
	return st;
}
