/*
 * test_cdr_ole2.c - the legacy Office (OLE2) checker (cdr_ole2.c).
 *
 * Compound files are written here with libgsf's GsfOutfileMSOle: each row
 * lists streams by path ("Macros/VBA/dir": storages Macros and VBA, stream
 * dir) with bytes built below (a Word FIB, BIFF8 workbook globals,
 * PowerPoint records, the Current User atom), and says what the checker
 * must answer.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>

#include "cdr4c_util.h"
#include "mg_pipeline.h"

struct stream {
	const char *path;
	const guint8 *data;
	gsize len;
};
#define S(path, arr)                                                                                                   \
	{                                                                                                              \
		path, arr, sizeof(arr)                                                                                 \
	}

/* Word FIB: wIdent A5EC, nFib, ..., flags at offset 10 (0x0100 = fEncrypted). */
static const guint8 fib_plain[32] = {0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0x11, 0x04, 0, 0, 0x00, 0x00};
static const guint8 fib_encrypted[32] = {0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0x11, 0x04, 0, 0, 0x00, 0x01};
static const guint8 table[16] = {1, 2, 3};
#define FIB 0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0x11, 0x04, 0, 0, 0x00, 0x00
static const guint8 fib_dde8[] = {FIB, 'H', 'i', 0x13, ' ', 'd', 'd',  'e', 'a',
				  'u', 't', 'o', ' ',  'c', ':', 0x14, 0x15};
static const guint8 fib_dde16[] = {FIB, 0x13, 0, ' ', 0, 'D', 0, 'D', 0, 'E', 0, ' ', 0, 'x', 0, 0x15, 0};
static const guint8 fib_nodde[] = {FIB, 'D', 'D', 'E', ' ', 0x13, ' ', 'D', 'D', 'E', 'X', ' ', 0x13, ' ', 'D', 'D'};

/* BIFF8: BOF(0809), [FILEPASS(002F)], BOUNDSHEET(0085: pos(4) state(1) type(1) name), EOF(000A). */
#define BOF         0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define SHEET(type) 0x85, 0x00, 0x0A, 0x00, 0, 0, 0, 0, 0x00, type, 0x02, 0x00, 'S', '1'
#define EOFREC      0x0A, 0x00, 0x00, 0x00
static const guint8 book_plain[] = {BOF, SHEET(0x00), SHEET(0x02), EOFREC};
static const guint8 book_xlm[] = {BOF, SHEET(0x00), SHEET(0x01), EOFREC};
static const guint8 book_vbamod[] = {BOF, SHEET(0x06), EOFREC};
static const guint8 book_filepass[] = {BOF, 0x2F, 0x00, 0x02, 0x00, 0x00, 0x00, SHEET(0x00), EOFREC};
/* A macro sheet after the globals' EOF is not a BOUNDSHEET of the globals;
 * a record whose length runs past the end stops the walk. */
static const guint8 book_after_eof[] = {BOF, SHEET(0x00), EOFREC, SHEET(0x01)};
/* SUPBOOK: ctab 0, cch, fHighByte, path.  "cmd\x03 /c calc" is a DDE link;
 * "\x01book.xls" an external workbook; 0x0401 this workbook. */
#define SUPBOOK8(n, ...) 0xAE, 0x01, (5 + (n)), 0x00, 0, 0, (n), 0, 0x00, __VA_ARGS__
static const guint8 book_dde[] = {BOF, SUPBOOK8(11, 'c', 'm', 'd', 0x03, ' ', '/', 'c', ' ', 'c', 'a', 'l'), EOFREC};
static const guint8 book_dde16[] = {BOF, 0xAE, 0x01, 13, 0, 0, 0, 4, 0, 0x01, 'c', 0, 'm', 0, 'd', 0, 0x03, 0, EOFREC};
static const guint8 book_extref[] = {BOF, SUPBOOK8(9, 0x01, 'b', 'o', 'o', 'k', '.', 'x', 'l', 's'), EOFREC};
static const guint8 book_self[] = {BOF, 0xAE, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01, 0x04, EOFREC};
static const guint8 book_lying[] = {BOF, 0x85, 0x00, 0xFF, 0x7F, 0, 0, 0, 0, 0x00, 0x01};

