/*
 * scan.c - what is scanned and what a result means for the message.
 *
 * Contract (see mg_scan.h): a transaction takes the engine in force at its
 * first scan (scan_txn_engine) and keeps it; a missing engine (degraded
 * mode) or a database older than scan_db_max_age ends the message with a
 * tempfail before anything is scanned.  Every object is scanned from memory
 * or from the spool through an fmap; a result is one of clean, infected,
 * unscannable, error - an object that could not be read completely is
 * never clean.  The raw message is scanned once, with libclamav's own MIME
 * parser (its reading of the sender's structure, next to GMime's) unless
 * GMime's reading leaves that parser nothing to find (t->mime_agreed: then
 * as raw text, and the leaves do the parser's work); with the
 * "remove" actions a raw finding is resolved part by part (mg_scan_leaf),
 * and the rebuilt message is scanned again (mg_scan_output_step): its raw
 * bytes and each of its leaves decoded, without a second MIME parse of
 * mugaika's own structure (scan_output).  What the leaves did not account
 * for is rejected, what cannot be scanned is not delivered.  The engine's
 * options follow the loaded database: no image fuzzy hash without a
 * signature that uses one (scan_engine.c).
 */
#include "config.h"

#include <string.h>
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOC_TRIM)
#include <malloc.h>
#endif

#include "mg_alert.h"
#include "mg_log.h"
#include "mg_metrics.h"
#include "mg_scan.h"
#include "mg_sha256.h"
#include "mg_txn.h"
#include "scan_engine.h"

#define SCAN_NAME_MAX 120           /* longest signature name / reason put in a reply */
#define SCAN_TRIM_MIN (1024 * 1024) /* scans of at least this many bytes give the heap back */

static gint last_age_warning_s; /* monotonic seconds of the last age warning */

/* ---- results ---- */

struct scan_res {
	enum mg_scan_result kind;
	char *virus; /* signature name (infected) */
	char *why;   /* reason (unscannable, error) */
};

static void scan_classify(cl_error_t rc, const char *vname, struct scan_res *r);

enum mg_scan_result mg_scan_classify(cl_error_t rc, const char *vname, char **virus, char **why)
{
	struct scan_res r = {0};
	scan_classify(rc, vname, &r);
	*virus = r.virus;
	*why = r.why;
	return r.kind;
}

static void scan_res_clear(struct scan_res *r)
{
	g_free(r->virus);
	g_free(r->why);
	memset(r, 0, sizeof *r);
}

/* Printable ASCII only, bounded: names end up in SMTP replies and logs. */
static char *ascii_clean(const char *s)
{
	GString *g = g_string_new(NULL);
	for (const char *p = s ? s : ""; *p && g->len < SCAN_NAME_MAX; p++)
		g_string_append_c(g, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
	return g_string_free(g, FALSE);
}

static gboolean is_unscannable_signature(const char *name)
{
	return g_str_has_prefix(name, "Heuristics.Limits.Exceeded") || g_str_has_prefix(name, "Heuristics.Encrypted");
}

static void scan_classify(cl_error_t rc, const char *vname, struct scan_res *r)
{
	switch (rc) {
	case CL_CLEAN: r->kind = MG_SCAN_CLEAN; break;
	case CL_VIRUS:
		r->kind = is_unscannable_signature(vname ? vname : "") ? MG_SCAN_UNSCANNABLE : MG_SCAN_INFECTED;
		if (r->kind == MG_SCAN_INFECTED)
			r->virus = ascii_clean(vname ? vname : "Unknown");
		else
			r->why = ascii_clean(vname);
		break;
	case CL_ETIMEOUT:
	case CL_EMAXREC:
	case CL_EMAXSIZE:
	case CL_EMAXFILES:
		r->kind = MG_SCAN_UNSCANNABLE;
		r->why = g_strdup(cl_strerror(rc));
		break;
	default: r->kind = MG_SCAN_ERROR; r->why = g_strdup(cl_strerror(rc));
	}
	mg_metrics_scan((enum mg_metric_scan)r->kind); /* issue 14: same order as enum mg_scan_result */
}

/* ---- the engine of a transaction and the report section ---- */

static JsonObject *scan_section(struct mg_txn *t)
{
	JsonObject *extra = t->report->extra;
	if (!json_object_has_member(extra, "scan")) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "engine", cl_retver());
		json_object_set_array_member(o, "found", json_array_new());
		json_object_set_int_member(o, "objects", 0);
		json_object_set_object_member(extra, "scan", o);
	}
	return json_object_get_object_member(extra, "scan");
}

