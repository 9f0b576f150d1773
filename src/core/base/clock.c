/*
 * clock.c - see mg_clock.h.
 *
 * Local times are computed as UTC plus the configured offset with GLib's
 * fixed-offset time zone (g_time_zone_new_offset), never with the host's
 * zone database or TZ: a relay left in UTC still writes +09:00.
 *
 * The synchronisation rule is systemd's (timedatectl "System clock
 * synchronized"): adjtimex reports STA_UNSYNC clear and a maximum error
 * below 16 s.  chronyd and systemd-timesyncd both keep that state.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "mg_clock.h"

#define OFFSET_MIN        (-12 * 3600)
#define OFFSET_MAX        (14 * 3600)
#define SYNC_MAX_ERROR_US (16 * G_USEC_PER_SEC)

static gint clock_offset = MG_CLOCK_DEFAULT_OFFSET;

gboolean mg_clock_parse_offset(const char *s, int *out_seconds)
{
	unsigned h, m;
	char sign, tail;
	if (!s)
		return FALSE;
	if (strcmp(s, "Z") == 0) {
		*out_seconds = 0;
		return TRUE;
	}
	if (strlen(s) != 6 || sscanf(s, "%c%2u:%2u%c", &sign, &h, &m, &tail) != 3 || (sign != '+' && sign != '-') ||
	    !g_ascii_isdigit(s[1]) || !g_ascii_isdigit(s[2]) || !g_ascii_isdigit(s[4]) || !g_ascii_isdigit(s[5]) ||
	    m > 59)
		return FALSE;
	int v = (int)(h * 3600 + m * 60) * (sign == '-' ? -1 : 1);
	if (v < OFFSET_MIN || v > OFFSET_MAX)
		return FALSE;
	*out_seconds = v;
	return TRUE;
}

gboolean mg_clock_check_offset(const char *value, char **why)
{
	int v;
	if (mg_clock_parse_offset(value, &v))
		return TRUE;
	*why = g_strdup_printf("'%s' is not a UTC offset; allowed: +HH:MM or -HH:MM from -12:00 to +14:00, or Z "
			       "(Japan: +09:00)",
			       value);
	return FALSE;
}

void mg_clock_set_offset(int seconds)
{
	g_atomic_int_set(&clock_offset, seconds);
}

int mg_clock_offset(void)
{
	return g_atomic_int_get(&clock_offset);
}

char *mg_clock_iso(gint64 real_us)
{
	int off = mg_clock_offset();
	gint64 secs = real_us / G_USEC_PER_SEC, ms = (real_us % G_USEC_PER_SEC) / 1000;
	if (ms < 0) { /* before 1970: floor */
		secs--;
		ms += 1000;
	}
	GDateTime *d = g_date_time_new_from_unix_utc(secs + off);
	if (!d)
		return g_strdup("0000-00-00T00:00:00.000+00:00");
	char *base = g_date_time_format(d, "%Y-%m-%dT%H:%M:%S");
	g_date_time_unref(d);
	int a = off < 0 ? -off : off;
	char *s = g_strdup_printf("%s.%03d%c%02d:%02d", base, (int)ms, off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
	g_free(base);
	return s;
}

gint64 mg_clock_day_start(int year, int month, int day)
{
	GDateTime *d = g_date_time_new_utc(year, month, day, 0, 0, 0);
	gint64 us = d ? (g_date_time_to_unix(d) - mg_clock_offset()) * G_USEC_PER_SEC : 0;
	if (d)
		g_date_time_unref(d);
	return us;
}

const char *mg_clock_hostname(void)
{
	static char *host;
	if (g_once_init_enter(&host)) {
		char buf[256] = "";
		if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0])
			g_strlcpy(buf, "localhost", sizeof buf);
		g_once_init_leave(&host, g_strdup(buf));
	}
	return host;
}

static void flag_names(int status, char *out, gsize size)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {{STA_PLL, "PLL"},   {STA_PPSFREQ, "PPSFREQ"}, {STA_PPSTIME, "PPSTIME"}, {STA_FLL, "FLL"},
		     {STA_INS, "INS"},   {STA_DEL, "DEL"},         {STA_UNSYNC, "UNSYNC"},   {STA_FREQHOLD, "FREQHOLD"},
		     {STA_NANO, "NANO"}, {STA_MODE, "MODE"},       {STA_CLK, "CLK"}};
	out[0] = '\0';
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (status & names[i].bit) {
			if (out[0])
				g_strlcat(out, " ", size);
			g_strlcat(out, names[i].name, size);
		}
}

void mg_clock_sync_read(struct mg_clock_sync *out)
{
	struct timex tx = {.modes = 0};
	memset(out, 0, sizeof *out);
	int state = adjtimex(&tx);
	if (state < 0) {
		out->error = errno;
		return;
	}
	out->known = TRUE;
	out->status = tx.status;
	out->maxerror_us = tx.maxerror;
	out->esterror_us = tx.esterror;
	out->offset_us = (tx.status & STA_NANO) ? tx.offset / 1000 : tx.offset;
	out->synchronized = !(tx.status & STA_UNSYNC) && tx.maxerror < SYNC_MAX_ERROR_US && state != TIME_ERROR;
	flag_names(tx.status, out->flags, sizeof out->flags);
}

char *mg_clock_sync_describe(const struct mg_clock_sync *s)
{
	if (!s->known)
		return g_strdup_printf("unknown (adjtimex: %s)", g_strerror(s->error));
	if (s->synchronized)
		return g_strdup_printf("synchronized (max error %" G_GINT64_FORMAT " ms, estimated %" G_GINT64_FORMAT
				       " ms)",
				       s->maxerror_us / 1000, s->esterror_us / 1000);
	return g_strdup_printf("NOT synchronized (kernel status: %s; max error %" G_GINT64_FORMAT
			       " ms): check systemd-timesyncd or chrony (timedatectl status)",
			       s->flags[0] ? s->flags : "none", s->maxerror_us / 1000);
}
