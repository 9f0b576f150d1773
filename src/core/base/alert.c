/*
 * alert.c - see mg_alert.h and docs/alerts.md.
 *
 * emit (any thread): log the line, count bursts, queue the alert with the
 * routes in force.  The worker (one thread) matches the routes, applies the
 * rate limit per event and target, delivers (mail through mg_smtp, the exec
 * hook with a timeout) and hands one audit record to the sink.  The rate
 * table belongs to the worker alone; everything else shared is under `lock`.
 * The routes are compiled with the configuration (mg_alert_compile, called
 * by mg_config_finish) so a bad route fails the load with the key named.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mg_alert.h"
#include "mg_clock.h"
#include "mg_config.h"
#include "mg_config_table.h"
#include "mg_log.h"
#include "mg_smtp.h"

#define TEXT_MAX    2000
#define POP_WAIT_US (200 * 1000)

struct role {
	char *id, *name;
	char **addrs;
};

struct route {
	int min_sev; /* -1: by event */
	char *event; /* NULL: by severity; "*": every event */
	char **targets;
};

struct burst {
	char *event;
	guint count;
	gint64 window_us;
	enum mg_alert_severity sev;
};

struct mg_alert_conf {
	gint refs;
	GPtrArray *roles, *routes, *bursts;
	char *smtp_host, *from, *exec;
	guint exec_timeout_s, smtp_timeout_s, queue_max;
	gint64 interval_us;
};

struct item {
	char *event, *text;
	enum mg_alert_severity sev;
	gint64 time_us;
	struct mg_alert_conf *conf;
};

struct rate {
	gint64 sent_us;
	guint held;
};

static GMutex lock;
static GCond drained;
static struct mg_alert_conf *current;
static GAsyncQueue *queue;
static GThread *worker;
static gboolean stopping;
static guint pending;
static guint64 dropped;
static mg_alert_sink_fn sink_fn;
static gpointer sink_data;
static GHashTable *burst_times; /* event -> GQueue of gint64* (under lock) */
static GHashTable *rates;       /* worker: "event\ttarget" -> struct rate */

static const char *sev_names[] = {"info", "notice", "warning", "error", "critical"};

const char *mg_alert_severity_name(enum mg_alert_severity sev)
{
	return (unsigned)sev < G_N_ELEMENTS(sev_names) ? sev_names[sev] : "error";
}

gboolean mg_alert_severity_parse(const char *s, enum mg_alert_severity *out)
{
	for (gsize i = 0; s && i < G_N_ELEMENTS(sev_names); i++)
		if (strcmp(s, sev_names[i]) == 0) {
			*out = (enum mg_alert_severity)i;
			return TRUE;
		}
	return FALSE;
}

/* ---- the configuration: syntax per line (option checks), then compile ---- */

static gboolean word_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_islower(*s) && !g_ascii_isdigit(*s) && *s != '-')
			return FALSE;
	return TRUE;
}

static char **words(const char *s, const char *seps)
{
	char **all = g_strsplit_set(s, seps, -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **p = all; *p; p++)
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	g_ptr_array_add(out, NULL);
	g_strfreev(all);
	return (char **)g_ptr_array_free(out, FALSE);
}

static void role_free(gpointer p)
{
	struct role *r = p;
	g_free(r->id);
	g_free(r->name);
	g_strfreev(r->addrs);
	g_free(r);
}

/* "ID | display name | addr[, addr...]" */
static struct role *role_parse(const char *v)
{
	char **f = g_strsplit(v, "|", 3);
	struct role *r = g_new0(struct role, 1);
	if (g_strv_length(f) == 3) {
		r->id = g_strdup(g_strstrip(f[0]));
		r->name = g_strdup(g_strstrip(f[1]));
		r->addrs = words(f[2], ", \t");
	}
	g_strfreev(f);
	gboolean ok = r->id && word_ok(r->id) && *r->name && r->addrs[0];
	for (guint i = 0; ok && r->addrs[i]; i++)
		ok = strchr(r->addrs[i], '@') && !strpbrk(r->addrs[i], "<>\"");
	if (!ok)
		g_clear_pointer(&r, role_free);
	return r;
}

gboolean mg_alert_check_role(const char *value, char **why)
{
	struct role *r = role_parse(value);
	if (r) {
		role_free(r);
		return TRUE;
	}
	*why = g_strdup_printf("'%s' is not a role; allowed: ID | display name | address[, address...] "
			       "(ID of a-z, 0-9 and -)",
			       value);
	return FALSE;
}