static void section_database(struct mg_txn *t, const struct mg_scan_engine *e, gint64 age)
{
	JsonObject *db = json_object_new();
	GDateTime *dt = g_date_time_new_from_unix_utc(e->db_time);
	char *when = dt ? g_date_time_format_iso8601(dt) : NULL;
	json_object_set_string_member(db, "dir", e->db_dir);
	json_object_set_int_member(db, "version", e->db_version);
	json_object_set_int_member(db, "signatures", e->sigs);
	json_object_set_string_member(db, "built", when ? when : "");
	json_object_set_int_member(db, "age_seconds", age);
	json_object_set_object_member(scan_section(t), "database", db);
	g_free(when);
	if (dt)
		g_date_time_unref(dt);
}

static void section_result(struct mg_txn *t, const char *what, const char *result)
{
	json_object_set_string_member(scan_section(t), what, result);
}

static void section_found(struct mg_txn *t, const char *where, const struct scan_res *r)
{
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "where", where);
	json_object_set_string_member(o, "result", r->kind == MG_SCAN_INFECTED ? "infected" : "unscannable");
	json_object_set_string_member(o, r->kind == MG_SCAN_INFECTED ? "virus" : "reason",
				      r->kind == MG_SCAN_INFECTED ? r->virus : r->why);
	json_array_add_object_element(json_object_get_array_member(scan_section(t), "found"), o);
}

static gboolean engine_fresh(struct mg_txn *t, const struct mg_scan_engine *e)
{
	gint64 age = mg_scan_engine_age(e, g_get_real_time() / G_USEC_PER_SEC);
	section_database(t, e, age);
	if (age > t->cfg->scan_db_max_age) {
		mg_err(t->queue_id,
		       "virus database %s is %" G_GINT64_FORMAT " hours old (scan_db_max_age %" G_GINT64_FORMAT
		       " hours): mail stopped until it is updated",
		       e->db_dir, age / 3600, (gint64)t->cfg->scan_db_max_age / 3600);
		mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.3.0", "scan-db-too-old",
			    "Virus signature database is out of date, try again later");
		mg_alert_emit(MG_ALERT_SIGNATURES_STALE, MG_ALERT_ERROR,
			      "virus signatures in %s are %" G_GINT64_FORMAT " hours old: mail is held (451) until "
			      "freshclam updates them",
			      e->db_dir, age / 3600);
		return FALSE;
	}
	gint now = (gint)(g_get_monotonic_time() / G_USEC_PER_SEC) + 1, last = g_atomic_int_get(&last_age_warning_s);
	if (age > t->cfg->scan_db_warn_age && (last == 0 || now - last > 3600)) {
		g_atomic_int_set(&last_age_warning_s, now);
		mg_warn(t->queue_id,
			"virus database %s is %" G_GINT64_FORMAT " hours old (scan_db_warn_age %" G_GINT64_FORMAT
			" hours); mail stops at %" G_GINT64_FORMAT " hours",
			e->db_dir, age / 3600, (gint64)t->cfg->scan_db_warn_age / 3600,
			(gint64)t->cfg->scan_db_max_age / 3600);
		mg_alert_emit(MG_ALERT_SIGNATURES_STALE, MG_ALERT_WARNING,
			      "virus signatures in %s are %" G_GINT64_FORMAT
			      " hours old; mail stops at %" G_GINT64_FORMAT " hours",
			      e->db_dir, age / 3600, (gint64)t->cfg->scan_db_max_age / 3600);
	}
	return TRUE;
}

/* The engine this message scans with, taken at its first scan; NULL when
 * the message was decided (degraded mode, stale database). */
