/*
 * fuzz_cdr - the attachment dispatcher mg_cdr_file on raw bytes: libmagic
 * types the data, the policy table picks the rebuilder (OOXML, ODF, RTF,
 * CSV, HTML, PDF, images, archives, OLE2), the result is scanned.  The
 * first input byte picks a file name (types are decided from content, the
 * name only for disguise checks and text formats).
 */
#include "config.h"

#include "../tests/unit/cdrctx.h"
#include "mg_cdr.h"
#include "fuzz_common.h"
#include "mg_pipeline.h"

static const char *const fz_names[] = {NULL,     "a.docx", "a.xlsm", "a.pptx", "a.odt",    "a.rtf",
				       "a.csv",  "a.pdf",  "a.png",  "a.jpg",  "a.gif",    "a.tif",
				       "a.webp", "a.bmp",  "a.zip",  "a.7z",   "a.tar.gz", "a.lzh",
				       "a.doc",  "a.xls",  "a.html", "a.txt",  "a.exe",    "書類.pdf"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 20)
		return 0;
	mg_fuzz_init(TRUE);
	struct mg_txn *t = mg_fuzz_txn();
	struct mg_cdr_in in = {.ctx = cdrctx(t),
			       .data = data + 1,
			       .len = size - 1,
			       .filename = fz_names[data[0] % G_N_ELEMENTS(fz_names)],
			       .true_type = "application/octet-stream",
			       .depth = 0,
			       .deadline_us = t->deadline_us};
	struct mg_cdr_out out;
	mg_cdr_out_init(&out);
	(void)mg_cdr_file(&in, &out);
	mg_cdr_out_clear(&out);
	mg_txn_free(t);
	return 0;
}
