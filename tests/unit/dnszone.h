/*
 * dnszone.h - the tests' in-process DNS (see dnszone.c).
 */
#ifndef MG_TEST_DNSZONE_H
#define MG_TEST_DNSZONE_H

#include "mg_auth_dns.h"

struct mg_test_zone;
struct mg_test_zone *mg_test_zone_load(const char *path);
void mg_test_zone_free(struct mg_test_zone *z);
enum mg_dns_status mg_test_zone_backend(void *data, const char *name, int type, gint64 deadline_us, GPtrArray *rrs,
					guint32 *ttl);

#endif
