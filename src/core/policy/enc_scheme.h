/*
 * enc_scheme.h - the encryption scheme of a file (see enc_scheme.c).
 */
#ifndef MG_ENC_SCHEME_H
#define MG_ENC_SCHEME_H

#include <glib.h>

/* The scheme id ("zip-aes256", "pdf-rc4" ...) or NULL: not encrypted. */
const char *mg_enc_scheme_of_file(const guchar *data, gsize len);
/* Ids an administrator may list in approved_encryption, in order; NULL past the end. */
const char *mg_enc_scheme_name(gsize i);
gboolean mg_enc_scheme_known(const char *id);
/* Known to be breakable (ZipCrypto, RC4). */
gboolean mg_enc_scheme_weak(const char *id);

#endif
