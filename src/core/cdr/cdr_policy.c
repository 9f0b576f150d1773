/*
 * cdr_policy.c - see mg_cdr_policy.h.  The rule lines are parsed twice:
 * once per line by the check function (so an error names file:line), and
 * once after the whole file is read into the immutable rule table.
 */
#include "config.h"

#include <string.h>

#include "mg_glob.h"
#include "mg_cdr_policy.h"
#include "mg_txn.h"

static const char *const action_names[] = {"rebuild", "to-text", "remove", "reject", "keep"};
static const char *const dir_names[] = {"inbound", "outbound", "internal", "transit"};

#define RULE_SYNTAX "allowed: [inbound|outbound|internal|transit|any] TYPE-GLOB rebuild|to-text|remove|reject|keep"

const char *mg_rule_action_name(enum mg_rule_action a)
{
	return (gsize)a < G_N_ELEMENTS(action_names) ? action_names[a] : "?";
}

static int name_index(const char *const *names, gsize n, const char *s)
{
	for (gsize i = 0; i < n; i++)
		if (g_ascii_strcasecmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static gboolean glob_ok(const char *g)
{
	for (const char *p = g; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/*?.+-_", *p))
			return FALSE;
	return *g != '\0';
}

/* Parse one line into *r (may be NULL to only check). */
static gboolean rule_parse(const char *value, struct mg_cdr_rule *r, char **why)
{
	char **w = g_strsplit_set(value, " \t", -1);
	char **v = w;
	GPtrArray *words = g_ptr_array_new();
	for (; *v; v++)
		if (**v)
			g_ptr_array_add(words, *v);
	gboolean ok = FALSE;
	int dir = -1, act = -1;
	if (words->len == 3 && g_ascii_strcasecmp(words->pdata[0], "any") != 0 &&
	    (dir = name_index(dir_names, G_N_ELEMENTS(dir_names), words->pdata[0])) < 0)
		*why = g_strdup_printf("unknown direction '%s'; " RULE_SYNTAX, (char *)words->pdata[0]);
	else if (words->len != 2 && words->len != 3)
		*why = g_strdup("expected 2 or 3 words; " RULE_SYNTAX);
	else if (!glob_ok(words->pdata[words->len - 2]))
		*why = g_strdup_printf("'%s' is not a type pattern (letters, digits, / . + - _ * ?); " RULE_SYNTAX,
				       (char *)words->pdata[words->len - 2]);
	else if ((act = name_index(action_names, G_N_ELEMENTS(action_names), words->pdata[words->len - 1])) < 0)
		*why = g_strdup_printf("unknown action '%s'; " RULE_SYNTAX, (char *)words->pdata[words->len - 1]);
	else
		ok = TRUE;
	if (ok && r) {
		r->direction = dir;
		r->glob = g_ascii_strdown(words->pdata[words->len - 2], -1);
		r->action = act;
	}
	g_ptr_array_free(words, TRUE);
	g_strfreev(w);
	return ok;
}

/* One line: its syntax, and for a rule on one exact type that asks for
 * rebuild or to-text, that mugaika has a rebuilder or converter for it. */
gboolean mg_cdr_rule_check(const char *value, char **why)
{
	struct mg_cdr_rule r = {0};
	if (!rule_parse(value, &r, why))
		return FALSE;
	gboolean exact = !strpbrk(r.glob, "*?");
	gboolean ok = !exact || mg_cdr_handler_exists(r.action, r.glob);
	if (!ok)
		*why = g_strdup_printf(
			"no %s for %s; allowed: %s for Office (OOXML, OpenDocument, doc/xls/ppt), PDF, "
			"images, archives, RTF, CSV and HTML; to-text for text/html, text/calendar, text/vcard; "
			"remove, reject or keep for any type",
			r.action == MG_RULE_TO_TEXT ? "text converter" : "rebuilder", r.glob,
			mg_rule_action_name(r.action));
	g_free(r.glob);
	return ok;
}

static void rule_free(gpointer p)
{
	struct mg_cdr_rule *r = p;
	g_free(r->glob);
	g_free(r);
}

gboolean mg_cdr_rules_compile(struct mg_config *cfg, GError **err)
{
	cfg->cdr_rules = g_ptr_array_new_with_free_func(rule_free);
	for (int i = 0; cfg->attachment_rules && cfg->attachment_rules[i]; i++) {
		struct mg_cdr_rule *r = g_new0(struct mg_cdr_rule, 1);
		char *why = NULL;
		if (!rule_parse(cfg->attachment_rules[i], r, &why)) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s: attachment_rule '%s': %s", cfg->path,
				    cfg->attachment_rules[i], why);
			g_free(why);
			rule_free(r);
			return FALSE;
		}
		r->line = i + 1;
		g_ptr_array_add(cfg->cdr_rules, r);
	}
	return TRUE;
}

void mg_cdr_rules_release(struct mg_config *cfg)
{
	if (cfg->cdr_rules)
		g_ptr_array_unref(cfg->cdr_rules);
	cfg->cdr_rules = NULL;
}

const struct mg_cdr_rule *mg_cdr_rule_lookup(const struct mg_config *cfg, int direction, const char *type)
{
	char *low = g_ascii_strdown(type ? type : "application/octet-stream", -1);
	const struct mg_cdr_rule *found = NULL;
	for (guint i = 0; cfg->cdr_rules && i < cfg->cdr_rules->len && !found; i++) {
		const struct mg_cdr_rule *r = cfg->cdr_rules->pdata[i];
		if ((r->direction < 0 || r->direction == direction) && mg_glob_match(r->glob, low))
			found = r;
	}
	g_free(low);
	return found;
}

/* ---- field codes (Word fields in OOXML and RTF) ---- */

static const char *const risky_fields[] = {"DDE",    "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE",
					   "IMPORT", "LINK",    "QUOTE"};

/* A HYPERLINK field is fine when it points at the web, mail or a bookmark. */
static gboolean hyperlink_field_risky(const char *instr)
{
	const char *q = strchr(instr, '"');
	if (!q || strstr(instr, "\\L")) /* instr is upper case here */
		return FALSE;
	q++;
	return g_ascii_strncasecmp(q, "http://", 7) != 0 && g_ascii_strncasecmp(q, "https://", 8) != 0 &&
	       g_ascii_strncasecmp(q, "mailto:", 7) != 0;
}

gboolean mg_cdr_field_is_risky(const char *instr)
{
	char *s = g_strstrip(g_ascii_strup(instr ? instr : "", -1));
	char **w = g_strsplit_set(s, " \t\r\n\"\\", 2);
	gboolean bad = FALSE;
	for (gsize i = 0; w[0] && i < G_N_ELEMENTS(risky_fields); i++)
		bad = bad || g_str_equal(w[0], risky_fields[i]);
	if (w[0] && g_str_equal(w[0], "HYPERLINK"))
		bad = hyperlink_field_risky(s);
	g_strfreev(w);
	g_free(s);
	return bad;
}
