/*
 * exfil.c - the exfiltration rules and the scan of one message's text (see
 * mg_exfil.h; the files are described in conf/exfil-labels.rules).
 */
#include "config.h"

#include <string.h>

#include "mg_config.h"
#include "mg_exfil.h"
#include "mg_stanza.h"

#define RULES_MAX   1000  /* stanzas over all files */
#define MATCHES_MAX 10000 /* match lines over all files */

static const char *const kind_names[] = {"label", "keyword", "regex", "mynumber"};
static const char *const action_names[] = {"log", "alert", "hold", "reject"};
static const char *const where_names[] = {"subject", "body", "attachment-name", "attachment-text"};

const char *mg_exfil_action_name(int action)
{
	return action >= 0 && action < (int)G_N_ELEMENTS(action_names) ? action_names[action] : "none";
}

const char *mg_exfil_kind_name(enum mg_exfil_kind k)
{
	return (guint)k < G_N_ELEMENTS(kind_names) ? kind_names[k] : "?";
}

static int name_index(const char *const *names, gsize n, const char *s)
{
	for (gsize i = 0; i < n; i++)
		if (g_ascii_strcasecmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* ---- normalisation ---- */

/* NFKC and mg_exfil_fold: how spellings and text meet. */
static char *fold_key(const char *s)
{
	char *nfkc = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	char *k = mg_exfil_fold(nfkc ? nfkc : "");
	g_free(nfkc);
	return g_strstrip(k);
}

/* ---- loading ---- */

static void rule_free(gpointer p)
{
	struct mg_exfil_rule *r = p;
	g_free(r->name);
	g_free(r->id);
	g_free(r->origin);
	if (r->spellings)
		g_ptr_array_unref(r->spellings);
	if (r->regexes)
		g_ptr_array_unref(r->regexes);
	g_free(r);
}

void mg_exfil_rules_free(struct mg_exfil_rules *r)
{
	if (!r)
		return;
	g_ptr_array_unref(r->rules);
	g_free(r);
}

static gboolean id_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
			return FALSE;
	return TRUE;
}

static gboolean parse_where(const char *v, guint *out)
{
	char **w = g_strsplit(v, ",", -1);
	gboolean ok = TRUE;
	*out = 0;
	for (guint i = 0; w[i] && ok; i++) {
		int k = name_index(where_names, G_N_ELEMENTS(where_names), g_strstrip(w[i]));
		ok = k >= 0;
		*out |= ok ? 1u << k : 0;
	}
	g_strfreev(w);
	return ok && *out;
}

/* Head "KIND NAME" -> kind and name (caller frees name). */
static gboolean parse_head(const struct mg_stanza *s, enum mg_exfil_kind *kind, char **name, GError **err)
{
	char *head = g_strdup(s->head);
	char *sp = strpbrk(head, " \t");
	char *rest = sp ? g_strstrip(sp + 1) : NULL;
	if (sp)
		*sp = '\0';
	int k = name_index(kind_names, G_N_ELEMENTS(kind_names), head);
	gboolean ok = k >= 0 && (k == MG_EXFIL_MYNUMBER || (rest && *rest));
	if (!ok)
		mg_stanza_error(err, s, NULL, "expected [label NAME], [keyword NAME], [regex NAME] or [mynumber NAME]");
	*kind = (enum mg_exfil_kind)k;
	*name = ok ? g_strdup(rest && *rest ? rest : "mynumber") : NULL;
	g_free(head);
	return ok;
}

static gboolean parse_scalars(const struct mg_stanza *s, struct mg_exfil_rule *r, guint n, GError **err)
{
	const char *v;
	r->action = MG_EXFIL_LOG;
	r->min = 1;
	r->where = MG_EXW_ALL;
	if ((v = mg_stanza_get(s, "action")) &&
	    (r->action = name_index(action_names, G_N_ELEMENTS(action_names), v)) < 0) {
		mg_stanza_error(err, s, "action", "'%s' is not allowed; allowed: log|alert|hold|reject", v);
		return FALSE;
	}
	if ((v = mg_stanza_get(s, "min"))) {
		char *end = NULL;
		guint64 m = g_ascii_strtoull(v, &end, 10);
		if (!g_ascii_isdigit(*v) || *end || m < 1 || m > 10000) {
			mg_stanza_error(err, s, "min", "'%s' is out of range; allowed: 1 to 10000", v);
			return FALSE;
		}
		r->min = (guint)m;
	}
	if ((v = mg_stanza_get(s, "where")) && !parse_where(v, &r->where)) {
		mg_stanza_error(err, s, "where",
				"'%s' is not allowed; allowed: a comma list of subject, body, "
				"attachment-name, attachment-text",
				v);
		return FALSE;
	}
	v = mg_stanza_get(s, "id");
	if (v && !id_ok(v)) {
		mg_stanza_error(err, s, "id", "'%s' is not allowed; allowed: ASCII letters, digits, '-', '_', '.'", v);
		return FALSE;
	}
	r->id = v ? g_strdup(v) : g_strdup_printf("%s-%u", kind_names[r->kind], n);
	return TRUE;
}

static gboolean parse_matches(const struct mg_stanza *s, struct mg_exfil_rule *r, guint *total, GError **err)
{
	GPtrArray *m = mg_stanza_all(s, "match");
	gboolean ok = TRUE;
	if (r->kind == MG_EXFIL_REGEX)
		r->regexes = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	else
		r->spellings = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < m->len && ok; i++) {
		const char *v = m->pdata[i];
		GError *re = NULL;
		if (++*total > MATCHES_MAX) {
			mg_stanza_error(err, s, "match", "more than %d match lines in all rule files", MATCHES_MAX);
			ok = FALSE;
		} else if (r->kind == MG_EXFIL_REGEX) {
			GRegex *rx = g_regex_new(v, G_REGEX_OPTIMIZE, 0, &re);
			if (!rx)
				mg_stanza_error(err, s, "match", "'%s' is not a regular expression: %s", v,
						re->message);
			else
				g_ptr_array_add(r->regexes, rx);
			ok = rx != NULL;
			g_clear_error(&re);
		} else {
			char *k = fold_key(v);
			if (!*k)
				mg_stanza_error(err, s, "match", "empty spelling");
			ok = *k != '\0';
			g_ptr_array_add(r->spellings, k);
		}
	}
	if (ok && r->kind != MG_EXFIL_MYNUMBER && m->len == 0) {
		mg_stanza_error(err, s, "match", "missing; a %s rule needs at least one", kind_names[r->kind]);
		ok = FALSE;
	}
	g_ptr_array_unref(m);
	return ok;
}

