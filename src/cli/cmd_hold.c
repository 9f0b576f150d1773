/*
 * cmd_hold.c - `mugaika hold`: the approval hold queue (issue 16 item 7,
 * F26, R8.1, R13.1; see docs/outbound-controls.md).
 *
 *   mugaika hold [-c CONF] list [--all] [--json]
 *   mugaika hold [-c CONF] show ID [--json]
 *   mugaika hold [-c CONF] approve ID --reason TEXT
 *   mugaika hold [-c CONF] reject ID --reason TEXT
 *   mugaika hold [-c CONF] release-due
 *
 * Held mail is a quarantine entry of class "hold" whose stored message is
 * the message as it would have been delivered; its metadata member
 * "approval" records status (pending, released, rejected, release-failed),
 * reasons, release mode and time, the sender's identities, and every
 * decision.  approve re-injects it to every envelope recipient not yet
 * delivered (release_smtp_host or release_sendmail, as `quarantine release`,
 * so it does not pass the milter again).  With hold_approver_distinct the
 * approver (login name; SUDO_USER under sudo) must not be the sender.
 * Every command is first recorded in admin_audit_log (refused when it
 * cannot be); approve, reject and release-due hold an flock of
 * quarantine_dir while they change an entry.
 * Exit: 0 ok, 1 an entry could not be handled (or the approver is the
 * sender), 64 usage, 78 configuration.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "mg_audit.h"
#include "mg_quarantine.h"

#define ORIGINAL_MAX (G_GINT64_CONSTANT(4) * 1024 * 1024 * 1024)

struct hopts {
	char *conf, *reason;
	gboolean all, json;
	char **args;
};

struct hctx {
	struct mg_config *cfg;
	struct mg_qstore *store;
	struct hopts *o;
	char *user;
};

static void herr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void herr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "mugaika hold: %s\n", m);
	g_free(m);
}

static JsonObject *approval_of(JsonObject *m)
{
	JsonNode *n = m ? json_object_get_member(m, "approval") : NULL;
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *array_member(JsonObject *o, const char *key)
{
	JsonNode *n = json_object_get_member(o, key);
	if (!n || !JSON_NODE_HOLDS_ARRAY(n)) {
		json_object_set_array_member(o, key, json_array_new());
		n = json_object_get_member(o, key);
	}
	return json_node_get_array(n);
}

static gboolean array_has(JsonArray *a, const char *s)
{
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		if (JSON_NODE_HOLDS_VALUE(n) && g_strcmp0(json_node_get_string(n), s) == 0)
			return TRUE;
	}
	return FALSE;
}

static char *joined(JsonObject *o, const char *key, const char *sep)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	GString *g = g_string_new(NULL);
	JsonArray *a = n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		const char *s = json_node_get_string(json_array_get_element(a, i));
		g_string_append_printf(g, "%s%s", i ? sep : "", s ? s : "");
	}
	return g_string_free(g, FALSE);
}

static gboolean log_cmd(struct hctx *c, const char *command, const char *id, const char *result)
{
	JsonObject *d = json_object_new();
	mg_json_set_str(d, "id", id);
	mg_json_set_str(d, "reason", c->o->reason);
	mg_json_set_str(d, "result", result);
	gboolean ok = mg_admin_log(c->cfg, command, d, TRUE);
	json_object_unref(d);
	if (!ok)
		herr("%s refused: the admin audit log cannot be written", command);
	return ok;
}

/* An entry of the hold queue: metadata of class hold with "approval". */
static JsonObject *hold_meta(struct hctx *c, const char *id, gboolean quiet, GError **err)
{
	JsonObject *m = c->store->ops->get_meta(c->store, id, err);
	if (m && (g_strcmp0(mg_json_get_str(m, "class"), "hold") != 0 || !approval_of(m))) {
		if (!quiet)
			g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_NOT_FOUND, "%s: not a held message", id);
		json_object_unref(m);
		return NULL;
	}
	return m;
}

/* ---- list / show ---- */

static void list_line(JsonObject *m)
{
	JsonObject *a = approval_of(m);
	char *r = joined(m, "rcpts", ","), *why = joined(a, "reasons", "; ");
	printf("%s  %-14s %-8s due %-29s <%s> -> %s  %s\n", mg_json_get_str0(m, "id"), mg_json_get_str0(a, "status"),
	       mg_json_get_str0(a, "release"),
	       mg_json_get_str(a, "release_after") ? mg_json_get_str(a, "release_after") : "-",
	       mg_json_get_str0(m, "mail_from"), r, why);
	g_free(r);
	g_free(why);
}

