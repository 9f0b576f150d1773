/*
 * json.c - small JSON-GLib helpers shared by the report, the store and the
 * admin commands (mg_json.h).  No state.
 */
#include "config.h"

#include "mg_json.h"

void mg_json_set_str(JsonObject *o, const char *key, const char *val)
{
	if (!val) {
		json_object_set_null_member(o, key);
		return;
	}
	char *v = g_utf8_make_valid(val, -1);
	json_object_set_string_member(o, key, v);
	g_free(v);
}

const char *mg_json_get_str(JsonObject *o, const char *key)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

const char *mg_json_get_str0(JsonObject *o, const char *key)
{
	const char *s = mg_json_get_str(o, key);
	return s ? s : "";
}

gint64 mg_json_get_int(JsonObject *o, const char *key, gint64 def)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return def;
	return json_node_get_int(n);
}
