/*
 * permit.c - the auto-forward permit list (see mg_policy.h, struct
 * mg_permit, and conf/permit-forward.list).
 *
 * File syntax, one permit per line, fields separated by blanks, REASON is
 * the rest of the line; '#' starts a comment line:
 *     ID SOURCE DESTINATION APPROVER EXPIRES REASON...
 * SOURCE and DESTINATION are user@domain or @domain; EXPIRES is YYYY-MM-DD
 * and the permit is valid through that day.  A hand-written line parser:
 * the format is six blank-separated fields, which no library format fits
 * better than g_strsplit_set; dates are checked with GDate.  Any bad line,
 * duplicate ID or expiry date in the past fails the whole load with
 * "file:line: what is wrong; what is allowed", so a reload keeps the old
 * configuration.  Permits expire at run time too: mg_permit_find checks the
 * date on every use.
 */
#include "config.h"

#include <string.h>

#include "mg_policy.h"

static GMutex today_lock;
static char *today_fixed; /* tests: a fixed "today" */

void mg_policy_set_today(const char *yyyy_mm_dd)
{
	g_mutex_lock(&today_lock);
	g_free(today_fixed);
	today_fixed = g_strdup(yyyy_mm_dd);
	g_mutex_unlock(&today_lock);
}

static gboolean date_parse(const char *s, GDate *d)
{
	unsigned y, m, dd;
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return FALSE;
	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &dd, &tail) != 3)
		return FALSE;
	if (!g_date_valid_dmy((GDateDay)dd, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
	return TRUE;
}

void mg_policy_today(GDate *out)
{
	g_date_clear(out, 1);
	g_mutex_lock(&today_lock);
	gboolean fixed = today_fixed && date_parse(today_fixed, out);
	g_mutex_unlock(&today_lock);
	if (!fixed)
		g_date_set_time_t(out, time(NULL)); /* local time */
}

static void permit_free(gpointer p)
{
	struct mg_permit *e = p;
	g_free(e->id);
	g_free(e->source);
	g_free(e->destination);
	g_free(e->approver);
	g_free(e->expires);
	g_free(e->reason);
	g_free(e->where);
	g_free(e);
}

static gboolean addr_ok(const char *s)
{
	char *why = NULL;
	gboolean ok = mg_policy_check_address(s, &why);
	g_free(why);
	return ok;
}

/* Check one split line; returns NULL or what is wrong (caller frees). */
static char *permit_check(char **f, const GDate *today, GHashTable *ids, GDate *date)
{
	if (g_strv_length(f) < 6)
		return g_strdup("expected ID SOURCE DESTINATION APPROVER EXPIRES REASON (six fields or more)");
	if (g_hash_table_contains(ids, f[0]))
		return g_strdup_printf("ID '%s' given twice; allowed: a unique ID per permit", f[0]);
	if (!addr_ok(f[1]))
		return g_strdup_printf("source '%s' is not an address; allowed: user@domain or @domain", f[1]);
	if (!addr_ok(f[2]))
		return g_strdup_printf("destination '%s' is not an address; allowed: user@domain or @domain", f[2]);
	if (!date_parse(f[4], date))
		return g_strdup_printf("expiry '%s' is not a date; allowed: YYYY-MM-DD", f[4]);
	if (g_date_compare(date, today) < 0)
		return g_strdup_printf("permit expired on %s; remove the line (forwarding must stop when "
				       "it is no longer needed)",
				       f[4]);
	return NULL;
}

static struct mg_permit *permit_new(char **f, const char *name, int line, const GDate *date)
{
	struct mg_permit *e = g_new0(struct mg_permit, 1);
	e->id = g_strdup(f[0]);
	e->source = g_ascii_strdown(f[1], -1);
	e->destination = g_ascii_strdown(f[2], -1);
	e->approver = g_strdup(f[3]);
	e->expires = g_strdup(f[4]);
	e->reason = g_strjoinv(" ", f + 5);
	e->where = g_strdup_printf("%s:%d", name, line);
	e->date = *date;
	return e;
}

/* Blank-separated fields of a line, empty ones dropped. */
static char **fields_of(const char *line)
{
	char **f = g_strsplit_set(line, " \t", -1);
	guint j = 0;
	for (guint i = 0; f[i]; i++) {
		if (*f[i])
			f[j++] = f[i];
		else
			g_free(f[i]);
	}
	f[j] = NULL;
	return f;
}

GPtrArray *mg_permit_parse(const char *name, const char *text, const GDate *today, GError **err)
{
	GDate now, date;
	if (!today)
		mg_policy_today(&now);
	GPtrArray *list = g_ptr_array_new_with_free_func(permit_free);
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	char **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l == '\0' || *l == '#')
			continue;
		char **f = fields_of(l);
		char *why = permit_check(f, today ? today : &now, ids, &date);
		if (!why) {
			struct mg_permit *e = permit_new(f, name, i + 1, &date);
			g_ptr_array_add(list, e);
			g_hash_table_add(ids, e->id);
		}
		g_strfreev(f);
		if (why) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s", name, i + 1, why);
			g_free(why);
			g_ptr_array_unref(list);
			list = NULL;
			break;
		}
	}
	g_strfreev(lines);
	g_hash_table_destroy(ids);
	return list;
}

GPtrArray *mg_permit_load(const char *path, const GDate *today, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: auto_forward_permit_file: %s", path, e->message);
		g_error_free(e);
		return NULL;
	}
	GPtrArray *list = NULL;
	if (memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL))
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: not UTF-8 text; allowed: a UTF-8 text file", path);
	else
		list = mg_permit_parse(path, text, today, err);
	g_free(text);
	return list;
}

GPtrArray *mg_permit_load_all(const char *path, GError **err)
{
	GDate epoch;
	g_date_clear(&epoch, 1);
	g_date_set_dmy(&epoch, 1, G_DATE_JANUARY, 1);
	return mg_permit_load(path, &epoch, err);
}

static void permit_status(const struct mg_permit *e, const GDate *today, int warn_days, char *buf, gsize n)
{
	gint days = g_date_days_between(today, &e->date);
	if (days < 0)
		g_snprintf(buf, n, "EXPIRED");
	else if (days <= warn_days)
		g_snprintf(buf, n, "expires in %d day%s", days, days == 1 ? "" : "s");
	else
		g_snprintf(buf, n, "active");
}

guint mg_permit_report(FILE *out, const GPtrArray *permits, const GDate *today, int warn_days)
{
	guint expired = 0;
	fprintf(out, "%-16s %-18s %-10s %s\n", "ID", "STATUS", "EXPIRES", "SOURCE -> DESTINATION (APPROVER): REASON");
	for (guint i = 0; permits && i < permits->len; i++) {
		const struct mg_permit *e = permits->pdata[i];
		char status[32];
		permit_status(e, today, warn_days, status, sizeof status);
		expired += g_date_compare(&e->date, today) < 0;
		fprintf(out, "%-16s %-18s %-10s %s -> %s (%s): %s\n", e->id, status, e->expires, e->source,
			e->destination, e->approver, e->reason);
	}
	return expired;
}

const struct mg_permit *mg_permit_find(const GPtrArray *permits, const char *source, const char *destination,
				       const GDate *today)
{
	for (guint i = 0; permits && i < permits->len; i++) {
		const struct mg_permit *e = permits->pdata[i];
		if (g_date_compare(&e->date, today) < 0)
			continue; /* expired since the load */
		if (mg_policy_addr_matches(e->source, source) && mg_policy_addr_matches(e->destination, destination))
			return e;
	}
	return NULL;
}
