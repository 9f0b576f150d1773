/* test_metrics - the monitoring counters (issue 14): what is counted shows
 * up in the Prometheus text, the histogram is cumulative, tempfail causes
 * are safe label values and bounded in number, counting from many threads
 * loses nothing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mg_metrics.h"

static gboolean has_line(const char *text, const char *line)
{
	char *want = g_strdup_printf("\n%s\n", line);
	char *hay = g_strdup_printf("\n%s", text);
	gboolean ok = strstr(hay, want) != NULL;
	g_free(want);
	g_free(hay);
	return ok;
}

#define assert_line(text, line)                                                                                        \
	do {                                                                                                           \
		if (!has_line(text, line))                                                                             \
			fail_msg("no line '%s' in:\n%s", line, text);                                                  \
	} while (0)

static gpointer count_many(gpointer unused)
{
	for (int i = 0; i < 10000; i++)
		mg_metrics_scan(MG_MS_CLEAN);
	return NULL;
}

/* One test: the counters are process-wide, so the expectations build on
 * each other in this order. */
static void test_counters(void **state)
{
	mg_metrics_message(MG_MV_ACCEPT, MG_MD_INBOUND, 20 * 1000);   /* 0.02 s */
	mg_metrics_message(MG_MV_ACCEPT, MG_MD_INBOUND, 3000 * 1000); /* 3 s */
	mg_metrics_message(MG_MV_TEMPFAIL, MG_MD_OUTBOUND, 400 * 1000);
	mg_metrics_message(MG_MV_N, MG_MD_INBOUND, 1); /* out of range: ignored */
	mg_metrics_parts(MG_MA_REMOVED, 3);
	mg_metrics_tempfail("scan-db-too-old");
	mg_metrics_tempfail("scan-db-too-old");
	mg_metrics_tempfail("bad\"label}\nx");
	GThread *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("count", count_many, NULL);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	struct mg_metrics_gauges g = {TRUE, 7200, 42, 3};
	char *text = mg_metrics_render(&g);
	assert_line(text, "mugaika_messages_total{verdict=\"accept\",direction=\"inbound\"} 2");
	assert_line(text, "mugaika_messages_total{verdict=\"tempfail\",direction=\"outbound\"} 1");
	assert_line(text, "mugaika_messages_total{verdict=\"reject\",direction=\"inbound\"} 0");
	assert_line(text, "mugaika_parts_total{action=\"removed\"} 3");
	assert_line(text, "mugaika_scans_total{result=\"clean\"} 40000");
	assert_line(text, "mugaika_message_duration_seconds_bucket{le=\"0.01\"} 0");
	assert_line(text, "mugaika_message_duration_seconds_bucket{le=\"0.025\"} 1");
	assert_line(text, "mugaika_message_duration_seconds_bucket{le=\"0.5\"} 2");
	assert_line(text, "mugaika_message_duration_seconds_bucket{le=\"5\"} 3");
	assert_line(text, "mugaika_message_duration_seconds_bucket{le=\"+Inf\"} 3");
	assert_line(text, "mugaika_message_duration_seconds_count 3");
	assert_line(text, "mugaika_message_duration_seconds_sum 3.420000");
	assert_line(text, "mugaika_tempfails_total{cause=\"scan-db-too-old\"} 2");
	assert_line(text, "mugaika_tempfails_total{cause=\"bad_label__x\"} 1");
	assert_line(text, "mugaika_engine_loaded 1");
	assert_line(text, "mugaika_signature_age_seconds 7200");
	assert_line(text, "mugaika_sessions 3");
	assert_int_equal(mg_metrics_messages(MG_MV_ACCEPT), 2);
	g_free(text);
	/* causes past the table's size are counted as "other" */
	for (int i = 0; i < 40; i++) {
		char name[16];
		g_snprintf(name, sizeof name, "cause%d", i);
		mg_metrics_tempfail(name);
	}
	text = mg_metrics_render(NULL);
	assert_line(text, "mugaika_tempfails_total{cause=\"cause0\"} 1");
	assert_line(text, "mugaika_tempfails_total{cause=\"other\"} 10");
	assert_null(strstr(text, "mugaika_engine_loaded"));
	g_free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
