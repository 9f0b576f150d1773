/* test_report - the JSON report of a message. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_report.h"
#include "testutil.h"
#include "mg_pipeline.h"

static void test_report_json(void **state)
{
	struct mg_report *r = mg_report_new();
	mg_verdict_set(&r->verdict, MG_VERDICT_REJECT, "550", "5.7.1", "virus", "Virus %s found", "Eicar");
	struct mg_part_report *p = mg_report_add_part(r, "2.1");
	p->filename = g_strdup("請求書.docm");
	p->declared_type = g_strdup("application/octet-stream");
	p->size = 42;
	p->action = MG_ACTION_REBUILT;
	mg_part_report_removed(p, "VBA macro project");
	p->new_size = 40;
	p->new_sha256 = g_strdup("ab");
	mg_report_event(r, "signature-removed");
	json_object_set_string_member(r->extra, "scan", "engine 1.0");
	char *s = mg_report_to_json_string(r, FALSE);
	JsonParser *jp = json_parser_new();
	assert_true(json_parser_load_from_data(jp, s, -1, NULL));
	JsonObject *o = json_node_get_object(json_parser_get_root(jp));
	assert_string_equal(json_object_get_string_member(o, "verdict"), "reject");
	assert_string_equal(json_object_get_string_member(o, "smtp_code"), "550");
	assert_string_equal(json_object_get_string_member(o, "enhanced_code"), "5.7.1");
	assert_string_equal(json_object_get_string_member(o, "reason"), "Virus Eicar found");
	assert_string_equal(json_object_get_string_member(o, "scan"), "engine 1.0");
	JsonObject *p0 = json_array_get_object_element(json_object_get_array_member(o, "parts"), 0);
	assert_string_equal(json_object_get_string_member(p0, "path"), "2.1");
	assert_string_equal(json_object_get_string_member(p0, "filename"), "請求書.docm");
	assert_string_equal(json_object_get_string_member(p0, "action"), "rebuilt");
	assert_int_equal(json_object_get_int_member(p0, "size"), 42);
	assert_int_equal(json_object_get_int_member(p0, "new_size"), 40);
	assert_string_equal(json_array_get_string_element(json_object_get_array_member(p0, "removed"), 0),
			    "VBA macro project");
	assert_true(json_object_get_null_member(p0, "detected_type"));
	g_object_unref(jp);
	g_free(s);
	mg_report_free(r);
}

/* Counting per action drives the headers and the log summary. */
static void test_report_count(void **state)
{
	struct mg_report *r = mg_report_new();
	enum mg_action acts[] = {MG_ACTION_KEPT, MG_ACTION_REMOVED, MG_ACTION_REMOVED, MG_ACTION_REBUILT};
	for (gsize i = 0; i < G_N_ELEMENTS(acts); i++)
		mg_report_add_part(r, "1")->action = acts[i];
	int c[4];
	mg_report_count(r, c);
	assert_int_equal(c[MG_ACTION_KEPT], 1);
	assert_int_equal(c[MG_ACTION_CONVERTED], 0);
	assert_int_equal(c[MG_ACTION_REBUILT], 1);
	assert_int_equal(c[MG_ACTION_REMOVED], 2);
	mg_report_free(r);
}

/* Through the pipeline: one part record per leaf, with sha256 of the
 * decoded content and the decoded filename. */
static void test_report_from_pipeline(void **state)
{
	const char *msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nabc\n"
			  "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment;\n"
			  " filename*=UTF-8''%E8%AB%8B%E6%B1%82.bin\nContent-Transfer-Encoding: base64\n\n"
			  "YWJj\n--b--\n";
	struct mg_config *cfg = tu_config("");
	struct mg_conn *c;
	struct mg_txn *t = tu_run(cfg, msg, strlen(msg), 0, &c);
	const struct mg_report *r = mg_txn_report(t);
	assert_int_equal(r->parts->len, 2);
	const struct mg_part_report *p = r->parts->pdata[1];
	assert_string_equal(p->path, "2");
	assert_string_equal(p->filename, "請求.bin");
	assert_int_equal(p->size, 3);
	/* sha256("abc") */
	assert_string_equal(p->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mg_txn_free(t);
	mg_conn_free(c);
	mg_config_unref(cfg);
}

int main(void)
{
	mg_pipeline_global_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_count),
		cmocka_unit_test(test_report_from_pipeline),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mg_pipeline_global_shutdown();
	return rc;
}
