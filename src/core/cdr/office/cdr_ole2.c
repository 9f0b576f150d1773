/*
 * cdr_ole2.c - legacy Office (OLE2 / compound file: doc, xls, ppt) checker
 * (issue 4c).
 *
 * Contract: mg_cdr_ole2() opens the compound file with libgsf
 * (GsfInfileMSOle) and walks every storage and stream, within
 * ole2_max_entries, ole2_max_depth and the deadline.  It looks for:
 *   - VBA projects: storages _VBA_PROJECT_CUR (Excel), Macros (Word), VBA
 *     (any), and the VBAInfo record in a PowerPoint Document stream;
 *   - objects embedded in PowerPoint files (ExOleObjStg records, zlib
 *     compressed compound files, within ole2_max_embedded_size): walked too;
 *   - Excel 4.0 (XLM) macro sheets and BIFF5 VBA modules: BOUNDSHEET records
 *     of the Workbook/Book stream's globals whose sheet type is 1 or 6;
 *   - fields in Word text (8-bit or UTF-16LE pieces) that are not on the
 *     field allowlist (mg_cdr_field.h: DDE/DDEAUTO after blanks or a TAB,
 *     INCLUDEPICTURE, a code built by a nested QUOTE field ...), DDE links
 *     (SUPBOOK "app 0x03 topic") in Excel workbook globals;
 *   - linked and embedded objects (an ObjectPool storage), and links to a
 *     remote URL (a URL moniker in any stream: the CVE-2017-0199 pattern);
 *   - Equation Editor objects ("Equation Native", the CVE-2017-11882
 *     family) and ActiveX controls (OCXDATA/OCXNAME streams);
 *   - embedded packages (\001Ole10Native streams: any file, often an
 *     executable) and embedded OOXML packages typed by mg_filetype (a VBA
 *     project under any part name makes them macro-enabled);
 *   - encryption: EncryptedPackage / EncryptedSummary streams, the Word FIB
 *     fEncrypted bit, the Excel FILEPASS record, the PowerPoint Current User
 *     header token.
 * Active content -> MG_CDR_REMOVE with the reason ("VBA macros", "Excel 4.0
 * macro sheet", ...); we do not know a sound way to take macros out of a
 * legacy binary file.  Encrypted -> MG_CDR_UNSCANNABLE ("encrypted
 * document").  Not a compound file or unreadable -> MG_CDR_UNSCANNABLE.
 * A compound file whose root holds no WordDocument, Workbook/Book or
 * PowerPoint Document stream (MSI, Outlook item, ...) -> MG_CDR_REMOVE.
 * Otherwise the file is still removed (MG_CDR_REMOVE): a legacy binary
 * document cannot be rebuilt, and finding nothing is not proof that it is
 * passive (issue 12: what cannot be shown passive is not delivered).  The
 * checks above only name, in the notice, what was found.
 *
 * The BIFF and PowerPoint record walks are hand-written because libgsf only
 * gives the streams; they read lengths from the records and check each one
 * against the bytes that are left, so a lying length ends the walk.
 */
#include "config.h"

#include <gio/gio.h>
#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <string.h>

#include "mg_cdr.h"
#include "mg_cdr_field.h"
#include "mg_filetype.h"

enum ole_flag {
	OLE_VBA = 1 << 0,
	OLE_XLM = 1 << 1,
	OLE_PACKAGE = 1 << 2,
	OLE_ENCRYPTED = 1 << 3,
	OLE_LIMIT = 1 << 4, /* a limit was hit: reason in limit_why */
	OLE_CORRUPT = 1 << 5,
	OLE_OFFICE = 1 << 6, /* the root holds a Word, Excel or PowerPoint main stream */
	OLE_EQUATION = 1 << 7,
	OLE_ACTIVEX = 1 << 8,
	OLE_DDE = 1 << 9,
	OLE_OBJECT = 1 << 10,
	OLE_REMOTE = 1 << 11
};
#define OLE_ACTIVE (OLE_VBA | OLE_XLM | OLE_PACKAGE | OLE_EQUATION | OLE_ACTIVEX | OLE_DDE | OLE_OBJECT | OLE_REMOTE)

