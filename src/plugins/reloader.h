/* reloader.h - hot reload of plugins with automatic rollback (the seed's
 * PluginReloader and PluginLoader.reload).
 *
 * With hot_reload = true, the engine host watches the library and the
 * plugin.conf of every plugin loaded in it (ev_stat: inotify on Linux).
 * A change is debounced (reload_debounce_ms: files are written in several
 * steps), then:
 *
 *   validate the folder (manifest, ELF, probe child running on_enable)
 *   -> snapshot the running version (reason "reload")
 *   -> on_disable, unload, purge -> load a fresh shadow copy -> on_enable
 *
 * If a step fails the folder is swapped back to the running version's
 * files (the reloader keeps a copy of them in state_directory/reload/ID:
 * state, not cache, as a failed reload cannot roll back without it),
 * the row is put back, the old code loaded again, and the failure is
 * recorded in events (plugin.reload_failed, with the reason); a crash
 * counts towards the fault breaker (fault.h).  Sandboxed runs load the
 * library from the plugin folder, so runs in progress finish on the old
 * code and new runs start on whatever the folder holds: the new code once
 * it passed, the old files again after a rollback.  With sandboxing the
 * plugin's host worker is swapped, not reloaded: a new worker on the new
 * files runs on_enable first, and only then does the running one get
 * on_disable and end; when the new one fails, the running worker (the
 * same process) keeps serving and only files and row are put back
 * (tests/reload/sandbox.sh).
 */
#ifndef MGR_RELOADER_H
#define MGR_RELOADER_H

#include "error.h"

struct mgr;

/* Settles interrupted swaps, then (hot_reload) watches every plugin
 * loaded here; needs mgr->loop.  Creates mgr->reloader. */
int reloader_start(struct mgr *mgr, struct mgr_error *err);
void reloader_stop(struct mgr *mgr);
/* A plugin went live here (its worker, started from the loop at the
 * engine's start, answered): the watches follow now, not at the next
 * resync, so that a change right after is not missed. */
void reloader_resync(struct mgr *mgr);

/* Reloads plugin id now, as a change would (manager plugin reload).
 * Works without a host too: then only files and rows are concerned. */
int reloader_reload(struct mgr *mgr, const char *id, struct mgr_error *err);

/* The same from the engine's loop for a plugin its host worker serves
 * here (plugins_later_ok): the new worker's on_enable and the old one's
 * on_disable are not waited for; PLUGINS_LATER (plugins.h), and
 * done(arg, rc, err) follows with reloader_reload's answer.  Any other
 * return is the answer, now (done is not called). */
typedef void (*reloader_done_fn)(void *arg, int rc,
				 const struct mgr_error *err);
int reloader_reload_later(struct mgr *mgr, const char *id,
			  reloader_done_fn done, void *arg,
			  struct mgr_error *err);

/* The files of plugin id were replaced on purpose (snapshot restore,
 * upgrade, uninstall): a watch takes them as the running version without
 * a reload; without a watch, the kept copy of the running version is
 * dropped (stale). */
void reloader_adopt(struct mgr *mgr, const char *id);

#endif