static void print_json(JsonObject *m, gboolean pretty)
{
	JsonNode *n = json_node_init_object(json_node_alloc(), m);
	char *s = json_to_string(n, pretty);
	printf("%s\n", s);
	g_free(s);
	json_node_unref(n);
}

static int h_list(struct hctx *c)
{
	GError *e = NULL;
	if (!log_cmd(c, "hold-list", NULL, NULL))
		return 1;
	GPtrArray *ids = c->store->ops->list(c->store, &e);
	if (!ids) {
		herr("%s", e->message);
		g_error_free(e);
		return 1;
	}
	for (guint i = 0; i < ids->len; i++) {
		JsonObject *m = hold_meta(c, ids->pdata[i], TRUE, NULL);
		if (m && (c->o->all || g_strcmp0(mg_json_get_str(approval_of(m), "status"), "pending") == 0 ||
			  g_strcmp0(mg_json_get_str(approval_of(m), "status"), "release-failed") == 0)) {
			if (c->o->json)
				print_json(m, FALSE);
			else
				list_line(m);
		}
		if (m)
			json_object_unref(m);
	}
	g_ptr_array_unref(ids);
	return 0;
}

static void show_decisions(JsonObject *a)
{
	JsonNode *n = json_object_get_member(a, "decisions");
	JsonArray *d = n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
	for (guint i = 0; d && i < json_array_get_length(d); i++) {
		JsonObject *o = json_array_get_object_element(d, i);
		printf("  %s %s by %s: %s (%s)\n", mg_json_get_str0(o, "time"), mg_json_get_str0(o, "action"),
		       mg_json_get_str0(o, "user"), mg_json_get_str0(o, "reason"), mg_json_get_str0(o, "result"));
	}
}

static int h_show(struct hctx *c)
{
	const char *id = c->o->args[1];
	GError *e = NULL;
	if (!log_cmd(c, "hold-show", id, NULL))
		return 1;
	JsonObject *m = hold_meta(c, id, FALSE, &e);
	if (!m) {
		herr("%s", e->message);
		g_error_free(e);
		return 1;
	}
	JsonObject *a = approval_of(m);
	if (c->o->json)
		print_json(m, TRUE);
	else {
		char *r = joined(m, "rcpts", ", "), *why = joined(a, "reasons", "; "),
		     *ids = joined(a, "delivered", ", ");
		printf("Id               %s\nStored           %s\nStatus           %s\nRelease          %s (after %s)\n"
		       "Envelope from    %s\nRecipients       %s\nDelivered to     %s\nSubject          %s\n"
		       "Reasons          %s\nDecisions:\n",
		       id, mg_json_get_str0(m, "stored"), mg_json_get_str0(a, "status"), mg_json_get_str0(a, "release"),
		       mg_json_get_str(a, "release_after") ? mg_json_get_str(a, "release_after") : "-",
		       mg_json_get_str0(m, "mail_from"), r, ids, mg_json_get_str0(m, "subject"), why);
		show_decisions(a);
		g_free(r);
		g_free(why);
		g_free(ids);
	}
	json_object_unref(m);
	return 0;
}

/* ---- decisions ---- */

static void add_decision(struct hctx *c, JsonObject *a, const char *action, const char *result)
{
	JsonObject *d = json_object_new();
	char *now = mg_audit_time_iso(g_get_real_time());
	json_object_set_string_member(d, "time", now);
	mg_json_set_str(d, "user", c->user);
	json_object_set_string_member(d, "action", action);
	mg_json_set_str(d, "reason", c->o->reason);
	mg_json_set_str(d, "result", result);
	json_array_add_object_element(array_member(a, "decisions"), d);
	g_free(now);
}

static gboolean save(struct hctx *c, JsonObject *m)
{
	GError *e = NULL;
	if (c->store->ops->put_meta(c->store, mg_json_get_str(m, "id"), m, &e))
		return TRUE;
	herr("%s: metadata not updated: %s (the admin audit log has the record)", mg_json_get_str0(m, "id"),
	     e->message);
	g_error_free(e);
	return FALSE;
}

/* 送信者と別の人が確認: the approver is none of the sender's identities. */
static gboolean approver_ok(struct hctx *c, JsonObject *a)
{
	if (!c->cfg->hold_approver_distinct)
		return TRUE;
	char *me = g_ascii_strdown(c->user, -1);
	gboolean same = array_has(json_object_get_array_member(a, "sender_ids"), me);
	g_free(me);
	if (same)
		herr("%s is the sender of this message; another person must approve it (hold_approver_distinct)",
		     c->user);
	return !same;
}