/* PowerPoint: DocumentContainer (ver F, 03E8) holding a VBAInfo container (03FF). */
static const guint8 ppt_plain[] = {0x0F, 0x00, 0xE8, 0x03, 8, 0, 0, 0, 0x00, 0x00, 0xE9, 0x03, 0, 0, 0, 0};
static const guint8 ppt_vba[] = {0x0F, 0x00, 0xE8, 0x03, 8,    0,    0,    0,    0x0F, 0x00, 0xFF, 0x03,
				 0,    0,    0,    0,    0x00, 0x00, 0xE9, 0x03, 0,    0,    0,    0};
/* Current User: header(8) size(4) headerToken(4). */
static const guint8 cu_plain[] = {0, 0, 0xF6, 0x0F, 20, 0, 0, 0, 20, 0, 0, 0, 0x5F, 0xC0, 0x91, 0xE3};
static const guint8 cu_encrypted[] = {0, 0, 0xF6, 0x0F, 20, 0, 0, 0, 20, 0, 0, 0, 0xDF, 0xC4, 0xD1, 0xF3};

static const guint8 blob[] = "some bytes";
static const guint8 pkg_ooxml_vba[] = "PK\3\4....word/vbaProject.bin....";
static const guint8 pkg_ooxml_ole[] = "PK\3\4....word/embeddings/oleObject1.bin....";

struct row {
	const char *what;
	struct stream s[4];
	enum mg_cdr_status want;
	const char *reason; /* exact */
};

/* nothing found: removed all the same (issue 12) */
static const char KEPT[] = "legacy Office format (doc/xls/ppt) cannot be rebuilt";

static const struct row rows[] = {
	{"clean doc", {S("WordDocument", fib_plain), S("1Table", table)}, MG_CDR_REMOVE, KEPT},
	{"doc with macros",
	 {S("WordDocument", fib_plain), S("Macros/VBA/dir", blob), S("Macros/PROJECT", blob)},
	 MG_CDR_REMOVE,
	 "VBA macros"},
	{"encrypted doc",
	 {S("WordDocument", fib_encrypted), S("1Table", table)},
	 MG_CDR_UNSCANNABLE,
	 "encrypted document"},
	{"clean xls", {S("Workbook", book_plain)}, MG_CDR_REMOVE, KEPT},
	{"xls with _VBA_PROJECT_CUR",
	 {S("Workbook", book_plain), S("_VBA_PROJECT_CUR/VBA/dir", blob)},
	 MG_CDR_REMOVE,
	 "VBA macros"},
	{"xls with XLM macro sheet", {S("Workbook", book_xlm)}, MG_CDR_REMOVE, "Excel 4.0 macro sheet"},
	{"BIFF5 VBA module sheet", {S("Book", book_vbamod)}, MG_CDR_REMOVE, "VBA macros"},
	{"xls with FILEPASS", {S("Workbook", book_filepass)}, MG_CDR_UNSCANNABLE, "encrypted document"},
	{"xls DDE link", {S("Workbook", book_dde)}, MG_CDR_REMOVE, "DDE link"},
	{"xls DDE link (UTF-16)", {S("Workbook", book_dde16)}, MG_CDR_REMOVE, "DDE link"},
	{"xls external workbook ref", {S("Workbook", book_extref)}, MG_CDR_REMOVE, KEPT},
	{"xls self reference", {S("Workbook", book_self)}, MG_CDR_REMOVE, KEPT},
	{"sheet after globals", {S("Workbook", book_after_eof)}, MG_CDR_REMOVE, KEPT},
	{"lying record length", {S("Workbook", book_lying)}, MG_CDR_REMOVE, KEPT},
	{"both macro kinds",
	 {S("Workbook", book_xlm), S("_VBA_PROJECT_CUR/PROJECT", blob)},
	 MG_CDR_REMOVE,
	 "VBA macros, Excel 4.0 macro sheet"}, /* reason; the removed list has one line per kind */
	{"clean ppt", {S("PowerPoint Document", ppt_plain), S("Current User", cu_plain)}, MG_CDR_REMOVE, KEPT},
	{"ppt with VBAInfo",
	 {S("PowerPoint Document", ppt_vba), S("Current User", cu_plain)},
	 MG_CDR_REMOVE,
	 "VBA macros"},
	{"encrypted ppt",
	 {S("PowerPoint Document", ppt_plain), S("Current User", cu_encrypted)},
	 MG_CDR_UNSCANNABLE,
	 "encrypted document"},
	{"agile-encrypted OOXML",
	 {S("EncryptionInfo", blob), S("EncryptedPackage", blob)},
	 MG_CDR_UNSCANNABLE,
	 "encrypted document"},
	{"OLE package in doc",
	 {S("WordDocument", fib_plain), S("ObjectPool/_1234/\001Ole10Native", blob)},
	 MG_CDR_REMOVE,
	 "embedded OLE package"},
	{"embedded xlsm",
	 {S("WordDocument", fib_plain), S("ObjectPool/_1/Package", pkg_ooxml_vba)},
	 MG_CDR_REMOVE,
	 "VBA macros"},
	{"MSI (no Office stream)",
	 {S("\005SummaryInformation", blob), S("Binary.exe", blob)},
	 MG_CDR_REMOVE,
	 "not a Word, Excel or PowerPoint document (other OLE2 file)"},
	{"Office stream below root",
	 {S("ObjectPool/_1/WordDocument", fib_plain)},
	 MG_CDR_REMOVE,
	 "embedded or linked object (ObjectPool)"},
	{"embedded docx with OLE object",
	 {S("WordDocument", fib_plain), S("ObjectPool/_1/Package", pkg_ooxml_ole)},
	 MG_CDR_REMOVE,
	 "embedded OLE package"},
	{"DDEAUTO field (8-bit)", {S("WordDocument", fib_dde8)}, MG_CDR_REMOVE, "DDE link"},
	{"DDE field (UTF-16)", {S("WordDocument", fib_dde16)}, MG_CDR_REMOVE, "DDE link"},
	{"unknown field name", {S("WordDocument", fib_nodde)}, MG_CDR_REMOVE, "DDE link or active field"},
	{"Equation Editor object",
	 {S("WordDocument", fib_plain), S("ObjectPool/_2/Equation Native", blob)},
	 MG_CDR_REMOVE,
	 "Equation Editor object"},
	{"ActiveX control",
	 {S("WordDocument", fib_plain), S("ObjectPool/_3/\003OCXDATA", blob)},
	 MG_CDR_REMOVE,
	 "ActiveX control"},
	{"embedded xls with VBA",
	 {S("WordDocument", fib_plain), S("ObjectPool/_1/_VBA_PROJECT_CUR/VBA/dir", blob)},
	 MG_CDR_REMOVE,
	 "VBA macros"},
};

