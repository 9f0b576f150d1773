/*
 * cdr_tnef.c - Outlook's TNEF container (winmail.dat, application/ms-tnef),
 * issue 12 Deliver 6.
 *
 * Contract: mg_cdr_tnef() unpacks a TNEF stream with libytnef: every
 * attachment (its long file name, else its title) and the message body
 * it carries (plain text, HTML, or compressed RTF) become files of an
 * intermediate zip in memory, which the archive rebuilder then treats like
 * any attachment archive: each file is decided by mg_cdr_file() at depth
 * + 1 within the archive limits, the survivors are written to a fresh zip.
 * The intermediate zip is never delivered.  Result: CONVERTED (a zip named
 * after the TNEF file), REMOVE (nothing left), UNSCANNABLE (a stream
 * libytnef refuses, or one that does not end where its last attribute
 * does: libytnef reports success on a truncated stream), or what the
 * archive rebuilder returns.
 *
 * libytnef prints its complaints on standard output; `mugaika sanitize`
 * writes the message to a descriptor of its own (src/cli), so nothing it
 * prints can reach a delivered message.
 */
#include "config.h"

#include <stdio.h> /* tnef-types.h uses FILE without including it */
#include <stdlib.h>
#include <string.h>
#include <ytnef.h>
#include <zip.h>

#include "cdr_archive.h"
#include "mg_cdr.h"

#define TNEF_SIGNATURE               0x223E9F78u
#define TNEF_ATT_RENDDATA            0x00069002u /* attAttachRenddata (atpByte): an attachment begins */
#define TNEF_PR_ATTACH_LONG_FILENAME 0x3707
#define TNEF_PR_BODY_HTML            0x1013
#define TNEF_PR_RTF_COMPRESSED       0x1009
#define TNEF_MEMBER_TIME             ((time_t)315532800) /* 1980-01-01, the first time a zip can hold */

static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* Attributes that libytnef stores in the current attachment (whatever
 * level byte they carry); every other one goes to the message. */
static gboolean attachment_attr(guint32 id)
{
	static const guint16 ids[] = {0x9002, 0x8010, 0x800F, 0x8011, 0x8012, 0x8013, 0x9001, 0x9005};
	for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
		if (id == ids[i])
			return TRUE;
	return FALSE;
}

/* Walk the attribute framing (level, id, length, data, checksum): the
 * stream must end after its last attribute - or up to 8 stray bytes later,
 * too few to start another one (Outlook and some gateways pad or append a
 * byte; the corpus has both): *framed is where the attributes end, and only
 * that much is handed to libytnef - a message attribute
 * may appear once, an attachment attribute once per attachment (which
 * starts at attAttachRenddata) and never before the first one.  Why by
 * hand: libytnef returns success for a stream cut in the middle of an
 * attribute and leaves out what follows, and it loses the memory of an
 * attribute stored twice in the same place (a sender could make the daemon
 * grow with every message). */
static gboolean tnef_framing_ok(const guint8 *d, gsize len, gsize *framed)
{
	if (len < 6 || le32(d) != TNEF_SIGNATURE)
		return FALSE;
	*framed = len;
	GHashTable *msg = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *att = g_hash_table_new(g_direct_hash, g_direct_equal);
	gboolean ok = TRUE, in_attachment = FALSE;
	for (gsize p = 6; p < len && ok;) {
		if (len - p < 9 && p > 6) { /* stray bytes after the last attribute */
			*framed = p;
			break;
		}
		guint32 full = len - p >= 9 ? le32(d + p + 1) : 0, n = len - p >= 9 ? le32(d + p + 5) : 0;
		guint32 id = full & 0xFFFF; /* libytnef picks most handlers by the low word alone */
		ok = len - p >= 9 && len - p - 9 >= (gsize)n + 2;
		ok = ok && (id != (TNEF_ATT_RENDDATA & 0xFFFF) || full == TNEF_ATT_RENDDATA); /* but not this one */
		if (ok && id == (TNEF_ATT_RENDDATA & 0xFFFF)) {
			g_hash_table_remove_all(att); /* a new attachment */
			in_attachment = TRUE;
		}
		if (ok && attachment_attr(id))
			ok = in_attachment && g_hash_table_add(att, GUINT_TO_POINTER(id));
		else if (ok)
			ok = g_hash_table_add(msg, GUINT_TO_POINTER(id));
		p += 9 + (gsize)n + 2;
	}
	g_hash_table_unref(msg);
	g_hash_table_unref(att);
	return ok;
}

