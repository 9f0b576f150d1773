/*
 * mg_smtp - a small SMTP client (GIO) for what mugaika sends itself: alert
 * mails, the self-test's SMTP mode, released originals.  One session per
 * call sequence; every reply is read whole (multi-line) and kept, so a
 * caller can either require a class of reply or just observe it.
 * Bounded: reply lines of at most 2000 bytes, 100 lines per reply, and the
 * connection's timeout for every read and write.
 */
#ifndef MG_SMTP_H
#define MG_SMTP_H

#include <gio/gio.h>
#include <glib.h>

struct mg_smtp;

/* Connect to HOST:PORT (port 25 if none) and read the greeting (2xx). */
struct mg_smtp *mg_smtp_open(const char *host_port, guint timeout_s, GError **err);
void mg_smtp_close(struct mg_smtp *s); /* sends QUIT when still connected */

/* Send one command line and read its reply.  Returns the reply code (e.g.
 * 250), or 0 with *err when the connection failed.  The last reply's text
 * (all lines joined with "; ") is mg_smtp_last(). */
int mg_smtp_cmd(struct mg_smtp *s, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* After a 354: send the message (LF or CRLF line ends; dot-stuffed here)
 * and read the final reply. */
int mg_smtp_data(struct mg_smtp *s, const char *msg, gsize len, GError **err);
const char *mg_smtp_last(const struct mg_smtp *s);

/* The whole dialogue for one message: EHLO, MAIL FROM, RCPT TO each, DATA.
 * FALSE with *err quoting the server's reply unless every step got 2xx/3xx
 * as expected (a refused recipient fails the whole send). */
gboolean mg_smtp_send(const char *host_port, guint timeout_s, const char *sender, char **rcpts, const char *msg,
		      gsize len, GError **err);

/* Register GIO's socket and stream types once, from the main thread before
 * any worker thread uses them: GLib 2.74 can deadlock when two threads
 * register interface types (GSocketAddress's GSocketConnectable) at once.
 * The alert and forwarding threads call it before they start. */
void mg_net_types_init(void);

#endif