struct ole {
	const struct mg_cdr_in *in;
	gsize max_stream; /* no stream can be larger than its file */
	const struct mg_config *cfg;
	gint64 entries, deadline_us;
	guint flags;
	char *limit_why;
	char *field; /* the first field that is not passive */
};

static void ole_limit(struct ole *o, char *why)
{
	if (!(o->flags & OLE_LIMIT))
		o->limit_why = why;
	else
		g_free(why);
	o->flags |= OLE_LIMIT;
}

static guint16 le16(const guint8 *p)
{
	return (guint16)(p[0] | (p[1] << 8));
}
static guint32 le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* A whole stream; its size is checked against the file's (a stream cannot
 * be larger than the file that holds it). */
static guint8 *ole_read_stream(struct ole *o, GsfInput *s, gsize *len)
{
	gsf_off_t size = gsf_input_size(s);
	if (size < 0 || (guint64)size > o->max_stream) {
		o->flags |= OLE_CORRUPT;
		return NULL;
	}
	guint8 *buf = g_malloc((gsize)size + 1);
	if (size > 0 && !gsf_input_read(s, (size_t)size, buf)) {
		g_free(buf);
		o->flags |= OLE_CORRUPT;
		return NULL;
	}
	*len = (gsize)size;
	return buf;
}

/* SUPBOOK (BIFF8): ctab(2) cch(2) then, for an external reference, the
 * path (XLUnicodeStringNoCch: fHighByte(1), chars).  A DDE link (the
 * "=cmd|' /c calc'!A0" attack) is "application 0x03 topic". */
static gboolean ole_supbook_dde(const guint8 *d, guint16 rlen)
{
	if (rlen < 5)
		return FALSE;
	guint16 cch = le16(d + 2);
	if (cch == 0x0401 || cch == 0x3A01) /* this workbook, add-in functions */
		return FALSE;
	gsize step = (d[4] & 1) ? 2 : 1;
	for (gsize i = 5; i + step <= rlen && (i - 5) / step < cch; i += step)
		if (d[i] == 0x03 && (step == 1 || d[i + 1] == 0))
			return TRUE;
	return FALSE;
}

/* Workbook globals: BOF ... EOF.  Record = type(2) length(2) data. */
static void ole_check_biff(struct ole *o, const guint8 *p, gsize len)
{
	gsize off = 0;
	while (off + 4 <= len) {
		guint16 type = le16(p + off), rlen = le16(p + off + 2);
		const guint8 *d = p + off + 4;
		if (off + 4 + rlen > len)
			break;
		if (type == 0x002F) /* FILEPASS */
			o->flags |= OLE_ENCRYPTED;
		else if (type == 0x0085 && rlen >= 6 && d[5] == 0x01) /* BOUNDSHEET, dt = macro sheet */
			o->flags |= OLE_XLM;
		else if (type == 0x0085 && rlen >= 6 && d[5] == 0x06) /* dt = VBA module (BIFF5) */
			o->flags |= OLE_VBA;
		else if (type == 0x01AE && ole_supbook_dde(d, rlen))
			o->flags |= OLE_DDE;
		else if (type == 0x000A) /* EOF of the globals substream */
			break;
		off += 4 + (gsize)rlen;
	}
}

/* The field code after a field-begin mark (0x13) at p[i], in 8-bit
 * (step 1) or UTF-16LE (step 2) text, up to its separator (0x14) or end
 * (0x15); *nested when another field begins inside the code. */
static GString *ole_field_code(const guint8 *p, gsize len, gsize i, gsize step, gboolean *nested)
{
	GString *g = g_string_new(NULL);
	*nested = FALSE;
	for (gsize at = i + step; at + step <= len && g->len < 512; at += step) {
		guint c = step == 1 ? p[at] : le16(p + at);
		if (c == 0x14 || c == 0x15)
			break;
		if (c == 0x13) {
			*nested = TRUE;
			break;
		}
		g_string_append_c(g, c < 0x80 ? (char)c : '?');
	}
	return g;
}

