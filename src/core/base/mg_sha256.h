/*
 * mg_sha256 - SHA-256 as lower-case hex, for quarantine entries, report
 * fields and the boundary seed.
 *
 * A thin wrapper over nettle: GLib's GChecksum hashes at about a fifth of
 * nettle's speed (no SHA-NI or SIMD), and a message is hashed several times
 * over (raw body, quarantine copy, every decoded part), so the hash was the
 * largest single cost of a large attachment.  The context lives on the
 * caller's stack; nothing here allocates or fails.
 */
#ifndef MG_SHA256_H
#define MG_SHA256_H

#include <glib.h>
#include <nettle/sha2.h>

struct mg_sha256 {
	struct sha256_ctx ctx;
};

void mg_sha256_init(struct mg_sha256 *h);
void mg_sha256_update(struct mg_sha256 *h, const void *data, gsize len);
/* Write the 64 hex digits and a NUL to OUT; H must be initialized again
 * before any further use. */
void mg_sha256_final_hex(struct mg_sha256 *h, char out[65]);
/* One-shot: OUT = hex SHA-256 of DATA. */
void mg_sha256_hex(const void *data, gsize len, char out[65]);
/* One-shot, newly allocated (g_free). */
char *mg_sha256_hex_dup(const void *data, gsize len);

#endif
