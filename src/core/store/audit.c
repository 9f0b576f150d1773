/*
 * audit.c - see mg_audit.h: the error domain, the times and names every
 * record carries, and the reader of the logs.  The writer is
 * audit_write.c, the verifier audit_verify.c, the keys audit_key.c, the
 * remote copy audit_forward.c.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mg_audit.h"
#include "mg_clock.h"

G_DEFINE_QUARK(mg - audit - error - quark, mg_audit_error)

/* ---- times ---- */

char *mg_audit_time_iso(gint64 real_us)
{
	return mg_clock_iso(real_us);
}

static gboolean datetime_to_us(GDateTime *d, gint64 *out_us)
{
	if (!d)
		return FALSE;
	*out_us = g_date_time_to_unix(d) * G_USEC_PER_SEC + g_date_time_get_microsecond(d);
	g_date_time_unref(d);
	return TRUE;
}

gboolean mg_audit_time_parse(const char *s, gint64 *out_us)
{
	return s && datetime_to_us(g_date_time_new_from_iso8601(s, NULL), out_us);
}

/* YYYY-MM-DD exactly, a day of log_timezone (GDate validates it; no
 * library parses a bare calendar date to a midnight of a given offset). */
static gboolean parse_day(const char *s, gboolean end_of_day, gint64 *out_us)
{
	unsigned y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
		return FALSE;
	if (y < 1970 || y > 9999 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	*out_us = mg_clock_day_start((int)y, (int)m, (int)d) + (end_of_day ? (gint64)86400 * G_USEC_PER_SEC : 0);
	return TRUE;
}

gboolean mg_audit_parse_date(const char *s, gboolean end_of_day, gint64 *out_us, GError **err)
{
	if (s && parse_day(s, end_of_day, out_us))
		return TRUE;
	if (s && strchr(s, 'T')) {
		GTimeZone *zone = g_time_zone_new_offset(mg_clock_offset());
		gboolean ok = datetime_to_us(g_date_time_new_from_iso8601(s, zone), out_us);
		g_time_zone_unref(zone);
		if (ok)
			return TRUE;
	}
	g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_BAD_DATE,
		    "'%s' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+09:00]", s ? s : "");
	return FALSE;
}

const char *mg_audit_hostname(void)
{
	return mg_clock_hostname();
}

char *mg_audit_invoker(void)
{
	const char *sudo = g_getenv("SUDO_USER");
	if (getuid() == 0 && sudo && *sudo)
		return g_strdup(sudo);
	const char *login = getlogin();
	if (login && *login)
		return g_strdup(login);
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
		return g_strdup(res->pw_name);
	return g_strdup_printf("uid=%u", (unsigned)getuid());
}

/* ---- reading ---- */

gboolean mg_audit_foreach(const char *path, mg_audit_fn fn, gpointer data, guint64 *n_bad, GError **err)
{
	GIOChannel *ch = g_io_channel_new_file(path, "r", err);
	if (!ch)
		return FALSE;
	g_io_channel_set_encoding(ch, NULL, NULL);
	JsonParser *p = json_parser_new();
	char *line = NULL;
	gsize len = 0;
	guint64 no = 0;
	gboolean go = TRUE;
	GIOStatus st = G_IO_STATUS_NORMAL;
	while (go && (st = g_io_channel_read_line(ch, &line, &len, NULL, err)) == G_IO_STATUS_NORMAL) {
		no++;
		if (json_parser_load_from_data(p, line, (gssize)len, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			go = fn(json_node_get_object(json_parser_get_root(p)), no, data);
		else if (n_bad)
			(*n_bad)++;
		g_free(line);
	}
	g_object_unref(p);
	g_io_channel_unref(ch);
	return st != G_IO_STATUS_ERROR;
}
