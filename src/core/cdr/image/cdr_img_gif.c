/*
 * cdr_img_gif.c - GIF codec of the image rebuilder (see cdr_image.h).
 *
 * Streams the file record by record with giflib (never DGifSlurp, which
 * would allocate a frame of whatever size the frame header claims before
 * any check): each frame's size is checked, its pixels are LZW-decoded into
 * one frame buffer and LZW-encoded again into a fresh GIF89a with the same
 * screen, palettes, position and interlace flag.  All frames are kept
 * (bounded by image_max_frames and image_max_pixels).  Of the extensions
 * only the graphic control block (delay, disposal, transparency) and the
 * NETSCAPE2.0 loop count are written again, both rebuilt from their
 * parsed fields; comments, plain-text and other application extensions
 * (XMP, ICC) are dropped and named, and bytes after the trailer are dropped.
 */
#include "config.h"

#include <gif_lib.h>
#include <string.h>

#include "cdr_image.h"

struct gif_job {
	struct mg_img_job *job;
	gsize off;
	GifFileType *in, *out;
	GifByteType *line;
	gboolean wrote_loop;
};

static int gif_read_cb(GifFileType *g, GifByteType *dst, int n)
{
	struct gif_job *gj = g->UserData;
	gsize left = gj->job->len - gj->off;
	gsize take = n < 0 ? 0 : MIN((gsize)n, left);
	memcpy(dst, gj->job->data + gj->off, take);
	gj->off += take;
	return (int)take;
}

static int gif_write_cb(GifFileType *g, const GifByteType *src, int n)
{
	GByteArray *b = g->UserData;
	if (n < 0 || (guint)n > G_MAXUINT - b->len)
		return 0;
	g_byte_array_append(b, src, (guint)n);
	return n;
}

/* Skip the remaining sub-blocks of an extension. */
static gboolean gif_skip_blocks(struct gif_job *gj, GifByteType *block)
{
	while (block)
		if (DGifGetExtensionNext(gj->in, &block) == GIF_ERROR)
			return FALSE;
	return TRUE;
}

static gboolean gif_put_loop(struct gif_job *gj, const GifByteType *sub)
{
	GifByteType loop[3] = {1, sub[2], sub[3]};
	gj->wrote_loop = TRUE;
	return EGifPutExtensionLeader(gj->out, APPLICATION_EXT_FUNC_CODE) != GIF_ERROR &&
	       EGifPutExtensionBlock(gj->out, 11, "NETSCAPE2.0") != GIF_ERROR &&
	       EGifPutExtensionBlock(gj->out, 3, loop) != GIF_ERROR && EGifPutExtensionTrailer(gj->out) != GIF_ERROR;
}

/* An application extension: keep a NETSCAPE loop count, drop the rest. */
static gboolean gif_application(struct gif_job *gj, GifByteType *block)
{
	gboolean netscape = block[0] == 11 && memcmp(block + 1, "NETSCAPE2.0", 11) == 0;
	gboolean xmp = block[0] == 11 && memcmp(block + 1, "XMP DataXMP", 11) == 0;
	if (DGifGetExtensionNext(gj->in, &block) == GIF_ERROR)
		return FALSE;
	if (netscape && block && block[0] == 3 && block[1] == 1 && !gj->wrote_loop) {
		if (!gif_put_loop(gj, block))
			return FALSE;
	} else if (!netscape)
		mg_img_removed(gj->job, xmp ? "XMP metadata" : "application extension data");
	return gif_skip_blocks(gj, block);
}

static gboolean gif_extension(struct gif_job *gj)
{
	int code = 0;
	GifByteType *block = NULL;
	if (DGifGetExtension(gj->in, &code, &block) == GIF_ERROR)
		return FALSE;
	if (!block)
		return TRUE;
	if (code == GRAPHICS_EXT_FUNC_CODE && block[0] == 4) {
		GraphicsControlBlock gcb;
		GifByteType bytes[4];
		DGifExtensionToGCB(4, block + 1, &gcb);
		size_t n = EGifGCBToExtension(&gcb, bytes);
		if (EGifPutExtension(gj->out, GRAPHICS_EXT_FUNC_CODE, (int)n, bytes) == GIF_ERROR)
			return FALSE;
	} else if (code == APPLICATION_EXT_FUNC_CODE && block[0] >= 11) {
		return gif_application(gj, block);
	} else if (code == COMMENT_EXT_FUNC_CODE) {
		mg_img_removed(gj->job, "comment");
	} else {
		mg_img_removed(gj->job, "extension data");
	}
	return gif_skip_blocks(gj, block);
}

