/*
 * txn_mem.c - the memory a message may hold (issue 11).
 *
 * GLib aborts the whole process when g_malloc fails, and libmilter serves
 * every session from one process: one message too large for memory would
 * take every message in flight with it.  So the buffers whose size comes
 * from the message (a decoded part, a rebuilt file) are charged before they
 * are allocated, against two budgets - max_message_memory per message (a
 * property of the message: a final 552) and max_memory for all messages in
 * flight (a resource: 451 for this message alone) - and are allocated with
 * g_try_malloc (mg_txn_try_alloc), so that what the budgets did not foresee
 * still fails only the message that asked.  Charges are the sum of what a
 * message allocated (not its peak), returned when the record is freed.
 */
#include "config.h"

#include "mg_log.h"
#include "mg_txn.h"

static gint64 in_use; /* all records' charges (atomic) */

gint64 mg_txn_mem_in_use(void)
{
	return __atomic_load_n(&in_use, __ATOMIC_RELAXED);
}

gboolean mg_txn_mem_take(struct mg_txn *t, gsize n, const char *what)
{
	const struct mg_config *cfg = t->cfg;
	/* A refused charge is never added: the buffer is not allocated, and a
	 * charge left standing until the record is freed would make every other
	 * message in flight look over max_memory meanwhile.  The total is
	 * compared and raised in one step, so two messages cannot both pass on
	 * the same headroom, nor one see another's refused charge. */
	if (n > (gsize)G_MAXINT64 / 2 ||
	    (cfg->max_message_memory > 0 && t->mem_used + (gint64)n > cfg->max_message_memory)) {
		mg_txn_fail(t, MG_VERDICT_REJECT, "552", "5.3.4", "max_message_memory",
			    "Message needs more than %" G_GINT64_FORMAT " bytes of memory to sanitize",
			    (gint64)cfg->max_message_memory);
		return FALSE;
	}
	gint64 all = __atomic_load_n(&in_use, __ATOMIC_RELAXED);
	do {
		if (cfg->max_memory > 0 && all + (gint64)n > cfg->max_memory) {
			mg_warn(t->queue_id,
				"%s: %" G_GINT64_FORMAT " bytes more with %" G_GINT64_FORMAT
				" in use by messages in flight would be over max_memory",
				what, (gint64)n, all);
			mg_txn_fail(t, MG_VERDICT_TEMPFAIL, "451", "4.3.1", "max_memory",
				    "Insufficient system resources, try again later");
			return FALSE;
		}
	} while (!__atomic_compare_exchange_n(&in_use, &all, all + (gint64)n, FALSE, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	t->mem_used += (gint64)n;
	return TRUE;
}

gpointer mg_txn_try_alloc(struct mg_txn *t, gsize n, const char *what)
{
	gpointer p = g_try_malloc(n ? n : 1);
	if (!p) {
		GError *err =
			g_error_new(G_IO_ERROR, G_IO_ERROR_NO_SPACE, "cannot allocate %" G_GSIZE_FORMAT " bytes", n);
		mg_txn_internal_error(t, what, err);
		g_error_free(err);
	}
	return p;
}

void mg_txn_mem_return(struct mg_txn *t)
{
	__atomic_sub_fetch(&in_use, t->mem_used, __ATOMIC_RELAXED);
	t->mem_used = 0;
}
