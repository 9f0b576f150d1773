/*
 * scan_engine.h - private to the scan module: the reference-counted engine
 * shared by scan_engine.c (lifecycle) and scan.c (scanning).
 */
#ifndef MG_SCAN_ENGINE_H
#define MG_SCAN_ENGINE_H

#include <clamav.h>
#include <time.h>

#include "mg_config.h"
#include "mg_scan.h"

struct mg_scan_engine {
	gint refcount;
	struct cl_engine *cl;
	struct mg_config *cfg; /* the configuration it was built from (a reference) */
	struct cl_scan_options opts;
	gint64 db_time;   /* build time of the database, Unix seconds */
	guint db_version; /* daily.cvd version, 0 when unknown */
	guint sigs;       /* signatures loaded */
	char *db_dir;
};

/* Per-scan context handed to libclamav's callbacks. */
struct mg_scan_ctx {
	gboolean unpackable_missed; /* a layer libclamav cannot unpack here (RAR without libclamunrar) */
	const char *queue_id;       /* for the log */
	guint errors;               /* CL_MSG_ERROR reports during this scan */
	char *first_error;          /* the first of them (allocated) */
	unsigned int parse_off;     /* CL_SCAN_PARSE_* bits left out of the engine's options for this scan */
};

/* Run one scan with ctx as the scan in progress on this thread: libclamav
 * reports some errors (its temporary directory) before it knows the
 * per-scan context, so the message callback falls back to this one. */
cl_error_t mg_scan_run(cl_fmap_t *map, const char *name, const char **vname, const struct mg_scan_engine *e,
		       struct mg_scan_ctx *ctx);

/* libclamav of this process can unpack RAR (the non-free libclamunrar). */
gboolean mg_scan_have_unrar(void);

/* What a libclamav return code and signature name mean for mugaika
 * (*virus, *why allocated or NULL; scan.c). */
enum mg_scan_result mg_scan_classify(cl_error_t rc, const char *vname, char **virus, char **why);

/* The engine in force with a new reference, or NULL (degraded mode). */
struct mg_scan_engine *mg_scan_engine_get(void);
void mg_scan_engine_unref(struct mg_scan_engine *e);
/* Age of the engine's database in seconds at `now`. */
gint64 mg_scan_engine_age(const struct mg_scan_engine *e, gint64 now);

#endif
