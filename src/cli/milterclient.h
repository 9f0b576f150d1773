/*
 * milterclient.h - the MTA side of the milter protocol (version 6), enough
 * to drive a running mugaika-milter the way Postfix does: `mugaika
 * selftest` uses it to see exactly what the MTA would be told, without
 * delivering anything.  One connection, one or more messages, each step's
 * reply read and kept; end of message collects the modifications.
 * Bounded: packets of at most 1 MiB, a timeout on every read and write.
 */
#ifndef MG_MILTERCLIENT_H
#define MG_MILTERCLIENT_H

#include <glib.h>

struct mg_mc;

struct mg_mc_reply {
	char action;        /* 'c' continue, 'a' accept, 'r' reject, 't' tempfail, 'd' discard, 'y' reply code */
	char *text;         /* for 'y': "550 5.7.1 ..." */
	GPtrArray *added;   /* "Name: value" of added or inserted headers (end of message) */
	GPtrArray *changed; /* "Name: value" of changed headers ("Name:" alone: deleted) */
	GString *body;      /* the replaced body, when replaced */
	char *quarantine;   /* reason, when the milter asked to quarantine */
};

/* socket: unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST */
struct mg_mc *mg_mc_open(const char *socket, guint timeout_s, GError **err);
void mg_mc_close(struct mg_mc *m);

/* Each step returns FALSE with *err when the connection failed; else the
 * milter's answer is in *r (cleared first).  A step the milter asked not to
 * see (protocol flags) is skipped with r->action = 'c'. */
gboolean mg_mc_connect(struct mg_mc *m, const char *host, const char *addr, struct mg_mc_reply *r, GError **err);
gboolean mg_mc_helo(struct mg_mc *m, const char *helo, struct mg_mc_reply *r, GError **err);
/* args: ESMTP parameters ("SIZE=123"), may be NULL; qid: macro i */
gboolean mg_mc_mail(struct mg_mc *m, const char *sender, char **args, const char *qid, struct mg_mc_reply *r,
		    GError **err);
gboolean mg_mc_rcpt(struct mg_mc *m, const char *rcpt, struct mg_mc_reply *r, GError **err);
/* The message (LF line ends): headers one by one, end of headers, body in
 * chunks, end of message (with the modifications). Stops at the first
 * final answer. */
gboolean mg_mc_message(struct mg_mc *m, const char *msg, gsize len, struct mg_mc_reply *r, GError **err);
/* Forget the message in progress (SMFIC_ABORT). */
gboolean mg_mc_abort(struct mg_mc *m, GError **err);

void mg_mc_reply_clear(struct mg_mc_reply *r);
/* "accept", "continue", "reject: 550 5.7.1 ...", "tempfail", ... */
char *mg_mc_reply_describe(const struct mg_mc_reply *r);
/* TRUE for the answers that end the message (reject, tempfail, discard, reply code) */
gboolean mg_mc_reply_final(const struct mg_mc_reply *r);

#endif
