/*
 * policy_reply.c - SMTP reply templates of the boundary rules.
 *
 * Every refusal of the policy module goes through mg_policy_refuse: the
 * rule's template ("CODE ECODE text with {placeholders}") comes from the
 * file named by policy_replies or from the built-in table below (the same
 * texts as conf/replies.conf).  Templates are checked at load: known rule,
 * 4xx/5xx code whose class matches the enhanced code, printable ASCII (SMTP
 * replies are ASCII; Postfix copies them into the bounce), no '%', only the
 * placeholders that rule offers.  The file is the same `key = value`
 * shape as mugaika.conf and read by the same line reader (mg_kv.h).
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "mg_kv.h"
#include "mg_log.h"
#include "mg_tmpl.h"
#include "mg_policy.h"
#include "policy_priv.h"

struct reply_row {
	const char *rule;
	const char *vars; /* placeholders the rule fills */
	const char *text; /* "CODE ECODE text" */
};

/* clang-format off */
static const struct reply_row builtin[] = {
	{ "size-declared", "size,limit,direction",
	  "552 5.3.4 Message size {size} exceeds the limit of {limit} bytes for {direction} mail" },
	{ "size-message", "size,limit,direction",
	  "552 5.3.4 Message size {size} exceeds the limit of {limit} bytes for {direction} mail" },
	{ "max-recipients", "limit,rcpt",
	  "452 4.5.3 Too many recipients (at most {limit} per message); send the rest in another message" },
	{ "max-attachments", "limit",
	  "552 5.3.4 Too many attachments (at most {limit} per message)" },
	{ "attachment-size", "part,size,limit,direction",
	  "552 5.3.4 Attachment {part} is larger than the limit of {limit} bytes for {direction} mail" },
	{ "decoded-total", "limit,direction",
	  "552 5.3.4 The decoded parts of the message exceed the limit of {limit} bytes for {direction} mail" },
	{ "relay-denied", "rcpt,client",
	  "550 5.7.1 Relaying denied: <{rcpt}> is not a recipient of this organisation" },
	{ "auto-forward-deny", "markers,source,destination,direction",
	  "550 5.7.1 Automatic forwarding is not permitted by the mail policy (detected: {markers})" },
	{ "auto-forward-unpermitted", "markers,source,destination,direction",
	  "550 5.7.1 Automatic forwarding from <{source}> to <{destination}> has no valid permit "
	  "(detected: {markers})" },
	{ "bcc-visible", "count,limit",
	  "550 5.7.1 {count} external addresses are visible in To/Cc (at most {limit}); "
	  "put the recipients in Bcc" },
	/* issue 16 (policyA): outbound encryption, sender authentication */
	{ "encryption-missing", "scheme,approved",
	  "550 5.7.1 This message must be encrypted (a classification label or rule requires it); "
	  "encrypt it with an approved method ({approved}) and send it again" },
	{ "encryption-unapproved", "scheme,approved",
	  "550 5.7.1 Encryption {scheme} is not approved by the mail policy; use one of: {approved}" },
	{ "auth-fail", "results,warnings",
	  "550 5.7.1 Sender authentication failed ({results})" },
	{ "auth-lookalike", "results,warnings",
	  "550 5.7.1 Message refused: the sender imitates this organisation ({warnings})" },
	{ "auth-temperror", "results,warnings",
	  "451 4.7.1 Sender authentication could not be completed ({results}), try again later" },
	/* issue 16 (items 5-9): outbound controls */
	{ "stopped", "scope",
	  "451 4.3.2 Mail service for {scope} mail is suspended by the administrator, try again later" },
	{ "stopped-sender", "sender",
	  "451 4.7.1 Mail from {sender} is suspended (outbreak guard or administrator), try again later" },
	{ "destination-blocked", "rcpt",
	  "550 5.7.1 Mail to <{rcpt}> (free mail or online storage) is not permitted by the mail policy" },
	{ "destination-forbidden", "rcpt",
	  "550 5.7.1 Mail to <{rcpt}> is forbidden by the mail policy" },
	{ "exfil-reject", "rule",
	  "550 5.7.1 Message refused by the outbound content policy (rule {rule}); "
	  "contact the information security manager" },
};
/* clang-format on */

static const struct reply_row *row_find(const char *rule)
{
	for (gsize i = 0; i < G_N_ELEMENTS(builtin); i++)
		if (strcmp(builtin[i].rule, rule) == 0)
			return &builtin[i];
	return NULL;
}

const char *mg_policy_reply_rule(gsize i)
{
	return i < G_N_ELEMENTS(builtin) ? builtin[i].rule : NULL;
}

const char *mg_policy_reply_builtin(const char *rule)
{
	const struct reply_row *r = row_find(rule);
	return r ? r->text : NULL;
}

