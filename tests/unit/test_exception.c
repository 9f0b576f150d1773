/*
 * test_exception.c - issue 16 item 9 (F10, F48): the exception registry's
 * stanzas (every error names file:line; requester = approver refused),
 * dates (expired and not yet granted entries load with a warning and never
 * match), matching per type and scope, each use recorded once per message,
 * the review (status, uses, the count of entries needing attention) and the
 * legacy permit-forward.list read as auto-forward entries.  The type
 * emergency-profile (F31): its profile, emergency = yes and post_report_due
 * required, matching and expiry, the review and the overdue warning.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "mg_json.h"
#include "mg_exception.h"
#include "mg_pipeline.h"

#define E_OK(id, type, scope)                                                                                                \
	"[" id "]\ntype = " type "\n" scope "requested_by = 企画課 山田\napproved_by = CISO補佐 佐藤\nreason = r\n" \
	"granted = 2026-11-01\nexpires = 2027-03-31\n"

static void today_is(GDate *d, int y, int m, int day)
{
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)day, (GDateMonth)m, (GDateYear)y);
}

static const struct {
	const char *name, *text, *want;
} err_rows[] = {
	{"no-type", "[A]\nrequested_by = a\n", "x.conf:1: [A] type: missing"},
	{"bad-type", "[A]\ntype = bypass\n", "x.conf:2: [A] type: 'bypass' is not allowed; allowed: sanitize-bypass|"},
	{"bad-id", "[A B]\ntype = bcc-exempt\n", "x.conf:1: [A B] 'A B' is not an id"},
	{"same-person",
	 "[A]\ntype = bcc-exempt\nsender = a@city.example.lg.jp\nrequested_by = 山田 太郎\napproved_by = "
	 "山田太郎\nreason = r\ngranted = 2026-11-01\nexpires = 2027-01-01\n",
	 "x.conf:5: [A] approved_by: '山田太郎' also requested it"},
	{"no-scope",
	 "[A]\ntype = sanitize-bypass\nsender = @a.example\nrequested_by = x\napproved_by = y\nreason = r\ngranted = "
	 "2026-11-01\nexpires = 2027-01-01\n",
	 "x.conf:1: [A] filetype: missing; type sanitize-bypass needs it"},
	{"size-no-party",
	 "[A]\ntype = size-raise\nsize = 50M\nrequested_by = x\napproved_by = y\nreason = r\ngranted = "
	 "2026-11-01\nexpires = 2027-01-01\n",
	 "x.conf:1: [A] type size-raise needs a sender or a recipient"},
	{"bad-size",
	 "[A]\ntype = size-raise\nsender = @a.example\nsize = 3G\nrequested_by = x\napproved_by = y\nreason = "
	 "r\ngranted = 2026-11-01\nexpires = 2027-01-01\n",
	 "x.conf:4: [A] size: '3G' is out of range"},
	{"foreign-key", "[A]\ntype = bcc-exempt\nsender = @a.example\nfiletype = text/plain\n",
	 "x.conf:4: [A] filetype: unknown key"},
	{"bad-sender", E_OK("A", "bcc-exempt", "sender = tanaka\n"),
	 "x.conf:3: [A] sender: 'tanaka' is not an address"},
	{"bad-date",
	 E_OK("A", "bcc-exempt",
	      "sender = @a.example\n") "[B]\ntype = bcc-exempt\nsender = @a.example\nrequested_by = x\napproved_by = "
				       "y\nreason = r\ngranted = 2026-11-31\nexpires = 2027-01-01\n",
	 "x.conf:15: [B] granted: '2026-11-31' is not a date"},
	{"backwards",
	 "[A]\ntype = bcc-exempt\nsender = @a.example\nrequested_by = x\napproved_by = y\nreason = r\ngranted = "
	 "2027-02-01\nexpires = 2027-01-01\n",
	 "x.conf:8: [A] expires: before granted"},
	{"emergency-no-due",
	 "[A]\ntype = bcc-exempt\nsender = @a.example\nrequested_by = x\napproved_by = y\nreason = r\ngranted = "
	 "2026-11-01\nexpires = 2027-01-01\nemergency = yes\n",
	 "x.conf:1: [A] post_report_due: missing"},
	{"dup-id", E_OK("A", "bcc-exempt", "sender = @a.example\n") E_OK("A", "bcc-exempt", "sender = @b.example\n"),
	 "x.conf:9: [A] id given twice (first at x.conf:1)"},
	{"emergency-profile-no-profile",
	 "[A]\ntype = emergency-profile\nrequested_by = x\napproved_by = y\nreason = r\ngranted = "
	 "2026-11-01\nexpires = 2026-12-10\nemergency = yes\npost_report_due = 2026-12-17\n",
	 "x.conf:1: [A] profile: missing; type emergency-profile needs it"},
	{"emergency-profile-bad-profile",
	 "[A]\ntype = emergency-profile\nprofile = pass-through\nrequested_by = x\napproved_by = y\nreason = "
	 "r\ngranted = 2026-11-01\nexpires = 2026-12-10\nemergency = yes\npost_report_due = 2026-12-17\n",
	 "x.conf:3: [A] profile: 'pass-through' is not allowed; allowed: body-only|cdr-fallback"},
	{"emergency-profile-no-emergency",
	 "[A]\ntype = emergency-profile\nprofile = body-only\nrequested_by = x\napproved_by = y\nreason = "
	 "r\ngranted = 2026-11-01\nexpires = 2026-12-10\npost_report_due = 2026-12-17\n",
	 "x.conf:1: [A] emergency: missing; type emergency-profile needs it"},
	{"emergency-profile-emergency-no",
	 "[A]\ntype = emergency-profile\nprofile = body-only\nrequested_by = x\napproved_by = y\nreason = "
	 "r\ngranted = 2026-11-01\nexpires = 2026-12-10\nemergency = no\npost_report_due = 2026-12-17\n",
	 "x.conf:9: [A] emergency: 'no' is not allowed; allowed: yes"},
	{"emergency-profile-no-due",
	 "[A]\ntype = emergency-profile\nprofile = cdr-fallback\nrequested_by = x\napproved_by = y\nreason = "
	 "r\ngranted = 2026-11-01\nexpires = 2026-12-10\nemergency = yes\n",
	 "x.conf:1: [A] post_report_due: missing; type emergency-profile needs it"},
	{"profile-on-other-type", "[A]\ntype = bcc-exempt\nsender = @a.example\nprofile = body-only\n",
	 "x.conf:4: [A] profile: unknown key"},
	{"emergency-profile-foreign-key",
	 "[A]\ntype = emergency-profile\nprofile = body-only\nfiletype = application/pdf\n",
	 "x.conf:4: [A] filetype: unknown key"},
	{"empty-reason",
	 "[A]\ntype = bcc-exempt\nsender = @a.example\nrequested_by = x\napproved_by = y\nreason =\ngranted = "
	 "2026-11-01\nexpires = 2027-01-01\n",
	 "x.conf:6: [A] reason: empty"},
};

static void test_errors(void **state)
{
	GDate today;
	today_is(&today, 2026, 12, 1);
	for (gsize i = 0; i < G_N_ELEMENTS(err_rows); i++) {
		GError *err = NULL;
		struct mg_exceptions *x = mg_exc_parse("x.conf", err_rows[i].text, &today, NULL, &err);
		if (x || !err || !strstr(err->message, err_rows[i].want))
			fail_msg("%s: got '%s' want '%s'", err_rows[i].name, err ? err->message : "success",
				 err_rows[i].want);
		mg_exc_free(x);
		g_clear_error(&err);
	}
}

static const char *const REGISTRY = E_OK(
	"SB-1", "sanitize-bypass",
	"sender = @pref.example.lg.jp\nrecipient = @kikaku.city.example.lg.jp\nfiletype = application/vnd.ms-excel*\n")
	E_OK("SR-1", "size-raise", "sender = @kensetsu.city.example.lg.jp\nsize = 50M\n") E_OK(
		"DP-1", "destination-permit",
		"sender = kouhou@city.example.lg.jp\nrecipient = @gmail.com\n") "[OLD-1]\ntype = bcc-exempt\nsender = "
										"@a.example\nrequested_by = "
										"x\napproved_by = y\nreason = "
										"r\ngranted = 2026-01-01\nexpires = "
										"2026-06-30\n"
										"[NEW-1]\ntype = bcc-exempt\nsender = "
										"@a.example\nrequested_by = "
										"x\napproved_by = y\nreason = "
										"r\ngranted = 2027-01-01\nexpires = "
										"2027-06-30\n"
										"[EM-1]\ntype = exfil-permit\nsender = "
										"@a.example\nrule = "
										"機密性2\nrequested_by = "
										"x\napproved_by = y\nreason = "
										"r\ngranted = 2026-11-20\nexpires = "
										"2027-06-30\nemergency = "
										"yes\npost_report_due = 2026-11-27\n";

static gboolean accept_type(const struct mg_exception *e, gconstpointer data)
{
	return g_pattern_match_simple(e->filetype, data);
}

static void test_find(void **state)
{
	GDate today, later;
	today_is(&today, 2026, 12, 1);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	struct mg_exceptions *x = mg_exc_parse("x.conf", REGISTRY, &today, warnings, &err);
	if (!x)
		fail_msg("%s", err->message);
	assert_int_equal(x->entries->len, 6);
	assert_int_equal(warnings->len, 3); /* OLD-1 expired, NEW-1 not yet granted, EM-1 report overdue */
	GPtrArray *rcpts = g_ptr_array_new();
	g_ptr_array_add(rcpts, "suzuki@kikaku.city.example.lg.jp");
	const struct mg_exception *e = mg_exc_find_msg(x, MG_EXC_SANITIZE_BYPASS, "a@pref.example.lg.jp", rcpts, &today,
						       accept_type, "application/vnd.ms-excel.sheet.macroenabled.12");
	assert_non_null(e);
	assert_string_equal(e->id, "SB-1");
	assert_null(mg_exc_find_msg(x, MG_EXC_SANITIZE_BYPASS, "a@pref.example.lg.jp", rcpts, &today, accept_type,
				    "application/x-dosexec"));
	g_ptr_array_add(rcpts, "other@soumu.city.example.lg.jp"); /* every recipient must be in scope */
	assert_null(mg_exc_find_msg(x, MG_EXC_SANITIZE_BYPASS, "a@pref.example.lg.jp", rcpts, &today, accept_type,
				    "application/vnd.ms-excel"));
	assert_non_null(
		mg_exc_find_rcpt(x, MG_EXC_DEST_PERMIT, "Kouhou@City.Example.LG.JP", "press@gmail.com", &today));
	assert_null(mg_exc_find_rcpt(x, MG_EXC_DEST_PERMIT, "taro@city.example.lg.jp", "press@gmail.com", &today));
	assert_null(mg_exc_find_rcpt(x, MG_EXC_DEST_PERMIT, "kouhou@city.example.lg.jp", "press@yahoo.co.jp", &today));
	assert_null(mg_exc_find_msg(x, MG_EXC_BCC_EXEMPT, "b@a.example", NULL, &today, NULL,
				    NULL)); /* OLD expired, NEW not yet */
	later = today;
	g_date_add_days(&later, 45); /* 2027-01-15 */
	assert_string_equal(mg_exc_find_msg(x, MG_EXC_BCC_EXEMPT, "b@a.example", NULL, &later, NULL, NULL)->id,
			    "NEW-1");
	today_is(&later, 2027, 4, 1); /* the day after SB-1 expires */
	g_ptr_array_set_size(rcpts, 1);
	assert_null(mg_exc_find_msg(x, MG_EXC_SANITIZE_BYPASS, "a@pref.example.lg.jp", rcpts, &later, accept_type,
				    "application/vnd.ms-excel"));
	g_ptr_array_unref(rcpts);
	g_ptr_array_unref(warnings);
	mg_exc_free(x);
}

