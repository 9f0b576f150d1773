/*
 * notice.c - the notice to the recipient (see mg_body.h): template files,
 * their parser (at config load), rendering from the report, and the
 * end-of-message step that puts the notice into the body.
 *
 * Template syntax (a hand-written parser: the format is ours, a few lines
 * of sections and {name} placeholders, which no template library on the
 * dependency list offers with file:line errors at load time):
 *   # comment              (only at the start of a line)
 *   [section]              starts a section (known names only)
 *   text with {name}       placeholders allowed in that section; {{ }} = braces
 *   [words] key = text     translations of actions and event names
 */
#include "config.h"

#include <string.h>

#include "mg_body.h"
#include "mg_charset.h"
#include "mg_kv.h"
#include "mg_log.h"
#include "mg_tmpl.h"
#include "notice_builtin.h"
#include "notice_reasons_builtin.h"

#define MG_DEFAULT_NOTICE_DIR SYSCONFDIR "/mugaika"

enum notice_sec {
	S_HEADER,
	S_WARNING,
	S_HTML,
	S_PART,
	S_OBJECT,
	S_EVENT,
	S_NOTE,
	S_QUARANTINE,
	S_FOOTER,
	S_WORDS,
	S_N
};

static const struct {
	const char *name;
	const char *allowed; /* placeholders, space separated */
	gboolean required;
} sections[S_N] = {
	[S_HEADER] = {"header", "", TRUE},
	[S_WARNING] = {"warning", "warning", FALSE},
	[S_HTML] = {"html", "", FALSE},
	[S_PART] = {"part", "name type size action reason new_name renamed path", TRUE},
	[S_OBJECT] = {"object", "object", TRUE},
	[S_EVENT] = {"event", "event", TRUE},
	[S_NOTE] = {"note", "note", FALSE},
	[S_QUARANTINE] = {"quarantine", "quarantine_id", TRUE},
	[S_FOOTER] = {"footer", "", FALSE},
	[S_WORDS] = {"words", "", TRUE},
};

static const char *required_words[] = {"kept", "converted", "rebuilt", "removed", "noname"};

struct mg_notice_tmpl {
	GString *text[S_N];
	GHashTable *words;
	struct mg_notice_catalog *catalog; /* reasons and removed elements (notice_reasons) */
};

void mg_notice_tmpl_free(struct mg_notice_tmpl *tm)
{
	if (!tm)
		return;
	for (int i = 0; i < S_N; i++)
		if (tm->text[i])
			g_string_free(tm->text[i], TRUE);
	g_hash_table_destroy(tm->words);
	mg_notice_catalog_free(tm->catalog);
	g_free(tm);
}

/* Check the placeholders of one line; NULL or what is wrong. */
static char *check_line(const char *line, int sec)
{
	char *where = g_strdup_printf("[%s]", sections[sec].name);
	char *why = mg_tmpl_check(line, sections[sec].allowed, where);
	g_free(where);
	return why;
}

static int section_of(const char *line)
{
	gsize n = strlen(line);
	if (n < 3 || line[0] != '[' || line[n - 1] != ']')
		return -1;
	for (int i = 0; i < S_N; i++)
		if (strlen(sections[i].name) == n - 2 && strncmp(line + 1, sections[i].name, n - 2) == 0)
			return i;
	return -2;
}

static char *parse_line(struct mg_notice_tmpl *tm, int *sec, char *line)
{
	g_strchomp(line);
	int s = section_of(line);
	if (s == -2)
		return g_strdup_printf("unknown section %s", line);
	if (s >= 0) {
		if (tm->text[s])
			return g_strdup_printf("section %s given twice", line);
		tm->text[s] = g_string_new(NULL);
		*sec = s;
		return NULL;
	}
	if (*sec < 0)
		return *line ? g_strdup("text before the first [section]") : NULL;
	if (*sec == S_WORDS) {
		char *key = NULL, *value = NULL, *why = NULL;
		if (!mg_kv_split(line, &key, &value, &why))
			return NULL;
		if (why) {
			g_free(why);
			return g_strdup("expected 'key = text' in [words]");
		}
		g_hash_table_replace(tm->words, g_strdup(key), g_strdup(value));
		return NULL;
	}
	char *why = check_line(line, *sec);
	if (!why)
		g_string_append_printf(tm->text[*sec], "%s\n", line);
	return why;
}

/* Sections and words that must be present. */
static char *parse_complete(const struct mg_notice_tmpl *tm)
{
	for (int i = 0; i < S_N; i++)
		if (sections[i].required && !tm->text[i])
			return g_strdup_printf("section [%s] is missing", sections[i].name);
	for (gsize i = 0; i < G_N_ELEMENTS(required_words); i++)
		if (!g_hash_table_contains(tm->words, required_words[i]))
			return g_strdup_printf("[words] lacks '%s = ...'", required_words[i]);
	return NULL;
}

