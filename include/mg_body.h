/*
 * mg_body - the message body as plain text (issue 3), and the notice to
 * the recipient.
 */
#ifndef MG_BODY_H
#define MG_BODY_H

#include "mg_mime.h"

/* An inline text leaf (text/plain or text/html that is part of the body)
 * to a UTF-8 text/plain part; NULL if removed (the report says why). */
GMimeObject *mg_body_text(struct mg_leaf *leaf);

/* End-of-message step: add the notice that lists every action. */
gboolean mg_notice_step(struct mg_txn *t);

#endif
