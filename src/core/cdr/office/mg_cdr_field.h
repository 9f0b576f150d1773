/*
 * mg_cdr_field - Word field codes (OOXML w:instrText / w:fldSimple, RTF
 * \fldinst, Word 97 field text) judged by an allowlist (cdr_field.c).
 * The caller hands the code with its escapes decoded and without the
 * codes of nested fields; a field whose code holds a nested field is not
 * passive whatever it says (its name is computed when it is shown).
 */
#ifndef MG_CDR_FIELD_H
#define MG_CDR_FIELD_H

#include <glib.h>

/* TRUE when the field only shows what the document holds. */
gboolean mg_cdr_field_is_passive(const char *code, gsize len);

/* The field's first word, upper case printable ASCII, for reports. */
char *mg_cdr_field_name(const char *code, gsize len);

#endif
