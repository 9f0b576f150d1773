/*
 * policy_priv.h - private to the policy module (issue 6): the data the
 * finish hook compiles from the configuration.
 */
#ifndef MG_POLICY_PRIV_H
#define MG_POLICY_PRIV_H

#include <glib.h>

struct mg_policy_data {
	GPtrArray *networks; /* GInetAddressMask* */
	GPtrArray *permits;  /* struct mg_permit*, or NULL */
	GHashTable *replies; /* rule -> "code ecode text", or NULL (built-in) */
};

#endif
