/* plugins.h - plugin lifecycle (the seed's PluginManager): install,
 * enable, disable, uninstall; loading enabled plugins when the engine
 * starts; hooks and routes of loaded plugins.
 *
 * State lives in SQLite; every change is one transaction with an events
 * row.  mgr->plugins (created by plugins_start) holds the plugins loaded
 * live in this process: only a process hosting the engine has them.
 * With sandboxing = false a live plugin is loaded in-process, for hooks,
 * routes and the unsandboxed worker pool; with sandboxing = true it is
 * served by its confined host worker (host_worker.h) and never mapped
 * here.  A short-lived CLI (mgr->plugins NULL) changes the database and
 * files only.
 *
 * Enabling runs the plugin's on_enable first in a probe (validator.h:
 * a child, confined as a host worker with sandboxing), so a crashing or
 * refusing on_enable marks the plugin faulted/disabled with the error
 * stored and never takes the engine down; when this process hosts the
 * engine, the plugin is then loaded here and on_enable runs again to
 * register its hooks and routes (with sandboxing, the host worker's
 * start is that probe: on_enable runs once, confined).
 */
#ifndef MGR_PLUGINS_H
#define MGR_PLUGINS_H

#include "error.h"

struct mgr;
struct loaded_plugin;
struct plugin_host;

enum plugin_install_flags {
	PLUGIN_INSTALL_FORCE = 1 << 0,	/* same version or downgrade */
	PLUGIN_INSTALL_NO_ENABLE = 1 << 1, /* even with auto_enable */
	PLUGIN_INSTALL_ACCEPT_PERMISSIONS = 1 << 2, /* an upgrade asks more */
};

/* Loads the enabled plugins, dependencies first.  With host workers
 * (plugins_later_ok) their workers start from the loop, one after
 * another, and this returns at once: the scheduler starts meanwhile, a
 * plugin serves (hooks, routes) once its on_enable answered, and an
 * enable, disable or reload of one of them is busy until they all have. */
int plugins_start(struct mgr *mgr, struct mgr_error *err);
void plugins_stop(struct mgr *mgr);

/* source: folder, .zip, or NAME[@CONSTRAINT] from the repositories.
 * *installed_id (may be NULL) gets the id.  With auto_enable, enables it
 * too; if that fails the plugin stays installed and the error says so. */
int mgr_plugin_install(struct mgr *mgr, const char *source, int flags,
		       char **installed_id, struct mgr_error *err);
/* The same, the package pinned to repository repo (NULL: any). */
int mgr_plugin_install_from(struct mgr *mgr, const char *source,
			    const char *repo, int flags, char **installed_id,
			    struct mgr_error *err);
/* In the client, before plugin install|upgrade (argv: the command line
 * from the noun) goes to a host: downloads remote indexes and the
 * archives the command will install into the repositories' cache, so
 * that the host only reads files (repository.h).  Warnings (a server
 * down: the cache is used) go to warn. */
int plugin_prefetch(struct mgr *mgr, int argc, char **argv, FILE *warn,
		    struct mgr_error *err);

/* Enables dependencies first.  Enabling an enabled plugin is a no-op. */
int mgr_plugin_enable(struct mgr *mgr, const char *id, struct mgr_error *err);
/* Refused (MGR_ECONFLICT) while an enabled plugin depends on id, unless
 * cascade, which disables those first. */
int mgr_plugin_disable(struct mgr *mgr, const char *id, int cascade,
		       struct mgr_error *err);
/* The same from the engine's loop, when its plugins are served by host
 * workers (plugins_later_ok): the loop sends on_enable (or on_disable)
 * and goes on; PLUGINS_LATER, and done(arg, rc, err) follows from the
 * loop once the workers answered or timed out, with what the waiting
 * function would have returned (the row, events and the breaker are
 * updated first).  Any other return is the answer, now (done is not
 * called); MGR_EBUSY while another of these concerns the plugin.
 * Otherwise they are mgr_plugin_enable and mgr_plugin_disable. */
#define PLUGINS_LATER 1
typedef void (*plugins_done_fn)(void *arg, int rc, const struct mgr_error *err);
int plugins_later_ok(struct mgr *mgr);
int mgr_plugin_enable_later(struct mgr *mgr, const char *id,
			    plugins_done_fn done, void *arg,
			    struct mgr_error *err);
int mgr_plugin_disable_later(struct mgr *mgr, const char *id, int cascade,
			     plugins_done_fn done, void *arg,
			     struct mgr_error *err);
