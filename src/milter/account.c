/*
 * account.c - the daemon's accountability (issue 17), called by main.c at
 * start, reload and stop so that main.c keeps its startup order readable:
 *   mg_milter_account_init     as root, before the socket: log_timezone,
 *                              audit keys (made when missing), alerts;
 *   mg_milter_account_started  after privileges are dropped: start records,
 *                              hashes of the binaries, the configuration's
 *                              load record, the clock check thread;
 *   mg_milter_account_reloaded / _refused   one admin record per SIGHUP,
 *                              naming the sender of the signal;
 *   mg_milter_account_stop     seal the logs, stop the threads.
 * The clock check runs at start and every clock_check_interval seconds;
 * the binaries are hashed again at the same interval.
 */
#include "config.h"

#include <unistd.h>

#include "mg_account.h"
#include "mg_alert.h"
#include "mg_clock.h"
#include "mg_account.h"
#include "mg_audit.h"
#include "mg_guard.h"
#include "mg_log.h"
#include "milter.h"

static GMutex lock;
static GCond wake;
static gboolean stopping;
static GThread *clock_thread;
static struct mg_config *in_force; /* for the clock thread and the stop */
static int clock_state = -1;       /* -1 unknown, 0 unsynchronised, 1 synchronised */

gboolean mg_milter_account_init(const struct mg_config *cfg, GError **err)
{
	return mg_account_apply(cfg, MG_ACCOUNT_DAEMON, err);
}

static void clock_record(const struct mg_config *cfg, const struct mg_clock_sync *s)
{
	JsonObject *o = json_object_new();
	char *now = mg_clock_iso(g_get_real_time());
	GError *err = NULL;
	json_object_set_string_member(o, "type", "clock");
	json_object_set_string_member(o, "time", now);
	json_object_set_string_member(o, "host", mg_clock_hostname());
	json_object_set_boolean_member(o, "synchronized", s->synchronized);
	json_object_set_string_member(o, "source", "adjtimex");
	json_object_set_int_member(o, "maxerror_us", s->maxerror_us);
	json_object_set_int_member(o, "esterror_us", s->esterror_us);
	json_object_set_int_member(o, "offset_us", s->offset_us);
	json_object_set_string_member(o, "status", s->flags);
	if (*cfg->audit_log && !mg_audit_append(cfg->audit_log, o, &err)) {
		mg_err(NULL, "clock record not written: %s", err->message);
		g_error_free(err);
	}
	json_object_unref(o);
	g_free(now);
}

/* Check once; log, alert and record when the state changes (warn again while unsynchronised). */
static void clock_check(const struct mg_config *cfg)
{
	struct mg_clock_sync s;
	mg_clock_sync_read(&s);
	char *d = mg_clock_sync_describe(&s);
	int state = s.synchronized ? 1 : 0;
	if (!s.synchronized) {
		mg_warn(NULL, "clock check: system clock %s", d);
		mg_alert_emit(MG_ALERT_CLOCK_UNSYNCED, MG_ALERT_WARNING, "system clock %s on %s", d,
			      mg_clock_hostname());
	} else if (clock_state != 1)
		mg_info(NULL, "clock check: system clock %s", d);
	if (state != clock_state)
		clock_record(cfg, &s);
	clock_state = state;
	g_free(d);
}

static gpointer clock_main(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&lock);
	while (!stopping) {
		gint64 every = in_force ? in_force->clock_check_interval : 0;
		gint64 until = g_get_monotonic_time() + (every > 0 ? every : 3600) * G_USEC_PER_SEC;
		if (g_cond_wait_until(&wake, &lock, until) || stopping || every <= 0)
			continue;
		struct mg_config *cfg = mg_config_ref(in_force);
		g_mutex_unlock(&lock);
		clock_check(cfg);
		mg_account_binaries_check(cfg); /* F45: an executable changed under the running daemon */
		mg_config_unref(cfg);
		g_mutex_lock(&lock);
	}
	g_mutex_unlock(&lock);
	return NULL;
}

static void set_in_force(struct mg_config *cfg)
{
	g_mutex_lock(&lock);
	struct mg_config *old = in_force;
	in_force = mg_config_ref(cfg);
	g_cond_broadcast(&wake);
	g_mutex_unlock(&lock);
	if (old)
		mg_config_unref(old);
}

void mg_milter_account_started(struct mg_config *cfg, const char *conf_path)
{
	struct mg_operator op;
	mg_operator_self(&op);
	set_in_force(cfg);
	mg_account_daemon_start(cfg, PACKAGE_VERSION);
	mg_guard_registry_alerts(cfg); /* R18.2: overdue post-reports, expiries */
	mg_account_config_event(cfg, cfg, conf_path, "config-load", &op, "ok", TRUE);
	mg_operator_clear(&op);
	clock_check(cfg);
	stopping = FALSE;
	clock_thread = g_thread_new("mg-clock", clock_main, NULL);
}

void mg_milter_account_reloaded(struct mg_config *cfg, const char *conf_path, pid_t sender, uid_t sender_uid)
{
	struct mg_operator op;
	GError *err = NULL;
	mg_operator_of_pid(&op, sender, sender_uid);
	if (!mg_account_apply(cfg, MG_ACCOUNT_DAEMON | MG_ACCOUNT_RELOAD, &err)) {
		mg_err(NULL, "after the reload: %s", err->message);
		g_clear_error(&err);
	}
	set_in_force(cfg);
	mg_guard_registry_alerts(cfg); /* R18.2: overdue post-reports, expiries */
	if (mg_account_config_event(cfg, cfg, conf_path, "config-reload", &op, "ok", TRUE))
		mg_alert_emit(MG_ALERT_CONFIG_CHANGED, MG_ALERT_NOTICE,
			      "configuration %s reloaded with changes by %s "
			      "(diff in the admin log)",
			      conf_path ? conf_path : "(defaults)", op.user);
	mg_operator_clear(&op);
}

void mg_milter_account_refused(const char *conf_path, const char *why, pid_t sender, uid_t sender_uid)
{
	struct mg_operator op;
	mg_operator_of_pid(&op, sender, sender_uid);
	g_mutex_lock(&lock);
	struct mg_config *cfg = in_force ? mg_config_ref(in_force) : NULL;
	g_mutex_unlock(&lock);
	if (cfg) {
		char *result = g_strdup_printf("refused: %s", why);
		mg_account_config_event(cfg, NULL, conf_path, "config-refused", &op, result, FALSE);
		g_free(result);
		mg_config_unref(cfg);
	}
	mg_alert_emit(MG_ALERT_CONFIG_REFUSED, MG_ALERT_ERROR, "reload of %s by %s refused: %s",
		      conf_path ? conf_path : "(defaults)", op.user, why);
	mg_operator_clear(&op);
}

void mg_milter_account_stop(void)
{
	g_mutex_lock(&lock);
	stopping = TRUE;
	g_cond_broadcast(&wake);
	struct mg_config *cfg = g_steal_pointer(&in_force);
	g_mutex_unlock(&lock);
	if (clock_thread)
		g_thread_join(clock_thread);
	clock_thread = NULL;
	if (cfg) {
		mg_account_daemon_stop(cfg);
		mg_config_unref(cfg);
	}
}