static struct mg_exfil_rule *rule_compile(const struct mg_stanza *s, guint n, guint *total, GError **err)
{
	static const char *const keys[] = {"match", "action", "min", "where", "id", NULL};
	static const char *const keys_mynumber[] = {"action", "min", "where", "id", NULL};
	static const char *const repeatable[] = {"match", NULL};
	struct mg_exfil_rule *r = g_new0(struct mg_exfil_rule, 1);
	r->origin = g_strdup_printf("%s:%d", s->file, s->line);
	if (!parse_head(s, &r->kind, &r->name, err) ||
	    !mg_stanza_check(s, r->kind == MG_EXFIL_MYNUMBER ? keys_mynumber : keys, repeatable, NULL, err) ||
	    !parse_scalars(s, r, n, err) || !parse_matches(s, r, total, err)) {
		rule_free(r);
		return NULL;
	}
	return r;
}

/* Ids are unique; so are label names (other rules ask for them). */
static gboolean rule_unique(GPtrArray *rules, const struct mg_exfil_rule *r, const struct mg_stanza *s, GError **err)
{
	for (guint i = 0; i < rules->len; i++) {
		const struct mg_exfil_rule *o = rules->pdata[i];
		if (strcmp(o->id, r->id) == 0) {
			mg_stanza_error(err, s, "id", "'%s' is also the id of the rule at %s", r->id, o->origin);
			return FALSE;
		}
		if (r->kind == MG_EXFIL_LABEL && o->kind == MG_EXFIL_LABEL && strcmp(o->name, r->name) == 0) {
			mg_stanza_error(err, s, NULL, "label '%s' is also defined at %s", r->name, o->origin);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean rules_add(struct mg_exfil_rules *out, GPtrArray *stanzas, guint *total, GError **err)
{
	for (guint i = 0; i < stanzas->len; i++) {
		const struct mg_stanza *s = stanzas->pdata[i];
		if (out->rules->len >= RULES_MAX) {
			mg_stanza_error(err, s, NULL, "more than %d rules in all rule files", RULES_MAX);
			return FALSE;
		}
		struct mg_exfil_rule *r = rule_compile(s, out->rules->len + 1, total, err);
		if (!r)
			return FALSE;
		if (!rule_unique(out->rules, r, s, err)) {
			rule_free(r);
			return FALSE;
		}
		g_ptr_array_add(out->rules, r);
	}
	return TRUE;
}

static struct mg_exfil_rules *rules_new(void)
{
	struct mg_exfil_rules *r = g_new0(struct mg_exfil_rules, 1);
	r->rules = g_ptr_array_new_with_free_func(rule_free);
	return r;
}

struct mg_exfil_rules *mg_exfil_rules_load(char **files, GError **err)
{
	struct mg_exfil_rules *out = rules_new();
	guint total = 0;
	for (guint i = 0; files && files[i]; i++) {
		GPtrArray *st = mg_stanza_load(files[i], "exfil_rules", err);
		gboolean ok = st && rules_add(out, st, &total, err);
		if (st)
			g_ptr_array_unref(st);
		if (!ok) {
			mg_exfil_rules_free(out);
			return NULL;
		}
	}
	return out;
}

struct mg_exfil_rules *mg_exfil_rules_parse(const char *name, const char *text, GError **err)
{
	struct mg_exfil_rules *out = rules_new();
	guint total = 0;
	GPtrArray *st = mg_stanza_parse(name, text, strlen(text), err);
	gboolean ok = st && rules_add(out, st, &total, err);
	if (st)
		g_ptr_array_unref(st);
	if (!ok)
		g_clear_pointer(&out, mg_exfil_rules_free);
	return out;
}
