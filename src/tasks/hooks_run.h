/* hooks_run.h - the scheduler's side of notifications and dependencies
 * (issue 14): what happens when a fire time has its final outcome.
 *
 * Called from the scheduler's files at a few places only:
 * scheduler_start (hooks_open), scheduler_task_changed
 * (hooks_task_changed), scheduler_free (hooks_close, hooks_free), the end
 * of an attempt that is not retried and the recording of a fire time
 * that never ran (hooks_final).  Everything runs on the loop; what is
 * slow (a notification's command, mail, webhook) runs as a child process
 * through the runner, with a timeout. */
#ifndef MGR_HOOKS_RUN_H
#define MGR_HOOKS_RUN_H

#include <ev.h>
#include <stdint.h>
#include "store.h"

struct scheduler;
struct stask;
struct notify_job;
struct hook_task;
struct attempt;
struct group_count;

struct hooks_state {
	struct scheduler *s;
	struct hook_task **v;		/* by id: tasks with hooks, upstreams */
	size_t n, cap;
	char *defaults[5];		/* manager.on_*, checked; NULL: none */
	int any_default;
	int closing;
	struct notify_job *waiting;	/* notifications waiting to retry */
	/* Limits: attempts running, in all and by concurrency group. */
	int running;
	struct group_count *groups;
	size_t ngroups;
	int dequeuing, again;
	/* Attempts queued by the limits, or more (one that ended while
	 * queued is counted until the next scan): 0 spares each ending
	 * attempt a walk over every attempt in flight. */
	size_t nqueued;
	ev_timer start;			/* dependencies met while down */
};

/* Reads every task's hooks (before the tasks load, so that every attempt
 * is counted against the limits) and, once the loop runs, sends the
 * notifications owed since before this start and starts the tasks
 * whose dependencies were met while the engine was down. */
struct hooks_state *hooks_open(struct scheduler *s);
/* A task was added, changed or removed: its hooks are read again. */
void hooks_task_changed(struct hooks_state *hs, const char *task_id);
/* r: the fire time's final record (its last attempt, or missed, skipped,
 * interrupted), as just recorded. */
void hooks_final(struct hooks_state *hs, struct stask *t,
		 const struct run_rec *r);
/* Whether attempt a may start now (manager.max_concurrent_runs, the
 * max_concurrent of its task's concurrency group).  When it may not, it
 * waits `queued` (a->waiting with its timer unarmed: stop, pause and
 * shutdown end it as a waiting retry) and 1 is returned. */
int hooks_admit(struct hooks_state *hs, struct attempt *a);
/* a's run is over: its place goes to the oldest queued attempt that
 * fits. */
void hooks_release(struct hooks_state *hs, struct attempt *a);
/* No more notifications start; waiting retries end (still owed: the
 * next start sends them). */
void hooks_close(struct hooks_state *hs);
void hooks_free(struct hooks_state *hs);

/* notify_run.c: one notification, owed from the batch that records its
 * run (notify_store.h) and sent once that batch is committed.  action:
 * "exec:...", "mail:...", "webhook:..."; event: "on_failure", ... */
struct notify_job;
struct notify_job *notify_job_new(struct scheduler *s, const char *action,
				  const char *event, const struct run_rec *r);
void notify_job_send(struct notify_job *j);
/* At the start: the notifications an engine before this one owed are
 * sent (or given up, after too many starts) once the loop runs. */
void notify_restart(struct scheduler *s);
/* Ends the jobs waiting to retry, which stay owed (hooks_close). */
void notify_close(struct scheduler *s);

#endif