static void test_used_and_review(void **state)
{
	GDate today;
	today_is(&today, 2026, 12, 1);
	struct mg_exceptions *x = mg_exc_parse("x.conf", REGISTRY, &today, NULL, NULL);
	assert_non_null(x);
	const struct mg_exception *dp =
		mg_exc_find_rcpt(x, MG_EXC_DEST_PERMIT, "kouhou@city.example.lg.jp", "p@gmail.com", &today);
	JsonObject *extra = json_object_new();
	guint64 before = mg_exc_use_count("DP-1");
	mg_exc_used("Q1", extra, dp, "destination <p@gmail.com>");
	mg_exc_used("Q1", extra, dp, "destination <p@gmail.com>"); /* once per message in the record */
	assert_int_equal(mg_exc_use_count("DP-1"), before + 1);
	assert_int_equal(json_array_get_length(json_object_get_array_member(extra, "exceptions")), 1);

	/* uses as `mugaika exceptions` counts them from the audit log */
	GHashTable *uses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	struct mg_exc_uses *u = g_new0(struct mg_exc_uses, 1);
	u->count = 2;
	u->last = "2026-11-30T10:00:00.000+09:00";
	g_hash_table_insert(uses, g_strdup("DP-1"), u);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	guint attention = mg_exc_review(out, x, &today, 14, uses, FALSE);
	fclose(out);
	assert_int_equal(attention, 2); /* OLD-1 expired, EM-1 report overdue */
	assert_non_null(strstr(buf, "DP-1             destination-permit active               2027-03-31      2  "
				    "2026-11-30T10:00:00.000+09:00"));
	assert_non_null(strstr(buf, "OLD-1            bcc-exempt         EXPIRED"));
	assert_non_null(strstr(buf, "NEW-1            bcc-exempt         not yet granted"));
	assert_non_null(strstr(buf, "EM-1             exfil-permit       post-report OVERDUE"));
	assert_non_null(strstr(buf, "requested by 企画課 山田, approved by CISO補佐 佐藤; granted 2026-11-01: r"));
	free(buf);
	g_hash_table_unref(uses);
	json_object_unref(extra);
	mg_exc_free(x);
}

