#include "config.h"
#include <stdio.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include "enc_scheme.h"
int main(int argc, char **argv)
{
	g_mime_init();
	for (int i = 1; i < argc; i++) {
		GMimeStream *s = g_mime_stream_fs_open(argv[i], O_RDONLY, 0, NULL);
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
		GMimePartIter *it = g_mime_part_iter_new(GMIME_OBJECT(m));
		const char *res = "-";
		do {
			GMimeObject *o = g_mime_part_iter_get_current(it);
			if (!GMIME_IS_PART(o) || !g_mime_part_get_filename(GMIME_PART(o))) continue;
			GMimeStream *mem = g_mime_stream_mem_new();
			g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(o)), mem);
			GByteArray *b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
			res = mg_enc_scheme_of_file(b->data, b->len);
			if (!res) res = "none";
			g_object_unref(mem);
		} while (g_mime_part_iter_next(it));
		printf("%-40s %s\n", argv[i], res);
		g_mime_part_iter_free(it); g_object_unref(m); g_object_unref(p); g_object_unref(s);
	}
	return 0;
}
