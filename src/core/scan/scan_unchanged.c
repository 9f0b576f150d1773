/*
 * scan_unchanged.c - what a scan finding means when the content is
 * delivered unchanged (the scan profile of outbound and internal mail,
 * issue 16, F14): a part cannot be removed, so
 *   infected     -> the message is refused (550 5.7.1; quarantine keeps the
 *                   original first, as scan_on_infected says);
 *   unscannable  -> scan_on_unscannable reject/tempfail refuse it as usual;
 *                   "remove" cannot apply, the part (typically an encrypted
 *                   file the sender means to send) goes out as it is and the
 *                   report says so;
 *   error        -> on_error, as everywhere.
 * A raw-message finding no part accounted for refuses the message.
 */
#include "config.h"

#include "mg_log.h"
#include "mg_scan.h"

void mg_scan_verdict_unchanged(struct mg_leaf *leaf, enum mg_scan_result r, const char *virus, const char *why)
{
	struct mg_txn *t = leaf->t;
	const struct mg_config *cfg = t->cfg;
	GError *err = NULL;
	switch (r) {
	case MG_SCAN_INFECTED:
		g_free(leaf->rep->virus);
		leaf->rep->virus = g_strdup(virus);
		mg_warn(t->queue_id, "part %s: %s", leaf->path, virus);
		if (cfg->scan_on_infected == MG_SCAN_INF_QUARANTINE)
			t->force_quarantine = TRUE;
		mg_txn_fail(t, MG_VERDICT_REJECT, "550", "5.7.1", "virus-found", "Message contains a virus (%s)",
			    virus);
		break;
	case MG_SCAN_UNSCANNABLE:
		mg_info(t->queue_id, "part %s: not scannable (%s)", leaf->path, why ? why : "?");
		if (cfg->scan_on_unscannable == MG_SCAN_UNS_REJECT)
			mg_txn_fail(t, MG_VERDICT_REJECT, "554", "5.7.1", "unscannable",
				    "Message could not be scanned for viruses (%s)", why ? why : "?");
		else if (cfg->scan_on_unscannable == MG_SCAN_UNS_TEMPFAIL)
			mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.7.1", "unscannable",
				    "Message could not be scanned for viruses (%s), try again later", why ? why : "?");
		else {
			g_free(leaf->rep->reason);
			leaf->rep->reason = g_strdup_printf("not scannable (%s); delivered unchanged", why ? why : "?");
		}
		break;
	case MG_SCAN_ERROR:
		err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s", why ? why : "unknown");
		mg_txn_internal_error(t, "virus scan of a part", err);
		g_error_free(err);
		break;
	default: break;
	}
}

gboolean mg_scan_raw_accounted(struct mg_txn *t)
{
	if (!mg_txn_decided(t) && t->scan_raw_virus) {
		mg_err(t->queue_id, "the message matched %s; nothing can be removed from it (profile scan)",
		       t->scan_raw_virus);
		if (t->cfg->scan_on_infected == MG_SCAN_INF_QUARANTINE)
			t->force_quarantine = TRUE;
		mg_txn_fail(t, MG_VERDICT_REJECT, "550", "5.7.1", "virus-found", "Message contains a virus (%s)",
			    t->scan_raw_virus);
	}
	return !mg_txn_decided(t);
}