/* Word: fields in the text that are not on the allowlist.  `step` 2: the
 * text is UTF-16LE (from the piece table); 0: raw stream bytes, each mark
 * guessed 8-bit or UTF-16LE by the byte after it. */
static void ole_check_fields(struct ole *o, const guint8 *p, gsize len, gsize step)
{
	for (gsize i = 0; i < len && !(o->flags & OLE_DDE); i += step ? step : 1) {
		if (p[i] != 0x13 || (step == 2 && (i + 1 >= len || p[i + 1] != 0)))
			continue;
		gsize at_step = step ? step : i + 1 < len && p[i + 1] == 0 ? 2 : 1;
		gboolean nested;
		GString *code = ole_field_code(p, len, i, at_step, &nested);
		if (nested || (code->len && !mg_cdr_field_is_passive(code->str, code->len))) {
			o->flags |= OLE_DDE;
			o->field = nested ? g_strdup("code built by a nested field")
					  : mg_cdr_field_name(code->str, code->len);
		}
		g_string_free(code, TRUE);
	}
}

/* One piece of the piece table: characters [cp0, cp1) stored at fc in the
 * WordDocument stream, 8-bit ("compressed", bit 30) or UTF-16LE; appended
 * to `t` as UTF-16LE.  FALSE when it lies outside the stream or the text
 * would grow past twice the stream (pieces may overlap). */
static gboolean ole_piece(GByteArray *t, guint32 cp0, guint32 cp1, guint32 fcv, const guint8 *doc, gsize dlen)
{
	gboolean comp = (fcv & 0x40000000u) != 0;
	gsize fc = fcv & 0x3FFFFFFFu, nch = cp1 >= cp0 ? cp1 - cp0 : G_MAXSIZE / 4;
	gsize off = comp ? fc / 2 : fc, bytes = comp ? nch : nch * 2;
	if (nch > dlen || off > dlen || bytes > dlen - off || t->len + 2 * nch > 2 * dlen)
		return FALSE;
	if (!comp) {
		g_byte_array_append(t, doc + off, (guint)bytes);
		return TRUE;
	}
	for (gsize k = 0; k < nch; k++) {
		guint8 u[2] = {doc[off + k], 0};
		g_byte_array_append(t, u, 2);
	}
	return TRUE;
}

/* Word's text from the Clx (Prc* then Pcdt: 0x02, lcb, PlcPcd = n+1 CPs
 * then n 8-byte PCDs whose fc is at offset 2), or NULL.  [MS-DOC] 2.9.38. */
static GByteArray *ole_clx_text(const guint8 *c, gsize n, const guint8 *doc, gsize dlen)
{
	gsize at = 0;
	while (at < n && c[at] == 0x01 && n - at >= 3)
		at += 3 + (gsize)le16(c + at + 1);
	if (at >= n || n - at < 5 || c[at] != 0x02)
		return NULL;
	gsize lcb = le32(c + at + 1);
	at += 5;
	if (lcb > n - at || lcb < 4 || (lcb - 4) % 12 != 0)
		return NULL;
	gsize pieces = (lcb - 4) / 12;
	const guint8 *cps = c + at, *pcd = c + at + (pieces + 1) * 4;
	GByteArray *t = g_byte_array_new();
	for (gsize i = 0; i < pieces; i++) {
		if (!ole_piece(t, le32(cps + 4 * i), le32(cps + 4 * i + 4), le32(pcd + 8 * i + 2), doc, dlen)) {
			g_byte_array_unref(t);
			return NULL;
		}
	}
	return t;
}

/* Word's text as UTF-16LE, read through the piece table that the FIB
 * points at (fcClx/lcbClx, pair 33 of FibRgFcLcb97, in the table stream
 * 0Table or 1Table that fWhichTblStm names), or NULL when there is none to
 * read.  Field marks are only looked for in the text: the same bytes occur
 * in formatting and binary data (a plain document read as raw bytes showed
 * "fields" of noise, and a real DDEAUTO was named after the noise). */
