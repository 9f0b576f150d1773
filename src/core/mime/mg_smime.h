/*
 * mg_smime - the signed content inside an opaque-signed S/MIME part
 * (application/pkcs7-mime; smime-type=signed-data), so that it can be
 * sanitized like any other MIME entity while the signature is dropped.
 * Nothing is verified: the signature cannot survive sanitizing anyway.
 */
#ifndef MG_SMIME_H
#define MG_SMIME_H

#include <glib.h>

/* The encapsulated content (eContent) of a CMS/PKCS#7 SignedData in DER
 * or BER, or NULL when der is not one (or has no content, or is nested
 * deeper than a small fixed bound). */
GBytes *mg_smime_signed_content(const guchar *der, gsize len);

#endif