static void route_free(gpointer p)
{
	struct route *r = p;
	g_free(r->event);
	g_strfreev(r->targets);
	g_free(r);
}

static gboolean target_ok(const char *t)
{
	return strcmp(t, "syslog") == 0 || strcmp(t, "exec") == 0 || (g_str_has_prefix(t, "mail:") && word_ok(t + 5));
}

/* "SELECTOR TARGET..." */
static struct route *route_parse(const char *v)
{
	char **w = words(v, " \t");
	struct route *r = g_new0(struct route, 1);
	enum mg_alert_severity sev;
	gboolean ok = w[0] && w[1];
	if (ok && mg_alert_severity_parse(w[0], &sev))
		r->min_sev = (int)sev;
	else if (ok && (strcmp(w[0], "*") == 0 || word_ok(w[0]))) {
		r->min_sev = -1;
		r->event = g_strdup(w[0]);
	} else
		ok = FALSE;
	for (guint i = 1; ok && w[i]; i++)
		ok = target_ok(w[i]);
	if (ok)
		r->targets = g_strdupv(w + 1);
	g_strfreev(w);
	if (!ok)
		g_clear_pointer(&r, route_free);
	return r;
}

gboolean mg_alert_check_route(const char *value, char **why)
{
	struct route *r = route_parse(value);
	if (r) {
		route_free(r);
		return TRUE;
	}
	*why = g_strdup_printf("'%s' is not a route; allowed: SELECTOR TARGET... with SELECTOR a severity (info, "
			       "notice, warning, error, critical: that and above), an event name or *, and TARGET "
			       "syslog, exec or mail:ROLE",
			       value);
	return FALSE;
}

static void burst_free(gpointer p)
{
	struct burst *b = p;
	g_free(b->event);
	g_free(b);
}

/* "EVENT COUNT WINDOW SEVERITY" */
static struct burst *burst_parse(const char *v)
{
	char **w = words(v, " \t");
	struct burst *b = g_new0(struct burst, 1);
	gint64 count = 0, window = 0;
	gboolean ok = g_strv_length(w) == 4 && word_ok(w[0]) && mg_parse_number(MG_OPT_INT, w[1], &count) &&
		      count >= 2 && count <= 100000 && mg_parse_number(MG_OPT_TIME, w[2], &window) && window >= 1 &&
		      window <= 7 * 86400 && mg_alert_severity_parse(w[3], &b->sev);
	if (ok) {
		b->event = g_strdup(w[0]);
		b->count = (guint)count;
		b->window_us = window * G_USEC_PER_SEC;
	}
	g_strfreev(w);
	if (!ok)
		g_clear_pointer(&b, burst_free);
	return b;
}

gboolean mg_alert_check_burst(const char *value, char **why)
{
	struct burst *b = burst_parse(value);
	if (b) {
		burst_free(b);
		return TRUE;
	}
	*why = g_strdup_printf("'%s' is not a burst rule; allowed: EVENT COUNT WINDOW SEVERITY, e.g. "
			       "\"relay-attempt 20 10m warning\" (COUNT 2 to 100000, WINDOW up to 7d)",
			       value);
	return FALSE;
}

static struct role *role_find(const struct mg_alert_conf *c, const char *id)
{
	for (guint i = 0; i < c->roles->len; i++)
		if (strcmp(((struct role *)c->roles->pdata[i])->id, id) == 0)
			return c->roles->pdata[i];
	return NULL;
}

static void conf_unref(struct mg_alert_conf *c)
{
	if (!c || !g_atomic_int_dec_and_test(&c->refs))
		return;
	g_ptr_array_unref(c->roles);
	g_ptr_array_unref(c->routes);
	g_ptr_array_unref(c->bursts);
	g_free(c->smtp_host);
	g_free(c->from);
	g_free(c->exec);
	g_free(c);
}

static struct mg_alert_conf *conf_ref(struct mg_alert_conf *c)
{
	g_atomic_int_inc(&c->refs);
	return c;
}

