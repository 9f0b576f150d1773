/*
 * mg_cdr - attachment 無害化 (content disarm and reconstruction), issue 4.
 *
 * The stage's one entry is mg_cdr_file(): bytes, a name and a context in
 * (struct mg_cdr_ctx: the configuration, the direction, the budgets and
 * the scanner to use), a status and an output out (struct mg_cdr_out: the
 * rebuilt bytes, the new type and name, the list of objects removed).  It
 * types the content (mg_filetype), looks the true type up in the policy
 * table, runs the rebuilder for the family (one file per family behind
 * the mg_cdr_fn interface below), checks the budgets and scans the result
 * through ctx->scan.  Archive rebuilders call it again for each member
 * (depth + 1).  Nothing here knows the message or its MIME tree: the step
 * sequence turns a MIME leaf into a call and the result into a part
 * (src/core/pipeline), `mugaika rebuild` calls it for a file on disk.
 *
 * What a file asks of the whole message (refuse it, keep the original)
 * is recorded in ctx->refuse_* and ctx->quarantine for the caller to
 * apply; the first refusal wins.
 */
#ifndef MG_CDR_H
#define MG_CDR_H

#include <glib.h>

#include "mg_config.h"

enum mg_cdr_status {
	MG_CDR_REBUILT = 0, /* out->data is a fresh file without active content */
	MG_CDR_CONVERTED,   /* out->data is another format (e.g. text) */
	MG_CDR_REMOVE,      /* the file must not be delivered (reason in out) */
	MG_CDR_UNSCANNABLE, /* encrypted, corrupt, or over a budget */
	MG_CDR_INFECTED,    /* the scanner found malware (out->virus) */
	MG_CDR_ERROR        /* internal failure: the message fails closed */
};

/* What the scanner said of a buffer (the caller's scanner, ctx->scan). */
enum mg_cdr_scan { MG_CDR_SCAN_CLEAN = 0, MG_CDR_SCAN_INFECTED, MG_CDR_SCAN_UNSCANNABLE, MG_CDR_SCAN_ERROR };
typedef enum mg_cdr_scan (*mg_cdr_scan_fn)(void *data, const guint8 *buf, gsize len, const char *name, char **virus,
					   char **why);

/* A file that a sanitize-bypass exception lets through as it came (issue
 * 16 item 9): decided by the policy stage, handed over by the step
 * sequence.  Globs in mg_glob syntax, lower case. */
struct mg_cdr_keep {
	const char *id;        /* the exception, for the report */
	const char *type_glob; /* of the true type */
	const char *name_glob; /* of the file name, or NULL: any */
};

/* The world a file is rebuilt in; one per attachment (or per `mugaika
 * rebuild`), shared by the members of its archives. */
struct mg_cdr_ctx {
	const struct mg_config *cfg;
	int direction;           /* enum mg_direction (policy table) */
	gint64 deadline_us;      /* of the whole message (monotonic), 0: none */
	const char *log_id;      /* queue id for log lines */
	mg_cdr_scan_fn scan;     /* NULL: every file is unscannable (fail closed) */
	void *scan_data;         /* passed to scan */
	gint64 archive_unpacked; /* bytes unpacked so far (archive_max_total_size) */
	const GPtrArray *keep;   /* struct mg_cdr_keep*: bypass exceptions (MIME attachments only), or NULL */
	/* out: what the file asks of the message */
	char *refuse_rule;   /* a rule refuses the message (550 5.7.1), or NULL */
	char *refuse_reason; /* ASCII */
	gboolean quarantine; /* keep the original */
};

/* Release what a ctx collected (refuse_*); the ctx itself is the caller's. */
void mg_cdr_ctx_clear(struct mg_cdr_ctx *ctx);

struct mg_cdr_in {
	struct mg_cdr_ctx *ctx;
	const guint8 *data;
	gsize len;
	const char *filename;         /* decoded UTF-8, may be NULL */
	const char *declared_type;    /* the sender's claim (a MIME part's Content-Type), may be NULL */
	const char *declared_charset; /* its charset parameter (a claim to doubt), may be NULL */
	const char *true_type;        /* from the content (set by mg_cdr_file for the rebuilders) */
	int depth;                    /* 0 for a MIME part, +1 per archive level */
	gint64 deadline_us;           /* this file's time budget (monotonic) */
};