/* Storages by path, created on first use; closed children first. */
static GsfOutfile *storage_for(GHashTable *dirs, GPtrArray *order, GsfOutfile *root, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return root;
	char *dir = g_strndup(path, (gsize)(slash - path));
	GsfOutfile *d = g_hash_table_lookup(dirs, dir);
	if (!d) {
		const char *s2 = strrchr(dir, '/');
		GsfOutfile *parent = storage_for(dirs, order, root, dir);
		d = GSF_OUTFILE(gsf_outfile_new_child(parent, s2 ? s2 + 1 : dir, TRUE));
		g_hash_table_insert(dirs, g_strdup(dir), d);
		g_ptr_array_add(order, d);
	}
	g_free(dir);
	return d;
}

static GByteArray *build_cfb(const struct stream *s, gsize n)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *root = gsf_outfile_msole_new(mem);
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *order = g_ptr_array_new();
	for (gsize i = 0; i < n && s[i].path; i++) {
		const char *slash = strrchr(s[i].path, '/');
		GsfOutfile *d = storage_for(dirs, order, root, s[i].path);
		GsfOutput *o = gsf_outfile_new_child(d, slash ? slash + 1 : s[i].path, FALSE);
		gsf_output_write(o, s[i].len, s[i].data);
		gsf_output_close(o);
		g_object_unref(o);
	}
	for (guint i = order->len; i-- > 0;) {
		gsf_output_close(GSF_OUTPUT(order->pdata[i]));
		g_object_unref(order->pdata[i]);
	}
	gsf_output_close(GSF_OUTPUT(root));
	g_object_unref(root);
	GByteArray *ba = g_byte_array_new();
	g_byte_array_append(ba, gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)), (guint)gsf_output_size(mem));
	g_object_unref(mem);
	g_ptr_array_unref(order);
	g_hash_table_unref(dirs);
	return ba;
}

