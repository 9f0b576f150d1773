/*
 * auth_dns.c - DNS for sender authentication (see mg_auth_dns.h): glibc's
 * stub resolver (res_nquery, a private resolver state per question, so
 * threads never share one) below a bounded cache.
 *
 * Why res_nquery: it is the resolver every Debian host already trusts
 * (resolv.conf, EDNS0, TCP on truncation), it lets us bound the wait per
 * question (retrans/retry) and point it at one server for a site resolver
 * or a test.  The libraries that evaluate the records (libspf2, libopendkim,
 * libopendmarc) all get their answers from here, so there is one timeout,
 * one deadline and one cache for the three of them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

#include "mg_auth_dns.h"
#include "mg_config.h"

#define DNS_ANSWER_MAX 65536 /* the largest DNS message (TCP) */

struct cache_entry {
	enum mg_dns_status status;
	GPtrArray *rrs; /* GBytes*, or NULL */
	gint64 expires_us;
};

struct mg_auth_dns {
	gboolean override; /* ask `server` instead of resolv.conf's */
	struct sockaddr_in server;
	int timeout_s;
	guint cache_max;
	int max_ttl;
	GMutex lock;
	GHashTable *cache; /* "type/name" -> struct cache_entry* */
	guint misses;
	mg_auth_dns_backend backend;
	void *backend_data;
};

static enum mg_dns_status resolver_query(void *data, const char *name, int type, gint64 deadline_us, GPtrArray *rrs,
					 guint32 *ttl);

const char *mg_auth_dns_status_name(enum mg_dns_status s)
{
	static const char *names[] = {"ok", "nxdomain", "nodata", "tempfail"};
	return (guint)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

static void entry_free(gpointer p)
{
	struct cache_entry *e = p;
	if (e->rrs)
		g_ptr_array_unref(e->rrs);
	g_free(e);
}

static gboolean server_parse(struct mg_auth_dns *d, const char *server, GError **err)
{
	char *host = g_strdup(server);
	char *colon = strchr(host, ':');
	guint64 port = 53;
	gboolean ok = TRUE;
	if (colon) {
		*colon = '\0';
		ok = g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL);
	}
	memset(&d->server, 0, sizeof d->server);
	d->server.sin_family = AF_INET;
	d->server.sin_port = htons((guint16)port);
	if (!ok || inet_pton(AF_INET, host, &d->server.sin_addr) != 1) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "auth_dns_server: '%s' is not an IPv4 address with an optional port; allowed: "
			    "empty (the system resolver) or ADDRESS[:PORT], e.g. 127.0.0.1:53",
			    server);
		ok = FALSE;
	}
	g_free(host);
	return ok;
}

struct mg_auth_dns *mg_auth_dns_new(const char *server, int timeout_s, guint cache_max, int max_ttl, GError **err)
{
	struct mg_auth_dns *d = g_new0(struct mg_auth_dns, 1);
	g_mutex_init(&d->lock);
	d->timeout_s = MAX(timeout_s, 1);
	d->cache_max = cache_max;
	d->max_ttl = max_ttl;
	d->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	d->backend = resolver_query;
	d->backend_data = d;
	d->override = server && *server;
	if (d->override && !server_parse(d, server, err)) {
		mg_auth_dns_free(d);
		return NULL;
	}
	return d;
}

void mg_auth_dns_free(struct mg_auth_dns *d)
{
	if (!d)
		return;
	g_hash_table_destroy(d->cache);
	g_mutex_clear(&d->lock);
	g_free(d);
}

void mg_auth_dns_set_backend(struct mg_auth_dns *d, mg_auth_dns_backend fn, void *data)
{
	d->backend = fn ? fn : resolver_query;
	d->backend_data = fn ? data : d;
}

guint mg_auth_dns_misses(struct mg_auth_dns *d)
{
	g_mutex_lock(&d->lock);
	guint n = d->misses;
	g_mutex_unlock(&d->lock);
	return n;
}

