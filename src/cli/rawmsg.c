/*
 * rawmsg.c - see rawmsg.h.  This is the header splitting an MTA does before
 * it talks to a milter; GMime's parser does not expose fields in that
 * form (raw bytes plus the name/value the MTA would send), so it is done
 * here, line by line, with the same rules as Postfix: a field starts with a
 * name and a colon, continues on lines that start with a space or tab, and
 * the header section ends at an empty line or a line that is not a field.
 */
#include "config.h"

#include <string.h>

#include "mg_pipeline.h"
#include "rawmsg.h"

static void field_free(gpointer p)
{
	struct mg_rawfield *f = p;
	g_free(f->raw);
	g_free(f->name);
	g_free(f->value);
	g_free(f);
}

/* A field's first line: printable name characters up to a colon. */
static gboolean field_start(const char *l, gsize *name_len)
{
	gsize i = 0;
	while (l[i] && l[i] != ':' && (unsigned char)l[i] > 32 && (unsigned char)l[i] < 127)
		i++;
	gsize n = i;
	while (l[i] == ' ' || l[i] == '\t')
		i++;
	if (n == 0 || l[i] != ':')
		return FALSE;
	*name_len = n;
	return TRUE;
}

static void field_finish(GPtrArray *fields, GString *cur)
{
	gsize nl;
	if (!cur->len)
		return;
	struct mg_rawfield *f = g_new0(struct mg_rawfield, 1);
	f->raw = g_strdup(cur->str);
	field_start(cur->str, &nl);
	f->name = g_strndup(cur->str, nl);
	const char *v = strchr(cur->str, ':') + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	f->value = g_strndup(v, strlen(v) - 1); /* drop the final LF */
	g_ptr_array_add(fields, f);
	g_string_truncate(cur, 0);
}

static char *read_line(FILE *in, gsize max, gsize *len)
{
	GString *l = g_string_new(NULL);
	int c;
	while ((c = getc(in)) != EOF) {
		g_string_append_c(l, (char)c);
		if (c == '\n' || l->len > max)
			break;
	}
	*len = l->len;
	if (l->len == 0) {
		g_string_free(l, TRUE);
		return NULL;
	}
	return g_string_free(l, FALSE);
}

GPtrArray *mg_rawmsg_read_headers(FILE *in, gsize max_bytes, GString *body_start, GError **err)
{
	GPtrArray *fields = g_ptr_array_new_with_free_func(field_free);
	GString *cur = g_string_new(NULL);
	gsize total = 0, len, nl;
	char *line;
	while ((line = read_line(in, max_bytes, &len)) != NULL) {
		total += len;
		if (total > max_bytes) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "header section larger than %zu bytes",
				    max_bytes);
			g_free(line);
			g_ptr_array_unref(fields);
			g_string_free(cur, TRUE);
			return NULL;
		}
		if (len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n') {
			line[len - 2] = '\n';
			line[--len] = '\0';
		}
		gboolean cont = (line[0] == ' ' || line[0] == '\t') && cur->len;
		if (cont) {
			g_string_append(cur, line);
		} else {
			field_finish(fields, cur);
			if (line[0] == '\n' || !field_start(line, &nl)) {
				if (line[0] != '\n')
					g_string_append_len(body_start, line, (gssize)len);
				g_free(line);
				break;
			}
			g_string_append(cur, line);
		}
		if (cur->len && cur->str[cur->len - 1] != '\n')
			g_string_append_c(cur, '\n'); /* last line without LF */
		g_free(line);
	}
	field_finish(fields, cur);
	g_string_free(cur, TRUE);
	return fields;
}

void mg_rawmsg_apply_ops(GPtrArray *fields, const GPtrArray *ops)
{
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD || op->kind == MG_HDR_INSERT)
			continue;
		int n = 0;
		for (guint j = 0; j < fields->len; j++) {
			struct mg_rawfield *f = fields->pdata[j];
			if (g_ascii_strcasecmp(f->name, op->name) != 0 || ++n != op->index)
				continue;
			if (op->kind == MG_HDR_DELETE) {
				f->deleted = TRUE;
			} else { /* CHANGE: the new value in place, the name as received */
				char *raw = g_strdup_printf("%s: %s\n", f->name, op->value);
				g_free(f->raw);
				f->raw = raw;
			}
			break;
		}
	}
}

void mg_rawmsg_write_headers(FILE *out, const GPtrArray *fields, const GPtrArray *ops)
{
	for (guint i = ops->len; i-- > 0;) { /* INSERTs go on top: the last one ends first */
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_INSERT)
			fprintf(out, "%s: %s\n", op->name, op->value);
	}
	for (guint j = 0; j < fields->len; j++) {
		const struct mg_rawfield *f = fields->pdata[j];
		if (!f->deleted)
			fputs(f->raw, out);
	}
	for (guint i = 0; i < ops->len; i++) {
		const struct mg_hdr_op *op = ops->pdata[i];
		if (op->kind == MG_HDR_ADD)
			fprintf(out, "%s: %s\n", op->name, op->value);
	}
}
