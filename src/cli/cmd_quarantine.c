/*
 * cmd_quarantine.c - `mugaika quarantine list|show|export|release|hold|purge`.
 *
 * Every subcommand first appends a record to the admin audit log (who, what,
 * which id) and refuses to run when it cannot; release and purge also
 * record each outcome.  Problems with one entry (bad id, unknown id,
 * corrupt metadata, missing original) are reported naming the entry and
 * make the exit status non-zero; the other entries are unaffected.
 * Exit: 0 ok, 1 an entry could not be handled, 64 usage (bad date, bad id
 * form, missing option), 78 configuration error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"
#include "mg_quarantine.h"

#define ORIGINAL_MAX (G_GINT64_CONSTANT(4) * 1024 * 1024 * 1024)

struct qopts {
	char *conf, *since, *until, *sender, *rcpt, *verdict, *to, *reason, *output;
	gboolean off, json, force;
	char **args;
	gint64 since_us, until_us;
};

struct qctx {
	struct mg_config *cfg;
	struct mg_qstore *store;
	struct qopts *o;
};

static void qerr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void qerr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "mugaika quarantine: %s\n", m);
	g_free(m);
}

/* Exit status for a failed entry operation: usage for a malformed id. */
static int entry_error(GError *e)
{
	qerr("%s", e->message);
	int rc = e->domain == MG_QUARANTINE_ERROR && e->code == MG_QERR_BAD_ID ? MG_EX_USAGE : 1;
	g_error_free(e);
	return rc;
}

static JsonObject *details_id(const char *id)
{
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "id", id);
	return d;
}

static gboolean log_cmd(struct qctx *c, const char *command, JsonObject *d)
{
	gboolean ok = mg_admin_log(c->cfg, command, d, TRUE);
	json_object_unref(d);
	if (!ok)
		qerr("%s refused: the admin audit log cannot be written", command);
	return ok;
}

/* ---- list ---- */

static char *rcpts_joined(JsonObject *m)
{
	JsonNode *n = json_object_get_member(m, "rcpts");
	GString *g = g_string_new(NULL);
	if (n && JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++) {
			const char *r = json_node_get_string(json_array_get_element(a, i));
			g_string_append_printf(g, "%s<%s>", i ? "," : "", r ? r : "");
		}
	}
	return g_string_free(g, FALSE);
}

static gboolean has_ci(const char *hay, const char *needle)
{
	if (!needle)
		return TRUE;
	if (!hay)
		return FALSE;
	char *h = g_utf8_casefold(hay, -1), *n = g_utf8_casefold(needle, -1);
	gboolean found = strstr(h, n) != NULL;
	g_free(h);
	g_free(n);
	return found;
}

static gboolean list_match(const struct qopts *o, JsonObject *m)
{
	gint64 t = 0;
	mg_audit_time_parse(mg_json_get_str(m, "stored"), &t); /* checked by the caller */
	if (t < o->since_us || t >= o->until_us)
		return FALSE;
	if (o->verdict && g_strcmp0(mg_json_get_str(m, "verdict"), o->verdict) != 0)
		return FALSE;
	if (o->sender && !has_ci(mg_json_get_str(m, "mail_from"), o->sender) &&
	    !has_ci(mg_json_get_str(m, "header_from"), o->sender))
		return FALSE;
	char *r = rcpts_joined(m);
	gboolean ok = has_ci(r, o->rcpt);
	g_free(r);
	return ok;
}

static gboolean hold_of(JsonObject *m)
{
	JsonNode *n = json_object_get_member(m, "hold");
	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN &&
	       json_node_get_boolean(n);
}

