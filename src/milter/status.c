/*
 * status.c - the daemon's state for monitoring (issue 14).
 *
 * The status file (status_file, default status.json beside the pid file)
 * is what `mugaika status` reads: pid, start time, engine and signature
 * age, the thresholds in force, the last error, sessions and message
 * counts.  A thread rewrites it every STATUS_EVERY seconds and at once
 * after mg_status_touch (reload); it is written whole (temporary file and
 * rename) and removed at exit.  The optional metrics endpoint
 * (metrics_listen, loopback only, read at start) answers GET /metrics with
 * mg_metrics_render().  Its HTTP is a few lines by hand: one request line
 * read within a bound and a time limit, one response, close; a server
 * library (libmicrohttpd) would be a new dependency for a single GET.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "mg_log.h"
#include "mg_metrics.h"
#include "mg_scan.h"
#include "milter.h"

#define STATUS_EVERY    15   /* seconds between rewrites of the status file */
#define HTTP_REQ_MAX    4096 /* bytes of a request we read */
#define HTTP_TIMEOUT_MS 2000

static GMutex lock;
static GCond wake;
static gboolean stopping, touched;
static char *status_path;
static gint64 started;
static pthread_t status_thread, http_thread;
static gboolean status_running, http_running;
static int http_fd = -1;

static void add_engine(JsonBuilder *b)
{
	struct mg_scan_status s;
	mg_scan_status(&s);
	json_builder_set_member_name(b, "engine_loaded");
	json_builder_add_boolean_value(b, s.loaded);
	json_builder_set_member_name(b, "signatures");
	json_builder_add_int_value(b, s.sigs);
	json_builder_set_member_name(b, "db_time");
	json_builder_add_int_value(b, s.db_time);
	json_builder_set_member_name(b, "db_version");
	json_builder_add_int_value(b, s.db_version);
}

static void add_config(JsonBuilder *b, const struct mg_config *cfg)
{
	json_builder_set_member_name(b, "config");
	json_builder_add_string_value(b, cfg->path);
	json_builder_set_member_name(b, "scan_db_warn_age");
	json_builder_add_int_value(b, cfg->scan_db_warn_age);
	json_builder_set_member_name(b, "scan_db_max_age");
	json_builder_add_int_value(b, cfg->scan_db_max_age);
}

static void add_counts(JsonBuilder *b)
{
	char err[512];
	gint64 when = mg_log_last_error(err, sizeof err);
	json_builder_set_member_name(b, "last_error");
	if (when) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "time");
		json_builder_add_int_value(b, when);
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, err);
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_set_member_name(b, "sessions");
	json_builder_add_int_value(b, mg_milter_sessions());
	json_builder_set_member_name(b, "messages");
	json_builder_begin_object(b);
	static const char *const names[] = {"accept", "reject", "tempfail"};
	for (int v = 0; v < MG_MV_N; v++) {
		json_builder_set_member_name(b, names[v]);
		json_builder_add_int_value(b, (gint64)mg_metrics_messages((enum mg_metric_verdict)v));
	}
	json_builder_end_object(b);
}

static char *status_json(void)
{
	JsonBuilder *b = json_builder_new();
	struct mg_config *cfg = mg_milter_config();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, PACKAGE_VERSION);
	json_builder_set_member_name(b, "pid");
	json_builder_add_int_value(b, getpid());
	json_builder_set_member_name(b, "started");
	json_builder_add_int_value(b, started);
	json_builder_set_member_name(b, "updated");
	json_builder_add_int_value(b, g_get_real_time() / G_USEC_PER_SEC);
	if (cfg)
		add_config(b, cfg);
	add_engine(b);
	add_counts(b);
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	char *text = json_to_string(root, TRUE);
	json_node_unref(root);
	g_object_unref(b);
	mg_config_unref(cfg);
	return text;
}

