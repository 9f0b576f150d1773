/*
 * policy_zone.c - zones of the boundary policy: internal networks (CIDR,
 * parsed by GIO's GInetAddressMask), internal mail domains, address
 * helpers, and the configuration hook that compiles them together with the
 * permit list and the reply templates.
 *
 * Contract: the check functions validate one config line (so errors carry
 * file:line); mg_policy_config_compile builds struct mg_policy_data once
 * per loaded config; everything else only reads it and is thread-safe.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "mg_charset.h"
#include "mg_log.h"
#include "mg_policy.h"
#include "policy_priv.h"

gboolean mg_policy_check_network(const char *value, char **why)
{
	GError *err = NULL;
	GInetAddressMask *m = g_inet_address_mask_new_from_string(value, &err);
	if (m) {
		g_object_unref(m);
		return TRUE;
	}
	*why = g_strdup_printf("'%s' is not a network (%s); allowed: ADDRESS/PREFIX with no host bits set, "
			       "e.g. 10.0.0.0/8 or 2001:db8::/32",
			       value, err->message);
	g_error_free(err);
	return FALSE;
}

static gboolean domain_valid(const char *d)
{
	gsize len = strlen(d);
	if (len == 0 || len > 253 || *d == '.' || *d == '-' || strstr(d, ".."))
		return FALSE;
	for (const char *p = d; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

gboolean mg_policy_check_domain(const char *value, char **why)
{
	if (domain_valid(value))
		return TRUE;
	*why = g_strdup_printf("'%s' is not a domain name; allowed: letters, digits, '-' and '.', "
			       "e.g. city.example.lg.jp",
			       value);
	return FALSE;
}

gboolean mg_policy_check_address(const char *value, char **why)
{
	const char *at = strrchr(value, '@');
	if (at && domain_valid(at + 1) && !strpbrk(value, " \t<>,"))
		return TRUE;
	*why = g_strdup_printf("'%s' is not an address; allowed: user@domain or @domain", value);
	return FALSE;
}

char *mg_policy_addr_bare(const char *addr)
{
	const char *s = addr ? addr : "";
	while (*s == ' ' || *s == '<')
		s++;
	char *b = g_ascii_strdown(s, -1);
	gsize n = strlen(b);
	while (n > 0 && (b[n - 1] == '>' || b[n - 1] == ' ' || b[n - 1] == '.'))
		b[--n] = '\0';
	char *colon = b[0] == '@' ? strchr(b, ':') : NULL; /* source route "@a,@b:u@d" */
	if (colon)
		memmove(b, colon + 1, strlen(colon + 1) + 1);
	return b;
}

char *mg_policy_addr_domain(const char *addr)
{
	char *b = mg_policy_addr_bare(addr);
	const char *at = strrchr(b, '@');
	char *d = g_strdup(at ? at + 1 : "");
	g_free(b);
	return d;
}

gboolean mg_policy_domain_internal(const struct mg_config *cfg, const char *domain)
{
	gsize dl = strlen(domain);
	for (char **p = cfg->internal_domain; p && *p; p++) {
		gsize pl = strlen(*p);
		if (g_ascii_strcasecmp(domain, *p) == 0)
			return TRUE;
		if (dl > pl && domain[dl - pl - 1] == '.' && g_ascii_strcasecmp(domain + dl - pl, *p) == 0)
			return TRUE;
	}
	return FALSE;
}

/* An address without a domain ("postmaster") is a local mailbox.  A local
 * part with routing characters ("victim%example.com@ours", "host!victim")
 * may be relayed elsewhere by the MTA: never internal. */
gboolean mg_policy_addr_internal(const struct mg_config *cfg, const char *addr)
{
	char *b = mg_policy_addr_bare(addr);
	char *at = strrchr(b, '@');
	if (at)
		*at = '\0';
	gboolean routed = strpbrk(b, "%!") != NULL;
	g_free(b);
	if (routed)
		return FALSE;
	char *d = mg_policy_addr_domain(addr);
	gboolean in = *d == '\0' || mg_policy_domain_internal(cfg, d);
	g_free(d);
	return in;
}

gboolean mg_policy_zones_configured(const struct mg_config *cfg)
{
	return cfg->internal_domain && cfg->internal_domain[0];
}

/* IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched as the IPv4 address. */
static GInetAddress *client_inet(const char *client_addr)
{
	GInetAddress *a = g_inet_address_new_from_string(client_addr);
	if (!a || g_inet_address_get_family(a) != G_SOCKET_FAMILY_IPV6)
		return a;
	const guint8 *b = g_inet_address_to_bytes(a);
	static const guint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(b, mapped, 12) != 0)
		return a;
	GInetAddress *v4 = g_inet_address_new_from_bytes(b + 12, G_SOCKET_FAMILY_IPV4);
	g_object_unref(a);
	return v4;
}

gboolean mg_policy_client_internal(const struct mg_config *cfg, const char *client_addr)
{
	const struct mg_policy_data *pd = cfg->policy;
	if (!pd || !client_addr || !*client_addr)
		return FALSE;
	GInetAddress *a = client_inet(client_addr);
	gboolean in = FALSE;
	for (guint i = 0; a && !in && i < pd->networks->len; i++)
		in = g_inet_address_mask_matches(pd->networks->pdata[i], a);
	if (a)
		g_object_unref(a);
	return in;
}

