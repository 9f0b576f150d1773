/*
 * mg_metrics - process-wide counters for monitoring (issue 14): messages
 * by verdict and direction, MIME parts by action, scan results, processing
 * time, temporary failures by cause.
 *
 * Contract: the stages and the step sequence count (mg_metrics_*), the
 * front ends read (mg_metrics_render: the Prometheus text format, served by
 * the daemon's optional metrics endpoint and summed up in its status file).
 * Counting is lock-free (C11 atomics) and never fails or allocates, so it
 * may be called from any thread, in any state.  The numbering of the
 * label enums below is this module's own; the callers map their enums to
 * it.  Counters only grow (a reload does not reset them); they start at
 * zero when the process starts.  Gauges that another module knows (the
 * signature age, whether an engine is loaded) are passed to the renderer.
 */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <glib.h>
#include <stdint.h>

enum mg_metric_verdict { MG_MV_ACCEPT = 0, MG_MV_REJECT, MG_MV_TEMPFAIL, MG_MV_N };
enum mg_metric_direction { MG_MD_INBOUND = 0, MG_MD_OUTBOUND, MG_MD_INTERNAL, MG_MD_TRANSIT, MG_MD_N };
enum mg_metric_action { MG_MA_KEPT = 0, MG_MA_CONVERTED, MG_MA_REBUILT, MG_MA_REMOVED, MG_MA_N };
enum mg_metric_scan { MG_MS_CLEAN = 0, MG_MS_INFECTED, MG_MS_UNSCANNABLE, MG_MS_ERROR, MG_MS_N };

/* One message ended: its verdict, direction and processing time. */
void mg_metrics_message(enum mg_metric_verdict v, enum mg_metric_direction d, gint64 elapsed_us);
/* n MIME parts ended with this action. */
void mg_metrics_parts(enum mg_metric_action a, guint n);
/* One libclamav scan ended with this result. */
void mg_metrics_scan(enum mg_metric_scan r);
/* One temporary failure, by cause (a rule name such as "internal-error",
 * "scan-db-too-old"; a string of static storage or interned).  Causes past
 * the first 32 different ones are counted as "other". */
void mg_metrics_tempfail(const char *cause);

/* What only the caller knows at render time. */
struct mg_metrics_gauges {
	gboolean engine_loaded;
	gint64 signature_age; /* seconds, -1 unknown */
	guint signatures;
	int sessions; /* SMTP sessions open, -1 unknown */
};

/* The counters and the gauges in the Prometheus text exposition format
 * (version 0.0.4).  Caller frees. */
char *mg_metrics_render(const struct mg_metrics_gauges *g);
/* Messages counted so far, by verdict (all directions), for a status line. */
uint64_t mg_metrics_messages(enum mg_metric_verdict v);

#endif
