/*
 * scan_engine.c - the libclamav engine: load, compile, share, replace.
 *
 * Contract: cl_init runs once per process.  engine_build() makes a complete
 * engine (limits, heuristics, database loaded and compiled) or fails without
 * touching the one in force; only then is it swapped in under engine_lock.
 * Readers take a reference (mg_scan_engine_get) and drop it when done, so the
 * old engine is freed by whoever holds the last reference - a transaction in
 * flight keeps scanning with the engine it started with.  reload_lock
 * serializes builders (SIGHUP and the periodic directory check).
 */
#include "config.h"

#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/stat.h>

#include "mg_alert.h"
#include "mg_log.h"
#include "mg_scan.h"
#include "scan_engine.h"

#define SCAN_ERROR (g_quark_from_static_string("mg-scan-error"))

static GMutex engine_lock; /* protects engine_current */
static GMutex reload_lock; /* one builder at a time; protects the fields below */
static struct mg_scan_engine *engine_current;
static struct mg_config *engine_cfg; /* the latest configuration given (degraded mode too) */
static struct cl_stat db_stat;
static gboolean db_stat_valid;
static GOnce cl_once = G_ONCE_INIT;

static _Thread_local struct mg_scan_ctx *scan_current; /* the scan running on this thread */

/* libclamav's own messages go to our log (they explain a refused database);
 * an error during a scan is also counted against that scan: the per-scan
 * context when libclamav passes it, else the scan running on this thread. */
static void clamav_msg(enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
	struct mg_scan_ctx *ctx = context ? context : scan_current;
	char *line = g_strchomp(g_strdup(msg ? msg : ""));
	int level = severity == CL_MSG_ERROR ? MG_LOG_WARNING : severity == CL_MSG_WARN ? MG_LOG_INFO : MG_LOG_DEBUG;
	if (severity == CL_MSG_ERROR && ctx) {
		if (ctx->errors++ == 0)
			ctx->first_error = g_strdup(line);
		level = MG_LOG_ERR;
	}
	mg_log(level, ctx ? ctx->queue_id : NULL, "libclamav: %s", line);
	g_free(line);
}

cl_error_t mg_scan_run(cl_fmap_t *map, const char *name, const char **vname, const struct mg_scan_engine *e,
		       struct mg_scan_ctx *ctx)
{
	unsigned long scanned = 0;
	struct cl_scan_options opts = e->opts; /* libclamav takes a non-const pointer */
	opts.parse &= ~ctx->parse_off;
	scan_current = ctx;
	cl_error_t rc = cl_scanmap_callback(map, name, vname, &scanned, e->cl, &opts, ctx);
	scan_current = NULL;
	return rc;
}

static gboolean have_unrar;

static int find_unrar(struct dl_phdr_info *info, size_t size, void *data)
{
	return info->dlpi_name && strstr(info->dlpi_name, "libclamunrar") ? 1 : 0;
}

gboolean mg_scan_have_unrar(void)
{
	return have_unrar;
}

/* Without libclamunrar, libclamav passes RAR archives as clean without
 * looking inside: remember that such a layer was seen (it is unscannable). */
static cl_error_t pre_cache(int fd, const char *type, void *context)
{
	struct mg_scan_ctx *ctx = context;
	if (ctx && type && strcmp(type, "CL_TYPE_RAR") == 0)
		ctx->unpackable_missed = TRUE;
	return CL_CLEAN;
}

static gpointer cl_init_once(gpointer unused)
{
	cl_set_clcb_msg(clamav_msg);
	if (cl_init(CL_INIT_DEFAULT) != CL_SUCCESS)
		return GINT_TO_POINTER(2);
	/* cl_init loads the unrar module when it is installed */
	have_unrar = dl_iterate_phdr(find_unrar, NULL) != 0;
	if (!have_unrar)
		mg_info(NULL,
			"libclamav has no RAR support (libclamunrar not installed): RAR archives are unscannable");
	return GINT_TO_POINTER(1);
}

struct mg_scan_engine *mg_scan_engine_get(void)
{
	g_mutex_lock(&engine_lock);
	struct mg_scan_engine *e = engine_current;
	if (e)
		g_atomic_int_inc(&e->refcount);
	g_mutex_unlock(&engine_lock);
	return e;
}

void mg_scan_engine_unref(struct mg_scan_engine *e)
{
	if (!e || !g_atomic_int_dec_and_test(&e->refcount))
		return;
	if (e->cl)
		cl_engine_free(e->cl);
	mg_config_unref(e->cfg);
	g_free(e->db_dir);
	g_free(e);
}

