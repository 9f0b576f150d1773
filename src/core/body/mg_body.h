/*
 * mg_body - the message body as plain text (issue 3), and the notice to
 * the recipient.
 *
 * Contract:
 *  - mg_body_text turns one inline text leaf (text/plain or text/html that
 *    is part of the body) into a fresh text/plain part in the configured
 *    charset (body_charset; ISO-2022-JP as CP50220 writes it, falling back
 *    to UTF-8 per part when a character has no JIS row).  HTML that cannot
 *    be converted ends
 *    the message with body_convert_fail; HTML is never delivered.
 *  - mg_notice_step (end of message, after quarantine) renders the notice
 *    template (struct mg_config.notice, parsed at config load by
 *    mg_notice_config_finish, with its message catalog: notice_catalog.c)
 *    and puts it at the top or bottom of the first body text of the
 *    message (stuffed as fixed lines in a format=flowed body); with no body
 *    text, a text part is added.  Reasons and removed elements are said in
 *    the notice's language through the catalog; the report keeps English.
 *  - mg_body_txn_free releases the per-message state in struct mg_txn.
 */
#ifndef MG_BODY_H
#define MG_BODY_H

#include "mg_txn.h"

/* An inline text leaf (text/plain or text/html that is part of the body)
 * to a text/plain part; NULL if removed or decided (the report says why). */
GMimeObject *mg_body_text(struct mg_leaf *leaf);

/* Set the content of a text/plain part from UTF-8 text, in the configured
 * charset and a 7-bit-safe transfer encoding. */
void mg_body_set_text(struct mg_txn *t, GMimePart *part, const char *utf8);

/* End-of-message step: add the notice that lists every action. */
gboolean mg_notice_step(struct mg_txn *t);

/* The notice for t (UTF-8), or NULL when notice_when says none. */
char *mg_notice_render(struct mg_txn *t);

/* Parse a notice template; NULL with "name:line: problem" in *err. */
struct mg_notice_tmpl *mg_notice_tmpl_parse(const char *name, const char *text, GError **err);
void mg_notice_tmpl_free(struct mg_notice_tmpl *tm);

/* The built-in template text (0 ja, 1 en): a copy of conf/notice.*.txt. */
const char *mg_notice_builtin(int lang);

/* The message catalog of the notice: the recipient's words for the
 * stages' English reasons and removed elements (notice_catalog.c says how
 * conf/reasons.*.txt is written).  NULL with "name:line: problem". */
struct mg_notice_catalog *mg_notice_catalog_parse(const char *name, const char *text, GError **err);
void mg_notice_catalog_free(struct mg_notice_catalog *c);
/* The words for `english` (a reason, or with object a removed element);
 * "" when the catalog leaves it out; the fallback (logged with queue_id)
 * when nothing fits.  Caller frees. */
char *mg_notice_catalog_say(const struct mg_notice_catalog *c, gboolean object, const char *english,
			    const char *queue_id);
/* The built-in catalog text (0 ja, 1 en): a copy of conf/reasons.*.txt. */
const char *mg_notice_reasons_builtin(int lang);

/* Config finish/release hooks (registered by pipeline/stages.c): load notice_template. */
gboolean mg_notice_config_finish(struct mg_config *cfg, GError **err);
void mg_notice_config_release(struct mg_config *cfg);

/* Body-only profile: remove a non-body leaf (always NULL). */
GMimeObject *mg_body_only_remove(struct mg_leaf *leaf);

void mg_body_txn_free(struct mg_txn *t);

#endif
