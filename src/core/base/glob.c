/*
 * glob.c - mg_glob_match (mg_glob.h).  Iterative, with one backtracking
 * point: the last '*' seen; linear in practice and never recursive.
 */
#include "config.h"

#include "mg_glob.h"

gboolean mg_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
		} else {
			return FALSE;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
