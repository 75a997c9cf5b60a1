/* hostprobe.h - whether an engine host holds a store, probed from any
 * process without taking the lock (src/engine takes it).
 *
 * One process per store hosts the engine: it holds the backend's one-host
 * lock (db_host_lock; SQLite: an flock on "<db>.lock").  The probe lives
 * here, below src/engine, so that commands of every folder (`task list`)
 * can ask it. */
#ifndef MGR_HOSTPROBE_H
#define MGR_HOSTPROBE_H

#include <stddef.h>

struct mgr_db;

/* Host kinds written to the lock file and the host row. */
#define ENGINE_KIND_DAEMON	"daemon"
#define ENGINE_KIND_CONSOLE	"console"
#define ENGINE_KIND_CLI		"cli"	/* short-lived: takes no commands */

/* Probes the lock without taking it: 1 held by another process, 0 free
 * (db_host_holder also tells who). */
int host_lock_held(struct mgr_db *db);
/* 1 when a host that runs the scheduler (a daemon, a console, or one still
 * starting) holds the lock; 0 when none does or only a short-lived CLI
 * host, which fires nothing. */
int host_engine_running(struct mgr_db *db);

#endif