struct mg_notice_tmpl *mg_notice_tmpl_parse(const char *name, const char *text, GError **err)
{
	struct mg_notice_tmpl *tm = g_new0(struct mg_notice_tmpl, 1);
	tm->words = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (g_str_has_prefix(text, "\xef\xbb\xbf")) /* a BOM from a Windows editor */
		text += 3;
	char **lines = g_strsplit(text, "\n", -1);
	int sec = -1, i;
	char *why = g_utf8_validate(text, -1, NULL) ? NULL : g_strdup("not valid UTF-8");
	for (i = 0; !why && lines[i]; i++)
		if (lines[i][0] != '#')
			why = parse_line(tm, &sec, lines[i]);
	if (why)
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: notice template: %s", name, MAX(i, 1), why);
	else if ((why = parse_complete(tm)) != NULL)
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: notice template: %s", name, why);
	g_strfreev(lines);
	if (why) {
		g_free(why);
		mg_notice_tmpl_free(tm);
		return NULL;
	}
	return tm;
}

/* ---- config hooks ---- */

static const char *builtin_text(int lang)
{
	return lang == 1 ? mg_notice_builtin_en : mg_notice_builtin_ja;
}

static const char *builtin_reasons(int lang)
{
	return lang == 1 ? mg_notice_reasons_builtin_en : mg_notice_reasons_builtin_ja;
}

const char *mg_notice_builtin(int lang)
{
	return builtin_text(lang);
}

const char *mg_notice_reasons_builtin(int lang)
{
	return builtin_reasons(lang);
}

/* The file named by `key` (value `configured`), else BASE.<lang>.txt in
 * the configuration directory, else the built-in copy; *name says which. */
static char *load_text(const struct mg_config *cfg, const char *key, const char *configured, const char *base,
		       const char *builtin, char **name, GError **err)
{
	const char *lang = cfg->notice_language == 1 ? "en" : "ja";
	char *path =
		*configured ? g_strdup(configured) : g_strdup_printf("%s/%s.%s.txt", MG_DEFAULT_NOTICE_DIR, base, lang);
	char *text = NULL;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		if (*configured) /* a file named in the config must exist */
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s: %s: %s", cfg->path, key, e->message);
		else
			text = g_strdup(builtin);
		g_error_free(e);
		g_free(path);
		path = *configured ? NULL : g_strdup_printf("(built-in %s.%s.txt)", base, lang);
	}
	*name = path;
	return text;
}

gboolean mg_notice_config_finish(struct mg_config *cfg, GError **err)
{
	char *name = NULL, *cname = NULL;
	char *text = load_text(cfg, "notice_template", cfg->notice_template, "notice",
			       builtin_text(cfg->notice_language), &name, err);
	char *ctext = text ? load_text(cfg, "notice_reasons", cfg->notice_reasons, "reasons",
				       builtin_reasons(cfg->notice_language), &cname, err)
			   : NULL;
	if (ctext)
		cfg->notice = mg_notice_tmpl_parse(name, text, err);
	if (cfg->notice) {
		cfg->notice->catalog = mg_notice_catalog_parse(cname, ctext, err);
		if (!cfg->notice->catalog)
			mg_notice_config_release(cfg);
	}
	g_free(text);
	g_free(ctext);
	g_free(name);
	g_free(cname);
	return cfg->notice != NULL;
}

void mg_notice_config_release(struct mg_config *cfg)
{
	mg_notice_tmpl_free(cfg->notice);
	cfg->notice = NULL;
}

/* A config made without the finish hooks (mg_config_defaults) uses the
 * built-in template and catalog. */
static const struct mg_notice_tmpl *tmpl_of(const struct mg_config *cfg)
{
	static struct mg_notice_tmpl *builtin[2];
	static gsize once = 0;
	if (cfg->notice)
		return cfg->notice;
	if (g_once_init_enter(&once)) {
		for (int i = 0; i < 2; i++) {
			builtin[i] = mg_notice_tmpl_parse("built-in", builtin_text(i), NULL);
			builtin[i]->catalog = mg_notice_catalog_parse("built-in", builtin_reasons(i), NULL);
		}
		g_once_init_leave(&once, 1);
	}
	return builtin[cfg->notice_language == 1];
}

/* ---- rendering ---- */

/* Does every placeholder of the line expand to nothing?  (FALSE for a
 * line without placeholders.) */
