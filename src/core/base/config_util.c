/*
 * config_util.c - value parsers, the documented dump, and the post-load
 * hooks of the configuration (cross-key checks and derived data that other
 * modules compile from their rows, such as network lists).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mg_config_table.h"

gboolean mg_parse_bool(const char *s, gboolean *out)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};
	for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0)
			return *out = TRUE, TRUE;
		if (g_ascii_strcasecmp(s, no[i]) == 0)
			return *out = FALSE, TRUE;
	}
	return FALSE;
}

static int64_t unit_factor(enum mg_opt_type type, char u)
{
	u = g_ascii_tolower(u);
	if (type == MG_OPT_SIZE)
		return u == 'k' ? 1024 : u == 'm' ? 1024 * 1024 : u == 'g' ? 1024 * 1024 * 1024 : 0;
	if (type == MG_OPT_TIME)
		return u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : 0;
	return 0;
}

gboolean mg_parse_number(enum mg_opt_type type, const char *s, int64_t *out)
{
	char *end = NULL;
	if (!g_ascii_isdigit(*s))
		return FALSE;
	errno = 0;
	gint64 n = g_ascii_strtoll(s, &end, 10);
	if (errno || end == s)
		return FALSE;
	if (*end) {
		int64_t f = unit_factor(type, *end);
		if (!f || end[1] != '\0' || n > INT64_MAX / f)
			return FALSE;
		n *= f;
	}
	*out = n;
	return TRUE;
}

gboolean mg_parse_enum(const char *values, const char *s, int *out)
{
	char **v = g_strsplit(values, "|", -1);
	gboolean found = FALSE;
	for (int i = 0; v[i]; i++)
		if (g_ascii_strcasecmp(v[i], s) == 0) {
			*out = i;
			found = TRUE;
			break;
		}
	g_strfreev(v);
	return found;
}

const char *mg_opt_type_doc(enum mg_opt_type type)
{
	switch (type) {
	case MG_OPT_BOOL: return "a boolean (yes/no)";
	case MG_OPT_INT: return "a whole number";
	case MG_OPT_SIZE: return "a size (bytes, or a number with K, M or G)";
	case MG_OPT_TIME: return "a duration (seconds, or a number with s, m, h or d)";
	case MG_OPT_ENUM: return "one of the listed words";
	case MG_OPT_STR: return "a string";
	case MG_OPT_LIST: return "a list (repeat the key, one value per line)";
	}
	return "?";
}

const char *mg_opt_unit(enum mg_opt_type type)
{
	return type == MG_OPT_SIZE ? " bytes" : type == MG_OPT_TIME ? " seconds" : "";
}

char **mg_strv_append(char **v, const char *s)
{
	guint n = v ? g_strv_length(v) : 0;
	v = g_renew(char *, v, n + 2);
	v[n] = g_strdup(s);
	v[n + 1] = NULL;
	return v;
}

/* Drop empty strings (so that "" as a list default means an empty list). */
char **mg_strv_compact(char **v)
{
	guint j = 0;
	for (guint i = 0; v[i]; i++) {
		if (*v[i])
			v[j++] = v[i];
		else
			g_free(v[i]);
	}
	v[j] = NULL;
	return v;
}

static void dump_doc(FILE *out, const char *doc)
{
	char **lines = g_strsplit(doc, "\n", -1);
	for (int i = 0; lines[i]; i++)
		fprintf(out, "# %s\n", lines[i]);
	g_strfreev(lines);
}

static void dump_range(FILE *out, const struct mg_opt *o)
{
	switch (o->type) {
	case MG_OPT_INT:
	case MG_OPT_SIZE:
	case MG_OPT_TIME:
		fprintf(out, "# Type: %s; range %" PRId64 " to %" PRId64 "%s.\n", mg_opt_type_doc(o->type), o->min,
			o->max, mg_opt_unit(o->type));
		break;
	case MG_OPT_ENUM: fprintf(out, "# Allowed: %s.\n", o->values); break;
	default: fprintf(out, "# Type: %s.\n", mg_opt_type_doc(o->type));
	}
}

static void dump_value(FILE *out, const struct mg_opt *o, const void *value)
{
	char **enums;
	switch (o->type) {
	case MG_OPT_BOOL: fprintf(out, "%s = %s\n", o->name, *(const gboolean *)value ? "yes" : "no"); break;
	case MG_OPT_INT:
	case MG_OPT_SIZE:
	case MG_OPT_TIME: fprintf(out, "%s = %" PRId64 "\n", o->name, *(const int64_t *)value); break;
	case MG_OPT_ENUM:
		enums = g_strsplit(o->values, "|", -1);
		fprintf(out, "%s = %s\n", o->name, enums[*(const int *)value]);
		g_strfreev(enums);
		break;
	case MG_OPT_STR: fprintf(out, "%s = %s\n", o->name, *(char *const *)value ? *(char *const *)value : ""); break;
	case MG_OPT_LIST:
		for (char *const *v = *(char **const *)value; v && *v; v++)
			fprintf(out, "%s = %s\n", o->name, *v);
		break;
	}
}