static struct mg_scan_engine *scan_txn_engine(struct mg_txn *t)
{
	if (!t->scan_started) {
		t->scan_started = TRUE;
		mg_txn_on_free(t, mg_scan_txn_release);
		t->scan_engine = mg_scan_engine_get();
		if (!t->scan_engine) {
			mg_err(t->queue_id, "no virus database loaded (degraded mode): message not accepted");
			section_result(t, "message", "degraded");
			mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.3.0", "scan-degraded",
				    "Virus scanner not available, try again later");
		} else if (!engine_fresh(t, t->scan_engine)) {
			section_result(t, "message", "database-too-old");
		}
	}
	return mg_txn_decided(t) ? NULL : t->scan_engine;
}

void mg_scan_txn_release(struct mg_txn *t)
{
	mg_scan_engine_unref(t->scan_engine);
	t->scan_engine = NULL;
	g_free(t->scan_raw_virus);
	t->scan_raw_virus = NULL;
	if (t->scan_clean)
		g_hash_table_unref(t->scan_clean);
	t->scan_clean = NULL;
}

/* ---- scanning ---- */

/* One scan that ran: its result, made an error when libclamav reported
 * one while scanning (it turns most of its own failures into CLEAN). */
static void scan_ran(struct mg_txn *t, struct mg_scan_engine *e, cl_fmap_t *map, const char *name,
		     unsigned int parse_off, struct scan_res *r)
{
	const char *vname = NULL;
	struct mg_scan_ctx ctx = {.queue_id = t->queue_id, .parse_off = parse_off};
	cl_error_t rc = mg_scan_run(map, name, &vname, e, &ctx);
	scan_classify(rc, vname, r);
	if (ctx.errors && r->kind != MG_SCAN_INFECTED) {
		scan_res_clear(r);
		r->kind = MG_SCAN_ERROR;
		r->why = g_strdup_printf("libclamav reported an error: %s", ctx.first_error);
	} else if (r->kind == MG_SCAN_CLEAN && ctx.unpackable_missed) {
		r->kind = MG_SCAN_UNSCANNABLE;
		r->why = g_strdup("RAR archive (libclamav has no RAR support)");
	}
	g_free(ctx.first_error);
}

/* libclamav's temporary directory, checked before every scan: without it
 * libclamav would report CLEAN without having scanned. */
static gboolean tmpdir_usable(struct mg_txn *t, const struct mg_scan_engine *e, struct scan_res *r)
{
	GError *err = NULL;
	if (mg_scan_check_tmpdir(e->cfg, NULL, &err))
		return TRUE;
	mg_err(t->queue_id, "virus scan not possible: %s", err->message);
	r->kind = MG_SCAN_ERROR;
	r->why = g_strdup(err->message);
	g_error_free(err);
	return FALSE;
}

/* libclamav's scan of a large object (its mail parser above all: a
 * structure per line of the message) frees what it built on the way out,
 * but glibc keeps those pages in the heap, below later allocations, for
 * the rest of the message: at 50 MB that was 90 MiB held through the CDR
 * and the output scan (bench/README.md, "Memory").  Give them back. */
static void scan_release_heap(gsize len)
{
#if defined(HAVE_MALLOC_H) && defined(HAVE_MALLOC_TRIM)
	if (len >= SCAN_TRIM_MIN)
		malloc_trim(0);
#else
	(void)len;
#endif
}

/* One object through libclamav; parse_off: CL_SCAN_PARSE_* bits left out. */
static void scan_map(struct mg_txn *t, struct mg_scan_engine *e, cl_fmap_t *map, gsize len, const char *name,
		     unsigned int parse_off, struct scan_res *r)
{
	if (!map) {
		r->kind = MG_SCAN_ERROR;
		r->why = g_strdup("cannot map the data for scanning");
		return;
	}
	if (mg_txn_past_deadline(t)) { /* scan_max_time is per scan; the message has its own budget */
		r->kind = MG_SCAN_ERROR;
		r->why = g_strdup("processing time limit exceeded before the scan");
	} else if ((gint64)len > e->cfg->scan_max_file_size) {
		r->kind = MG_SCAN_UNSCANNABLE;
		r->why = g_strdup_printf("larger than scan_max_file_size (%" G_GINT64_FORMAT " bytes)",
					 (gint64)e->cfg->scan_max_file_size);
	} else if (tmpdir_usable(t, e, r)) {
		scan_ran(t, e, map, name, parse_off, r);
	}
	cl_fmap_close(map);
	scan_release_heap(len);
	JsonObject *sec = scan_section(t);
	json_object_set_int_member(sec, "objects", json_object_get_int_member(sec, "objects") + 1);
	mg_debug(t->queue_id, "scanned %s (%" G_GSIZE_FORMAT " bytes): %s%s%s", name, len,
		 r->kind == MG_SCAN_CLEAN      ? "clean"
		 : r->kind == MG_SCAN_INFECTED ? "infected "
					       : "not scanned ",
		 r->virus ? r->virus : "", r->why ? r->why : "");
}