static GByteArray *ole_word_text(struct ole *o, GsfInfile *dir, const guint8 *p, gsize len)
{
	gsize at = 32; /* FibBase; then csw + fibRgW, cslw + fibRgLw, cbRgFcLcb + fibRgFcLcb */
	if (len >= at + 2)
		at += 2 + 2 * (gsize)le16(p + at);
	if (len >= at + 2)
		at += 2 + 4 * (gsize)le16(p + at);
	if (len < at + 2 || le16(p + at) <= 33 || len - at - 2 < 34 * 8)
		return NULL;
	guint32 fc_clx = le32(p + at + 2 + 33 * 8), lcb_clx = le32(p + at + 2 + 33 * 8 + 4);
	GsfInput *ts = gsf_infile_child_by_name(dir, le16(p + 10) & 0x0200 ? "1Table" : "0Table");
	gsize tlen = 0;
	guint8 *table = ts ? ole_read_stream(o, ts, &tlen) : NULL;
	GByteArray *text = NULL;
	if (table && fc_clx <= tlen && lcb_clx <= tlen - fc_clx)
		text = ole_clx_text(table + fc_clx, lcb_clx, p, len);
	g_free(table);
	if (ts)
		g_object_unref(ts);
	return text;
}

/* Word FIB: wIdent 0xA5EC, flags at offset 10, fEncrypted = 0x0100. */
static void ole_check_fib(struct ole *o, GsfInfile *dir, const guint8 *p, gsize len)
{
	if (len >= 12 && le16(p) == 0xA5EC && (le16(p + 10) & 0x0100)) {
		o->flags |= OLE_ENCRYPTED;
		return;
	}
	GByteArray *text = len >= 12 ? ole_word_text(o, dir, p, len) : NULL;
	if (text) {
		ole_check_fields(o, text->data, text->len, 2);
		g_byte_array_unref(text);
	} else { /* no piece table to read (damaged, or a hand-made file): the raw bytes */
		ole_check_fields(o, p, len, 0);
	}
}

static void ole_walk(struct ole *o, GsfInfile *dir, int depth);

/* zlib data that must inflate to exactly `want` bytes: GIO's zlib
 * decompressor writes into a buffer one byte larger, so data that inflates
 * to more is caught.  PowerPoint may leave the stream unterminated: the
 * byte count decides, not the end marker. */
static GByteArray *ole_inflate(const guint8 *p, gsize len, gsize want)
{
	GConverter *z = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
	GByteArray *out = g_byte_array_sized_new((guint)want + 1);
	gsize in_at = 0, out_at = 0, rd, wr;
	GConverterResult r = G_CONVERTER_CONVERTED;
	g_byte_array_set_size(out, (guint)want + 1);
	while (r == G_CONVERTER_CONVERTED) {
		rd = wr = 0;
		r = g_converter_convert(z, p + in_at, len - in_at, out->data + out_at, want + 1 - out_at,
					G_CONVERTER_INPUT_AT_END, &rd, &wr, NULL);
		in_at += rd;
		out_at += wr;
		if (r == G_CONVERTER_CONVERTED && rd == 0 && wr == 0)
			r = G_CONVERTER_ERROR;
	}
	g_object_unref(z);
	if (out_at != want)
		g_clear_pointer(&out, g_byte_array_unref);
	else
		g_byte_array_set_size(out, (guint)want);
	return out;
}

/* PowerPoint keeps embedded objects (ExOleObjStg, record 0x1011) as a
 * compound file, zlib-compressed when the record instance is 1: decompressed
 * size (4 bytes) then the zlib stream.  The inner file is walked like the
 * outer one (same counters, one level deeper). */
static void ole_ppt_object(struct ole *o, const guint8 *p, gsize len, guint instance, int depth)
{
	GByteArray *inner = NULL;
	if (instance == 1 && len >= 4 && le32(p) > o->cfg->ole2_max_embedded_size) {
		ole_limit(o, g_strdup_printf("embedded object larger than %" G_GINT64_FORMAT
					     " bytes (ole2_max_embedded_size)",
					     o->cfg->ole2_max_embedded_size));
		return;
	}
	if (instance == 1 && len >= 4 && le32(p) > 0)
		inner = ole_inflate(p + 4, len - 4, le32(p));
	else if (instance == 0 && len > 0)
		inner = g_byte_array_append(g_byte_array_new(), p, (guint)len);
	GsfInput *mem = inner ? gsf_input_memory_new(inner->data, (gsf_off_t)inner->len, FALSE) : NULL;
	GsfInfile *f = mem ? gsf_infile_msole_new(mem, NULL) : NULL;
	if (f)
		ole_walk(o, f, depth + 1);
	else
		o->flags |= OLE_CORRUPT;
	if (f)
		g_object_unref(f);
	if (mem)
		g_object_unref(mem);
	if (inner)
		g_byte_array_unref(inner);
}

