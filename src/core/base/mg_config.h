/*
 * mg_config - the one configuration table of mugaika.
 *
 * Contract: every parameter is one row of the option table in config.c
 * (name, type, default, min, max, allowed values, documentation).  That
 * table drives parsing, validation, defaults and the documentation printed
 * by `mugaika config-dump`.  A configuration is parsed once into an
 * immutable, reference-counted struct mg_config; a reload builds a new one
 * and swaps it in, while messages in flight keep the one they started with.
 *
 * File syntax: one `key = value` per line; `#` starts a comment line; blank
 * lines are ignored.  Keys of list type may be repeated (each line adds one
 * value).  Every error names `file:line: key: what is wrong, what is
 * allowed` and the whole load fails.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

/* Actions the MTA can be given when something goes wrong. */
enum mg_fail_action {
	MG_FAIL_TEMPFAIL = 0, /* 4xx: the MTA keeps the message queued */
	MG_FAIL_REJECT = 1    /* 5xx: the sender gets a bounce */
};

/* Values of the attachment_on_* and unscannable_* keys (enum order). */
enum mg_cdr_disposition { MG_DISP_REMOVE = 0, MG_DISP_REJECT, MG_DISP_QUARANTINE, MG_DISP_IGNORE };
#define MG_DISP_VALUES        "remove|reject|quarantine"
#define MG_DISP_VALUES_IGNORE "remove|reject|quarantine|ignore"

enum mg_log_level { MG_LOG_ERR = 0, MG_LOG_WARNING, MG_LOG_INFO, MG_LOG_DEBUG };

/* Values of the issue 16 (items 5-9) keys, outbound controls (enum order). */
enum mg_exfil_scope { MG_EXFIL_SCOPE_OUTBOUND = 0, MG_EXFIL_SCOPE_OUT_INTERNAL, MG_EXFIL_SCOPE_ALL };
enum mg_abuse_action { MG_ABUSE_ALERT = 0, MG_ABUSE_STOP_SENDER, MG_ABUSE_STOP_ALL };
enum mg_hold_release { MG_HOLD_APPROVAL = 0, MG_HOLD_DELAY };
enum mg_freemail_action { MG_FREEMAIL_LOG = 0, MG_FREEMAIL_HOLD, MG_FREEMAIL_BLOCK, MG_FREEMAIL_PERMIT_LIST };

struct mg_config {
	gint refcount;
	char *path;                /* file it was loaded from, or "(defaults)" */
	gboolean loaded_from_file; /* path is a file (mg_config_load) */

	/* --- daemon --- */
	char *socket;
	char *socket_owner; /* issue 14: "" = the daemon's user */
	char *socket_group; /* "" = the daemon's group */
	char *socket_mode;  /* octal text, checked */
	char *pid_file;
	char *user;
	char *status_file;      /* "" = status.json beside pid_file */
	char *metrics_listen;   /* "" = no metrics endpoint */
	int log_level;          /* enum mg_log_level */
	int on_error;           /* enum mg_fail_action */
	int64_t milter_timeout; /* seconds libmilter waits on the MTA */

	/* --- spool and structural limits --- */
	char *spool_dir; /* "" = $TMPDIR or /tmp */
	int64_t spool_memory_max;
	int64_t max_message_size;
	int64_t max_header_size;  /* the whole header block */
	int64_t max_header_field; /* one field, folded lines included */
	int64_t max_headers;      /* number of header fields */
	int64_t max_mime_depth;
	int64_t max_mime_parts;
	int64_t max_part_size;       /* one decoded leaf */
	int64_t max_decoded_total;   /* all decoded leaves together */
	int64_t max_processing_time; /* seconds for end-of-message work */

	/* --- issue 3: body and notice --- */
	int body_charset; /* 0 utf-8, 1 iso-2022-jp */
	gboolean html_defang_links;
	int64_t html_max_output;
	int64_t html_max_depth;
	int64_t html_max_attributes;
	int64_t alternative_stub_chars;
	int body_convert_fail; /* enum mg_fail_action */
	int encrypted_action;  /* 0 reject, 1 remove */
	gboolean body_only;
	int notice_position;           /* 0 top, 1 bottom */
	int notice_when;               /* 0 changed, 1 always, 2 never */
	int notice_language;           /* 0 ja, 1 en */
	char *notice_template;         /* "" = notice.<language>.txt in mg_config_dir() */
	char *notice_reasons;          /* "" = reasons.<language>.txt in mg_config_dir() */
	struct mg_notice_tmpl *notice; /* derived: the parsed template */

