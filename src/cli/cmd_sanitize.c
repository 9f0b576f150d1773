/*
 * cmd_sanitize.c - `mugaika sanitize`: the milter's pipeline on a file.
 *
 * Feeds the message through the same stages, in the same form, as the milter
 * does (envelope, header fields, body chunks, end), then prints the message
 * exactly as the MTA would deliver it: the received header fields with the
 * pipeline's header operations applied, a blank line, the new body.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mg_log.h"
#include "mg_pipeline.h"
#include "mg_scan.h"
#include "rawmsg.h"

struct sanitize_opts {
	char *conf, *mail_from, *auth_user, *client_ip, *client_name, *helo, *report, *queue_id;
	char **rcpts, **mail_args;
	char **files;
};

static int sanitize_parse(int *argc, char ***argv, struct sanitize_opts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"mail-from", 0, 0, G_OPTION_ARG_STRING, &o->mail_from, "envelope sender", "ADDR"},
		{"mail-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->mail_args, "ESMTP MAIL FROM parameter (SIZE=N)",
		 "ARG"},
		{"rcpt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->rcpts, "envelope recipient (repeatable)", "ADDR"},
		{"auth-user", 0, 0, G_OPTION_ARG_STRING, &o->auth_user, "SMTP AUTH identity of the client", "NAME"},
		{"client-ip", 0, 0, G_OPTION_ARG_STRING, &o->client_ip, "SMTP client address", "IP"},
		{"client-name", 0, 0, G_OPTION_ARG_STRING, &o->client_name, "SMTP client host name", "NAME"},
		{"helo", 0, 0, G_OPTION_ARG_STRING, &o->helo, "HELO/EHLO name", "NAME"},
		{"queue-id", 0, 0, G_OPTION_ARG_STRING, &o->queue_id, "queue id for logs (default: cli)", "ID"},
		{"report", 0, 0, G_OPTION_ARG_FILENAME, &o->report, "write a JSON report of the verdict and every part",
		 "FILE"},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, "[FILE]"},
		{NULL},
	};
	const char *summary = "Sanitize one message (FILE, or standard input) exactly as mugaika-milter would, and\n"
			      "write the message as it would be delivered to standard output.\n\n"
			      "Exit status: 0 accepted, 77 rejected, 75 temporary failure, 64 usage error,\n"
			      "78 configuration error.  On 75/77 the SMTP reply goes to standard error.";
	if (!mg_cli_options("sanitize", NULL, summary, entries, argc, argv))
		return MG_EX_USAGE;
	if (o->files && g_strv_length(o->files) > 1) {
		fprintf(stderr, "mugaika sanitize: give at most one FILE\n");
		return MG_EX_USAGE;
	}
	return MG_EX_OK;
}

static void opts_free(struct sanitize_opts *o)
{
	g_free(o->conf);
	g_free(o->mail_from);
	g_free(o->auth_user);
	g_free(o->client_ip);
	g_free(o->client_name);
	g_free(o->helo);
	g_free(o->report);
	g_free(o->queue_id);
	g_strfreev(o->rcpts);
	g_strfreev(o->mail_args);
	g_strfreev(o->files);
}

/* Run the stages up to end of message; returns the final verdict. */
static const struct mg_verdict *feed(struct mg_txn *t, const struct sanitize_opts *o, FILE *in, const GPtrArray *fields,
				     const GString *body_start)
{
	mg_txn_set_auth(t, o->auth_user);
	const struct mg_verdict *v = mg_txn_mail_from(t, o->mail_from ? o->mail_from : "", o->mail_args);
	for (char **r = o->rcpts; r && *r; r++)
		v = mg_txn_rcpt(t, *r, NULL);
	for (guint i = 0; i < fields->len; i++) {
		const struct mg_rawfield *f = fields->pdata[i];
		v = mg_txn_header(t, f->name, f->value);
	}
	v = mg_txn_eoh(t);
	if (body_start->len)
		v = mg_txn_body(t, body_start->str, body_start->len);
	char buf[65536];
	size_t n;
	while (v->kind == MG_VERDICT_CONTINUE && (n = fread(buf, 1, sizeof buf, in)) > 0)
		v = mg_txn_body(t, buf, n);
	return mg_txn_eom(t);
}

