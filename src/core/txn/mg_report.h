/*
 * mg_report - what was done to a message: the verdict and one record per
 * MIME leaf.  The pipeline fills it; front ends print it (JSON for
 * `mugaika sanitize --report`), the notice and the audit log read it.
 */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include <glib.h>
#include <json-glib/json-glib.h>

enum mg_verdict_kind {
	MG_VERDICT_CONTINUE = 0, /* no decision yet */
	MG_VERDICT_ACCEPT,
	MG_VERDICT_REJECT,
	MG_VERDICT_TEMPFAIL
};

struct mg_verdict {
	enum mg_verdict_kind kind;
	char code[4];   /* "550" */
	char ecode[16]; /* "5.7.1" */
	char *reason;   /* ASCII text for the SMTP reply */
	char *rule;     /* which rule decided, for the log */
};

enum mg_action { MG_ACTION_KEPT = 0, MG_ACTION_CONVERTED, MG_ACTION_REBUILT, MG_ACTION_REMOVED };

struct mg_part_report {
	char *path;          /* tree path: "1", "2.1", ... (RFC 3501 style) */
	char *filename;      /* decoded UTF-8, or NULL */
	char *declared_type; /* from Content-Type */
	char *detected_type; /* from the content (libmagic), or NULL */
	gint64 size;         /* decoded size */
	char sha256[65];     /* of the decoded original */
	enum mg_action action;
	char *reason;       /* why, in English, for the report and log */
	char *new_sha256;   /* of the rebuilt/converted content, or NULL */
	char *new_type;     /* content type after conversion, or NULL */
	char *new_filename; /* filename after conversion, or NULL */
	gint64 new_size;    /* -1 unless converted/rebuilt */
	GPtrArray *removed; /* char*: objects removed inside the file */
	char *virus;        /* signature name, or NULL */
};

struct mg_report {
	struct mg_verdict verdict;
	GPtrArray *parts;    /* struct mg_part_report* */
	GPtrArray *events;   /* char*: message-level notes ("signature removed") */
	GPtrArray *warnings; /* char*: keys of warnings shown at the top of the notice ("sender-auth") */
	gint64 size_in, size_out;
	gint64 elapsed_us;
	char *status;      /* X-Mugaika-Status value */
	char *actions;     /* X-Mugaika-Actions value */
	JsonObject *extra; /* other modules' sections (scan, policy, quarantine) */
};

/* Header changes the front end applies to the message as received:
 * all DELETEs first (index = 1-based occurrence among fields of that name,
 * in descending order so indexes stay valid), then CHANGEs (the index-th
 * field of that name gets a new value in place; never a name that is
 * deleted), then ADDs appended in order, and last the INSERTs, placed at
 * the top of the header (trace-like fields such as Authentication-Results,
 * RFC 8601 section 5), so the indexes of the others count the fields as
 * received. */
enum mg_hdr_op_kind { MG_HDR_DELETE, MG_HDR_ADD, MG_HDR_CHANGE, MG_HDR_INSERT };
struct mg_hdr_op {
	enum mg_hdr_op_kind kind;
	char *name;
	int index;
	char *value; /* ADD, CHANGE and INSERT; continuation lines joined with "\n\t" or "\n " */
};

struct mg_report *mg_report_new(void);
/* A recipient refused alone (relay guard, recipient limit, ...): appended
 * to the "refused_recipients" section, which the audit record carries. */
void mg_report_refused_rcpt(struct mg_report *r, const char *rcpt, const struct mg_verdict *v);
void mg_report_free(struct mg_report *r);
struct mg_part_report *mg_report_add_part(struct mg_report *r, const char *path);
void mg_part_report_removed(struct mg_part_report *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void mg_report_event(struct mg_report *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A warning for the recipient, by key: the notice shows the text its
 * template's [words] give for the key, above everything else, once. */
void mg_report_warning(struct mg_report *r, const char *key);

void mg_verdict_set(struct mg_verdict *v, enum mg_verdict_kind kind, const char *code, const char *ecode,
		    const char *rule, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
void mg_verdict_clear(struct mg_verdict *v);
const char *mg_verdict_name(enum mg_verdict_kind kind);
const char *mg_action_name(enum mg_action a);

/* Counts per action, for headers and the log summary. */
void mg_report_count(const struct mg_report *r, int counts[4]);

JsonNode *mg_report_to_json(const struct mg_report *r);
char *mg_report_to_json_string(const struct mg_report *r, gboolean pretty);

#endif
