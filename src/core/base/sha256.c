/*
 * sha256.c - SHA-256 hex digests over nettle (see mg_sha256.h).
 */
#include "config.h"

#include "mg_sha256.h"

void mg_sha256_init(struct mg_sha256 *h)
{
	sha256_init(&h->ctx);
}

void mg_sha256_update(struct mg_sha256 *h, const void *data, gsize len)
{
	sha256_update(&h->ctx, len, data);
}

void mg_sha256_final_hex(struct mg_sha256 *h, char out[65])
{
	static const char hexdig[] = "0123456789abcdef";
	guint8 d[SHA256_DIGEST_SIZE];
	sha256_digest(&h->ctx, sizeof d, d);
	for (gsize i = 0; i < sizeof d; i++) {
		out[2 * i] = hexdig[d[i] >> 4];
		out[2 * i + 1] = hexdig[d[i] & 0xf];
	}
	out[2 * sizeof d] = '\0';
}

void mg_sha256_hex(const void *data, gsize len, char out[65])
{
	struct mg_sha256 h;
	mg_sha256_init(&h);
	mg_sha256_update(&h, data, len);
	mg_sha256_final_hex(&h, out);
}

char *mg_sha256_hex_dup(const void *data, gsize len)
{
	char *out = g_malloc(65);
	mg_sha256_hex(data, len, out);
	return out;
}
