/*
 * test_exfil.c - issue 16 item 5 (F24): the individual-number check digit
 * against the vectors of tests/unit/mynumber-vectors.txt (an independent
 * Python implementation wrote them), the number scanner's formats, the
 * rule files (every error names file:line), the matching rules (NFKC, case,
 * white space, letter/digit boundaries, one count per stretch of text),
 * regular expressions (a match-limit failure counts as a hit), the text
 * budget, the strongest action, the label query and the report section
 * (which never holds the matched text).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mg_exfil.h"
#include "mg_pipeline.h"

static void test_mynumber_vectors(void **state)
{
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	char *path = g_build_filename(top, "tests", "unit", "mynumber-vectors.txt", NULL);
	char *text = NULL;
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	char **lines = g_strsplit(text, "\n", -1);
	guint valid = 0, invalid = 0;
	for (guint i = 0; lines[i]; i++) {
		char **f = g_strsplit(lines[i], " ", 3);
		if (lines[i][0] != '#' && f[0] && f[1]) {
			gboolean want = strcmp(f[1], "valid") == 0;
			if (mg_mynumber_valid(f[0]) != want)
				fail_msg("%s: got %s want %s (%s)", f[0], want ? "invalid" : "valid", f[1],
					 f[2] ? f[2] : "");
			want ? valid++ : invalid++;
		}
		g_strfreev(f);
	}
	assert_true(valid >= 20 && invalid >= 20); /* the file was read */
	g_strfreev(lines);
	g_free(text);
	g_free(path);
}

static void test_mynumber_scan(void **state)
{
	static const struct {
		const char *text;
		guint want;
	} rows[] = {
		{"123456789018", 1},        {"番号は1234 5678 9018です", 1},     {"1234-5678-9018", 1},
		{"123456789010", 0},        /* wrong check digit */
		{"1234567890185", 0},       /* 13 digits */
		{"91234-5678-9018", 0},     /* longer first group */
		{"1234-5678-9018-3456", 0}, /* head of a 16-digit card number */
		{"0000-1234-5678-9018", 0}, /* tail of a longer group */
		{"1234 5678-9018", 0},      /* mixed separators */
		{"1234  5678 9018", 0},     /* two spaces */
		{"12345678 9018", 0},       /* a separator only once */
		{"No.123456789018,", 1},    {"123456789018 と 111111111118", 2}, {"", 0},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		guint got = mg_mynumber_scan(rows[i].text, strlen(rows[i].text), NULL, 0);
		if (got != rows[i].want)
			fail_msg("'%s': got %u want %u", rows[i].text, got, rows[i].want);
	}
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *t = "123456789018 1234-5678-9018 111111111118";
	assert_int_equal(mg_mynumber_scan(t, strlen(t), seen, 10), 3);
	assert_int_equal(g_hash_table_size(seen), 2); /* distinct */
	g_hash_table_destroy(seen);
}

struct rule_err_row {
	const char *name, *text, *want;
};

static const struct rule_err_row rule_errs[] = {
	{"no-head", "match = x\n", "r.rules:1: match: key before the first [HEAD]"},
	{"bad-kind", "[lable X]\nmatch = x\n", "r.rules:1: [lable X] expected [label NAME]"},
	{"no-name", "[label]\nmatch = x\n", "r.rules:1: [label] expected"},
	{"no-match", "\n[keyword K]\naction = log\n", "r.rules:2: [keyword K] match: missing"},
	{"bad-action", "[label L]\nmatch = x\naction = block\n",
	 "r.rules:3: [label L] action: 'block' is not allowed; allowed: log|alert|hold|reject"},
	{"bad-min", "[label L]\nmatch = x\nmin = 0\n", "r.rules:3: [label L] min: '0' is out of range"},
	{"bad-where", "[label L]\nmatch = x\nwhere = body, footer\n",
	 "r.rules:3: [label L] where: 'body, footer' is not allowed"},
	{"twice", "[label L]\nmatch = x\naction = log\naction = hold\n",
	 "r.rules:4: [label L] action: set twice (first on line 3)"},
	{"unknown-key", "[label L]\nmatch = x\ncolour = red\n", "r.rules:3: [label L] colour: unknown key"},
	{"bad-regex", "[regex R]\nmatch = (unclosed\n",
	 "r.rules:2: [regex R] match: '(unclosed' is not a regular expression"},
	{"mynumber-match", "[mynumber N]\nmatch = 1\n", "r.rules:2: [mynumber N] match: unknown key"},
	{"dup-label", "[label L]\nmatch = x\n[label L]\nmatch = y\n",
	 "r.rules:3: [label L] label 'L' is also defined at r.rules:1"},
	{"dup-id", "[label L]\nid = a\nmatch = x\n[keyword K]\nid = a\nmatch = y\n",
	 "r.rules:5: [keyword K] id: 'a' is also the id"},
	{"bad-id", "[label L]\nid = 機密\nmatch = x\n", "r.rules:2: [label L] id: '機密' is not allowed"},
	{"empty-spelling", "[label L]\nmatch =   \n", "r.rules:2: [label L] match: empty spelling"},
	{"not-utf8", "[label L]\nmatch = \xff\n", "r.rules: not UTF-8 text"},
	{"bad-line", "[label L]\njust words\n", "r.rules:2: expected [HEAD] or key = value"},
};