static void list_print(const struct qopts *o, JsonObject *m)
{
	if (o->json) {
		JsonNode *n = json_node_init_object(json_node_alloc(), m);
		char *s = json_to_string(n, FALSE);
		printf("%s\n", s);
		g_free(s);
		json_node_unref(n);
		return;
	}
	char *r = rcpts_joined(m);
	const char *subj = mg_json_get_str(m, "subject");
	printf("%s  %s  %-8s  %-8s  %s<%s> -> %s  %s\n", mg_json_get_str0(m, "id"), mg_json_get_str0(m, "stored"),
	       mg_json_get_str0(m, "class"), mg_json_get_str0(m, "verdict"), hold_of(m) ? "HOLD " : "",
	       mg_json_get_str(m, "mail_from") ? mg_json_get_str(m, "mail_from") : "", r, subj ? subj : "");
	g_free(r);
}

static int q_list(struct qctx *c)
{
	struct qopts *o = c->o;
	JsonObject *d = json_object_new();
	const char *keys[] = {"since", "until", "sender", "rcpt", "verdict"};
	const char *vals[] = {o->since, o->until, o->sender, o->rcpt, o->verdict};
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (vals[i])
			mg_json_set_str(d, keys[i], vals[i]);
	if (!log_cmd(c, "list", d))
		return 1;
	GError *e = NULL;
	GPtrArray *ids = c->store->ops->list(c->store, &e);
	if (!ids)
		return entry_error(e);
	int rc = 0;
	for (guint i = 0; i < ids->len; i++) {
		gint64 t = mg_quarantine_id_time(ids->pdata[i]); /* skip without reading the metadata */
		if (t + G_USEC_PER_SEC <= o->since_us || t >= o->until_us)
			continue;
		JsonObject *m = c->store->ops->get_meta(c->store, ids->pdata[i], &e);
		if (!m) {
			entry_error(e);
			e = NULL;
			rc = 1;
			continue;
		}
		gint64 stored;
		if (!mg_audit_time_parse(mg_json_get_str(m, "stored"), &stored)) {
			qerr("%s: corrupt metadata: no valid \"stored\" time", (char *)ids->pdata[i]);
			rc = 1;
		} else if (list_match(o, m))
			list_print(o, m);
		json_object_unref(m);
	}
	g_ptr_array_unref(ids);
	return rc;
}

/* ---- show ---- */

static void show_parts(JsonObject *m)
{
	JsonNode *rn = json_object_get_member(m, "report");
	JsonNode *pn =
		rn && JSON_NODE_HOLDS_OBJECT(rn) ? json_object_get_member(json_node_get_object(rn), "parts") : NULL;
	if (!pn || !JSON_NODE_HOLDS_ARRAY(pn))
		return;
	JsonArray *a = json_node_get_array(pn);
	printf("Parts:\n");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		JsonObject *p = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
		if (!p)
			continue;
		const char *dt = mg_json_get_str(p, "detected_type"), *fn = mg_json_get_str(p, "filename");
		printf("  %-5s %-9s %s%s%s  %" G_GINT64_FORMAT " bytes  %s%s\n", mg_json_get_str0(p, "path"),
		       mg_json_get_str0(p, "action"), mg_json_get_str0(p, "declared_type"), dt ? " / " : "",
		       dt ? dt : "", mg_json_get_int(p, "size", 0), fn ? fn : "(no name)",
		       mg_json_get_str(p, "virus") ? "  VIRUS" : "");
		printf("        sha256 %s\n", mg_json_get_str0(p, "sha256"));
		if (mg_json_get_str(p, "new_sha256"))
			printf("        after  %s\n", mg_json_get_str0(p, "new_sha256"));
		if (mg_json_get_str(p, "virus"))
			printf("        virus  %s\n", mg_json_get_str0(p, "virus"));
		printf("        reason %s\n", mg_json_get_str(p, "reason") ? mg_json_get_str(p, "reason") : "");
	}
}

static void show_releases(JsonObject *m)
{
	JsonNode *n = json_object_get_member(m, "releases");
	if (!n || !JSON_NODE_HOLDS_ARRAY(n) || json_array_get_length(json_node_get_array(n)) == 0)
		return;
	JsonArray *a = json_node_get_array(n);
	printf("Releases:\n");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		JsonObject *r = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
		if (r)
			printf("  %s by %s to <%s>: %s\n", mg_json_get_str0(r, "time"), mg_json_get_str0(r, "user"),
			       mg_json_get_str0(r, "to"), mg_json_get_str0(r, "reason"));
	}
}