#define SCAN_SEEN_MAX (1 << 20) /* objects up to this size are keyed by SHA-256 */

/* A memory object through libclamav, once per message (issue 15): bytes
 * already scanned clean in this message (a part kept unchanged, a rebuilt
 * file delivered as a part, the same file attached twice) are not handed
 * over again.  libclamav's clean cache would answer for them, but only
 * after making and removing its per-scan temporary directory, the largest
 * fixed cost of a scan.  Above SCAN_SEEN_MAX the hash costs more than it
 * saves, and such objects go to libclamav every time. */
static void scan_memory(struct mg_txn *t, struct mg_scan_engine *e, const void *data, gsize len, const char *name,
			struct scan_res *r)
{
	char key[65];
	gboolean keyed = len <= SCAN_SEEN_MAX && !mg_txn_past_deadline(t); /* past it: scan_map's error */
	if (keyed) {
		mg_sha256_hex(len ? data : "", len, key);
		if (t->scan_clean && g_hash_table_contains(t->scan_clean, key)) {
			JsonObject *sec = scan_section(t);
			json_object_set_int_member(sec, "repeats",
						   json_object_get_int_member_with_default(sec, "repeats", 0) + 1);
			mg_debug(t->queue_id, "%s (%" G_GSIZE_FORMAT " bytes): the same bytes were scanned clean", name,
				 len);
			r->kind = MG_SCAN_CLEAN;
			return;
		}
	}
	scan_map(t, e, cl_fmap_open_memory(len ? data : "", len), len, name, 0, r);
	if (keyed && r->kind == MG_SCAN_CLEAN) {
		if (!t->scan_clean)
			t->scan_clean = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_add(t->scan_clean, g_strdup(key));
	}
}

enum mg_scan_result mg_scan_buffer(struct mg_txn *t, const void *data, gsize len, const char *name, char **virus,
				   char **why)
{
	struct scan_res r = {0};
	struct mg_scan_engine *e = scan_txn_engine(t);
	if (!e) {
		r.kind = MG_SCAN_ERROR;
		r.why = g_strdup("virus scanner not available");
	} else {
		scan_memory(t, e, data, len, name ? name : "(buffer)", &r);
	}
	if (virus)
		*virus = g_steal_pointer(&r.virus);
	if (why)
		*why = g_steal_pointer(&r.why);
	enum mg_scan_result kind = r.kind;
	scan_res_clear(&r);
	return kind;
}

