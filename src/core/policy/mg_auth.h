/*
 * mg_auth - the boundary duties of issue 16 (items 1-4) in the policy
 * stage: profiles per direction, the outbound encryption rule, header
 * hygiene and sender authentication.
 *
 * Call order (from the step sequence):
 *   mg_profile_of          at end of headers (direction final): what is done
 *                          to the content (policy.c records it);
 *   mg_encryption_leaf     for every decoded leaf (from mg_policy_leaf);
 *   mg_auth_step           end of message, before the parse: removes incoming
 *                          Authentication-Results claiming auth_serv_id (every
 *                          direction); for mail from outside, SPF/DKIM/DMARC
 *                          (verify) or the trusted upstream results
 *                          (trust-upstream), the lookalike checks, our
 *                          Authentication-Results (an INSERT at the top),
 *                          warnings for the notice, the "auth" report section,
 *                          and the strongest configured action;
 *   mg_encryption_step     end of message, after the leaves: the rule's
 *                          verdict for outbound mail, the "encryption" section.
 * Configuration: the "issue 16 (policyA)" rows of the option table;
 * mg_auth_config_compile builds struct mg_auth_data (resolver and its cache,
 * libopendkim handle, lookalike tables) once per loaded configuration, owned
 * by it and freed by mg_auth_config_release.  Thread-safe after that.
 * Interface for other rules: mg_policy_require_encryption (e.g. a label the
 * exfiltration rules found in the body) makes the encryption rule apply.
 */
#ifndef MG_AUTH_H
#define MG_AUTH_H

#include <glib.h>

#include "mg_config.h"
#include "mg_txn.h"

/* Values of the enum rows (their order in the option table). */
enum mg_auth_mode { MG_AUTH_MODE_VERIFY = 0, MG_AUTH_MODE_TRUST, MG_AUTH_MODE_OFF };
enum mg_auth_on { MG_AUTH_ON_ANNOTATE = 0, MG_AUTH_ON_QUARANTINE, MG_AUTH_ON_REJECT, MG_AUTH_ON_POLICY };
enum mg_auth_on_temperror { MG_AUTH_TEMP_ANNOTATE = 0, MG_AUTH_TEMP_TEMPFAIL };
enum mg_enc_required { MG_ENC_REQ_OFF = 0, MG_ENC_REQ_LABELLED, MG_ENC_REQ_ALWAYS };
enum mg_enc_action { MG_ENC_LOG = 0, MG_ENC_REJECT, MG_ENC_QUARANTINE };

/* --- profiles (profile.c) --- */
enum mg_profile mg_profile_of(const struct mg_txn *t);
const char *mg_profile_name(enum mg_profile p);

/* --- sender authentication (auth.c) --- */
gboolean mg_auth_step(struct mg_txn *t);

/* --- outbound encryption (encryption.c) --- */
void mg_encryption_leaf(struct mg_leaf *leaf);
gboolean mg_encryption_step(struct mg_txn *t);
/* Another rule asks that this message be encrypted (why: for the report
 * and the reply, e.g. "label 機密性2 in the body"). */
void mg_policy_require_encryption(struct mg_txn *t, const char *why);

/* --- configuration (auth_config.c) --- */
gboolean mg_auth_config_compile(struct mg_config *cfg, GError **err);
void mg_auth_config_release(struct mg_config *cfg);
gboolean mg_auth_check_serv_id(const char *value, char **why);
gboolean mg_auth_check_dns_server(const char *value, char **why);
gboolean mg_auth_check_scheme(const char *value, char **why);

#endif
