/*
 * mg_kv - the one reader of `key = value` lines, shared by mugaika.conf,
 * replies.conf and the [words] of the notice templates.
 *
 * mg_kv_split works in place on one line: FALSE for a blank line or a `#`
 * comment; otherwise TRUE with *key and *value pointing into the line,
 * both trimmed (a value in double quotes loses them), or with *why set
 * (allocated) when the line has no '='.
 */
#ifndef MG_KV_H
#define MG_KV_H

#include <glib.h>

gboolean mg_kv_split(char *line, char **key, char **value, char **why);

#endif
