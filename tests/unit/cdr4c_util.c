/*
 * cdr4c_util.c - see cdr4c_util.h.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "cdrctx.h"
#include "cdr4c_util.h"
#include "mg_pipeline.h"

/* A real transaction (report, scanner, ...), as the dispatcher expects. */
struct mg_txn *t4c_txn_new(const char *conf)
{
	static struct mg_conn *conn;
	GError *err = NULL;
	struct mg_config *cfg = mg_config_parse("test", conf ? conf : "", conf ? strlen(conf) : 0, &err);
	if (!cfg)
		g_error("test config: %s", err->message);
	if (!conn)
		conn = mg_conn_new("192.0.2.1", "test");
	struct mg_txn *t = mg_txn_new(conn, cfg);
	mg_config_unref(cfg);
	t->deadline_us = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	return t;
}

void t4c_txn_free(struct mg_txn *t)
{
	mg_txn_free(t);
}

enum mg_cdr_status t4c_run(mg_cdr_fn fn, struct mg_txn *t, const GByteArray *data, const char *filename, int depth,
			   struct mg_cdr_out *out)
{
	struct mg_cdr_in in = {.ctx = cdrctx(t),
			       .data = data->data,
			       .len = data->len,
			       .filename = filename,
			       .depth = depth,
			       .deadline_us = t->deadline_us};
	mg_cdr_out_init(out);
	enum mg_cdr_status st = fn(&in, out);
	cdrctx_apply(t); /* what the file asked of the message, as attach.c does */
	return st;
}

gboolean t4c_removed_has(const struct mg_cdr_out *out, const char *needle)
{
	for (guint i = 0; out->removed && i < out->removed->len; i++)
		if (strstr(out->removed->pdata[i], needle))
			return TRUE;
	return FALSE;
}

/* ---- raw zip writer ---- */

struct t4c_zip {
	GByteArray *body, *cd;
	guint16 n;
	gsize last_cd; /* offset of the last central record in cd */
};

