/* runner.h - one attempt of a task (the seed's CoreThread.execute).
 *
 * exec: tasks always run as child processes: through manager-run (limits,
 * no_new_privs, closed descriptors, then exec) when sandboxing is on,
 * spawned directly otherwise.  PLUGIN:FUNCTION tasks run in manager-run
 * when sandboxing is on and on the worker-thread pool when it is off.
 * Child processes: posix_spawn, output through a pipe watched by ev_io,
 * exit through ev_child, timeout by SIGTERM to the process group and
 * SIGKILL kill_grace_seconds later.  Everything here runs on the loop
 * thread except the pool's task functions and the spawning of exec:
 * runs (spawner.h), whose pid and pipes come back to the loop.
 */
#ifndef MGR_RUNNER_H
#define MGR_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr;
struct runner;

struct run_spec {
	const char *task_id;
	const char *func_path;		/* "exec:..." or "PLUGIN:FUNCTION" */
	int timeout;			/* seconds, 0 = none */
	char *const *args;		/* "NAME=VALUE" for plugin functions */
	/* The execution context (task_context.h) of exec: runs: the whole
	 * environment (NULL: the engine's), and what manager-exec applies
	 * (NULL, -1 and 0: unchanged). */
	char *const *envp;
	const char *workdir, *user, *group;
	int umask;
	int nice;
	/* The sandbox (task_context.h): strict confinement with its
	 * network, private /tmp and paths; the I/O class; the limits that
	 * replace the sandbox_* defaults (0: the default). */
	int strict, network, private_tmp;
	char *const *read_only, *const *write;
	const char *ioprio;
	int limit_cpu, limit_memory, limit_nofile;
	/* A variable of envp whose value the command reads on its stdin
	 * (manager-exec --stdin-env); NULL: stdin is /dev/null. */
	const char *stdin_env;
	/* The command dies with the engine (manager-exec --parent): a
	 * notification, which the next start sends again. */
	int die_with_engine;
	/* The run's key in the history, which names its full log (runlog.h);
	 * scheduled_at 0: no log. */
	int64_t scheduled_at;
	int attempt;
};

/* How an attempt ended; handed to the done callback, which owns the
 * strings (free with run_outcome_clear). */
struct run_outcome {
	const char *status;	/* succeeded failed timed_out crashed interrupted
				 * stopped */
	int exit_code;		/* -1 when none */
	int signal;		/* 0 when none */
	char *output;		/* excerpt of stdout and stderr, or NULL */
	char *error;		/* one line saying what went wrong, or NULL */
	int64_t started_at;	/* Unix µs */
	int64_t ended_at;
	/* From wait4's rusage of the command; 0: not measured. */
	int64_t user_us, sys_us, max_rss_kb;
	/* Its full log when small enough for the history to keep
	 * (runlog_end), log_len bytes of records; NULL: a file, or none. */
	char *log;
	size_t log_len;
};

typedef void (*run_done_fn)(struct run_outcome *o, void *arg);

/* How PLUGIN:FUNCTION attempts run: src/plugins/runner_plugin.c, handed
 * down as mgr->plugin_runner by the layer that wires the program, so the
 * tasks never call into the plugins. */
struct runner_plugin_ops {
	int (*start)(struct runner *r, const struct run_spec *spec,
		     run_done_fn done, void *arg, struct mgr_error *err);
	void (*interrupt_all)(struct runner *r);
	/* runner_stop for in-process runs (cooperative cancel); may be NULL. */
	int (*stop)(struct runner *r, void *arg);
	/* A task's PLUGIN:FUNCTION when it is added or changed: an error
	 * when the installed plugin has no such function; *missing when the
	 * plugin is not installed.  May be NULL. */
	int (*check)(struct mgr *mgr, const char *func_path, int *missing,
		     struct mgr_error *err);
	/* check without waiting on the loop for the plugin's list: 1 and
	 * done(arg, rc, missing, err) later (from the loop), or the answer
	 * now.  May be NULL. */
	int (*check_later)(struct mgr *mgr, const char *func_path,
			   int *missing, void (*done)(void *arg, int rc,
			   int missing, const struct mgr_error *err),
			   void *arg, struct mgr_error *err);
};

struct runner *runner_new(struct mgr *mgr, struct mgr_error *err);
/* Starts an attempt; done is called later, from the loop, exactly once.
 * An error (a command line that does not split, the plugin is not
 * loaded) means done will not be called; an exec: command that cannot
 * be spawned is known later, off the loop: its done says failed. */
int runner_start(struct runner *r, const struct run_spec *spec,
		 run_done_fn done, void *arg, struct mgr_error *err);
/* Ends every attempt now: SIGKILL to children, cancel for threads; their
 * outcomes say `interrupted`. */
void runner_interrupt_all(struct runner *r);
/* Ends the attempt whose done argument is arg, as asked by a person:
 * SIGTERM to its process group, SIGKILL kill_grace_seconds later (for a
 * plugin function in a worker: SIGTERM is its cooperative cancel); its
 * outcome says `stopped`.  1 when it was found. */
int runner_stop(struct runner *r, void *arg);
/* Retention and the total cap of the run logs, off the loop. */
void runner_housekeeping(struct runner *r);
/* Attempts started and not yet done. */
int runner_active(const struct runner *r);
/* After every attempt is done. */
void runner_free(struct runner *r);

void run_outcome_clear(struct run_outcome *o);
/* Keeps at most max bytes of text, then notes how much was dropped. */
char *run_excerpt(const char *buf, size_t len, size_t max, size_t dropped);

#endif
