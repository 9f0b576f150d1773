/*
 * mg_clock - the time of the logs (issue 17, F34): ISO 8601 with
 * milliseconds in the configured offset (log_timezone), independent of the
 * host's time zone; days of that offset for reports; the host name; and the
 * check that the system clock is synchronised (adjtimex, as timedatectl).
 *
 * The offset is process-wide: front ends set it at every configuration
 * load (mg_clock_set_offset); until then it is +09:00.  Thread-safe.
 */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

#include <glib.h>

#define MG_CLOCK_DEFAULT_OFFSET (9 * 3600)

/* "+09:00", "-05:30", "Z" or "+00:00" -> seconds east of UTC; FALSE when
 * malformed or outside -12:00..+14:00. */
gboolean mg_clock_parse_offset(const char *s, int *out_seconds);
/* option-table check for log_timezone */
gboolean mg_clock_check_offset(const char *value, char **why);
void mg_clock_set_offset(int seconds);
int mg_clock_offset(void);

/* 2026-12-04T23:16:08.357+09:00 for a g_get_real_time() value. */
char *mg_clock_iso(gint64 real_us);
/* Midnight starting day Y-M-D in the configured offset, as real_us. */
gint64 mg_clock_day_start(int year, int month, int day);

/* The host name, once per process ("localhost" when it cannot be read). */
const char *mg_clock_hostname(void);

struct mg_clock_sync {
	gboolean synchronized; /* STA_UNSYNC clear and maxerror < 16 s */
	gboolean known;        /* FALSE: adjtimex failed (errno in `error`) */
	int error;
	gint64 maxerror_us, esterror_us, offset_us;
	int status;      /* kernel STA_* flags */
	char flags[128]; /* the flags by name, "PLL NANO" ... */
};
/* Read the kernel's NTP state (adjtimex(2) with modes 0: reads only). */
void mg_clock_sync_read(struct mg_clock_sync *out);
/* One line for logs and reports: "synchronized (max error 12 ms)" */
char *mg_clock_sync_describe(const struct mg_clock_sync *s);

#endif
