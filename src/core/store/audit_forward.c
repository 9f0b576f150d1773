/*
 * audit_forward.c - a copy of every audit record to a remote collector as
 * RFC 5424 syslog (docs/audit-format.md section 8): audit_syslog =
 * tcp:HOST:PORT (octet-counted framing, RFC 6587 3.4.1) or udp:HOST:PORT.
 *
 * The writer hands each line to forward_line() under its lock; the line is
 * queued (bounded: audit_syslog_queue) and a worker thread sends it,
 * reconnecting after failures (every 5 s at most).  Nothing here can hold
 * up or fail the append: the local file is the record of authority; lines
 * that could not be sent are counted, logged and alerted.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_config.h"
#include "mg_log.h"
#include "mg_smtp.h"

#define RETRY_US     (5 * G_USEC_PER_SEC)
#define UDP_MAX      65000
#define SEND_TIMEOUT 10

struct fwd_conf {
	char *target; /* tcp:HOST:PORT / udp:HOST:PORT */
	int facility;
	guint queue_max;
	char *audit_path, *admin_path;
};

struct fwd_item {
	char *msg; /* the framed RFC 5424 message */
	gsize len;
};

static GMutex lock;
static struct fwd_conf *conf;
static GAsyncQueue *queue;
static GThread *worker;
static gboolean stopping;
static guint64 lost;

/* severity by record type: notice for start/seal, warning for repairs */
static int severity_of(const char *line)
{
	if (g_str_has_prefix(line, "{\"type\":\"repair\"") || g_str_has_prefix(line, "{\"type\":\"alert\""))
		return 4;
	if (g_str_has_prefix(line, "{\"type\":\"seal\"") || g_str_has_prefix(line, "{\"type\":\"start\""))
		return 5;
	return 6;
}

static char *frame(const struct fwd_conf *c, const char *path, const char *line, gsize *len)
{
	gsize n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		n--;
	char *now = mg_clock_iso(g_get_real_time());
	const char *stream = g_strcmp0(path, c->admin_path) == 0 ? "admin" : "audit";
	char *msg = g_strdup_printf("<%d>1 %s %s mugaika %d %s - %.*s", c->facility * 8 + severity_of(line), now,
				    mg_clock_hostname(), (int)getpid(), stream, (int)n, line);
	g_free(now);
	if (g_str_has_prefix(c->target, "udp:")) {
		*len = strlen(msg);
		return msg;
	}
	char *framed = g_strdup_printf("%zu %s", strlen(msg), msg);
	*len = strlen(framed);
	g_free(msg);
	return framed;
}

static void forward_line(const char *path, const char *line, gpointer data)
{
	(void)data;
	g_mutex_lock(&lock);
	if (conf && queue && !stopping &&
	    (g_strcmp0(path, conf->audit_path) == 0 || g_strcmp0(path, conf->admin_path) == 0)) {
		gint waiting = g_async_queue_length(queue); /* negative while the worker waits for one */
		if (waiting > 0 && (guint)waiting >= conf->queue_max)
			lost++;
		else {
			struct fwd_item *it = g_new0(struct fwd_item, 1);
			it->msg = frame(conf, path, line, &it->len);
			g_async_queue_push(queue, it);
		}
	}
	g_mutex_unlock(&lock);
}

struct link {
	GSocketConnection *tcp;
	GSocket *udp;
	GSocketAddress *udp_to;
};

static void link_close(struct link *l)
{
	g_clear_object(&l->tcp);
	g_clear_object(&l->udp);
	g_clear_object(&l->udp_to);
}

static gboolean link_open(struct link *l, const char *target, GError **err)
{
	const char *hp = target + 4;
	if (g_str_has_prefix(target, "tcp:")) {
		GSocketClient *c = g_socket_client_new();
		g_socket_client_set_timeout(c, SEND_TIMEOUT);
		l->tcp = g_socket_client_connect_to_host(c, hp, 514, NULL, err);
		g_object_unref(c);
		return l->tcp != NULL;
	}
	GSocketConnectable *addr = g_network_address_parse(hp, 514, err);
	GSocketAddressEnumerator *e = addr ? g_socket_connectable_enumerate(addr) : NULL;
	l->udp_to = e ? g_socket_address_enumerator_next(e, NULL, err) : NULL;
	if (l->udp_to)
		l->udp = g_socket_new(g_socket_address_get_family(l->udp_to), G_SOCKET_TYPE_DATAGRAM,
				      G_SOCKET_PROTOCOL_UDP, err);
	g_clear_object(&e);
	g_clear_object(&addr);
	return l->udp != NULL;
}

