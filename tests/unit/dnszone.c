/*
 * dnszone.c - the tests' in-process DNS: answers from a recorded zone file
 * (the format written by tests/auth/mkauth.py), plugged under the
 * resolver's cache with mg_auth_dns_set_backend.  Test code only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "dnszone.h"

struct rec {
	char *name;
	int type; /* 0 = TIMEOUT, -1 = SERVFAIL */
	GBytes *data;
};

struct mg_test_zone {
	GPtrArray *recs;
};

static void rec_free(gpointer p)
{
	struct rec *r = p;
	g_free(r->name);
	if (r->data)
		g_bytes_unref(r->data);
	g_free(r);
}

static int type_of(const char *t)
{
	static const struct {
		const char *name;
		int type;
	} types[] = {{"A", MG_DNS_A},     {"AAAA", MG_DNS_AAAA}, {"MX", MG_DNS_MX}, {"TXT", MG_DNS_TXT},
		     {"PTR", MG_DNS_PTR}, {"TIMEOUT", 0},        {"SERVFAIL", -1}};
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (strcmp(t, types[i].name) == 0)
			return types[i].type;
	return -2;
}

static GBytes *data_of(int type, const char *v)
{
	guchar buf[16];
	switch (type) {
	case MG_DNS_A: return inet_pton(AF_INET, v, buf) == 1 ? g_bytes_new(buf, 4) : NULL;
	case MG_DNS_AAAA: return inet_pton(AF_INET6, v, buf) == 1 ? g_bytes_new(buf, 16) : NULL;
	case MG_DNS_MX: {
		const char *sp = strchr(v, ' ');
		return sp ? g_bytes_new(sp + 1, strlen(sp + 1)) : NULL;
	}
	case MG_DNS_TXT: {
		gsize n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
			return g_bytes_new(v + 1, n - 2);
		return g_bytes_new(v, n);
	}
	default: return g_bytes_new(v, strlen(v));
	}
}

struct mg_test_zone *mg_test_zone_load(const char *path)
{
	char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	struct mg_test_zone *z = g_new0(struct mg_test_zone, 1);
	z->recs = g_ptr_array_new_with_free_func(rec_free);
	char **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char **f = g_strsplit(g_strstrip(lines[i]), " ", 3);
		int type = f[0] && f[1] && f[0][0] != '#' ? type_of(f[1]) : -2;
		if (type > -2) {
			struct rec *r = g_new0(struct rec, 1);
			r->name = g_ascii_strdown(f[0], -1);
			r->type = type;
			r->data = type > 0 && f[2] ? data_of(type, f[2]) : NULL;
			g_ptr_array_add(z->recs, r);
		}
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	return z;
}

void mg_test_zone_free(struct mg_test_zone *z)
{
	if (!z)
		return;
	g_ptr_array_unref(z->recs);
	g_free(z);
}

static gboolean under(const char *name, const char *zone_name)
{
	gsize n = strlen(name), z = strlen(zone_name);
	return g_ascii_strcasecmp(name, zone_name) == 0 ||
	       (n > z && name[n - z - 1] == '.' && g_ascii_strcasecmp(name + n - z, zone_name) == 0);
}

enum mg_dns_status mg_test_zone_backend(void *data, const char *name, int type, gint64 deadline_us, GPtrArray *rrs,
					guint32 *ttl)
{
	struct mg_test_zone *z = data;
	gboolean exists = FALSE;
	*ttl = 300;
	for (guint i = 0; i < z->recs->len; i++) {
		struct rec *r = z->recs->pdata[i];
		if (r->type <= 0 && under(name, r->name))
			return MG_DNS_TEMPFAIL; /* TIMEOUT (the deadline is not waited for) or SERVFAIL */
		if (g_ascii_strcasecmp(r->name, name) != 0)
			continue;
		exists = TRUE;
		if (r->type == type && r->data)
			g_ptr_array_add(rrs, g_bytes_ref(r->data));
	}
	return rrs->len ? MG_DNS_OK : exists ? MG_DNS_NODATA : MG_DNS_NXDOMAIN;
}
