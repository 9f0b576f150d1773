/*
 * policy_bcc.c - the Bcc rule (see mg_policy.h): on outbound mail, count
 * the distinct external addresses visible in To and Cc (parsed by GMime's
 * internet_address_list_parse, groups included); over
 * bcc_max_visible_external the message is logged or refused
 * (bcc_action), unless the envelope sender is in bcc_exempt_sender.
 * Internal addresses never count.  The header block is bounded by
 * max_header_size before this runs.
 */
#include "config.h"

#include <string.h>

#include "mg_log.h"
#include "mg_guard.h"
#include "mg_policy.h"

static void count_field(const struct mg_txn *t, const char *value, GHashTable *seen)
{
	GPtrArray *addrs = mg_policy_field_addresses(value);
	for (guint i = 0; i < addrs->len; i++) {
		const char *a = addrs->pdata[i];
		if (*a && !mg_policy_addr_internal(t->cfg, a))
			g_hash_table_add(seen, g_strdup(a));
	}
	g_ptr_array_unref(addrs);
}

guint mg_policy_bcc_count(const struct mg_txn *t)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "To") == 0 || g_ascii_strcasecmp(h->name, "Cc") == 0)
			count_field(t, h->value, seen);
	}
	guint n = g_hash_table_size(seen);
	g_hash_table_destroy(seen);
	return n;
}

static gboolean sender_exempt(const struct mg_txn *t)
{
	for (char **p = t->cfg->bcc_exempt_sender; p && *p; p++)
		if (mg_policy_addr_matches(*p, t->mail_from ? t->mail_from : ""))
			return TRUE;
	return FALSE;
}

gboolean mg_policy_bcc_check(struct mg_txn *t)
{
	const struct mg_config *cfg = t->cfg;
	if (t->direction != MG_DIR_OUTBOUND || cfg->bcc_max_visible_external == 0)
		return TRUE;
	guint n = mg_policy_bcc_count(t);
	if (n <= (guint)cfg->bcc_max_visible_external)
		return TRUE;
	char *sender = mg_policy_addr_bare(t->mail_from);
	gboolean exempt = sender_exempt(t) || mg_guard_bcc_exempt(t); /* issue 16: or a bcc-exempt exception */
	mg_log(exempt ? MG_LOG_INFO : MG_LOG_WARNING, t->queue_id,
	       "bcc rule (rule bcc-visible, action %s): %u external addresses visible in To/Cc (limit %" G_GINT64_FORMAT
	       "), sender <%s>",
	       exempt                             ? "none, sender exempt"
	       : cfg->bcc_action == MG_BCC_REJECT ? "reject"
						  : "log",
	       n, cfg->bcc_max_visible_external, sender);
	g_free(sender);
	if (exempt || cfg->bcc_action != MG_BCC_REJECT)
		return TRUE;
	char *c = g_strdup_printf("%u", n), *l = g_strdup_printf("%" G_GINT64_FORMAT, cfg->bcc_max_visible_external);
	mg_policy_refuse(t, FALSE, "bcc-visible", "count", c, "limit", l, NULL);
	g_free(c);
	g_free(l);
	return FALSE;
}
