/*
 * auth_config.c - the configuration part of issue 16 (policyA): value
 * checks of single keys (registered by the step sequence, so errors carry
 * file:line) and the finish hook that checks keys against each other and
 * builds struct mg_auth_data (see mg_auth.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "auth_priv.h"
#include "enc_scheme.h"
#include "mg_auth.h"
#include "mg_log.h"
#include "mg_policy.h"

/* An authserv-id as we write it: a token of letters, digits, '.', '-', '_'. */
gboolean mg_auth_check_serv_id(const char *value, char **why)
{
	for (const char *p = value; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr(".-_", *p)) {
			*why = g_strdup_printf("'%s' is not an authserv-id; allowed: a host name such as "
					       "mx.city.example.lg.jp (letters, digits, '.', '-', '_')",
					       value);
			return FALSE;
		}
	return TRUE;
}

gboolean mg_auth_check_dns_server(const char *value, char **why)
{
	struct in_addr a;
	char *host = g_strdup(value);
	char *colon = strchr(host, ':');
	guint64 port = 53;
	gboolean ok = TRUE;
	if (colon) {
		*colon = '\0';
		ok = g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL);
	}
	ok = !*value || (ok && inet_pton(AF_INET, host, &a) == 1);
	g_free(host);
	if (!ok)
		*why = g_strdup_printf("'%s' is not an IPv4 address with an optional port; allowed: empty (the "
				       "servers of /etc/resolv.conf) or ADDRESS[:PORT], e.g. 127.0.0.1:53",
				       value);
	return ok;
}

gboolean mg_auth_check_scheme(const char *value, char **why)
{
	if (mg_enc_scheme_known(value))
		return TRUE;
	GString *ids = g_string_new(NULL);
	for (gsize i = 0; mg_enc_scheme_name(i); i++)
		g_string_append_printf(ids, "%s%s", i ? ", " : "", mg_enc_scheme_name(i));
	*why = g_strdup_printf("'%s' is not an encryption scheme; allowed: %s", value, ids->str);
	g_string_free(ids, TRUE);
	return FALSE;
}

/* Keys that only make sense together. */
static gboolean cross_check(const struct mg_config *cfg, const char *serv_id, GError **err)
{
	if (cfg->inbound_profile == MG_PROFILE_SCAN && cfg->zone_mode != MG_ZONE_GATEWAY) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: inbound_profile: scan is allowed only with zone_mode = gateway (mail into "
			    "LGWAN must be sanitized); allowed: sanitize",
			    cfg->path);
		return FALSE;
	}
	if (cfg->auth_mode != MG_AUTH_MODE_TRUST)
		return TRUE;
	if (!cfg->auth_trusted_serv_id || !cfg->auth_trusted_serv_id[0]) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: auth_trusted_serv_id: empty, but auth_mode is trust-upstream; allowed: the "
			    "authserv-id of the verifier placed before mugaika (OpenDKIM/OpenDMARC AuthservID)",
			    cfg->path);
		return FALSE;
	}
	for (char **p = cfg->auth_trusted_serv_id; *p; p++)
		if (g_ascii_strcasecmp(*p, serv_id) == 0) {
			g_set_error(err, MG_CONFIG_ERROR, 1,
				    "%s: auth_trusted_serv_id: %s is also our own auth_serv_id (fields with it "
				    "are removed as forged); allowed: a different authserv-id",
				    cfg->path, *p);
			return FALSE;
		}
	return TRUE;
}

static void warn_weak(const struct mg_config *cfg)
{
	for (char **p = cfg->approved_encryption; p && *p; p++)
		if (mg_enc_scheme_weak(*p))
			mg_warn(NULL, "%s: approved_encryption lists %s, a scheme known to be breakable", cfg->path,
				*p);
}

static gboolean verify_setup(struct mg_config *cfg, struct mg_auth_data *a, GError **err)
{
	mg_auth_spf_global_init();
	if (!mg_auth_dmarc_global_init(cfg->auth_public_suffix_list, err))
		return FALSE;
	a->dns = mg_auth_dns_new(cfg->auth_dns_server, (int)cfg->auth_dns_timeout, (guint)cfg->auth_dns_cache_size,
				 (int)cfg->auth_dns_cache_max_ttl, err);
	if (!a->dns)
		return FALSE;
	a->dkim = mg_auth_dkim_lib_new((guint)cfg->auth_max_signatures, err);
	return a->dkim != NULL;
}

gboolean mg_auth_config_compile(struct mg_config *cfg, GError **err)
{
	struct mg_auth_data *a = g_new0(struct mg_auth_data, 1);
	cfg->auth = a;
	a->serv_id = g_strdup(*cfg->auth_serv_id ? cfg->auth_serv_id : g_get_host_name());
	if (!cross_check(cfg, a->serv_id, err))
		return FALSE; /* the release hook frees a with the config */
	warn_weak(cfg);
	a->look = mg_lookalike_new(cfg->internal_domain, cfg->auth_protected_domain, cfg->auth_protected_name,
				   (int)cfg->auth_lookalike_distance, err);
	if (!a->look)
		return FALSE;
	return cfg->auth_mode != MG_AUTH_MODE_VERIFY || verify_setup(cfg, a, err);
}

void mg_auth_config_release(struct mg_config *cfg)
{
	struct mg_auth_data *a = cfg->auth;
	if (!a)
		return;
	mg_auth_dns_free(a->dns);
	mg_auth_dkim_lib_free(a->dkim);
	mg_lookalike_free(a->look);
	g_free(a->serv_id);
	g_free(a);
	cfg->auth = NULL;
}
