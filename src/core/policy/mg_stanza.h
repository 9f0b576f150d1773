/*
 * mg_stanza - the stanza files of the outbound controls (issue 16, items
 * 5-9): the exfiltration rules (exfil_rules) and the exception registry
 * (exceptions_file) share one syntax:
 *
 *     # comment
 *     [HEAD WORDS]
 *     key = value
 *
 * A stanza is its head and the key = value lines up to the next head.
 * Values are the rest of the line after '=', trimmed (read by mg_kv_split,
 * the one key = value reader: a value wholly in double quotes loses them),
 * no escapes: a regular expression needs none.  The text must be
 * UTF-8.  Errors name "file:line: what is wrong; what is allowed".
 *
 * Hand-written: GKeyFile, the GLib parser of this syntax, merges a group
 * or key given twice without a word and reports no line numbers, and a
 * registry must refuse a duplicate id and say where.
 */
#ifndef MG_STANZA_H
#define MG_STANZA_H

#include <glib.h>

struct mg_stanza_kv {
	char *key;
	char *value;
	int line;
};

struct mg_stanza {
	char *head;     /* the text between [ and ], trimmed */
	char *file;     /* where it was read, for messages */
	int line;       /* line of the head */
	GPtrArray *kvs; /* struct mg_stanza_kv*, in file order */
};

/* Parse `text` (len bytes); `name` is the file name used in errors.
 * Returns struct mg_stanza* (caller unrefs) or NULL with *err set. */
GPtrArray *mg_stanza_parse(const char *name, const char *text, gsize len, GError **err);
/* Read and parse a file; `key` names the configuration key in errors
 * about the file itself ("exfil_rules: /x: No such file"). */
GPtrArray *mg_stanza_load(const char *path, const char *key, GError **err);

/* The value of a key given once (NULL when absent). */
const char *mg_stanza_get(const struct mg_stanza *s, const char *key);
/* The line of a key (or of the head when absent), for messages. */
int mg_stanza_line(const struct mg_stanza *s, const char *key);
/* Every value of a key, in order (borrowed strings; caller unrefs). */
GPtrArray *mg_stanza_all(const struct mg_stanza *s, const char *key);

/* Check the keys of a stanza: each in `allowed` (NULL-terminated); a key
 * given twice only when in `repeatable`; every key of `required` given.
 * FALSE with "file:line: [head] key: ..." in *err otherwise. */
gboolean mg_stanza_check(const struct mg_stanza *s, const char *const *allowed, const char *const *repeatable,
			 const char *const *required, GError **err);
/* Set *err to "file:line: [head] key: MESSAGE" (line of key, or head). */
void mg_stanza_error(GError **err, const struct mg_stanza *s, const char *key, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* "YYYY-MM-DD" -> GDate; FALSE when not a valid date of that form. */
gboolean mg_stanza_date(const char *s, GDate *out);

#endif
