/*
 * selftest.h - private to `mugaika selftest` (cmd_selftest.c,
 * selftest_msgs.c, selftest_check.c, selftest_smtp.c).
 */
#ifndef MG_SELFTEST_H
#define MG_SELFTEST_H

#include <glib.h>

#define MG_ST_SECRET_NAME "selftest-encrypted.txt"

struct mg_config;

/* One run: the configuration, where the cases go, the addresses they use. */
struct mg_st_ctx {
	const struct mg_config *cfg;
	const char *socket; /* milter mode */
	const char *smtp;   /* SMTP mode: HOST:PORT of the MTA, else NULL */
	const char *smtp_from, *smtp_rcpt;
	guint timeout;
	char *ext_ip, *int_ip, *ext_addr, *int_addr, nonce[17], *date;
	guint n;
};

/* One case's result; `unchecked`: the mode cannot see the outcome (neither
 * passed nor failed, said so in `observed`). */
struct mg_st_case {
	const char *name;
	char *expected, *observed;
	gboolean pass, unchecked;
};

struct mg_st_def {
	const char *name;
	void (*run)(struct mg_st_ctx *, struct mg_st_case *);
};

/* The cases of the SMTP mode (selftest_smtp.c), in the milter mode's order, then "clean". */
extern const struct mg_st_def mg_st_smtp_cases[];
extern const gsize mg_st_smtp_ncases;

struct mg_st_msg {
	const char *from, *to, *nonce, *date;
	char **extra; /* more header lines, may be NULL */
};

GBytes *mg_st_eicar(void);
GBytes *mg_st_macro_docx(GError **err);
GBytes *mg_st_encrypted_zip(GError **err);
char *mg_st_with_attachment(const struct mg_st_msg *m, const char *subject, const char *type, const char *name,
			    GBytes *data);
char *mg_st_html_lure(const struct mg_st_msg *m);
char *mg_st_plain(const struct mg_st_msg *m, const char *subject);

/* What was delivered, part by part (selftest_check.c). */
struct mg_st_part {
	char *type;   /* "text/plain" */
	GBytes *data; /* decoded */
};
/* Parse `headers` ("Name: value" lines the milter added) + body. */
GPtrArray *mg_st_parts(GPtrArray *headers, const char *body, gsize len);
gboolean mg_st_parts_contain(GPtrArray *parts, const void *needle, gsize n, gboolean binary_only);
gboolean mg_st_parts_have_type(GPtrArray *parts, const char *type);

#endif