	/* --- issue 4a: attachments / CDR policy, filetype, OOXML, text --- */
	char **attachment_rules;      /* "[dir] TYPE-GLOB ACTION" lines */
	GPtrArray *cdr_rules;         /* derived: struct mg_cdr_rule* (mg_cdr_policy.h) */
	int attachment_on_mismatch;   /* enum mg_cdr_disposition */
	int attachment_on_double_ext; /* enum mg_cdr_disposition */
	int attachment_on_bidi;       /* enum mg_cdr_disposition */
	int unscannable_encrypted;    /* enum mg_cdr_disposition (no ignore) */
	int unscannable_corrupt;
	int unscannable_limits;
	int64_t attachment_time_budget; /* seconds per file */
	int64_t attachment_max_output;  /* bytes of one rebuilt file */
	int64_t attachment_max_depth;   /* nesting of files in files */
	int64_t office_max_entries;
	int64_t office_max_expanded;
	int64_t office_max_ratio;
	gboolean office_keep_hyperlinks;

	/* --- issue 12: what is delivered (names, types, structure) --- */
	char *text_attachment_extensions; /* space separated, no dots */
	int text_attachment_other;        /* enum mg_text_other (mg_cdr.h) */

	/* --- issue 4b: PDF and images --- */
	int64_t pdf_max_size;        /* largest PDF the rebuilder opens */
	int64_t pdf_max_objects;     /* most indirect objects walked in one PDF */
	int64_t image_max_pixels;    /* width*height (summed over frames/pages) */
	int64_t image_max_dimension; /* largest width or height */
	int64_t image_max_frames;    /* GIF frames / TIFF pages */
	int64_t image_jpeg_quality;  /* JPEG (and lossy WebP) re-encoding quality */

	/* --- issue 4c: archives and OLE2 --- */
	int64_t archive_max_depth;      /* nesting levels of archives in archives */
	int64_t archive_max_entries;    /* entries of one archive */
	int64_t archive_max_entry_size; /* one unpacked member */
	int64_t archive_max_total_size; /* unpacked bytes, all archives of a message */
	int64_t archive_max_ratio;      /* unpacked / packed size of one archive */
	int64_t archive_ratio_min_size; /* the ratio applies above this many unpacked bytes */
	int64_t ole2_max_entries;       /* streams and storages of one OLE2 file */
	int64_t ole2_max_depth;         /* storage nesting of one OLE2 file */
	int64_t ole2_max_embedded_size; /* one decompressed embedded object */

	/* --- issue 5: virus scanning --- */
	char *clamav_database;        /* signature directory */
	gboolean scan_allow_degraded; /* start without a database; tempfail all mail */
	int scan_on_infected;         /* enum mg_scan_infected_action */
	int scan_on_unscannable;      /* enum mg_scan_unscannable_action */
	int scan_message_mime;        /* enum mg_scan_message_mime */
	int64_t scan_max_scan_size;   /* CL_ENGINE_MAX_SCANSIZE */
	int64_t scan_max_file_size;   /* CL_ENGINE_MAX_FILESIZE */
	int64_t scan_max_recursion;   /* CL_ENGINE_MAX_RECURSION */
	int64_t scan_max_files;       /* CL_ENGINE_MAX_FILES */
	int64_t scan_max_time;        /* seconds, CL_ENGINE_MAX_SCANTIME */
	gboolean scan_alert_encrypted_archives;
	gboolean scan_alert_encrypted_docs;
	gboolean scan_alert_macros;
	gboolean scan_alert_broken_executables;
	gboolean scan_alert_phishing;
	int64_t scan_db_warn_age;       /* seconds */
	int64_t scan_db_max_age;        /* seconds */
	int64_t scan_db_check_interval; /* seconds, 0 = only on SIGHUP */