struct tnef_zip {
	zip_source_t *src;
	zip_t *z;
	GHashTable *names;
	guint count;
};

static gboolean tz_add(struct tnef_zip *tz, const char *name, const void *data, gsize len)
{
	char *key = g_utf8_casefold(name, -1);
	char *unique = g_strdup(name);
	for (guint n = 2; g_hash_table_contains(tz->names, key); n++) {
		g_free(key);
		g_free(unique);
		unique = g_strdup_printf("%u-%s", n, name);
		key = g_utf8_casefold(unique, -1);
	}
	g_hash_table_add(tz->names, key);
	void *copy = g_memdup2(data, len);
	zip_source_t *s = zip_source_buffer(tz->z, copy, len, 1);
	gboolean ok = s && zip_file_add(tz->z, unique, s, ZIP_FL_ENC_UTF_8) >= 0;
	if (!ok && s)
		zip_source_free(s);
	else if (!s)
		g_free(copy);
	if (ok) {
		zip_set_file_compression(tz->z, (zip_uint64_t)tz->count, ZIP_CM_STORE, 0);
		/* a fixed time, not the clock: the rebuilt zip keeps its members'
		 * times, and the milter and `mugaika sanitize` must write the same bytes */
		zip_file_set_mtime(tz->z, (zip_uint64_t)tz->count, TNEF_MEMBER_TIME, 0);
	}
	tz->count += ok;
	g_free(unique);
	return ok;
}

/* The attachment's name: its long file name (UTF-16, or 8-bit as Outlook
 * wrote it), else its title; 8-bit names are decoded like an archive
 * member's (UTF-8, else CP932). */
static char *tnef_att_name(Attachment *a, guint i)
{
	variableLength *w = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_UNICODE, TNEF_PR_ATTACH_LONG_FILENAME));
	variableLength *v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_STRING8, TNEF_PR_ATTACH_LONG_FILENAME));
	char *raw = NULL;
	if (w != MAPI_UNDEFINED && w->size > 1)
		raw = g_convert((const char *)w->data, (gssize)(w->size & ~1), "UTF-8", "UTF-16LE", NULL, NULL, NULL);
	if (!raw && v != MAPI_UNDEFINED && v->size > 0)
		raw = g_strndup((const char *)v->data, (gsize)v->size);
	if (!raw && a->Title.size > 0)
		raw = g_strndup((const char *)a->Title.data, (gsize)a->Title.size);
	char *safe = raw ? mg_cdr_archive_safe_name(raw) : NULL;
	g_free(raw);
	return safe ? safe : g_strdup_printf("attachment%u", i);
}

static gboolean tnef_bodies(struct tnef_zip *tz, TNEFStruct *t)
{
	gboolean ok = TRUE;
	if (t->body.size > 0)
		ok = tz_add(tz, "message.txt", t->body.data, (gsize)t->body.size);
	variableLength *html = MAPIFindProperty(&t->MapiProperties, PROP_TAG(PT_BINARY, TNEF_PR_BODY_HTML));
	if (ok && html != MAPI_UNDEFINED && html->size > 0)
		ok = tz_add(tz, "message.html", html->data, (gsize)html->size);
	variableLength *rtf = MAPIFindProperty(&t->MapiProperties, PROP_TAG(PT_BINARY, TNEF_PR_RTF_COMPRESSED));
	if (ok && rtf != MAPI_UNDEFINED && rtf->size > 0) {
		variableLength plain = {0};
		plain.data = DecompressRTF(rtf, &plain.size);
		if (plain.data && plain.size > 0)
			ok = tz_add(tz, "message.rtf", plain.data, (gsize)plain.size);
		free(plain.data);
	}
	return ok;
}

static gboolean tnef_fill(struct tnef_zip *tz, TNEFStruct *t, const struct mg_config *cfg, char **why)
{
	guint i = 0;
	if (!tnef_bodies(tz, t)) {
		*why = g_strdup("cannot build the intermediate archive");
		return FALSE;
	}
	for (Attachment *a = t->starting_attach.next; a; a = a->next, i++) {
		if ((gint64)i >= cfg->archive_max_entries) {
			*why = g_strdup_printf("TNEF holds more than %" G_GINT64_FORMAT " files (archive_max_entries)",
					       cfg->archive_max_entries);
			return FALSE;
		}
		if (a->FileData.size <= 0)
			continue;
		char *name = tnef_att_name(a, i + 1);
		gboolean ok = tz_add(tz, name, a->FileData.data, (gsize)a->FileData.size);
		g_free(name);
		if (!ok) {
			*why = g_strdup("cannot build the intermediate archive");
			return FALSE;
		}
	}
	return TRUE;
}

