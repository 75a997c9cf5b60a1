/* crypto_fns.c - libcrypto, opened with dlopen by the first Ed25519 key
 * or signature the process makes, reads or checks (crypto_fns.h says
 * why).
 *
 * The table is written once, under dlsyms_load's lock, before anything
 * reads it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces (as zip_fns.c). */
#define CRYPTO_FNS_TABLE_ONLY
#include "i18n.h"
#include "crypto_fns.h"
#include "dlsyms.h"

#include <stddef.h>

static struct dlsyms_lib crypto_lib = DLSYMS_LIB_INIT;
static struct crypto_fns crypto_table;

#define CRYPTO_FNS_SLOT(name) { #name, offsetof(struct crypto_fns, name) },
static const struct dlsym_slot crypto_slots[] = {
	CRYPTO_FNS_EACH(CRYPTO_FNS_SLOT)
};
#undef CRYPTO_FNS_SLOT

int
crypto_fns_load(struct mgr_error *err)
{
	if (dlsyms_load(&crypto_lib, CRYPTO_SONAME, crypto_slots,
	    sizeof crypto_slots / sizeof crypto_slots[0], &crypto_table) == 0)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("cannot load %s for Ed25519 "
	    "keys and signatures: %s"), CRYPTO_SONAME, crypto_lib.why);
}

const struct crypto_fns *
crypto_fns(void)
{
	return &crypto_table;
}
