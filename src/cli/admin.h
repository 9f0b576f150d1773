/*
 * admin.h - helpers of the issue 7 admin commands (quarantine, audit,
 * report): the admin audit log and the re-injection of an original.
 */
#ifndef MG_CLI_ADMIN_H
#define MG_CLI_ADMIN_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mg_account.h"
#include "mg_config.h"

/* Re-inject `msg` (the original, LF line ends) from `sender` to `rcpt`
 * through release_smtp_host (SMTP) or release_sendmail (sendmail -i).
 * *via gets "smtp HOST:PORT" or "sendmail PATH" (caller frees). */
gboolean mg_release_send(const struct mg_config *cfg, GBytes *msg, const char *sender, const char *rcpt, char **via,
			 GError **err);

/* An address an administrator may release to: local@domain, printable
 * ASCII, no spaces or angle brackets, not starting with '-'. */
gboolean mg_release_addr_ok(const char *addr);

#endif