static GByteArray *tz_finish(struct tnef_zip *tz)
{
	GByteArray *ba = NULL;
	if (zip_close(tz->z) < 0) {
		zip_discard(tz->z);
		tz->z = NULL;
		return NULL;
	}
	tz->z = NULL;
	if (zip_source_open(tz->src) < 0)
		return NULL;
	zip_source_seek(tz->src, 0, SEEK_END);
	zip_int64_t size = zip_source_tell(tz->src);
	zip_source_seek(tz->src, 0, SEEK_SET);
	if (size >= 0 && size <= G_MAXUINT) {
		ba = g_byte_array_sized_new((guint)size);
		g_byte_array_set_size(ba, (guint)size);
		if (zip_source_read(tz->src, ba->data, (zip_uint64_t)size) != size)
			g_clear_pointer(&ba, g_byte_array_unref);
	}
	zip_source_close(tz->src);
	return ba;
}

/* "winmail.dat" -> "winmail.zip". */
static char *tnef_zip_name(const char *filename)
{
	const char *f = filename && *filename ? filename : "winmail.dat";
	const char *dot = strrchr(f, '.');
	return dot && dot != f ? g_strdup_printf("%.*s.zip", (int)(dot - f), f) : g_strdup_printf("%s.zip", f);
}

static enum mg_cdr_status tnef_unpack(const struct mg_cdr_in *in, struct mg_cdr_out *out, GByteArray **zip)
{
	TNEFStruct t;
	struct tnef_zip tz = {0};
	zip_error_t ze;
	enum mg_cdr_status st = MG_CDR_UNSCANNABLE;
	TNEFInitialize(&t);
	t.Debug = 0;
	gsize framed = 0;
	if (!tnef_framing_ok(in->data, in->len, &framed) || TNEFParseMemory((BYTE *)in->data, (long)framed, &t) < 0) {
		out->reason = g_strdup("corrupt TNEF (winmail.dat) stream");
		goto done;
	}
	zip_error_init(&ze);
	tz.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	tz.src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (tz.src) {
		zip_source_keep(tz.src);
		tz.z = zip_open_from_source(tz.src, ZIP_TRUNCATE, &ze);
	}
	zip_error_fini(&ze);
	st = MG_CDR_ERROR;
	if (!tz.z) {
		out->reason = g_strdup("libzip: cannot create the intermediate archive");
		goto done;
	}
	if (!tnef_fill(&tz, &t, in->ctx->cfg, &out->reason)) {
		st = g_str_has_prefix(out->reason, "TNEF holds") ? MG_CDR_UNSCANNABLE : MG_CDR_ERROR;
		goto done;
	}
	if (tz.count == 0) {
		out->reason = g_strdup("TNEF (winmail.dat) without files or text");
		st = MG_CDR_REMOVE;
		goto done;
	}
	*zip = tz_finish(&tz);
	st = *zip ? MG_CDR_REBUILT : MG_CDR_ERROR;
	if (!*zip)
		out->reason = g_strdup("libzip: cannot read back the intermediate archive");
done:
	if (tz.z)
		zip_discard(tz.z);
	if (tz.src)
		zip_source_free(tz.src);
	if (tz.names)
		g_hash_table_unref(tz.names);
	TNEFFree(&t);
	return st;
}

enum mg_cdr_status mg_cdr_tnef(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	GByteArray *zip = NULL;
	enum mg_cdr_status st = tnef_unpack(in, out, &zip);
	if (st != MG_CDR_REBUILT)
		return st;
	struct mg_cdr_in zi = *in;
	zi.data = zip->data;
	zi.len = zip->len;
	zi.true_type = "application/zip";
	st = mg_cdr_archive(&zi, out);
	g_byte_array_unref(zip);
	if (st == MG_CDR_REBUILT || st == MG_CDR_CONVERTED) {
		g_free(out->new_type);
		out->new_type = g_strdup("application/zip");
		g_free(out->new_filename);
		out->new_filename = tnef_zip_name(in->filename);
		st = MG_CDR_CONVERTED;
	}
	return st;
}
