/*
 * log.c - see mg_log.h.  Messages are made printable (control characters
 * escaped) so that a hostile header cannot forge log lines.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "mg_log.h"

static gboolean log_stderr = TRUE;
static gint log_level = MG_LOG_INFO;

void mg_log_init(const char *ident, gboolean to_stderr)
{
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void mg_log_set_level(int level)
{
	g_atomic_int_set(&log_level, level);
}

static char *log_printable(const char *s)
{
	GString *g = g_string_sized_new(strlen(s));
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			g_string_append_printf(g, "\\x%02x", *p);
		else
			g_string_append_c(g, (char)*p);
	}
	return g_string_free(g, FALSE);
}

static GMutex last_error_lock;
static char last_error[512];
static gint64 last_error_time;

static void remember_error(const char *qid, const char *msg)
{
	g_mutex_lock(&last_error_lock);
	g_snprintf(last_error, sizeof last_error, "%s%s%s", qid ? qid : "", qid ? ": " : "", msg);
	last_error_time = g_get_real_time() / G_USEC_PER_SEC;
	g_mutex_unlock(&last_error_lock);
}

gint64 mg_log_last_error(char *buf, gsize size)
{
	g_mutex_lock(&last_error_lock);
	g_strlcpy(buf, last_error, size);
	gint64 t = last_error_time;
	g_mutex_unlock(&last_error_lock);
	return t;
}

void mg_log(int level, const char *qid, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *name[] = {"error", "warning", "info", "debug"};
	va_list ap;

	if (level > g_atomic_int_get(&log_level))
		return;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *msg = log_printable(raw);
	if (level == MG_LOG_ERR)
		remember_error(qid, msg);
	if (log_stderr)
		fprintf(stderr, "mugaika: %s: %s%s%s\n", name[level], qid ? qid : "", qid ? ": " : "", msg);
	else
		syslog(prio[level], "%s%s%s", qid ? qid : "", qid ? ": " : "", msg);
	g_free(msg);
	g_free(raw);
}