	/* --- issue 6: boundary policy --- */
	char **internal_network; /* CIDR strings (checked per line) */
	char **internal_domain;  /* mail domains; subdomains match */
	int zone_mode;           /* enum mg_zone_mode (mg_policy.h) */
	int64_t inbound_max_message_size;
	int64_t outbound_max_message_size;
	int64_t max_recipients;
	int64_t max_attachments;
	int64_t inbound_max_attachment_size;
	int64_t outbound_max_attachment_size;
	int64_t inbound_max_decoded_total;
	int64_t outbound_max_decoded_total;
	int auto_forward_inbound;  /* enum mg_forward_mode */
	int auto_forward_outbound; /* enum mg_forward_mode */
	gboolean auto_forward_allow_replies;
	gboolean auto_forward_foreign_sender;
	char *auto_forward_permit_file;   /* "" = none */
	int64_t bcc_max_visible_external; /* 0 = rule off */
	int bcc_action;                   /* enum mg_bcc_action */
	char **bcc_exempt_sender;         /* addresses or @domain */
	char *policy_replies;             /* reply templates file, "" = built-in */
	struct mg_policy_data *policy;    /* compiled by the finish hook */

	/* --- issue 16 (policyA): profiles per direction, outbound encryption,
	 * header hygiene, sender authentication --- */
	int inbound_profile;              /* enum mg_profile (mg_txn.h): 0 sanitize, 1 scan */
	int outbound_profile;             /* enum mg_profile */
	int internal_profile;             /* enum mg_profile */
	char **approved_encryption;       /* scheme ids (mg_enc_scheme.h) */
	int encryption_required;          /* 0 off, 1 labelled, 2 always */
	char **encryption_required_label; /* labels, compared after NFKC */
	int encryption_missing_action;    /* 0 log, 1 reject, 2 quarantine */
	int encryption_unapproved_action; /* 0 log, 1 reject, 2 quarantine */
	char *auth_serv_id;               /* "" = the host name */
	int auth_mode;                    /* 0 verify, 1 trust-upstream, 2 off */
	char **auth_trusted_serv_id;
	char *auth_dns_server; /* "" = resolv.conf, or IPv4[:PORT] */
	int64_t auth_dns_timeout;
	int64_t auth_time_budget;
	int64_t auth_dns_cache_size;
	int64_t auth_dns_cache_max_ttl;
	char *auth_public_suffix_list;
	int64_t auth_max_signatures;
	int auth_on_spf_fail;   /* 0 annotate, 1 quarantine, 2 reject */
	int auth_on_dkim_fail;  /* 0 annotate, 1 quarantine, 2 reject */
	int auth_on_dmarc_fail; /* 0 annotate, 1 quarantine, 2 reject, 3 policy */
	int auth_on_temperror;  /* 0 annotate, 1 tempfail */
	int auth_on_lookalike;  /* 0 annotate, 1 quarantine, 2 reject */
	char **auth_protected_domain;
	char **auth_protected_name;
	int64_t auth_lookalike_distance;
	struct mg_auth_data *auth; /* compiled by the policy stage's finish hook */
	/* --- issue 16 (items 5-9): outbound controls (policy/mg_guard.h) --- */
	char **exfil_rules;     /* rule files */
	int exfil_scope;        /* enum mg_exfil_scope */
	int64_t exfil_max_text; /* bytes of text searched per message */
	gboolean exfil_attachment_text;
	int outbound_abuse_action; /* enum mg_abuse_action */
	int64_t outbreak_window;   /* seconds */
	int64_t outbreak_sender_messages, outbreak_sender_recipients;
	int64_t outbreak_client_messages, outbreak_client_recipients;
	int64_t outbreak_virus_hits, outbreak_max_tracked;
	char *stop_state_file;
	int64_t hold_external_recipients; /* 0 = off */
	int hold_release;                 /* enum mg_hold_release */
	int64_t hold_delay;               /* seconds */
	gboolean hold_approver_distinct;
	char *freemail_domains_file; /* "" = none */
	int freemail_action;         /* enum mg_freemail_action */
	char *forbidden_destinations_file;
	char *exceptions_file;       /* "" = none */
	struct mg_guard_data *guard; /* compiled by mg_guard_config_compile */

