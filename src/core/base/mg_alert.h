/*
 * mg_alert - security events routed to the people who must know (issue 17;
 * REQUIREMENTS F42, F50).  The base layer: any module, any thread, may call
 * mg_alert_emit(); nothing here calls up into a stage.
 *
 * Contract:
 *  - mg_alert_emit() never blocks on delivery and never fails the caller.
 *    It logs one line at once (syslog facility mail, or stderr with -f),
 *    then hands the alert to a worker thread that applies the routes
 *    (alert_route), the rate limit (alert_interval), and delivers: a mail
 *    to each role's addresses through alert_smtp_host (a listener without
 *    the milter), and/or the exec hook (alert_exec).  A full queue
 *    (alert_queue_max) drops the delivery, never the log line, and counts
 *    the drop.
 *  - Before mg_alert_configure() (unit tests, early start) an alert is only
 *    logged.  Front ends call mg_alert_configure() at every configuration
 *    load and reload; mg_alert_flush() before a short-lived process exits
 *    and at daemon stop.
 *  - Event names are lower-case words joined by '-', stable: routes, burst
 *    rules, the audit log and the monthly report use them.  The list below
 *    is the catalogue (docs/alerts.md); add a name there when you add one.
 *  - The text is one line of plain language for a human (Japanese or
 *    English); put the queue id in it when the alert concerns one message.
 *    No message content beyond sender, recipients, subject and file names.
 */
#ifndef MG_ALERT_H
#define MG_ALERT_H

#include <glib.h>
#include <json-glib/json-glib.h>

struct mg_config;

enum mg_alert_severity {
	MG_ALERT_INFO = 0, /* counted and logged; routed only when a route names the event */
	MG_ALERT_NOTICE,
	MG_ALERT_WARNING,
	MG_ALERT_ERROR,
	MG_ALERT_CRITICAL,
};

/* The catalogue (docs/alerts.md says who raises each and at what severity). */
#define MG_ALERT_VIRUS              "virus"                 /* inbound detection */
#define MG_ALERT_VIRUS_OUTBOUND     "virus-outbound"        /* infected mail from inside */
#define MG_ALERT_SIGNATURES_STALE   "signatures-stale"      /* db older than scan_db_warn_age / max_age */
#define MG_ALERT_SIGNATURES_FAILED  "signatures-failed"     /* a database failed to load */
#define MG_ALERT_SCAN_FAILURE       "scan-failure"          /* a scan could not run (issue 11) */
#define MG_ALERT_STORE_FAILURE      "store-failure"         /* spool or quarantine unusable */
#define MG_ALERT_AUDIT_FAILURE      "audit-failure"         /* record not written, or the log was damaged */
#define MG_ALERT_AUDIT_FORWARD      "audit-forward-failed"  /* remote syslog copy lost */
#define MG_ALERT_RELAY_ATTEMPT      "relay-attempt"         /* info; bursts via alert_burst */
#define MG_ALERT_OUTBREAK           "outbreak"              /* internal spam / rate guard (issue 16) */
#define MG_ALERT_EXFILTRATION       "exfiltration"          /* outbound content rule hit (issue 16) */
#define MG_ALERT_STOP_SWITCH        "stop-switch"           /* mail stopped or started (issue 16) */
#define MG_ALERT_FORBIDDEN_DEST     "forbidden-destination" /* mail to a forbidden destination refused (issue 16) */
#define MG_ALERT_SELFTEST_FAILED    "selftest-failed"
#define MG_ALERT_CLOCK_UNSYNCED     "clock-unsynchronized"
#define MG_ALERT_CONFIG_REFUSED     "config-refused"           /* a reload was refused */
#define MG_ALERT_CONFIG_CHANGED     "config-changed"           /* a configuration file changed on load */
#define MG_ALERT_BINARY_CHANGED     "binary-changed"           /* an executable differs from the start */
#define MG_ALERT_PERMIT_EXPIRED     "permit-expired"           /* an exception/permit passed its expiry */
#define MG_ALERT_EXC_REPORT_OVERDUE "exception-report-overdue" /* an emergency exception's post-report is late */

void mg_alert_emit(const char *event, enum mg_alert_severity sev, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Use the roles, routes, burst rules and transports of cfg from now on
 * (cfg->alert, compiled when it was loaded; alerts already queued keep the
 * routes they were queued with) and start the delivery thread.  Front ends
 * call it at every configuration load and reload. */
void mg_alert_configure(const struct mg_config *cfg);

/* The configuration's part (registered by pipeline/stages.c): the syntax
 * of one alert_role / alert_route / alert_burst line, and the compiled
 * table (cfg->alert) with its cross-checks (a route to an unknown role, a
 * mail route without alert_smtp_host, exec without alert_exec). */
gboolean mg_alert_check_role(const char *value, char **why);
gboolean mg_alert_check_route(const char *value, char **why);
gboolean mg_alert_check_burst(const char *value, char **why);
gboolean mg_alert_config_finish(struct mg_config *cfg, GError **err);
void mg_alert_config_release(struct mg_config *cfg);

/* Every routed alert is also handed to this sink as an audit record
 * (type "alert", docs/audit-format.md); the store registers it.  NULL
 * removes it.  Called from the worker thread. */
typedef void (*mg_alert_sink_fn)(JsonObject *rec, gpointer data);
void mg_alert_set_sink(mg_alert_sink_fn fn, gpointer data);

/* ---- acts (alert_act.c) ----
 * An administrative act the process did by itself, not a person (the
 * outbreak guard stopping a sender or all outbound mail): the admin log
 * must hold it as it holds `mugaika stop`.  mg_alert_act hands the command,
 * who did it (`by`, e.g. "mugaika-milter") and {<details>, by, origin} to
 * the act sink in the caller's thread; the store registers one that appends
 * an "admin" record to admin_audit_log (user = by).  Without a sink (unit
 * tests, a command) the act is only logged.  It raises no alert: the caller
 * raises its own with mg_alert_emit.  FALSE when the sink could not record
 * it (logged by the sink). */
typedef gboolean (*mg_alert_act_fn)(const char *command, const char *by, JsonObject *details, gpointer data);
void mg_alert_set_act_sink(mg_alert_act_fn fn, gpointer data);
gboolean mg_alert_act(const char *command, const char *by, const char *origin, JsonObject *details);

/* Wait up to timeout_us for the queue to drain (mails sent, hooks run). */
void mg_alert_flush(gint64 timeout_us);
/* Stop the worker (after mg_alert_flush); emit still logs afterwards. */
void mg_alert_shutdown(void);

const char *mg_alert_severity_name(enum mg_alert_severity sev);
gboolean mg_alert_severity_parse(const char *s, enum mg_alert_severity *out);

#endif
