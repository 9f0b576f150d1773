/*
 * fuzz_html2text - HTML to text, both forms: the whole input at once with
 * the charset taken from <meta> (or detected), and the incremental UTF-8
 * form fed in chunks whose size is the first input byte.  Both run with
 * small output and depth limits so the limit paths are reached.
 */
#include "config.h"

#include <string.h>

#include "mg_charset.h"
#include "mg_html2text.h"
#include "fuzz_common.h"

static void fz_incremental(const char *p, gsize len, gsize chunk, const struct mg_html2text_opts *o)
{
	char *utf8 = mg_charset_to_utf8(p, len, "utf-8", NULL);
	gsize ul = strlen(utf8);
	struct mg_html2text *h = mg_html2text_new(o);
	gboolean ok = TRUE;
	for (gsize off = 0; ok && off < ul; off += chunk)
		ok = mg_html2text_feed(h, utf8 + off, MIN(chunk, ul - off), NULL);
	g_free(mg_html2text_finish(h, NULL));
	g_free(utf8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 18)
		return 0;
	mg_fuzz_init(FALSE);
	const char *p = (const char *)data + 1;
	gsize len = size - 1;
	GHashTable *removed = g_hash_table_new(g_str_hash, g_str_equal);
	struct mg_html2text_opts o = {.defang_links = data[0] & 1,
				      .max_output = 1 << 16,
				      .deadline_us = g_get_monotonic_time() + 10 * G_USEC_PER_SEC,
				      .max_depth = 1 + (data[0] >> 3),
				      .image_label = (data[0] & 2) ? "image" : NULL,
				      .removed = removed};
	GError *err = NULL;
	g_free(mg_html2text(p, len, NULL, &o, &err));
	g_clear_error(&err);
	g_free(mg_html2text_meta_charset(p, len));
	fz_incremental(p, len, data[0] ? data[0] : 4096, &o);
	g_hash_table_destroy(removed);
	return 0;
}
