/*
 * smime.c - see mg_smime.h.
 *
 * Why a hand-written BER walker: only one field is needed (the
 * encapsulated content of SignedData, RFC 5652 5.1-5.2), GMime can reach
 * it only through gpgsm (a process and a keyring per message, and it
 * insists on verifying), and the CMS parsers of OpenSSL/GnuTLS are not
 * dependencies of this build.  The walker reads definite and indefinite
 * lengths and constructed OCTET STRINGs, never reads outside the buffer,
 * and bounds the nesting it follows (BER_MAX_DEPTH).
 */
#include "config.h"

#include <string.h>

#include "mg_smime.h"

#define BER_MAX_DEPTH 16

struct tlv {
	guchar tag;          /* first identifier octet */
	const guchar *c, *e; /* content */
	const guchar *next;  /* the octet after the element */
};

static gboolean ber_read(const guchar *p, const guchar *end, struct tlv *t, int depth);

/* Skip the children of an indefinite-length element up to its EOC. */
static gboolean ber_indefinite(const guchar *p, const guchar *end, struct tlv *t, int depth)
{
	t->c = p;
	while (p + 2 <= end && !(p[0] == 0 && p[1] == 0)) {
		struct tlv child;
		if (!ber_read(p, end, &child, depth + 1))
			return FALSE;
		p = child.next;
	}
	if (p + 2 > end)
		return FALSE;
	t->e = p;
	t->next = p + 2;
	return TRUE;
}

static gboolean ber_read(const guchar *p, const guchar *end, struct tlv *t, int depth)
{
	if (depth > BER_MAX_DEPTH || end - p < 2 || (p[0] & 0x1f) == 0x1f) /* no multi-octet tags in CMS */
		return FALSE;
	t->tag = p[0];
	guchar l = p[1];
	p += 2;
	if (l == 0x80)
		return (t->tag & 0x20) && ber_indefinite(p, end, t, depth);
	gsize len = l;
	if (l > 0x80) {
		int n = l & 0x7f;
		if (n > 4 || end - p < n)
			return FALSE;
		for (len = 0; n-- > 0;)
			len = (len << 8) | *p++;
	}
	if ((gsize)(end - p) < len)
		return FALSE;
	t->c = p;
	t->e = p + len;
	t->next = t->e;
	return TRUE;
}

/* The i-th child (0-based) of a constructed element with tag `want`. */
static gboolean ber_child(const struct tlv *parent, int i, guchar want, struct tlv *out, int depth)
{
	const guchar *p = parent->c;
	for (int k = 0; p < parent->e; k++) {
		if (!ber_read(p, parent->e, out, depth + 1))
			return FALSE;
		if (k == i)
			return out->tag == want;
		p = out->next;
	}
	return FALSE;
}

/* OCTET STRING content, primitive or constructed from segments. */
static gboolean ber_octets(const struct tlv *t, GByteArray *out, int depth)
{
	if (t->tag == 0x04) {
		g_byte_array_append(out, t->c, (guint)(t->e - t->c));
		return TRUE;
	}
	if (t->tag != 0x24 || depth > BER_MAX_DEPTH)
		return FALSE;
	for (const guchar *p = t->c; p < t->e;) {
		struct tlv seg;
		if (!ber_read(p, t->e, &seg, depth + 1) || !ber_octets(&seg, out, depth + 1))
			return FALSE;
		p = seg.next;
	}
	return TRUE;
}

static const guchar oid_signed_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};

static gboolean is_oid(const struct tlv *t, const guchar *oid, gsize n)
{
	return t->tag == 0x06 && (gsize)(t->e - t->c) == n && memcmp(t->c, oid, n) == 0;
}

GBytes *mg_smime_signed_content(const guchar *der, gsize len)
{
	struct tlv ci, oid, wrap, sd, encap, ctx, octets;
	GBytes *res = NULL;
	GByteArray *out = g_byte_array_new();
	if (!der || !ber_read(der, der + len, &ci, 0) || ci.tag != 0x30)
		goto done;
	/* ContentInfo { id-signedData, [0] SignedData { version, digestAlgorithms,
	 * encapContentInfo { eContentType, [0] eContent OCTET STRING } ... } } */
	if (!ber_child(&ci, 0, 0x06, &oid, 1) || !is_oid(&oid, oid_signed_data, sizeof oid_signed_data) ||
	    !ber_child(&ci, 1, 0xa0, &wrap, 1) || !ber_child(&wrap, 0, 0x30, &sd, 2) ||
	    !ber_child(&sd, 2, 0x30, &encap, 3) || !ber_child(&encap, 1, 0xa0, &ctx, 4) ||
	    !ber_read(ctx.c, ctx.e, &octets, 5) || !ber_octets(&octets, out, 5))
		goto done;
	res = g_bytes_new(out->data, out->len);
done:
	g_byte_array_unref(out);
	return res;
}