static void status_write(void)
{
	char *text = status_json();
	GError *err = NULL;
	static gboolean warned; /* once: the next rewrites would say the same */
	if (!g_file_set_contents_full(status_path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
		if (!warned)
			mg_warn(NULL, "status file (for `mugaika status`): %s", err->message);
		warned = TRUE;
		g_error_free(err);
	} else {
		warned = FALSE;
	}
	g_free(text);
}

static void *status_loop(void *arg)
{
	(void)arg;
	g_mutex_lock(&lock);
	while (!stopping) {
		g_mutex_unlock(&lock);
		status_write();
		g_mutex_lock(&lock);
		gint64 until = g_get_monotonic_time() + STATUS_EVERY * G_USEC_PER_SEC;
		while (!stopping && !touched)
			if (!g_cond_wait_until(&wake, &lock, until))
				break;
		touched = FALSE;
	}
	g_mutex_unlock(&lock);
	return NULL;
}

void mg_status_touch(void)
{
	g_mutex_lock(&lock);
	touched = TRUE;
	g_cond_signal(&wake);
	g_mutex_unlock(&lock);
}

/* ---- the metrics endpoint ---- */

static int listen_on(const char *addr, GError **err)
{
	const char *colon = strrchr(addr, ':');
	char *host = g_strndup(addr, (gsize)(colon - addr));
	if (host[0] == '[') { /* [::1] */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
	int fd = -1, rc = getaddrinfo(host, colon + 1, &hints, &ai), one = 1;
	if (rc != 0)
		g_set_error(err, G_IO_ERROR, 0, "metrics_listen %s: %s", addr, gai_strerror(rc));
	else if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		 setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
		 bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 8) != 0) {
		g_set_error(err, G_IO_ERROR, 0, "metrics_listen %s: %s", addr, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (ai)
		freeaddrinfo(ai);
	g_free(host);
	return fd;
}

/* Read the request line (bounded, with a time limit). */
static gboolean read_request(int c, char *buf, gsize size)
{
	gsize n = 0;
	while (n < size - 1 && !memchr(buf, '\n', n)) {
		struct pollfd p = {.fd = c, .events = POLLIN};
		if (poll(&p, 1, HTTP_TIMEOUT_MS) <= 0)
			return FALSE;
		ssize_t r = read(c, buf + n, size - 1 - n);
		if (r <= 0)
			return FALSE;
		n += (gsize)r;
		buf[n] = '\0';
	}
	return memchr(buf, '\n', n) != NULL;
}

static void write_all(int c, const char *s, gsize n)
{
	while (n > 0) {
		ssize_t w = write(c, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (gsize)w;
	}
}

static void serve(int c)
{
	char req[HTTP_REQ_MAX + 1] = "";
	char *body = NULL, *head;
	if (read_request(c, req, sizeof req) && g_str_has_prefix(req, "GET /metrics ")) {
		struct mg_scan_status s;
		mg_scan_status(&s);
		struct mg_metrics_gauges g = {s.loaded, s.age, s.sigs, mg_milter_sessions()};
		body = mg_metrics_render(&g);
		head = g_strdup_printf("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
				       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				       strlen(body));
	} else {
		body = g_strdup("only GET /metrics is served here\n");
		head = g_strdup_printf("HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
				       "Connection: close\r\n\r\n",
				       strlen(body));
	}
	write_all(c, head, strlen(head));
	write_all(c, body, strlen(body));
	g_free(head);
	g_free(body);
}

static void *http_loop(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = {.fd = http_fd, .events = POLLIN};
		int n = poll(&p, 1, 500);
		g_mutex_lock(&lock);
		gboolean stop = stopping;
		g_mutex_unlock(&lock);
		if (stop)
			break;
		if (n <= 0)
			continue;
		int c = accept4(http_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0) {
			serve(c);
			close(c);
		}
	}
	return NULL;
}

/* ---- start and stop ---- */

static char *status_file_of(const struct mg_config *cfg, const char *pid_file)
{
	if (*cfg->status_file)
		return g_strdup(cfg->status_file);
	if (!pid_file || !*pid_file)
		return NULL;
	char *dir = g_path_get_dirname(pid_file);
	char *path = g_build_filename(dir, "status.json", NULL);
	g_free(dir);
	return path;
}

gboolean mg_status_start(const struct mg_config *cfg, const char *pid_file, GError **err)
{
	started = g_get_real_time() / G_USEC_PER_SEC;
	if (*cfg->metrics_listen) {
		if ((http_fd = listen_on(cfg->metrics_listen, err)) < 0)
			return FALSE;
		http_running = pthread_create(&http_thread, NULL, http_loop, NULL) == 0;
		mg_info(NULL, "metrics on http://%s/metrics", cfg->metrics_listen);
	}
	status_path = status_file_of(cfg, pid_file);
	if (status_path)
		status_running = pthread_create(&status_thread, NULL, status_loop, NULL) == 0;
	return TRUE;
}

void mg_status_stop(void)
{
	g_mutex_lock(&lock);
	stopping = TRUE;
	g_cond_signal(&wake);
	g_mutex_unlock(&lock);
	if (status_running)
		pthread_join(status_thread, NULL);
	if (http_running)
		pthread_join(http_thread, NULL);
	status_running = http_running = FALSE;
	if (http_fd >= 0)
		close(http_fd);
	http_fd = -1;
	if (status_path && unlink(status_path) != 0 && errno != ENOENT)
		mg_warn(NULL, "cannot remove the status file %s: %s", status_path, g_strerror(errno));
	g_free(status_path);
	status_path = NULL;
}