static off_t stream_pread(void *handle, void *buf, size_t count, off_t offset)
{
	GMimeStream *s = handle;
	size_t got = 0;
	if (g_mime_stream_seek(s, offset, GMIME_STREAM_SEEK_SET) < 0)
		return -1;
	while (got < count) {
		gssize n = g_mime_stream_read(s, (char *)buf + got, count - got);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (off_t)got;
}

static void scan_stream(struct mg_txn *t, struct mg_scan_engine *e, GMimeStream *s, const char *name,
			unsigned int parse_off, struct scan_res *r)
{
	gint64 len = g_mime_stream_length(s);
	if (len < 0) {
		r->kind = MG_SCAN_ERROR;
		r->why = g_strdup("cannot size the stream");
		return;
	}
	scan_map(t, e, cl_fmap_open_handle(s, 0, (size_t)len, stream_pread, 1), (gsize)len, name, parse_off, r);
}

/* ---- verdicts ---- */

/* F14, F16: who must know (docs/alerts.md); mail from inside is critical. */
static void alert_virus(const struct mg_txn *t, const char *virus, const char *where)
{
	gboolean out = t->direction == MG_DIR_OUTBOUND || t->direction == MG_DIR_INTERNAL;
	mg_alert_emit(out ? MG_ALERT_VIRUS_OUTBOUND : MG_ALERT_VIRUS, out ? MG_ALERT_CRITICAL : MG_ALERT_WARNING,
		      "%s: virus %s in %s of %s mail from <%s> (client %s, %u recipients)",
		      t->queue_id ? t->queue_id : "-", virus, where, out ? "internal" : "inbound",
		      t->mail_from ? t->mail_from : "", t->conn->client_addr ? t->conn->client_addr : "",
		      t->rcpts->len);
}

static void verdict_infected(struct mg_txn *t, const char *virus)
{
	if (t->cfg->scan_on_infected == MG_SCAN_INF_QUARANTINE)
		t->force_quarantine = TRUE;
	mg_txn_fail(t, MG_VERDICT_REJECT, "550", "5.7.1", "virus-found", "Message contains a virus (%s)", virus);
}

/* A message-level unscannable result ("remove" cannot apply: tempfail). */
static void verdict_unscannable(struct mg_txn *t, const char *why)
{
	if (t->cfg->scan_on_unscannable == MG_SCAN_UNS_REJECT)
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.7.1", "unscannable",
			    "Message could not be scanned for viruses (%s)", why);
	else
		mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.7.1", "unscannable",
			    "Message could not be scanned for viruses (%s), try again later", why);
}

/* The message as mugaika built it cannot be scanned: that will be the same
 * on every retry, so a final answer unless the site asked for tempfail
 * (issue 12: "remove" cannot remove from the whole message). */
static void verdict_output_unscannable(struct mg_txn *t, const char *why)
{
	if (t->cfg->scan_on_unscannable == MG_SCAN_UNS_TEMPFAIL)
		mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.7.1", "unscannable",
			    "Message could not be scanned for viruses (%s), try again later", why);
	else
		mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.7.1", "unscannable",
			    "Sanitized message could not be scanned for viruses (%s)", why);
}

static void verdict_error(struct mg_txn *t, const char *what, const char *why)
{
	if (mg_txn_decided(t))
		return;
	GError *err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", why ? why : "unknown");
	mg_txn_internal_error(t, what, err);
	g_error_free(err);
}

/* ---- the steps ---- */

static const char *scan_result_name(enum mg_scan_result kind)
{
	static const char *names[] = {"clean", "infected", "unscannable", "error"};
	return names[kind];
}

gboolean mg_scan_message_step(struct mg_txn *t)
{
	struct scan_res r = {0};
	GError *err = NULL;
	struct mg_scan_engine *e = scan_txn_engine(t);
	if (!e)
		return FALSE;
	GMimeStream *s = mg_spool_stream(t->raw, &err);
	if (!s) {
		mg_txn_internal_error(t, "spool read for scanning", err);
		g_clear_error(&err);
		return FALSE;
	}
	/* libclamav's mail parser only where GMime's reading could differ from
	 * its own (t->mime_agreed, set by the step sequence; default: parse) */
	scan_stream(t, e, s, "message", t->mime_agreed ? CL_SCAN_PARSE_MAIL : 0, &r);
	g_object_unref(s);
	section_result(t, "message", scan_result_name(r.kind));
	json_object_set_string_member(scan_section(t), "mime_parse",
				      t->mime_agreed ? "mugaika (the readings agree)"
						     : (t->mime_disagreement ? t->mime_disagreement : "libclamav"));
	if (r.kind == MG_SCAN_INFECTED)
		alert_virus(t, r.virus, "the message");
	if (r.kind == MG_SCAN_INFECTED || r.kind == MG_SCAN_UNSCANNABLE) {
		section_found(t, "message", &r);
		mg_warn(t->queue_id, "message %s: %s", r.kind == MG_SCAN_INFECTED ? "virus found" : "not scannable",
			r.virus ? r.virus : r.why);
	}
	if (r.kind == MG_SCAN_INFECTED && t->cfg->scan_on_infected == MG_SCAN_INF_REMOVE)
		t->scan_raw_virus = g_strdup(r.virus); /* the parts must account for it */
	else if (r.kind == MG_SCAN_INFECTED)
		verdict_infected(t, r.virus);
	else if (r.kind == MG_SCAN_UNSCANNABLE && t->cfg->scan_on_unscannable != MG_SCAN_UNS_REMOVE)
		verdict_unscannable(t, r.why);
	else if (r.kind == MG_SCAN_ERROR)
		verdict_error(t, "virus scan of the message", r.why);
	scan_res_clear(&r);
	return !mg_txn_decided(t);
}

