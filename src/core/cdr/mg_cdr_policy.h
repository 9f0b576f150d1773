/*
 * mg_cdr_policy - the attachment policy table (issue 4).
 *
 * Each `attachment_rule` line of the configuration reads
 *     [inbound|outbound|internal|transit|any] TYPE-GLOB ACTION
 * (direction optional, default any).  TYPE-GLOB is matched against the
 * lower-case true type (mg_filetype) with `*` and `?` wildcards; the first
 * matching line wins; when no line matches, the file is removed.
 * mg_cdr_rule_check() validates one line (config check function);
 * mg_cdr_rules_compile()/mg_cdr_rules_release() are the config finish and
 * release hooks that keep the parsed table in struct mg_config.
 */
#ifndef MG_CDR_POLICY_H
#define MG_CDR_POLICY_H

#include <glib.h>

#include "mg_config.h"

enum mg_rule_action { MG_RULE_REBUILD = 0, MG_RULE_TO_TEXT, MG_RULE_REMOVE, MG_RULE_REJECT, MG_RULE_KEEP };

struct mg_cdr_rule {
	int direction; /* enum mg_direction, or -1 for any */
	char *glob;    /* lower case */
	enum mg_rule_action action;
	int line; /* 1-based index among the rules, for reasons and logs */
};

gboolean mg_cdr_rule_check(const char *value, char **why);
gboolean mg_cdr_rules_compile(struct mg_config *cfg, GError **err);
void mg_cdr_rules_release(struct mg_config *cfg);

/* The rule for a true type in a direction; NULL = none (remove). */
const struct mg_cdr_rule *mg_cdr_rule_lookup(const struct mg_config *cfg, int direction, const char *type);
const char *mg_rule_action_name(enum mg_rule_action a);
/* Is there a rebuilder (or text converter) for `type`?  (cdr.c) */
gboolean mg_cdr_handler_exists(enum mg_rule_action action, const char *type);

#endif