/* F31: the emergency profiles; scope optional (empty = every message),
 * live from granted through expires, checked on the day of each use. */
#define EP(id, profile, scope, granted, expires, due)                                                                  \
	"[" id "]\ntype = emergency-profile\nprofile = " profile "\n" scope                                            \
	"requested_by = 情報政策課 田中\napproved_by = CISO補佐 佐藤\nreason = CDR 障害\ngranted = " granted           \
	"\nexpires = " expires "\nemergency = yes\npost_report_due = " due "\n"

static const char *const EMERGENCY =
	EP("EP-B", "body-only", "recipient = @kikaku.city.example.lg.jp\n", "2026-12-01", "2026-12-03", "2026-12-10")
		EP("EP-C", "cdr-fallback", "", "2026-12-01", "2026-12-02", "2026-12-02")
			EP("EP-OLD", "body-only", "", "2026-10-01", "2026-10-02", "2026-10-09");

static void test_emergency_profile(void **state)
{
	GDate today, later;
	today_is(&today, 2026, 12, 1);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	struct mg_exceptions *x = mg_exc_parse("x.conf", EMERGENCY, &today, warnings, &err);
	if (!x)
		fail_msg("%s", err->message);
	assert_int_equal(x->entries->len, 3);
	assert_int_equal(warnings->len, 1); /* EP-OLD expired */
	const struct mg_exception *b = x->entries->pdata[0], *c = x->entries->pdata[1];
	assert_int_equal(b->type, MG_EXC_EMERGENCY_PROFILE);
	assert_int_equal(b->profile, MG_EXC_PROFILE_BODY_ONLY);
	assert_int_equal(c->profile, MG_EXC_PROFILE_CDR_FALLBACK);
	assert_true(b->emergency && c->emergency);
	assert_string_equal(mg_exc_type_name(b->type), "emergency-profile");
	assert_string_equal(mg_exc_profile_name(c->profile), "cdr-fallback");

	GPtrArray *rcpts = g_ptr_array_new();
	g_ptr_array_add(rcpts, "a@kikaku.city.example.lg.jp");
	/* the first live one in scope: EP-B for kikaku, EP-C (no scope) for anyone */
	assert_ptr_equal(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &today, NULL, NULL), b);
	g_ptr_array_add(rcpts, "b@soumu.city.example.lg.jp");
	assert_ptr_equal(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &today, NULL, NULL), c);
	/* auto-expiring: the day after EP-C expires only EP-B is left, and
	 * not for soumu; after EP-B expires nothing */
	today_is(&later, 2026, 12, 3);
	assert_null(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &later, NULL, NULL));
	g_ptr_array_set_size(rcpts, 1);
	assert_ptr_equal(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &later, NULL, NULL), b);
	today_is(&later, 2026, 12, 4);
	assert_null(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &later, NULL, NULL));
	today_is(&later, 2026, 11, 30); /* not granted yet */
	assert_null(mg_exc_find_msg(x, MG_EXC_EMERGENCY_PROFILE, "x@example.net", rcpts, &later, NULL, NULL));
	g_ptr_array_unref(rcpts);

	/* the review on 12-03: EP-C's post-report overdue (and it expired) */
	today_is(&later, 2026, 12, 3);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	guint attention = mg_exc_review(out, x, &later, 14, NULL, FALSE);
	fclose(out);
	assert_int_equal(attention, 2); /* EP-C, EP-OLD */
	assert_non_null(strstr(buf, "EP-B             emergency-profile  expires in 0 days"));
	assert_non_null(strstr(buf, "scope: sender any; recipient @kikaku.city.example.lg.jp; profile body-only "
				    "(inbound sanitization)"));
	assert_non_null(strstr(buf, "EP-C             emergency-profile  EXPIRED"));
	free(buf);
	mg_exc_free(x);

	/* a load on a day the report is overdue warns, as for other emergency entries */
	g_ptr_array_set_size(warnings, 0);
	today_is(&later, 2026, 12, 2);
	x = mg_exc_parse("x.conf", EP("EP-D", "cdr-fallback", "", "2026-12-01", "2026-12-09", "2026-12-01"), &later,
			 warnings, &err);
	assert_non_null(x);
	assert_int_equal(warnings->len, 1);
	assert_non_null(strstr(warnings->pdata[0], "emergency exception EP-D: the report to the CISO was due"));
	out = open_memstream(&buf, &len);
	assert_int_equal(mg_exc_review(out, x, &later, 14, NULL, TRUE), 1);
	fclose(out);
	assert_non_null(strstr(buf, "\"status\" : \"post-report OVERDUE\""));
	free(buf);
	mg_exc_free(x);
	g_ptr_array_unref(warnings);
}