static void show_text(struct qctx *c, JsonObject *m)
{
	static const char *rows[][2] = {
		{"Id", "id"},
		{"State", "state"},
		{"Stored", "stored"},
		{"Class", "class"},
		{"Received", "time"},
		{"Queue id", "queue_id"},
		{"Envelope from", "mail_from"},
		{"From", "header_from"},
		{"Subject", "subject"},
		{"Message-ID", "message_id"},
		{"Direction", "direction"},
		{"Verdict", "verdict"},
		{"SMTP reply", "smtp_reply"},
		{"Rule", "rule"},
		{"Original sha256", "original_sha256"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
		printf("%-16s %s\n", rows[i][0], mg_json_get_str(m, rows[i][1]) ? mg_json_get_str(m, rows[i][1]) : "");
	char *r = rcpts_joined(m), *where = mg_qstore_describe(c->store, mg_json_get_str(m, "id"));
	JsonNode *cn = json_object_get_member(m, "client");
	JsonObject *cl = cn && JSON_NODE_HOLDS_OBJECT(cn) ? json_node_get_object(cn) : NULL;
	printf("%-16s %s\n", "Recipients", r);
	printf("%-16s %s [%s] helo=%s\n", "Client", mg_json_get_str0(cl, "addr"), mg_json_get_str0(cl, "name"),
	       mg_json_get_str0(cl, "helo"));
	printf("%-16s %" G_GINT64_FORMAT " bytes, %s\n", "Original", mg_json_get_int(m, "original_size", 0), where);
	printf("%-16s %s\n", "Legal hold", hold_of(m) ? "yes" : "no");
	show_parts(m);
	show_releases(m);
	g_free(r);
	g_free(where);
}

static int q_show(struct qctx *c)
{
	const char *id = c->o->args[1];
	GError *e = NULL;
	if (!log_cmd(c, "show", details_id(id)))
		return 1;
	JsonObject *m = c->store->ops->get_meta(c->store, id, &e);
	if (!m)
		return entry_error(e);
	if (c->o->json) {
		JsonNode *n = json_node_init_object(json_node_alloc(), m);
		char *s = json_to_string(n, TRUE);
		printf("%s\n", s);
		g_free(s);
		json_node_unref(n);
	} else
		show_text(c, m);
	json_object_unref(m);
	GMimeStream *st = c->store->ops->open_original(c->store, id, &e);
	if (!st)
		return entry_error(e);
	g_object_unref(st);
	return 0;
}

/* ---- export ---- */

static gboolean copy_to_fd(GMimeStream *in, int fd, GError **err)
{
	char buf[65536];
	gssize n;
	while ((n = g_mime_stream_read(in, buf, sizeof buf)) > 0)
		for (gssize off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s", g_strerror(errno));
				return FALSE;
			}
			off += w;
		}
	if (n < 0)
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot read the original");
	return n == 0;
}

static int q_export(struct qctx *c)
{
	const char *id = c->o->args[1], *out = c->o->output;
	GError *e = NULL;
	JsonObject *d = details_id(id);
	mg_json_set_str(d, "output", out);
	if (!log_cmd(c, "export", d))
		return 1;
	GMimeStream *st = c->store->ops->open_original(c->store, id, &e);
	if (!st)
		return entry_error(e);
	int rc = 1, fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		qerr("%s: %s (export never overwrites a file)", out, g_strerror(errno));
	else if (!copy_to_fd(st, fd, &e) || fsync(fd) != 0)
		qerr("%s: %s", out, e ? e->message : g_strerror(errno));
	else
		rc = 0;
	if (fd >= 0 && close(fd) != 0)
		rc = 1;
	if (rc && fd >= 0)
		unlink(out);
	g_clear_error(&e);
	g_object_unref(st);
	if (rc == 0)
		printf("%s: original of %s written\n", out, id);
	return rc;
}

/* ---- release ---- */

static GBytes *read_original(struct qctx *c, const char *id, GError **err)
{
	GMimeStream *st = c->store->ops->open_original(c->store, id, err);
	if (!st)
		return NULL;
	GByteArray *b = g_byte_array_new();
	char buf[65536];
	gssize n;
	while ((n = g_mime_stream_read(st, buf, sizeof buf)) > 0 && b->len + (gsize)n <= ORIGINAL_MAX)
		g_byte_array_append(b, (const guint8 *)buf, (guint)n);
	g_object_unref(st);
	if (n != 0) {
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s: cannot read the original (or larger than 4 GiB)",
			    id);
		g_byte_array_unref(b);
		return NULL;
	}
	return g_byte_array_free_to_bytes(b);
}