static gboolean line_empty(const char *line, const struct mg_tmpl_var *s, gsize n)
{
	gboolean any = FALSE;
	for (const char *p = line; (p = strchr(p, '{')) != NULL; p++) {
		if (p[1] == '{') {
			p++;
			continue;
		}
		const char *e = strchr(p, '}');
		for (gsize i = 0; e && i < n; i++)
			if (strlen(s[i].name) == (gsize)(e - p - 1) && strncmp(p + 1, s[i].name, e - p - 1) == 0) {
				if (!s[i].value || *s[i].value)
					return FALSE;
				any = TRUE;
			}
	}
	return any;
}

/* Expand a section line by line; a line whose placeholders all came out
 * empty is left out (a reason the catalog says nothing more about). */
static void render(GString *out, const GString *sec, const struct mg_tmpl_var *s, gsize n)
{
	if (!sec)
		return;
	char **lines = g_strsplit(sec->str, "\n", -1);
	for (int i = 0; lines[i] && lines[i + 1]; i++) {
		if (line_empty(lines[i], s, n))
			continue;
		mg_tmpl_expand(out, lines[i], s, n);
		g_string_append_c(out, '\n');
	}
	g_strfreev(lines);
}

static const char *word(const struct mg_notice_tmpl *tm, const char *key)
{
	const char *w = g_hash_table_lookup(tm->words, key);
	return w ? w : key;
}

/* "335 バイト", "1.2 KB", "3.4 MB" (the unit word from [words] bytes). */
static char *human_size(const struct mg_notice_tmpl *tm, gint64 n)
{
	if (n < 1024)
		return g_strdup_printf("%" G_GINT64_FORMAT " %s", n, word(tm, "bytes"));
	if (n < 1024 * 1024)
		return g_strdup_printf("%.1f KB", (double)n / 1024);
	return g_strdup_printf("%.1f MB", (double)n / (1024 * 1024));
}

/* The recipient's words for an English reason or removed element. */
static char *say(const struct mg_notice_tmpl *tm, gboolean object, const char *english, const char *qid)
{
	return tm->catalog ? mg_notice_catalog_say(tm->catalog, object, english, qid)
			   : g_strdup(english ? english : "");
}

/* One [object] line per removed element, a repeat of the line before
 * left out (several elements can say the same to the recipient). */
static void render_objects(GString *out, const struct mg_notice_tmpl *tm, const GPtrArray *removed, const char *qid)
{
	char *prev = NULL;
	for (guint j = 0; removed && j < removed->len; j++) {
		char *o = say(tm, TRUE, removed->pdata[j], qid);
		if (g_strcmp0(o, prev) != 0) {
			struct mg_tmpl_var v = {"object", o};
			render(out, tm->text[S_OBJECT], &v, 1);
		}
		g_free(prev);
		prev = o;
	}
	g_free(prev);
}

static void render_part(GString *out, const struct mg_notice_tmpl *tm, const struct mg_part_report *p, const char *qid)
{
	char *size = human_size(tm, p->size);
	gboolean differs = p->new_filename && g_strcmp0(p->new_filename, p->filename) != 0;
	char *renamed = differs ? g_strdup_printf(" -> %s", p->new_filename) : g_strdup("");
	const char *type = p->detected_type ? p->detected_type : p->declared_type;
	char *reason = say(tm, FALSE, p->reason, qid);
	struct mg_tmpl_var s[] = {
		{"name", p->filename ? p->filename : word(tm, "noname")},
		{"type", type ? type : "application/octet-stream"},
		{"size", size},
		{"action", word(tm, mg_action_name(p->action))},
		{"reason", reason},
		{"new_name", p->new_filename ? p->new_filename : p->filename},
		{"renamed", renamed},
		{"path", p->path},
	};
	render(out, tm->text[S_PART], s, G_N_ELEMENTS(s));
	render_objects(out, tm, p->removed, qid);
	g_free(reason);
	g_free(size);
	g_free(renamed);
}

static gboolean notice_wanted(const struct mg_txn *t)
{
	const struct mg_config *cfg = t->cfg;
	if (cfg->notice_when == 2)
		return FALSE;
	if (cfg->notice_when == 1 || t->body_from_html || t->report->events->len || t->report->warnings->len ||
	    t->notes->len || t->quarantine_id)
		return TRUE;
	for (guint i = 0; i < t->report->parts->len; i++) {
		const struct mg_part_report *p = t->report->parts->pdata[i];
		if (!mg_txn_is_body_rep(t, p) && p->action != MG_ACTION_KEPT)
			return TRUE;
	}
	return FALSE;
}

