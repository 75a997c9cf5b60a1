/* migrate_paths.h - moves what older versions kept under data_directory
 * to the folders of the XDG base directory specification.
 *
 * Before state_directory and cache_directory existed, everything lived
 * under data_directory; the generated API token was kept, as the example
 * configuration said, next to the user's manager.conf.  At every engine
 * start, once the host lock is held, whatever is still at an old place is
 * moved, with a log line:
 *
 *   data_directory/cache        -> cache_directory    (shadow copies)
 *   data_directory/repositories/R/cache
 *                               -> cache_directory/repositories/R
 *   data_directory/reload       -> state_directory/reload
 *   data_directory/logs         -> state_directory/logs
 *   data_directory/manager.log  -> state_directory/manager.log
 *   $XDG_CONFIG_HOME/manager/api.token -> state_directory/api.token
 *                                  (only when api.token_file is not set)
 *
 * A move is a rename; across file systems a copy into a hidden temporary
 * name next to the target, a rename of it, then the removal of the old
 * copy.  So a crash leaves either the old file whole (the copy starts
 * again), or both whole (the old copy, identical, is removed): the next
 * start finishes it.  Into a folder that exists already, entry by entry;
 * a file at both places that differs stays where it is, named in a
 * warning: nothing is overwritten, nothing lost.
 */
#ifndef MGR_MIGRATE_PATHS_H
#define MGR_MIGRATE_PATHS_H

#include "conf.h"
#include "log.h"

/* Moves what it finds at the old places; logs what it did, and warns of
 * what it could not move (which then stays where it was). */
void migrate_paths(const struct mgr_conf *conf, struct mgr_log *log);
/* Only data_directory/manager.log: a daemon started with --detach moves
 * it before it opens its log there (the line goes to the terminal). */
void migrate_daemon_log(const struct mgr_conf *conf, struct mgr_log *log);

#endif
