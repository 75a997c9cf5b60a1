/* engine.h - the engine host: host lock, start-up and shutdown of the
 * loop's subsystems, signals, and the control plane (clients' commands
 * carried out by the host through the `commands` table).
 *
 * Exactly one process per database hosts the engine: it holds an exclusive
 * flock on "<db>.lock" and its row in the `host` table names it.  Other
 * processes are clients: they read the database directly and submit every
 * state-changing command line with engine_submit().
 */
#ifndef MGR_ENGINE_H
#define MGR_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"
#include "hostprobe.h"

struct mgr;

/* Host kinds (ENGINE_KIND_*): hostprobe.h. */

/* Takes the host lock (flock on "<db>.lock", 0600) and writes the host
 * row.  mgr->db must be open.  MGR_EBUSY, naming the running host's pid,
 * when another process hosts the engine. */
int engine_host_acquire(struct mgr *mgr, const char *kind, struct mgr_error *err);
/* standby.c: after engine_host_acquire said MGR_EBUSY on a database
 * server, waits as a standby host until this process holds the lock (0:
 * mgr->host set, as by engine_host_acquire), taking it from a holder
 * whose lease ran out; 1 when SIGTERM or SIGINT asked it to stop
 * instead; a code (err set) when it cannot wait. */
int engine_standby(struct mgr *mgr, const char *kind, struct mgr_error *err);
/* Whether the engine stopped because this host lost the lock (another
 * host fenced it): a daemon then exits 1, to start again as a standby. */
int engine_host_lost(const struct mgr *mgr);
void engine_host_release(struct mgr *mgr);

/* After engine_host_acquire: creates mgr->loop (the default libev loop)
 * if NULL, starts the plugins, the scheduler, the control plane, the HTTP
 * API when configured, and the SIGTERM/SIGINT/SIGHUP watchers (not for a
 * console host: the console handles its signals and calls engine_shutdown
 * and engine_reload itself).
 *
 * A console host's life:
 *	engine_host_acquire(mgr, ENGINE_KIND_CONSOLE, err); engine_start(mgr, err);
 *	... its own watchers on mgr->loop; ev_run ...
 *	on quit: engine_shutdown(mgr, grace, done) and, from done, ev_break;
 *	after the loop: engine_stop(mgr); engine_host_release(mgr); */
/* Connects the layers of a new context: the scheduler's events to the
 * circuit breaker and the plugins' hooks, plugin functions to the
 * runner, crash recovery to the opening of the database.  Every process
 * calls it once, before it opens the database. */
void engine_wire(struct mgr *mgr);

int engine_start(struct mgr *mgr, struct mgr_error *err);

/* This process's host in the registry (src/engine/hostreg.c), while
 * engine_start has registered it: fenced (it starts no new run: a
 * renewal found its epoch superseded, or none went through for 0.8 of
 * the lease, or another host took the engine) and draining, and the
 * database out of reach.  MGR_ENOENT when this process is no
 * registered host.  host_id is the host's own (valid until it stops). */
struct engine_host_reg {
	const char *host_id;
	int64_t epoch;
	int fenced, draining;
	/* The database out of reach since (mgr_now_us; 0: reachable), the
	 * heartbeat's next try in (us), and the runs whose records wait in
	 * memory for it. */
	int64_t down_since, retry_in_us;
	size_t waiting;
};
int engine_host_registry(struct mgr *mgr, struct engine_host_reg *out);
/* Sets host_id draining (1) or back to alive (0) in the registry; when
 * it is this host, its scheduler takes no due fire time from now on (or
 * again).  MGR_ENOENT: no such host; MGR_ECONFLICT: it is dead or left. */
int engine_host_drain(struct mgr *mgr, const char *host_id, int draining,
		      struct mgr_error *err);
/* Stops taking work, waits up to grace_seconds for running tasks, ends
 * the rest, then calls done from the loop (NULL: ev_break the loop).
 * SIGTERM and SIGINT call this with the configured grace. */
void engine_shutdown(struct mgr *mgr, int grace_seconds,
		     void (*done)(struct mgr *mgr));
/* Frees what engine_start created (after the loop has ended); keeps the
 * host lock (engine_host_release drops it). */
void engine_stop(struct mgr *mgr);
/* Told once a reload is over: rc 0, or err says what failed (a broken
 * configuration, which leaves the old one in force, or the first task
 * file refused). */
