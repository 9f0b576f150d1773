/*
 * fuzz_auth - the hand-written parts of sender authentication (issue 16)
 * on arbitrary input: an Authentication-Results value (mg_ar_parse, fed
 * whole and as every prefix the first byte selects), and the lookalike
 * checks on the input as a domain and as a display name.
 */
#include "config.h"

#include <string.h>

#include "auth_ar.h"
#include "lookalike.h"
#include "fuzz_common.h"

static struct mg_lookalike *fz_look;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	mg_fuzz_init(FALSE);
	if (!fz_look) {
		char *internal[] = {"city.example.lg.jp", NULL}, *prot[] = {"xn--ity-3ed.example.lg.jp", NULL};
		char *names[] = {"市長", "総務課", NULL};
		fz_look = mg_lookalike_new(internal, prot, names, 2, NULL);
	}
	char *s = g_strndup((const char *)data + 1, size - 1);
	mg_ar_free(mg_ar_parse(s));
	gsize cut = MIN((gsize)data[0], strlen(s));
	char *prefix = g_strndup(s, cut);
	mg_ar_free(mg_ar_parse(prefix));
	mg_lookalike_domain(fz_look, s);
	mg_lookalike_name(fz_look, s);
	mg_lookalike_protected(fz_look, s);
	g_free(prefix);
	g_free(s);
	return 0;
}
