/* runner_int.h - the runner's insides, shared by runner.c (child
 * processes), runner_worker.c (sandbox workers) and, from the plugins
 * above, runner_plugin.c (plugin functions). */
#ifndef MGR_RUNNER_INT_H
#define MGR_RUNNER_INT_H

#include "runner.h"

#include <ev.h>
#include <sys/types.h>

struct proc_job;
struct runlog;
struct runlog_file;
struct pool;
struct wpool;
struct spawner;

/* A child's exit the loop reaped while spawns were in flight, perhaps
 * one of theirs (runner.c: proc_reaped_cb). */
struct early_exit {
	pid_t pid;
	int status;
	unsigned seq;			/* runner's spawn_seq when reaped */
};

struct runner {
	struct mgr *mgr;
	struct ev_loop *loop;
	char *helper;			/* manager-run */
	char *exec_helper;		/* manager-exec */
	struct proc_job *procs;		/* children in flight */
	struct pool *pool;		/* created on first in-process run */
	struct thread_job *threads;	/* in-process runs in flight */
	struct wpool *wpools;		/* sandbox workers, per plugin */
	unsigned seq;			/* worker request numbers */
	/* Spin before sleep of the calls into sandbox workers (spin.h):
	 * while a call is in flight and was sent less than SPIN_WAIT_US
	 * ago, an idle watcher keeps the loop polling (epoll_wait with no
	 * timeout) instead of sleeping; every other watcher is served
	 * meanwhile.  None while no call is in flight. */
	ev_idle wspin;
	int64_t wspin_until_ns;
	int wcalls;			/* calls sent and not answered */
	struct runlog *log;		/* full run logs; NULL: off */
	int devnull;			/* output no one keeps goes here */
	int active;
	/* exec: runs spawned off the loop (spawner.h): every child's exit
	 * (a watcher of any pid), kept while spawns are in flight, for one
	 * reaped before its pid came back; and runs whose child was reaped
	 * so, to be told of it. */
	struct spawner *spawner;
	ev_child reaped;
	struct early_exit *early;
	size_t nearly, capearly;
	unsigned spawn_seq;		/* spawns asked, a clock */
	unsigned answered_seq;		/* ... the last come back */
	int awaiting;
};

/* Spawns argv as an attempt (child process). */
int runner_spawn(struct runner *r, char **argv, int timeout, run_done_fn done,
		 void *arg, struct mgr_error *err);
/* The same with an environment (NULL: the engine's) and usage reported
 * by manager-exec --usage-fd=3. */
int runner_spawn_env(struct runner *r, char **argv, char *const *envp,
		     int timeout, run_done_fn done, void *arg,
		     struct mgr_error *err);
/* argv of manager-run with the configured limits, then mode. */
char **runner_helper_argv(struct runner *r, const char *mode);

/* The full log of the attempt spec describes, or NULL (off). */
struct runlog_file *runner_log_begin(struct runner *r,
				     const struct run_spec *spec);
/* What a plugin function's context keeps of mgr_task_output: enough for
 * the excerpt and the full log. */
size_t runner_output_max(const struct runner *r);

/* runner_worker.c: a plugin function in a reusable sandbox worker. */
int runner_worker_start(struct runner *r, const struct run_spec *spec,
			const char *plugin, const char *func, const char *lib,
			int64_t stamp, run_done_fn done, void *arg);
void runner_worker_interrupt_all(struct runner *r);
/* runner_stop for a run in a worker; 1 when found. */
int runner_worker_stop(struct runner *r, void *arg);
void runner_worker_free(struct runner *r);

#endif