static gboolean conf_cross_check(const struct mg_config *cfg, struct mg_alert_conf *c, GError **err)
{
	for (guint i = 0; i < c->routes->len; i++) {
		const struct route *r = c->routes->pdata[i];
		for (guint j = 0; r->targets[j]; j++) {
			const char *t = r->targets[j];
			const char *why = g_str_has_prefix(t, "mail:") && !role_find(c, t + 5) ? "names an unknown role"
					  : g_str_has_prefix(t, "mail:") && !*c->smtp_host ? "needs alert_smtp_host "
											     "(or release_smtp_host)"
					  : strcmp(t, "exec") == 0 && !*c->exec            ? "needs alert_exec"
											   : NULL;
			if (why) {
				g_set_error(err, MG_CONFIG_ERROR, 1, "%s: alert_route: target %s %s", cfg->path, t,
					    why);
				return FALSE;
			}
		}
	}
	return TRUE;
}

gboolean mg_alert_config_finish(struct mg_config *cfg, GError **err)
{
	struct mg_alert_conf *c = g_new0(struct mg_alert_conf, 1);
	c->refs = 1;
	c->roles = g_ptr_array_new_with_free_func(role_free);
	c->routes = g_ptr_array_new_with_free_func(route_free);
	c->bursts = g_ptr_array_new_with_free_func(burst_free);
	for (char **v = cfg->alert_role; v && *v; v++) {
		struct role *r = role_parse(*v);
		if (r && role_find(c, r->id)) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s: alert_role: %s is defined twice", cfg->path, r->id);
			role_free(r);
			conf_unref(c);
			return FALSE;
		}
		if (r)
			g_ptr_array_add(c->roles, r);
	}
	for (char **v = cfg->alert_route; v && *v; v++) {
		struct route *r = route_parse(*v);
		if (r)
			g_ptr_array_add(c->routes, r);
	}
	for (char **v = cfg->alert_burst; v && *v; v++) {
		struct burst *b = burst_parse(*v);
		if (b)
			g_ptr_array_add(c->bursts, b);
	}
	c->smtp_host = g_strdup(*cfg->alert_smtp_host ? cfg->alert_smtp_host : cfg->release_smtp_host);
	c->from = *cfg->alert_from ? g_strdup(cfg->alert_from) : g_strdup_printf("mugaika@%s", mg_clock_hostname());
	c->exec = g_strdup(cfg->alert_exec);
	c->exec_timeout_s = (guint)cfg->alert_exec_timeout;
	c->smtp_timeout_s = 30;
	c->interval_us = cfg->alert_interval * G_USEC_PER_SEC;
	c->queue_max = (guint)cfg->alert_queue_max;
	if (!conf_cross_check(cfg, c, err)) {
		conf_unref(c);
		return FALSE;
	}
	cfg->alert = c;
	return TRUE;
}

void mg_alert_config_release(struct mg_config *cfg)
{
	g_clear_pointer(&cfg->alert, conf_unref);
}

/* ---- emitting ---- */

static int log_level_of(enum mg_alert_severity sev)
{
	return sev >= MG_ALERT_ERROR ? MG_LOG_ERR : sev == MG_ALERT_WARNING ? MG_LOG_WARNING : MG_LOG_INFO;
}

static void item_free(struct item *it)
{
	g_free(it->event);
	g_free(it->text);
	conf_unref(it->conf);
	g_free(it);
}

static void queue_free(gpointer q)
{
	g_queue_free_full(q, g_free);
}

/* Under lock: does this event complete a burst?  Returns the burst rule. */
static const struct burst *burst_count(struct mg_alert_conf *c, const char *event, gint64 now)
{
	for (guint i = 0; c && i < c->bursts->len; i++) {
		const struct burst *b = c->bursts->pdata[i];
		if (strcmp(b->event, event) != 0)
			continue;
		if (!burst_times)
			burst_times = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, queue_free);
		GQueue *q = g_hash_table_lookup(burst_times, event);
		if (!q) {
			q = g_queue_new();
			g_hash_table_insert(burst_times, g_strdup(event), q);
		}
		g_queue_push_tail(q, g_memdup2(&now, sizeof now));
		while (g_queue_get_length(q) > b->count || now - *(gint64 *)g_queue_peek_head(q) > b->window_us)
			g_free(g_queue_pop_head(q));
		if (g_queue_get_length(q) < b->count)
			return NULL;
		while (!g_queue_is_empty(q)) /* one raise per full window of events */
			g_free(g_queue_pop_head(q));
		return b;
	}
	return NULL;
}