struct mg_cdr_out {
	GByteArray *data;   /* the rebuilt or converted file */
	char *true_type;    /* what the content was found to be */
	char *new_type;     /* rebuilders: when the type changes; mg_cdr_file: always, the delivered type */
	char *new_filename; /* rebuilders: when the name changes; mg_cdr_file: the delivered name (NULL: none) */
	GPtrArray *removed; /* char*: what was taken out ("VBA macro project") */
	char *reason;       /* why removed / unscannable / failed */
	char *virus;        /* signature name when infected */
	gboolean kept;      /* a keep rule delivered the file as it came */
	char *kept_by;      /* the id of the bypass exception that kept it, or NULL */
};

typedef enum mg_cdr_status (*mg_cdr_fn)(const struct mg_cdr_in *in, struct mg_cdr_out *out);

void mg_cdr_out_init(struct mg_cdr_out *out);
void mg_cdr_out_clear(struct mg_cdr_out *out);

/* The whole decision for one file (see above).  MG_CDR_REBUILT with
 * out->kept set means a keep rule passed it as it came. */
enum mg_cdr_status mg_cdr_file(const struct mg_cdr_in *in, struct mg_cdr_out *out);

/* ---- the delivered form (cdr_output.c, issue 12) ----
 * mg_cdr_file() ends every kept, rebuilt or converted file with
 * mg_cdr_output(): out->new_type becomes the type it is delivered as (a
 * row of mugaika's output table; kept text is text/plain), text becomes
 * UTF-8, out->new_filename the name (the sender's stem with an extension
 * the type allows), out->kept TRUE only when bytes and name are as sent.
 * A file with no delivery form, or kept text with an extension outside
 * text_attachment_extensions under text_attachment_other = remove, is
 * REMOVE with the reason in out. */
enum mg_cdr_made {
	MG_CDR_MADE_KEPT = 0,  /* a keep rule */
	MG_CDR_MADE_REBUILT,   /* a rebuilder */
	MG_CDR_MADE_CONVERTED, /* a converter */
	MG_CDR_MADE_EXCEPTION  /* an approved exception (issue 16): the bytes as they came, the type and
				* a cleaned name still mugaika's */
};
enum mg_text_other { MG_TEXT_OTHER_REMOVE = 0, MG_TEXT_OTHER_RENAME };
enum mg_cdr_status mg_cdr_output(const struct mg_cdr_in *in, struct mg_cdr_out *out, enum mg_cdr_made made,
				 enum mg_cdr_status st);
/* The output table's spelling of `type`, or NULL when mugaika does not
 * deliver that type. */
const char *mg_cdr_output_type(const char *type);
/* The name a file called `name` (may be NULL) is delivered under as
 * `out_type`; NULL with *why when it is not delivered (see above). */
char *mg_cdr_output_name(const struct mg_config *cfg, const char *name, const char *out_type, enum mg_cdr_made made,
			 char **why);

/* The rebuilders, one file per family (each under its own budget). */
enum mg_cdr_status mg_cdr_ooxml(const struct mg_cdr_in *in, struct mg_cdr_out *out);   /* cdr_ooxml.c */
enum mg_cdr_status mg_cdr_rtf(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_text.c */
enum mg_cdr_status mg_cdr_csv(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_text.c */
enum mg_cdr_status mg_cdr_html(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_text.c */
enum mg_cdr_status mg_cdr_ical(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_ical.c: calendar, vCard */
enum mg_cdr_status mg_cdr_pdf(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_pdf.c */
enum mg_cdr_status mg_cdr_image(const struct mg_cdr_in *in, struct mg_cdr_out *out);   /* cdr_image.c */
enum mg_cdr_status mg_cdr_archive(const struct mg_cdr_in *in, struct mg_cdr_out *out); /* cdr_archive.c */
enum mg_cdr_status mg_cdr_tnef(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_tnef.c: winmail.dat */
enum mg_cdr_status mg_cdr_ole2(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_ole2.c */

#endif
