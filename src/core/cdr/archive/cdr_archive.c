/*
 * cdr_archive.c - the archive rebuilder (issue 4c).
 *
 * Contract: mg_cdr_archive() reads an archive of any format libarchive
 * knows (zip, 7z, tar, gz/bz2/xz, lzh, rar, cab, iso) from memory, entry by
 * entry, and counts while it reads - entries, bytes of each member, bytes
 * unpacked by all archives of the message (ctx->archive_unpacked), the
 * ratio to the packed size, the nesting depth and the deadline.  Sizes in
 * headers are never trusted.  Each regular member is decided by
 * mg_cdr_file() at depth + 1 (kept, rebuilt, converted or removed by the
 * policy); survivors are written to a fresh zip (libzip) with UTF-8 names
 * (general purpose flag bit 11); libzip reads the members at zip_close(),
 * so those past spool_memory_max wait in a private spool file, not in
 * memory (cdr_zipspan.c).  Names without that flag are decoded as
 * CP932 when they are not UTF-8 (LHA archives that libarchive cannot read
 * without a charset are read as CP932); unsafe paths are neutralised.
 *
 * Result: REBUILT (zip in, zip out), CONVERTED (another format in, zip out,
 * new type and name), REMOVE (nothing left to deliver), UNSCANNABLE
 * (encrypted - the PPAP pattern -, corrupt, a limit exceeded, or a member
 * unscannable), INFECTED (a member is), ERROR (library failure).  A member
 * that is infected or fails decides for the whole archive; one that cannot
 * be examined (encrypted, over a limit of its own) is left out like a
 * removed one: what is delivered was examined whole.  Members taken out are
 * listed in out->removed ("payload.exe removed: executable").
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "cdr_archive.h"
#include "mg_charset.h"
#include "mg_spool.h"

#define ARC_CHUNK (64 * 1024)

struct arc {
	const struct mg_cdr_in *in;
	struct mg_cdr_out *out;
	const struct mg_config *cfg;
	struct mg_cdr_ctx *ctx;
	struct archive *ar;
	zip_source_t *zsrc;         /* the zip being written, in memory */
	struct mg_cdr_zipout *zout; /* zsrc's block (cdr_zipspan.c) */
	zip_t *zw;
	int mfd;              /* the member spool (-1 until a member goes there) */
	gint64 mfd_len, held; /* bytes in it; bytes of members libzip holds in memory */
	GHashTable *names;    /* output names already used */
	guint8 *buf;          /* ARC_CHUNK bytes */
	gint64 entries, unpacked, deadline_us;
	guint written;
	gboolean is_zip;       /* input was a plain zip: name and type stay */
	gboolean scan_raw;     /* libclamav cannot read this format (RAR): scan each member as it came */
	enum mg_cdr_status st; /* MG_CDR_REBUILT while all is well */
};

static mg_cdr_fn member_fn = NULL;

void mg_cdr_archive_set_member_fn(mg_cdr_fn fn)
{
	member_fn = fn;
}

