/*
 * cmd_audit.c - `mugaika audit`: the keyed audit logs (docs/audit-format.md).
 *
 *   audit verify [--key-file F] [--require-seal] FILE...   check the chains, name the first bad record
 *   audit key generate [--key-file F] [--if-missing]        make the key file (install time)
 *   audit key rotate [--key-file F]                         add a key that signs from now on
 *   audit seal [--reason R] FILE                            append a seal (e.g. before archiving)
 *
 * Exit: 0 ok (every chain intact), 1 a broken chain, an unreadable file or
 * key, 64 usage, 78 configuration.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"

struct aopts {
	char *conf, *key_file, *reason;
	gboolean require_seal, if_missing;
	char **args;
};

static void print_result(const struct mg_audit_vfile *f)
{
	if (f->skipped) {
		printf("%s: not checked (an earlier file of this log is broken)\n", f->path);
		return;
	}
	if (!f->intact && f->bad_line == 0) {
		printf("%s: broken: %s\n", f->path, f->why);
		return;
	}
	if (!f->intact) {
		printf("%s: line %" G_GUINT64_FORMAT " (seq %" G_GINT64_FORMAT "): broken: %s (%" G_GUINT64_FORMAT
		       " records intact before it)\n",
		       f->path, f->bad_line, f->bad_seq, f->why, f->records);
		return;
	}
	GString *g = g_string_new(NULL);
	g_string_append_printf(g, "%s: %" G_GUINT64_FORMAT " records", f->path, f->records);
	if (f->first_seq)
		g_string_append_printf(g, " (seq %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")", f->first_seq,
				       f->last_seq);
	if (f->legacy_records)
		g_string_append_printf(g, ", %" G_GUINT64_FORMAT " of them unkeyed (written before the keyed format)",
				       f->legacy_records);
	g_string_append(g, ", chain intact");
	if (f->continues)
		g_string_append_printf(g, ", continues %s", f->continues);
	g_string_append_printf(g, ", %s", f->seal_reason ? "sealed" : "open (not sealed)");
	if (f->seal_reason)
		g_string_append_printf(g, " (%s)", f->seal_reason);
	printf("%s\n", g->str);
	for (guint i = 0; i < f->notes->len; i++)
		printf("%s: note: %s\n", f->path, (char *)f->notes->pdata[i]);
	g_string_free(g, TRUE);
}

static const char *key_path(const struct aopts *o, const struct mg_config *cfg)
{
	return o->key_file ? o->key_file : cfg->audit_key_file;
}

static int cmd_verify(const struct aopts *o, const struct mg_config *cfg)
{
	GError *err = NULL;
	struct mg_audit_keys *keys = mg_audit_keys_load(key_path(o, cfg), &err);
	if (!keys) {
		fprintf(stderr, "mugaika audit: %s (the MACs cannot be checked without the key)\n", err->message);
		g_clear_error(&err);
	}
	for (guint i = 1; o->args[i]; i++) {
		JsonObject *d = json_object_new();
		mg_json_set_str(d, "file", o->args[i]);
		mg_admin_log(cfg, "audit-verify", d, FALSE);
		json_object_unref(d);
	}
	gboolean intact = FALSE;
	GPtrArray *res = mg_audit_verify_files(o->args + 1, keys, o->require_seal, &intact);
	for (guint i = 0; i < res->len; i++)
		print_result(res->pdata[i]);
	g_ptr_array_unref(res);
	mg_audit_keys_unref(keys);
	return intact ? 0 : 1;
}

static int cmd_key(const struct aopts *o, const struct mg_config *cfg)
{
	const char *what = o->args[1] ? o->args[1] : "";
	gboolean rotate = strcmp(what, "rotate") == 0;
	const char *path = key_path(o, cfg);
	char *id = NULL;
	GError *err = NULL;
	if (!rotate && strcmp(what, "generate") != 0) {
		fprintf(stderr, "mugaika audit: expected: key generate | key rotate\n");
		return MG_EX_USAGE;
	}
	if (!rotate && o->if_missing && access(path, F_OK) == 0) {
		printf("%s exists; nothing to do\n", path);
		return 0;
	}
	gboolean ok = mg_audit_key_generate(path, rotate, &id, &err);
	if (ok) {
		struct mg_audit_keys *k = mg_audit_keys_load(path, NULL); /* so that this act is recorded with it */
		if (k)
			mg_audit_use_keys(k);
		mg_audit_keys_unref(k);
		printf("%s: key %s %s\n", path, id, rotate ? "added; it signs after the daemon's next reload" : "made");
	} else
		fprintf(stderr, "mugaika audit: %s\n", err->message);
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "file", path);
	mg_json_set_str(d, "key", id);
	mg_json_set_str(d, "result", ok ? "ok" : err->message);
	mg_admin_log(cfg, rotate ? "audit-key-rotate" : "audit-key-generate", d, FALSE);
	json_object_unref(d);
	g_clear_error(&err);
	g_free(id);
	return ok ? 0 : 1;
}

