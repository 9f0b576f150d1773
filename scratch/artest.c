#include "config.h"
#include <stdio.h>
#include "auth_ar.h"
static void show(const char *v)
{
	struct mg_ar *ar = mg_ar_parse(v);
	printf("[%s]\n  id=%s malformed=%d n=%u\n", v, ar->authserv_id ?: "(null)", ar->malformed, ar->results->len);
	for (guint i = 0; i < ar->results->len; i++) {
		struct mg_ar_result *r = ar->results->pdata[i];
		GHashTableIter it; gpointer k, val;
		printf("  %s=%s reason=%s comment=%s", r->method, r->result, r->reason ?: "-", r->comment ?: "-");
		g_hash_table_iter_init(&it, r->props);
		while (g_hash_table_iter_next(&it, &k, &val)) printf(" %s=%s", (char*)k, (char*)val);
		printf("\n");
	}
	mg_ar_free(ar);
}
int main(void)
{
	show("mx.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.a=rsa-sha256 header.s=s1 header.b=abcdEFGH");
	show("mx.example.org; dmarc=fail (p=reject dis=none) header.from=example.com");
	show("mx.example.org;\n\tspf=pass smtp.mailfrom=a@example.com;\n\tdkim=none");
	show("mx.example.org 1; none");
	show("\"quoted id\" ; spf = fail (comment (nested)) reason=\"bad ip\" smtp.mailfrom=x@y");
	show("example.com; dkim=pass; garbage garbage");
	show("(comment first) mugaika.test; dkim/1=pass header.d=a.example");
	show("");
	show("broken (unclosed");
	return 0;
}