static void release_record(struct qctx *c, JsonObject *m, const char *via)
{
	JsonNode *n = json_object_get_member(m, "releases");
	if (!n || !JSON_NODE_HOLDS_ARRAY(n)) {
		json_object_set_array_member(m, "releases", json_array_new());
		n = json_object_get_member(m, "releases");
	}
	JsonObject *r = json_object_new();
	char *now = mg_audit_time_iso(g_get_real_time()), *user = mg_audit_invoker();
	json_object_set_string_member(r, "time", now);
	mg_json_set_str(r, "user", user);
	mg_json_set_str(r, "to", c->o->to);
	mg_json_set_str(r, "reason", c->o->reason);
	mg_json_set_str(r, "via", via);
	json_array_add_object_element(json_node_get_array(n), r);
	g_free(now);
	g_free(user);
	GError *e = NULL;
	if (!c->store->ops->put_meta(c->store, mg_json_get_str(m, "id"), m, &e)) {
		qerr("released, but the metadata was not updated: %s (the admin audit log has the record)", e->message);
		g_error_free(e);
	}
}

static int release_done(struct qctx *c, const char *id, const char *via, const char *result)
{
	JsonObject *d = details_id(id);
	mg_json_set_str(d, "to", c->o->to);
	mg_json_set_str(d, "reason", c->o->reason);
	mg_json_set_str(d, "via", via);
	mg_json_set_str(d, "result", result);
	gboolean logged = mg_admin_log(c->cfg, "release", d, TRUE);
	json_object_unref(d);
	return logged ? 0 : 1;
}

static int q_release(struct qctx *c)
{
	const char *id = c->o->args[1];
	GError *e = NULL;
	char *via = NULL;
	if (!c->o->to || !mg_release_addr_ok(c->o->to) || !c->o->reason || !*g_strstrip(c->o->reason)) {
		qerr("release needs --to ADDR (user@domain) and --reason TEXT");
		return MG_EX_USAGE;
	}
	JsonObject *m = c->store->ops->get_meta(c->store, id, &e);
	GBytes *msg = m ? read_original(c, id, &e) : NULL;
	const char *sender = m ? mg_json_get_str(m, "mail_from") : NULL;
	int rc = 1;
	if (!msg)
		rc = entry_error(e);
	else if (!sender || (*sender && !mg_release_addr_ok(sender)))
		qerr("%s: corrupt metadata: bad envelope sender", id);
	else if (g_strcmp0(mg_json_get_str(m, "state"), "final") != 0 && mg_json_get_str(m, "state") && !c->o->force)
		qerr("%s is %s: the MTA never accepted this message, so its sender retries it and releasing it "
		     "could deliver it twice; release it with --force only when you know it was not retried",
		     id, mg_json_get_str(m, "state"));
	else if (g_strcmp0(mg_json_get_str(m, "class"), "hold") == 0) /* issue 16: the approval must not be bypassed */
		qerr("%s is held for approval; use `mugaika hold approve %s` (or reject)", id, id);
	else if (g_strcmp0(mg_json_get_str(m, "class"), "blocked") == 0 && !c->o->force)
		qerr("%s was blocked (rule %s); it is released unchanged only with --force", id,
		     mg_json_get_str(m, "rule") ? mg_json_get_str(m, "rule") : "?");
	else if (release_done(c, id, NULL, "started") != 0)
		qerr("release refused: the admin audit log cannot be written");
	else if (!mg_release_send(c->cfg, msg, sender, c->o->to, &via, &e)) {
		char *why = g_strdup_printf("error: %s", e->message);
		qerr("%s: release to <%s> failed: %s", id, c->o->to, e->message);
		release_done(c, id, via, why);
		g_free(why);
		g_clear_error(&e);
	} else {
		release_record(c, m, via);
		rc = release_done(c, id, via, "ok");
		printf("%s released to <%s> via %s\n", id, c->o->to, via);
	}
	if (msg)
		g_bytes_unref(msg);
	if (m)
		json_object_unref(m);
	g_free(via);
	return rc;
}

