/*
 * fuzz_charset - charset decoding: the body converter under a label picked
 * by the first input byte (right, wrong and missing labels), the header
 * decoder (RFC 2047 words and raw 8-bit text) on the same bytes, and the
 * ISO-2022-JP encoder on what came out.  Checks the contract that the
 * result is always valid UTF-8.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mg_charset.h"
#include "mg_hdrenc.h"
#include "fuzz_common.h"

static const char *const fz_labels[] = {NULL,
					"us-ascii",
					"utf-8",
					"iso-2022-jp",
					"ISO-2022-JP-2",
					"iso-2022-jp-3",
					"shift_jis",
					"cp932",
					"euc-jp",
					"eucJP-ms",
					"utf-16",
					"utf-16le",
					"iso-8859-1",
					"windows-1252",
					"x-unknown",
					"",
					"utf-7",
					"gb2312",
					"big5",
					"koi8-r",
					"CP50220",
					"iso-2022-kr",
					"ks_c_5601",
					"unicode-1-1-utf-7"};

static void fz_check_utf8(const char *s)
{
	if (s && !g_utf8_validate(s, -1, NULL))
		abort(); /* the contract in mg_charset.h */
}

static void fz_check_header(const char *s)
{
	gsize line = 0;
	for (; s && *s; s++) {
		if (*s == '\n') {
			line = 0;
			continue;
		}
		if (((guchar)*s < 0x20 && *s != '\t') || (guchar)*s > 0x7E || ++line > 998)
			abort(); /* the contract in mg_hdrenc.h */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 18)
		return 0;
	mg_fuzz_init(FALSE);
	const char *label = fz_labels[data[0] % G_N_ELEMENTS(fz_labels)];
	const char *p = (const char *)data + 1;
	gsize len = size - 1;
	char *used = NULL;
	char *text = mg_charset_to_utf8(p, len, label, &used);
	fz_check_utf8(text);
	gsize jl = 0;
	g_free(mg_charset_to_iso2022jp(text, &jl));
	char *raw = g_strndup(p, len); /* a header value is a C string */
	char *hdr = mg_hdrenc_decode(raw);
	fz_check_utf8(hdr);
	g_free(hdr);
	/* the header encoder: whatever comes in, what goes out is printable
	 * ASCII with lines of at most 998 bytes (mg_hdrenc.h) */
	static const char *const fz_fields[] = {"Subject", "From", "Received", "To"};
	char *out = mg_hdrenc_field(fz_fields[data[0] % G_N_ELEMENTS(fz_fields)], raw,
				    data[0] & 0x10 ? MG_HDRENC_JIS : MG_HDRENC_UTF8);
	fz_check_header(out);
	g_free(out);
	g_free(raw);
	g_free(text);
	g_free(used);
	return 0;
}