/* Drop a leaf: report and log; the notice lists the removed part with
 * its reason in the recipient's words (the notice's catalog). */
static void leaf_remove(struct mg_leaf *leaf, const struct scan_res *r)
{
	struct mg_txn *t = leaf->t;
	leaf->rep->action = MG_ACTION_REMOVED;
	g_free(leaf->rep->reason);
	if (r->kind == MG_SCAN_INFECTED) {
		t->scan_removed_infected++;
		leaf->rep->reason = g_strdup_printf("virus found: %s", r->virus);
	} else {
		leaf->rep->reason = g_strdup_printf("could not be scanned for viruses: %s", r->why);
	}
	mg_info(t->queue_id, "part %s removed: %s", leaf->path, leaf->rep->reason);
}

gboolean mg_scan_leaf(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	struct scan_res r = {0};
	char *where = g_strdup_printf("part %s", leaf->path);
	r.kind = mg_scan_buffer(t, leaf->data->data, leaf->data->len, leaf->filename ? leaf->filename : where, &r.virus,
				&r.why);
	if (r.kind == MG_SCAN_INFECTED || r.kind == MG_SCAN_UNSCANNABLE) {
		section_found(t, where, &r);
		mg_warn(t->queue_id, "%s: %s", where, r.kind == MG_SCAN_INFECTED ? r.virus : r.why);
	}
	if (r.kind == MG_SCAN_INFECTED) {
		alert_virus(t, r.virus, where);
		g_free(leaf->rep->virus);
		leaf->rep->virus = g_strdup(r.virus);
		if (t->cfg->scan_on_infected == MG_SCAN_INF_REMOVE)
			leaf_remove(leaf, &r);
		else
			verdict_infected(t, r.virus);
	} else if (r.kind == MG_SCAN_UNSCANNABLE && t->cfg->scan_on_unscannable != MG_SCAN_UNS_REMOVE) {
		verdict_unscannable(t, r.why);
	} else if (r.kind == MG_SCAN_ERROR) {
		verdict_error(t, "virus scan of a part", r.why);
	}
	/* Unscannable as it came (an encrypted or RAR member libclamav cannot
	 * open, a bounce quoting an encrypted zip) is not the end of a leaf
	 * under `remove` (issue 12): what mugaika delivers in its place is
	 * built by the body or CDR stage and scanned again - every rebuilt
	 * file and archive member by mg_cdr_file, the whole message by
	 * mg_scan_output_step - and whatever cannot be scanned then is
	 * removed there. */
	gboolean keep = (r.kind == MG_SCAN_CLEAN || r.kind == MG_SCAN_UNSCANNABLE) && !mg_txn_decided(t);
	scan_res_clear(&r);
	g_free(where);
	return keep;
}

void mg_scan_part_infected(struct mg_txn *t, const char *virus)
{
	if (t->cfg->scan_on_infected == MG_SCAN_INF_REMOVE)
		t->scan_removed_infected++;
	else
		verdict_infected(t, virus ? virus : "unknown");
}

/* The rebuilt message as delivered: top-level MIME header fields, blank
 * line, new body (the other header fields are the sender's, unchanged). */
