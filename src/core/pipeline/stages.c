/*
 * stages.c - the stages' parts in the configuration, registered once by
 * mg_pipeline_global_init before any configuration is loaded: the checks
 * of the keys a stage owns, and the hooks that derive each stage's data
 * from a loaded configuration (compiled policy tables, the notice
 * template) and release it.  Order matters: checks of the world first
 * (scanner, store), then the tables, then the notice.
 */
#include "config.h"

#include "mg_alert.h"
#include "mg_auth.h"
#include "mg_body.h"
#include "mg_cdr_policy.h"
#include "mg_config.h"
#include "mg_pipeline.h"
#include "mg_guard.h"
#include "mg_policy.h"
#include "mg_scan.h"
#include "mg_store.h"

static const struct mg_config_hooks stage_hooks[] = {
	{mg_scan_config_check, NULL},
	{mg_store_config_check, NULL},
	{mg_policy_config_compile, mg_policy_config_release}, /* issue 6 */
	{mg_auth_config_compile, mg_auth_config_release},     /* issue 16: profiles, encryption, auth */
	{mg_guard_config_compile, mg_guard_config_release},   /* issue 16 (items 5-9): outbound controls */
	{mg_cdr_rules_compile, mg_cdr_rules_release},         /* issue 4a */
	{mg_notice_config_finish, mg_notice_config_release},  /* issue 3: notice template */
	{mg_alert_config_finish, mg_alert_config_release},    /* issue 17: roles and routes */
};

static gpointer register_stages(gpointer unused)
{
	(void)unused;
	mg_config_register_check("attachment_rule", mg_cdr_rule_check);
	mg_config_register_check("internal_network", mg_policy_check_network);
	mg_config_register_check("internal_domain", mg_policy_check_domain);
	mg_config_register_check("bcc_exempt_sender", mg_policy_check_address);
	mg_config_register_check("auth_serv_id", mg_auth_check_serv_id); /* issue 16 */
	mg_config_register_check("auth_trusted_serv_id", mg_auth_check_serv_id);
	mg_config_register_check("auth_dns_server", mg_auth_check_dns_server);
	mg_config_register_check("auth_protected_domain", mg_policy_check_domain);
	mg_config_register_check("approved_encryption", mg_auth_check_scheme);
	for (gsize i = 0; i < G_N_ELEMENTS(stage_hooks); i++)
		mg_config_register_hooks(&stage_hooks[i]);
	return NULL;
}

void mg_pipeline_register_stages(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, register_stages, NULL);
}
