/* nc_fns.h - ncurses as the console calls it: through a table filled by
 * dlsym when the console starts on a terminal (nc_fns.c), so that no
 * command but the console loads libncursesw and libtinfo (issue 18,
 * item 8).  Included instead of <curses.h> by the console's files: each
 * function below is a macro for the table's member of that name, and
 * stdscr, curscr and acs_map (the ACS_ line characters) for the
 * library's variables through their addresses, so the console's calls
 * and curses.h's own macros (mvaddch, getmaxyx, ...) read as ncurses'
 * own.  nc_fns.c includes it with NC_FNS_TABLE_ONLY to see the table
 * without the macros. */
#ifndef MGR_NC_FNS_H
#define MGR_NC_FNS_H

#include <curses.h>
#include "error.h"

/* The sonames opened: ncurses' ABI 6, wide-character build. */
#define NC_FNS_LIB "libncursesw.so.6"

/* X(name) for each ncurses function the console calls. */
#define NC_FNS_EACH(X) \
	X(cbreak) X(clearok) X(curs_set) X(delscreen) X(endwin) X(getmouse) \
	X(has_colors) X(init_pair) X(isendwin) X(keypad) X(mouseinterval) \
	X(mousemask) X(newterm) X(nodelay) X(noecho) X(nonl) X(resizeterm) \
	X(set_escdelay) X(start_color) X(use_default_colors) X(waddch) \
	X(waddnstr) X(wattrset) X(wchgat) X(werase) X(wget_wch) X(whline) \
	X(wmove) X(wrefresh) X(wvline)

/* Each function member has the type curses.h declares for it; the
 * variables are their addresses. */
#define NC_FNS_MEMBER(name) __typeof__(name) *name;
struct nc_fns {
	NC_FNS_EACH(NC_FNS_MEMBER)
	WINDOW **stdscr;
	WINDOW **curscr;
	chtype *acs_map;
};
#undef NC_FNS_MEMBER

/* Loads ncurses (once per process; later calls give the first outcome):
 * 0, or MGR_EIO with err naming the library. */
int nc_fns_load(struct mgr_error *err);
/* The table; only after nc_fns_load succeeded. */
const struct nc_fns *nc_fns(void);

#ifndef NC_FNS_TABLE_ONLY
#undef stdscr
#undef curscr
#undef acs_map
#define stdscr (*nc_fns()->stdscr)
#define curscr (*nc_fns()->curscr)
#define acs_map (nc_fns()->acs_map)
#define cbreak (nc_fns()->cbreak)
#define clearok (nc_fns()->clearok)
#define curs_set (nc_fns()->curs_set)
#define delscreen (nc_fns()->delscreen)
#define endwin (nc_fns()->endwin)
#define getmouse (nc_fns()->getmouse)
#define has_colors (nc_fns()->has_colors)
#define init_pair (nc_fns()->init_pair)
#define isendwin (nc_fns()->isendwin)
#define keypad (nc_fns()->keypad)
#define mouseinterval (nc_fns()->mouseinterval)
#define mousemask (nc_fns()->mousemask)
#define newterm (nc_fns()->newterm)
#define nodelay (nc_fns()->nodelay)
#define noecho (nc_fns()->noecho)
#define nonl (nc_fns()->nonl)
#define resizeterm (nc_fns()->resizeterm)
#define set_escdelay (nc_fns()->set_escdelay)
#define start_color (nc_fns()->start_color)
#define use_default_colors (nc_fns()->use_default_colors)
#define waddch (nc_fns()->waddch)
#define waddnstr (nc_fns()->waddnstr)
#define wattrset (nc_fns()->wattrset)
#define wchgat (nc_fns()->wchgat)
#define werase (nc_fns()->werase)
#define wget_wch (nc_fns()->wget_wch)
#define whline (nc_fns()->whline)
#define wmove (nc_fns()->wmove)
#define wrefresh (nc_fns()->wrefresh)
#define wvline (nc_fns()->wvline)
#endif

#endif
