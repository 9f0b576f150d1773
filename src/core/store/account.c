/*
 * account.c - see mg_account.h: applying a configuration to the process
 * (offset, keys, alerts, remote copy) and the daemon's start and stop
 * records.  Configuration changes and binaries are changes.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mg_account.h"
#include "mg_alert.h"
#include "mg_audit.h"
#include "mg_clock.h"
#include "mg_log.h"

static gboolean key_generated;
static JsonArray *binaries_at_start; /* the daemon's, for the periodic check */
static GMutex sink_lock;
static char *sink_path;  /* audit_log of the configuration in force */
static char *admin_path; /* admin_audit_log of the configuration in force */

char *mg_account_key_path(const struct mg_config *cfg)
{
	const char *cred = g_getenv("CREDENTIALS_DIRECTORY");
	char *p = cred && *cred ? g_build_filename(cred, "audit.key", NULL) : NULL;
	if (p && g_file_test(p, G_FILE_TEST_EXISTS))
		return p;
	g_free(p);
	return g_strdup(cfg->audit_key_file);
}

gboolean mg_account_key_generated(void)
{
	return key_generated;
}

static gboolean logs_configured(const struct mg_config *cfg)
{
	return *cfg->audit_log || *cfg->admin_audit_log;
}

static gboolean keys_in_use(void)
{
	struct mg_audit_keys *k = mg_audit_keys_get();
	mg_audit_keys_unref(k);
	return k != NULL;
}

/* Load (or, for the daemon as root, make) the keys; install them. */
static gboolean apply_keys(const struct mg_config *cfg, unsigned flags, GError **err)
{
	char *path = mg_account_key_path(cfg);
	GError *e = NULL;
	gboolean daemon = flags & MG_ACCOUNT_DAEMON;
	key_generated = FALSE;
	if (daemon && !(flags & MG_ACCOUNT_RELOAD) && logs_configured(cfg) && geteuid() == 0 &&
	    access(path, F_OK) != 0 && errno == ENOENT) {
		char *id = NULL;
		key_generated = mg_audit_key_generate(path, FALSE, &id, &e);
		if (key_generated)
			mg_info(NULL, "audit key file %s made (key %s)", path, id);
		g_free(id);
		g_clear_error(&e);
	}
	struct mg_audit_keys *k = mg_audit_keys_load(path, &e);
	gboolean ok = TRUE;
	if (k)
		mg_audit_use_keys(k);
	else if ((flags & MG_ACCOUNT_RELOAD) && keys_in_use())
		mg_warn(NULL, "%s; the keys in use stay", e->message);
	else if (daemon && logs_configured(cfg)) {
		g_propagate_prefixed_error(err, g_steal_pointer(&e), "audit keys: ");
		ok = FALSE;
	} else
		mg_audit_use_keys(NULL); /* commands that write no log do not need them */
	g_clear_error(&e);
	mg_audit_keys_unref(k);
	g_free(path);
	return ok;
}

/* Routed alerts become `alert` records of the audit log in force. */
static void alert_sink(JsonObject *rec, gpointer data)
{
	(void)data;
	GError *err = NULL;
	g_mutex_lock(&sink_lock);
	char *path = g_strdup(sink_path);
	g_mutex_unlock(&sink_lock);
	if (path && *path && !mg_audit_append(path, rec, &err)) {
		mg_err(NULL, "alert not recorded in the audit log: %s", err->message);
		g_error_free(err);
	}
	g_free(path);
}

/* Acts of the process itself (an automatic stop) become "admin" records
 * of the admin log in force, with user = who did it. */
static gboolean act_sink(const char *command, const char *by, JsonObject *details, gpointer data)
{
	(void)data;
	g_mutex_lock(&sink_lock);
	char *path = g_strdup(admin_path);
	g_mutex_unlock(&sink_lock);
	gboolean ok = mg_admin_log_as(path, by, command, details, TRUE);
	g_free(path);
	return ok;
}

gboolean mg_account_apply(const struct mg_config *cfg, unsigned flags, GError **err)
{
	int offset = MG_CLOCK_DEFAULT_OFFSET;
	if (!mg_clock_parse_offset(cfg->log_timezone, &offset))
		offset = MG_CLOCK_DEFAULT_OFFSET; /* checked when the configuration was loaded */
	if (!apply_keys(cfg, flags, err))
		return FALSE;
	mg_clock_set_offset(offset);
	g_mutex_lock(&sink_lock);
	g_free(sink_path);
	sink_path = g_strdup(cfg->audit_log);
	g_free(admin_path);
	admin_path = g_strdup(cfg->admin_audit_log);
	g_mutex_unlock(&sink_lock);
	mg_alert_set_sink(alert_sink, NULL);
	mg_alert_set_act_sink(act_sink, NULL);
	mg_alert_configure(cfg);
	mg_audit_forward_configure(cfg);
	return TRUE;
}

