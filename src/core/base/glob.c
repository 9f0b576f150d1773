/*
 * glob.c - mg_glob_match (mg_glob.h).  Iterative, with one backtracking
 * point: the last '*' seen; linear in practice and never recursive.
 */
#include "config.h"

#include "mg_glob.h"

gboolean mg_glob_capture(const char *p, const char *s, const char *cap[][2], int max, int *n)
{
	const char *star = NULL, *resume = NULL;
	int k = -1;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
			if (++k < max)
				cap[k][0] = cap[k][1] = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
			if (k < max)
				cap[k][1] = resume;
		} else {
			return FALSE;
		}
	}
	for (; *p == '*'; p++)
		if (++k < max)
			cap[k][0] = cap[k][1] = s;
	*n = MIN(k + 1, max);
	return *p == '\0';
}

gboolean mg_glob_match(const char *p, const char *s)
{
	int n;
	return mg_glob_capture(p, s, NULL, 0, &n);
}
