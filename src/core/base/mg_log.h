/*
 * mg_log - logging to syslog (facility mail) or stderr (foreground/CLI).
 * Lines that concern a message carry its queue id: "QUEUEID: text".
 * Thread-safe (syslog and stdio are).
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <glib.h>

#include "mg_config.h"

void mg_log_init(const char *ident, gboolean to_stderr);
void mg_log_set_level(int level); /* enum mg_log_level */
void mg_log(int level, const char *qid, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* The last line logged at error level (issue 14: `mugaika status`): copied
 * into buf (size bytes, NUL-terminated); returns its time in Unix seconds,
 * or 0 when nothing was logged at error level yet. */
gint64 mg_log_last_error(char *buf, gsize size);

#define mg_err(qid, ...)   mg_log(MG_LOG_ERR, qid, __VA_ARGS__)
#define mg_warn(qid, ...)  mg_log(MG_LOG_WARNING, qid, __VA_ARGS__)
#define mg_info(qid, ...)  mg_log(MG_LOG_INFO, qid, __VA_ARGS__)
#define mg_debug(qid, ...) mg_log(MG_LOG_DEBUG, qid, __VA_ARGS__)

#endif
