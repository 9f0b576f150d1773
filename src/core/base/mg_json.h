/*
 * mg_json - small helpers over JSON-GLib for record code: set a string
 * member (NULL becomes null, invalid UTF-8 is repaired), read a string or
 * an integer member without tripping over a wrong type.
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <glib.h>
#include <json-glib/json-glib.h>

void mg_json_set_str(JsonObject *o, const char *key, const char *val);
/* NULL unless the member is a string. */
const char *mg_json_get_str(JsonObject *o, const char *key);
/* "" instead of NULL, for printing. */
const char *mg_json_get_str0(JsonObject *o, const char *key);
gint64 mg_json_get_int(JsonObject *o, const char *key, gint64 def);

#endif
