/*
 * mg_exfil - outbound exfiltration rules (issue 16 item 5, F24): a label
 * vocabulary, keyword and regular-expression dictionaries and the
 * individual-number detector, searched in the subject, the body text, the
 * attachment names and the text of attachments.
 *
 * Rules come from the stanza files of exfil_rules (mg_stanza.h), compiled
 * once per configuration (mg_exfil_rules_load, owned by the config).  A
 * message gets a struct mg_exfil_scan: each piece of text is fed with the
 * place it came from (mg_exfil_scan_text); the scan counts occurrences per
 * rule and stops examining text past max_text bytes (truncated).  The
 * matched text is never kept: only counts and places.
 *
 * Normalisation: NFKC and case folding for labels and keywords, white
 * space removed on both sides (kept as one space between two ASCII letters
 * or digits); a spelling that starts or ends with an ASCII
 * letter or digit matches only at a letter/digit boundary.  Regular
 * expressions see NFKC text with white space kept.  A regular expression
 * that fails on a text (PCRE2's match limit) counts as a hit.
 */
#ifndef MG_EXFIL_H
#define MG_EXFIL_H

#include <glib.h>
#include <json-glib/json-glib.h>

enum mg_exfil_kind { MG_EXFIL_LABEL = 0, MG_EXFIL_KEYWORD, MG_EXFIL_REGEX, MG_EXFIL_MYNUMBER };
/* In increasing strength: the strongest action of the rules that hit wins. */
enum mg_exfil_action { MG_EXFIL_NONE = -1, MG_EXFIL_LOG = 0, MG_EXFIL_ALERT, MG_EXFIL_HOLD, MG_EXFIL_REJECT };
enum mg_exfil_where {
	MG_EXW_SUBJECT = 1 << 0,
	MG_EXW_BODY = 1 << 1,
	MG_EXW_ATT_NAME = 1 << 2,
	MG_EXW_ATT_TEXT = 1 << 3,
	MG_EXW_ALL = 0xf
};

struct mg_exfil_rule {
	enum mg_exfil_kind kind;
	char *name;           /* UTF-8, from [KIND NAME] */
	char *id;             /* ASCII */
	int action;           /* enum mg_exfil_action */
	guint min;            /* occurrences for a hit */
	guint where;          /* enum mg_exfil_where bits */
	GPtrArray *spellings; /* char*, normalised (label, keyword) */
	GPtrArray *regexes;   /* GRegex* (regex) */
	char *origin;         /* "file:line" of the head */
};

struct mg_exfil_rules {
	GPtrArray *rules; /* struct mg_exfil_rule* */
};

/* Compile the rule files (NULL-terminated list of paths; NULL or empty: no
 * rules).  Errors name file:line.  Caller frees with mg_exfil_rules_free. */
struct mg_exfil_rules *mg_exfil_rules_load(char **files, GError **err);
/* The same from text (tests). */
struct mg_exfil_rules *mg_exfil_rules_parse(const char *name, const char *text, GError **err);
void mg_exfil_rules_free(struct mg_exfil_rules *r);
const char *mg_exfil_action_name(int action);
const char *mg_exfil_kind_name(enum mg_exfil_kind k);

struct mg_exfil_scan;
struct mg_exfil_scan *mg_exfil_scan_new(const struct mg_exfil_rules *rules, gsize max_text);
void mg_exfil_scan_free(struct mg_exfil_scan *s);
/* Examine one piece of UTF-8 text (invalid sequences are replaced) found
 * at `where`.  Returns FALSE once max_text is used up (the piece was cut). */
gboolean mg_exfil_scan_text(struct mg_exfil_scan *s, enum mg_exfil_where where, const char *text, gsize len);
/* Room left for text (bytes), for callers that extract text lazily. */
gsize mg_exfil_scan_room(const struct mg_exfil_scan *s);
/* Occurrences counted for rule i, and whether it hit (>= min). */
guint mg_exfil_scan_count(const struct mg_exfil_scan *s, guint i);
gboolean mg_exfil_scan_hit(const struct mg_exfil_scan *s, guint i);
/* The strongest action of the rules that hit (MG_EXFIL_NONE: no hit);
 * *rule gets the first rule with that action. */
int mg_exfil_scan_action(const struct mg_exfil_scan *s, const struct mg_exfil_rule **rule);
/* TRUE when a label rule named `label` hit. */
gboolean mg_exfil_scan_has_label(const struct mg_exfil_scan *s, const char *label);
/* The report section: {"action", "truncated", "labels", "hits": [...]}; NULL
 * when nothing hit and nothing was cut.  Caller unrefs. */
JsonObject *mg_exfil_scan_report(const struct mg_exfil_scan *s);

/* The text of an attachment (exfil_text.c): text files through the charset
 * converter, OOXML/ODF document text and properties, ZIP member names (as
 * attachment names) and, one level down, members that are documents or
 * text.  Bounded by the scan's room and these limits. */
struct mg_exfil_text_limits {
	guint entries_max;   /* ZIP members looked at, all levels */
	gsize part_max;      /* bytes read from one member */
	const char *charset; /* declared charset of a text attachment, or NULL */
};
void mg_exfil_attachment(struct mg_exfil_scan *s, const guint8 *data, gsize len, const char *declared_type,
			 const struct mg_exfil_text_limits *lim);

/* Case folded, white space removed except one space between two ASCII
 * letters or digits: the form labels, keywords and text are compared in
 * (after NFKC).  Caller frees. */
char *mg_exfil_fold(const char *nfkc);

/* --- the individual-number detector (mynumber.c) --- */
/* TRUE when the 12 ASCII digits end in the check digit of the official
 * formula (施行令 第8条). */
gboolean mg_mynumber_valid(const char *digits12);
/* Count the valid numbers in NFKC text (12 digits, or 4+4+4 separated by
 * one space or hyphen, not part of a longer digit group); distinct ones
 * are added to `seen` (char* keys it owns, at most `cap`). */
guint mg_mynumber_scan(const char *text, gsize len, GHashTable *seen, guint cap);

#endif