	/* --- issue 7: quarantine and audit --- */
	char *quarantine_dir;
	int quarantine_keep; /* enum mg_qkeep (mg_quarantine.h) */
	int64_t quarantine_retention_modified;
	int64_t quarantine_retention_blocked;
	int64_t quarantine_retention_clean;
	char *audit_log;       /* "" = no audit file */
	int on_audit_failure;  /* 0 tempfail, 1 continue */
	char *admin_audit_log; /* "" = none */
	char *release_sendmail;
	char *release_smtp_host; /* "" = use release_sendmail */
	int64_t release_timeout;

	/* --- issue 17: accountability --- */
	char *log_timezone; /* "+09:00" */
	int64_t clock_check_interval;
	char *audit_key_file;
	char *audit_syslog;        /* "" = no forwarding */
	int audit_syslog_facility; /* index in MG_SYSLOG_FACILITIES */
	int64_t audit_syslog_queue;
	char **alert_role, **alert_route, **alert_burst;
	char *alert_smtp_host, *alert_from, *alert_exec;
	int64_t alert_exec_timeout, alert_interval, alert_queue_max;
	struct mg_alert_conf *alert; /* derived: compiled roles and routes (mg_alert.h) */
	char *config_history_dir;
	int64_t config_diff_max;
	/* --- issue 11: faults --- */
	int64_t spool_min_free;     /* bytes left in spool_dir before a scan, 0 = no check */
	int64_t shutdown_timeout;   /* seconds SIGTERM waits for messages still being received */
	int64_t max_message_memory; /* message-sized buffers of one message, 0 = no budget */
	int64_t max_memory;         /* of all messages in flight together, 0 = no budget */
};

/* Values of audit_syslog_facility, in the order of their syslog codes' table (mg_syslog_facility_code). */
#define MG_SYSLOG_FACILITIES "local0|local1|local2|local3|local4|local5|local6|local7|auth|authpriv|mail|daemon"
int mg_syslog_facility_code(int index);

/* Load a file.  path NULL = built-in defaults only.  On error returns NULL
 * and sets *err to "file:line: key: message". */
/* A check returns FALSE and sets *why (allocated) to "what is wrong; what is
 * allowed" when a value is not acceptable. */
typedef gboolean (*mg_opt_check_fn)(const char *value, char **why);

/* A stage's part in every configuration: derive its data once all keys are
 * read (finish: FALSE with "file: key: problem" in *err refuses the file)
 * and release it when the configuration is freed.  The step sequence
 * registers each stage's hooks and key checks once, before any
 * configuration is loaded (mg_pipeline_global_init); this module never
 * names a stage. */
struct mg_config_hooks {
	gboolean (*finish)(struct mg_config *cfg, GError **err);
	void (*release)(struct mg_config *cfg);
};
void mg_config_register_hooks(const struct mg_config_hooks *h);
/* The value check of one key owned by a stage (e.g. attachment_rule). */
void mg_config_register_check(const char *key, mg_opt_check_fn check);

/* Read a file.  Keys of file-name type (notice_template, policy_replies,
 * auto_forward_permit_file, ...) with a relative value name a file in the
 * directory of `path`. */
struct mg_config *mg_config_load(const char *path, GError **err);
struct mg_config *mg_config_defaults(void);
/* The configuration directory: that of the file it was loaded from, else
 * $sysconfdir/mugaika (caller frees). */
char *mg_config_dir(const struct mg_config *cfg);
struct mg_config *mg_config_ref(struct mg_config *cfg);
void mg_config_unref(struct mg_config *cfg);

/* Parse from a string (for tests); `name` is used in error messages;
 * relative file names stay as they are. */
struct mg_config *mg_config_parse(const char *name, const char *text, gsize len, GError **err);

/* Write the documented default configuration (every key, its default,
 * range and meaning) to `out`. */
void mg_config_dump(FILE *out, const struct mg_config *cfg, gboolean defaults_doc);

/* Number of rows and names in the table, for tests and docs. */
gsize mg_config_option_count(void);
const char *mg_config_option_name(gsize i);

#define MG_CONFIG_ERROR (mg_config_error_quark())
GQuark mg_config_error_quark(void);

#endif