/* Record the first failure; later ones keep the first reason. */
static void arc_fail(struct arc *a, enum mg_cdr_status st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void arc_fail(struct arc *a, enum mg_cdr_status st, const char *fmt, ...)
{
	va_list ap;
	if (a->st != MG_CDR_REBUILT)
		return;
	va_start(ap, fmt);
	a->out->reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	a->st = st;
}

static gboolean arc_ok(const struct arc *a)
{
	return a->st == MG_CDR_REBUILT;
}

/* libarchive's messages may quote entry names: make them valid UTF-8. */
static char *arc_errstr(struct arc *a)
{
	const char *s = archive_error_string(a->ar);
	return g_utf8_make_valid(s ? s : "libarchive gave no reason", -1);
}

/* ---- names ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Raw names: UTF-8 when valid (flagged zips, 7z, pax), else CP932 (Japanese
 * Windows zip/lzh/cab without the UTF-8 flag), else UTF-8 with the bad
 * bytes replaced.  Decoding happens before any '/' or '\' is looked at,
 * so a 0x5C trail byte (表 = 95 5C, ソ = 83 5C) never splits a name. */
static char *name_decode_raw(const char *raw)
{
	if (g_utf8_validate(raw, -1, NULL))
		return g_strdup(raw);
	char *u = g_convert(raw, -1, "UTF-8", "CP932", NULL, NULL, NULL);
	return u ? u : g_utf8_make_valid(raw, -1);
}

/* ... and in NFC, as Windows expects (macOS writes NFD: "テ゛ータ"). */
static char *name_decode(const char *raw)
{
	char *u = name_decode_raw(raw);
	char *n = mg_charset_nfc(u);
	g_free(u);
	return n;
}

/* Finder metadata in zips made on a Mac: the AppleDouble companions under
 * __MACOSX/ (and "._name" anywhere) and .DS_Store.  They carry no content
 * of the sender's; they are dropped and named in the report only. */
static gboolean finder_metadata(const char *name)
{
	const char *b = base_name(name);
	return g_str_has_prefix(name, "__MACOSX/") || g_str_equal(name, "__MACOSX") || g_str_equal(b, ".DS_Store") ||
	       g_str_has_prefix(b, "._");
}

static void name_append_component(GString *g, const char *c, gboolean first)
{
	if (first && g_ascii_isalpha(c[0]) && c[1] == ':')
		c += 2; /* drive letter: "C:" or "C:evil" */
	if (*c == '\0' || g_str_equal(c, ".") || g_str_equal(c, ".."))
		return;
	if (g->len)
		g_string_append_c(g, '/');
	g_string_append(g, c);
}

char *mg_cdr_archive_safe_name(const char *raw)
{
	char *u = name_decode(raw ? raw : "");
	for (char *p = u; *p; p++) {
		if (*p == '\\')
			*p = '/';
		else if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = '_';
	}
	char **parts = g_strsplit(u, "/", -1);
	GString *g = g_string_new(NULL);
	for (int i = 0; parts[i]; i++)
		name_append_component(g, parts[i], i == 0);
	for (gsize i = 0; i < g->len; i++)
		if (g->str[i] == ':') /* NTFS alternate data streams */
			g->str[i] = '_';
	g_strfreev(parts);
	g_free(u);
	if (g->len == 0) {
		g_string_free(g, TRUE);
		return NULL;
	}
	return g_string_free(g, FALSE);
}

/* "dir/a.txt" taken: try "dir/a~2.txt", "dir/a~3.txt" ... */
static char *name_numbered(const char *name, guint n)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');
	if (!dot || dot == (slash ? slash + 1 : name))
		return g_strdup_printf("%s~%u", name, n);
	return g_strdup_printf("%.*s~%u%s", (int)(dot - name), name, n, dot);
}

/* A lone compressed file has no name inside: "notes.txt.gz" -> "notes.txt". */
static char *arc_raw_name(const char *filename)
{
	static const char *const ext[] = {".gz", ".bz2", ".xz", ".zst", ".z", ".lz", ".lzma", ".lz4"};
	const char *f = filename && *filename ? base_name(filename) : "data";
	gsize n = strlen(f);
	for (gsize i = 0; i < G_N_ELEMENTS(ext); i++) {
		gsize m = strlen(ext[i]);
		if (n > m && g_ascii_strcasecmp(f + n - m, ext[i]) == 0)
			return g_strndup(f, n - m);
	}
	return g_strdup(f);
}

