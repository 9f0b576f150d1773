/*
 * lookalike.h - senders that imitate the organisation (see lookalike.c).
 */
#ifndef MG_LOOKALIKE_H
#define MG_LOOKALIKE_H

#include <glib.h>

struct mg_lookalike;

/* internal, protected_domains: domain lists (ASCII or IDNA); names: the
 * protected display names; distance: the largest edit distance between
 * skeletons still called a lookalike (0 = skeleton equality only). */
struct mg_lookalike *mg_lookalike_new(char **internal, char **protected_domains, char **names, int distance,
				      GError **err);
void mg_lookalike_free(struct mg_lookalike *l);

/* The domain is one of the protected ones or a subdomain of one. */
gboolean mg_lookalike_protected(const struct mg_lookalike *l, const char *domain);
/* The protected domain `domain` imitates, or NULL (also NULL for the
 * protected domains themselves). */
const char *mg_lookalike_domain(const struct mg_lookalike *l, const char *domain);
/* The protected name or domain a display name borrows, or NULL. */
const char *mg_lookalike_name(const struct mg_lookalike *l, const char *display_name);

#endif
