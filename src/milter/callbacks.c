/*
 * callbacks.c - the libmilter callbacks (see milter.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "milter.h"
#include "mg_log.h"

struct mg_mctx {
	struct mg_conn *conn;
	struct mg_txn *txn; /* NULL between messages */
};

static GMutex cfg_lock;
static struct mg_config *cfg_current;
static gint sessions;
static gint messages; /* MAIL FROM .. end of the message (issue 11) */
static gint in_eom;   /* of them, in end-of-message processing */
static gint draining;

struct mg_config *mg_milter_config(void)
{
	g_mutex_lock(&cfg_lock);
	struct mg_config *c = cfg_current ? mg_config_ref(cfg_current) : NULL;
	g_mutex_unlock(&cfg_lock);
	return c;
}

void mg_milter_config_set(struct mg_config *cfg)
{
	g_mutex_lock(&cfg_lock);
	struct mg_config *old = cfg_current;
	cfg_current = cfg;
	g_mutex_unlock(&cfg_lock);
	if (old)
		mg_config_unref(old);
}

int mg_milter_sessions(void)
{
	return g_atomic_int_get(&sessions);
}

int mg_milter_messages(void)
{
	return g_atomic_int_get(&messages);
}

int mg_milter_messages_in_eom(void)
{
	return g_atomic_int_get(&in_eom);
}

void mg_milter_drain(void)
{
	g_atomic_int_set(&draining, 1);
}

/* While stopping: a 4xx, so that the MTA keeps the mail for later. */
static sfsistat refuse_draining(SMFICTX *ctx)
{
	mg_mta->setreply(ctx, "421", "4.3.2", "Mail filter shutting down, try again later");
	return SMFIS_TEMPFAIL;
}

static struct mg_mctx *mctx(SMFICTX *ctx)
{
	return mg_mta->getpriv(ctx);
}

static void mctx_reset_msg(struct mg_mctx *m)
{
	if (m && m->txn) {
		mg_txn_free(m->txn);
		m->txn = NULL;
		g_atomic_int_add(&messages, -1);
	}
}

static void update_queue_id(SMFICTX *ctx, struct mg_txn *t)
{
	const char *qid = mg_mta->getsymval(ctx, "i");
	if (qid && *qid && strcmp(mg_txn_queue_id(t), qid) != 0)
		mg_txn_set_queue_id(t, qid);
}

/* An SMFIS_* code for a verdict, with the SMTP reply set for rejections. */
static sfsistat reply(SMFICTX *ctx, const struct mg_verdict *v)
{
	if (v->kind == MG_VERDICT_CONTINUE || v->kind == MG_VERDICT_ACCEPT)
		return SMFIS_CONTINUE;
	char *text = g_strdup(v->reason ? v->reason : "Message refused");
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p > 126 || *p == '%')
			*p = '?'; /* SMTP replies are ASCII; '%' would be a format */
	if (mg_mta->setreply(ctx, (char *)v->code, (char *)v->ecode, text) != MI_SUCCESS)
		mg_warn(NULL, "smfi_setreply failed for %s %s", v->code, v->ecode);
	g_free(text);
	return v->kind == MG_VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
			     unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY;
	if ((f0 & need) != need) {
		mg_err(NULL, "the MTA does not offer the actions mugaika needs (add/change headers, "
			     "replace body); refusing it");
		return SMFIS_REJECT;
	}
	*pf0 = need | (f0 & SMFIF_QUARANTINE);
	*pf1 = 0; /* every stage, no skipping */
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	char addr[INET6_ADDRSTRLEN] = "";
	if (g_atomic_int_get(&draining))
		return refuse_draining(ctx);
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
	struct mg_mctx *m = g_new0(struct mg_mctx, 1);
	m->conn = mg_conn_new(addr, hostname);
	if (mg_mta->setpriv(ctx, m) != MI_SUCCESS) {
		mg_conn_free(m->conn);
		g_free(m);
		return SMFIS_TEMPFAIL;
	}
	g_atomic_int_inc(&sessions);
	return SMFIS_CONTINUE;
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m)
		return SMFIS_TEMPFAIL;
	mg_conn_helo(m->conn, helo);
	return SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m)
		return SMFIS_TEMPFAIL;
	mctx_reset_msg(m); /* a new message on the same connection */
	struct mg_config *cfg = g_atomic_int_get(&draining) ? NULL : mg_milter_config();
	if (!cfg)
		return refuse_draining(ctx);
	m->txn = mg_txn_new(m->conn, cfg);
	g_atomic_int_inc(&messages);
	mg_config_unref(cfg);
	update_queue_id(ctx, m->txn);
	mg_txn_set_auth(m->txn, mg_mta->getsymval(ctx, "{auth_authen}"));
	return reply(ctx, mg_txn_mail_from(m->txn, argv[0], argv + 1));
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m || !m->txn)
		return SMFIS_TEMPFAIL;
	update_queue_id(ctx, m->txn);
	return reply(ctx, mg_txn_rcpt(m->txn, argv[0], argv + 1));
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m || !m->txn)
		return SMFIS_TEMPFAIL;
	return reply(ctx, mg_txn_header(m->txn, name, value));
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m || !m->txn)
		return SMFIS_TEMPFAIL;
	update_queue_id(ctx, m->txn);
	return reply(ctx, mg_txn_eoh(m->txn));
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m || !m->txn)
		return SMFIS_TEMPFAIL;
	return reply(ctx, mg_txn_body(m->txn, data, len));
}