static char *arc_entry_name(struct arc *a, const char *raw)
{
	if (archive_format(a->ar) == ARCHIVE_FORMAT_RAW) {
		char *r = arc_raw_name(a->in->filename);
		char *safe = mg_cdr_archive_safe_name(r);
		g_free(r);
		return safe ? safe : g_strdup("data");
	}
	char *name = mg_cdr_archive_safe_name(raw);
	if (!name)
		name = g_strdup_printf("file%" G_GINT64_FORMAT, a->entries);
	if (raw && !g_str_equal(raw, name) &&
	    (strstr(raw, "..") || raw[0] == '/' || raw[0] == '\\' || (g_ascii_isalpha(raw[0]) && raw[1] == ':')))
		g_ptr_array_add(a->out->removed, g_strdup_printf("unsafe path renamed to %s", name));
	return name;
}

/* Windows and macOS fold case: "A.txt" would overwrite "a.txt" there. */
static gboolean arc_name_taken(struct arc *a, const char *name, gboolean take)
{
	char *key = g_utf8_casefold(name, -1);
	gboolean taken = g_hash_table_contains(a->names, key);
	if (take && !taken)
		g_hash_table_add(a->names, key);
	else
		g_free(key);
	return taken;
}

static char *arc_unique_name(struct arc *a, char *name)
{
	for (guint n = 2; arc_name_taken(a, name, TRUE); n++) {
		char *next = name_numbered(name, n);
		if (!arc_name_taken(a, next, TRUE)) {
			g_free(name);
			return next;
		}
		g_free(next);
	}
	return name;
}

/* ---- reading ---- */

static locale_t arc_utf8_locale(void)
{
	static gsize once;
	static locale_t loc;
	if (g_once_init_enter(&once)) {
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
		g_once_init_leave(&once, 1);
	}
	return loc;
}

/* Switch this thread to the UTF-8 locale; returns what to restore. */
static locale_t arc_utf8_enter(void)
{
	locale_t loc = arc_utf8_locale();
	return loc ? uselocale(loc) : (locale_t)0;
}

static void arc_utf8_leave(locale_t old)
{
	if (arc_utf8_locale())
		uselocale(old);
}

/* libarchive converts names it knows to be UTF-8 (or CP932, for lzh) into
 * the thread's locale charset, both when it reads a header and when a name
 * stored in another form is asked for: do both in a UTF-8 locale (this
 * thread only) so those names come out as UTF-8; names of unknown charset
 * come out as stored.  *raw gets a copy of the name (or NULL). */
static int arc_next_header(struct archive *ar, struct archive_entry **e, char **raw)
{
	locale_t old = arc_utf8_enter();
	int r = archive_read_next_header(ar, e);
	if (raw && (r == ARCHIVE_OK || r == ARCHIVE_WARN)) {
		const char *p = archive_entry_pathname(*e);
		*raw = g_strdup(p ? p : archive_entry_pathname_utf8(*e));
	}
	arc_utf8_leave(old);
	return r;
}

/* libarchive 3.6 fails (fatally, without a message) on LHA headers whose
 * names are neither ASCII nor UTF-8 unless it is told their charset.  Probe
 * the headers of an LHA archive once; when that fails, read it as CP932,
 * which is what Japanese LHA tools write. */
static const char *arc_lha_option(struct arc *a)
{
	struct archive_entry *e;
	int r = ARCHIVE_OK;
	if (a->in->len < 7 || memcmp(a->in->data + 2, "-lh", 3) != 0)
		return NULL;
	struct archive *p = archive_read_new();
	if (!p) /* out of memory: the reader below fails closed */
		return NULL;
	archive_read_support_format_lha(p);
	if (archive_read_open_memory(p, (void *)a->in->data, a->in->len) == ARCHIVE_OK)
		for (gint64 n = 0; n <= a->cfg->archive_max_entries && (r == ARCHIVE_OK || r == ARCHIVE_WARN); n++)
			r = arc_next_header(p, &e, NULL);
	archive_read_free(p);
	return r == ARCHIVE_FATAL ? "lha:hdrcharset=CP932" : NULL;
}

