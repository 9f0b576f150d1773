/*
 * encryption.c - the outbound encryption rule (issue 16, F25; R13.1,
 * R13.4, R13.5): mail leaving for the Internet that must be encrypted is
 * refused when it is not, or when it uses a scheme the organisation did not
 * approve (approved_encryption; ZipCrypto and RC4 are weak and not approved
 * by default).
 *
 * "Must be encrypted" (encryption_required):
 *   off       never;
 *   labelled  a classification label (encryption_required_label, compared
 *             after NFKC with spaces removed, so 【機密性２】 is 機密性2) is
 *             found in the Subject or an attachment name, or another rule
 *             asks for it through mg_policy_require_encryption; the
 *             exfiltration rules' labels (mg_exfil_labels: found in the
 *             body and the text of attachments too) count when named like
 *             one of encryption_required_label;
 *   always    every outbound message.
 * "Encrypted": the whole message is S/MIME enveloped-data or PGP/MIME
 * encrypted, or it has attachments and every one is encrypted (a body text
 * in clear is allowed: it is where the password-free covering note goes).
 * The scheme reported is the first unapproved one seen, else the first.
 *
 * Call order: mg_encryption_leaf for every MIME leaf (from the policy's
 * leaf hook), mg_encryption_step at the end of the message.  Only outbound
 * mail is judged; the scheme is reported for every direction.
 */
#include "config.h"

#include <string.h>

#include "enc_scheme.h"
#include "mg_auth.h"
#include "mg_guard.h"
#include "mg_log.h"
#include "mg_policy.h"

struct mg_encryption_state {
	GPtrArray *why;      /* char*: reasons encryption is required */
	guint attachments;   /* attachment leaves seen */
	guint encrypted;     /* of them, encrypted */
	char *scheme;        /* the scheme reported: the first unapproved one, else the first */
	const char *message; /* "smime" / "pgp" when the whole message is encrypted */
};

static gboolean approved(const struct mg_config *cfg, const char *id)
{
	return id && cfg->approved_encryption && g_strv_contains((const char *const *)cfg->approved_encryption, id);
}

static void enc_free(struct mg_txn *t)
{
	struct mg_encryption_state *e = t->encryption;
	if (!e)
		return;
	g_ptr_array_unref(e->why);
	g_free(e->scheme);
	g_free(e);
	t->encryption = NULL;
}

static struct mg_encryption_state *enc_of(struct mg_txn *t)
{
	if (!t->encryption) {
		struct mg_encryption_state *e = g_new0(struct mg_encryption_state, 1);
		e->why = g_ptr_array_new_with_free_func(g_free);
		t->encryption = e;
		mg_txn_on_free(t, enc_free);
	}
	return t->encryption;
}

void mg_policy_require_encryption(struct mg_txn *t, const char *why)
{
	g_ptr_array_add(enc_of(t)->why, g_strdup(why));
}

/* NFKC, white space removed: the form labels are compared in. */
static char *label_form(const char *s)
{
	char *n = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	GString *out = g_string_new(NULL);
	for (const char *p = n ? n : ""; *p; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			g_string_append_unichar(out, g_utf8_get_char(p));
	g_free(n);
	return g_string_free(out, FALSE);
}

static void label_search(struct mg_txn *t, const char *where, const char *text)
{
	if (!text || t->cfg->encryption_required != MG_ENC_REQ_LABELLED)
		return;
	char *hay = label_form(text);
	for (char **l = t->cfg->encryption_required_label; l && *l; l++) {
		char *needle = label_form(*l);
		if (*needle && strstr(hay, needle)) {
			char *why = g_strdup_printf("label %s in %s", *l, where);
			mg_policy_require_encryption(t, why);
			g_free(why);
		}
		g_free(needle);
	}
	g_free(hay);
}

/* The message itself encrypted: S/MIME enveloped-data or PGP/MIME. */
static const char *message_scheme(const struct mg_txn *t)
{
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Content-Type") != 0)
			continue;
		GMimeContentType *ct = g_mime_content_type_parse(NULL, h->value);
		const char *type = ct ? g_mime_content_type_get_media_type(ct) : "";
		const char *sub = ct ? g_mime_content_type_get_media_subtype(ct) : "";
		const char *st = ct ? g_mime_content_type_get_parameter(ct, "smime-type") : NULL;
		const char *proto = ct ? g_mime_content_type_get_parameter(ct, "protocol") : NULL;
		const char *s = NULL;
		if (!g_ascii_strcasecmp(type, "application") &&
		    (!g_ascii_strcasecmp(sub, "pkcs7-mime") || !g_ascii_strcasecmp(sub, "x-pkcs7-mime")) &&
		    (!st || !g_ascii_strcasecmp(st, "enveloped-data") || !g_ascii_strcasecmp(st, "authEnveloped-data")))
			s = "smime";
		else if (!g_ascii_strcasecmp(type, "multipart") && !g_ascii_strcasecmp(sub, "encrypted") && proto &&
			 !g_ascii_strcasecmp(proto, "application/pgp-encrypted"))
			s = "pgp";
		if (ct)
			g_object_unref(ct);
		return s;
	}
	return NULL;
}

static void scheme_note(const struct mg_config *cfg, struct mg_encryption_state *e, const char *s)
{
	if (!e->scheme || (approved(cfg, e->scheme) && !approved(cfg, s))) {
		g_free(e->scheme);
		e->scheme = g_strdup(s);
	}
}