gint64 mg_scan_engine_age(const struct mg_scan_engine *e, gint64 now)
{
	return now > e->db_time ? now - e->db_time : 0;
}

/* Newest modification time of the files in dir (for databases without a
 * CVD header, e.g. *.hdb written by a local tool). */
static gint64 dir_newest_mtime(const char *dir)
{
	gint64 newest = 0;
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime > newest)
			newest = st.st_mtime;
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	return newest;
}

/* Can the database in dir hold an image fuzzy hash signature (a logical
 * signature with a fuzzy_img# subsignature)?  Signature containers
 * (.cvd/.cld/.cud) are not opened here and count as yes.  Without such a
 * signature libclamav's image fuzzy hash (decoding every image to pixels,
 * most of the time of an image scan) can match nothing (issue 15). */
static gboolean db_has_fuzzy_img(const char *dir)
{
	static const char *const containers[] = {".cvd", ".cld", ".cud"}, *const logical[] = {".ldb", ".ldu"};
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	gboolean found = d == NULL; /* a single file or an unreadable directory: assume yes */
	while (!found && d && (name = g_dir_read_name(d))) {
		for (gsize i = 0; i < G_N_ELEMENTS(containers); i++)
			found = found || g_str_has_suffix(name, containers[i]);
		for (gsize i = 0; !found && i < G_N_ELEMENTS(logical); i++) {
			char *path = g_build_filename(dir, name, NULL), *text = NULL;
			gsize len = 0;
			if (g_str_has_suffix(name, logical[i]))
				found = !g_file_get_contents(path, &text, &len, NULL) ||
					g_strstr_len(text, (gssize)len, "fuzzy_img#") != NULL;
			g_free(text);
			g_free(path);
		}
	}
	if (d)
		g_dir_close(d);
	return found;
}

static void engine_options(struct mg_scan_engine *e, const struct mg_config *cfg)
{
	struct cl_scan_options *o = &e->opts;
	memset(o, 0, sizeof *o);
	o->parse = ~0u;
	if (!db_has_fuzzy_img(e->db_dir)) {
		o->parse &= ~(unsigned int)CL_SCAN_PARSE_IMAGE_FUZZY_HASH;
		mg_info(NULL, "clamav_database %s has no image fuzzy hash signatures: images are not hashed",
			e->db_dir);
	}
	o->general = CL_SCAN_GENERAL_HEURISTICS;
	/* Over a limit is reported (Heuristics.Limits.Exceeded.*), never clean. */
	o->heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	if (cfg->scan_alert_encrypted_archives)
		o->heuristic |= CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE;
	if (cfg->scan_alert_encrypted_docs)
		o->heuristic |= CL_SCAN_HEURISTIC_ENCRYPTED_DOC;
	if (cfg->scan_alert_macros)
		o->heuristic |= CL_SCAN_HEURISTIC_MACROS;
	if (cfg->scan_alert_broken_executables)
		o->heuristic |= CL_SCAN_HEURISTIC_BROKEN;
	if (cfg->scan_alert_phishing)
		o->heuristic |= CL_SCAN_HEURISTIC_PHISHING_SSL_MISMATCH | CL_SCAN_HEURISTIC_PHISHING_CLOAK;
}

static cl_error_t engine_limits(struct cl_engine *cl, const struct mg_config *cfg)
{
	cl_error_t rc = cl_engine_set_num(cl, CL_ENGINE_MAX_SCANSIZE, cfg->scan_max_scan_size);
	if (rc == CL_SUCCESS)
		rc = cl_engine_set_num(cl, CL_ENGINE_MAX_FILESIZE, cfg->scan_max_file_size);
	if (rc == CL_SUCCESS)
		rc = cl_engine_set_num(cl, CL_ENGINE_MAX_RECURSION, cfg->scan_max_recursion);
	if (rc == CL_SUCCESS)
		rc = cl_engine_set_num(cl, CL_ENGINE_MAX_FILES, cfg->scan_max_files);
	if (rc == CL_SUCCESS)
		rc = cl_engine_set_num(cl, CL_ENGINE_MAX_SCANTIME, cfg->scan_max_time * 1000);
	if (rc == CL_SUCCESS) /* the very directory mg_scan_check_tmpdir checks */
		rc = cl_engine_set_str(cl, CL_ENGINE_TMPDIR, mg_scan_tmpdir(cfg));
	return rc;
}

static void engine_db_info(struct mg_scan_engine *e)
{
	int err = 0;
	e->db_version = (guint)cl_engine_get_num(e->cl, CL_ENGINE_DB_VERSION, &err);
	if (err)
		e->db_version = 0;
	e->db_time = cl_engine_get_num(e->cl, CL_ENGINE_DB_TIME, &err);
	if (err || e->db_time <= 0)
		e->db_time = dir_newest_mtime(e->db_dir);
}

