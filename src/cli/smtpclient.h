/*
 * smtpclient.h - a minimal SMTP client (RFC 5321: EHLO, XCLIENT, MAIL,
 * RCPT, DATA, QUIT) for `mugaika selftest --smtp`: it sends the self-test
 * cases through the MTA and keeps each step's reply.  Bounded: reply lines
 * of at most MG_SC_LINE_MAX bytes, at most MG_SC_LINES lines per reply, a
 * timeout on every read and write.
 */
#ifndef MG_SMTPCLIENT_H
#define MG_SMTPCLIENT_H

#include <glib.h>

#define MG_SC_LINE_MAX 2048
#define MG_SC_LINES    128

struct mg_sc;

struct mg_sc_reply {
	int code;      /* 250, 550, ...; 0 until the first line */
	GString *text; /* every line's text after the code, joined with '\n' */
	gboolean done; /* the last line ("250 ..." rather than "250-...") was read */
	guint lines;
};

/* Feed one reply line (without CR LF).  FALSE with *err when the line is
 * not "DDD text", "DDD-text" or "DDD" or its code differs from the
 * reply's first line, or the reply is too long. */
gboolean mg_sc_reply_feed(struct mg_sc_reply *r, const char *line, GError **err);
void mg_sc_reply_clear(struct mg_sc_reply *r);
/* "550 5.7.1 text" (the first line of the reply, with its code) */
char *mg_sc_reply_describe(const struct mg_sc_reply *r);
/* TRUE when one of the EHLO reply's lines (after the greeting line) is the keyword */
gboolean mg_sc_reply_has_keyword(const struct mg_sc_reply *r, const char *keyword);

/* The message (LF or CRLF line ends) as DATA sends it: CRLF line ends,
 * a leading '.' doubled, the terminating ".\r\n". */
GString *mg_sc_data_encode(const char *msg, gsize len);

/* host_port: HOST:PORT or [IPv6]:PORT.  Connects and reads the greeting
 * into *greeting. */
struct mg_sc *mg_sc_open(const char *host_port, guint timeout_s, struct mg_sc_reply *greeting, GError **err);
/* The address this end of the connection has (what the MTA sees as client), or NULL */
char *mg_sc_local_address(struct mg_sc *s);
/* Send one command line (CR LF added) and read the reply into *r (cleared first). */
gboolean mg_sc_command(struct mg_sc *s, const char *line, struct mg_sc_reply *r, GError **err);
/* Send the encoded message (after a 354) and read the final reply. */
gboolean mg_sc_data(struct mg_sc *s, const char *msg, gsize len, struct mg_sc_reply *r, GError **err);
/* QUIT (reply ignored) and close; NULL is fine. */
void mg_sc_close(struct mg_sc *s);

#endif
