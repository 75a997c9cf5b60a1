/* sweep.h - what crashed installs, uninstalls, restores and snapshots
 * leave behind, cleared when a process opens the database.
 *
 * plugins_sweep() settles interrupted folder swaps that no live process
 * holds (snapshot.h), removes scratch folders and files of dead processes
 * in plugins_directory and data_directory/snapshots (scratch.h), drops
 * snapshots rows whose file is missing, makes every recorded snapshot
 * file 0600, and removes snapshot
 * files (*.zip, and libzip's *.zip.XXXXXX) that no row names and no live
 * process holds.  The snapshots folder thus belongs to one database, as
 * plugins_directory already does.  It never waits for another process
 * and never fails: what it cannot settle now, the next start settles.
 */
#ifndef MGR_SWEEP_H
#define MGR_SWEEP_H

struct mgr;

void plugins_sweep(struct mgr *mgr);

#endif
