/* proto.c - prototype driver: run SPF/DKIM/DMARC over mkauth.py's cases. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth_priv.h"
#include "dnszone.h"
#include "mg_log.h"
#include "mg_txn.h"

static void hfree(gpointer p)
{
	struct mg_header *h = p;
	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

/* split a LF message into MTA-style headers and the body */
static GPtrArray *split(const char *msg, const char **body)
{
	GPtrArray *hs = g_ptr_array_new_with_free_func(hfree);
	const char *p = msg;
	while (*p && *p != '\n') {
		const char *e = p;
		for (;;) {
			const char *nl = strchr(e, '\n');
			if (!nl) {
				e = p + strlen(p);
				break;
			}
			e = nl + 1;
			if (*e != ' ' && *e != '\t')
				break;
		}
		const char *colon = memchr(p, ':', e - p);
		struct mg_header *h = g_new0(struct mg_header, 1);
		h->name = g_strndup(p, colon - p);
		const char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		h->value = g_strndup(v, (e - v) - 1);
		g_ptr_array_add(hs, h);
		p = e;
	}
	*body = *p == '\n' ? p + 1 : p;
	return hs;
}

static char *from_domain(const GPtrArray *hs)
{
	for (guint i = 0; i < hs->len; i++) {
		struct mg_header *h = hs->pdata[i];
		if (g_ascii_strcasecmp(h->name, "From"))
			continue;
		const char *lt = strrchr(h->value, '<');
		const char *at = strrchr(h->value, '@');
		char *d = g_strdup(at + 1);
		char *gt = strchr(d, '>');
		if (gt)
			*gt = 0;
		(void)lt;
		return d;
	}
	return g_strdup("");
}

int main(int argc, char **argv)
{
	const char *dir = argv[1];
	mg_log_init("proto", TRUE);
	mg_log_set_level(argc > 2 ? 3 : 1);
	char *zp = g_build_filename(dir, "zone", NULL), *psl = g_build_filename(dir, "psl.dat", NULL);
	struct mg_test_zone *z = mg_test_zone_load(zp);
	struct mg_auth_dns *dns = mg_auth_dns_new("", 2, 100, 3600, NULL);
	mg_auth_dns_set_backend(dns, mg_test_zone_backend, z);
	mg_auth_spf_global_init();
	GError *err = NULL;
	if (!mg_auth_dmarc_global_init(psl, &err))
		g_error("%s", err->message);
	struct mg_auth_dkim_lib *dl = mg_auth_dkim_lib_new(5, &err);
	char *cp = g_build_filename(dir, "cases.tsv", NULL), *cases = NULL;
	g_file_get_contents(cp, &cases, NULL, NULL);
	char **lines = g_strsplit(cases, "\n", -1);
	int bad = 0;
	for (int i = 0; lines[i] && *lines[i]; i++) {
		char **f = g_strsplit(lines[i], "\t", -1);
		char *ep = g_strdup_printf("%s/%s.eml", dir, f[0]), *msg = NULL;
		g_file_get_contents(ep, &msg, NULL, NULL);
		const char *body;
		GPtrArray *hs = split(msg, &body);
		struct mg_auth_ctx c = {dns, g_get_monotonic_time() + 10 * G_USEC_PER_SEC, f[0], NULL};
		struct mg_auth_spf spf;
		struct mg_auth_dmarc dm;
		GPtrArray *sigs = g_ptr_array_new_with_free_func(mg_auth_dkim_free);
		mg_auth_spf_check(&c, f[1], f[2], f[3], &spf);
		GMimeStream *bs = g_mime_stream_mem_new_with_buffer(body, strlen(body));
		mg_auth_dkim_check(&c, dl, hs, bs, sigs);
		char *fd = from_domain(hs);
		mg_auth_dmarc_check(&c, f[1], fd, &spf, sigs, &dm);
		const char *gs = mg_auth_res_name(spf.res), *gd = mg_auth_res_name(mg_auth_dkim_summary(sigs)),
			   *gm = mg_auth_res_name(dm.res);
		gboolean ok = !strcmp(gs, f[4]) && !strcmp(gd, f[5]) && !strcmp(gm, f[6]);
		bad += !ok;
		printf("%-18s spf=%s(%s) dkim=%s dmarc=%s p=%s (%s) %s\n", f[0], gs, spf.reason, gd, gm,
		       dm.policy ? dm.policy : "-", dm.reason ? dm.reason : "", ok ? "OK" : "MISMATCH");
		for (guint k = 0; k < sigs->len; k++) {
			struct mg_auth_dkim *d = sigs->pdata[k];
			printf("    dkim d=%s s=%s b=%s %s (%s)\n", d->domain, d->selector, d->b, mg_auth_res_name(d->res),
			       d->reason);
		}
		g_object_unref(bs);
		mg_auth_spf_clear(&spf);
		mg_auth_dmarc_clear(&dm);
		g_ptr_array_unref(sigs);
		g_ptr_array_unref(hs);
		g_free(fd);
		g_free(msg);
		g_free(ep);
		g_strfreev(f);
	}
	printf("misses=%u mismatches=%d\n", mg_auth_dns_misses(dns), bad);
	g_strfreev(lines);
	g_free(cases);
	g_free(cp);
	mg_auth_dkim_lib_free(dl);
	mg_auth_dns_free(dns);
	mg_test_zone_free(z);
	g_free(zp);
	g_free(psl);
	return bad != 0;
}
