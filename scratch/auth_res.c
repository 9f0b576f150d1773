#include "config.h"

#include <string.h>

#include "auth_priv.h"

static const char *res_names[] = {"none", "pass", "fail", "softfail", "neutral", "policy", "temperror", "permerror"};

const char *mg_auth_res_name(enum mg_auth_res r)
{
	return (guint)r < G_N_ELEMENTS(res_names) ? res_names[r] : "permerror";
}

enum mg_auth_res mg_auth_res_parse(const char *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(res_names); i++)
		if (g_ascii_strcasecmp(s, res_names[i]) == 0)
			return (enum mg_auth_res)i;
	return MG_AUTH_PERMERROR;
}
