/*
 * mta.c - the table of smfi_* calls the milter makes (see milter.h).
 */
#include "config.h"

#include "milter.h"

static const struct mg_mta mta_libmilter = {
	.getsymval = smfi_getsymval,
	.setreply = smfi_setreply,
	.chgheader = smfi_chgheader,
	.addheader = smfi_addheader,
	.insheader = smfi_insheader,
	.replacebody = smfi_replacebody,
	.setpriv = smfi_setpriv,
	.getpriv = smfi_getpriv,
};

const struct mg_mta *mg_mta = &mta_libmilter;
