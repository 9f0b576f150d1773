/*
 * cmd_rebuild.c - `mugaika rebuild [-c CONF] [--direction DIR] [-o OUT] FILE`:
 * one file through the attachment policy and its rebuilder, exactly as an
 * attachment of that name would be treated (mg_rebuild.h).  Prints what
 * was found and done; with -o writes the file that would be delivered.
 * Exit 0 when a file is delivered (rebuilt, converted or kept), 77 when it
 * is not (removed, unscannable, infected, or a rule refuses the message),
 * 75 on internal failure, 64 usage, 78 configuration error.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>

#include "cli.h"
#include "mg_log.h"
#include "mg_rebuild.h"
#include "mg_scan.h"

struct rebuild_opts {
	char *conf, *direction, *output;
	char **files;
};

static int parse_opts(int argc, char **argv, struct rebuild_opts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"direction", 0, 0, G_OPTION_ARG_STRING, &o->direction,
		 "inbound (default), outbound, internal or transit", "DIR"},
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, "write the file that would be delivered", "OUT"},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, "FILE"},
		{NULL},
	};
	const char *summary = "Sanitize one file as mugaika-milter would sanitize an attachment of that\n"
			      "name: print its true type, the action and what was removed; with -o,\n"
			      "write the rebuilt file.  Exit 0 delivered, 77 not delivered, 75 failure.";
	if (!mg_cli_options("rebuild", NULL, summary, entries, &argc, &argv)) /* FILE: the G_OPTION_REMAINING entry */
		return MG_EX_USAGE;
	if (!o->files || !o->files[0] || o->files[1]) {
		fprintf(stderr, "mugaika rebuild: give exactly one FILE\n");
		return MG_EX_USAGE;
	}
	return MG_EX_OK;
}

static void print_result(const char *file, const struct mg_rebuild *r)
{
	printf("file: %s\ndetected: %s\nresult: %s\nreason: %s\n", file, r->true_type, r->result, r->reason);
	for (guint i = 0; r->removed && i < r->removed->len; i++)
		printf("removed: %s\n", (const char *)r->removed->pdata[i]);
	if (r->new_type)
		printf("new type: %s\n", r->new_type);
	if (r->new_filename)
		printf("new name: %s\n", r->new_filename);
	if (r->verdict)
		printf("message: %s%s\n", r->verdict, r->quarantine ? " (original quarantined)" : "");
}

static int rebuild_one(struct mg_config *cfg, const struct rebuild_opts *o)
{
	char *data = NULL, *base = g_path_get_basename(o->files[0]);
	gsize len = 0;
	GError *err = NULL;
	struct mg_rebuild r;
	int rc = MG_EX_TEMPFAIL;
	if (!g_file_get_contents(o->files[0], &data, &len, &err)) {
		rc = MG_EX_USAGE;
		goto out;
	}
	if ((gint64)len > cfg->max_part_size) {
		g_set_error(&err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "larger than max_part_size");
		rc = MG_EX_REJECT;
		goto out;
	}
	if (!mg_rebuild_file(cfg, o->direction, (const guint8 *)data, len, base, &r, &err)) {
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
			rc = MG_EX_USAGE;
		goto out;
	}
	print_result(o->files[0], &r);
	rc = r.data && !r.verdict ? MG_EX_OK : g_str_equal(r.result, "error") ? MG_EX_TEMPFAIL : MG_EX_REJECT;
	if (rc == MG_EX_OK && o->output &&
	    !g_file_set_contents(o->output, (const char *)r.data->data, (gssize)r.data->len, &err))
		rc = MG_EX_TEMPFAIL;
	else if (rc == MG_EX_OK && o->output)
		printf("written: %s\n", o->output);
	mg_rebuild_clear(&r);
out:
	if (err)
		fprintf(stderr, "mugaika rebuild: %s: %s\n", o->files[0], err->message);
	g_clear_error(&err);
	g_free(data);
	g_free(base);
	return rc;
}

int mg_cmd_rebuild(int argc, char **argv)
{
	struct rebuild_opts o = {0};
	int rc = parse_opts(argc, argv, &o);
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(o.conf);
	GError *err = NULL;
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc) {
		mg_log_set_level(cfg->log_level);
		if (!mg_scan_global_init(cfg, &err)) {
			fprintf(stderr, "mugaika rebuild: %s\n", err->message);
			g_error_free(err);
			rc = MG_EX_TEMPFAIL;
		} else {
			rc = rebuild_one(cfg, &o);
			mg_scan_global_shutdown();
		}
	}
	mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.direction);
	g_free(o.output);
	g_strfreev(o.files);
	return rc;
}
