/* snapshot.h - plugin snapshots (the seed's PluginSnapshot): a zip of the
 * plugin's folder, its plugins row and its key/value state, with a
 * sha256, under data_directory/snapshots (folder 0700, files 0600),
 * recorded in the snapshots table.
 *
 * Zip layout: files/... (the plugin folder), meta/plugin.json (the row),
 * meta/state.json (plugin_state as an object), meta/snapshot.json.
 *
 * Restoring swaps folders inside plugins_directory with rename(2), in a
 * protocol that survives a kill at any point (see swap_* below): a journal
 * file .swap-ID.journal (held with flock while in progress) names a token;
 * the database transaction that updates the rows writes an events row
 * carrying that token, which is the commit point.  snapshot_recover()
 * finishes (token committed) or undoes (not committed) a swap that a
 * crash interrupted; the engine and the snapshot and reload commands call
 * it when they start (waiting for a journal another process holds), and
 * every process sweeps what no live process holds when it opens the
 * database (sweep.h).
 *
 * Installs, uninstalls, restores and reload rollbacks all go through
 * it, so each leaves the plugin whole in its old or its new version.
 *
 * Snapshot files are built in memory, written under a scratch name
 * (scratch.h, 0600) and renamed into place; the creator holds the file's
 * lock until its row is committed, so a sweep (sweep.h) can tell a file
 * being recorded from one a crash left without a row.
 *
 * (Tests kill -9 a restore in the middle with tests/lib/slow_rename.so,
 * which slows every rename(2) down: no test hook lives in this code.)
 */
#ifndef MGR_SNAPSHOT_H
#define MGR_SNAPSHOT_H

#include <stdint.h>
#include "error.h"
#include "snapshot_store.h"
#include "store.h"

struct mgr;

/* Snapshots the installed plugin id as it is now (reason: "manual",
 * "upgrade", "reload", "uninstall").  *id_out may be NULL.  Prunes older
 * snapshots of the plugin beyond conf->snapshot_keep. */
int snapshot_create(struct mgr *mgr, const char *plugin_id, const char *reason,
		    int64_t *id_out, struct mgr_error *err);
/* As snapshot_create, with the files taken from folder (e.g. the
 * reloader's copy of the running version) and the row rec. */
int snapshot_create_from(struct mgr *mgr, const struct plugin_rec *rec,
			 const char *folder, const char *reason,
			 int64_t *id_out, struct mgr_error *err);
/* Verifies, stages, validates, swaps, records; reloads the plugin when it
 * is enabled and loaded here.  A failure leaves the installed version as
 * it was. */
int snapshot_restore(struct mgr *mgr, int64_t id, struct mgr_error *err);
int snapshot_delete(struct mgr *mgr, int64_t id, struct mgr_error *err);
/* Keeps the newest conf->snapshot_keep snapshots of plugin_id. */
int snapshot_prune(struct mgr *mgr, const char *plugin_id,
		   struct mgr_error *err);
/* Resolves swaps interrupted by a crash (see above), waiting up to 10 s
 * (the database's busy_timeout) for a swap another process is settling
 * or running; MGR_EBUSY if one is still held then. */
int snapshot_recover(struct mgr *mgr, struct mgr_error *err);
/* The same with another bound: wait_ms 0 settles only what no live
 * process holds (see sweep.h). */
int swap_recover_all(struct mgr *mgr, int wait_ms, struct mgr_error *err);

/* Swapping a staged folder in place of plugins_directory/ID. */
struct swap {
	struct mgr *mgr;
	char *id;
	char *target;		/* plugins_directory/ID */
	char *journal;		/* .swap-ID.journal */
	char *stage;		/* .swap-ID.stage: fill it, then swap_commit */
	char *old;		/* .swap-ID.old */
	char token[64];
	int fd;			/* the journal, flock'ed */
	int had_old;
	int remove;		/* set before swap_commit: no new folder, the
				 * old one goes (an uninstall) */
};
/* Settles an interrupted swap of the same plugin, then creates the
 * journal (written and locked before it appears under its name) and an
 * empty stage folder.  MGR_EBUSY if another process is swapping the same
 * plugin. */
int swap_begin(struct mgr *mgr, const char *id, struct swap *s,
	       struct mgr_error *err);
/* Moves the old folder aside and stage/files in, then runs record (which
 * must write its rows with db_* calls; swap_commit wraps it in a
 * transaction with the token event), then removes the old folder.  Any
 * failure puts the old folder back. */
typedef int (*swap_record_fn)(struct mgr *mgr, void *arg, struct mgr_error *err);
int swap_commit(struct swap *s, const char *kind, const char *message,
		swap_record_fn record, void *arg, struct mgr_error *err);
/* Removes the stage and the journal; frees s. */
void swap_end(struct swap *s);

/* Folder holding snapshots, created 0700. */
char *snapshot_dir(struct mgr *mgr, struct mgr_error *err);

#endif