void mg_opt_dump(FILE *out, const struct mg_opt *o, const void *value, gboolean defaults_doc)
{
	fprintf(out, "\n");
	dump_doc(out, o->doc);
	dump_range(out, o);
	if (defaults_doc || !value) {
		if (o->type == MG_OPT_LIST) {
			char **v = g_strsplit(o->def, "\n", -1);
			if (!v[0] || !*v[0])
				fprintf(out, "# (empty by default)\n#%s =\n", o->name);
			for (int i = 0; v[i] && *v[i]; i++)
				fprintf(out, "#%s = %s\n", o->name, v[i]);
			g_strfreev(v);
		} else {
			fprintf(out, "#%s = %s\n", o->name, o->def);
		}
		return;
	}
	dump_value(out, o, value);
}

gboolean mg_check_socket(const char *value, char **why)
{
	if (g_str_has_prefix(value, "unix:") && value[5] == '/')
		return TRUE;
	if (g_str_has_prefix(value, "local:") && value[6] == '/')
		return TRUE;
	if ((g_str_has_prefix(value, "inet:") || g_str_has_prefix(value, "inet6:")) && strchr(value, '@')) {
		const char *port = strchr(value, ':') + 1;
		char *end = NULL;
		long p = strtol(port, &end, 10);
		if (end && *end == '@' && p > 0 && p < 65536)
			return TRUE;
	}
	*why = g_strdup_printf("'%s' is not a milter socket; allowed: unix:/path, inet:PORT@HOST, "
			       "inet6:PORT@HOST",
			       value);
	return FALSE;
}

/* issue 12: "txt text log" - words of letters and digits, no dots, at
 * least one (text_attachment_extensions). */
gboolean mg_check_extension_list(const char *value, char **why)
{
	char **v = g_strsplit(value, " ", -1);
	int words = 0;
	gboolean ok = TRUE;
	for (int i = 0; v[i] && ok; i++) {
		for (const char *p = v[i]; *p && ok; p++)
			ok = g_ascii_isalnum(*p);
		words += *v[i] != '\0';
	}
	g_strfreev(v);
	if (ok && words > 0)
		return TRUE;
	*why = g_strdup_printf(
		"'%s' is not a list of extensions; allowed: words of letters and digits without the dot, "
		"separated by spaces (e.g. txt text log)",
		value);
	return FALSE;
}

/* tcp:HOST:PORT, udp:HOST:PORT or empty (audit_syslog). */
gboolean mg_check_syslog_target(const char *value, char **why)
{
	const char *colon = strrchr(value, ':');
	char *end = NULL;
	gint64 port = colon ? g_ascii_strtoll(colon + 1, &end, 10) : 0;
	if (!*value || ((g_str_has_prefix(value, "tcp:") || g_str_has_prefix(value, "udp:")) && colon > value + 4 &&
			end && !*end && end != colon + 1 && port > 0 && port < 65536))
		return TRUE;
	*why = g_strdup_printf("'%s' is not a syslog target; allowed: tcp:HOST:PORT, udp:HOST:PORT or empty", value);
	return FALSE;
}

int mg_syslog_facility_code(int index)
{
	static const int codes[] = {16, 17, 18, 19, 20, 21, 22, 23, 4, 10, 2, 3}; /* MG_SYSLOG_FACILITIES */
	return index >= 0 && index < (int)G_N_ELEMENTS(codes) ? codes[index] : 21;
}

/* The stages' parts in a configuration, registered once by the step
 * sequence (mg_pipeline_global_init) before any configuration is loaded;
 * base/ never names a stage.  Registration happens before threads start,
 * so the tables are read without a lock afterwards. */
#define MG_CONFIG_MAX_HOOKS  32
#define MG_CONFIG_MAX_CHECKS 64
static const struct mg_config_hooks *hooks[MG_CONFIG_MAX_HOOKS];
static gsize n_hooks;
static struct {
	const char *key;
	mg_opt_check_fn check;
} checks[MG_CONFIG_MAX_CHECKS];
static gsize n_checks;

void mg_config_register_hooks(const struct mg_config_hooks *h)
{
	for (gsize i = 0; i < n_hooks; i++)
		if (hooks[i] == h)
			return;
	g_assert(n_hooks < MG_CONFIG_MAX_HOOKS);
	hooks[n_hooks++] = h;
}

void mg_config_register_check(const char *key, mg_opt_check_fn check)
{
	for (gsize i = 0; i < n_checks; i++)
		if (g_str_equal(checks[i].key, key)) {
			checks[i].check = check;
			return;
		}
	g_assert(n_checks < MG_CONFIG_MAX_CHECKS);
	checks[n_checks].key = key;
	checks[n_checks++].check = check;
}

mg_opt_check_fn mg_config_check_of(const char *key)
{
	for (gsize i = 0; i < n_checks; i++)
		if (g_str_equal(checks[i].key, key))
			return checks[i].check;
	return NULL;
}

gboolean mg_config_finish(struct mg_config *cfg, GError **err)
{
	if (cfg->spool_memory_max > cfg->max_message_size) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: spool_memory_max: larger than max_message_size; allowed: at most "
			    "max_message_size (%" PRId64 ")",
			    cfg->path, cfg->max_message_size);
		return FALSE;
	}
	for (gsize i = 0; i < n_hooks; i++)
		if (hooks[i]->finish && !hooks[i]->finish(cfg, err))
			return FALSE;
	return TRUE;
}

void mg_config_release_derived(struct mg_config *cfg)
{
	for (gsize i = n_hooks; i > 0; i--)
		if (hooks[i - 1]->release)
			hooks[i - 1]->release(cfg);
}
