/*
 * admin_log.c - the admin audit log (see mg_account.h): one chained record
 * per administrative act, with who did it.  Used by the `mugaika` admin
 * commands and by the daemon (configuration loads and reloads).
 */
#include "config.h"

#include <unistd.h>

#include "mg_account.h"
#include "mg_audit.h"
#include "mg_log.h"

gboolean mg_admin_log_as(const char *path, const char *user, const char *command, JsonObject *details,
			 gboolean required)
{
	if (!path || !*path)
		return TRUE;
	JsonObject *rec = json_object_new();
	char *now = mg_audit_time_iso(g_get_real_time()), *who = user ? g_strdup(user) : mg_audit_invoker();
	json_object_set_string_member(rec, "type", "admin");
	json_object_set_string_member(rec, "time", now);
	mg_json_set_str(rec, "host", mg_audit_hostname());
	mg_json_set_str(rec, "user", who);
	json_object_set_int_member(rec, "uid", (gint64)getuid());
	json_object_set_string_member(rec, "command", command);
	GList *members = details ? json_object_get_members(details) : NULL;
	for (GList *m = members; m; m = m->next)
		json_object_set_member(rec, m->data, json_node_copy(json_object_get_member(details, m->data)));
	g_list_free(members);
	GError *err = NULL;
	gboolean ok = mg_audit_append(path, rec, &err);
	if (!ok) {
		mg_log(required ? MG_LOG_ERR : MG_LOG_WARNING, NULL, "admin audit log: %s", err->message);
		g_error_free(err);
	}
	json_object_unref(rec);
	g_free(now);
	g_free(who);
	return ok || !required;
}

gboolean mg_admin_log(const struct mg_config *cfg, const char *command, JsonObject *details, gboolean required)
{
	return mg_admin_log_as(cfg->admin_audit_log, NULL, command, details, required);
}
