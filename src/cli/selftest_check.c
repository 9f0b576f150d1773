/*
 * selftest_check.c - look at what the milter would have delivered: parse
 * the new body (GMime) under the Content-Type the milter added, and list
 * every leaf with its decoded content.
 */
#include "config.h"

#include <gmime/gmime.h>
#include <string.h>

#include "selftest.h"

static void part_free(gpointer p)
{
	struct mg_st_part *x = p;
	g_free(x->type);
	g_bytes_unref(x->data);
	g_free(x);
}

static void collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	if (!GMIME_IS_PART(part))
		return;
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(part));
	GMimeStream *mem = g_mime_stream_mem_new();
	if (w)
		g_mime_data_wrapper_write_to_stream(w, mem);
	GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	struct mg_st_part *x = g_new0(struct mg_st_part, 1);
	x->type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
	x->data = g_bytes_new(a->data, a->len);
	g_ptr_array_add(data, x);
	g_object_unref(mem);
}

GPtrArray *mg_st_parts(GPtrArray *headers, const char *body, gsize len)
{
	GString *msg = g_string_new(NULL);
	for (guint i = 0; headers && i < headers->len; i++) {
		const char *h = headers->pdata[i];
		if (g_ascii_strncasecmp(h, "Content-", 8) == 0 || g_ascii_strncasecmp(h, "MIME-Version:", 13) == 0)
			g_string_append_printf(msg, "%s\n", h);
	}
	if (headers) /* else body is a whole message */
		g_string_append_c(msg, '\n');
	g_string_append_len(msg, body, (gssize)len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(msg->str, msg->len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GPtrArray *parts = g_ptr_array_new_with_free_func(part_free);
	if (m) {
		g_mime_message_foreach(m, collect, parts);
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(s);
	g_string_free(msg, TRUE);
	return parts;
}

gboolean mg_st_parts_contain(GPtrArray *parts, const void *needle, gsize n, gboolean binary_only)
{
	for (guint i = 0; i < parts->len; i++) {
		const struct mg_st_part *x = parts->pdata[i];
		gsize len = 0;
		const void *d = g_bytes_get_data(x->data, &len);
		if (binary_only && g_str_has_prefix(x->type, "text/"))
			continue;
		if (len >= n && memmem(d, len, needle, n))
			return TRUE;
	}
	return FALSE;
}

gboolean mg_st_parts_have_type(GPtrArray *parts, const char *type)
{
	for (guint i = 0; i < parts->len; i++)
		if (g_ascii_strcasecmp(((struct mg_st_part *)parts->pdata[i])->type, type) == 0)
			return TRUE;
	return FALSE;
}
