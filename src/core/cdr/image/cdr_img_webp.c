/*
 * cdr_img_webp.c - WebP codec of the image rebuilder (see cdr_image.h).
 *
 * WebPGetFeatures gives the canvas size, checked before decoding.  A still
 * image is decoded to RGBA and encoded again (lossless stays lossless,
 * lossy uses image_jpeg_quality, an animation's frame is kept lossless);
 * an animation is decoded with
 * WebPAnimDecoder and only its first frame is kept (libwebpmux, the only
 * animation encoder, is not among the dependencies).  The simple encoder
 * writes no EXIF, XMP or ICCP chunk; those found in the input (VP8X flags)
 * are named, and bytes after the RIFF size are counted and dropped.
 */
#include "config.h"

#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

#include "cdr_image.h"

static void webp_note_meta(struct mg_img_job *job, const WebPData *wd)
{
	WebPDemuxer *dmx = WebPDemux(wd);
	if (!dmx)
		return;
	guint32 flags = WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS);
	if (flags & EXIF_FLAG)
		mg_img_removed(job, "EXIF metadata");
	if (flags & XMP_FLAG)
		mg_img_removed(job, "XMP metadata");
	if (flags & ICCP_FLAG)
		mg_img_removed(job, "ICC colour profile");
	WebPDemuxDelete(dmx);
}

/* First frame of an animation as a canvas-sized RGBA copy. */
static guint8 *webp_first_frame(const WebPData *wd, int w, int h)
{
	WebPAnimDecoderOptions opts;
	guint8 *rgba = NULL, *frame = NULL;
	int ts = 0;
	if (!WebPAnimDecoderOptionsInit(&opts))
		return NULL;
	opts.color_mode = MODE_RGBA;
	opts.use_threads = 0;
	WebPAnimDecoder *dec = WebPAnimDecoderNew(wd, &opts);
	if (dec && WebPAnimDecoderGetNext(dec, &frame, &ts) && frame) {
		rgba = g_try_malloc((gsize)w * (gsize)h * 4);
		if (rgba)
			memcpy(rgba, frame, (gsize)w * (gsize)h * 4);
	}
	WebPAnimDecoderDelete(dec);
	return rgba;
}

static guint8 *webp_still(const WebPData *wd, int w, int h)
{
	int gw = 0, gh = 0;
	guint8 *p = WebPDecodeRGBA(wd->bytes, wd->size, &gw, &gh);
	guint8 *rgba = NULL;
	if (p && gw == w && gh == h) {
		rgba = g_try_malloc((gsize)w * (gsize)h * 4);
		if (rgba)
			memcpy(rgba, p, (gsize)w * (gsize)h * 4);
	}
	WebPFree(p);
	return rgba;
}

/* The RIFF chunk says how long the file is; the rest is trailing data. */
static gsize webp_riff_len(const struct mg_img_job *job)
{
	guint32 n = (guint32)job->data[4] | (guint32)job->data[5] << 8 | (guint32)job->data[6] << 16 |
		    (guint32)job->data[7] << 24;
	return (guint64)n + 8 < job->len ? (gsize)n + 8 : job->len;
}

enum mg_cdr_status mg_img_webp(struct mg_img_job *job)
{
	WebPBitstreamFeatures f;
	WebPData wd = {job->data, webp_riff_len(job)};
	guint8 *rgba = NULL, *enc = NULL;
	size_t n = 0;
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;

	if (WebPGetFeatures(wd.bytes, wd.size, &f) != VP8_STATUS_OK) {
		st = mg_img_unscannable(job, "corrupt WebP");
		goto out;
	}
	if (!mg_img_check_size(job, (guint64)f.width, (guint64)f.height)) {
		st = mg_img_unscannable(job, NULL);
		goto out;
	}
	rgba = f.has_animation ? webp_first_frame(&wd, f.width, f.height) : webp_still(&wd, f.width, f.height);
	if (!rgba) {
		st = mg_img_unscannable(job, "corrupt or truncated WebP");
		goto out;
	}
	/* format 1 = lossy; 2 = lossless; 0 = mixed (animations): lossless. */
	n = f.format != 1 ? WebPEncodeLosslessRGBA(rgba, f.width, f.height, f.width * 4, &enc)
			  : WebPEncodeRGBA(rgba, f.width, f.height, f.width * 4, (float)job->quality, &enc);
	if (n == 0 || n > G_MAXUINT) {
		st = mg_img_unscannable(job, "WebP encoder failed");
		goto out;
	}
	job->out->data = g_byte_array_sized_new((guint)n);
	g_byte_array_append(job->out->data, enc, (guint)n);
	webp_note_meta(job, &wd);
	if (f.has_animation)
		g_ptr_array_add(job->out->removed, g_strdup("animation removed (first frame kept)"));
	mg_img_trailing(job, job->len - wd.size);
	st = MG_CDR_REBUILT;
out:
	WebPFree(enc);
	g_free(rgba);
	return st;
}
