#include "config.h"
#include <stdio.h>
#include "lookalike.h"
int main(void)
{
	char *internal[] = {"city.example.lg.jp", NULL};
	char *prot[] = {"pref.example.lg.jp", NULL};
	char *names[] = {"市長", "総務課", "City Hall", NULL};
	struct mg_lookalike *l = mg_lookalike_new(internal, prot, names, 1, NULL);
	const char *doms[] = {"city.example.lg.jp", "mail.city.example.lg.jp", "clty.example.lg.jp", "city-example.lg.jp",
		"xn--ity-3ed.example.lg.jp", "city.examp1e.lg.jp", "ctiy.example.lg.jp", "city.example.lg.jp.evil.net",
		"example.net", "pref.example.lg.jp", "prefs.example.lg.jp", "cityy.example.lg.jp", "town.example.lg.jp", "CITY.EXAMPLE.LG.JP", "gmail.com"};
	for (gsize i = 0; i < G_N_ELEMENTS(doms); i++)
		printf("%-30s prot=%d look=%s\n", doms[i], mg_lookalike_protected(l, doms[i]), mg_lookalike_domain(l, doms[i]) ?: "-");
	const char *ns[] = {"市長 山田太郎", "川崎市 市長室", "ｓｏｕｍｕ@city.example.lg.jp", "soumu@city.example.lg.jp", "総務 課", "Ｃｉｔｙ　Ｈａｌｌ", "Сity Hall", "Taro Yamada", "総務部", ""};
	for (gsize i = 0; i < G_N_ELEMENTS(ns); i++)
		printf("%-30s name=%s\n", ns[i], mg_lookalike_name(l, ns[i]) ?: "-");
	mg_lookalike_free(l);
	return 0;
}