static void test_rule_errors(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rule_errs); i++) {
		GError *err = NULL;
		struct mg_exfil_rules *r = mg_exfil_rules_parse("r.rules", rule_errs[i].text, &err);
		if (r || !err || !strstr(err->message, rule_errs[i].want))
			fail_msg("%s: got '%s' want '%s'", rule_errs[i].name, err ? err->message : "success",
				 rule_errs[i].want);
		mg_exfil_rules_free(r);
		g_clear_error(&err);
	}
}

/* Occurrences of rule 0 of `rules` in `text` (body). */
static guint count_in(const char *rules, const char *text)
{
	GError *err = NULL;
	struct mg_exfil_rules *r = mg_exfil_rules_parse("t.rules", rules, &err);
	if (!r)
		fail_msg("%s", err->message);
	struct mg_exfil_scan *s = mg_exfil_scan_new(r, 1 << 20);
	mg_exfil_scan_text(s, MG_EXW_BODY, text, strlen(text));
	guint n = mg_exfil_scan_count(s, 0);
	mg_exfil_scan_free(s);
	mg_exfil_rules_free(r);
	return n;
}

static void test_matching(void **state)
{
	static const struct {
		const char *rules, *text;
		guint want;
	} rows[] = {
		{"[label A]\nmatch = 機密性2\n", "これは機密性２の資料", 1},   /* full-width digit */
		{"[label A]\nmatch = 機密性2\n", "機密性\n 2 です", 1},        /* across a line break */
		{"[label A]\nmatch = 機密性2\n", "機密性20", 0},               /* digit boundary */
		{"[label A]\nmatch = 機密性区分Ⅰ\n", "機密性区分Ⅱ", 0},        /* I vs II after NFKC */
		{"[label A]\nmatch = 機密性区分Ⅰ\n", "機密性区分I の文書", 1}, /* ASCII I meets Ⅰ */
		{"[label A]\nmatch = 自治体機密性3\n", "自治体機密性3A", 0},   /* 3 vs 3A */
		{"[label A]\nmatch = 自治体機密性3A\nmatch = 機密性3A\n", "自治体機密性3A", 1}, /* one stretch */
		{"[label A]\nmatch = Confidential\n", "CONFIDENTIAL and confidential", 2},      /* case folded */
		{"[label A]\nmatch = Confidential\n", "Unconfidential", 0},
		{"[label A]\nmatch = top secret\n", "TOP\n   SECRET", 1}, /* one space between words */
		{"[label A]\nmatch = top secret\n", "TOPSECRET", 0},
		{"[mynumber N]\n", "ID 12 123456789018", 1}, /* plain form after a number */
		{"[keyword K]\nmatch = ｷﾐﾂ\n", "キミツ", 1}, /* half-width kana */
		{"[keyword K]\nmatch = 本籍\nmatch = 生年月日\n", "本籍 生年月日 本籍", 3},
		{"[regex R]\nmatch = [0-9]{3}-[0-9]{4}\n", "〒１２３−４５６７ and 987-6543",
		 1}, /* NFKC digits; U+2212 stays */
		{"[regex R]\nmatch = (?i)secret\n", "Secret SECRET", 2},
		{"[regex R]\nmatch = 口座\\s+[0-9]{7}\n", "口座 1234567", 1}, /* white space kept for regex */
		{"[mynumber N]\n", "１２３４５６７８９０１８", 1},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		guint got = count_in(rows[i].rules, rows[i].text);
		if (got != rows[i].want)
			fail_msg("row %zu (%s in '%s'): got %u want %u", i, rows[i].rules, rows[i].text, got,
				 rows[i].want);
	}
}

static void test_regex_limit_hits(void **state)
{
	char *aaa = g_strnfill(60, 'a');
	char *text = g_strconcat(aaa, "b", NULL);
	struct mg_exfil_rules *r = mg_exfil_rules_parse("t.rules", "[regex Slow]\nmatch = (a+)+$\nmin = 3\n", NULL);
	assert_non_null(r);
	struct mg_exfil_scan *s = mg_exfil_scan_new(r, 1 << 20);
	mg_exfil_scan_text(s, MG_EXW_BODY, text, strlen(text));
	assert_true(mg_exfil_scan_hit(s, 0)); /* could not be evaluated: counts as a hit */
	JsonObject *o = mg_exfil_scan_report(s);
	assert_non_null(o);
	assert_true(json_object_get_boolean_member(o, "regex_limit"));
	json_object_unref(o);
	mg_exfil_scan_free(s);
	mg_exfil_rules_free(r);
	g_free(aaa);
	g_free(text);
}

