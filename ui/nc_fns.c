/* nc_fns.c - ncurses, opened with dlopen by the console when it starts on
 * a terminal (nc_fns.h says why).
 *
 * The table is written once, under dlsyms_load's lock, before anything reads
 * it, and only read after, like the loader's own table of a linked
 * library's symbols that it replaces; stdscr and curscr, which curses.h's
 * macros name without a context, are reached through it. */
#define NC_FNS_TABLE_ONLY
#include "i18n.h"
#include "nc_fns.h"
#include "dlsyms.h"

#include <stddef.h>

static struct dlsyms_lib nc_lib = DLSYMS_LIB_INIT;
static struct nc_fns nc_table;

#define NC_FNS_SLOT(name) { #name, offsetof(struct nc_fns, name) },
static const struct dlsym_slot nc_slots[] = {
	NC_FNS_EACH(NC_FNS_SLOT)
	{ "stdscr", offsetof(struct nc_fns, stdscr) },
	{ "curscr", offsetof(struct nc_fns, curscr) },
	{ "acs_map", offsetof(struct nc_fns, acs_map) },
};
#undef NC_FNS_SLOT

static int
nc_lib_load(void)
{
	return dlsyms_load(&nc_lib, NC_FNS_LIB, nc_slots,
	    sizeof nc_slots / sizeof nc_slots[0], &nc_table);
}

int
nc_fns_load(struct mgr_error *err)
{
	if (nc_lib_load() == 0)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("cannot load %s for the console: "
	    "%s"), NC_FNS_LIB, nc_lib.why);
}

const struct nc_fns *
nc_fns(void)
{
	return &nc_table;
}