static GMimeStream *output_stream(struct mg_txn *t)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	char *hdr = g_mime_object_get_headers(t->new_top, fo);
	char *head = g_strconcat("MIME-Version: 1.0\n", hdr, "\n", NULL);
	GMimeStream *cat = g_mime_stream_cat_new();
	GMimeStream *h = g_mime_stream_mem_new_with_buffer(head, strlen(head));
	GMimeStream *body = mg_txn_output(t);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), h);
	if (body) {
		g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), body);
		g_object_unref(body);
	}
	g_object_unref(h);
	g_free(head);
	g_free(hdr);
	g_mime_format_options_free(fo);
	return cat;
}

static gboolean encoding_is_raw(GMimeContentEncoding enc)
{
	return enc == GMIME_CONTENT_ENCODING_DEFAULT || enc == GMIME_CONTENT_ENCODING_7BIT ||
	       enc == GMIME_CONTENT_ENCODING_8BIT || enc == GMIME_CONTENT_ENCODING_BINARY;
}

/* A part of the rebuilt tree whose content waits in a spool file
 * (mg_leaf_new_part, past spool_memory_max): its stream, mapped as it is
 * instead of decoded into a copy; NULL for any other part. */
static GMimeStream *part_spooled(GMimePart *p)
{
	GMimeDataWrapper *w = g_mime_part_get_content(p);
	GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (!s || GMIME_IS_STREAM_MEM(s) || !encoding_is_raw(g_mime_data_wrapper_get_encoding(w)))
		return NULL;
	return s;
}

/* The decoded content of a part of the rebuilt tree: the bytes themselves
 * when the part holds them unencoded in memory (every part the rebuild and
 * the notice make), else decoded into *copy; NULL when decoding failed. */
static const guint8 *part_bytes(GMimePart *p, gsize *len, GByteArray **copy)
{
	GMimeDataWrapper *w = g_mime_part_get_content(p);
	GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	GMimeContentEncoding enc = w ? g_mime_data_wrapper_get_encoding(w) : GMIME_CONTENT_ENCODING_DEFAULT;
	*copy = NULL;
	*len = 0;
	if (!s)
		return (const guint8 *)"";
	if (GMIME_IS_STREAM_MEM(s) && encoding_is_raw(enc)) {
		GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
		gint64 end = s->bound_end < 0 ? (gint64)ba->len : MIN(s->bound_end, (gint64)ba->len);
		gint64 start = CLAMP(s->bound_start, 0, end);
		*len = (gsize)(end - start);
		return *len ? ba->data + start : (const guint8 *)"";
	}
	*copy = g_byte_array_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(*copy);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	gboolean ok = g_mime_data_wrapper_write_to_stream(w, mem) >= 0;
	g_object_unref(mem);
	*len = (*copy)->len;
	if (!ok)
		return NULL;
	return (*copy)->len ? (*copy)->data : (const guint8 *)"";
}

struct out_walk {
	struct mg_txn *t;
	struct mg_scan_engine *e;
	struct scan_res *r;
	guint parts;
};

/* One leaf: from its spool file (larger than spool_memory_max: handed to
 * libclamav, whose clean cache answers for bytes scanned before), or its
 * bytes in memory (scan_memory: not again when scanned clean already). */
static void output_leaf(struct out_walk *w, GMimePart *p, const char *name)
{
	gsize len = 0;
	GByteArray *copy = NULL;
	GMimeStream *spooled = part_spooled(p);
	if (spooled) {
		scan_stream(w->t, w->e, spooled, name, 0, w->r);
		return;
	}
	const guint8 *b = part_bytes(p, &len, &copy);
	if (b) {
		scan_memory(w->t, w->e, len ? b : (const guint8 *)"", len, name, w->r);
	} else {
		w->r->kind = MG_SCAN_ERROR;
		w->r->why = g_strdup("cannot decode a part of the rebuilt message");
	}
	if (copy)
		g_byte_array_unref(copy);
}

/* Each leaf of the rebuilt tree, decoded, through the scanner (stops at
 * the first finding).  A rebuilt file or a kept part is the same bytes
 * that were scanned before (by mg_cdr_file or mg_scan_leaf), so libclamav's
 * clean cache answers for it; new text is scanned for the first time. */
