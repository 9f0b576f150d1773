/*
 * outbreak.c - the outbreak guard's counters (issue 16 item 6, F27,
 * R10.1; see mg_guard.h).
 *
 * Per key ("sender:ADDR" or "client:IP") a ring of OB_BUCKETS buckets of
 * window/OB_BUCKETS seconds each counts outbound messages, external
 * recipients and virus hits; the sum over the ring is the count over the
 * last window (a sliding window to one bucket's precision).  The table holds
 * at most max_tracked keys: a new key first evicts keys not seen for a
 * whole window, then the least recently seen one.  One mutex; the work per
 * message is a hash lookup and a few additions (an eviction scan only when
 * the table is full).  Process memory only: a restart forgets the counts
 * (the stops they caused are in the stop state file).
 */
#include "config.h"

#include <string.h>

#include "mg_guard.h"

#define OB_BUCKETS 12

struct ob_key {
	guint msgs[OB_BUCKETS], rcpts[OB_BUCKETS], virus[OB_BUCKETS];
	gint64 bucket;         /* index of the newest bucket (time / width) */
	gint64 last_seen_us;   /* for eviction */
	gint64 quiet_until_us; /* no new trigger for this key before */
};

static GMutex ob_lock;
static GHashTable *ob_table; /* char* -> struct ob_key* */

void mg_outbreak_reset(void)
{
	g_mutex_lock(&ob_lock);
	g_clear_pointer(&ob_table, g_hash_table_destroy);
	g_mutex_unlock(&ob_lock);
}

guint mg_outbreak_tracked(void)
{
	g_mutex_lock(&ob_lock);
	guint n = ob_table ? g_hash_table_size(ob_table) : 0;
	g_mutex_unlock(&ob_lock);
	return n;
}

/* Move the ring forward to `bucket`, emptying the buckets passed over. */
static void ob_advance(struct ob_key *k, gint64 bucket)
{
	if (bucket - k->bucket >= OB_BUCKETS || bucket < k->bucket) {
		memset(k->msgs, 0, sizeof k->msgs);
		memset(k->rcpts, 0, sizeof k->rcpts);
		memset(k->virus, 0, sizeof k->virus);
	} else
		for (gint64 b = k->bucket + 1; b <= bucket; b++) {
			k->msgs[b % OB_BUCKETS] = 0;
			k->rcpts[b % OB_BUCKETS] = 0;
			k->virus[b % OB_BUCKETS] = 0;
		}
	k->bucket = bucket;
}

static guint ob_sum(const guint *v)
{
	guint s = 0;
	for (int i = 0; i < OB_BUCKETS; i++)
		s += v[i];
	return s;
}

/* Make room for one more key: drop stale keys, else the least recent. */
static void ob_evict(gint64 now_us, gint64 window_us)
{
	GHashTableIter it;
	gpointer key, val;
	const char *oldest = NULL;
	gint64 oldest_us = G_MAXINT64;
	guint before = g_hash_table_size(ob_table);
	g_hash_table_iter_init(&it, ob_table);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct ob_key *k = val;
		if (now_us - k->last_seen_us > window_us && k->quiet_until_us <= now_us)
			g_hash_table_iter_remove(&it);
		else if (k->last_seen_us < oldest_us) {
			oldest_us = k->last_seen_us;
			oldest = key;
		}
	}
	if (g_hash_table_size(ob_table) == before && oldest)
		g_hash_table_remove(ob_table, oldest);
}

static struct ob_key *ob_get(const char *key, gint64 now_us, gint64 window_us, guint max_tracked)
{
	if (!ob_table)
		ob_table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	struct ob_key *k = g_hash_table_lookup(ob_table, key);
	if (k)
		return k;
	if (g_hash_table_size(ob_table) >= max_tracked)
		ob_evict(now_us, window_us);
	k = g_new0(struct ob_key, 1);
	k->bucket = now_us / (window_us / OB_BUCKETS);
	g_hash_table_insert(ob_table, g_strdup(key), k);
	return k;
}

/* Add to one key and check its thresholds; returns the trigger text. */
static char *ob_add(const char *key, const struct mg_outbreak_limits *l, guint n_msgs, guint n_rcpts, guint n_virus,
		    gint64 now_us, const guint thresholds[3])
{
	gint64 window_us = l->window_s * G_USEC_PER_SEC;
	struct ob_key *k = ob_get(key, now_us, window_us, l->max_tracked);
	ob_advance(k, now_us / (window_us / OB_BUCKETS));
	k->last_seen_us = now_us;
	guint b = (guint)(k->bucket % OB_BUCKETS);
	k->msgs[b] += n_msgs;
	k->rcpts[b] += n_rcpts;
	k->virus[b] += n_virus;
	guint got[3] = {ob_sum(k->msgs), ob_sum(k->rcpts), ob_sum(k->virus)};
	static const char *const what[3] = {"messages", "external recipients", "outbound virus hits"};
	if (k->quiet_until_us > now_us)
		return NULL;
	for (int i = 0; i < 3; i++) {
		/* more than N messages or recipients; N virus hits */
		gboolean over = i == 2 ? got[i] >= thresholds[i] : got[i] > thresholds[i];
		if (thresholds[i] == 0 || !over)
			continue;
		k->quiet_until_us = now_us + window_us;
		return g_strdup_printf("%s: %u %s in %" G_GINT64_FORMAT " s (limit %u)", key, got[i], what[i],
				       l->window_s, thresholds[i]);
	}
	return NULL;
}

char *mg_outbreak_count(const struct mg_outbreak_limits *l, const char *sender, const char *client, guint n_rcpts,
			gboolean virus, gint64 now_us, int *kind)
{
	char *trigger = NULL, *t2 = NULL;
	guint m = virus ? 0 : 1, v = virus ? 1 : 0, r = virus ? 0 : n_rcpts;
	g_mutex_lock(&ob_lock);
	if (sender && *sender) {
		char *key = g_strconcat("sender:", sender, NULL);
		guint th[3] = {l->sender_messages, l->sender_recipients, l->virus_hits};
		if ((trigger = ob_add(key, l, m, r, v, now_us, th)))
			*kind = MG_STOP_SENDER;
		g_free(key);
	}
	if (client && *client) { /* counted even when the sender triggered */
		char *key = g_strconcat("client:", client, NULL);
		guint th[3] = {l->client_messages, l->client_recipients, l->virus_hits};
		if ((t2 = ob_add(key, l, m, r, v, now_us, th)) && !trigger) {
			trigger = g_steal_pointer(&t2);
			*kind = MG_STOP_CLIENT;
		}
		g_free(t2);
		g_free(key);
	}
	g_mutex_unlock(&ob_lock);
	return trigger;
}