/* A complete engine from cfg, or NULL with *err saying why. */
static struct mg_scan_engine *engine_build(const struct mg_config *cfg, GError **err)
{
	struct mg_scan_engine *e = g_new0(struct mg_scan_engine, 1);
	const char *dir = cfg->clamav_database;
	cl_error_t rc = CL_EMEM;
	const char *what = "creating the engine";
	e->refcount = 1;
	e->cfg = mg_config_ref((struct mg_config *)cfg);
	e->db_dir = g_strdup(dir);
	if (GPOINTER_TO_INT(g_once(&cl_once, cl_init_once, NULL)) != 1) {
		what = "initializing libclamav";
		goto fail;
	}
	if (!(e->cl = cl_engine_new()))
		goto fail;
	what = "setting the scan limits";
	if ((rc = engine_limits(e->cl, cfg)) != CL_SUCCESS)
		goto fail;
	what = "loading the database";
	if ((rc = cl_load(dir, e->cl, &e->sigs, CL_DB_STDOPT)) != CL_SUCCESS)
		goto fail;
	if (e->sigs == 0) {
		g_set_error(err, SCAN_ERROR, 1, "clamav_database %s: no signatures found", dir);
		goto out;
	}
	what = "compiling the database";
	if ((rc = cl_engine_compile(e->cl)) != CL_SUCCESS)
		goto fail;
	engine_options(e, cfg);
	engine_db_info(e);
	if (!have_unrar)
		cl_engine_set_clcb_pre_cache(e->cl, pre_cache); /* before the clean cache */
	return e;
fail:
	g_set_error(err, SCAN_ERROR, 1, "clamav_database %s: %s: %s", dir, what, cl_strerror(rc));
out:
	mg_scan_engine_unref(e);
	return NULL;
}

static void engine_swap(struct mg_scan_engine *e)
{
	g_mutex_lock(&engine_lock);
	struct mg_scan_engine *old = engine_current;
	engine_current = e;
	g_mutex_unlock(&engine_lock);
	mg_scan_engine_unref(old); /* freed when the last message using it ends */
}

static void engine_log_loaded(const struct mg_scan_engine *e, const char *how)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(e->db_time);
	char *when = dt ? g_date_time_format_iso8601(dt) : g_strdup("?");
	gint64 age = mg_scan_engine_age(e, g_get_real_time() / G_USEC_PER_SEC);
	mg_info(NULL, "virus database %s: %s, %u signatures, version %u, built %s, libclamav %s", how, e->db_dir,
		e->sigs, e->db_version, when, cl_retver());
	if (age > e->cfg->scan_db_max_age)
		mg_err(NULL,
		       "virus database %s is %" G_GINT64_FORMAT " hours old, over scan_db_max_age: every "
		       "message is answered 451 4.3.0 until it is updated",
		       e->db_dir, age / 3600);
	else if (age > e->cfg->scan_db_warn_age)
		mg_warn(NULL, "virus database %s is %" G_GINT64_FORMAT " hours old, over scan_db_warn_age", e->db_dir,
			age / 3600);
	g_free(when);
	if (dt)
		g_date_time_unref(dt);
}

/* Remember what the directory looks like now (under reload_lock). */
static void db_stat_reset(const char *dir)
{
	if (db_stat_valid)
		cl_statfree(&db_stat);
	memset(&db_stat, 0, sizeof db_stat);
	db_stat_valid = cl_statinidir(dir, &db_stat) == CL_SUCCESS;
}

static void engine_cfg_set(const struct mg_config *cfg)
{
	struct mg_config *old = engine_cfg;
	engine_cfg = mg_config_ref((struct mg_config *)cfg);
	mg_config_unref(old);
}

/* Build and swap in; in degraded mode a failure is accepted when allowed. */
static gboolean engine_load(const struct mg_config *cfg, const char *how, GError **err)
{
	GError *e_err = NULL;
	g_mutex_lock(&reload_lock);
	struct mg_scan_engine *e = engine_build(cfg, &e_err);
	gboolean have_old = engine_current != NULL, ok = TRUE;
	if (e) {
		engine_cfg_set(cfg);
		engine_log_loaded(e, how);
		engine_swap(e);
	} else if (!have_old && cfg->scan_allow_degraded) {
		engine_cfg_set(cfg);
		mg_err(NULL,
		       "DEGRADED MODE: no virus database (%s); every message is answered 451 4.3.0 "
		       "until a database loads",
		       e_err->message);
	} else {
		g_propagate_prefixed_error(err, e_err, "%s",
					   have_old ? "virus database not loaded, keeping the "
						      "engine in force: "
						    : "");
		e_err = NULL;
		ok = FALSE;
	}
	if (ok)
		db_stat_reset(cfg->clamav_database);
	g_clear_error(&e_err);
	g_mutex_unlock(&reload_lock);
	return ok;
}