static void emit_text(const char *event, enum mg_alert_severity sev, char *text)
{
	gint64 now = g_get_real_time();
	mg_log(log_level_of(sev), NULL, "ALERT severity=%s event=%s: %s", mg_alert_severity_name(sev), event, text);
	g_mutex_lock(&lock);
	const struct burst *b = burst_count(current, event, now);
	char *burst_event = b ? g_strconcat(event, "-burst", NULL) : NULL;
	char *burst_text = b ? g_strdup_printf("%u %s events within %" G_GINT64_FORMAT " s (last: %s)", b->count, event,
					       b->window_us / G_USEC_PER_SEC, text)
			     : NULL;
	enum mg_alert_severity bsev = b ? b->sev : sev;
	if (current && worker && !stopping) {
		gint waiting = g_async_queue_length(queue); /* negative while the worker waits for one */
		if (waiting > 0 && (guint)waiting >= current->queue_max) {
			if (dropped++ % 100 == 0)
				mg_err(NULL,
				       "alert queue full (alert_queue_max %u): %" G_GUINT64_FORMAT
				       " alerts not delivered, only logged",
				       current->queue_max, dropped);
		} else {
			struct item *it = g_new0(struct item, 1);
			it->event = g_strdup(event);
			it->text = g_strdup(text);
			it->sev = sev;
			it->time_us = now;
			it->conf = conf_ref(current);
			pending++;
			g_async_queue_push(queue, it);
		}
	}
	g_mutex_unlock(&lock);
	g_free(text);
	if (burst_event)
		emit_text(burst_event, bsev, burst_text);
	g_free(burst_event);
}

void mg_alert_emit(const char *event, enum mg_alert_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (strlen(text) > TEXT_MAX)
		text[TEXT_MAX] = '\0';
	g_strdelimit(text, "\r\n", ' ');
	emit_text(event, sev, text);
}

/* ---- delivering (worker thread) ---- */

static gboolean route_matches(const struct route *r, const struct item *it)
{
	if (r->min_sev >= 0)
		return (int)it->sev >= r->min_sev;
	return strcmp(r->event, "*") == 0 || strcmp(r->event, it->event) == 0;
}

/* The distinct targets of every route that matches. */
static GPtrArray *targets_of(const struct item *it)
{
	GPtrArray *t = g_ptr_array_new();
	for (guint i = 0; i < it->conf->routes->len; i++) {
		const struct route *r = it->conf->routes->pdata[i];
		for (guint j = 0; route_matches(r, it) && r->targets[j]; j++)
			if (!g_ptr_array_find_with_equal_func(t, r->targets[j], g_str_equal, NULL))
				g_ptr_array_add(t, r->targets[j]);
	}
	return t;
}

/* TRUE when this event may go to this target now; *held gets how many
 * were held back since the last one sent. */
static gboolean rate_allow(const struct item *it, const char *target, guint *held)
{
	char *key = g_strconcat(it->event, "\t", target, NULL);
	struct rate *r = g_hash_table_lookup(rates, key);
	if (!r) {
		r = g_new0(struct rate, 1);
		g_hash_table_insert(rates, key, r);
	} else
		g_free(key);
	if (r->sent_us && it->time_us - r->sent_us < it->conf->interval_us) {
		r->held++;
		return FALSE;
	}
	*held = r->held;
	r->held = 0;
	r->sent_us = it->time_us;
	return TRUE;
}

static char *alert_body(const struct item *it, guint held, const char *role_name)
{
	char *when = mg_clock_iso(it->time_us);
	GString *g = g_string_new(NULL);
	g_string_append_printf(g,
			       "%s 様\n\nmugaika on %s raised an alert.\n\n  event:    %s\n  severity: %s\n  time:     "
			       "%s\n\n%s\n",
			       role_name, mg_clock_hostname(), it->event, mg_alert_severity_name(it->sev), when,
			       it->text);
	if (held)
		g_string_append_printf(g,
				       "\n%u more alerts of this kind were held back by the rate limit "
				       "(alert_interval) since the last mail.\n",
				       held);
	g_free(when);
	return g_string_free(g, FALSE);
}

