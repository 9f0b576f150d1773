/*
 * mg_spool - a byte sink that stays in memory up to a threshold and then
 * moves to a private temporary file (mode 0600, unlinked at once so it is
 * never visible by name and vanishes when closed).
 *
 * Call order: mg_spool_new, mg_spool_write... , then mg_spool_stream to read
 * it back (any number of times), mg_spool_free.  Writes past `hard_max`
 * are refused with MG_SPOOL_FULL and nothing more is stored.  The caller
 * owns the spool; the streams it hands out must be released before it.
 */
#ifndef MG_SPOOL_H
#define MG_SPOOL_H

#include <glib.h>
#include <gmime/gmime.h>

enum mg_spool_status { MG_SPOOL_OK = 0, MG_SPOOL_FULL = 1, MG_SPOOL_ERROR = -1 };

struct mg_spool;

struct mg_spool *mg_spool_new(const char *dir, gsize mem_max, gsize hard_max);
enum mg_spool_status mg_spool_write(struct mg_spool *sp, const void *data, gsize len, GError **err);
gsize mg_spool_size(const struct mg_spool *sp);
/* Lower (or raise) the hard limit, e.g. once the direction is known. */
void mg_spool_set_hard_max(struct mg_spool *sp, gsize hard_max);
gboolean mg_spool_on_disk(const struct mg_spool *sp);
/* A new stream over the whole content, positioned at 0 (caller unrefs). */
GMimeStream *mg_spool_stream(struct mg_spool *sp, GError **err);
/* Copy everything to a file descriptor / FILE. */
gboolean mg_spool_copy_to(struct mg_spool *sp, FILE *out, GError **err);
void mg_spool_free(struct mg_spool *sp);

/* A fresh writable stream for output: in memory, or (on_disk) over a
 * private unlinked temporary file in dir. */
GMimeStream *mg_spool_sink(const char *dir, gboolean on_disk, GError **err);

/* The private unlinked temporary file itself (read-write fd, or -1 with
 * err set), and a write of all of `data` to it (FALSE with err set). */
int mg_spool_tmpfile(const char *dir, GError **err);
gboolean mg_spool_write_fd(int fd, const void *data, gsize len, GError **err);

#endif