/* What the registry asks of its keepers (the daemon's alerts at load):
 * an overdue post-report until post_reported is set, an expiry of the
 * last 7 days; older expiries are the ledger's history. */
static void test_attention(void **state)
{
	GDate today;
	today_is(&today, 2026, 12, 20);
	GError *err = NULL;
	struct mg_exceptions *x = mg_exc_parse(
		"x.conf",
		EP("EP-LATE", "body-only", "", "2026-12-01", "2026-12-31", "2026-12-05")
			EP("EP-DONE", "body-only", "", "2026-12-01", "2026-12-31",
			   "2026-12-05") "post_reported = 2026-12-04\n" EP("EP-RECENT", "body-only", "", "2026-12-01",
									   "2026-12-16", "2026-12-30")
				EP("EP-OLD", "body-only", "", "2026-10-01", "2026-10-02", "2026-12-30"),
		&today, NULL, &err);
	if (!x)
		fail_msg("%s", err->message);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free), *events = g_ptr_array_new();
	mg_exc_attention(x, &today, 7, lines, events);
	for (guint i = 0; i < lines->len; i++)
		print_message("%s: %s\n", (const char *)events->pdata[i], (const char *)lines->pdata[i]);
	assert_int_equal(lines->len, 2);
	assert_string_equal(events->pdata[0], "exception-report-overdue");
	assert_non_null(strstr(lines->pdata[0], "EP-LATE"));
	assert_non_null(strstr(lines->pdata[0], "was due 2026-12-05"));
	assert_string_equal(events->pdata[1], "permit-expired");
	assert_non_null(strstr(lines->pdata[1], "EP-RECENT (emergency-profile) expired on 2026-12-16"));
	/* the review agrees: EP-DONE is not overdue, and says when it was reported */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	mg_exc_review(out, x, &today, 14, NULL, TRUE);
	fclose(out);
	assert_non_null(strstr(buf, "\"post_reported\" : \"2026-12-04\""));
	assert_int_equal(g_strrstr(buf, "post-report OVERDUE") - strstr(buf, "post-report OVERDUE"), 0); /* once */
	free(buf);
	g_ptr_array_unref(lines);
	g_ptr_array_unref(events);
	mg_exc_free(x);
}