static void output_part(struct out_walk *w, GMimeObject *o)
{
	if (w->r->kind != MG_SCAN_CLEAN)
		return;
	if (GMIME_IS_MULTIPART(o)) {
		for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o)); i++)
			output_part(w, g_mime_multipart_get_part(GMIME_MULTIPART(o), i));
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;
		if (body)
			output_part(w, body);
	} else if (GMIME_IS_PART(o)) {
		char *name = g_strdup_printf("output part %u", ++w->parts);
		output_leaf(w, GMIME_PART(o), name);
		g_free(name);
	} else {
		w->r->kind = MG_SCAN_ERROR;
		w->r->why = g_strdup("an object of unknown kind in the rebuilt message");
	}
}

/* Does the rebuilt tree deliver an HTML part? */
static gboolean has_html(GMimeObject *o, int depth)
{
	if (!o || depth > 64) /* deeper than mugaika builds: read as HTML, the safe side */
		return o != NULL;
	if (GMIME_IS_MULTIPART(o)) {
		for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o)); i++)
			if (has_html(g_mime_multipart_get_part(GMIME_MULTIPART(o), i), depth + 1))
				return TRUE;
		return FALSE;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		return m && has_html(g_mime_message_get_mime_part(m), depth + 1);
	}
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	return ct && g_mime_content_type_is_type(ct, "text", "html");
}

/* The rebuilt message as libclamav would see it, without its MIME parser:
 * the bytes as delivered, read as one file (CL_SCAN_PARSE_MAIL off: every
 * signature on the raw text), then every leaf decoded (the work the parser
 * would do: decode each part, scan it with everything it contains).  The
 * structure is mugaika's own (no two readings of it), its text parts hold
 * no encoded files (mg_text_strip_inline_files cut uuencode, BinHex and
 * yEnc, which libclamav's parser would otherwise decode); when an HTML part
 * is delivered the parser reads the output instead (its phishing checks
 * look at the links of HTML in a mail) - instead, not after: libclamav's
 * clean cache keys on the bytes alone, so a deeper scan after a clean
 * raw-text scan of the same bytes would be answered from the cache without
 * running.  The coverage is the parser's, without the parser's temporary
 * files and its second decode of every part. */
static void scan_output(struct mg_txn *t, struct mg_scan_engine *e, GMimeStream *s, struct scan_res *r)
{
	struct out_walk w = {.t = t, .e = e, .r = r};
	scan_stream(t, e, s, "output", has_html(t->new_top, 0) ? 0 : CL_SCAN_PARSE_MAIL, r);
	output_part(&w, t->new_top);
}

gboolean mg_scan_output_step(struct mg_txn *t)
{
	struct scan_res r = {0};
	struct mg_scan_engine *e = scan_txn_engine(t);
	if (!e)
		return FALSE;
	if (!t->new_top) {
		verdict_error(t, "virus scan of the output", "no rebuilt message");
		return FALSE;
	}
	if (t->output_same) { /* set by the step sequence: nothing new to scan (issue 15) */
		json_object_set_string_member(scan_section(t), "output_scan",
					      "not again: the body delivered is the body received, scanned as the "
					      "message and part by part");
	} else {
		GMimeStream *s = output_stream(t);
		scan_output(t, e, s, &r);
		g_object_unref(s);
	}
	section_result(t, "output", scan_result_name(r.kind));
	if (r.kind == MG_SCAN_INFECTED || r.kind == MG_SCAN_UNSCANNABLE) {
		section_found(t, "output", &r);
		mg_err(t->queue_id, "rebuilt message %s: %s",
		       r.kind == MG_SCAN_INFECTED ? "virus found" : "not scannable", r.virus ? r.virus : r.why);
	}
	if (r.kind == MG_SCAN_INFECTED)
		verdict_infected(t, r.virus);
	else if (r.kind == MG_SCAN_UNSCANNABLE)
		verdict_output_unscannable(t, r.why);
	else if (r.kind == MG_SCAN_ERROR)
		verdict_error(t, "virus scan of the output", r.why);
	else if (t->scan_raw_virus && t->scan_removed_infected == 0) {
		mg_err(t->queue_id, "the message matched %s but no part did: not delivered", t->scan_raw_virus);
		verdict_infected(t, t->scan_raw_virus);
	}
	scan_res_clear(&r);
	return !mg_txn_decided(t);
}