static char *alert_mail(const struct item *it, const struct role *role, guint held)
{
	char *body = alert_body(it, held, role->name);
	char *b64 = g_base64_encode((const guchar *)body, strlen(body));
	GDateTime *now = g_date_time_new_now_utc();
	char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
	char *subject = g_strdup_printf("[mugaika] %s %s on %s", mg_alert_severity_name(it->sev), it->event,
					mg_clock_hostname());
	char *to = g_strjoinv(", ", role->addrs);
	char *msg =
		g_strdup_printf("From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <alert.%" G_GINT64_FORMAT
				".%u@%s>\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\nContent-Type: "
				"text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n",
				it->conf->from, to, subject, date, it->time_us, g_random_int(), mg_clock_hostname());
	GString *g = g_string_new(msg);
	for (gsize i = 0, n = strlen(b64); i < n; i += 76)
		g_string_append_printf(g, "%.76s\n", b64 + i);
	g_free(msg);
	g_free(to);
	g_free(subject);
	g_free(date);
	g_date_time_unref(now);
	g_free(b64);
	g_free(body);
	return g_string_free(g, FALSE);
}

static gboolean deliver_mail(const struct item *it, const char *role_id, guint held)
{
	const struct role *role = role_find(it->conf, role_id);
	GError *err = NULL;
	char *msg = role ? alert_mail(it, role, held) : NULL;
	gboolean ok = msg && mg_smtp_send(it->conf->smtp_host, it->conf->smtp_timeout_s, it->conf->from, role->addrs,
					  msg, strlen(msg), &err);
	if (!ok)
		mg_err(NULL, "alert %s: mail to role %s not sent: %s", it->event, role_id,
		       err ? err->message : "no role");
	g_clear_error(&err);
	g_free(msg);
	return ok;
}

static char **exec_env(const struct item *it, const char *roles)
{
	char **env = g_get_environ();
	char *when = mg_clock_iso(it->time_us);
	env = g_environ_setenv(env, "MUGAIKA_ALERT_EVENT", it->event, TRUE);
	env = g_environ_setenv(env, "MUGAIKA_ALERT_SEVERITY", mg_alert_severity_name(it->sev), TRUE);
	env = g_environ_setenv(env, "MUGAIKA_ALERT_HOST", mg_clock_hostname(), TRUE);
	env = g_environ_setenv(env, "MUGAIKA_ALERT_TIME", when, TRUE);
	env = g_environ_setenv(env, "MUGAIKA_ALERT_ROLES", roles, TRUE);
	g_free(when);
	return env;
}

/* Wait for pid up to timeout_s; kill it after that.  TRUE: exited 0. */
static gboolean child_wait(GPid pid, guint timeout_s)
{
	int status = 0;
	gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (r < 0 && errno != EINTR)
			return FALSE;
		if (g_get_monotonic_time() > end) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			return FALSE;
		}
		g_usleep(20000);
	}
}

static gboolean deliver_exec(const struct item *it, const char *roles, guint held)
{
	char *argv[] = {it->conf->exec, it->event, (char *)mg_alert_severity_name(it->sev), NULL};
	char **env = exec_env(it, roles);
	GPid pid = 0;
	gint in = -1;
	GError *err = NULL;
	gboolean ok = g_spawn_async_with_pipes(NULL, argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
					       NULL, NULL, &pid, &in, NULL, NULL, &err);
	if (ok) {
		char *text = held ? g_strdup_printf("%s\n(%u more held back by the rate limit)\n", it->text, held)
				  : g_strconcat(it->text, "\n", NULL);
		gboolean wrote = write(in, text, strlen(text)) == (ssize_t)strlen(text); /* short text: one write */
		close(in);
		g_free(text);
		ok = child_wait(pid, it->conf->exec_timeout_s) && wrote;
		g_spawn_close_pid(pid);
	}
	if (!ok)
		mg_err(NULL, "alert %s: exec hook %s failed: %s", it->event, it->conf->exec,
		       err ? err->message : "non-zero exit, timeout or no input");
	g_clear_error(&err);
	g_strfreev(env);
	return ok;
}

static char *mail_roles(GPtrArray *targets)
{
	GString *g = g_string_new(NULL);
	for (guint i = 0; i < targets->len; i++)
		if (g_str_has_prefix(targets->pdata[i], "mail:"))
			g_string_append_printf(g, "%s%s", g->len ? " " : "", (char *)targets->pdata[i] + 5);
	return g_string_free(g, FALSE);
}

