/*
 * fuzz_common - what the libFuzzer targets share: one-time process setup
 * (GMime, quiet logging, a scan engine on a tiny generated signature
 * database, a private temporary store directory) and a transaction that
 * looks like the pipeline's own.  Built only by fuzz/build.sh.
 */
#ifndef MG_FUZZ_COMMON_H
#define MG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "mg_config.h"
#include "mg_txn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GMime and quiet logs; with_scanner also loads the scan engine.  Idempotent. */
void mg_fuzz_init(gboolean with_scanner);
/* The shared configuration: defaults, a test database, store paths in a
 * temporary directory, short time limits.  A reference (do not unref). */
struct mg_config *mg_fuzz_config(void);
/* A fresh transaction on the shared config with a deadline set. */
struct mg_txn *mg_fuzz_txn(void);

#endif
