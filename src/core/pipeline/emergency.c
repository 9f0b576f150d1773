/*
 * emergency.c - the emergency profiles of the exception registry at work
 * (F31, R16.4, R17.9; mg_steps.h, mg_exception.h).  An admin activates
 * one by adding an emergency-profile entry to exceptions_file (approved,
 * dated, with a post-report due date); it ends by itself on its expiry
 * date.  Both profiles concern inbound sanitization only
 * (mg_guard_emergency) and never deliver anything unsanitized:
 *
 *   body-only     every attachment removed, as with body_only = yes
 *                 (mg_pipeline_leaf asks mg_pipeline_emergency_leaf);
 *   cdr-fallback  the CDR runs as usual; an attachment whose rebuild ends
 *                 in MG_CDR_ERROR (an internal or temporary failure: a
 *                 library that failed, typing that failed) is removed
 *                 with a notice instead of failing the message with the
 *                 on_error 451.  A scan that failed anywhere in that
 *                 file's CDR run (the rebuilt output, an archive member)
 *                 keeps the 451: only the rebuild degrades, and only to
 *                 removal.  Viruses, refusals and unscannable files are
 *                 not errors and keep their final answers.
 *
 * Each use goes through mg_guard_emergency_used (the registry's use
 * record, the notice event, the original kept in quarantine).
 */
#include "config.h"

#include "mg_body.h"
#include "mg_guard.h"
#include "mg_steps.h"

gboolean mg_pipeline_emergency_leaf(struct mg_leaf *leaf)
{
	const struct mg_exception *e = leaf->inline_text ? NULL : mg_guard_emergency(leaf->t, MG_EXC_PROFILE_BODY_ONLY);
	if (!e)
		return FALSE;
	mg_body_only_remove(leaf);
	g_free(leaf->rep->reason);
	leaf->rep->reason = g_strdup_printf("emergency profile %s (body-only): attachments are not accepted", e->id);
	char *what = g_strdup_printf("body-only: attachment %s removed", leaf->filename ? leaf->filename : leaf->path);
	mg_guard_emergency_used(leaf->t, e, what);
	g_free(what);
	return TRUE;
}

/* The CDR's scanner, noting a failed scan for mg_pipeline_fallback. */
static enum mg_cdr_scan fallback_scan(void *data, const guint8 *buf, gsize len, const char *name, char **virus,
				      char **why)
{
	struct mg_fallback *fb = data;
	enum mg_cdr_scan r = fb->scan(fb->scan_data, buf, len, name, virus, why);
	if (r == MG_CDR_SCAN_ERROR)
		fb->scan_failed = TRUE;
	return r;
}

void mg_pipeline_fallback_arm(struct mg_fallback *fb, struct mg_cdr_ctx *ctx, struct mg_txn *t)
{
	*fb = (struct mg_fallback){.e = mg_guard_emergency(t, MG_EXC_PROFILE_CDR_FALLBACK)};
	if (!fb->e)
		return;
	fb->scan = ctx->scan;
	fb->scan_data = ctx->scan_data;
	if (ctx->scan) { /* no scanner: every file is unscannable, never an error to degrade */
		ctx->scan = fallback_scan;
		ctx->scan_data = fb;
	}
}

enum mg_cdr_status mg_pipeline_fallback(const struct mg_fallback *fb, struct mg_leaf *leaf, enum mg_cdr_status st,
					struct mg_cdr_out *out)
{
	if (st != MG_CDR_ERROR || !fb->e || fb->scan_failed)
		return st;
	const char *name = leaf->filename ? leaf->filename : leaf->path;
	char *was = out->reason ? out->reason : g_strdup("internal error");
	out->reason = g_strdup_printf("emergency profile %s (cdr-fallback): removed, the rebuild failed "
				      "(degraded operation): %s",
				      fb->e->id, was);
	if (out->data)
		g_clear_pointer(&out->data, g_byte_array_unref);
	char *what =
		g_strdup_printf("cdr-fallback: attachment %s removed instead of a temporary failure (%s)", name, was);
	mg_guard_emergency_used(leaf->t, fb->e, what);
	g_free(what);
	g_free(was);
	return MG_CDR_REMOVE;
}