static void record_to_sink(const struct item *it, JsonArray *sent, guint held)
{
	JsonObject *o = json_object_new();
	char *when = mg_clock_iso(it->time_us);
	json_object_set_string_member(o, "type", "alert");
	json_object_set_string_member(o, "time", when);
	json_object_set_string_member(o, "host", mg_clock_hostname());
	json_object_set_string_member(o, "event", it->event);
	json_object_set_string_member(o, "severity", mg_alert_severity_name(it->sev));
	json_object_set_string_member(o, "text", it->text);
	json_object_set_array_member(o, "targets", json_array_ref(sent));
	json_object_set_int_member(o, "suppressed", held);
	g_mutex_lock(&lock);
	mg_alert_sink_fn fn = sink_fn;
	gpointer data = sink_data;
	g_mutex_unlock(&lock);
	if (fn)
		fn(o, data);
	json_object_unref(o);
	g_free(when);
}

static void deliver(struct item *it)
{
	GPtrArray *targets = targets_of(it);
	JsonArray *sent = json_array_new();
	char *roles = mail_roles(targets);
	guint held_max = 0;
	for (guint i = 0; i < targets->len; i++) {
		const char *t = targets->pdata[i];
		guint held = 0;
		if (strcmp(t, "syslog") == 0) {
			json_array_add_string_element(sent, t); /* logged at emit */
			continue;
		}
		if (!rate_allow(it, t, &held))
			continue;
		held_max = MAX(held_max, held);
		gboolean ok =
			g_str_has_prefix(t, "mail:") ? deliver_mail(it, t + 5, held) : deliver_exec(it, roles, held);
		char *s = g_strdup_printf("%s%s", t, ok ? "" : " (failed)");
		json_array_add_string_element(sent, s);
		g_free(s);
	}
	if (json_array_get_length(sent)) /* an alert held back is counted in the next one */
		record_to_sink(it, sent, held_max);
	json_array_unref(sent);
	g_free(roles);
	g_ptr_array_unref(targets);
}

static gpointer worker_main(gpointer unused)
{
	rates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (;;) {
		struct item *it = g_async_queue_timeout_pop(queue, POP_WAIT_US);
		if (it) {
			deliver(it);
			item_free(it);
		}
		g_mutex_lock(&lock);
		if (it)
			pending--;
		g_cond_broadcast(&drained);
		gboolean stop = stopping && pending == 0;
		g_mutex_unlock(&lock);
		if (stop)
			break;
	}
	g_hash_table_unref(rates);
	rates = NULL;
	return unused;
}

/* ---- life cycle ---- */

void mg_alert_configure(const struct mg_config *cfg)
{
	struct mg_alert_conf *c = cfg ? cfg->alert : NULL;
	mg_net_types_init(); /* before the worker thread may open a socket */
	g_mutex_lock(&lock);
	struct mg_alert_conf *old = current;
	current = c ? conf_ref(c) : NULL;
	if (current && !worker) {
		queue = g_async_queue_new();
		stopping = FALSE;
		worker = g_thread_new("mg-alert", worker_main, NULL);
	}
	g_mutex_unlock(&lock);
	conf_unref(old);
}

void mg_alert_set_sink(mg_alert_sink_fn fn, gpointer data)
{
	g_mutex_lock(&lock);
	sink_fn = fn;
	sink_data = data;
	g_mutex_unlock(&lock);
}

void mg_alert_flush(gint64 timeout_us)
{
	gint64 end = g_get_monotonic_time() + timeout_us;
	g_mutex_lock(&lock);
	while (pending > 0 && worker)
		if (!g_cond_wait_until(&drained, &lock, end))
			break;
	g_mutex_unlock(&lock);
}

void mg_alert_shutdown(void)
{
	g_mutex_lock(&lock);
	GThread *t = worker;
	stopping = TRUE;
	g_mutex_unlock(&lock);
	if (t)
		g_thread_join(t);
	g_mutex_lock(&lock);
	worker = NULL;
	if (queue) {
		struct item *it;
		while ((it = g_async_queue_try_pop(queue)))
			item_free(it);
		g_async_queue_unref(queue);
		queue = NULL;
	}
	pending = 0;
	struct mg_alert_conf *old = current;
	current = NULL;
	g_clear_pointer(&burst_times, g_hash_table_unref);
	g_mutex_unlock(&lock);
	conf_unref(old);
}
