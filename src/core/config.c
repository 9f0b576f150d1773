/*
 * config.c - the option table and the loader built on it.
 *
 * Contract: mg_config_load() reads a file into a new immutable struct
 * mg_config (refcount 1) or fails with "file:line: key: problem; allowed"
 * and returns NULL.  Nothing else in mugaika parses configuration text.
 * Adding a parameter = adding a field to struct mg_config and one row to
 * mg_options[] below; parsing, range checks, defaults and the documented
 * dump (`mugaika config-dump`) follow from the row.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mg_config.h"
#include "mg_config_table.h"
#include "mg_cdr_policy.h" /* issue 4a: attachment_rule check */

G_DEFINE_QUARK(mg-config-error-quark, mg_config_error)

#define OFF(f) offsetof(struct mg_config, f)
#define KiB (INT64_C(1024))
#define MiB (INT64_C(1024) * 1024)
#define GiB (INT64_C(1024) * 1024 * 1024)

/* clang-format off */
static const struct mg_opt mg_options[] = {
	/* --- daemon --- */
	{ "socket", MG_OPT_STR, OFF(socket), "unix:/run/mugaika/mugaika.sock", 0, 0, NULL, mg_check_socket,
	  "Milter socket: unix:/path or inet:PORT@127.0.0.1 (or inet6:PORT@[::1])." },
	{ "pid_file", MG_OPT_STR, OFF(pid_file), "", 0, 0, NULL, NULL,
	  "Write the daemon's pid here (empty: no pid file)." },
	{ "user", MG_OPT_STR, OFF(user), "", 0, 0, NULL, NULL,
	  "Drop privileges to this user after the socket is made (empty: stay as started)." },
	{ "log_level", MG_OPT_ENUM, OFF(log_level), "info", 0, 0, "error|warning|info|debug", NULL,
	  "Lowest severity that is logged (syslog facility mail, or stderr with -f)." },
	{ "on_error", MG_OPT_ENUM, OFF(on_error), "tempfail", 0, 0, "tempfail|reject", NULL,
	  "What the MTA is told when mugaika fails internally (spool error, library error,\n"
	  "timeout).  Never delivers unprocessed content.  tempfail = 451 4.3.0, the\n"
	  "MTA keeps the message queued and retries; reject = 554 5.3.0." },
	{ "milter_timeout", MG_OPT_TIME, OFF(milter_timeout), "300", 10, 3600, NULL, NULL,
	  "Seconds libmilter waits for the MTA before giving up on a session." },

	/* --- spool and structural limits --- */
	{ "spool_dir", MG_OPT_STR, OFF(spool_dir), "", 0, 0, NULL, NULL,
	  "Directory for message spool files (mode 0600).  Empty: $TMPDIR or /tmp." },
	{ "spool_memory_max", MG_OPT_SIZE, OFF(spool_memory_max), "1M", 0, 64 * MiB, NULL, NULL,
	  "A message body is kept in memory up to this size, then moved to a private\n"
	  "temporary file in spool_dir." },
	{ "max_message_size", MG_OPT_SIZE, OFF(max_message_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest message accepted (headers and body as received).  Larger: 552 5.3.4." },
	{ "max_header_size", MG_OPT_SIZE, OFF(max_header_size), "256K", 1 * KiB, 64 * MiB, NULL, NULL,
	  "Largest header block.  Larger: 552 5.6.0." },
	{ "max_header_field", MG_OPT_SIZE, OFF(max_header_field), "64K", 998, 16 * MiB, NULL, NULL,
	  "Largest single header field, continuation lines included.  Larger: 552 5.6.0." },
	{ "max_headers", MG_OPT_INT, OFF(max_headers), "1000", 10, 100000, NULL, NULL,
	  "Most header fields in one message.  More: 552 5.6.0." },
	{ "max_mime_depth", MG_OPT_INT, OFF(max_mime_depth), "10", 1, 100, NULL, NULL,
	  "Deepest nesting of multiparts and attached messages.  Deeper: 552 5.6.0." },
	{ "max_mime_parts", MG_OPT_INT, OFF(max_mime_parts), "500", 1, 100000, NULL, NULL,
	  "Most MIME parts (containers and leaves) in one message.  More: 552 5.6.0." },
	{ "max_part_size", MG_OPT_SIZE, OFF(max_part_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest decoded MIME leaf.  Larger: 552 5.3.4." },
	{ "max_decoded_total", MG_OPT_SIZE, OFF(max_decoded_total), "64M", 1 * KiB, 8 * GiB, NULL, NULL,
	  "Largest total of all decoded leaves of one message.  Larger: 552 5.3.4." },
	{ "max_processing_time", MG_OPT_TIME, OFF(max_processing_time), "120", 1, 3600, NULL, NULL,
	  "Seconds the end-of-message work may take before it fails with on_error." },

	/* --- issue 3: body and notice --- */

	/* --- issue 4a: attachments / CDR policy, filetype, OOXML, text --- */
	{ "attachment_rule", MG_OPT_LIST, OFF(attachment_rules),
	  "any application/vnd.openxmlformats-officedocument.* rebuild\n"
	  "any application/vnd.ms-word.document.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-word.template.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-excel.sheet.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-excel.template.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.presentation.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.slideshow.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.template.macroenabled.12 rebuild\n"
	  "any application/vnd.oasis.opendocument.text rebuild\n"
	  "any application/vnd.oasis.opendocument.spreadsheet rebuild\n"
	  "any application/vnd.oasis.opendocument.presentation rebuild\n"
	  "any application/vnd.oasis.opendocument.graphics rebuild\n"
	  "any application/msword rebuild\nany application/vnd.ms-excel rebuild\n"
	  "any application/vnd.ms-powerpoint rebuild\nany application/pdf rebuild\n"
	  "any image/png rebuild\nany image/jpeg rebuild\nany image/gif rebuild\nany image/bmp rebuild\n"
	  "any image/tiff rebuild\nany image/webp rebuild\n"
	  "any application/zip rebuild\nany application/x-7z-compressed rebuild\nany application/x-rar rebuild\n"
	  "any application/vnd.rar rebuild\nany application/x-lzh-compressed rebuild\n"
	  "any application/vnd.ms-cab-compressed rebuild\nany application/x-tar rebuild\n"
	  "any application/gzip rebuild\nany application/x-bzip2 rebuild\nany application/x-xz rebuild\n"
	  "any text/rtf rebuild\nany text/csv rebuild\nany text/html to-text\nany text/plain keep\n"
	  "any * remove",
	  0, 0, NULL, mg_cdr_rule_check,
	  "Attachment policy, one rule per line: [inbound|outbound|internal|transit|any]\n"
	  "TYPE-GLOB ACTION (no direction = any).  TYPE-GLOB matches the true type found\n"
	  "from the content (lower case, * and ? wildcards; `mugaika rebuild FILE` shows\n"
	  "the type of a file); the first matching rule wins.  ACTION: rebuild (in its\n"
	  "own format without active content), to-text (HTML only), remove (with a\n"
	  "notice), reject (the whole message, 550 5.7.1), keep (unchanged, still virus\n"
	  "scanned).  A type no rule matches is removed; rebuild or to-text for an exact\n"
	  "type without a rebuilder is a configuration error (through a wildcard, the\n"
	  "file is removed).  Giving this key replaces the whole default list." },
	{ "attachment_on_mismatch", MG_OPT_ENUM, OFF(attachment_on_mismatch), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "Content that is not what its filename extension or declared type says (an\n"
	  "executable named .pdf): remove the file, reject the message, quarantine (keep\n"
	  "the original and reject), or ignore (the true type decides alone)." },
	{ "attachment_on_double_extension", MG_OPT_ENUM, OFF(attachment_on_double_ext), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "A name such as invoice.pdf.exe (a known extension before an executable,\n"
	  "script, shortcut or disk image one)." },
	{ "attachment_on_rtl_override", MG_OPT_ENUM, OFF(attachment_on_bidi), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "A name with a bidirectional override (U+202E ...) that disguises its real\n"
	  "extension." },
	{ "unscannable_encrypted", MG_OPT_ENUM, OFF(unscannable_encrypted), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "An encrypted archive or document (the PPAP pattern) cannot be scanned or\n"
	  "rebuilt: remove it with a notice, reject the message, or quarantine (keep the\n"
	  "original and reject)." },
	{ "unscannable_corrupt", MG_OPT_ENUM, OFF(unscannable_corrupt), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "A corrupt or truncated file that cannot be rebuilt." },
	{ "unscannable_limits", MG_OPT_ENUM, OFF(unscannable_limits), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "A file over a budget (time, size, entries, expansion ratio, nesting)." },
	{ "attachment_time_budget", MG_OPT_TIME, OFF(attachment_time_budget), "30", 1, 3600, NULL, NULL,
	  "Seconds one attachment may take to rebuild (never past max_processing_time).\n"
	  "Over it the file is unscannable (unscannable_limits)." },
	{ "attachment_max_output", MG_OPT_SIZE, OFF(attachment_max_output), "32M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest rebuilt or converted file.  Larger: unscannable (unscannable_limits)." },
	{ "attachment_max_depth", MG_OPT_INT, OFF(attachment_max_depth), "5", 0, 50, NULL, NULL,
	  "Deepest nesting of files inside files (archive in archive) that is rebuilt.\n"
	  "Deeper: unscannable (unscannable_limits)." },
	{ "office_max_entries", MG_OPT_INT, OFF(office_max_entries), "5000", 10, 1000000, NULL, NULL,
	  "Most ZIP entries in one Office Open XML or OpenDocument file (docx, xlsx,\n"
	  "pptx, odt ...)." },
	{ "office_max_expanded", MG_OPT_SIZE, OFF(office_max_expanded), "200M", 1 * MiB, 4 * GiB, NULL, NULL,
	  "Largest total uncompressed size of one Office Open XML or OpenDocument file." },
	{ "office_max_ratio", MG_OPT_INT, OFF(office_max_ratio), "100", 2, 100000, NULL, NULL,
	  "Largest ratio of uncompressed to compressed size of one Office document\n"
	  "(a higher ratio is a decompression bomb: unscannable_limits)." },
	{ "office_keep_hyperlinks", MG_OPT_BOOL, OFF(office_keep_hyperlinks), "yes", 0, 0, NULL, NULL,
	  "Keep external hyperlinks in Office documents (they are listed in the report).\n"
	  "no: remove them with the other external relationships." },

	/* --- issue 4b: PDF and images --- */

	/* --- issue 4c: archives and OLE2 --- */

	/* --- issue 5: virus scanning --- */

	/* --- issue 6: boundary policy --- */

	/* --- issue 7: quarantine and audit --- */
};
/* clang-format on */

#define N_OPTIONS G_N_ELEMENTS(mg_options)

gsize mg_config_option_count(void) { return N_OPTIONS; }

const char *mg_config_option_name(gsize i) { return i < N_OPTIONS ? mg_options[i].name : NULL; }

static const struct mg_opt *opt_find(const char *name)
{
	for (gsize i = 0; i < N_OPTIONS; i++)
		if (strcmp(mg_options[i].name, name) == 0)
			return &mg_options[i];
	return NULL;
}

static void *field(struct mg_config *cfg, const struct mg_opt *o) { return (char *)cfg + o->off; }

static void opt_free_value(struct mg_config *cfg, const struct mg_opt *o)
{
	void *p = field(cfg, o);
	if (o->type == MG_OPT_STR) {
		g_free(*(char **)p);
		*(char **)p = NULL;
	} else if (o->type == MG_OPT_LIST) {
		g_strfreev(*(char ***)p);
		*(char ***)p = NULL;
	}
}

/* Parse `value` for row `o` into cfg.  Returns NULL or a message saying
 * what is wrong and what is allowed (caller frees). */
static char *opt_set(struct mg_config *cfg, const struct mg_opt *o, const char *value)
{
	void *p = field(cfg, o);
	char *why = NULL;
	int64_t n;

	if (o->check && !o->check(value, &why))
		return why ? why : g_strdup("invalid value");
	switch (o->type) {
	case MG_OPT_BOOL:
		if (!mg_parse_bool(value, (gboolean *)p))
			return g_strdup_printf("'%s' is not a boolean; allowed: yes, no", value);
		return NULL;
	case MG_OPT_INT:
	case MG_OPT_SIZE:
	case MG_OPT_TIME:
		if (!mg_parse_number(o->type, value, &n))
			return g_strdup_printf("'%s' is not %s", value, mg_opt_type_doc(o->type));
		if (n < o->min || n > o->max)
			return g_strdup_printf("%s is out of range; allowed: %" PRId64 " to %" PRId64 "%s",
					       value, o->min, o->max, mg_opt_unit(o->type));
		*(int64_t *)p = n;
		return NULL;
	case MG_OPT_ENUM:
		if (!mg_parse_enum(o->values, value, (int *)p))
			return g_strdup_printf("'%s' is not allowed; allowed: %s", value, o->values);
		return NULL;
	case MG_OPT_STR:
		g_free(*(char **)p);
		*(char **)p = g_strdup(value);
		return NULL;
	case MG_OPT_LIST:
		*(char ***)p = mg_strv_append(*(char ***)p, value);
		return NULL;
	}
	return g_strdup("internal error: unknown option type");
}

static void config_set_defaults(struct mg_config *cfg)
{
	for (gsize i = 0; i < N_OPTIONS; i++) {
		const struct mg_opt *o = &mg_options[i];
		if (o->type == MG_OPT_LIST) {
			char **v = g_strsplit(o->def ? o->def : "", "\n", -1);
			*(char ***)field(cfg, &mg_options[i]) = mg_strv_compact(v);
			continue;
		}
		char *why = opt_set(cfg, o, o->def ? o->def : "");
		if (why)
			g_error("built-in default of %s is invalid: %s", o->name, why);
	}
}

static struct mg_config *config_new(const char *path)
{
	struct mg_config *cfg = g_new0(struct mg_config, 1);
	cfg->refcount = 1;
	cfg->path = g_strdup(path ? path : "(defaults)");
	config_set_defaults(cfg);
	return cfg;
}

struct mg_config *mg_config_defaults(void)
{
	struct mg_config *cfg = config_new(NULL);
	GError *err = NULL;
	if (!mg_config_finish(cfg, &err)) /* derived data of the modules (hooks) */
		g_error("built-in defaults are inconsistent: %s", err->message);
	return cfg;
}

/* Split one line into key and value.  Returns FALSE for blank/comment. */
static gboolean line_split(char *line, char **key, char **value, char **why)
{
	char *s = g_strstrip(line);
	if (*s == '\0' || *s == '#')
		return FALSE;
	char *eq = strchr(s, '=');
	if (!eq) {
		*why = g_strdup("expected 'key = value'");
		*key = s;
		return TRUE;
	}
	*eq = '\0';
	*key = g_strstrip(s);
	*value = g_strstrip(eq + 1);
	if (strlen(*value) >= 2 && (*value)[0] == '"' && (*value)[strlen(*value) - 1] == '"') {
		(*value)[strlen(*value) - 1] = '\0';
		(*value)++;
	}
	return TRUE;
}

static gboolean config_parse_line(struct mg_config *cfg, GHashTable *seen, char *line, char **err_key,
				  char **why)
{
	char *key = NULL, *value = NULL;
	if (!line_split(line, &key, &value, why))
		return TRUE;
	*err_key = key;
	if (*why)
		return FALSE;
	const struct mg_opt *o = opt_find(key);
	if (!o) {
		*why = g_strdup("unknown key; see `mugaika config-dump` for the allowed keys");
		return FALSE;
	}
	if (g_hash_table_contains(seen, o->name) && o->type != MG_OPT_LIST) {
		*why = g_strdup_printf("set twice (first on line %d); set each key once",
				       GPOINTER_TO_INT(g_hash_table_lookup(seen, o->name)));
		return FALSE;
	}
	if (!g_hash_table_contains(seen, o->name) && o->type == MG_OPT_LIST)
		opt_free_value(cfg, o); /* the file's lines replace the default list */
	*why = opt_set(cfg, o, value);
	return *why == NULL;
}

struct mg_config *mg_config_parse(const char *name, const char *text, gsize len, GError **err)
{
	struct mg_config *cfg = config_new(name);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	char **lines = g_strsplit(len ? text : "", "\n", -1);
	gboolean ok = TRUE;

	if (memchr(text, '\0', len)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: file contains a NUL byte", name);
		ok = FALSE;
	}
	for (int i = 0; ok && lines[i]; i++) {
		char *key = NULL, *why = NULL;
		if (!config_parse_line(cfg, seen, lines[i], &key, &why)) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s: %s", name, i + 1, key ? key : "", why);
			g_free(why);
			ok = FALSE;
			break;
		}
		if (key && !g_hash_table_contains(seen, key)) {
			const struct mg_opt *o = opt_find(key);
			g_hash_table_insert(seen, (gpointer)o->name, GINT_TO_POINTER(i + 1));
		}
	}
	if (ok)
		ok = mg_config_finish(cfg, err);
	g_strfreev(lines);
	g_hash_table_destroy(seen);
	if (!ok) {
		mg_config_unref(cfg);
		return NULL;
	}
	return cfg;
}

struct mg_config *mg_config_load(const char *path, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	if (!path)
		return mg_config_defaults();
	if (!g_file_get_contents(path, &text, &len, err))
		return NULL;
	struct mg_config *cfg = mg_config_parse(path, text, len, err);
	g_free(text);
	return cfg;
}

struct mg_config *mg_config_ref(struct mg_config *cfg)
{
	g_atomic_int_inc(&cfg->refcount);
	return cfg;
}

void mg_config_unref(struct mg_config *cfg)
{
	if (!cfg || !g_atomic_int_dec_and_test(&cfg->refcount))
		return;
	mg_config_release_derived(cfg);
	for (gsize i = 0; i < N_OPTIONS; i++)
		opt_free_value(cfg, &mg_options[i]);
	g_free(cfg->path);
	g_free(cfg);
}

void mg_config_dump(FILE *out, const struct mg_config *cfg, gboolean defaults_doc)
{
	fprintf(out, "# mugaika.conf - every key with its meaning, allowed values and default.\n"
		     "# Syntax: key = value, one per line; '#' starts a comment line.\n"
		     "# Keys of list type may be given on several lines, one value each.\n");
	for (gsize i = 0; i < N_OPTIONS; i++)
		mg_opt_dump(out, &mg_options[i], cfg ? field((struct mg_config *)cfg, &mg_options[i]) : NULL,
			    defaults_doc);
}