/* The reader for the format the content was typed as, and only that one
 * (issue 12): libarchive's bidding alone would read a RAR whose last member
 * is a zip as that zip, and the RAR's other members would never be seen. */
static void arc_formats(struct archive *ar, const char *type)
{
	static const struct {
		const char *type;
		int (*fmt[2])(struct archive *);
	} formats[] = {
		{"application/zip", {archive_read_support_format_zip, NULL}},
		{"application/x-7z-compressed", {archive_read_support_format_7zip, NULL}},
		{"application/x-rar", {archive_read_support_format_rar, archive_read_support_format_rar5}},
		{"application/vnd.rar", {archive_read_support_format_rar, archive_read_support_format_rar5}},
		{"application/x-lzh-compressed", {archive_read_support_format_lha, NULL}},
		{"application/vnd.ms-cab-compressed", {archive_read_support_format_cab, NULL}},
		{"application/x-iso9660-image", {archive_read_support_format_iso9660, NULL}},
		{"application/x-tar", {archive_read_support_format_tar, NULL}},
	};
	if (!type) { /* called without mg_cdr_file's typing (tests): any format */
		archive_read_support_format_all(ar);
		archive_read_support_format_raw(ar);
		return;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
		if (g_str_equal(type, formats[i].type)) {
			for (int j = 0; j < 2 && formats[i].fmt[j]; j++)
				formats[i].fmt[j](ar);
			return;
		}
	/* compressed streams (gz, bz2, xz): a tar inside, or a lone file */
	archive_read_support_format_tar(ar);
	archive_read_support_format_raw(ar);
}

static gboolean arc_open_reader(struct arc *a)
{
	a->ar = archive_read_new();
	if (!a->ar) {
		arc_fail(a, MG_CDR_ERROR, "libarchive: out of memory");
		return FALSE;
	}
	archive_read_support_filter_all(a->ar);
	arc_formats(a->ar, a->in->true_type);
	const char *opt = arc_lha_option(a);
	if (opt) { /* the conversion is made now, for the thread's locale */
		locale_t old = arc_utf8_enter();
		archive_read_set_options(a->ar, opt);
		arc_utf8_leave(old);
	}
	if (archive_read_open_memory(a->ar, (void *)a->in->data, a->in->len) != ARCHIVE_OK) {
		char *why = arc_errstr(a);
		/* out of memory is libarchive's failure, not the file's (issue 11) */
		gboolean no_mem = archive_errno(a->ar) == ENOMEM;
		arc_fail(a, no_mem ? MG_CDR_ERROR : MG_CDR_UNSCANNABLE, "unreadable archive (%s)", why);
		g_free(why);
		return FALSE;
	}
	return TRUE;
}

static gboolean arc_budget(struct arc *a, const char *name, gsize have, gsize n)
{
	const struct mg_config *c = a->cfg;
	a->unpacked += n;
	a->ctx->archive_unpacked += n;
	if ((gint64)(have + n) > c->archive_max_entry_size)
		arc_fail(a, MG_CDR_UNSCANNABLE,
			 "archive member %s unpacks to more than %" G_GINT64_FORMAT " bytes (archive_max_entry_size)",
			 name, c->archive_max_entry_size);
	else if (a->ctx->archive_unpacked > c->archive_max_total_size)
		arc_fail(a, MG_CDR_UNSCANNABLE,
			 "archives unpack to more than %" G_GINT64_FORMAT " bytes (archive_max_total_size)",
			 c->archive_max_total_size);
	else if (a->unpacked > c->archive_ratio_min_size &&
		 a->unpacked / (gint64)MAX(a->in->len, 1) > c->archive_max_ratio)
		arc_fail(a, MG_CDR_UNSCANNABLE,
			 "archive unpacks to more than %" G_GINT64_FORMAT " times its size (archive_max_ratio)",
			 c->archive_max_ratio);
	else if (g_get_monotonic_time() > a->deadline_us)
		arc_fail(a, MG_CDR_UNSCANNABLE, "archive not unpacked within its time budget");
	return arc_ok(a);
}

/* The member's bytes, counted chunk by chunk; NULL after arc_fail. */
static GByteArray *arc_read_member(struct arc *a, const char *name)
{
	GByteArray *ba = g_byte_array_new();
	for (;;) {
		la_ssize_t n = archive_read_data(a->ar, a->buf, ARC_CHUNK);
		if (n == 0)
			return ba;
		if (n < 0) {
			char *why = arc_errstr(a);
			arc_fail(a, MG_CDR_UNSCANNABLE, "corrupt archive member %s (%s)", name, why);
			g_free(why);
			break;
		}
		if (!arc_budget(a, name, ba->len, (gsize)n))
			break;
		g_byte_array_append(ba, a->buf, (guint)n);
	}
	g_byte_array_unref(ba);
	return NULL;
}

/* ---- writing ---- */

static gboolean arc_open_writer(struct arc *a)
{
	zip_error_t ze;
	zip_error_init(&ze);
	a->zsrc = mg_cdr_zipout_new(&a->zout, &ze);
	if (a->zsrc) {
		zip_source_keep(a->zsrc);
		a->zw = zip_open_from_source(a->zsrc, ZIP_TRUNCATE, &ze);
	}
	if (!a->zw)
		arc_fail(a, MG_CDR_ERROR, "libzip: %s", zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return a->zw != NULL;
}

/* A member for libzip from memory (it frees the bytes); takes `data`. */
static zip_source_t *arc_source_mem(struct arc *a, GByteArray *data)
{
	guint len = data->len;
	void *bytes = g_byte_array_free(data, FALSE); /* g_malloc = malloc: libzip frees it */
	if (len == 0) { /* libzip does not take a buffer of no bytes (an HTML member that converts to nothing) */
		g_free(bytes);
		bytes = NULL;
	}
	zip_source_t *s = zip_source_buffer(a->zw, bytes, len, 1);
	if (s)
		a->held += len;
	else
		g_free(bytes);
	return s;
}

/* ... or from the member spool, read back at zip_close (issue 15): what
 * libzip holds in memory stays under spool_memory_max.  Takes `data`. */
static zip_source_t *arc_source_spool(struct arc *a, GByteArray *data, time_t mtime)
{
	GError *err = NULL;
	zip_source_t *s = NULL;
	if (a->mfd < 0)
		a->mfd = mg_spool_tmpfile(a->cfg->spool_dir, &err);
	if (a->mfd >= 0 && mg_spool_write_fd(a->mfd, data->data, data->len, &err)) {
		s = mg_cdr_zipspan_source(a->zw, a->mfd, (guint64)a->mfd_len, data->len, mtime);
		a->mfd_len += data->len;
	}
	if (err)
		arc_fail(a, MG_CDR_ERROR, "archive member spool: %s", err->message);
	g_clear_error(&err);
	g_byte_array_unref(data);
	return s;
}

/* Add one file; takes `data`. */
static void arc_write(struct arc *a, const char *name, GByteArray *data, time_t mtime)
{
	gboolean spool = data->len && a->held + (gint64)data->len > a->cfg->spool_memory_max;
	zip_source_t *s = spool ? arc_source_spool(a, data, mtime) : arc_source_mem(a, data);
	if (!arc_ok(a)) {
		if (s)
			zip_source_free(s);
		return;
	}
	zip_int64_t idx = s ? zip_file_add(a->zw, name, s, ZIP_FL_ENC_UTF_8) : -1;
	if (idx < 0) {
		if (s)
			zip_source_free(s);
		arc_fail(a, MG_CDR_ERROR, "libzip: %s", zip_strerror(a->zw));
		return;
	}
	zip_file_set_mtime(a->zw, (zip_uint64_t)idx, mtime, 0);
	zip_set_file_compression(a->zw, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1); /* zlib's fastest (issue 15) */
	a->written++;
}

/* Close the zip and take its bytes from the source, without a copy. */
static GByteArray *arc_finish_writer(struct arc *a)
{
	GByteArray *ba = NULL;
	int rc = zip_close(a->zw);
	if (rc < 0) {
		arc_fail(a, MG_CDR_ERROR, "libzip: %s", zip_strerror(a->zw));
		zip_discard(a->zw);
	}
	a->zw = NULL;
	if (rc == 0)
		ba = mg_cdr_zipout_take(a->zout);
	if (!ba)
		arc_fail(a, MG_CDR_ERROR, "libzip: cannot read back the rebuilt zip");
	return ba;
}

/* ---- members ---- */

/* Where the member's rebuilt file goes (its new name when converted). */
static char *arc_out_name(const char *name, const struct mg_cdr_out *mo)
{
	const char *nf = mo->new_filename;
	if (!nf || !*nf)
		return g_strdup(name);
	char *safe = mg_cdr_archive_safe_name(base_name(nf));
	const char *b = base_name(name);
	char *r = g_strdup_printf("%.*s%s", (int)(b - name), name, safe ? safe : b);
	g_free(safe);
	return r;
}

static void arc_take(struct arc *a, const char *name, enum mg_cdr_status st, struct mg_cdr_out *mo, time_t mtime)
{
	const char *why = mo->reason ? mo->reason : "no reason given";
	for (guint i = 0; mo->removed && i < mo->removed->len; i++)
		g_ptr_array_add(a->out->removed, g_strdup_printf("%s: %s", name, (char *)mo->removed->pdata[i]));
	if (st == MG_CDR_REMOVE || st == MG_CDR_UNSCANNABLE) {
		/* issue 12: a member that cannot be examined (an encrypted zip in
		 * the zip) is left out and listed, like a removed one; its
		 * unscannable_* disposition was applied by mg_cdr_file */
		g_ptr_array_add(a->out->removed, g_strdup_printf("%s removed: %s", name, why));
	} else if (st == MG_CDR_INFECTED) {
		a->out->virus = g_strdup(mo->virus);
		arc_fail(a, MG_CDR_INFECTED, "in %s: infected (%s)", name, mo->virus ? mo->virus : "?");
	} else if (st == MG_CDR_ERROR) {
		if (g_str_has_prefix(why, "in ")) /* nested: "in a.zip/b.zip: why" */
			arc_fail(a, st, "in %s/%s", name, why + 3);
		else
			arc_fail(a, st, "in %s: %s", name, why);
	} else if (!mo->data) { /* REBUILT/CONVERTED without data: never pass anything */
		arc_fail(a, MG_CDR_ERROR, "archive member %s: rebuilder returned no data", name);
	} else {
		char *oname = arc_unique_name(a, arc_out_name(name, mo));
		if (!g_str_equal(oname, name)) /* issue 12: a new name is a change the notice lists */
			g_ptr_array_add(a->out->removed, g_strdup_printf("%s renamed to %s", name, oname));
		arc_write(a, oname, mo->data, mtime);
		mo->data = NULL;
		g_free(oname);
	}
}

/* A member of an archive libclamav cannot open, scanned as it came (the
 * CDR stage scans only what it delivers, and a member it removes by policy
 * would never be looked at): an infected one refuses the archive as an
 * infected zip would.  FALSE after arc_fail. */
static gboolean arc_scan_raw(struct arc *a, const char *name, const GByteArray *data)
{
	char *virus = NULL, *why = NULL;
	enum mg_cdr_scan r = a->ctx->scan ? a->ctx->scan(a->ctx->scan_data, data->data, data->len, name, &virus, &why)
					  : MG_CDR_SCAN_UNSCANNABLE;
	if (r == MG_CDR_SCAN_INFECTED) {
		a->out->virus = g_strdup(virus ? virus : "unknown");
		arc_fail(a, MG_CDR_INFECTED, "in %s: infected (%s)", name, a->out->virus);
	} else if (r == MG_CDR_SCAN_ERROR) {
		arc_fail(a, MG_CDR_ERROR, "in %s: scanner: %s", name, why ? why : "failed");
	}
	g_free(virus);
	g_free(why);
	return arc_ok(a);
}

static void arc_member(struct arc *a, struct archive_entry *e, const char *name)
{
	GByteArray *data = arc_read_member(a, name);
	if (!data)
		return;
	if (a->scan_raw && !arc_scan_raw(a, name, data)) {
		g_byte_array_unref(data);
		return;
	}
	struct mg_cdr_in mi = {.ctx = a->ctx,
			       .data = data->data,
			       .len = data->len,
			       .filename = base_name(name),
			       .depth = a->in->depth + 1,
			       .deadline_us = a->deadline_us}; /* the rest of the archive's */
	struct mg_cdr_out mo;
	mg_cdr_out_init(&mo);
	enum mg_cdr_status st = (member_fn ? member_fn : mg_cdr_file)(&mi, &mo);
	arc_take(a, name, st, &mo, archive_entry_mtime(e));
	mg_cdr_out_clear(&mo);
	g_byte_array_unref(data);
}

static void arc_entry(struct arc *a, struct archive_entry *e, const char *raw)
{
	if (++a->entries > a->cfg->archive_max_entries) {
		arc_fail(a, MG_CDR_UNSCANNABLE,
			 "archive has more than %" G_GINT64_FORMAT " entries (archive_max_entries)",
			 a->cfg->archive_max_entries);
		return;
	}
	if (g_get_monotonic_time() > a->deadline_us) {
		arc_fail(a, MG_CDR_UNSCANNABLE, "archive not unpacked within its time budget");
		return;
	}
	char *name = arc_entry_name(a, raw);
	mode_t type = archive_entry_filetype(e);
	if (finder_metadata(name))
		g_ptr_array_add(a->out->removed, g_strdup_printf("Finder metadata dropped: %s", name));
	else if (archive_entry_is_encrypted(e))
		arc_fail(a, MG_CDR_UNSCANNABLE, "encrypted archive (member %s)", name);
	else if (type == AE_IFDIR)
		; /* directories follow from the member names */
	else if (type != AE_IFREG || archive_entry_hardlink(e))
		g_ptr_array_add(a->out->removed, g_strdup_printf("%s removed: link or special file", name));
	else
		arc_member(a, e, name);
	g_free(name);
}

/* The first header also tells what the input is. */
static gboolean arc_first(struct arc *a, int r)
{
	int fmt = archive_format(a->ar);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (fmt == ARCHIVE_FORMAT_RAW && archive_filter_code(a->ar, 0) == ARCHIVE_FILTER_NONE) {
			arc_fail(a, MG_CDR_UNSCANNABLE, "not a readable archive");
			return FALSE;
		}
		a->is_zip = (fmt & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
			    archive_filter_code(a->ar, 0) == ARCHIVE_FILTER_NONE;
		a->scan_raw = (fmt & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAR ||
			      (fmt & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAR_V5;
	}
	return TRUE;
}

static void arc_header_failed(struct arc *a)
{
	char *why = arc_errstr(a);
	if (archive_read_has_encrypted_entries(a->ar) > 0 || strstr(why, "ncrypt"))
		arc_fail(a, MG_CDR_UNSCANNABLE, "encrypted archive (%s)", why);
	else
		arc_fail(a, MG_CDR_UNSCANNABLE, "corrupt archive (%s)", why);
	g_free(why);
}

static void arc_read_all(struct arc *a)
{
	struct archive_entry *e;
	gboolean stop = FALSE;
	for (gboolean first = TRUE; !stop && arc_ok(a); first = FALSE) {
		char *raw = NULL;
		int r = arc_next_header(a->ar, &e, &raw);
		stop = (first && !arc_first(a, r)) || r == ARCHIVE_EOF;
		if (!stop && r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			arc_header_failed(a);
			stop = TRUE;
		}
		if (!stop)
			arc_entry(a, e, raw);
		g_free(raw);
	}
}

/* ---- result ---- */

/* "report.tar.gz" -> "report.zip", "data.lzh" -> "data.zip". */
static char *arc_zip_name(const char *filename)
{
	/* longest first where one ends another (".tar.gz" before ".gz") */
	static const char *const ext[] = {
		".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lzma", ".tar.lz", ".tar.z", ".tgz",
		".tbz2",   ".tbz",     ".tb2",    ".txz",     ".tlz",      ".taz",    ".tzst",  ".tar",
		".gz",     ".bz2",     ".xz",     ".zst",     ".lzh",      ".lha",    ".7z",    ".rar",
		".cab",    ".iso",     ".zip",    ".lzma",    ".lz",       ".z",      ".cpio"};
	const char *f = filename && *filename ? filename : "archive";
	gsize n = strlen(f);
	for (gsize i = 0; i < G_N_ELEMENTS(ext); i++) {
		gsize m = strlen(ext[i]);
		if (n > m && g_ascii_strcasecmp(f + n - m, ext[i]) == 0)
			return g_strdup_printf("%.*s.zip", (int)(n - m), f);
	}
	return g_strdup_printf("%s.zip", f);
}

static enum mg_cdr_status arc_result(struct arc *a)
{
	if (!arc_ok(a))
		return a->st;
	if (a->written == 0) {
		a->out->reason = g_strdup(a->entries ? "archive empty after sanitizing" : "empty archive");
		return MG_CDR_REMOVE;
	}
	GByteArray *zip = arc_finish_writer(a);
	if (!zip)
		return a->st;
	a->out->data = zip;
	/* libarchive may read a zip stored inside another format (a RAR whose
	 * last member is a zip) as that zip: the output is a zip all the same */
	if (a->is_zip && (!a->in->true_type || g_str_equal(a->in->true_type, "application/zip")))
		return MG_CDR_REBUILT;
	a->out->new_type = g_strdup("application/zip");
	a->out->new_filename = arc_zip_name(a->in->filename);
	return MG_CDR_CONVERTED;
}

static void arc_clear(struct arc *a)
{
	if (a->ar)
		archive_read_free(a->ar);
	if (a->zw)
		zip_discard(a->zw);
	if (a->zsrc)
		zip_source_free(a->zsrc);
	if (a->names)
		g_hash_table_unref(a->names);
	if (a->mfd >= 0) /* after zip_discard: its sources read from it */
		close(a->mfd);
	g_free(a->buf);
}

enum mg_cdr_status mg_cdr_archive(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct arc a = {.in = in, .out = out, .ctx = in->ctx, .mfd = -1, .st = MG_CDR_REBUILT};
	enum mg_cdr_status st;
	if (!in->ctx || !in->ctx->cfg) {
		out->reason = g_strdup("archive rebuilder called without a message context");
		return MG_CDR_ERROR;
	}
	a.cfg = in->ctx->cfg;
	a.deadline_us = in->deadline_us ? in->deadline_us : in->ctx->deadline_us;
	if (!a.deadline_us)
		a.deadline_us = G_MAXINT64;
	if (in->depth >= a.cfg->archive_max_depth) {
		out->reason =
			g_strdup_printf("archives nested deeper than %" G_GINT64_FORMAT " levels (archive_max_depth)",
					a.cfg->archive_max_depth);
		return MG_CDR_UNSCANNABLE;
	}
	a.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a.buf = g_malloc(ARC_CHUNK);
	if (arc_open_reader(&a) && arc_open_writer(&a))
		arc_read_all(&a);
	st = arc_result(&a);
	arc_clear(&a);
	return st;
}
