/*
 * fuzz_config - the configuration parser (mg_config_parse) on arbitrary
 * text: keys of the option table, values, lists, sections, junk.
 * A parsed config is also dumped (to /dev/null), which walks every field.
 */
#include "config.h"

#include <stdio.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (size > 1 << 16)
		return 0;
	mg_fuzz_init(FALSE);
	if (!null)
		null = fopen("/dev/null", "w");
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("fuzz.conf", (const char *)data, size, &err);
	if (cfg) {
		mg_config_dump(null, cfg, FALSE);
		mg_config_unref(cfg);
	}
	g_clear_error(&err);
	return 0;
}
