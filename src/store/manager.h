/* manager.h - the engine context and the mgr_* facade that the CLI, the
 * console and the HTTP API all call (the seed's Manager).
 *
 * Everything in struct mgr belongs to the thread running its loop; other
 * threads talk to it only through ev_async and a locked queue.
 */
#ifndef MGR_MANAGER_H
#define MGR_MANAGER_H

#include <stdint.h>
#include "conf.h"
#include "db.h"
#include "error.h"
#include "log.h"
#include "store.h"

struct ev_loop;
struct plugins;		/* plugins.c: installed and loaded plugins */
struct scheduler;	/* scheduler.c: timers, runs */
struct host;		/* engine.c: host lock, control plane */
struct reloader;	/* reloader.c: hot reload watchers */
struct sched_events;	/* scheduler.h: what the scheduler tells above */
struct runner_plugin_ops;	/* runner.h: how plugin functions run */
struct cmd_table;	/* cmd.h: the program's commands */

struct mgr {
	struct mgr_conf *conf;
	struct conf_origin *origins;	/* where each setting came from */
	size_t norigins;
	struct mgr_log log;
	struct mgr_db *db;		/* NULL until mgr_open_db */
	struct ev_loop *loop;		/* the engine loop when hosting */
	struct plugins *plugins;
	struct scheduler *sched;
	struct host *host;
	struct reloader *reloader;	/* NULL unless hot reload runs */
	const char *argv0;		/* for finding manager-run */
	/* Set by the layer above that wires the program (engine_wire), so
	 * that the lower layers never call up: */
	const struct sched_events *sched_events;	/* NULL: nobody listens */
	const struct runner_plugin_ops *plugin_runner;	/* NULL: no plugins */
	const struct cmd_table *commands;	/* the program's command table */
	void (*recover)(struct mgr *mgr);	/* after mgr_open_db */
	/* The plugins' function lists a command asked for where no host
	 * keeps them (a bulk command's thread, a CLI alone: functions.c),
	 * each plugin's asked once, not once per line; with what frees it
	 * (mgr_close, or the copy's owner).  NULL: none asked yet. */
	void *funcs_memo;
	void (*funcs_memo_free)(void *memo);
};

/* Loads the configuration and opens the log. Warnings about the config
 * file go to `warnings` (may be NULL). */
int mgr_open(const struct conf_source *src, struct mgr **out,
	     struct mgr_error *err);
/* Opens the database named by the configuration (idempotent). */
int mgr_open_db(struct mgr *mgr, struct mgr_error *err);
/* The same for a command that only reads: when the database file does
 * not exist, an empty one in memory instead, so that the command reads
 * no rows and leaves no file or folder behind. */
int mgr_open_db_or_empty(struct mgr *mgr, struct mgr_error *err);
void mgr_close(struct mgr *mgr);

/* Records an event (audit trail, console's live log); logs it too. */
int mgr_event(struct mgr *mgr, const char *kind, const char *subject,
	      struct mgr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
