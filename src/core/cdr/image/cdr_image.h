/*
 * cdr_image.h - private to the image rebuilder (cdr_image.c and the
 * cdr_img_*.c codec files): the job every codec receives and the shared
 * limit check.  A codec decodes the whole image into pixel memory it takes
 * only after mg_img_check_size() accepted the dimensions, re-encodes it in
 * the same format into job->out->data, and names what did not survive in
 * job->out->removed via mg_img_removed().  It returns MG_CDR_REBUILT, or
 * MG_CDR_UNSCANNABLE with job->fail set (corrupt, over a limit).
 */
#ifndef MG_CDR_IMAGE_H
#define MG_CDR_IMAGE_H

#include <glib.h>
#include <stdint.h>

#include "mg_cdr.h"

struct mg_img_job {
	const guint8 *data;
	gsize len;
	struct mg_cdr_out *out;
	int64_t max_pixels, max_dim, max_frames, quality;
	gint64 deadline_us; /* 0 = none */
	guint64 pixels;     /* decoded so far (all frames) */
	int frames;
	const char *fail; /* static reason when unscannable */
};

/* Accept one more frame of w x h, or set job->fail and return FALSE. */
gboolean mg_img_check_size(struct mg_img_job *job, guint64 w, guint64 h);
/* Add "WHAT removed" once (duplicates are ignored). */
void mg_img_removed(struct mg_img_job *job, const char *what);
/* "N bytes after the image removed" when n > 0. */
void mg_img_trailing(struct mg_img_job *job, gsize n);
gboolean mg_img_past_deadline(const struct mg_img_job *job);
enum mg_cdr_status mg_img_unscannable(struct mg_img_job *job, const char *why);

enum mg_cdr_status mg_img_png(struct mg_img_job *job);  /* cdr_img_png.c */
enum mg_cdr_status mg_img_jpeg(struct mg_img_job *job); /* cdr_img_jpeg.c */
enum mg_cdr_status mg_img_gif(struct mg_img_job *job);  /* cdr_img_gif.c */
enum mg_cdr_status mg_img_tiff(struct mg_img_job *job); /* cdr_img_tiff.c */
enum mg_cdr_status mg_img_webp(struct mg_img_job *job); /* cdr_img_webp.c */
enum mg_cdr_status mg_img_bmp(struct mg_img_job *job);  /* cdr_img_bmp.c */

#endif