/* mgr_plugin_install_from, its auto_enable's enable answered later in
 * the same way: *installed_id (not NULL) is set once installed; then
 * PLUGINS_LATER and done(arg, rc, err) with the enable's outcome (an
 * error saying the plugin was installed but not enabled), or the
 * answer now. */
int mgr_plugin_install_later(struct mgr *mgr, const char *source,
			     const char *repo, int flags, char **installed_id,
			     plugins_done_fn done, void *arg,
			     struct mgr_error *err);
/* 1 (err set) while one of them concerns id. */
int plugins_busy(struct mgr *mgr, const char *id, struct mgr_error *err);
/* Disables, removes the files and the rows; the plugin's tasks are
 * deleted unless keep_tasks. */
int mgr_plugin_uninstall(struct mgr *mgr, const char *id, int keep_tasks,
			 struct mgr_error *err);

/* Loaded (in-process) plugins, NULL when not loaded here. */
/* The path of an installed plugin's library: its folder and the
 * manifest's `library` (malloc'd). */
struct plugin_rec;
char *plugin_rec_library(const struct plugin_rec *rec);
struct loaded_plugin *plugins_loaded(struct mgr *mgr, const char *id);
/* 1 when id is live here: loaded, or served by its host worker. */
int plugins_live(struct mgr *mgr, const char *id);
struct plugin_host *plugins_host(struct mgr *mgr, const char *id);
/* The host's lists of plugins' task functions (functions.h), NULL when
 * this process does not host plugins. */
struct funcs_cache *plugins_funcs_cache(struct mgr *mgr);

/* Unloads (on_disable) if loaded and loads again (fresh shadow copy,
 * on_enable) plugin id, from its current row and folder, when this
 * process hosts plugins (mgr->plugins); nothing otherwise.  On failure
 * the plugin is left unloaded.  For the
 * reloader and snapshot restore (reloader.c, snapshot.c). */
int plugins_live_reload(struct mgr *mgr, const char *id, struct mgr_error *err);
/* The reloader's: as plugins_live_reload, but a plugin served by its
 * host worker gets a new worker on its current files, started before the
 * running one stops, so that on failure the running worker keeps
 * serving.  *unloaded: 1 when the code that ran before is no longer live
 * (the failure left nothing loaded), 0 when it still serves. */
int plugins_live_swap(struct mgr *mgr, const char *id, int *unloaded,
		      struct mgr_error *err);

/* plugins_live_swap answered later, for a plugin served by its host
 * worker here (else MGR_EINVAL): the new worker starts, and once its
 * on_enable answered it serves and the old one stops (its on_disable
 * awaited); then done(arg, rc, err).  On failure the old worker keeps
 * serving (as plugins_live_swap with *unloaded = 0).  PLUGINS_LATER, or
 * the error now. */
int plugins_live_swap_later(struct mgr *mgr, const char *id,
			    plugins_done_fn done, void *arg,
			    struct mgr_error *err);

/* Calls hooks of loaded plugins registered for event. */
/* runner_plugin.c: how PLUGIN:FUNCTION attempts run (mgr->plugin_runner). */
extern const struct runner_plugin_ops plugin_runner_ops;
void plugins_emit(struct mgr *mgr, const char *event, const char *subject,
		  const char *message);
/* Calls the route of plugin_id for method and path.  Loaded here: 0
 * with *out_body and *status.  Served by its host worker:
 * PLUGINS_ROUTE_LATER, and done(arg, answer) follows (host_worker.h)
 * unless *ticket is given to plugins_route_cancel first.  MGR_ENOENT if
 * the plugin is not live or has no such route; MGR_EBUSY (err set) when
 * too many calls wait for its worker. */
#define PLUGINS_ROUTE_LATER 1
struct hostw_answer;
int plugins_route(struct mgr *mgr, const char *plugin_id, const char *method,
		  const char *path, const char *body, char **out_body,
		  int *status, void (*done)(void *arg, struct hostw_answer *a),
		  void *arg, void **ticket, struct mgr_error *err);
void plugins_route_cancel(void *ticket);
/* The methods plugin_id registered for path ("GET, POST"), "" if none
 * (the Allow header of a 405). */
void plugins_route_methods(struct mgr *mgr, const char *plugin_id,
			   const char *path, char *buf, size_t size);

/* The plugins folder's commands (cmd-plugin.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const plugin_commands[];

#endif