/* PowerPoint records: ver/instance(2) type(2) length(4); a container has
 * ver 0xF and holds records.  VBAInfo container 0x03FF, VBAInfoAtom 0x0400,
 * CryptSession10Container 0x2F14.  Flat walk: containers are entered by
 * stepping over their 8-byte header only. */
static void ole_check_ppt(struct ole *o, const guint8 *p, gsize len, int depth)
{
	gsize off = 0;
	while (off + 8 <= len && !(o->flags & (OLE_LIMIT | OLE_CORRUPT))) {
		guint16 ver = le16(p + off) & 0x000F, type = le16(p + off + 2);
		guint32 rlen = le32(p + off + 4);
		if (type == 0x1011 && ver != 0xF && rlen <= len - off - 8)
			ole_ppt_object(o, p + off + 8, rlen, le16(p + off) >> 4, depth);
		else if (type == 0x03FF || type == 0x0400)
			o->flags |= OLE_VBA;
		else if (type == 0x2F14)
			o->flags |= OLE_ENCRYPTED;
		if (ver == 0xF)
			off += 8;
		else if (rlen > len - off - 8)
			break;
		else
			off += 8 + (gsize)rlen;
	}
}

/* PowerPoint "Current User": CurrentUserAtom headerToken at offset 12 is
 * 0xF3D1C4DF when the document is encrypted (0xE391C05F when not). */
static void ole_check_current_user(struct ole *o, const guint8 *p, gsize len)
{
	if (len >= 16 && le32(p + 12) == 0xF3D1C4DFu)
		o->flags |= OLE_ENCRYPTED;
}

static gboolean name_is(const char *name, const char *want)
{
	return g_ascii_strcasecmp(name, want) == 0;
}

/* An embedded package (an OOXML file in a Package stream): typed like an
 * attachment, so a VBA project under another part name still shows. */
static void ole_check_embedded(struct ole *o, const guint8 *p, gsize len)
{
	struct mg_filetype ft;
	if (g_strstr_len((const char *)p, (gssize)len, "vbaProject")) /* a part name in the zip directory */
		o->flags |= OLE_VBA;
	if (len < 4 || memcmp(p, "PK\003\004", 4) != 0 || !mg_filetype_detect(p, len, NULL, NULL, &ft, NULL)) {
		o->flags |= OLE_PACKAGE;
		return;
	}
	o->flags |= strstr(ft.true_type, "macroenabled") ? OLE_VBA : OLE_PACKAGE;
	mg_filetype_clear(&ft);
}

/* The CLSID of the URL moniker (79EAC9E0-BAF9-11CE-8C82-00AA004BA90B) as
 * stored: an OLE link to a remote document (CVE-2017-0199). */
static const guint8 url_moniker[16] = {0xe0, 0xc9, 0xea, 0x79, 0xf9, 0xba, 0xce, 0x11,
				       0x8c, 0x82, 0x00, 0xaa, 0x00, 0x4b, 0xa9, 0x0b};

static gboolean bytes_has(const guint8 *p, gsize len, const guint8 *needle, gsize n)
{
	for (gsize i = 0; i + n <= len; i++)
		if (p[i] == needle[0] && memcmp(p + i, needle, n) == 0)
			return TRUE;
	return FALSE;
}