/* ---- hold ---- */

static int q_hold(struct qctx *c)
{
	const char *id = c->o->args[1];
	gboolean on = !c->o->off;
	GError *e = NULL;
	JsonObject *d = details_id(id);
	json_object_set_boolean_member(d, "hold", on);
	if (!log_cmd(c, "hold", d))
		return 1;
	JsonObject *m = c->store->ops->get_meta(c->store, id, &e);
	if (!m)
		return entry_error(e);
	json_object_set_boolean_member(m, "hold", on);
	int rc = 0;
	if (!c->store->ops->put_meta(c->store, id, m, &e))
		rc = entry_error(e);
	else
		printf("%s: legal hold %s\n", id, on ? "on" : "off");
	json_object_unref(m);
	return rc;
}

/* ---- purge ---- */

struct purge_ctx {
	struct qctx *c;
	guint removed, held, log_errors;
};

static void on_purged(const char *id, const char *what, const char *detail, gpointer data)
{
	struct purge_ctx *p = data;
	if (strcmp(what, "error") == 0)
		qerr("%s", detail ? detail : id);
	if (strcmp(what, "held") == 0)
		p->held++;
	if (strcmp(what, "removed") != 0)
		return;
	p->removed++;
	printf("removed %s\n", id);
	JsonObject *d = details_id(id);
	mg_json_set_str(d, "result", "removed");
	if (!mg_admin_log(p->c->cfg, "purge", d, TRUE))
		p->log_errors++;
	json_object_unref(d);
}

static int q_purge(struct qctx *c)
{
	struct purge_ctx p = {.c = c};
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "result", "started");
	if (!log_cmd(c, "purge", d))
		return 1;
	guint errors = mg_quarantine_purge(c->store, c->cfg, g_get_real_time(), on_purged, &p);
	printf("purge: %u removed, %u on legal hold kept, %u errors\n", p.removed, p.held, errors);
	return errors || p.log_errors ? 1 : 0;
}

/* ---- dispatch ---- */

struct qsub {
	const char *name;
	int (*fn)(struct qctx *c);
	int nargs; /* positional arguments after the subcommand */
	const char *usage;
};

static const struct qsub qsubs[] = {
	{"list", q_list, 0, "list [--since DATE] [--until DATE] [--sender S] [--rcpt R] [--verdict V] [--json]"},
	{"show", q_show, 1, "show ID [--json]"},
	{"export", q_export, 1, "export ID -o FILE"},
	{"release", q_release, 1, "release ID --to ADDR --reason TEXT [--force]"},
	{"hold", q_hold, 1, "hold ID [--off]"},
	{"purge", q_purge, 0, "purge"},
};

static void q_usage(FILE *out)
{
	fprintf(out, "usage: mugaika quarantine [-c CONF] COMMAND ...\n");
	for (gsize i = 0; i < G_N_ELEMENTS(qsubs); i++)
		fprintf(out, "  mugaika quarantine %s\n", qsubs[i].usage);
	fprintf(out, "DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[+09:00]; --until is exclusive (a bare date: the\n"
		     "whole day included).  Every command is recorded in admin_audit_log.\n");
}

