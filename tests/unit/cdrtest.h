/*
 * cdrtest.h - shared by the issue 4a test programs: hostile files generated
 * at run time by tests/cdr/gen_office.py into a temporary directory, a
 * minimal transaction, and small assertions on rebuilt files.
 */
#ifndef CDRTEST_H
#define CDRTEST_H

#include <glib.h>

#include "mg_cdr.h"
#include "mg_txn.h"

extern char *cdrtest_dir;

int cdrtest_setup(void **state);    /* cmocka group setup: generate the samples */
int cdrtest_teardown(void **state); /* remove them */
const char *cdrtest_srcdir(void);
const char *cdrtest_python(void);
int cdrtest_run(char **argv, char **output);  /* 0 = exit status 0 */
struct mg_txn *cdrtest_txn(const char *conf); /* NULL conf: built-in defaults */
void cdrtest_txn_free(struct mg_txn *t);
GBytes *cdrtest_sample(const char *name);
enum mg_cdr_status cdrtest_file(struct mg_txn *t, const char *name, GBytes *b, struct mg_cdr_out *out);
gboolean cdrtest_removed_has(const struct mg_cdr_out *out, const char *needle);
gboolean cdrtest_zip_has_name(const GByteArray *b, const char *needle);

#endif
