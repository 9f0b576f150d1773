/*
 * audit_verify.c - `audit verify`: check one chain over one or more files
 * (docs/audit-format.md section 5).  Files are taken in the order of the
 * seq of their first record; every record's MAC (or legacy hash), seq and
 * prev_mac are checked, seals against what precedes them, and each file
 * against the end of the one before.  The first bad record stops the check.
 */
#include "config.h"

#include <string.h>

#include "mg_audit.h"
#include "mg_json.h"

static const char zeros[65] = "0000000000000000000000000000000000000000000000000000000000000000";

struct vstate {
	gboolean started; /* a record was seen */
	gboolean legacy;  /* the last one was an unkeyed legacy line */
	gint64 seq;
	char mac[65];
	const char *prev_file; /* file of the last record */
	gint64 file_first;     /* seq of the first keyed record of this file */
	gboolean file_begun;   /* this file has a record */
};

void mg_audit_vfile_free(struct mg_audit_vfile *f)
{
	if (!f)
		return;
	g_free(f->path);
	g_free(f->why);
	g_free(f->seal_reason);
	g_free(f->continues);
	g_ptr_array_unref(f->notes);
	g_free(f);
}

static char *why_legacy(JsonObject *o, const GString *canon, const char *hash, struct vstate *s)
{
	char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, canon->str, canon->len);
	gboolean same = strcmp(want, hash) == 0;
	g_free(want);
	if (!same)
		return g_strdup("hash does not match the content (the line was changed)");
	const char *ph = mg_json_get_str(o, "prev_hash");
	if (!ph || strcmp(ph, s->started ? s->mac : zeros) != 0)
		return g_strdup("prev_hash does not match the line before (a line was removed, inserted or reordered)");
	return NULL;
}

/* The link of a keyed record to what came before it. */
static char *why_link(struct mg_audit_vfile *f, gint64 seq, const char *prev, struct vstate *s)
{
	if (!s->started) {
		if (seq == 1 && strcmp(prev, zeros) == 0)
			return NULL;
		f->link_unproven = TRUE;
		g_ptr_array_add(f->notes, g_strdup_printf("continues an earlier file (seq %" G_GINT64_FORMAT
							  ") that was not given",
							  seq - 1));
		return NULL;
	}
	gint64 want = s->legacy ? 1 : s->seq + 1;
	if (seq == want && mg_audit_mac_equal(prev, s->mac))
		return NULL;
	if (s->file_begun) {
		if (seq != want)
			return g_strdup_printf("seq %" G_GINT64_FORMAT " follows seq %" G_GINT64_FORMAT
					       " (a record was removed, inserted or reordered)",
					       seq, s->seq);
		return g_strdup("prev_mac does not match the record before (a record was removed, inserted or "
				"replaced)");
	}
	if (seq == 1 && strcmp(prev, zeros) == 0)
		return g_strdup_printf("does not continue %s (which ends at seq %" G_GINT64_FORMAT
				       "): a new chain was started here (the head file was lost, or the files do not "
				       "belong together)",
				       s->prev_file, s->seq);
	if (seq > want)
		return g_strdup_printf("%s ends at seq %" G_GINT64_FORMAT
				       " but this file starts at seq %" G_GINT64_FORMAT ": records %" G_GINT64_FORMAT
				       "..%" G_GINT64_FORMAT
				       " are missing (removed from the end of %s, or a file between was not given)",
				       s->prev_file, s->seq, seq, want, seq - 1, s->prev_file);
	return g_strdup_printf("does not continue %s (seq %" G_GINT64_FORMAT " or prev_mac do not match)", s->prev_file,
			       seq);
}

static char *why_seal(JsonObject *o, gint64 seq, struct vstate *s)
{
	gint64 last = mg_json_get_int(o, "last_seq", -1), first = mg_json_get_int(o, "first_seq", 0);
	gint64 count = mg_json_get_int(o, "file_records", -1);
	const char *lm = mg_json_get_str0(o, "last_mac");
	gboolean ok = last == seq - 1 && strcmp(lm, s->started ? s->mac : zeros) == 0;
	if (ok && first > 0 && s->file_first > 0)
		ok = first == s->file_first && count == seq - first;
	if (ok)
		return NULL;
	return g_strdup_printf("seal says %" G_GINT64_FORMAT " records up to seq %" G_GINT64_FORMAT
			       " with last MAC %.12s…, the file has %" G_GINT64_FORMAT
			       " records up to seq %" G_GINT64_FORMAT " with last MAC %.12s…",
			       count, last, lm, s->file_first > 0 ? seq - s->file_first : -1, seq - 1, s->mac);
}

