/* zip_fns.c - libzip, opened with dlopen by the first archive the
 * process opens or builds (zip_fns.h says why).
 *
 * The table is written once, under dlsyms_load's lock, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces (as src/store/pg/pq_fns.c). */
#define ZIP_FNS_TABLE_ONLY
#include "i18n.h"
#include "zip_fns.h"
#include "dlsyms.h"

#include <stddef.h>

static struct dlsyms_lib zip_lib = DLSYMS_LIB_INIT;
static struct zip_fns zip_table;

#define ZIP_FNS_SLOT(name) { #name, offsetof(struct zip_fns, name) },
static const struct dlsym_slot zip_slots[] = {
	ZIP_FNS_EACH(ZIP_FNS_SLOT)
};
#undef ZIP_FNS_SLOT

static int
zip_lib_load(void)
{
	return dlsyms_load(&zip_lib, ZIP_FNS_LIB, zip_slots,
	    sizeof zip_slots / sizeof zip_slots[0], &zip_table);
}

int
zip_fns_load(const char *zip, struct mgr_error *err)
{
	if (zip_lib_load() == 0)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("%s: cannot load %s to read or "
	    "write the archive: %s"), zip, ZIP_FNS_LIB, zip_lib.why);
}

const struct zip_fns *
zip_fns(void)
{
	return &zip_table;
}
