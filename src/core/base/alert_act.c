/*
 * alert_act.c - see mg_alert.h, "acts": what the process did by itself
 * (an automatic stop by the outbreak guard) goes to the admin log as a
 * person's act does, through the sink the store registers.
 */
#include "config.h"

#include "mg_alert.h"
#include "mg_json.h"
#include "mg_log.h"

static GMutex act_lock;
static mg_alert_act_fn act_fn;
static gpointer act_data;

void mg_alert_set_act_sink(mg_alert_act_fn fn, gpointer data)
{
	g_mutex_lock(&act_lock);
	act_fn = fn;
	act_data = data;
	g_mutex_unlock(&act_lock);
}

gboolean mg_alert_act(const char *command, const char *by, const char *origin, JsonObject *details)
{
	JsonObject *d = json_object_new();
	GList *members = details ? json_object_get_members(details) : NULL;
	for (GList *m = members; m; m = m->next)
		json_object_set_member(d, m->data, json_node_copy(json_object_get_member(details, m->data)));
	g_list_free(members);
	mg_json_set_str(d, "by", by);
	mg_json_set_str(d, "origin", origin);
	g_mutex_lock(&act_lock);
	mg_alert_act_fn fn = act_fn;
	gpointer data = act_data;
	g_mutex_unlock(&act_lock);
	gboolean ok = fn ? fn(command, by, d, data) : TRUE;
	if (!fn)
		mg_info(NULL, "%s by %s (%s): no admin log in this process", command, by, origin);
	json_object_unref(d);
	return ok;
}
