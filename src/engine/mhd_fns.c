/* mhd_fns.c - libmicrohttpd, opened with dlopen by the first api_start
 * of the process (mhd_fns.h says why).
 *
 * The table is written once, under dlsyms_load's lock, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces; the callbacks libmicrohttpd calls
 * (a connection's, a response's) would otherwise each need a way back to
 * it. */
#define MHD_FNS_TABLE_ONLY
#include "i18n.h"
#include "mhd_fns.h"
#include "dlsyms.h"


static struct dlsyms_lib mhd_lib = DLSYMS_LIB_INIT;
static struct mhd_fns mhd_table;

#define MHD_FNS_SLOT(name) { #name, offsetof(struct mhd_fns, name) },
static const struct dlsym_slot mhd_slots[] = {
	MHD_FNS_EACH(MHD_FNS_SLOT)
};
#undef MHD_FNS_SLOT

static int
mhd_lib_load(void)
{
	return dlsyms_load(&mhd_lib, MHD_FNS_LIB, mhd_slots,
	    sizeof mhd_slots / sizeof mhd_slots[0], &mhd_table);
}

int
mhd_fns_load(const char *listen, struct mgr_error *err)
{
	if (mhd_lib_load() == 0)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("api.listen \"%s\": cannot load "
	    "%s to serve the HTTP API: %s"), listen, MHD_FNS_LIB, mhd_lib.why);
}

const struct mhd_fns *
mhd_fns(void)
{
	return &mhd_table;
}