typedef void (*engine_reload_fn)(void *arg, int rc, const struct mgr_error *err);
/* Reloads the configuration and the declarative task files (SIGHUP): the
 * configuration at once, the task files read off the loop and applied in
 * slices, then done(arg, ...) from the loop.  Asked for while one goes
 * on, it starts when that one is over. */
void engine_reload(struct mgr *mgr, engine_reload_fn done, void *arg);

/* Client side: writes the command line (noun verb args) as a `commands`
 * row and waits up to timeout_ms (<= 0: MANAGER_COMMAND_TIMEOUT or 30 s)
 * for the host's answer: its stdout, stderr (malloc'd) and exit status.
 * MGR_ENOENT when no host takes commands; MGR_ETIMEOUT on timeout. */
int engine_submit(struct mgr *mgr, int argc, char **argv, int json,
		  int timeout_ms, char **out, char **errout, int *status,
		  struct mgr_error *err);
/* The same for a CMD_FOLLOWS command: timeout_ms bounds only the wait
 * for the host to take it; then the client waits for the answer as long
 * as the host lives (Ctrl-C ends the waiting, not the command). */
int engine_submit_follow(struct mgr *mgr, int argc, char **argv, int json,
			 int timeout_ms, char **out, char **errout,
			 int *status, struct mgr_error *err);

/* engine_submit or engine_submit_follow (follow set) with the client's
 * stdin sent along (input, ilen bytes; NULL: none): the host gives it to
 * the command as its stdin (cmd_ctx.in). */
int engine_submit_input(struct mgr *mgr, int argc, char **argv, int json,
			int timeout_ms, int follow, const char *input,
			size_t ilen, char **out, char **errout, int *status,
			struct mgr_error *err);
/* Whether the command line (noun verb args) reads stdin: its entry's
 * reads_stdin says so. */
struct cmd_table;
int engine_command_reads_stdin(const struct cmd_table *t, int argc,
			       char **argv);
/* A stream over input (len bytes; empty: /dev/null) for cmd_ctx.in. */
FILE *engine_stdin_stream(const char *input, size_t len);

/* 0 when a host runs (its pid, kind (malloc'd; may be NULL) and start
 * time, Unix microseconds), MGR_ENOENT when none does. */
int engine_host_info(struct mgr *mgr, int *pid, char **kind,
		     int64_t *started_at);

/* The CLI's road for a CMD_MUTATES command: submitted to the running
 * host, or carried out here as a short-lived host when none runs.
 * Prints what the command printed; returns its exit status. */
int engine_cli_command(struct mgr *mgr, int argc, char **argv, int json);
/* The CLI's road for a CMD_ASKS_HOST command: submitted to a running
 * host that takes commands, its exit status (what it printed printed);
 * ENGINE_NOT_ASKED when none runs (the caller runs it here). */
#define ENGINE_NOT_ASKED (-1)
int engine_cli_ask(struct mgr *mgr, int argc, char **argv, int json);
/* Runs one command line in this process with memory streams for its
 * output (malloc'd, never NULL); returns its exit status.  The road the
 * control plane and the HTTP API share. */
int engine_run_captured(struct mgr *mgr, int argc, char **argv, int json,
			char **out, char **errout);
/* engine_run_captured for a caller that can wait (the HTTP API): a
 * command that answers later (a cmd_later: `plugin enable`, `disable`
 * and `reload` whose host workers answer) returns CMD_EXIT_LATER with
 * *out and *errout NULL, and done(arg, status, out, errout) follows once,
 * from the loop (out and errout are done's to free).  Any other status
 * is the answer, now; done is not called. */
typedef void (*engine_later_fn)(void *arg, int status, char *out,
				char *errout);
int engine_run_later(struct mgr *mgr, int argc, char **argv, int json,
		     engine_later_fn done, void *arg, char **out,
		     char **errout);
/* The captured road (the console's): a CMD_MUTATES command goes to the
 * host when through_host (another process hosts the engine), everything
 * else runs here with memory streams; out and errout are malloc'd, never
 * NULL.  Returns the exit status. */
int engine_command(struct mgr *mgr, int through_host, int argc, char **argv,
		   int json, char **out, char **errout);

/* The engine folder's commands (cmd-host.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const engine_commands[];

#endif
