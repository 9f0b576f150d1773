/*
 * kv.c - one line of a `key = value` file (mg_kv.h).  A hand-written
 * splitter: the files are ours and line-oriented, and their errors must
 * name file:line and the key, which no INI library on the dependency list
 * reports that way (GKeyFile wants [groups] and has its own escapes).
 */
#include "config.h"

#include <string.h>

#include "mg_kv.h"

gboolean mg_kv_split(char *line, char **key, char **value, char **why)
{
	char *s = g_strstrip(line);
	if (*s == '\0' || *s == '#')
		return FALSE;
	char *eq = strchr(s, '=');
	if (!eq) {
		*why = g_strdup("expected 'key = value'");
		*key = s;
		return TRUE;
	}
	*eq = '\0';
	*key = g_strstrip(s);
	*value = g_strstrip(eq + 1);
	if (strlen(*value) >= 2 && (*value)[0] == '"' && (*value)[strlen(*value) - 1] == '"') {
		(*value)[strlen(*value) - 1] = '\0';
		(*value)++;
	}
	return TRUE;
}
