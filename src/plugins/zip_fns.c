/* zip_fns.c - libzip, opened with dlopen by the first archive the
 * process opens or builds (zip_fns.h says why).
 *
 * The table is written once, under pthread_once, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces (as src/store/pg/pq_fns.c). */
#define ZIP_FNS_TABLE_ONLY
#include "i18n.h"
#include "zip_fns.h"
#include "dlsyms.h"

#include <pthread.h>
#include <stddef.h>

struct zip_lib {
	pthread_once_t once;
	int loaded;
	char why[512];	/* the loader's reason when not loaded */
	struct zip_fns fns;
};

static struct zip_lib zip_lib = { .once = PTHREAD_ONCE_INIT };

static void
zip_lib_open(void)
{
#define ZIP_FNS_SLOT(name) { #name, offsetof(struct zip_fns, name) },
	static const struct dlsym_slot slots[] = {
		ZIP_FNS_EACH(ZIP_FNS_SLOT)
	};
#undef ZIP_FNS_SLOT

	zip_lib.loaded = dlsyms_open(ZIP_FNS_LIB, slots,
	    sizeof slots / sizeof slots[0], &zip_lib.fns, zip_lib.why,
	    sizeof zip_lib.why) == 0;
}

int
zip_fns_load(const char *zip, struct mgr_error *err)
{
	pthread_once(&zip_lib.once, zip_lib_open);
	if (zip_lib.loaded)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("%s: cannot load %s to read or "
	    "write the archive: %s"), zip, ZIP_FNS_LIB, zip_lib.why);
}

const struct zip_fns *
zip_fns(void)
{
	return &zip_lib.fns;
}