static gboolean link_send(struct link *l, const struct fwd_item *it, GError **err)
{
	if (l->tcp)
		return g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(l->tcp)), it->msg, it->len,
						 NULL, NULL, err);
	gsize n = MIN(it->len, UDP_MAX); /* a datagram carries what it can; the file keeps the whole record */
	return g_socket_send_to(l->udp, l->udp_to, it->msg, n, NULL, err) == (gssize)n;
}

static void item_free(gpointer p)
{
	struct fwd_item *it = p;
	g_free(it->msg);
	g_free(it);
}

static void report_lost(guint64 *reported)
{
	g_mutex_lock(&lock);
	guint64 n = lost;
	g_mutex_unlock(&lock);
	if (n > *reported) {
		mg_alert_emit(MG_ALERT_AUDIT_FORWARD, MG_ALERT_WARNING,
			      "%" G_GUINT64_FORMAT
			      " audit records could not be queued for the remote collector (queue full)",
			      n);
		*reported = n;
	}
}

static gpointer worker_main(gpointer data)
{
	char *target = data;
	struct link l = {0};
	struct fwd_item *it = NULL;
	gint64 next_try = 0;
	guint64 reported = 0;
	while (TRUE) {
		if (!it)
			it = g_async_queue_timeout_pop(queue, 200 * 1000);
		g_mutex_lock(&lock);
		gboolean stop = stopping && (!it || (!l.tcp && !l.udp));
		g_mutex_unlock(&lock);
		if (stop)
			break;
		report_lost(&reported);
		if (!it || g_get_monotonic_time() < next_try)
			continue;
		GError *err = NULL;
		if ((l.tcp || l.udp || link_open(&l, target, &err)) && link_send(&l, it, &err)) {
			item_free(g_steal_pointer(&it));
			continue;
		}
		mg_warn(NULL, "audit_syslog %s: %s; retrying in 5 s", target, err ? err->message : "send failed");
		g_clear_error(&err);
		link_close(&l);
		next_try = g_get_monotonic_time() + RETRY_US;
	}
	if (it)
		item_free(it);
	link_close(&l);
	g_free(target);
	return NULL;
}

static void conf_free(struct fwd_conf *c)
{
	if (!c)
		return;
	g_free(c->target);
	g_free(c->audit_path);
	g_free(c->admin_path);
	g_free(c);
}

/* Stop the worker (the queue is sent first while the collector answers). */
void mg_audit_forward_stop(void)
{
	g_mutex_lock(&lock);
	stopping = TRUE;
	GThread *t = worker;
	worker = NULL;
	g_mutex_unlock(&lock);
	if (t)
		g_thread_join(t);
	g_mutex_lock(&lock);
	if (queue)
		g_async_queue_unref(queue);
	queue = NULL;
	conf_free(conf);
	conf = NULL;
	stopping = FALSE;
	g_mutex_unlock(&lock);
	mg_audit_set_forward(NULL, NULL);
}

void mg_audit_forward_configure(const struct mg_config *cfg)
{
	if (conf && (!*cfg->audit_syslog || strcmp(conf->target, cfg->audit_syslog) != 0))
		mg_audit_forward_stop();
	if (!*cfg->audit_syslog)
		return;
	mg_net_types_init(); /* before the worker thread opens a socket */
	g_mutex_lock(&lock);
	struct fwd_conf *c = g_new0(struct fwd_conf, 1);
	c->target = g_strdup(cfg->audit_syslog);
	c->facility = mg_syslog_facility_code(cfg->audit_syslog_facility);
	c->queue_max = (guint)cfg->audit_syslog_queue;
	c->audit_path = g_strdup(cfg->audit_log);
	c->admin_path = g_strdup(cfg->admin_audit_log);
	conf_free(conf);
	conf = c;
	if (!worker) {
		queue = g_async_queue_new_full(item_free);
		worker = g_thread_new("mg-audit-fwd", worker_main, g_strdup(c->target));
	}
	g_mutex_unlock(&lock);
	mg_audit_set_forward(forward_line, NULL);
}
