/*
 * profile.c - what is done to the content, per direction (issue 16, F1):
 * inbound_profile (sanitize; scan only in gateway mode, checked at load),
 * outbound_profile and internal_profile (scan by default: scanned and
 * checked, delivered unchanged).  The policy stage chooses once the
 * recipients are known (direction final) and records it in the
 * transaction; the step sequence reads it.
 */
#include "config.h"

#include "mg_auth.h"

enum mg_profile mg_profile_of(const struct mg_txn *t)
{
	const struct mg_config *c = t->cfg;
	switch (t->direction) {
	case MG_DIR_OUTBOUND: return (enum mg_profile)c->outbound_profile;
	case MG_DIR_INTERNAL: return (enum mg_profile)c->internal_profile;
	default: return (enum mg_profile)c->inbound_profile;
	}
}

const char *mg_profile_name(enum mg_profile p)
{
	return p == MG_PROFILE_SCAN ? "scan" : "sanitize";
}
