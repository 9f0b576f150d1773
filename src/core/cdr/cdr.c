/*
 * cdr.c - see mg_cdr.h.  The attachment dispatcher:
 *
 *   true type (mg_filetype) -> name checks (bidi override, double
 *   extension, content/name mismatch) -> policy table (mg_cdr_policy) ->
 *   rebuilder or converter for the type (table below) -> budgets (time,
 *   output size) -> virus scan of the output (ctx->scan) -> the result.
 *
 * Every path that cannot prove the output clean ends in REMOVE,
 * UNSCANNABLE, INFECTED or ERROR; nothing is passed through unchanged
 * except by a `keep` rule, and a kept file is still scanned (kept text
 * loses the uuencoded/BinHex/yEnc files inside it, cdr_inline.c: then
 * it is reported rebuilt).
 *
 * Unscannable classes: a rebuilder says why in out->reason; a reason that
 * mentions encryption or a password is "encrypted", one that mentions a
 * limit, budget or ratio is "limits", any other is "corrupt".  Each class
 * has its configured disposition (unscannable_* keys).
 *
 * One entry point, mg_cdr_file: MIME attachments (through the step
 * sequence, src/core/pipeline/attach.c), archive members and `mugaika
 * rebuild` (src/core/pipeline/rebuild.c) all come in here.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cdr_zip.h" /* mg_cdr_odf */
#include "mg_glob.h"
#include "mg_cdr.h"
#include "mg_cdr_policy.h"
#include "mg_filetype.h"
#include "mg_log.h"
#include "mg_txn.h" /* enum mg_direction */

struct cdr_handler {
	const char *glob; /* lower-case true type */
	mg_cdr_fn fn;     /* NULL: no rebuilder for this type */
};

/* First match wins. */
static const struct cdr_handler rebuilders[] = {
	{"application/vnd.openxmlformats-officedocument.*", mg_cdr_ooxml},
	{"application/vnd.ms-excel.sheet.binary.*", NULL}, /* xlsb: binary parts, no rebuilder */
	{"application/vnd.ms-*.macroenabled.12", mg_cdr_ooxml},
	{"application/vnd.oasis.opendocument.text", mg_cdr_odf},
	{"application/vnd.oasis.opendocument.spreadsheet", mg_cdr_odf},
	{"application/vnd.oasis.opendocument.presentation", mg_cdr_odf},
	{"application/vnd.oasis.opendocument.graphics", mg_cdr_odf},
	{"application/pdf", mg_cdr_pdf},
	{"image/svg*", NULL},
	{"image/*", mg_cdr_image},
	{"application/msword", mg_cdr_ole2},
	{"application/vnd.ms-excel", mg_cdr_ole2},
	{"application/vnd.ms-powerpoint", mg_cdr_ole2},
	{"text/rtf", mg_cdr_rtf},
	{"text/csv", mg_cdr_csv},
	{"text/html", mg_cdr_html},
	{"application/zip", mg_cdr_archive},
	{"application/x-7z-compressed", mg_cdr_archive},
	{"application/x-rar", mg_cdr_archive},
	{"application/vnd.rar", mg_cdr_archive},
	{"application/x-lzh-compressed", mg_cdr_archive},
	{"application/vnd.ms-cab-compressed", mg_cdr_archive},
	{"application/x-tar", mg_cdr_archive},
	{"application/gzip", mg_cdr_archive},
	{"application/x-bzip2", mg_cdr_archive},
	{"application/x-xz", mg_cdr_archive},
	{"application/x-iso9660-image", mg_cdr_archive},
	{"application/vnd.ms-tnef", mg_cdr_tnef}, /* issue 12: winmail.dat, its files one by one */
	{"application/ms-tnef", mg_cdr_tnef},
};

static const struct cdr_handler converters[] = {
	{"text/html", mg_cdr_html},        {"text/calendar", mg_cdr_ical}, /* issue 12: invitations and cards as
									      readable text */
	{"text/x-vcalendar", mg_cdr_ical}, {"text/vcard", mg_cdr_ical},    {"text/x-vcard", mg_cdr_ical},
	{"text/directory", mg_cdr_ical},
};

void mg_cdr_out_init(struct mg_cdr_out *out)
{
	*out = (struct mg_cdr_out){0};
	out->removed = g_ptr_array_new_with_free_func(g_free);
}

void mg_cdr_out_clear(struct mg_cdr_out *out)
{
	if (out->data)
		g_byte_array_unref(out->data);
	g_free(out->true_type);
	g_free(out->new_type);
	g_free(out->new_filename);
	g_free(out->reason);
	g_free(out->virus);
	g_free(out->kept_by);
	if (out->removed)
		g_ptr_array_unref(out->removed);
	*out = (struct mg_cdr_out){0};
}

