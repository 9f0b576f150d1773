/*
 * metrics.c - see mg_metrics.h.  Fixed arrays of C11 atomic counters; the
 * latency histogram is cumulative-by-render (each observation increments
 * one bucket, the renderer sums them up as Prometheus wants).  Tempfail
 * causes live in a fixed table of interned names filled by compare-and-swap,
 * so counting stays lock-free.
 */
#include "config.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "mg_metrics.h"

#define N_CAUSES 32

/* Upper bounds of the processing-time buckets, in seconds. */
static const double bucket_le[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
#define N_BUCKETS G_N_ELEMENTS(bucket_le)

static atomic_uint_fast64_t messages[MG_MV_N][MG_MD_N];
static atomic_uint_fast64_t parts[MG_MA_N];
static atomic_uint_fast64_t scans[MG_MS_N];
static atomic_uint_fast64_t latency_bucket[N_BUCKETS + 1]; /* the last one: +Inf */
static atomic_uint_fast64_t latency_sum_us;
static const char *_Atomic cause_name[N_CAUSES];
static atomic_uint_fast64_t cause_count[N_CAUSES];
static atomic_uint_fast64_t cause_other;

static const char *const verdict_label[] = {"accept", "reject", "tempfail"};
static const char *const direction_label[] = {"inbound", "outbound", "internal", "transit"};
static const char *const action_label[] = {"kept", "converted", "rebuilt", "removed"};
static const char *const scan_label[] = {"clean", "infected", "unscannable", "error"};

void mg_metrics_message(enum mg_metric_verdict v, enum mg_metric_direction d, gint64 elapsed_us)
{
	if ((unsigned)v >= MG_MV_N || (unsigned)d >= MG_MD_N)
		return;
	atomic_fetch_add_explicit(&messages[v][d], 1, memory_order_relaxed);
	if (elapsed_us < 0)
		elapsed_us = 0;
	gsize b = 0;
	while (b < N_BUCKETS && (double)elapsed_us / 1e6 > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&latency_bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, (uint_fast64_t)elapsed_us, memory_order_relaxed);
}

void mg_metrics_parts(enum mg_metric_action a, guint n)
{
	if ((unsigned)a < MG_MA_N && n)
		atomic_fetch_add_explicit(&parts[a], n, memory_order_relaxed);
}

void mg_metrics_scan(enum mg_metric_scan r)
{
	if ((unsigned)r < MG_MS_N)
		atomic_fetch_add_explicit(&scans[r], 1, memory_order_relaxed);
}

/* The cause as a label value: [A-Za-z0-9_.-] only, at most 64 bytes. */
static const char *cause_label(const char *cause)
{
	char buf[65];
	gsize n = 0;
	for (const char *p = cause && *cause ? cause : "unknown"; *p && n < sizeof buf - 1; p++)
		buf[n++] = g_ascii_isalnum(*p) || *p == '_' || *p == '.' || *p == '-' ? *p : '_';
	buf[n] = '\0';
	return g_intern_string(buf);
}

void mg_metrics_tempfail(const char *cause)
{
	const char *name = cause_label(cause);
	for (gsize i = 0; i < N_CAUSES; i++) {
		const char *cur = atomic_load_explicit(&cause_name[i], memory_order_acquire);
		if (!cur) {
			const char *expected = NULL;
			if (!atomic_compare_exchange_strong(&cause_name[i], &expected, name))
				cur = expected; /* another thread took the slot first */
			else
				cur = name;
		}
		if (cur == name) {
			atomic_fetch_add_explicit(&cause_count[i], 1, memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&cause_other, 1, memory_order_relaxed);
}

uint64_t mg_metrics_messages(enum mg_metric_verdict v)
{
	uint64_t n = 0;
	for (int d = 0; (unsigned)v < MG_MV_N && d < MG_MD_N; d++)
		n += atomic_load_explicit(&messages[v][d], memory_order_relaxed);
	return n;
}

static uint64_t get(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void render_head(GString *s, const char *name, const char *type, const char *help)
{
	g_string_append_printf(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_messages(GString *s)
{
	render_head(s, "mugaika_messages_total", "counter", "Messages ended, by verdict and direction.");
	for (int v = 0; v < MG_MV_N; v++)
		for (int d = 0; d < MG_MD_N; d++)
			g_string_append_printf(s,
					       "mugaika_messages_total{verdict=\"%s\",direction=\"%s\"} %" PRIu64 "\n",
					       verdict_label[v], direction_label[d], get(&messages[v][d]));
	render_head(s, "mugaika_parts_total", "counter", "MIME parts ended, by action.");
	for (int a = 0; a < MG_MA_N; a++)
		g_string_append_printf(s, "mugaika_parts_total{action=\"%s\"} %" PRIu64 "\n", action_label[a],
				       get(&parts[a]));
	render_head(s, "mugaika_scans_total", "counter", "libclamav scans, by result.");
	for (int r = 0; r < MG_MS_N; r++)
		g_string_append_printf(s, "mugaika_scans_total{result=\"%s\"} %" PRIu64 "\n", scan_label[r],
				       get(&scans[r]));
}

static void render_latency(GString *s)
{
	uint64_t cum = 0;
	render_head(s, "mugaika_message_duration_seconds", "histogram",
		    "Processing time of a message, from its first command to its verdict.");
	for (gsize b = 0; b <= N_BUCKETS; b++) {
		cum += get(&latency_bucket[b]);
		if (b < N_BUCKETS)
			g_string_append_printf(s, "mugaika_message_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
					       bucket_le[b], cum);
		else
			g_string_append_printf(s, "mugaika_message_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
					       cum);
	}
	g_string_append_printf(s, "mugaika_message_duration_seconds_sum %.6f\n", (double)get(&latency_sum_us) / 1e6);
	g_string_append_printf(s, "mugaika_message_duration_seconds_count %" PRIu64 "\n", cum);
}

static void render_tempfails(GString *s)
{
	render_head(s, "mugaika_tempfails_total", "counter", "Temporary failures (4xx) given, by cause.");
	for (gsize i = 0; i < N_CAUSES; i++) {
		const char *name = atomic_load_explicit(&cause_name[i], memory_order_acquire);
		if (name) /* cause_label: nothing to escape */
			g_string_append_printf(s, "mugaika_tempfails_total{cause=\"%s\"} %" PRIu64 "\n", name,
					       get(&cause_count[i]));
	}
	g_string_append_printf(s, "mugaika_tempfails_total{cause=\"other\"} %" PRIu64 "\n", get(&cause_other));
}

static void render_gauges(GString *s, const struct mg_metrics_gauges *g)
{
	render_head(s, "mugaika_engine_loaded", "gauge", "1 when a ClamAV engine with signatures is loaded.");
	g_string_append_printf(s, "mugaika_engine_loaded %d\n", g->engine_loaded ? 1 : 0);
	render_head(s, "mugaika_signatures", "gauge", "Signatures in the loaded ClamAV engine.");
	g_string_append_printf(s, "mugaika_signatures %u\n", g->signatures);
	if (g->signature_age >= 0) {
		render_head(s, "mugaika_signature_age_seconds", "gauge", "Age of the loaded signature database.");
		g_string_append_printf(s, "mugaika_signature_age_seconds %" G_GINT64_FORMAT "\n", g->signature_age);
	}
	if (g->sessions >= 0) {
		render_head(s, "mugaika_sessions", "gauge", "SMTP sessions open with the milter.");
		g_string_append_printf(s, "mugaika_sessions %d\n", g->sessions);
	}
}

char *mg_metrics_render(const struct mg_metrics_gauges *g)
{
	GString *s = g_string_sized_new(4096);
	render_messages(s);
	render_latency(s);
	render_tempfails(s);
	if (g)
		render_gauges(s, g);
	return g_string_free(s, FALSE);
}