static void start_record(const char *path, const char *version)
{
	if (!*path)
		return;
	JsonObject *o = json_object_new();
	char *now = mg_clock_iso(g_get_real_time());
	GError *err = NULL;
	json_object_set_string_member(o, "type", "start");
	json_object_set_string_member(o, "time", now);
	json_object_set_string_member(o, "host", mg_clock_hostname());
	json_object_set_int_member(o, "pid", (gint64)getpid());
	json_object_set_string_member(o, "version", version);
	json_object_set_boolean_member(o, "key_generated", key_generated);
	if (!mg_audit_append_kind(path, o, MG_AUDIT_START, NULL, &err)) {
		mg_err(NULL, "start record not written: %s", err->message);
		g_error_free(err);
	}
	json_object_unref(o);
	g_free(now);
}

void mg_account_daemon_start(const struct mg_config *cfg, const char *version)
{
	start_record(cfg->audit_log, version);
	if (g_strcmp0(cfg->admin_audit_log, cfg->audit_log) != 0)
		start_record(cfg->admin_audit_log, version);
	JsonObject *d = json_object_new();
	json_object_set_string_member(d, "version", version);
	json_object_set_int_member(d, "pid", (gint64)getpid());
	if (binaries_at_start)
		json_array_unref(binaries_at_start);
	binaries_at_start = mg_account_binaries();
	json_object_set_array_member(d, "binaries", json_array_ref(binaries_at_start));
	mg_admin_log(cfg, "daemon-start", d, FALSE);
	json_object_unref(d);
}

static void seal(const char *path)
{
	GError *err = NULL;
	if (*path && !mg_audit_seal(path, "stop", &err)) {
		mg_err(NULL, "%s not sealed: %s", path, err->message);
		g_error_free(err);
	}
}

/* path -> sha256 (or error text) of one binaries array */
static GHashTable *binaries_map(JsonArray *a)
{
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		const char *sum = mg_json_get_str(o, "sha256");
		g_hash_table_insert(h, (gpointer)mg_json_get_str0(o, "path"), (gpointer)(sum ? sum : "unreadable"));
	}
	return h;
}

guint mg_account_binaries_check(const struct mg_config *cfg)
{
	if (!binaries_at_start)
		return 0;
	JsonArray *now = mg_account_binaries();
	GHashTable *then = binaries_map(binaries_at_start);
	JsonArray *changed = json_array_new();
	for (guint i = 0; i < json_array_get_length(now); i++) {
		JsonObject *o = json_array_get_object_element(now, i);
		const char *was = g_hash_table_lookup(then, mg_json_get_str0(o, "path"));
		const char *is = mg_json_get_str(o, "sha256") ? mg_json_get_str(o, "sha256") : "unreadable";
		if (was && strcmp(was, is) != 0)
			json_array_add_object_element(changed, json_object_ref(o));
	}
	guint n = json_array_get_length(changed);
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(changed, i);
		mg_alert_emit(MG_ALERT_BINARY_CHANGED, MG_ALERT_CRITICAL,
			      "%s differs from the file this daemon started from (now %s): an update without a "
			      "restart, or a change nobody announced",
			      mg_json_get_str0(o, "path"),
			      mg_json_get_str(o, "sha256") ? mg_json_get_str(o, "sha256") : "unreadable");
	}
	if (n) {
		JsonObject *d = json_object_new();
		json_object_set_array_member(d, "changed", json_array_ref(changed));
		mg_admin_log(cfg, "binary-changed", d, FALSE);
		json_object_unref(d);
		json_array_unref(binaries_at_start); /* say it once per change */
		binaries_at_start = json_array_ref(now);
	}
	g_hash_table_unref(then);
	json_array_unref(changed);
	json_array_unref(now);
	return n;
}

void mg_account_daemon_stop(const struct mg_config *cfg)
{
	JsonObject *d = json_object_new();
	json_object_set_int_member(d, "pid", (gint64)getpid());
	mg_admin_log(cfg, "daemon-stop", d, FALSE);
	json_object_unref(d);
	mg_alert_flush(10 * G_USEC_PER_SEC);
	mg_alert_shutdown();
	mg_alert_set_sink(NULL, NULL);
	mg_alert_set_act_sink(NULL, NULL);
	seal(cfg->audit_log);
	if (g_strcmp0(cfg->admin_audit_log, cfg->audit_log) != 0)
		seal(cfg->admin_audit_log);
	mg_audit_forward_stop();
}
