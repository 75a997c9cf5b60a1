/* hostprobe.h - whether an engine host holds a database, probed from any
 * process without taking the lock (the lock itself is src/engine's).
 *
 * One process per database hosts the engine: it holds an exclusive flock
 * on "<db>.lock" and writes "PID KIND" into it.  The probe lives here, below
 * src/engine, so that commands of every folder (`task list`) can ask it. */
#ifndef MGR_HOSTPROBE_H
#define MGR_HOSTPROBE_H

#include <stddef.h>

/* Host kinds written to the lock file and the host row. */
#define ENGINE_KIND_DAEMON	"daemon"
#define ENGINE_KIND_CONSOLE	"console"
#define ENGINE_KIND_CLI		"cli"	/* short-lived: takes no commands */

/* The lock file path for a database path (malloc'd). */
char *host_lock_path(const char *db_path);
/* Probes the lock without taking it: 1 held by another process, 0 free. */
int host_lock_held(const char *db_path);
/* As host_lock_held, and reads the holder's pid and kind from the lock
 * file (0 and "" while the holder has not written them yet). */
int host_lock_holder(const char *db_path, int *pid, char *kind, size_t kindsz);
/* 1 when a host that runs the scheduler (a daemon, a console, or one still
 * starting) holds the lock; 0 when none does or only a short-lived CLI
 * host, which fires nothing. */
int host_engine_running(const char *db_path);

#endif
