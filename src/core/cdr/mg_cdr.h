/*
 * mg_cdr - attachment 無害化 (content disarm and reconstruction), issue 4.
 *
 * mg_cdr_attachment() is what the pipeline calls for every leaf that is not
 * body text.  It types the content (mg_filetype), looks the true type up in
 * the policy table, runs the rebuilder for the family (one file per family
 * behind the mg_cdr_fn interface below), scans the result again and
 * returns the part to deliver, or NULL when the part is removed.
 *
 * mg_cdr_file() is the same decision for a bare file, used by archive
 * rebuilders for their members (recursion bounded by `depth`).
 */
#ifndef MG_CDR_H
#define MG_CDR_H

#include <glib.h>

#include "mg_mime.h"

enum mg_cdr_status {
	MG_CDR_REBUILT = 0, /* out->data is a fresh file without active content */
	MG_CDR_CONVERTED,   /* out->data is another format (e.g. text) */
	MG_CDR_REMOVE,      /* the file must not be delivered (reason in out) */
	MG_CDR_UNSCANNABLE, /* encrypted, corrupt, or over a budget */
	MG_CDR_INFECTED,    /* the scanner found malware (out->virus) */
	MG_CDR_ERROR        /* internal failure: the message fails closed */
};

struct mg_cdr_in {
	struct mg_txn *t; /* the message (config, deadline, scanner, log id) */
	const guint8 *data;
	gsize len;
	const char *filename;  /* decoded UTF-8, may be NULL */
	const char *true_type; /* from the content (libmagic) */
	int depth;             /* 0 for a MIME part, +1 per archive level */
	gint64 deadline_us;    /* this file's time budget (monotonic) */
};

struct mg_cdr_out {
	GByteArray *data;   /* the rebuilt or converted file */
	char *new_type;     /* when the type changes (docm -> docx, html -> text) */
	char *new_filename; /* when the name changes (.docm -> .docx) */
	GPtrArray *removed; /* char*: what was taken out ("VBA macro project") */
	char *reason;       /* why removed / unscannable / failed */
	char *virus;        /* signature name when infected */
};

typedef enum mg_cdr_status (*mg_cdr_fn)(const struct mg_cdr_in *in, struct mg_cdr_out *out);

void mg_cdr_out_init(struct mg_cdr_out *out);
void mg_cdr_out_clear(struct mg_cdr_out *out);

GMimeObject *mg_cdr_attachment(struct mg_leaf *leaf);

/* The rebuilders, one file per family (each under its own budget). */
enum mg_cdr_status mg_cdr_ooxml(const struct mg_cdr_in *in, struct mg_cdr_out *out);   /* cdr_ooxml.c */
enum mg_cdr_status mg_cdr_rtf(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_text.c */
enum mg_cdr_status mg_cdr_csv(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_text.c */
enum mg_cdr_status mg_cdr_html(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_text.c */
enum mg_cdr_status mg_cdr_pdf(const struct mg_cdr_in *in, struct mg_cdr_out *out);     /* cdr_pdf.c */
enum mg_cdr_status mg_cdr_image(const struct mg_cdr_in *in, struct mg_cdr_out *out);   /* cdr_image.c */
enum mg_cdr_status mg_cdr_archive(const struct mg_cdr_in *in, struct mg_cdr_out *out); /* cdr_archive.c */
enum mg_cdr_status mg_cdr_ole2(const struct mg_cdr_in *in, struct mg_cdr_out *out);    /* cdr_ole2.c */
enum mg_cdr_status mg_cdr_file(const struct mg_cdr_in *in, struct mg_cdr_out *out);

/* Text with uuencoded, BinHex or yEnc files cut out (a marker line each,
 * "KIND file: NAME" added to cut), or NULL when there is none
 * (cdr_inline.c). */
GString *mg_cdr_strip_inline_files(const char *s, gsize len, GPtrArray *cut);

#endif
