/* mhd_fns.c - libmicrohttpd, opened with dlopen by the first api_start
 * of the process (mhd_fns.h says why).
 *
 * The table is written once, under pthread_once, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces; the callbacks libmicrohttpd calls
 * (a connection's, a response's) would otherwise each need a way back to
 * it. */
#define MHD_FNS_TABLE_ONLY
#include "i18n.h"
#include "mhd_fns.h"
#include "dlsyms.h"

#include <pthread.h>

struct mhd_lib {
	pthread_once_t once;
	int loaded;
	char why[512];	/* the loader's reason when not loaded */
	struct mhd_fns fns;
};

static struct mhd_lib mhd_lib = { .once = PTHREAD_ONCE_INIT };

static void
mhd_lib_open(void)
{
#define MHD_FNS_SLOT(name) { #name, offsetof(struct mhd_fns, name) },
	static const struct dlsym_slot slots[] = {
		MHD_FNS_EACH(MHD_FNS_SLOT)
	};
#undef MHD_FNS_SLOT

	mhd_lib.loaded = dlsyms_open(MHD_FNS_LIB, slots,
	    sizeof slots / sizeof slots[0], &mhd_lib.fns, mhd_lib.why,
	    sizeof mhd_lib.why) == 0;
}

int
mhd_fns_load(const char *listen, struct mgr_error *err)
{
	pthread_once(&mhd_lib.once, mhd_lib_open);
	if (mhd_lib.loaded)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("api.listen \"%s\": cannot load "
	    "%s to serve the HTTP API: %s"), listen, MHD_FNS_LIB, mhd_lib.why);
}

const struct mhd_fns *
mhd_fns(void)
{
	return &mhd_lib.fns;
}
