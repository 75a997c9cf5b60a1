/* nc_fns.c - ncurses, opened with dlopen by the console when it starts on
 * a terminal (nc_fns.h says why).
 *
 * The table is written once, under pthread_once, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces; stdscr and curscr, which curses.h's
 * macros name without a context, are reached through it. */
#define NC_FNS_TABLE_ONLY
#include "i18n.h"
#include "nc_fns.h"
#include "dlsyms.h"

#include <pthread.h>
#include <stddef.h>

struct nc_lib {
	pthread_once_t once;
	int loaded;
	char why[512];	/* the loader's reason when not loaded */
	struct nc_fns fns;
};

static struct nc_lib nc_lib = { .once = PTHREAD_ONCE_INIT };

static void
nc_lib_open(void)
{
#define NC_FNS_SLOT(name) { #name, offsetof(struct nc_fns, name) },
	static const struct dlsym_slot slots[] = {
		NC_FNS_EACH(NC_FNS_SLOT)
		{ "stdscr", offsetof(struct nc_fns, stdscr) },
		{ "curscr", offsetof(struct nc_fns, curscr) },
		{ "acs_map", offsetof(struct nc_fns, acs_map) },
	};
#undef NC_FNS_SLOT

	nc_lib.loaded = dlsyms_open(NC_FNS_LIB, slots,
	    sizeof slots / sizeof slots[0], &nc_lib.fns, nc_lib.why,
	    sizeof nc_lib.why) == 0;
}

int
nc_fns_load(struct mgr_error *err)
{
	pthread_once(&nc_lib.once, nc_lib_open);
	if (nc_lib.loaded)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("cannot load %s for the console: "
	    "%s"), NC_FNS_LIB, nc_lib.why);
}

const struct nc_fns *
nc_fns(void)
{
	return &nc_lib.fns;
}