static enum mg_cdr_status check(const char *conf, GByteArray *f, struct mg_cdr_out *out)
{
	struct mg_txn *t = t4c_txn_new(conf);
	enum mg_cdr_status st = t4c_run(mg_cdr_ole2, t, f, "x.doc", 0, out);
	t4c_txn_free(t);
	return st;
}

/* Every kind named in `reason` ("A, B") is one line of the removed list
 * (the notice's catalog says each); a file removed for its format lists
 * nothing. */
static void check_removed(const struct mg_cdr_out *out, const char *reason)
{
	gboolean listed = !g_str_has_prefix(reason, "not a") && !g_str_equal(reason, KEPT);
	char **kinds = g_strsplit(reason, ", ", -1);
	for (int k = 0; kinds[k]; k++) {
		gboolean found = FALSE;
		for (guint j = 0; j < out->removed->len; j++)
			found |= g_str_has_prefix(g_ptr_array_index(out->removed, j), kinds[k]) &&
				 !strstr(g_ptr_array_index(out->removed, j), ", ");
		assert_true(found == listed);
	}
	if (!listed)
		assert_int_equal(out->removed->len, 0);
	g_strfreev(kinds);
}

static void test_rows(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		GByteArray *f = build_cfb(rows[i].s, G_N_ELEMENTS(rows[i].s));
		struct mg_cdr_out out;
		enum mg_cdr_status st = check(NULL, f, &out);
		print_message("%-28s -> %d %s\n", rows[i].what, st, out.reason);
		assert_int_equal(st, rows[i].want);
		if (!strstr(out.reason, rows[i].reason))
			fail_msg("%s: reason '%s' lacks '%s'", rows[i].what, out.reason, rows[i].reason);
		assert_null(out.data);   /* a legacy document is never delivered (issue 12) */
		if (st == MG_CDR_REMOVE) /* active content is also listed as what was found, one kind a line */
			check_removed(&out, rows[i].reason);
		mg_cdr_out_clear(&out);
		g_byte_array_unref(f);
	}
}

static void test_limits(void **state)
{
	struct stream many[12], deep[2] = {S("WordDocument", fib_plain)};
	char names[12][16], path[256] = "";
	many[0] = deep[0];
	for (int i = 1; i < 12; i++) {
		g_snprintf(names[i], sizeof names[i], "s%d", i);
		many[i] = (struct stream){names[i], blob, sizeof blob};
	}
	for (int i = 0; i < 20; i++)
		g_strlcat(path, "D/", sizeof path);
	g_strlcat(path, "leaf", sizeof path);
	deep[1] = (struct stream){path, blob, sizeof blob};
	GByteArray *f1 = build_cfb(many, 12), *f2 = build_cfb(deep, 2);
	struct mg_cdr_out out;
	assert_int_equal(check("ole2_max_entries = 10\n", f1, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "OLE2 file has more than 10 streams (ole2_max_entries)");
	mg_cdr_out_clear(&out);
	assert_int_equal(check(NULL, f1, &out), MG_CDR_REMOVE);
	mg_cdr_out_clear(&out);
	assert_int_equal(check(NULL, f2, &out), MG_CDR_UNSCANNABLE);
	assert_string_equal(out.reason, "OLE2 storages nested deeper than 16 levels (ole2_max_depth)");
	mg_cdr_out_clear(&out);
	assert_int_equal(check("ole2_max_depth = 30\n", f2, &out), MG_CDR_REMOVE);
	mg_cdr_out_clear(&out);
	g_byte_array_unref(f1);
	g_byte_array_unref(f2);
}

/* Not OLE2, every truncation, byte flips: a verdict, never a crash, and
 * never the original bytes unless the walk completed. */
static void test_malformed(void **state)
{
	GByteArray *junk = g_byte_array_new();
	g_byte_array_append(junk, (const guint8 *)"PK\3\4 not a compound file", 25);
	struct mg_cdr_out out;
	assert_int_equal(check(NULL, junk, &out), MG_CDR_UNSCANNABLE);
	assert_true(g_str_has_prefix(out.reason, "not a readable OLE2 file"));
	mg_cdr_out_clear(&out);
	g_byte_array_unref(junk);
	GByteArray *good = build_cfb(rows[1].s, G_N_ELEMENTS(rows[1].s));
	GRand *r = g_rand_new_with_seed(2);
	for (guint cut = 0; cut <= good->len; cut += 64) {
		for (int flip = 0; flip < 8; flip++) {
			GByteArray *bad = g_byte_array_new();
			g_byte_array_append(bad, good->data, cut);
			if (flip && cut)
				bad->data[g_rand_int_range(r, 0, (gint)cut)] ^= (guint8)g_rand_int_range(r, 1, 256);
			enum mg_cdr_status st = check(NULL, bad, &out);
			assert_true(st == MG_CDR_REBUILT || st == MG_CDR_REMOVE || st == MG_CDR_UNSCANNABLE);
			assert_true((st == MG_CDR_REBUILT) == (out.data != NULL));
			mg_cdr_out_clear(&out);
			g_byte_array_unref(bad);
		}
	}
	g_rand_free(r);
	g_byte_array_unref(good);
}

static GByteArray *zlib_of(const GByteArray *in)
{
	GConverter *z = G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9));
	GByteArray *out = g_byte_array_new();
	g_byte_array_set_size(out, in->len + 1024);
	gsize rd = 0, wr = 0;
	GConverterResult r = g_converter_convert(z, in->data, in->len, out->data, out->len, G_CONVERTER_INPUT_AT_END,
						 &rd, &wr, NULL);
	assert_int_equal(r, G_CONVERTER_FINISHED);
	g_byte_array_set_size(out, (guint)wr);
	g_object_unref(z);
	return out;
}