static int cmd_seal(const struct aopts *o, const struct mg_config *cfg)
{
	GError *err = NULL;
	if (!o->args[1] || o->args[2]) {
		fprintf(stderr, "mugaika audit: expected: seal FILE\n");
		return MG_EX_USAGE;
	}
	gboolean ok = mg_audit_seal(o->args[1], o->reason ? o->reason : "manual", &err);
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "file", o->args[1]);
	mg_json_set_str(d, "result", ok ? "ok" : err->message);
	mg_admin_log(cfg, "audit-seal", d, FALSE);
	json_object_unref(d);
	if (ok)
		printf("%s: sealed\n", o->args[1]);
	else
		fprintf(stderr, "mugaika audit: %s\n", err->message);
	g_clear_error(&err);
	return ok ? 0 : 1;
}

int mg_cmd_audit(int argc, char **argv)
{
	struct aopts o = {0};
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.conf, "configuration file", "CONF"},
		{"key-file", 'k', 0, G_OPTION_ARG_FILENAME, &o.key_file, "key file (default: audit_key_file)", "FILE"},
		{"require-seal", 0, 0, G_OPTION_ARG_NONE, &o.require_seal, "verify: the last file must end in a seal",
		 NULL},
		{"if-missing", 0, 0, G_OPTION_ARG_NONE, &o.if_missing, "key generate: do nothing if the file exists",
		 NULL},
		{"reason", 0, 0, G_OPTION_ARG_STRING, &o.reason, "seal: the reason recorded (default manual)", "WORD"},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.args, NULL,
		 "verify FILE... | key ... | seal FILE"},
		{NULL},
	};
	gboolean ok = mg_cli_options("audit", NULL,
				     "verify FILE...: check the keyed chain of audit log files (rotated files of\n"
				     "one log are checked as one chain) and name the first bad record.\n"
				     "key generate | key rotate: make the key file, add a new key.\n"
				     "seal FILE: append a seal record.",
				     entries, &argc, &argv);
	int rc = MG_EX_USAGE;
	const char *sub = ok && o.args ? o.args[0] : NULL;
	struct mg_config *cfg = NULL;
	if (!sub || (strcmp(sub, "verify") == 0 && !o.args[1]) ||
	    (strcmp(sub, "verify") != 0 && strcmp(sub, "key") != 0 && strcmp(sub, "seal") != 0))
		fprintf(stderr, "usage: mugaika audit [-c CONF] verify [--key-file F] [--require-seal] FILE...\n"
				"       mugaika audit [-c CONF] key generate|rotate [--key-file F] [--if-missing]\n"
				"       mugaika audit [-c CONF] seal [--reason WORD] FILE\n");
	else if (!(cfg = mg_cli_load_config(o.conf)))
		rc = MG_EX_CONFIG;
	else
		rc = strcmp(sub, "verify") == 0 ? cmd_verify(&o, cfg)
		     : strcmp(sub, "key") == 0  ? cmd_key(&o, cfg)
						: cmd_seal(&o, cfg);
	if (cfg)
		mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.key_file);
	g_free(o.reason);
	g_strfreev(o.args);
	return rc;
}
