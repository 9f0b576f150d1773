/*
 * mg_filetype - the true type of a file, from its content.
 *
 * mg_filetype_detect() asks libmagic (MAGIC_MIME_TYPE) for the type of a
 * buffer and refines it where libmagic is coarse: a ZIP container is looked
 * into (libzip) and becomes OOXML (its main part's type from
 * [Content_Types].xml, so a .docm is told from a .docx), ODF (its
 * `mimetype` entry) or plain ZIP; OneNote and LNK are recognised by their
 * signatures; a generic text file takes the type its extension implies when
 * that extension names something active (script, HTA, CSV).  Every type is
 * lower case.  The result also carries the name checks the attachment
 * policy uses: content vs extension/declared type mismatch, double
 * extension (.pdf.exe) and bidi overrides (U+202E) in the name.
 *
 * Thread safety: one libmagic handle, loaded once, used under a mutex (a
 * magic_t is not thread-safe).  Input is never modified.
 */
#ifndef MG_FILETYPE_H
#define MG_FILETYPE_H

#include <glib.h>

struct mg_filetype {
	char *magic_type;       /* what libmagic said */
	char *true_type;        /* refined, lower case: what the policy matches */
	char *ext_type;         /* type the filename extension implies, or NULL */
	gboolean mismatch;      /* content is not what the extension/declared type says */
	gboolean double_ext;    /* "invoice.pdf.exe" */
	gboolean bidi_override; /* U+202A-202E or U+2066-2069 in the name */
	char *why;              /* ASCII description of the anomalies, or NULL */
};

/* Type `data`.  `filename` (UTF-8) and `declared` (Content-Type) may be
 * NULL.  Returns FALSE with *err when libmagic cannot be loaded or a
 * library failed while typing (libmagic giving no answer, libzip or
 * libxml2 out of memory): a failure is never a type (issue 11). */
gboolean mg_filetype_detect(const guint8 *data, gsize len, const char *filename, const char *declared,
			    struct mg_filetype *ft, GError **err);
void mg_filetype_clear(struct mg_filetype *ft);

/* Lower-case type implied by the extension of `filename`, or NULL. */
const char *mg_filetype_ext_type(const char *filename);
/* The usual extension for a type ("docx"), or NULL. */
const char *mg_filetype_type_ext(const char *type);
/* Broad family of a type for the mismatch check ("word", "exec" ...). */
const char *mg_filetype_family(const char *type);

#endif