/* The [html] line, then what the conversion dropped (scripts, forms...). */
static void render_html(GString *out, const struct mg_notice_tmpl *tm, const struct mg_txn *t)
{
	render(out, tm->text[S_HTML], NULL, 0);
	for (guint i = 0; t->body_reps && i < t->body_reps->len; i++) {
		const struct mg_part_report *p = t->body_reps->pdata[i];
		if (p->action == MG_ACTION_CONVERTED)
			render_objects(out, tm, p->removed, t->queue_id);
	}
}

/* Each entry of a list of keys through [words] into a one-placeholder
 * section ([warning], [event]). */
static void render_keys(GString *out, const struct mg_notice_tmpl *tm, int sec, const char *name, const GPtrArray *keys)
{
	for (guint i = 0; i < keys->len; i++) {
		struct mg_tmpl_var s = {name, word(tm, keys->pdata[i])};
		render(out, tm->text[sec], &s, 1);
	}
}

char *mg_notice_render(struct mg_txn *t)
{
	if (!notice_wanted(t))
		return NULL;
	const struct mg_notice_tmpl *tm = tmpl_of(t->cfg);
	GString *out = g_string_new(NULL);
	render(out, tm->text[S_HEADER], NULL, 0);
	render_keys(out, tm, S_WARNING, "warning", t->report->warnings);
	if (t->body_from_html)
		render_html(out, tm, t);
	for (guint i = 0; i < t->report->parts->len; i++)
		if (!mg_txn_is_body_rep(t, t->report->parts->pdata[i]))
			render_part(out, tm, t->report->parts->pdata[i], t->queue_id);
	render_keys(out, tm, S_EVENT, "event", t->report->events);
	for (guint i = 0; i < t->notes->len; i++) {
		struct mg_tmpl_var s = {"note", t->notes->pdata[i]};
		render(out, tm->text[S_NOTE], &s, 1);
	}
	if (t->quarantine_id) {
		struct mg_tmpl_var s = {"quarantine_id", t->quarantine_id};
		render(out, tm->text[S_QUARANTINE], &s, 1);
	}
	render(out, tm->text[S_FOOTER], NULL, 0);
	return g_string_free(out, FALSE);
}

/* ---- the end-of-message step ---- */

/* Put a part holding only the notice in front of the delivered tree. */
static void notice_add_part(struct mg_txn *t, const char *notice)
{
	GMimePart *np = g_mime_part_new_with_type("text", "plain");
	mg_body_set_text(t, np, notice);
	if (GMIME_IS_MULTIPART(t->new_top)) {
		g_mime_multipart_insert(GMIME_MULTIPART(t->new_top), 0, GMIME_OBJECT(np));
	} else {
		GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");
		char *b = mg_txn_boundary(t);
		g_mime_multipart_set_boundary(mp, b);
		g_free(b);
		g_mime_multipart_add(mp, GMIME_OBJECT(np));
		g_mime_multipart_add(mp, t->new_top);
		g_object_unref(t->new_top);
		t->new_top = GMIME_OBJECT(mp);
	}
	g_object_unref(np);
}

/* In a format=flowed body (RFC 3676) the notice's lines must read as
 * fixed lines: one that starts with a space, '>' or "From " is
 * space-stuffed, and trailing spaces (a soft line break) go. */
static char *flowed_safe(const char *notice)
{
	GString *g = g_string_new(NULL);
	char **lines = g_strsplit(notice, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char *l = g_strchomp(lines[i]);
		if (*l == ' ' || *l == '>' || g_str_has_prefix(l, "From "))
			g_string_append_c(g, ' ');
		g_string_append(g, l);
		if (lines[i + 1])
			g_string_append_c(g, '\n');
	}
	g_strfreev(lines);
	return g_string_free(g, FALSE);
}

static gboolean is_flowed(GMimeObject *part)
{
	const char *f = g_mime_object_get_content_type_parameter(part, "format");
	return f && g_ascii_strcasecmp(f, "flowed") == 0;
}

gboolean mg_notice_step(struct mg_txn *t)
{
	char *notice = mg_notice_render(t);
	if (!notice)
		return TRUE;
	GMimeObject *main = t->body_main;
	if (!main && GMIME_IS_TEXT_PART(t->new_top))
		main = t->new_top; /* the empty text left when the whole body was removed */
	if (main) {
		char *text = mg_charset_part_text(GMIME_PART(main));
		gboolean top = t->cfg->notice_position == 0;
		if (is_flowed(main)) {
			char *safe = flowed_safe(notice);
			g_free(notice);
			notice = safe;
		}
		char *all =
			*text ? g_strconcat(top ? notice : text, "\n", top ? text : notice, NULL) : g_strdup(notice);
		mg_body_set_text(t, GMIME_PART(main), all);
		g_free(all);
		g_free(text);
	} else {
		notice_add_part(t, notice);
	}
	g_free(notice);
	return TRUE;
}