void mg_encryption_leaf(struct mg_leaf *leaf)
{
	struct mg_txn *t = leaf->t;
	struct mg_encryption_state *e = enc_of(t);
	if (leaf->filename)
		label_search(t, "an attachment name", leaf->filename);
	if (leaf->inline_text) {
		if (leaf->data && g_strstr_len((const char *)leaf->data->data, (gssize)leaf->data->len,
					       "-----BEGIN PGP MESSAGE-----"))
			e->message = "pgp"; /* inline PGP: the text itself is encrypted */
		return;
	}
	e->attachments++;
	const char *s = leaf->data ? mg_enc_scheme_of_file(leaf->data->data, leaf->data->len) : NULL;
	if (s) {
		e->encrypted++;
		scheme_note(t->cfg, e, s);
	}
}

/* The labels the exfiltration rules found (subject, body, attachment names
 * and text; mg_guard.h): one named like a label of
 * encryption_required_label makes encryption required. */
static void exfil_labels(struct mg_txn *t)
{
	GPtrArray *found = mg_exfil_labels(t);
	for (guint i = 0; i < found->len; i++) {
		char *name = label_form(found->pdata[i]);
		for (char **l = t->cfg->encryption_required_label; l && *l; l++) {
			char *want = label_form(*l);
			if (*want && strstr(name, want)) {
				char *why = g_strdup_printf("label %s found by the exfiltration rules",
							    (const char *)found->pdata[i]);
				mg_policy_require_encryption(t, why);
				g_free(why);
			}
			g_free(want);
		}
		g_free(name);
	}
	g_ptr_array_unref(found);
}

static void subject_labels(struct mg_txn *t)
{
	for (guint i = 0; i < t->headers->len; i++) {
		const struct mg_header *h = t->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Subject") != 0)
			continue;
		char *text = g_mime_utils_header_decode_text(NULL, h->value);
		label_search(t, "the Subject", text);
		g_free(text);
	}
}

static void report(struct mg_txn *t, const struct mg_encryption_state *e, const char *scheme, const char *verdict)
{
	JsonObject *o = json_object_new();
	JsonArray *why = json_array_new();
	for (guint i = 0; i < e->why->len; i++)
		json_array_add_string_element(why, e->why->pdata[i]);
	json_object_set_boolean_member(o, "required", e->why->len > 0);
	json_object_set_array_member(o, "why", why);
	json_object_set_string_member(o, "scheme", scheme ? scheme : "none");
	json_object_set_boolean_member(o, "approved", approved(t->cfg, scheme));
	json_object_set_boolean_member(o, "weak", scheme && mg_enc_scheme_weak(scheme));
	json_object_set_int_member(o, "attachments", e->attachments);
	json_object_set_int_member(o, "encrypted_attachments", e->encrypted);
	json_object_set_string_member(o, "verdict", verdict);
	json_object_set_object_member(t->report->extra, "encryption", o);
}

static void enforce(struct mg_txn *t, int action, const char *rule, const char *scheme, const char *why)
{
	mg_warn(t->queue_id, "encryption rule: %s (%s; scheme %s)%s", rule, why, scheme ? scheme : "none",
		action == MG_ENC_LOG ? ", delivered (log only)" : "");
	if (action == MG_ENC_LOG)
		return;
	if (action == MG_ENC_QUARANTINE)
		t->force_quarantine = TRUE;
	char *list = t->cfg->approved_encryption && t->cfg->approved_encryption[0]
			     ? g_strjoinv(", ", t->cfg->approved_encryption)
			     : g_strdup("none");
	mg_policy_refuse(t, FALSE, rule, "scheme", scheme ? scheme : "none", "approved", list, NULL);
	g_free(list);
}

gboolean mg_encryption_step(struct mg_txn *t)
{
	const struct mg_config *cfg = t->cfg;
	struct mg_encryption_state *e = enc_of(t);
	gboolean outbound = t->direction == MG_DIR_OUTBOUND;
	if (outbound && cfg->encryption_required == MG_ENC_REQ_ALWAYS)
		mg_policy_require_encryption(t, "encryption_required = always");
	if (outbound && cfg->encryption_required == MG_ENC_REQ_LABELLED) {
		subject_labels(t);
		exfil_labels(t);
	}
	const char *msg = message_scheme(t);
	const char *scheme = msg                                                ? msg
			     : e->message                                       ? e->message
			     : e->attachments && e->encrypted == e->attachments ? e->scheme
										: NULL;
	const char *verdict = !outbound || !e->why->len ? "not required"
			      : !scheme                 ? "missing"
			      : approved(cfg, scheme)   ? "approved"
							: "unapproved";
	report(t, e, scheme ? scheme : e->scheme, verdict);
	if (e->scheme && mg_enc_scheme_weak(e->scheme) && !e->why->len)
		mg_info(t->queue_id, "encryption: weak scheme %s used (not required here)", e->scheme);
	const char *why = e->why->len ? e->why->pdata[0] : "";
	if (g_str_equal(verdict, "missing"))
		enforce(t, cfg->encryption_missing_action, "encryption-missing", NULL, why);
	else if (g_str_equal(verdict, "unapproved"))
		enforce(t, cfg->encryption_unapproved_action, "encryption-unapproved", scheme, why);
	return !mg_txn_decided(t);
}