static GBytes *read_stored(struct hctx *c, const char *id, GError **err)
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
		g_set_error(err, MG_QUARANTINE_ERROR, MG_QERR_IO, "%s: cannot read the held message", id);
		g_byte_array_unref(b);
		return NULL;
	}
	return g_byte_array_free_to_bytes(b);
}

/* Send to every recipient not yet delivered; TRUE when all are. */
static gboolean release_all(struct hctx *c, JsonObject *m, JsonObject *a, GBytes *msg)
{
	JsonNode *rn = json_object_get_member(m, "rcpts");
	JsonArray *rcpts = rn && JSON_NODE_HOLDS_ARRAY(rn) ? json_node_get_array(rn) : NULL;
	JsonArray *done = array_member(a, "delivered");
	const char *sender = mg_json_get_str0(m, "mail_from");
	gboolean all = rcpts && json_array_get_length(rcpts) > 0;
	for (guint i = 0; rcpts && i < json_array_get_length(rcpts); i++) {
		const char *r = json_node_get_string(json_array_get_element(rcpts, i));
		char *via = NULL;
		GError *e = NULL;
		if (!r || array_has(done, r))
			continue;
		if (mg_release_send(c->cfg, msg, sender, r, &via, &e)) {
			json_array_add_string_element(done, r);
			printf("%s released to <%s> via %s\n", mg_json_get_str0(m, "id"), r, via);
		} else {
			herr("%s: release to <%s> failed: %s", mg_json_get_str0(m, "id"), r, e->message);
			g_error_free(e);
			all = FALSE;
		}
		g_free(via);
	}
	return all;
}

static int release_entry(struct hctx *c, JsonObject *m, const char *action)
{
	const char *id = mg_json_get_str0(m, "id");
	JsonObject *a = approval_of(m);
	GError *e = NULL;
	const char *sender = mg_json_get_str(m, "mail_from");
	if (!sender || (*sender && !mg_release_addr_ok(sender))) {
		herr("%s: corrupt metadata: bad envelope sender", id);
		return 1;
	}
	GBytes *msg = read_stored(c, id, &e);
	if (!msg) {
		herr("%s", e->message);
		g_error_free(e);
		return 1;
	}
	gboolean ok = release_all(c, m, a, msg);
	g_bytes_unref(msg);
	json_object_set_string_member(a, "status", ok ? "released" : "release-failed");
	add_decision(c, a, action, ok ? "released" : "release failed (approve again to retry)");
	gboolean saved = save(c, m);
	char *cmd = g_strconcat("hold-", action, NULL);
	gboolean logged = log_cmd(c, cmd, id, ok ? "released" : "release-failed");
	g_free(cmd);
	return ok && saved && logged ? 0 : 1;
}

static gboolean pending(JsonObject *a)
{
	const char *s = mg_json_get_str(a, "status");
	return g_strcmp0(s, "pending") == 0 || g_strcmp0(s, "release-failed") == 0;
}

static int h_decide(struct hctx *c, gboolean approve)
{
	const char *id = c->o->args[1], *cmd = approve ? "hold-approve" : "hold-reject";
	GError *e = NULL;
	if (!c->o->reason || !*g_strstrip(c->o->reason) || !g_utf8_validate(c->o->reason, -1, NULL)) {
		herr("%s needs --reason TEXT, UTF-8 (it is recorded)", approve ? "approve" : "reject");
		return MG_EX_USAGE;
	}
	if (!log_cmd(c, cmd, id, "started"))
		return 1;
	JsonObject *m = hold_meta(c, id, FALSE, &e);
	int rc = 1;
	if (!m) {
		herr("%s", e->message);
		g_error_free(e);
	} else if (!pending(approval_of(m)))
		herr("%s is %s, not pending", id, mg_json_get_str0(approval_of(m), "status"));
	else if (approve && !approver_ok(c, approval_of(m)))
		log_cmd(c, cmd, id, "refused: the approver is the sender");
	else if (approve)
		rc = release_entry(c, m, "approve");
	else {
		json_object_set_string_member(approval_of(m), "status", "rejected");
		add_decision(c, approval_of(m), "reject", "not sent");
		rc = save(c, m) && log_cmd(c, cmd, id, "rejected") ? 0 : 1;
		if (!rc)
			printf("%s rejected: it will not be sent\n", id);
	}
	if (m)
		json_object_unref(m);
	return rc;
}