/* What a repair record tells; a break for records found missing. */
static char *why_repair(struct mg_audit_vfile *f, JsonObject *o)
{
	const char *r = mg_json_get_str0(o, "reason");
	if (strcmp(r, "tail-missing") == 0)
		return g_strdup_printf("the writer found records %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
				       " missing from the end of the file (removed while mugaika was writing it)",
				       mg_json_get_int(o, "missing_from_seq", 0),
				       mg_json_get_int(o, "missing_to_seq", 0));
	if (strcmp(r, "torn-tail") == 0)
		g_ptr_array_add(f->notes,
				g_strdup_printf("an incomplete record of %" G_GINT64_FORMAT
						" bytes was removed by the writer at %s (a crash in mid-write)",
						mg_json_get_int(o, "removed_bytes", 0), mg_json_get_str0(o, "time")));
	else if (strcmp(r, "emptied-in-place") == 0)
		g_ptr_array_add(f->notes,
				g_strdup_printf("the file was emptied in place before %s (copytruncate, or by "
						"hand); the records before are in another file",
						mg_json_get_str0(o, "time")));
	return NULL;
}

static char *why_keyed(struct mg_audit_vfile *f, JsonObject *o, const GString *canon, const char *mac,
		       const struct mg_audit_keys *keys, struct vstate *s)
{
	gint64 seq = mg_json_get_int(o, "seq", -1);
	const char *kid = mg_json_get_str(o, "key"), *prev = mg_json_get_str(o, "prev_mac");
	char want[65];
	f->bad_seq = seq;
	if (seq < 1 || !kid || !prev || strlen(prev) != 64)
		return g_strdup("the seq, key or prev_mac member is missing or malformed");
	if (!keys)
		return g_strdup("no key file was read, so the MAC cannot be checked");
	if (!mg_audit_keys_mac(keys, kid, canon->str, canon->len, want))
		return g_strdup_printf("key %s is not in the key file %s", kid, mg_audit_keys_path(keys));
	if (!mg_audit_mac_equal(want, mac))
		return g_strdup("MAC does not match the content (the line was changed, or made with another key)");
	char *why = why_link(f, seq, prev, s);
	if (!why && strcmp(mg_json_get_str0(o, "type"), "seal") == 0)
		why = why_seal(o, seq, s);
	if (!why && strcmp(mg_json_get_str0(o, "type"), "repair") == 0)
		why = why_repair(f, o);
	return why;
}

