/*
 * mtafeed - test support shared by the unit tests and the fuzz targets (no
 * cmocka): feed a raw message to the pipeline's header stage the way an MTA
 * does, and remove a scratch directory tree.
 */
#ifndef MG_MTAFEED_H
#define MG_MTAFEED_H

#include "mg_pipeline.h"

/* Split the header block of [p, end) as an MTA does (name; value without
 * the leading blank; folded lines kept), pass each field to mg_txn_header,
 * and return where the body starts (after the blank line). */
const char *mg_test_feed_headers(struct mg_txn *t, const char *p, const char *end);
/* rm -r, without following symbolic links. */
void mg_test_rm_tree(const char *path);

#endif