static int q_parse(int argc, char **argv, struct qopts *o)
{
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf, "configuration file", "CONF"},
		{"since", 0, 0, G_OPTION_ARG_STRING, &o->since, "list: stored at or after", "DATE"},
		{"until", 0, 0, G_OPTION_ARG_STRING, &o->until, "list: stored before", "DATE"},
		{"sender", 0, 0, G_OPTION_ARG_STRING, &o->sender, "list: sender contains", "S"},
		{"rcpt", 0, 0, G_OPTION_ARG_STRING, &o->rcpt, "list: a recipient contains", "R"},
		{"verdict", 0, 0, G_OPTION_ARG_STRING, &o->verdict, "list: verdict is", "V"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "list/show: JSON output", NULL},
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, "export: write to FILE", "FILE"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &o->to, "release: recipient", "ADDR"},
		{"reason", 0, 0, G_OPTION_ARG_STRING, &o->reason, "release: why (recorded)", "TEXT"},
		{"off", 0, 0, G_OPTION_ARG_NONE, &o->off, "hold: lift the legal hold", NULL},
		{"force", 0, 0, G_OPTION_ARG_NONE, &o->force, "release: also a blocked (rejected) message", NULL},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->args, NULL, "COMMAND [ID]"},
		{NULL},
	};
	gboolean ok = mg_cli_options("quarantine", NULL, NULL, entries, &argc, &argv);
	static const char *verdicts[] = {"accept", "reject", "tempfail", NULL};
	if (ok && o->verdict && !g_strv_contains(verdicts, o->verdict)) {
		qerr("--verdict '%s' is not allowed; allowed: accept, reject, tempfail", o->verdict);
		ok = FALSE;
	}
	GError *de = NULL;
	o->until_us = G_MAXINT64 - G_USEC_PER_SEC;
	if (ok && ((o->since && !mg_audit_parse_date(o->since, FALSE, &o->since_us, &de)) ||
		   (o->until && !mg_audit_parse_date(o->until, TRUE, &o->until_us, &de)))) {
		qerr("%s", de->message);
		g_error_free(de);
		ok = FALSE;
	}
	return ok ? MG_EX_OK : MG_EX_USAGE;
}

static void qopts_free(struct qopts *o)
{
	char *s[] = {o->conf, o->since, o->until, o->sender, o->rcpt, o->verdict, o->to, o->reason, o->output};
	for (gsize i = 0; i < G_N_ELEMENTS(s); i++)
		g_free(s[i]);
	g_strfreev(o->args);
}

static const struct qsub *q_find(const struct qopts *o)
{
	guint n = o->args ? g_strv_length(o->args) : 0;
	for (gsize i = 0; n > 0 && i < G_N_ELEMENTS(qsubs); i++)
		if (strcmp(o->args[0], qsubs[i].name) == 0) {
			if (n != (guint)qsubs[i].nargs + 1)
				return NULL;
			if (strcmp(qsubs[i].name, "export") == 0 && !o->output)
				return NULL;
			return &qsubs[i];
		}
	return NULL;
}

int mg_cmd_quarantine(int argc, char **argv)
{
	struct qopts o = {0};
	int rc = q_parse(argc, argv, &o);
	const struct qsub *sub = rc ? NULL : q_find(&o);
	if (!rc && !sub) {
		q_usage(stderr);
		rc = MG_EX_USAGE;
	}
	struct mg_config *cfg = rc ? NULL : mg_cli_load_config(o.conf);
	if (!rc && !cfg)
		rc = MG_EX_CONFIG;
	if (!rc) {
		struct qctx c = {.cfg = cfg, .store = mg_qstore_open(cfg), .o = &o};
		rc = sub->fn(&c);
		mg_qstore_close(c.store);
	}
	if (cfg)
		mg_config_unref(cfg);
	qopts_free(&o);
	return rc;
}