static void ole_stream(struct ole *o, GsfInfile *dir, GsfInput *s, const char *name, int depth)
{
	gboolean biff = name_is(name, "Workbook") || name_is(name, "Book");
	gboolean fib = name_is(name, "WordDocument"), ppt = name_is(name, "PowerPoint Document");
	gboolean pkg = name_is(name, "Package"), cu = name_is(name, "Current User");
	if (name_is(name, "EncryptedPackage") || name_is(name, "EncryptedSummary"))
		o->flags |= OLE_ENCRYPTED;
	if (name_is(name, "\001Ole10Native"))
		o->flags |= OLE_PACKAGE;
	if (name_is(name, "Equation Native")) /* Equation Editor: CVE-2017-11882 and friends */
		o->flags |= OLE_EQUATION;
	if (name_is(name, "\003OCXDATA") || name_is(name, "OCXNAME") || name_is(name, "\003OCXNAME"))
		o->flags |= OLE_ACTIVEX;
	if (depth == 1 && (biff || fib || ppt))
		o->flags |= OLE_OFFICE;
	gsize len = 0;
	guint8 *p = ole_read_stream(o, s, &len);
	if (!p)
		return;
	if (bytes_has(p, len, url_moniker, sizeof url_moniker))
		o->flags |= OLE_REMOTE;
	if (!(biff || fib || ppt || pkg || cu)) {
		g_free(p);
		return;
	}
	if (biff)
		ole_check_biff(o, p, len);
	else if (fib)
		ole_check_fib(o, dir, p, len);
	else if (ppt)
		ole_check_ppt(o, p, len, depth);
	else if (cu)
		ole_check_current_user(o, p, len);
	else
		ole_check_embedded(o, p, len);
	g_free(p);
}

static gboolean ole_holds(GsfInfile *dir, const char *want)
{
	int n = gsf_infile_num_children(dir);
	for (int i = 0; i < n; i++) {
		const char *name = gsf_infile_name_by_index(dir, i);
		if (name && name_is(name, want))
			return TRUE;
	}
	return FALSE;
}

static void ole_walk(struct ole *o, GsfInfile *dir, int depth)
{
	int n = gsf_infile_num_children(dir);
	if (depth > o->cfg->ole2_max_depth) {
		ole_limit(o, g_strdup_printf("OLE2 storages nested deeper than %" G_GINT64_FORMAT
					     " levels (ole2_max_depth)",
					     o->cfg->ole2_max_depth));
		return;
	}
	for (int i = 0; i < n && !(o->flags & (OLE_LIMIT | OLE_CORRUPT)); i++) {
		if (++o->entries > o->cfg->ole2_max_entries)
			ole_limit(o, g_strdup_printf("OLE2 file has more than %" G_GINT64_FORMAT
						     " streams (ole2_max_entries)",
						     o->cfg->ole2_max_entries));
		else if (g_get_monotonic_time() > o->deadline_us)
			ole_limit(o, g_strdup("OLE2 file not examined within its time budget"));
		if (o->flags & OLE_LIMIT)
			break;
		const char *name = gsf_infile_name_by_index(dir, i);
		GsfInput *child = gsf_infile_child_by_index(dir, i);
		if (!name || !child) {
			o->flags |= OLE_CORRUPT;
		} else if (GSF_IS_INFILE(child) && gsf_infile_num_children(GSF_INFILE(child)) >= 0) {
			if (name_is(name, "_VBA_PROJECT_CUR") || name_is(name, "VBA") || name_is(name, "Macros") ||
			    ole_holds(GSF_INFILE(child), "_VBA_PROJECT")) /* a VBA storage under another name */
				o->flags |= OLE_VBA;
			if (name_is(name, "ObjectPool") || name_is(name, "ObjInfo"))
				o->flags |= OLE_OBJECT;
			ole_walk(o, GSF_INFILE(child), depth + 1);
		} else {
			ole_stream(o, dir, child, name, depth);
		}
		if (child)
			g_object_unref(child);
	}
}

/* Each kind of active content found, one string each (the removed list
 * names them one by one, so that the notice's catalog can say each). */