static guint32 crc32_of(const guint8 *p, gsize len)
{
	guint32 c = 0xFFFFFFFFu;
	for (gsize i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void put16(GByteArray *b, guint v)
{
	guint8 x[2] = {v & 0xff, (v >> 8) & 0xff};
	g_byte_array_append(b, x, 2);
}

static void put32(GByteArray *b, guint32 v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

struct t4c_zip *t4c_zip_new(void)
{
	struct t4c_zip *z = g_new0(struct t4c_zip, 1);
	z->body = g_byte_array_new();
	z->cd = g_byte_array_new();
	return z;
}

/* Local header and central directory record share most fields. */
static void zip_common(GByteArray *b, guint16 flags, guint32 crc, gsize len, gsize name_len)
{
	put16(b, 20);    /* version needed */
	put16(b, flags); /* general purpose flags: 1 = encrypted, 0x800 = UTF-8 */
	put16(b, 0);     /* stored */
	put16(b, 0);     /* time */
	put16(b, 0x21);  /* date 1980-01-01 */
	put32(b, crc);
	put32(b, (guint32)len);
	put32(b, (guint32)len);
	put16(b, (guint)name_len);
	put16(b, 0); /* extra */
}

void t4c_zip_add(struct t4c_zip *z, const char *name, gsize name_len, const void *data, gsize len, guint16 flags)
{
	guint32 crc = crc32_of(data, len), off = z->body->len;
	put32(z->body, 0x04034b50);
	zip_common(z->body, flags, crc, len, name_len);
	g_byte_array_append(z->body, (const guint8 *)name, (guint)name_len);
	g_byte_array_append(z->body, data, (guint)len);
	z->last_cd = z->cd->len;
	put32(z->cd, 0x02014b50);
	put16(z->cd, 20); /* made by */
	zip_common(z->cd, flags, crc, len, name_len);
	put16(z->cd, 0); /* comment */
	put16(z->cd, 0); /* disk */
	put16(z->cd, 0); /* internal attributes */
	put32(z->cd, 0); /* external attributes */
	put32(z->cd, off);
	g_byte_array_append(z->cd, (const guint8 *)name, (guint)name_len);
	z->n++;
}

void t4c_zip_alias(struct t4c_zip *z, guint times)
{
	gsize start = z->last_cd, len = z->cd->len - start;
	guint8 *rec = g_memdup2(z->cd->data + start, len); /* appending may move cd->data */
	for (guint i = 0; i < times; i++) {
		g_byte_array_append(z->cd, rec, (guint)len);
		z->n++;
	}
	g_free(rec);
}

GByteArray *t4c_zip_finish(struct t4c_zip *z)
{
	GByteArray *b = z->body;
	guint32 cd_off = b->len, cd_len = z->cd->len;
	g_byte_array_append(b, z->cd->data, z->cd->len);
	put32(b, 0x06054b50);
	put16(b, 0);
	put16(b, 0);
	put16(b, z->n);
	put16(b, z->n);
	put32(b, cd_len);
	put32(b, cd_off);
	put16(b, 0);
	g_byte_array_unref(z->cd);
	g_free(z);
	return b;
}

GByteArray *t4c_zip1(const char *name, const void *data, gsize len, guint16 flags)
{
	struct t4c_zip *z = t4c_zip_new();
	t4c_zip_add(z, name, strlen(name), data, len, flags);
	return t4c_zip_finish(z);
}

/* ---- LHA level-0 writer (libarchive cannot write lzh) ---- */

static guint16 crc16_of(const guint8 *p, gsize len)
{
	guint16 c = 0;
	for (gsize i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xA001 & (0u - (c & 1)));
	}
	return c;
}

GByteArray *t4c_lzh(const char *const *entries)
{
	GByteArray *b = g_byte_array_new();
	for (int i = 0; entries[i]; i += 2) {
		gsize nlen = strlen(entries[i]), dlen = strlen(entries[i + 1]);
		GByteArray *h = g_byte_array_new();
		g_byte_array_append(h, (const guint8 *)"-lh0-", 5);
		put32(h, (guint32)dlen); /* packed */
		put32(h, (guint32)dlen); /* original */
		put32(h, 0x00210000);    /* DOS time: 1980-01-01 */
		guint8 attr_level_nlen[3] = {0x20, 0, (guint8)nlen};
		g_byte_array_append(h, attr_level_nlen, 3);
		g_byte_array_append(h, (const guint8 *)entries[i], (guint)nlen);
		put16(h, crc16_of((const guint8 *)entries[i + 1], dlen));
		guint8 sum = 0;
		for (guint k = 0; k < h->len; k++)
			sum = (guint8)(sum + h->data[k]);
		guint8 pre[2] = {(guint8)h->len, sum};
		g_byte_array_append(b, pre, 2);
		g_byte_array_append(b, h->data, h->len);
		g_byte_array_append(b, (const guint8 *)entries[i + 1], (guint)dlen);
		g_byte_array_unref(h);
	}
	g_byte_array_append(b, (const guint8 *)"", 1); /* end of archive */
	return b;
}

/* ---- libarchive writers ---- */

static la_ssize_t ba_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	g_byte_array_append(ud, buf, (guint)n);
	return (la_ssize_t)n;
}

static void ar_add(struct archive *a, const char *name, const void *data, gsize len, gboolean zeros)
{
	struct archive_entry *e = archive_entry_new();
	gboolean link = g_str_has_prefix(name, "L:");
	archive_entry_set_pathname(e, link ? name + 2 : name);
	archive_entry_set_filetype(e, link ? AE_IFLNK : AE_IFREG);
	if (link) {
		archive_entry_set_symlink(e, data);
		len = 0;
	}
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		g_error("archive_write_header: %s", archive_error_string(a));
	guint8 z[4096]; /* 'A's, not zeros: a stream of zero blocks is an empty tar */
	memset(z, 'A', sizeof z);
	for (gsize done = 0; zeros && done < len; done += MIN(len - done, sizeof z))
		archive_write_data(a, z, MIN(len - done, sizeof z));
	if (!zeros && len)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

GByteArray *t4c_archive(const char *format, const char *filter, const char *options, const char *pass, gsize zeros,
			const char *const *entries)
{
	GByteArray *out = g_byte_array_new();
	/* Names in this file are UTF-8: write them in a UTF-8 locale. */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	struct archive *a = archive_write_new();
	if (archive_write_set_format_by_name(a, format) != ARCHIVE_OK ||
	    (filter && archive_write_add_filter_by_name(a, filter) != ARCHIVE_OK))
		g_error("libarchive writer %s/%s: %s", format, filter, archive_error_string(a));
	if (options && archive_write_set_options(a, options) != ARCHIVE_OK)
		g_error("libarchive options %s: %s", options, archive_error_string(a));
	if (pass)
		archive_write_set_passphrase(a, pass);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open(a, out, NULL, ba_write, NULL);
	for (int i = 0; entries && entries[i]; i += 2)
		ar_add(a, entries[i], entries[i + 1], strlen(entries[i + 1]), FALSE);
	if (zeros)
		ar_add(a, "fill.bin", NULL, zeros, TRUE);
	archive_write_close(a);
	archive_write_free(a);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	return out;
}

/* ---- python3 zipfile ---- */

static const char py_list[] = "import sys, zipfile\n"
			      "z = zipfile.ZipFile(sys.argv[1])\n"
			      "bad = z.testzip()\n"
			      "if bad: sys.exit('bad member ' + bad)\n"
			      "for i in z.infolist():\n"
			      "    print(i.filename + ('|U' if i.flag_bits & 0x800 else '|-'))\n";

char *t4c_py_zip_list(const GByteArray *zip, gboolean *skipped)
{
	const char *py = g_getenv("PYTHON3");
	char *exe = g_find_program_in_path(py && *py ? py : "python3");
	char *path = NULL, *sout = NULL, *serr = NULL;
	int status = -1;
	*skipped = exe == NULL;
	if (!exe)
		return NULL;
	int fd = g_file_open_tmp("t4c-XXXXXX.zip", &path, NULL);
	if (fd >= 0) {
		close(fd);
		g_file_set_contents(path, (const char *)zip->data, zip->len, NULL);
		char *argv[] = {exe, "-c", (char *)py_list, path, NULL};
		g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &sout, &serr, &status, NULL);
		g_unlink(path);
	}
	if (status != 0) {
		g_free(sout);
		sout = g_strdup_printf("ERROR: %s", serr ? serr : "");
	}
	g_free(serr);
	g_free(path);
	g_free(exe);
	return sout;
}
