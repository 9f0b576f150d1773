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
	{ "body_charset", MG_OPT_ENUM, OFF(body_charset), "utf-8", 0, 0, "utf-8|iso-2022-jp", NULL,
	  "Charset of the text body delivered.  iso-2022-jp: a part with characters outside\n"
	  "JIS X 0208 (e.g. circled digits, half-width katakana) is sent as UTF-8 instead\n"
	  "(logged), never with characters lost." },
	{ "html_defang_links", MG_OPT_BOOL, OFF(html_defang_links), "no", 0, 0, NULL, NULL,
	  "Show link targets of converted HTML as hxxp:// / hxxps:// so that they are\n"
	  "not clickable." },
	{ "html_max_output", MG_OPT_SIZE, OFF(html_max_output), "4M", 1 * KiB, 256 * MiB, NULL, NULL,
	  "Largest text made from one HTML part.  More: body_convert_fail." },
	{ "html_max_depth", MG_OPT_INT, OFF(html_max_depth), "256", 8, 10000, NULL, NULL,
	  "HTML elements nested deeper than this keep their text but lose their layout." },
	{ "alternative_stub_chars", MG_OPT_INT, OFF(alternative_stub_chars), "64", 0, 100000, NULL, NULL,
	  "multipart/alternative: the text/plain alternative is used when it has at least\n"
	  "this many non-blank characters; shorter (a stub such as \"view this mail in\n"
	  "HTML\") or empty, the HTML alternative is converted instead." },
	{ "body_convert_fail", MG_OPT_ENUM, OFF(body_convert_fail), "reject", 0, 0, "tempfail|reject", NULL,
	  "A body that cannot be converted to text (HTML over html_max_output, parser\n"
	  "failure, time limit): reject = 554 5.6.0, tempfail = 451 4.3.0.  Never\n"
	  "delivered as HTML." },
	{ "encrypted_action", MG_OPT_ENUM, OFF(encrypted_action), "reject", 0, 0, "reject|remove", NULL,
	  "Encrypted content (S/MIME enveloped-data, PGP/MIME multipart/encrypted) cannot\n"
	  "be sanitized.  reject = 554 5.7.1 with a reason; remove = the part is removed\n"
	  "and the notice says so.  Opaque-signed S/MIME is unwrapped (its signature is\n"
	  "removed, like multipart/signed); only when it cannot be read does this apply." },
	{ "body_only", MG_OPT_BOOL, OFF(body_only), "no", 0, 0, NULL, NULL,
	  "Body-only profile: every part that is not body text (every attachment, text\n"
	  "attachments included) is removed and listed in the notice." },
	{ "notice_position", MG_OPT_ENUM, OFF(notice_position), "top", 0, 0, "top|bottom", NULL,
	  "Where the notice to the recipient goes in the body text." },
	{ "notice_when", MG_OPT_ENUM, OFF(notice_when), "changed", 0, 0, "changed|always|never", NULL,
	  "changed: only when something was converted, rebuilt or removed, the body came\n"
	  "from HTML, or a signature was removed; always: on every message; never." },
	{ "notice_language", MG_OPT_ENUM, OFF(notice_language), "ja", 0, 0, "ja|en", NULL,
	  "Language of the notice template used when notice_template is empty, and of the\n"
	  "image placeholder in converted HTML." },
	{ "notice_template", MG_OPT_STR, OFF(notice_template), "", 0, 0, NULL, NULL,
	  "Notice template file.  Empty: notice.<notice_language>.txt in the configuration\n"
	  "directory ($sysconfdir/mugaika), or the built-in copy of it when that file is\n"
	  "not installed.  Syntax: see the comment at the top of notice.ja.txt.  A broken\n"
	  "template (unknown section or placeholder, unclosed brace) is a load error." },

	/* --- issue 4a: attachments / CDR policy, filetype, OOXML, text --- */

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

struct mg_config *mg_config_defaults(void) { return config_new(NULL); }

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