static gboolean write_message(struct mg_txn *t, GPtrArray *fields, FILE *out)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	mg_rawmsg_apply_ops(fields, ops);
	mg_rawmsg_write_headers(out, fields, ops);
	fputc('\n', out);
	GMimeStream *body = mg_txn_new_body(t);
	if (!body) /* delivered unchanged (scan profile) */
		body = mg_txn_original_body(t);
	char buf[65536];
	gssize n;
	while (body && (n = g_mime_stream_read(body, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, out);
	if (body)
		g_object_unref(body);
	return fflush(out) == 0 && !ferror(out);
}

static gboolean write_report(const char *path, const struct mg_report *r)
{
	char *json = mg_report_to_json_string(r, TRUE);
	GError *err = NULL;
	char *text = g_strconcat(json, "\n", NULL);
	gboolean ok = g_file_set_contents(path, text, -1, &err);
	if (!ok) {
		fprintf(stderr, "mugaika sanitize: --report: %s\n", err->message);
		g_error_free(err);
	}
	g_free(text);
	g_free(json);
	return ok;
}

/* The message goes to a descriptor of its own, and standard output is
 * pointed at standard error for the run: a library that prints on
 * standard output (libytnef reports a damaged winmail.dat there) must not
 * end up in front of the delivered message (issue 12).  NULL on failure. */
static FILE *message_output(void)
{
	fflush(stdout);
	int fd = dup(STDOUT_FILENO);
	if (fd < 0)
		return NULL;
	FILE *out = fdopen(fd, "w");
	if (!out || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		if (out)
			fclose(out);
		else
			close(fd);
		return NULL;
	}
	return out;
}

static int run(const struct sanitize_opts *o, struct mg_config *cfg, FILE *in)
{
	GError *err = NULL;
	GString *body_start = g_string_new(NULL);
	GPtrArray *fields =
		mg_rawmsg_read_headers(in, (gsize)(cfg->max_header_size + cfg->max_header_field), body_start, &err);
	if (!fields) {
		fprintf(stderr, "mugaika sanitize: 552 5.6.0 %s\n", err->message);
		g_error_free(err);
		g_string_free(body_start, TRUE);
		return MG_EX_REJECT;
	}
	struct mg_conn *c = mg_conn_new(o->client_ip, o->client_name);
	if (o->helo)
		mg_conn_helo(c, o->helo);
	struct mg_txn *t = mg_txn_new(c, cfg);
	mg_txn_set_queue_id(t, o->queue_id ? o->queue_id : "cli");
	FILE *out = message_output();
	const struct mg_verdict *v = out ? feed(t, o, in, fields, body_start) : NULL;
	int rc = MG_EX_OK;
	if (!out) {
		fprintf(stderr, "mugaika sanitize: 451 4.3.0 cannot set up standard output: %s\n", g_strerror(errno));
		rc = MG_EX_TEMPFAIL;
	} else if (v->kind == MG_VERDICT_ACCEPT &&
		   mg_txn_held(t)) { /* issue 16: kept for approval, nothing delivered now */
		fprintf(stderr, "mugaika sanitize: %s %s %s\n", v->code, v->ecode, v->reason ? v->reason : "");
	} else if (v->kind == MG_VERDICT_ACCEPT) {
		if (!write_message(t, fields, out))
			rc = 1;
	} else {
		fprintf(stderr, "mugaika sanitize: %s %s %s\n", v->code, v->ecode, v->reason ? v->reason : "");
		rc = v->kind == MG_VERDICT_REJECT ? MG_EX_REJECT : MG_EX_TEMPFAIL;
	}
	if (out && fclose(out) != 0 && rc == MG_EX_OK)
		rc = 1;
	if (o->report && out && !write_report(o->report, mg_txn_report(t)))
		rc = 1;
	mg_txn_free(t);
	mg_conn_free(c);
	g_ptr_array_unref(fields);
	g_string_free(body_start, TRUE);
	return rc;
}

int mg_cmd_sanitize(int argc, char **argv)
{
	struct sanitize_opts o = {0};
	int rc = sanitize_parse(&argc, &argv, &o);
	if (rc) {
		opts_free(&o);
		return rc;
	}
	struct mg_config *cfg = mg_cli_load_config(o.conf);
	if (!cfg) {
		opts_free(&o);
		return MG_EX_CONFIG;
	}
	mg_log_set_level(cfg->log_level);
	GError *err = NULL;
	if (!mg_scan_global_init(cfg, &err)) {
		fprintf(stderr, "mugaika sanitize: 451 4.3.0 %s\n", err->message);
		g_error_free(err);
		mg_config_unref(cfg);
		opts_free(&o);
		return MG_EX_TEMPFAIL;
	}
	FILE *in = stdin;
	if (o.files && o.files[0] && strcmp(o.files[0], "-") != 0 && !(in = fopen(o.files[0], "rb"))) {
		fprintf(stderr, "mugaika sanitize: %s: %s\n", o.files[0], g_strerror(errno));
		rc = MG_EX_USAGE;
	} else {
		rc = run(&o, cfg, in);
		if (in != stdin)
			fclose(in);
	}
	mg_scan_global_shutdown();
	mg_config_unref(cfg);
	opts_free(&o);
	return rc;
}