gboolean mg_policy_addr_matches(const char *pattern, const char *addr)
{
	char *a = mg_policy_addr_bare(addr);
	gboolean m;
	if (pattern[0] == '@') {
		const char *at = strrchr(a, '@');
		const char *d = at ? at + 1 : "";
		gsize dl = strlen(d), pl = strlen(pattern + 1);
		m = g_ascii_strcasecmp(d, pattern + 1) == 0 ||
		    (dl > pl && d[dl - pl - 1] == '.' && g_ascii_strcasecmp(d + dl - pl, pattern + 1) == 0);
	} else {
		m = g_ascii_strcasecmp(a, pattern) == 0;
	}
	g_free(a);
	return m;
}

static void add_mailbox(GPtrArray *out, InternetAddress *a)
{
	if (INTERNET_ADDRESS_IS_MAILBOX(a))
		g_ptr_array_add(out,
				mg_policy_addr_bare(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))));
}

/* GMime's address parser; group members are flattened (groups do not nest). */
GPtrArray *mg_policy_field_addresses(const char *value)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	InternetAddressList *l = internet_address_list_parse(mg_charset_parser_options(), value);
	for (int i = 0; l && i < internet_address_list_length(l); i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		InternetAddressList *m = INTERNET_ADDRESS_IS_GROUP(a)
						 ? internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a))
						 : NULL;
		for (int j = 0; m && j < internet_address_list_length(m); j++)
			add_mailbox(out, internet_address_list_get_address(m, j));
		add_mailbox(out, a);
	}
	if (l)
		g_object_unref(l);
	return out;
}

const char *mg_policy_direction_name(enum mg_direction d)
{
	static const char *names[] = {"inbound", "outbound", "internal", "transit"};
	return (guint)d < G_N_ELEMENTS(names) ? names[d] : "?";
}

static gboolean compile_networks(struct mg_config *cfg, struct mg_policy_data *pd, GError **err)
{
	for (char **p = cfg->internal_network; p && *p; p++) {
		GInetAddressMask *m = g_inet_address_mask_new_from_string(*p, err);
		if (!m)
			return FALSE; /* the row check already refused it with file:line */
		g_ptr_array_add(pd->networks, m);
	}
	return TRUE;
}

static gboolean compile_files(struct mg_config *cfg, struct mg_policy_data *pd, GError **err)
{
	gboolean need =
		cfg->auto_forward_inbound == MG_FWD_PERMIT_LIST || cfg->auto_forward_outbound == MG_FWD_PERMIT_LIST;
	if (need && !*cfg->auto_forward_permit_file && !*cfg->exceptions_file) { /* issue 16: or the registry */
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: auto_forward_permit_file: empty, but an auto_forward mode is permit-list; "
			    "allowed: the path of a permit file (or auto-forward entries in exceptions_file)",
			    cfg->path);
		return FALSE;
	}
	if (*cfg->auto_forward_permit_file) {
		pd->permits = mg_permit_load(cfg->auto_forward_permit_file, NULL, err);
		if (!pd->permits)
			return FALSE;
	}
	if (*cfg->policy_replies) {
		pd->replies = mg_policy_replies_load(cfg->policy_replies, err);
		if (!pd->replies)
			return FALSE;
	}
	return TRUE;
}

gboolean mg_policy_config_compile(struct mg_config *cfg, GError **err)
{
	struct mg_policy_data *pd = g_new0(struct mg_policy_data, 1);
	pd->networks = g_ptr_array_new_with_free_func(g_object_unref);
	cfg->policy = pd;
	if (!compile_networks(cfg, pd, err) || !compile_files(cfg, pd, err))
		return FALSE; /* the release hook frees pd with the config */
	if (!mg_policy_zones_configured(cfg))
		mg_warn(NULL,
			"%s: no internal_domain configured: no recipient is internal, so mail from "
			"outside is refused as relaying (mugaika-milter refuses to start with this)",
			cfg->path);
	else if (pd->networks->len == 0)
		mg_warn(NULL,
			"%s: no internal_network configured: no client is internal, so mail to other "
			"domains is refused as relaying",
			cfg->path);
	return TRUE;
}

void mg_policy_config_release(struct mg_config *cfg)
{
	struct mg_policy_data *pd = cfg->policy;
	if (!pd)
		return;
	g_ptr_array_unref(pd->networks);
	if (pd->permits)
		g_ptr_array_unref(pd->permits);
	if (pd->replies)
		g_hash_table_unref(pd->replies);
	g_free(pd);
	cfg->policy = NULL;
}

gboolean mg_policy_config_ready(const struct mg_config *cfg, GError **err)
{
	if (mg_policy_zones_configured(cfg))
		return TRUE;
	g_set_error(err, MG_CONFIG_ERROR, 1,
		    "%s: internal_domain: not set; the open-relay guard needs the organisation's mail "
		    "domains; allowed: internal_domain = city.example.lg.jp (repeat the key for more)",
		    cfg->path);
	return FALSE;
}