/* "CODE ECODE text": returns NULL or what is wrong (caller frees). */
static char *template_check(const char *rule, const char *t)
{
	const struct reply_row *r = row_find(rule);
	if (!r)
		return g_strdup_printf("unknown rule '%s'; see replies.conf for the rules", rule);
	if (strlen(t) > 300)
		return g_strdup("longer than 300 characters; allowed: a short ASCII reason");
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p > 126 || *p == '%')
			return g_strdup("not printable ASCII or contains '%'; allowed: ASCII text");
	char **f = g_strsplit(t, " ", 3);
	char *why = NULL;
	if (g_strv_length(f) < 3 || strlen(f[0]) != 3 || (f[0][0] != '4' && f[0][0] != '5') ||
	    !g_ascii_isdigit(f[0][1]) || !g_ascii_isdigit(f[0][2]))
		why = g_strdup("expected CODE ECODE TEXT with a 4xx or 5xx code, e.g. 550 5.7.1 Refused");
	else if (f[1][0] != f[0][0] || f[1][1] != '.' || strlen(f[1]) < 5 || strlen(f[1]) > 11)
		why = g_strdup_printf("enhanced code '%s' does not match %s; allowed: %c.X.Y", f[1], f[0], f[0][0]);
	else
		why = mg_tmpl_check(f[2], r->vars, NULL);
	g_strfreev(f);
	return why;
}

GHashTable *mg_policy_replies_parse(const char *name, const char *text, GError **err)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; h && lines[i]; i++) {
		char *rule = NULL, *val = NULL, *why = NULL;
		if (!mg_kv_split(lines[i], &rule, &val, &why))
			continue;
		if (why) {
			g_free(why);
			why = g_strdup("expected 'rule = CODE ECODE text'");
		} else {
			why = template_check(rule, val);
			if (!why)
				g_hash_table_replace(h, g_strdup(rule), g_strdup(val));
		}
		if (why) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s", name, i + 1, why);
			g_free(why);
			g_hash_table_unref(h);
			h = NULL;
		}
	}
	g_strfreev(lines);
	return h;
}

GHashTable *mg_policy_replies_load(const char *path, GError **err)
{
	char *text = NULL;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: policy_replies: %s", path, e->message);
		g_error_free(e);
		return NULL;
	}
	GHashTable *h = mg_policy_replies_parse(path, text, err);
	g_free(text);
	return h;
}

/* An SMTP reply line is at most 512 octets (RFC 5321 4.5.3.1.5); the text
 * after "CODE ECODE " stays well under that. */
#define REPLY_TEXT_MAX  400
#define REPLY_VALUE_MAX 120

/* Replace {name} by values; values are made ASCII-safe for SMTP first. */
static char *template_fill(const char *tmpl, va_list ap)
{
	GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
	GArray *vars = g_array_new(FALSE, FALSE, sizeof(struct mg_tmpl_var));
	const char *name;
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		char *safe = g_strndup(value ? value : "", REPLY_VALUE_MAX);
		for (char *p = safe; *p; p++)
			if ((unsigned char)*p < 32 || (unsigned char)*p > 126 || strchr("%{}", *p))
				*p = '?';
		g_ptr_array_add(vals, safe);
		struct mg_tmpl_var v = {name, safe};
		g_array_append_val(vars, v);
	}
	GString *s = g_string_new(NULL);
	mg_tmpl_expand(s, tmpl, (const struct mg_tmpl_var *)(void *)vars->data, vars->len);
	g_array_free(vars, TRUE);
	g_ptr_array_unref(vals);
	if (s->len > REPLY_TEXT_MAX)
		g_string_truncate(s, REPLY_TEXT_MAX);
	return g_string_free(s, FALSE);
}

void mg_policy_refuse(struct mg_txn *t, gboolean per_rcpt, const char *rule, ...)
{
	const struct mg_policy_data *pd = t->cfg->policy;
	const char *tmpl = pd && pd->replies ? g_hash_table_lookup(pd->replies, rule) : NULL;
	if (!tmpl)
		tmpl = mg_policy_reply_builtin(rule);
	if (!tmpl) { /* a rule without a template is a bug: fail closed */
		mg_txn_internal_error(t, "policy reply template missing", NULL);
		return;
	}
	va_list ap;
	va_start(ap, rule);
	char *text = template_fill(tmpl, ap);
	va_end(ap);
	char **f = g_strsplit(text, " ", 3);
	enum mg_verdict_kind kind = f[0][0] == '4' ? MG_VERDICT_TEMPFAIL : MG_VERDICT_REJECT;
	if (per_rcpt) {
		mg_txn_refuse_rcpt(t, kind, f[0], f[1], rule, "%s", f[2]);
		mg_info(t->queue_id, "recipient %s: %s %s %s (rule %s)", mg_verdict_name(kind), f[0], f[1], f[2], rule);
	} else {
		mg_txn_fail(t, kind, f[0], f[1], rule, "%s", f[2]);
	}
	g_strfreev(f);
	g_free(text);
}