static void test_legacy_permits(void **state)
{
	char *dir = g_dir_make_tmp("mgexc-XXXXXX", NULL), *p = g_build_filename(dir, "permit.list", NULL);
	assert_true(g_file_set_contents(p, "FWD-1 taro@city.example.lg.jp t@example.net kacho 2020-01-31 old trip\n",
					-1, NULL));
	GDate today;
	today_is(&today, 2026, 12, 1);
	GError *err = NULL;
	struct mg_exceptions *x = mg_exc_load(NULL, p, &today, NULL, &err); /* review: expired lines are listed */
	if (!x)
		fail_msg("%s", err->message);
	assert_int_equal(x->entries->len, 1);
	const struct mg_exception *e = x->entries->pdata[0];
	assert_int_equal(e->type, MG_EXC_AUTO_FORWARD);
	assert_true(e->legacy);
	assert_string_equal(e->approved_by, "kacho");
	assert_null(e->requested_by);
	assert_false(mg_exc_live(e, &today));
	mg_exc_free(x);
	g_unlink(p);
	g_rmdir(dir);
	g_free(p);
	g_free(dir);
}

static void test_shipped_example(void **state)
{
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	char *p = g_build_filename(top, "conf", "exceptions.conf", NULL), *text = NULL;
	assert_true(g_file_get_contents(p, &text, NULL, NULL));
	GError *err = NULL;
	struct mg_exceptions *x = mg_exc_parse(p, text, NULL, NULL, &err);
	if (!x)
		fail_msg("%s", err->message);
	assert_int_equal(x->entries->len, 0); /* examples are commented out */
	/* and uncommented they load: "#[ID]" and "#key = value" lines */
	GString *g = g_string_new(NULL);
	char **lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++)
		if (g_str_has_prefix(lines[i], "#[") ||
		    (lines[i][0] == '#' && g_ascii_islower(lines[i][1]) && strstr(lines[i], " = ")))
			g_string_append_printf(g, "%s\n", lines[i] + 1);
	g_strfreev(lines);
	GDate today;
	today_is(&today, 2026, 12, 1);
	mg_exc_free(x);
	x = mg_exc_parse("uncommented", g->str, &today, NULL, &err);
	if (!x)
		fail_msg("%s\n%s", err->message, g->str);
	assert_int_equal(x->entries->len, 4);
	mg_exc_free(x);
	g_string_free(g, TRUE);
	g_free(text);
	g_free(p);
}

int main(void)
{
	mg_pipeline_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),          cmocka_unit_test(test_find),
		cmocka_unit_test(test_used_and_review), cmocka_unit_test(test_legacy_permits),
		cmocka_unit_test(test_shipped_example), cmocka_unit_test(test_emergency_profile),
		cmocka_unit_test(test_attention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