/* Check one line; on success advance the state. */
static char *check_line(struct mg_audit_vfile *f, const char *line, gsize len, const struct mg_audit_keys *keys,
			struct vstate *s)
{
	char mac[65];
	gboolean legacy = FALSE;
	gssize cut = mg_audit_line_split(line, len, mac, &legacy);
	if (cut < 0)
		return g_strdup("no mac member at the end of the line (not written by mugaika, or cut)");
	GString *canon = g_string_new_len(line, cut);
	g_string_append_c(canon, '}');
	JsonParser *p = json_parser_new();
	char *why = NULL;
	if (!json_parser_load_from_data(p, canon->str, (gssize)canon->len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		why = g_strdup("not a JSON object");
	JsonObject *o = why ? NULL : json_node_get_object(json_parser_get_root(p));
	if (o)
		why = legacy ? why_legacy(o, canon, mac, s) : why_keyed(f, o, canon, mac, keys, s);
	if (!why) {
		gboolean seal = !legacy && strcmp(mg_json_get_str0(o, "type"), "seal") == 0;
		g_clear_pointer(&f->seal_reason, g_free);
		f->seal_reason = seal ? g_strdup(mg_json_get_str0(o, "reason")) : NULL;
		s->seq = legacy ? 0 : mg_json_get_int(o, "seq", 0);
		if (!legacy && s->file_first == 0)
			s->file_first = s->seq;
		if (!legacy && f->first_seq == 0)
			f->first_seq = s->seq;
		f->last_seq = s->seq;
		f->legacy_records += legacy;
		memcpy(s->mac, mac, 65);
		s->legacy = legacy;
		s->started = s->file_begun = TRUE;
	}
	g_object_unref(p);
	g_string_free(canon, TRUE);
	return why;
}

static void check_file(struct mg_audit_vfile *f, const struct mg_audit_keys *keys, struct vstate *s)
{
	GError *err = NULL;
	GIOChannel *ch = g_io_channel_new_file(f->path, "r", &err);
	char *line = NULL;
	gsize len = 0;
	f->intact = ch != NULL;
	if (!ch) {
		f->why = g_strdup(err->message);
		g_error_free(err);
		return;
	}
	g_io_channel_set_encoding(ch, NULL, NULL);
	const char *prev_file = s->prev_file;
	s->file_first = 0;
	s->file_begun = FALSE;
	while (f->intact && g_io_channel_read_line(ch, &line, &len, NULL, &err) == G_IO_STATUS_NORMAL) {
		f->bad_line++;
		gboolean nl = len > 0 && line[len - 1] == '\n';
		f->why = nl ? check_line(f, line, len - 1, keys, s) : g_strdup("last line is incomplete (no newline)");
		f->intact = f->why == NULL;
		f->records += f->intact;
		if (f->intact && f->bad_line == 1 && prev_file && s->started)
			f->continues = g_strdup(prev_file);
		g_free(line);
	}
	if (err) {
		f->intact = FALSE;
		f->why = g_strdup(err->message);
		g_error_free(err);
	}
	if (f->intact)
		f->bad_line = 0;
	if (f->records)
		s->prev_file = f->path;
	g_io_channel_unref(ch);
}

/* seq of the first record of a file, for ordering; 0 legacy/empty/unreadable. */
static gint64 first_seq_of(const char *path)
{
	GIOChannel *ch = g_io_channel_new_file(path, "r", NULL);
	char *line = NULL, mac[65];
	gsize len = 0;
	gint64 seq = 0;
	gboolean legacy = FALSE;
	if (!ch)
		return 0;
	g_io_channel_set_encoding(ch, NULL, NULL);
	if (g_io_channel_read_line(ch, &line, &len, NULL, NULL) == G_IO_STATUS_NORMAL && len > 1 &&
	    mg_audit_line_split(line, len - 1, mac, &legacy) > 0 && !legacy) {
		char *s = g_strrstr(line, ",\"seq\":");
		seq = s ? g_ascii_strtoll(s + 7, NULL, 10) : 0;
	}
	g_free(line);
	g_io_channel_unref(ch);
	return seq;
}

static gint by_first_seq(gconstpointer a, gconstpointer b)
{
	const struct mg_audit_vfile *x = *(struct mg_audit_vfile *const *)a, *y = *(struct mg_audit_vfile *const *)b;
	return x->sort_key < y->sort_key ? -1 : x->sort_key > y->sort_key;
}

/* The log a file belongs to: its path without a rotation suffix (.1, .12,
 * -20261201): audit.log.1 and audit.log are one chain, admin.log another. */
char *mg_audit_chain_name(const char *path)
{
	char *s = g_strdup(path);
	char *base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	char *sep = strrchr(base, '.'), *dash = strrchr(base, '-');
	if (dash && (!sep || dash > sep))
		sep = dash;
	gboolean digits = sep && sep > base && sep[1];
	for (char *c = sep ? sep + 1 : NULL; digits && *c; c++)
		digits = g_ascii_isdigit(*c);
	if (digits)
		*sep = '\0';
	return s;
}

static void check_chain(GPtrArray *files, gboolean require_seal, const struct mg_audit_keys *keys, gboolean *intact)
{
	struct vstate s = {.seq = 0};
	gboolean chain_ok = TRUE;
	memcpy(s.mac, zeros, 65);
	g_ptr_array_sort(files, by_first_seq); /* GLib's sort is stable */
	for (guint i = 0; i < files->len; i++) {
		struct mg_audit_vfile *f = files->pdata[i];
		if (!chain_ok) {
			f->skipped = TRUE;
			continue;
		}
		check_file(f, keys, &s);
		if (f->intact && require_seal && i + 1 == files->len && !f->seal_reason) {
			f->intact = FALSE;
			f->why = g_strdup_printf("not sealed: the file ends at seq %" G_GINT64_FORMAT
						 " without a seal record (a tail may have been removed)",
						 f->last_seq);
		}
		chain_ok &= f->intact;
	}
	*intact &= chain_ok;
}

GPtrArray *mg_audit_verify_files(char **paths, const struct mg_audit_keys *keys, gboolean require_seal,
				 gboolean *all_intact)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mg_audit_vfile_free);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GHashTable *chains = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; paths[i]; i++) {
		struct mg_audit_vfile *f = g_new0(struct mg_audit_vfile, 1);
		char *name = mg_audit_chain_name(paths[i]);
		GPtrArray *c = g_hash_table_lookup(chains, name);
		if (!c) {
			c = g_ptr_array_new();
			g_ptr_array_add(names, name);
			g_hash_table_insert(chains, name, c);
		} else
			g_free(name);
		f->path = g_strdup(paths[i]);
		f->notes = g_ptr_array_new_with_free_func(g_free);
		f->sort_key = first_seq_of(paths[i]);
		g_ptr_array_add(c, f);
	}
	*all_intact = TRUE;
	for (guint i = 0; i < names->len; i++) {
		GPtrArray *c = g_hash_table_lookup(chains, names->pdata[i]);
		check_chain(c, require_seal, keys, all_intact);
		for (guint j = 0; j < c->len; j++)
			g_ptr_array_add(out, c->pdata[j]);
	}
	g_hash_table_unref(chains);
	g_ptr_array_unref(names);
	return out;
}

gboolean mg_audit_verify(const char *path, guint64 *n_ok, guint64 *bad_line, char **why, GError **err)
{
	char *paths[] = {(char *)path, NULL};
	struct mg_audit_keys *keys = mg_audit_keys_get();
	gboolean intact = FALSE;
	GPtrArray *r = mg_audit_verify_files(paths, keys, FALSE, &intact);
	struct mg_audit_vfile *f = r->pdata[0];
	*n_ok = f->records;
	if (!intact && f->bad_line == 0)
		g_set_error(err, MG_AUDIT_ERROR, MG_AUDIT_ERR_IO, "%s: %s", path, f->why);
	else if (!intact) {
		*bad_line = f->bad_line;
		*why = g_strdup(f->why);
	}
	g_ptr_array_unref(r);
	mg_audit_keys_unref(keys);
	return intact;
}