char *mg_auth_dns_txt(const GPtrArray *rrs, guint i)
{
	if (!rrs || i >= rrs->len)
		return NULL;
	gsize len = 0;
	const char *p = g_bytes_get_data(rrs->pdata[i], &len);
	if (len && memchr(p, '\0', len))
		return NULL;
	return g_strndup(p ? p : "", len);
}

/* ---- one question through res_nquery ---- */

/* The record's data as GBytes (see the header for the forms). */
static GBytes *rr_bytes(ns_msg *msg, ns_rr *rr)
{
	const guchar *rd = ns_rr_rdata(*rr);
	guint len = ns_rr_rdlen(*rr);
	char host[NS_MAXDNAME];
	switch (ns_rr_type(*rr)) {
	case ns_t_a: return len == 4 ? g_bytes_new(rd, 4) : NULL;
	case ns_t_aaaa: return len == 16 ? g_bytes_new(rd, 16) : NULL;
	case ns_t_mx:
		if (len < 3 || ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), rd + 2, host, sizeof host) < 0)
			return NULL;
		return g_bytes_new(host, strlen(host));
	case ns_t_ptr:
		if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), rd, host, sizeof host) < 0)
			return NULL;
		return g_bytes_new(host, strlen(host));
	case ns_t_txt: {
		GByteArray *b = g_byte_array_new();
		for (guint i = 0; i < len;) { /* <length><bytes> strings, joined */
			guint n = MIN(rd[i], len - i - 1);
			g_byte_array_append(b, rd + i + 1, n);
			i += n + 1;
		}
		return g_byte_array_free_to_bytes(b);
	}
	default: return NULL;
	}
}

/* Records of the asked type from the answer section (a CNAME chain the
 * recursive resolver followed is skipped). */
static enum mg_dns_status answer_parse(const guchar *buf, int len, int type, GPtrArray *rrs, guint32 *ttl)
{
	ns_msg msg;
	ns_rr rr;
	if (ns_initparse(buf, len, &msg) < 0)
		return MG_DNS_TEMPFAIL;
	*ttl = G_MAXUINT32;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			return MG_DNS_TEMPFAIL;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;
		GBytes *b = rr_bytes(&msg, &rr);
		if (!b)
			return MG_DNS_TEMPFAIL; /* a malformed record: not "no record" */
		g_ptr_array_add(rrs, b);
		*ttl = MIN(*ttl, ns_rr_ttl(rr));
	}
	return rrs->len ? MG_DNS_OK : MG_DNS_NODATA;
}

static void state_prepare(struct mg_auth_dns *d, res_state st, gint64 deadline_us)
{
	gint64 left_s = (deadline_us - g_get_monotonic_time()) / G_USEC_PER_SEC;
	if (d->override) {
		st->nsaddr_list[0] = d->server; /* sin_family set: glibc uses this, not _ext */
		st->nscount = 1;
	}
	st->retry = 1;
	st->retrans = (int)CLAMP(left_s / MAX(st->nscount, 1), 1, d->timeout_s);
	st->options |= RES_USE_EDNS0;
	st->options &= ~(RES_DNSRCH | RES_DEFNAMES);
}

static enum mg_dns_status resolver_query(void *data, const char *name, int type, gint64 deadline_us, GPtrArray *rrs,
					 guint32 *ttl)
{
	struct mg_auth_dns *d = data;
	struct __res_state st;
	enum mg_dns_status s = MG_DNS_TEMPFAIL;
	guchar *buf = g_malloc(DNS_ANSWER_MAX);
	memset(&st, 0, sizeof st);
	if (res_ninit(&st) != 0)
		goto out;
	state_prepare(d, &st, deadline_us);
	int n = res_nquery(&st, name, ns_c_in, type, buf, DNS_ANSWER_MAX);
	if (n >= 0)
		s = answer_parse(buf, MIN(n, DNS_ANSWER_MAX), type, rrs, ttl);
	else if (st.res_h_errno == HOST_NOT_FOUND)
		s = MG_DNS_NXDOMAIN;
	else if (st.res_h_errno == NO_DATA)
		s = MG_DNS_NODATA;
	res_nclose(&st);
out:
	g_free(buf);
	return s;
}