static int h_approve(struct hctx *c)
{
	return h_decide(c, TRUE);
}

static int h_reject(struct hctx *c)
{
	return h_decide(c, FALSE);
}

/* hold_release = delay: pending entries whose time has come. */
static gboolean due(JsonObject *a, gint64 now_us)
{
	gint64 t = 0;
	return g_strcmp0(mg_json_get_str(a, "release"), "delay") == 0 &&
	       g_strcmp0(mg_json_get_str(a, "status"), "pending") == 0 &&
	       mg_audit_time_parse(mg_json_get_str(a, "release_after"), &t) && t <= now_us;
}

static int h_release_due(struct hctx *c)
{
	GError *e = NULL;
	int rc = 0;
	if (!log_cmd(c, "hold-release-due", NULL, "started"))
		return 1;
	GPtrArray *ids = c->store->ops->list(c->store, &e);
	if (!ids) {
		herr("%s", e->message);
		g_error_free(e);
		return 1;
	}
	gint64 now = g_get_real_time();
	for (guint i = 0; i < ids->len; i++) {
		JsonObject *m = hold_meta(c, ids->pdata[i], TRUE, NULL);
		if (m && due(approval_of(m), now) && release_entry(c, m, "release-due") != 0)
			rc = 1;
		if (m)
			json_object_unref(m);
	}
	g_ptr_array_unref(ids);
	return rc;
}

/* ---- dispatch ---- */

struct hsub {
	const char *name;
	int (*fn)(struct hctx *c);
	int nargs;
	gboolean locks;
	const char *usage;
};

static const struct hsub hsubs[] = {
	{"list", h_list, 0, FALSE, "list [--all] [--json]"},
	{"show", h_show, 1, FALSE, "show ID [--json]"},
	{"approve", h_approve, 1, TRUE, "approve ID --reason TEXT"},
	{"reject", h_reject, 1, TRUE, "reject ID --reason TEXT"},
	{"release-due", h_release_due, 0, TRUE, "release-due"},
};

static const struct hsub *h_find(const struct hopts *o)
{
	guint n = o->args ? g_strv_length(o->args) : 0;
	for (gsize i = 0; n > 0 && i < G_N_ELEMENTS(hsubs); i++)
		if (strcmp(o->args[0], hsubs[i].name) == 0)
			return n == (guint)hsubs[i].nargs + 1 ? &hsubs[i] : NULL;
	return NULL;
}

static void h_usage(void)
{
	fprintf(stderr, "usage: mugaika hold [-c CONF] COMMAND ...\n");
	for (gsize i = 0; i < G_N_ELEMENTS(hsubs); i++)
		fprintf(stderr, "  mugaika hold %s\n", hsubs[i].usage);
}

/* Serialize decisions on the store (two admins approving at once). */
static int h_locked(struct hctx *c, const struct hsub *sub)
{
	int fd = open(c->cfg->quarantine_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		herr("%s: cannot lock: %s", c->cfg->quarantine_dir, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	int rc = sub->fn(c);
	close(fd);
	return rc;
}

int mg_cmd_hold(int argc, char **argv)
{
	struct hopts o = {0};
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.conf, "configuration file", "CONF"},
		{"reason", 0, 0, G_OPTION_ARG_FILENAME, &o.reason, "approve/reject: why (recorded)", "TEXT"},
		{"all", 0, 0, G_OPTION_ARG_NONE, &o.all, "list: also decided entries", NULL},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "list/show: JSON output", NULL},
		{G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.args, NULL, "COMMAND [ID]"},
		{NULL},
	};
	int rc = mg_cli_options("hold", NULL, NULL, entries, &argc, &argv) ? MG_EX_OK : MG_EX_USAGE;
	const struct hsub *sub = rc ? NULL : h_find(&o);
	struct mg_config *cfg = NULL;
	if (!rc && !sub) {
		h_usage();
		rc = MG_EX_USAGE;
	}
	if (!rc && !(cfg = mg_cli_load_config(o.conf)))
		rc = MG_EX_CONFIG;
	if (!rc) {
		struct hctx c = {.cfg = cfg, .store = mg_qstore_open(cfg), .o = &o, .user = mg_audit_invoker()};
		rc = sub->locks ? h_locked(&c, sub) : sub->fn(&c);
		mg_qstore_close(c.store);
		g_free(c.user);
	}
	if (cfg)
		mg_config_unref(cfg);
	g_free(o.conf);
	g_free(o.reason);
	g_strfreev(o.args);
	return rc;
}
