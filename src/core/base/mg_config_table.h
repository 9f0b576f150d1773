/*
 * mg_config_table.h - private to the config module: the row type of the
 * option table and the value parsers shared by the rows.
 */
#ifndef MG_CONFIG_TABLE_H
#define MG_CONFIG_TABLE_H

#include <inttypes.h>
#include <stddef.h>

#include "mg_config.h"

enum mg_opt_type { MG_OPT_BOOL, MG_OPT_INT, MG_OPT_SIZE, MG_OPT_TIME, MG_OPT_STR, MG_OPT_ENUM, MG_OPT_LIST };

struct mg_opt {
	const char *name;
	enum mg_opt_type type;
	size_t off;         /* offset of the field in struct mg_config */
	const char *def;    /* default as text; lists: values separated by \n */
	int64_t min, max;   /* numeric range, inclusive */
	const char *values; /* enums: "a|b|c" (stored as the index) */
	mg_opt_check_fn check;
	const char *doc;
};

gboolean mg_parse_bool(const char *s, gboolean *out);
gboolean mg_parse_number(enum mg_opt_type type, const char *s, int64_t *out);
gboolean mg_parse_enum(const char *values, const char *s, int *out);
const char *mg_opt_type_doc(enum mg_opt_type type);
const char *mg_opt_unit(enum mg_opt_type type);
char **mg_strv_append(char **v, const char *s);
char **mg_strv_compact(char **v);
void mg_opt_dump(FILE *out, const struct mg_opt *o, const void *value, gboolean defaults_doc);

gboolean mg_check_socket(const char *value, char **why);
gboolean mg_check_extension_list(const char *value, char **why); /* issue 12 */
gboolean mg_check_syslog_target(const char *value, char **why);

/* The check registered for a key by a stage, or NULL. */
mg_opt_check_fn mg_config_check_of(const char *key);

/* Cross-key checks and derived data, after all lines parsed. */
gboolean mg_config_finish(struct mg_config *cfg, GError **err);
void mg_config_release_derived(struct mg_config *cfg);

#endif