/* ---- the cache ---- */

static GPtrArray *rrs_copy(const GPtrArray *src)
{
	GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	for (guint i = 0; src && i < src->len; i++)
		g_ptr_array_add(a, g_bytes_ref(src->pdata[i]));
	return a;
}

static gboolean entry_expired(gpointer key, gpointer value, gpointer now)
{
	return ((struct cache_entry *)value)->expires_us <= *(gint64 *)now;
}

/* Under the lock: a live entry, or NULL. */
static struct cache_entry *cache_get(struct mg_auth_dns *d, const char *key)
{
	struct cache_entry *e = g_hash_table_lookup(d->cache, key);
	if (e && e->expires_us <= g_get_monotonic_time()) {
		g_hash_table_remove(d->cache, key);
		e = NULL;
	}
	return e;
}

/* Under the lock.  When full, expired entries go first; if that is not
 * enough the cache starts over (simple, and bounded). */
static void cache_put(struct mg_auth_dns *d, char *key, enum mg_dns_status s, GPtrArray *rrs, guint32 ttl)
{
	gint64 now = g_get_monotonic_time();
	if (g_hash_table_size(d->cache) >= d->cache_max)
		g_hash_table_foreach_remove(d->cache, entry_expired, &now);
	if (g_hash_table_size(d->cache) >= d->cache_max)
		g_hash_table_remove_all(d->cache);
	struct cache_entry *e = g_new0(struct cache_entry, 1);
	e->status = s;
	e->rrs = rrs ? rrs_copy(rrs) : NULL;
	e->expires_us = now + (gint64)MIN(ttl, (guint32)d->max_ttl) * G_USEC_PER_SEC;
	g_hash_table_replace(d->cache, key, e);
}

/* TRUE and *s (and *rrs) when the cache holds the answer. */
static gboolean lookup_cached(struct mg_auth_dns *d, const char *key, enum mg_dns_status *s, GPtrArray **rrs)
{
	g_mutex_lock(&d->lock);
	struct cache_entry *e = d->cache_max ? cache_get(d, key) : NULL;
	if (e) {
		*s = e->status;
		if (e->status == MG_DNS_OK)
			*rrs = rrs_copy(e->rrs);
	} else {
		d->misses++;
	}
	g_mutex_unlock(&d->lock);
	return e != NULL;
}

#define NEGATIVE_TTL 300 /* seconds a "no such record" answer is reused (RFC 2308's usual bound) */

enum mg_dns_status mg_auth_dns_query(struct mg_auth_dns *d, const char *name, int type, gint64 deadline_us,
				     GPtrArray **rrs)
{
	char *raw = g_strdup_printf("%d/%s", type, name);
	char *key = g_ascii_strdown(raw, -1);
	enum mg_dns_status s = MG_DNS_TEMPFAIL;
	g_free(raw);
	*rrs = NULL;
	if (lookup_cached(d, key, &s, rrs)) {
		g_free(key);
		return s;
	}
	GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	guint32 ttl = NEGATIVE_TTL;
	s = g_get_monotonic_time() < deadline_us ? d->backend(d->backend_data, name, type, deadline_us, got, &ttl)
						 : MG_DNS_TEMPFAIL;
	if (s != MG_DNS_TEMPFAIL && d->cache_max) {
		g_mutex_lock(&d->lock);
		cache_put(d, g_strdup(key), s, s == MG_DNS_OK ? got : NULL, s == MG_DNS_OK ? ttl : NEGATIVE_TTL);
		g_mutex_unlock(&d->lock);
	}
	g_free(key);
	if (s == MG_DNS_OK)
		*rrs = got;
	else
		g_ptr_array_unref(got);
	return s;
}