gboolean mg_scan_global_init(const struct mg_config *cfg, GError **err)
{
	GError *e_err = NULL;
	if (engine_load(cfg, "loaded", &e_err))
		return TRUE;
	g_set_error(err, SCAN_ERROR, 1,
		    "%s; refusing to start without virus signatures (install and run clamav-freshclam, "
		    "point clamav_database at the signature directory, or set scan_allow_degraded = yes "
		    "to start and tempfail all mail)",
		    e_err->message);
	g_error_free(e_err);
	return FALSE;
}

gboolean mg_scan_reload(const struct mg_config *cfg, GError **err)
{
	return mg_scan_check_tmpdir(cfg, NULL, err) && engine_load(cfg, "reloaded", err);
}

gboolean mg_scan_check_database(void)
{
	g_mutex_lock(&reload_lock);
	struct mg_config *cfg = engine_cfg ? mg_config_ref(engine_cfg) : NULL;
	gboolean changed = cfg && (!engine_current || (db_stat_valid && cl_statchkdir(&db_stat) == 1));
	g_mutex_unlock(&reload_lock);
	if (!changed) {
		mg_config_unref(cfg);
		return FALSE;
	}
	GError *err = NULL;
	gboolean ok = engine_load(cfg, "changed on disk, reloaded", &err);
	if (!ok) {
		mg_err(NULL, "%s", err->message);
		mg_alert_emit(MG_ALERT_SIGNATURES_FAILED, MG_ALERT_ERROR,
			      "new virus signatures could not be loaded, "
			      "the previous ones stay: %s",
			      err->message);
		g_error_free(err);
		g_mutex_lock(&reload_lock);
		db_stat_reset(cfg->clamav_database); /* retry on the next change, not every interval */
		g_mutex_unlock(&reload_lock);
	}
	mg_config_unref(cfg);
	struct mg_scan_engine *now = ok ? mg_scan_engine_get() : NULL;
	mg_scan_engine_unref(now);
	return now != NULL;
}

gint64 mg_scan_check_interval(void)
{
	g_mutex_lock(&reload_lock);
	gint64 n = engine_cfg ? engine_cfg->scan_db_check_interval : 0;
	g_mutex_unlock(&reload_lock);
	return n;
}

void mg_scan_global_shutdown(void)
{
	g_mutex_lock(&reload_lock);
	engine_swap(NULL);
	if (db_stat_valid)
		cl_statfree(&db_stat);
	db_stat_valid = FALSE;
	mg_config_unref(engine_cfg);
	engine_cfg = NULL;
	g_mutex_unlock(&reload_lock);
}

gboolean mg_scan_config_check(struct mg_config *cfg, GError **err)
{
	if (cfg->scan_db_warn_age > cfg->scan_db_max_age) {
		g_set_error(err, MG_CONFIG_ERROR, 1,
			    "%s: scan_db_warn_age: larger than scan_db_max_age; allowed: at most "
			    "scan_db_max_age (%" G_GINT64_FORMAT ")",
			    cfg->path, (gint64)cfg->scan_db_max_age);
		return FALSE;
	}
	return TRUE;
}

/* ---- issue 14: what monitoring and `mugaika check-config` see ---- */

/* What status reports of an engine (none: not loaded, age -1). */
static void status_of(const struct mg_scan_engine *e, struct mg_scan_status *out)
{
	memset(out, 0, sizeof *out);
	out->age = -1;
	if (!e)
		return;
	out->loaded = TRUE;
	out->db_time = e->db_time;
	out->db_version = e->db_version;
	out->sigs = e->sigs;
	out->age = mg_scan_engine_age(e, g_get_real_time() / G_USEC_PER_SEC);
}

void mg_scan_status(struct mg_scan_status *out)
{
	struct mg_scan_engine *e = mg_scan_engine_get();
	status_of(e, out);
	mg_scan_engine_unref(e);
}

gboolean mg_scan_check_load(const struct mg_config *cfg, struct mg_scan_status *out, GError **err)
{
	struct mg_scan_engine *e = engine_build(cfg, err);
	if (!e)
		return FALSE;
	status_of(e, out);
	mg_scan_engine_unref(e);
	return TRUE;
}