void mg_cdr_ctx_clear(struct mg_cdr_ctx *ctx)
{
	g_free(ctx->refuse_rule);
	g_free(ctx->refuse_reason);
	ctx->refuse_rule = ctx->refuse_reason = NULL;
	ctx->quarantine = FALSE;
}

static mg_cdr_fn handler_find(const struct cdr_handler *tab, gsize n, const char *type)
{
	for (gsize i = 0; type && i < n; i++)
		if (mg_glob_match(tab[i].glob, type))
			return tab[i].fn;
	return NULL;
}

gboolean mg_cdr_handler_exists(enum mg_rule_action action, const char *type)
{
	if (action == MG_RULE_REBUILD)
		return handler_find(rebuilders, G_N_ELEMENTS(rebuilders), type) != NULL;
	if (action == MG_RULE_TO_TEXT)
		return handler_find(converters, G_N_ELEMENTS(converters), type) != NULL;
	return TRUE;
}

static void set_reason(struct mg_cdr_out *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_reason(struct mg_cdr_out *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_free(out->reason);
	out->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* SMTP replies and logs are ASCII: anything else becomes '?'. */
static char *ascii_only(const char *s)
{
	char *a = g_strdup(s ? s : "");
	for (char *p = a; *p; p++)
		if ((guchar)*p < 0x20 || (guchar)*p > 0x7e)
			*p = '?';
	return a;
}

static int unscannable_disposition(const struct mg_config *cfg, const char *reason, const char **rule)
{
	char *low = g_ascii_strdown(reason ? reason : "", -1);
	int disp;
	if (strstr(low, "encrypt") || strstr(low, "password")) {
		*rule = "unscannable_encrypted";
		disp = cfg->unscannable_encrypted;
	} else if (strstr(low, "limit") || strstr(low, "budget") || strstr(low, "ratio") || strstr(low, "too many") ||
		   strstr(low, "too large") || strstr(low, "too deep") || strstr(low, "exceed")) {
		*rule = "unscannable_limits";
		disp = cfg->unscannable_limits;
	} else {
		*rule = "unscannable_corrupt";
		disp = cfg->unscannable_corrupt;
	}
	g_free(low);
	return disp;
}

/* Record what a disposition asks of the message (the caller applies it);
 * the file itself is gone either way.  The first refusal wins. */
static void cdr_dispose(struct mg_cdr_ctx *ctx, int disp, const char *rule, const char *reason)
{
	if (disp != MG_DISP_REJECT && disp != MG_DISP_QUARANTINE)
		return;
	if (disp == MG_DISP_QUARANTINE)
		ctx->quarantine = TRUE;
	if (ctx->refuse_rule)
		return;
	ctx->refuse_rule = g_strdup(rule);
	ctx->refuse_reason = ascii_only(reason);
}

/* The name checks: TRUE when the file may go on to the policy table. */
static gboolean cdr_name_checks(const struct mg_cdr_in *in, const struct mg_filetype *ft, struct mg_cdr_out *out)
{
	const struct mg_config *cfg = in->ctx->cfg;
	const struct {
		gboolean hit;
		int disp;
		const char *rule, *text;
	} checks[] = {
		{ft->bidi_override, cfg->attachment_on_bidi, "attachment_on_rtl_override",
		 "the file name contains a right-to-left override that disguises its extension"},
		{ft->double_ext, cfg->attachment_on_double_ext, "attachment_on_double_extension",
		 "the file name has a double extension"},
		{ft->mismatch, cfg->attachment_on_mismatch, "attachment_on_mismatch",
		 "the content does not match the file name or declared type"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(checks); i++) {
		if (!checks[i].hit || checks[i].disp == MG_DISP_IGNORE)
			continue;
		set_reason(out, "%s: %s (%s)", ft->true_type, checks[i].text, ft->why ? ft->why : "");
		cdr_dispose(in->ctx, checks[i].disp, checks[i].rule, out->reason);
		return FALSE;
	}
	return TRUE;
}

/* A kept file as it is (cdr_output.c makes text UTF-8 and cuts the files
 * encoded inside it: a client shows those as attachments). */
static void cdr_keep(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	out->data = g_byte_array_sized_new((guint)in->len);
	g_byte_array_append(out->data, in->data, (guint)in->len);
}

static enum mg_cdr_status cdr_apply_keep(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_action *action,
					 const struct mg_cdr_rule *r)
{
	cdr_keep(in, out);
	enum mg_cdr_status st = mg_cdr_output(in, out, MG_CDR_MADE_KEPT, MG_CDR_REBUILT);
	if (st != MG_CDR_REBUILT)
		return st;
	*action = out->kept ? MG_ACTION_KEPT : MG_ACTION_REBUILT;
	gboolean renamed = out->new_filename && g_strcmp0(out->new_filename, in->filename) != 0;
	if (renamed)
		set_reason(out, "kept by attachment_rule %d (%s), delivered as %s", r->line, r->glob,
			   out->new_filename);
	else if (out->removed->len > 0) /* files encoded inside the text cut out */
		set_reason(out, "encoded files inside the text removed, kept by attachment_rule %d (%s)", r->line,
			   r->glob);
	else if (!out->kept) /* text decoded to UTF-8 */
		set_reason(out, "kept by attachment_rule %d (%s), delivered as %s", r->line, r->glob, out->new_type);
	else
		set_reason(out, "kept by attachment_rule %d (%s)", r->line, r->glob);
	return st;
}

/* A sanitize-bypass exception for this MIME attachment (issue 16), or NULL. */
static const struct mg_cdr_keep *keep_exception(const struct mg_cdr_in *in)
{
	char *name = in->filename ? g_utf8_strdown(in->filename, -1) : NULL;
	const struct mg_cdr_keep *found = NULL;
	for (guint i = 0; in->depth == 0 && in->ctx->keep && i < in->ctx->keep->len && !found; i++) {
		const struct mg_cdr_keep *k = in->ctx->keep->pdata[i];
		if (mg_glob_match(k->type_glob, in->true_type) &&
		    (!k->name_glob || (name && mg_glob_match(k->name_glob, name))))
			found = k;
	}
	g_free(name);
	return found;
}

/* Run the rule for the type.  *action says what the part report records. */
static enum mg_cdr_status cdr_apply_rule(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_action *action)
{
	const struct mg_cdr_rule *r = mg_cdr_rule_lookup(in->ctx->cfg, in->ctx->direction, in->true_type);
	const struct mg_cdr_keep *k = keep_exception(in);
	mg_cdr_fn fn = NULL;
	*action = MG_ACTION_REMOVED;
	if (k) { /* still scanned (cdr_check_output), like any kept file */
		cdr_keep(in, out);
		enum mg_cdr_status st = mg_cdr_output(in, out, MG_CDR_MADE_EXCEPTION, MG_CDR_REBUILT);
		*action = out->kept ? MG_ACTION_KEPT : MG_ACTION_REBUILT;
		out->kept_by = g_strdup(k->id);
		set_reason(out, "kept as it came by exception %s (%s)", k->id, in->true_type);
		return st;
	}
	if (!r) {
		set_reason(out, "no attachment_rule matches %s", in->true_type);
		return MG_CDR_REMOVE;
	}
	switch (r->action) {
	case MG_RULE_KEEP: return cdr_apply_keep(in, out, action, r);
	case MG_RULE_REJECT:
		set_reason(out, "%s is refused by attachment_rule %d", in->true_type, r->line);
		cdr_dispose(in->ctx, MG_DISP_REJECT, "attachment_rule", out->reason);
		return MG_CDR_REMOVE;
	case MG_RULE_REMOVE:
		set_reason(out, "%s is not allowed (attachment_rule %d)", in->true_type, r->line);
		return MG_CDR_REMOVE;
	case MG_RULE_REBUILD: fn = handler_find(rebuilders, G_N_ELEMENTS(rebuilders), in->true_type); break;
	case MG_RULE_TO_TEXT: fn = handler_find(converters, G_N_ELEMENTS(converters), in->true_type); break;
	}
	if (!fn) {
		set_reason(out, "%s cannot be %s (attachment_rule %d)", in->true_type,
			   r->action == MG_RULE_TO_TEXT ? "converted to text" : "rebuilt", r->line);
		return MG_CDR_REMOVE;
	}
	enum mg_cdr_status st = fn(in, out);
	*action = st == MG_CDR_CONVERTED ? MG_ACTION_CONVERTED : MG_ACTION_REBUILT;
	if (st == MG_CDR_REBUILT || st == MG_CDR_CONVERTED)
		st = mg_cdr_output(in, out, st == MG_CDR_CONVERTED ? MG_CDR_MADE_CONVERTED : MG_CDR_MADE_REBUILT, st);
	return st;
}

/* Budgets and the virus scan of what would be delivered. */
static enum mg_cdr_status cdr_check_output(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_cdr_status st)
{
	const struct mg_config *cfg = in->ctx->cfg;
	if (st != MG_CDR_REBUILT && st != MG_CDR_CONVERTED)
		return st;
	if (!out->data) {
		set_reason(out, "rebuilder returned no data");
		return MG_CDR_ERROR;
	}
	if (g_get_monotonic_time() > in->deadline_us) {
		set_reason(out, "time budget exceeded (attachment_time_budget)");
		return MG_CDR_UNSCANNABLE;
	}
	if ((gint64)out->data->len > cfg->attachment_max_output) {
		set_reason(out, "rebuilt file exceeds attachment_max_output");
		return MG_CDR_UNSCANNABLE;
	}
	char *virus = NULL, *why = NULL;
	const char *name = out->new_filename ? out->new_filename : in->filename;
	enum mg_cdr_scan sr = MG_CDR_SCAN_UNSCANNABLE;
	if (in->ctx->scan)
		sr = in->ctx->scan(in->ctx->scan_data, out->data->data, out->data->len, name, &virus, &why);
	else
		why = g_strdup("no virus scanner");
	if (sr == MG_CDR_SCAN_INFECTED) {
		g_free(out->virus);
		out->virus = g_strdup(virus ? virus : "unknown");
		set_reason(out, "virus found: %s", out->virus);
		st = MG_CDR_INFECTED;
	} else if (sr == MG_CDR_SCAN_UNSCANNABLE || sr == MG_CDR_SCAN_ERROR) {
		set_reason(out, "scanner: %s", why ? why : "cannot scan");
		st = sr == MG_CDR_SCAN_ERROR ? MG_CDR_ERROR : MG_CDR_UNSCANNABLE;
	}
	g_free(virus);
	g_free(why);
	return st;
}

static gint64 cdr_deadline(const struct mg_cdr_in *in)
{
	gint64 d = g_get_monotonic_time() + in->ctx->cfg->attachment_time_budget * G_USEC_PER_SEC;
	if (in->ctx->deadline_us > 0 && in->ctx->deadline_us < d)
		d = in->ctx->deadline_us;
	if (in->deadline_us > 0 && in->deadline_us < d)
		d = in->deadline_us;
	return d;
}

/* The whole decision for one typed file. */
static enum mg_cdr_status cdr_process(const struct mg_cdr_in *in0, const struct mg_filetype *ft, struct mg_cdr_out *out,
				      enum mg_action *action)
{
	struct mg_cdr_in in = *in0;
	in.true_type = ft->true_type;
	in.deadline_us = cdr_deadline(in0);
	*action = MG_ACTION_REMOVED;
	enum mg_cdr_status st;
	if (in.depth > in.ctx->cfg->attachment_max_depth) {
		set_reason(out, "nested too deep (attachment_max_depth %" G_GINT64_FORMAT ")",
			   (gint64)in.ctx->cfg->attachment_max_depth);
		st = MG_CDR_UNSCANNABLE;
	} else if (!cdr_name_checks(&in, ft, out)) {
		return MG_CDR_REMOVE;
	} else if (g_strcmp0(mg_filetype_family(ft->true_type), "encrypted") == 0) {
		set_reason(out, "encrypted document (password protected), cannot be scanned or rebuilt");
		st = MG_CDR_UNSCANNABLE;
	} else {
		st = cdr_check_output(&in, out, cdr_apply_rule(&in, out, action));
	}
	if (st == MG_CDR_UNSCANNABLE) {
		const char *rule = NULL;
		int disp = unscannable_disposition(in.ctx->cfg, out->reason, &rule);
		cdr_dispose(in.ctx, disp, rule, out->reason);
	}
	if (st != MG_CDR_REBUILT && st != MG_CDR_CONVERTED)
		*action = MG_ACTION_REMOVED;
	return st;
}

enum mg_cdr_status mg_cdr_file(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct mg_filetype ft;
	GError *err = NULL;
	enum mg_action action;
	if (!mg_filetype_detect(in->data, in->len, in->filename, in->declared_type, &ft, &err)) {
		set_reason(out, "file typing failed: %s", err->message);
		g_error_free(err);
		return MG_CDR_ERROR;
	}
	g_free(out->true_type);
	out->true_type = g_strdup(ft.true_type);
	enum mg_cdr_status st = cdr_process(in, &ft, out, &action);
	out->kept = st == MG_CDR_REBUILT && action == MG_ACTION_KEPT;
	mg_filetype_clear(&ft);
	return st;
}