/* Apply the header operations and the new body; FALSE if the MTA refused. */
static gboolean apply_result(SMFICTX *ctx, struct mg_txn *t)
{
	const GPtrArray *ops = mg_txn_header_ops(t);
	for (int pass = 0; pass < 2; pass++) /* INSERTs last: the other indexes count fields as received */
		for (guint i = 0; i < ops->len; i++) {
			const struct mg_hdr_op *op = ops->pdata[i];
			if ((op->kind == MG_HDR_INSERT) != (pass == 1))
				continue;
			int rc = op->kind == MG_HDR_ADD      ? mg_mta->addheader(ctx, op->name, op->value)
				 : op->kind == MG_HDR_INSERT ? mg_mta->insheader(ctx, 0, op->name, op->value)
							     : mg_mta->chgheader(ctx, op->name, op->index, op->value);
			if (rc != MI_SUCCESS)
				return FALSE;
		}
	if (mg_txn_body_unchanged(t)) /* the MTA has these bytes already (issue 15) */
		return TRUE;
	GMimeStream *body = mg_txn_new_body(t);
	if (!body) /* delivered unchanged (scan profile): the MTA keeps its body */
		return TRUE;
	GMimeStream *crlf = g_mime_stream_filter_new(body);
	GMimeFilter *f = g_mime_filter_unix2dos_new(FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(crlf), f);
	g_object_unref(f);
	char buf[65536];
	gssize n;
	gboolean ok = TRUE;
	while (ok && (n = g_mime_stream_read(crlf, buf, sizeof buf)) > 0)
		ok = mg_mta->replacebody(ctx, (unsigned char *)buf, (int)n) == MI_SUCCESS;
	if (n < 0)
		ok = FALSE;
	g_object_unref(crlf);
	g_object_unref(body);
	return ok;
}

/* The verdict, the changes applied for an ACCEPT, and then - before the
 * answer goes out - the record of what the MTA is told (issue 11). */
static sfsistat eom_run(SMFICTX *ctx, struct mg_txn *t)
{
	update_queue_id(ctx, t);
	const struct mg_verdict *v = mg_txn_eom_prepare(t);
	if (v->kind == MG_VERDICT_ACCEPT && mg_txn_held(t)) { /* issue 16: mugaika keeps it for approval */
		v = mg_txn_commit(t, TRUE);                   /* nothing to apply: the MTA discards it */
		return v->kind == MG_VERDICT_ACCEPT ? SMFIS_DISCARD : reply(ctx, v);
	}
	gboolean applied = v->kind != MG_VERDICT_ACCEPT || apply_result(ctx, t);
	return reply(ctx, mg_txn_commit(t, applied));
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m || !m->txn)
		return SMFIS_TEMPFAIL;
	g_atomic_int_inc(&in_eom);
	sfsistat rc = eom_run(ctx, m->txn);
	mctx_reset_msg(m);
	g_atomic_int_add(&in_eom, -1);
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	mctx_reset_msg(mctx(ctx));
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct mg_mctx *m = mctx(ctx);
	if (!m)
		return SMFIS_CONTINUE;
	mctx_reset_msg(m);
	mg_conn_free(m->conn);
	g_free(m);
	mg_mta->setpriv(ctx, NULL);
	g_atomic_int_add(&sessions, -1);
	return SMFIS_CONTINUE;
}

struct smfiDesc mg_milter_desc = {
	.xxfi_name = "mugaika",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};