static const char *const RULES = "[label 機密性2]\nid = c2\nmatch = 機密性2\n\n"
				 "[label 取扱注意]\nid = care\naction = alert\nmatch = 取扱注意\nwhere = subject\n\n"
				 "[keyword 個人情報]\nid = pd\naction = hold\nmin = 2\nmatch = 本籍\n\n"
				 "[mynumber 個人番号]\nid = mn\naction = reject\nwhere = attachment-text\n";

static void test_actions_and_report(void **state)
{
	struct mg_exfil_rules *r = mg_exfil_rules_parse("t.rules", RULES, NULL);
	assert_non_null(r);
	struct mg_exfil_scan *s = mg_exfil_scan_new(r, 1 << 20);
	const struct mg_exfil_rule *rule = NULL;
	assert_int_equal(mg_exfil_scan_action(s, &rule), MG_EXFIL_NONE);
	assert_null(mg_exfil_scan_report(s));
	mg_exfil_scan_text(s, MG_EXW_BODY, "取扱注意 本籍 123456789018", strlen("取扱注意 本籍 123456789018"));
	/* 取扱注意 is looked for in the subject only, 本籍 once < min 2, the number in attachments only */
	assert_int_equal(mg_exfil_scan_action(s, NULL), MG_EXFIL_NONE);
	mg_exfil_scan_text(s, MG_EXW_SUBJECT, "【取扱注意】機密性2 本籍", strlen("【取扱注意】機密性2 本籍"));
	assert_int_equal(mg_exfil_scan_action(s, &rule), MG_EXFIL_HOLD);
	assert_string_equal(rule->id, "pd");
	assert_true(mg_exfil_scan_has_label(s, "機密性2"));
	assert_true(mg_exfil_scan_has_label(s, "取扱注意"));
	assert_false(mg_exfil_scan_has_label(s, "機密性3"));
	mg_exfil_scan_text(s, MG_EXW_ATT_TEXT, "1234-5678-9018", 14);
	assert_int_equal(mg_exfil_scan_action(s, &rule), MG_EXFIL_REJECT);
	JsonObject *o = mg_exfil_scan_report(s);
	JsonNode *n = json_node_init_object(json_node_alloc(), o);
	char *js = json_to_string(n, FALSE);
	assert_non_null(strstr(js, "\"action\":\"reject\""));
	assert_non_null(strstr(js, "\"labels\":[\"機密性2\",\"取扱注意\"]"));
	assert_non_null(strstr(js, "{\"rule\":\"個人情報\",\"id\":\"pd\",\"kind\":\"keyword\",\"count\":2,\"where\":["
				   "\"subject\",\"body\"],\"action\":\"hold\"}"));
	assert_null(strstr(js, "9018")); /* the matched text is never recorded */
	g_free(js);
	json_node_unref(n);
	json_object_unref(o);
	mg_exfil_scan_free(s);
	mg_exfil_rules_free(r);
}

static void test_budget(void **state)
{
	struct mg_exfil_rules *r = mg_exfil_rules_parse("t.rules", "[label L]\nmatch = 極秘\n", NULL);
	struct mg_exfil_scan *s = mg_exfil_scan_new(r, 12); /* four 3-byte characters */
	assert_true(mg_exfil_scan_text(s, MG_EXW_BODY, "あ", 3));
	assert_false(mg_exfil_scan_text(s, MG_EXW_BODY, "いう極秘", strlen("いう極秘")));
	assert_false(mg_exfil_scan_hit(s, 0)); /* 極秘 was past the budget, cut at a character */
	assert_int_equal(mg_exfil_scan_room(s), 0);
	JsonObject *o = mg_exfil_scan_report(s);
	assert_non_null(o);
	assert_true(json_object_get_boolean_member(o, "truncated"));
	json_object_unref(o);
	mg_exfil_scan_free(s);
	mg_exfil_rules_free(r);
}

static void test_shipped_rules(void **state)
{
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	char *files[3] = {g_build_filename(top, "conf", "exfil-labels.rules", NULL),
			  g_build_filename(top, "conf", "exfil-dictionary.rules", NULL), NULL};
	GError *err = NULL;
	struct mg_exfil_rules *r = mg_exfil_rules_load(files, &err);
	if (!r)
		fail_msg("shipped rule files: %s", err->message);
	assert_true(r->rules->len >= 8);
	mg_exfil_rules_free(r);
	g_free(files[0]);
	g_free(files[1]);
}

int main(void)
{
	mg_pipeline_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mynumber_vectors), cmocka_unit_test(test_mynumber_scan),
		cmocka_unit_test(test_rule_errors),      cmocka_unit_test(test_matching),
		cmocka_unit_test(test_regex_limit_hits), cmocka_unit_test(test_actions_and_report),
		cmocka_unit_test(test_budget),           cmocka_unit_test(test_shipped_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