static void ole_active_kinds(guint flags, const char *field, GPtrArray *kinds)
{
	static const struct {
		guint flag;
		const char *what;
	} plain[] = {
		{OLE_VBA, "VBA macros"},
		{OLE_XLM, "Excel 4.0 macro sheet"},
		{OLE_PACKAGE, "embedded OLE package"},
		{OLE_EQUATION, "Equation Editor object"},
		{OLE_ACTIVEX, "ActiveX control"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(plain); i++)
		if (flags & plain[i].flag)
			g_ptr_array_add(kinds, g_strdup(plain[i].what));
	if (flags & OLE_DDE)
		g_ptr_array_add(kinds, field ? g_strdup_printf("DDE link or active field (%s)", field)
					     : g_strdup("DDE link or active field"));
	if (flags & OLE_OBJECT)
		g_ptr_array_add(kinds, g_strdup("embedded or linked object (ObjectPool)"));
	if (flags & OLE_REMOTE)
		g_ptr_array_add(kinds, g_strdup("link to a remote URL (URL moniker)"));
}

static enum mg_cdr_status ole_result(struct ole *o, struct mg_cdr_out *out)
{
	if (o->flags & OLE_ENCRYPTED) {
		out->reason = g_strdup("encrypted document");
		return MG_CDR_UNSCANNABLE;
	}
	if (o->flags & OLE_LIMIT) {
		out->reason = g_steal_pointer(&o->limit_why);
		return MG_CDR_UNSCANNABLE;
	}
	if (o->flags & OLE_CORRUPT) {
		out->reason = g_strdup("corrupt OLE2 file (unreadable stream)");
		return MG_CDR_UNSCANNABLE;
	}
	if (o->flags & OLE_ACTIVE) {
		GPtrArray *kinds = g_ptr_array_new_with_free_func(g_free);
		ole_active_kinds(o->flags, o->field, kinds);
		g_ptr_array_add(kinds, NULL);
		char *what = g_strjoinv(", ", (char **)kinds->pdata);
		out->reason = g_strdup_printf("legacy Office document with %s", what);
		g_free(what);
		for (guint i = 0; kinds->pdata[i]; i++)
			g_ptr_array_add(out->removed, g_strdup(kinds->pdata[i]));
		g_ptr_array_unref(kinds);
		return MG_CDR_REMOVE;
	}
	if (!(o->flags & OLE_OFFICE)) { /* MSI, Outlook item, Visio, thumbnails ...: not ours to keep */
		out->reason = g_strdup("not a Word, Excel or PowerPoint document (other OLE2 file)");
		return MG_CDR_REMOVE;
	}
	out->reason = g_strdup("legacy Office format (doc/xls/ppt) cannot be rebuilt or shown to be free of active "
			       "content; ask the sender for docx/xlsx/pptx or PDF");
	return MG_CDR_REMOVE;
}

enum mg_cdr_status mg_cdr_ole2(const struct mg_cdr_in *in, struct mg_cdr_out *out)
{
	struct ole o = {.in = in};
	GError *err = NULL;
	if (!in->ctx || !in->ctx->cfg) {
		out->reason = g_strdup("OLE2 checker called without a message context");
		return MG_CDR_ERROR;
	}
	o.cfg = in->ctx->cfg;
	o.max_stream = MAX(in->len, (gsize)o.cfg->ole2_max_embedded_size);
	o.deadline_us = in->deadline_us ? in->deadline_us : in->ctx->deadline_us;
	if (!o.deadline_us)
		o.deadline_us = G_MAXINT64;
	if (in->len > G_MAXUINT) {
		out->reason = g_strdup("OLE2 file too large");
		return MG_CDR_UNSCANNABLE;
	}
	GsfInput *mem = gsf_input_memory_new(in->data, (gsf_off_t)in->len, FALSE);
	GsfInfile *ole = mem ? gsf_infile_msole_new(mem, &err) : NULL;
	enum mg_cdr_status st;
	if (!ole) {
		out->reason = g_strdup_printf("not a readable OLE2 file (%s)", err ? err->message : "libgsf");
		st = MG_CDR_UNSCANNABLE;
		goto done;
	}
	ole_walk(&o, ole, 1);
	st = ole_result(&o, out);
done:
	g_clear_error(&err);
	if (ole)
		g_object_unref(ole);
	if (mem)
		g_object_unref(mem);
	g_free(o.limit_why);
	g_free(o.field);
	return st;
}
