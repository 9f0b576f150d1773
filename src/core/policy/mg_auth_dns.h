/*
 * mg_auth_dns - the DNS lookups of sender authentication (issue 16): one
 * resolver per loaded configuration, with a per-query timeout, a per-message
 * deadline and a bounded answer cache shared by the threads.
 *
 * Contract: mg_auth_dns_new builds a resolver from the configuration (the
 * system resolver of /etc/resolv.conf, or one server given as IP[:PORT]);
 * mg_auth_dns_query answers one question before a deadline (monotonic
 * microseconds).  A timeout, a SERVFAIL, a refused or unparsable answer is
 * MG_DNS_TEMPFAIL and is never cached; NXDOMAIN and NODATA are real answers
 * (cached for at most auth_dns_cache_max_ttl).  The records of an answer
 * are GBytes*: TXT strings joined (RFC 7208 3.3, RFC 6376 3.6.2.2), A and
 * AAAA as 4 and 16 network-order bytes, MX and PTR as the host name.
 * Thread-safe; the cache has its own lock.  Tests replace the network with
 * mg_auth_dns_set_backend (an in-process table of recorded answers).
 */
#ifndef MG_AUTH_DNS_H
#define MG_AUTH_DNS_H

#include <glib.h>

enum mg_dns_status { MG_DNS_OK = 0, MG_DNS_NXDOMAIN, MG_DNS_NODATA, MG_DNS_TEMPFAIL };

/* Query types (the RFC 1035 numbers). */
enum { MG_DNS_A = 1, MG_DNS_PTR = 12, MG_DNS_MX = 15, MG_DNS_TXT = 16, MG_DNS_AAAA = 28 };

struct mg_auth_dns;

/* server: "" = the system resolver, or "IPv4[:PORT]".  timeout_s: longest
 * wait for one answer; cache_max: entries kept (0 = no cache); max_ttl:
 * seconds an answer may be reused. */
struct mg_auth_dns *mg_auth_dns_new(const char *server, int timeout_s, guint cache_max, int max_ttl, GError **err);
void mg_auth_dns_free(struct mg_auth_dns *d);

/* The answer source below the cache; returns the status and, for
 * MG_DNS_OK, appends GBytes* to rrs and sets *ttl. */
typedef enum mg_dns_status (*mg_auth_dns_backend)(void *data, const char *name, int type, gint64 deadline_us,
						  GPtrArray *rrs, guint32 *ttl);
void mg_auth_dns_set_backend(struct mg_auth_dns *d, mg_auth_dns_backend fn, void *data);

/* One question.  *rrs (GBytes*, caller unrefs the array) is set for
 * MG_DNS_OK only.  A deadline already past gives MG_DNS_TEMPFAIL. */
enum mg_dns_status mg_auth_dns_query(struct mg_auth_dns *d, const char *name, int type, gint64 deadline_us,
				     GPtrArray **rrs);

/* Questions sent below the cache so far (tests check the cache with it). */
guint mg_auth_dns_misses(struct mg_auth_dns *d);

const char *mg_auth_dns_status_name(enum mg_dns_status s);

/* A TXT answer's first record as a NUL-terminated string (NULL if none or
 * it holds a NUL byte; caller frees). */
char *mg_auth_dns_txt(const GPtrArray *rrs, guint i);

#endif