static gboolean gif_frame(struct gif_job *gj)
{
	if (DGifGetImageDesc(gj->in) == GIF_ERROR)
		return FALSE;
	GifImageDesc *d = &gj->in->Image;
	if (!mg_img_check_size(gj->job, (guint64)d->Width, (guint64)d->Height) || mg_img_past_deadline(gj->job))
		return FALSE;
	if (!d->ColorMap && !gj->in->SColorMap) {
		gj->job->fail = "corrupt GIF (frame without palette)";
		return FALSE;
	}
	g_free(gj->line);
	gj->line = g_try_malloc((gsize)d->Width);
	if (!gj->line)
		return FALSE;
	if (EGifPutImageDesc(gj->out, d->Left, d->Top, d->Width, d->Height, d->Interlace, d->ColorMap) == GIF_ERROR)
		return FALSE;
	for (int y = 0; y < d->Height; y++)
		if (DGifGetLine(gj->in, gj->line, d->Width) == GIF_ERROR ||
		    EGifPutLine(gj->out, gj->line, d->Width) == GIF_ERROR)
			return FALSE;
	return TRUE;
}

static gboolean gif_records(struct gif_job *gj)
{
	GifRecordType type;
	do {
		if (DGifGetRecordType(gj->in, &type) == GIF_ERROR)
			return FALSE;
		if (type == IMAGE_DESC_RECORD_TYPE && !gif_frame(gj))
			return FALSE;
		if (type == EXTENSION_RECORD_TYPE && !gif_extension(gj))
			return FALSE;
	} while (type != TERMINATE_RECORD_TYPE);
	return gj->job->frames > 0;
}

static gboolean gif_start(struct gif_job *gj)
{
	int err = 0;
	GifFileType *in = gj->in;
	if (in->SWidth > gj->job->max_dim || in->SHeight > gj->job->max_dim) {
		gj->job->fail = "image larger than image_max_dimension";
		return FALSE;
	}
	gj->out = EGifOpen(gj->job->out->data, gif_write_cb, &err);
	if (!gj->out)
		return FALSE;
	EGifSetGifVersion(gj->out, true);
	return EGifPutScreenDesc(gj->out, in->SWidth, in->SHeight, in->SColorResolution, in->SBackGroundColor,
				 in->SColorMap) != GIF_ERROR;
}

enum mg_cdr_status mg_img_gif(struct mg_img_job *job)
{
	struct gif_job gj = {.job = job};
	int err = 0;
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;

	job->out->data = g_byte_array_new();
	gj.in = DGifOpen(&gj, gif_read_cb, &err);
	gboolean ok = gj.in && gif_start(&gj) && gif_records(&gj);
	/* giflib out of memory is its failure, not the file's (issue 11) */
	gboolean no_mem = err == D_GIF_ERR_NOT_ENOUGH_MEM || (gj.in && gj.in->Error == D_GIF_ERR_NOT_ENOUGH_MEM) ||
			  (gj.out && gj.out->Error == E_GIF_ERR_NOT_ENOUGH_MEM);
	/* Close the encoder while out->data still exists: it writes the trailer. */
	if (gj.out && EGifCloseFile(gj.out, &err) == GIF_ERROR && ok) {
		ok = FALSE;
		job->fail = "GIF encoder failed";
	}
	if (!ok && no_mem) {
		mg_img_unscannable(job, "giflib ran out of memory");
		st = MG_CDR_ERROR;
		goto out;
	}
	if (!ok) {
		st = mg_img_unscannable(job, job->fail ? job->fail : "corrupt or truncated GIF");
		goto out;
	}
	mg_img_trailing(job, job->len - gj.off);
	st = MG_CDR_REBUILT;
out:
	if (gj.in)
		DGifCloseFile(gj.in, &err);
	g_free(gj.line);
	return st;
}
