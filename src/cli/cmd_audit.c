/*
 * cmd_audit.c - `mugaika audit verify FILE...`: check the hash chain of an
 * audit or admin audit log and name the first broken link.  Each file is
 * checked on its own; with --rotated the files are one log's rotations,
 * oldest first (audit.log.2 audit.log.1 audit.log), and each must continue
 * the one before it (issue 14: rotation keeps the chain).
 * Exit: 0 every chain intact, 1 a broken chain or unreadable file, 64 usage.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"

/* One file; with `before` (--rotated), continuing the chain of the file
 * before it (v->expect).  A broken file clears v->expect: the next one is
 * then checked on its own. */
static int verify_one(const char *path, const char *before, struct mg_audit_chain *v)
{
	if (!before)
		v->expect[0] = '\0';
	guint64 n_ok = 0, bad = 0;
	char *why = NULL;
	GError *err = NULL;
	if (mg_audit_verify_chain(path, v, &n_ok, &bad, &why, &err)) {
		printf("%s: %" G_GUINT64_FORMAT " records, chain intact", path, n_ok);
		if (*v->first_prev && *v->expect)
			printf(", continues %s", before);
		else if (*v->first_prev)
			printf(" (continues an earlier file whose last record is %.12s...; check the link with "
			       "--rotated EARLIER-FILE THIS-FILE)",
			       v->first_prev);
		printf("\n");
		if (*v->last)
			g_strlcpy(v->expect, v->last, sizeof v->expect);
		return 0;
	}
	v->expect[0] = '\0';
	if (err) {
		fprintf(stderr, "mugaika audit: %s: %s\n", path, err->message);
		g_error_free(err);
	} else
		printf("%s: line %" G_GUINT64_FORMAT ": broken: %s (%" G_GUINT64_FORMAT " records intact before it)\n",
		       path, bad, why, n_ok);
	g_free(why);
	return 1;
}

int mg_cmd_audit(int argc, char **argv)
{
	char *conf = NULL, **files = NULL;
	gboolean rotated = FALSE;
	GOptionEntry entries[] = {
		{"rotated", 0, 0, G_OPTION_ARG_NONE, &rotated,
		 "the files are one log's rotations, oldest first: each must continue the one before", NULL},
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &conf, "configuration file (for the admin audit log)",
		 "CONF"},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "verify FILE..."},
		{NULL},
	};
	gboolean ok = mg_cli_options("audit", NULL,
				     "Check the hash chain of audit log files; report the first broken link.\n"
				     "With --rotated, FILE... are one log's rotations, oldest first, and each must\n"
				     "continue the one before it.",
				     entries, &argc, &argv);
	int rc = MG_EX_USAGE;
	if (!ok || !files || strcmp(files[0], "verify") != 0 || !files[1])
		fprintf(stderr, "%susage: mugaika audit [-c CONF] verify [--rotated] FILE...\n",
			ok ? "mugaika audit: expected: verify FILE...\n" : "");
	else {
		struct mg_config *cfg = mg_cli_load_config(conf);
		struct mg_audit_chain v = {{0}};
		rc = cfg ? 0 : MG_EX_CONFIG;
		for (int i = 1; cfg && files[i]; i++) {
			JsonObject *d = json_object_new();
			mg_json_set_str(d, "file", files[i]);
			mg_admin_log(cfg, "audit-verify", d, FALSE);
			json_object_unref(d);
			rc |= verify_one(files[i], rotated && i > 1 ? files[i - 1] : NULL, &v);
		}
		if (cfg)
			mg_config_unref(cfg);
	}
	g_free(conf);
	g_strfreev(files);
	return rc;
}