/* A PowerPoint Document stream holding one ExOleObjStg record (0x1011,
 * instance 1 = compressed) around `inner`, declaring `declared` bytes. */
static GByteArray *ppt_with_object(const GByteArray *inner, guint32 declared)
{
	GByteArray *z = zlib_of(inner), *rec = g_byte_array_new();
	guint32 len = z->len + 4;
	guint8 hdr[12] = {0x10,
			  0x00,
			  0x11,
			  0x10,
			  len & 0xff,
			  (len >> 8) & 0xff,
			  (len >> 16) & 0xff,
			  len >> 24,
			  declared & 0xff,
			  (declared >> 8) & 0xff,
			  (declared >> 16) & 0xff,
			  declared >> 24};
	g_byte_array_append(rec, hdr, sizeof hdr);
	g_byte_array_append(rec, z->data, z->len);
	struct stream s[2] = {{"PowerPoint Document", rec->data, rec->len}, S("Current User", cu_plain)};
	GByteArray *f = build_cfb(s, 2);
	g_byte_array_unref(z);
	g_byte_array_unref(rec);
	return f;
}

static void test_ppt_embedded(void **state)
{
	static const struct stream pkg[] = {S("\001Ole10Native", blob)}, clean[] = {S("Workbook", book_plain)};
	GByteArray *in_pkg = build_cfb(pkg, 1), *in_clean = build_cfb(clean, 1);
	static const struct {
		const char *conf;
		int which, size_delta;
		enum mg_cdr_status want;
		const char *reason;
	} cases[] = {
		{NULL, 0, 0, MG_CDR_REMOVE, "embedded OLE package"},
		{NULL, 1, 0, MG_CDR_REMOVE, KEPT},
		{NULL, 1, 1, MG_CDR_UNSCANNABLE, "corrupt OLE2 file (unreadable stream)"},  /* declares more */
		{NULL, 1, -1, MG_CDR_UNSCANNABLE, "corrupt OLE2 file (unreadable stream)"}, /* declares less */
		{"ole2_max_embedded_size = 1K\n", 1, 0, MG_CDR_UNSCANNABLE,
		 "embedded object larger than 1024 bytes (ole2_max_embedded_size)"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GByteArray *inner = cases[i].which ? in_clean : in_pkg;
		GByteArray *f = ppt_with_object(inner, inner->len + (guint32)cases[i].size_delta);
		struct mg_cdr_out out;
		assert_int_equal(check(cases[i].conf, f, &out), cases[i].want);
		if (!strstr(out.reason, cases[i].reason))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, out.reason, cases[i].reason);
		mg_cdr_out_clear(&out);
		g_byte_array_unref(f);
	}
	g_byte_array_unref(in_pkg);
	g_byte_array_unref(in_clean);
}

int main(void)
{
	mg_pipeline_global_init(); /* the stages' configuration hooks */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ppt_embedded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
