/* scheduler.h - the task manager (the seed's TaskManager and CoreThread):
 * tasks in SQLite, one libev timer for the earliest due task, runs in
 * sandboxed child processes or on a worker-thread pool, retries, misfire
 * handling with APScheduler's semantics, run history.
 *
 * Two layers:
 *  - taskmgr_*: the seed's add/remove/pause/resume/get/list/modify/run API.
 *    They validate, write the database and, when this process hosts the
 *    engine (mgr->sched != NULL), tell the scheduler.  Usable without an
 *    engine (a short-lived CLI host).
 *  - scheduler_*: the engine part, owned by the thread running mgr->loop.
 *    mgr->loop must be libev's default loop: child processes are reaped
 *    with ev_child, which libev offers on the default loop only.
 */
#ifndef MGR_SCHEDULER_H
#define MGR_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "store.h"

struct mgr;
struct trigger;

/* Loads every task, recomputes next runs, handles runs missed while the
 * engine was down (misfire_grace_time, coalesce), runs @reboot tasks once;
 * creates mgr->sched.  Needs mgr->loop and mgr->db. */
int scheduler_start(struct mgr *mgr, struct mgr_error *err);
/* What the scheduler tells the layers above it, through mgr->sched_events
 * (the engine wires them to the plugins: the circuit breaker and the
 * plugins' hooks), so the scheduler never calls up. */
struct sched_events {
	/* A run of a plugin's function crashed. */
	void (*run_crashed)(struct mgr *mgr, const char *plugin_id);
	/* "task.succeeded", "task.failed", "task.skipped", ... */
	void (*emit)(struct mgr *mgr, const char *kind, const char *task_id,
		     const char *message);
	/* A bulk command's transaction is over (sched_bulk.c): the loop's
	 * own writes held back meanwhile may go (the control plane claims
	 * the commands that came). */
	void (*bulk_written)(struct mgr *mgr);
};

/* Stops taking work, waits up to grace_seconds for runs in flight, then
 * kills them and records them as `interrupted`; calls done (may be NULL)
 * from the loop when all is over. */
void scheduler_shutdown(struct mgr *mgr, int grace_seconds,
			void (*done)(struct mgr *mgr));
/* Frees mgr->sched (after shutdown has completed) and sets it to NULL. */
void scheduler_free(struct mgr *mgr);
/* Re-reads one task row and (re)schedules it, or drops it when the row is
 * gone (after add, edit, pause, resume, remove). */
void scheduler_task_changed(struct mgr *mgr, const char *task_id);
/* The same for n tasks changed together (ids are copied), applied on
 * the loop in slices of a few milliseconds (sched_batch.c), each slice's
 * rows read in one read transaction; a task's row is read when its
 * slice comes.  _then: done(arg, 0) once the last one is applied, or
 * done(arg, 1) when the engine stops first (the rest are scheduled at
 * its next start); called before returning when there is nothing to
 * apply (no scheduler, or n 0). */
typedef void (*scheduler_applied_fn)(void *arg, int stopped);
void scheduler_tasks_changed(struct mgr *mgr, const char *const *ids,
			     size_t n);
void scheduler_tasks_changed_then(struct mgr *mgr, const char *const *ids,
				  size_t n, scheduler_applied_fn done,
				  void *arg);
/* A bulk command's writing, off the loop (sched_bulk.c): work(own,
 * NULL, arg) runs on a thread of its own, own being a copy of mgr with
 * its own database connection and none of the loop's parts (own NULL
 * and open_failed set when the connection could not be opened); then
 * done(arg) on the loop.  One at a time: MGR_EBUSY (err) while another
 * one's work runs.  The engine stopping waits for work to end, then
 * calls done. */
typedef void (*scheduler_bulk_fn)(struct mgr *own,
				  const struct mgr_error *open_failed,
				  void *arg);
typedef void (*scheduler_bulk_done_fn)(void *arg);
int scheduler_bulk_start(struct mgr *mgr, scheduler_bulk_fn work,
			 scheduler_bulk_done_fn done, void *arg,
			 struct mgr_error *err);
/* 1 while a bulk command's thread holds its transaction: on SQLite the
 * write lock, which a write on the loop would wait for (the busy
 * handler), holding every fire back; the loop puts off what can wait. */
int scheduler_bulk_writing(struct mgr *mgr);
/* Starts a run of the task now (outside its schedule). */
int scheduler_run_now(struct mgr *mgr, const char *task_id,
		      struct mgr_error *err);
/* The same, and done(arg, status) is called from the loop with the final
 * status (after any retries), unless the scheduler is freed first. */
typedef void (*scheduler_done_fn)(void *arg, const char *status);
int scheduler_run_now_notify(struct mgr *mgr, const char *task_id,
			     scheduler_done_fn done, void *arg,
			     struct mgr_error *err);
/* Starts a run now, as scheduler_run_now_notify, after writing its
 * `running` row: *run_id is the run's id, *scheduled_at its time. */
int scheduler_run_now_id(struct mgr *mgr, const char *task_id,
			 scheduler_done_fn done, void *arg, int64_t *run_id,
			 int64_t *scheduled_at, struct mgr_error *err);
/* Stops the task's runs going on (run_id 0), or the one run: SIGTERM to
 * its process group, SIGKILL kill_grace_seconds later (runner_stop); a
 * retry waiting ends.  *n: how many; when there were any, done(arg,
 * "stopped") is called once their ends are recorded.  A run id that is
 * not going is MGR_ENOENT. */
int scheduler_stop(struct mgr *mgr, const char *task_id, int64_t run_id,
		   scheduler_done_fn done, void *arg, int *n,
		   struct mgr_error *err);
/* Attempts of the task running now (not waiting for a retry). */
int scheduler_task_running(struct mgr *mgr, const char *task_id);
/* Re-reads tasks_directory at once (no engine running: the command
 * line; the engine's start reads them before its scheduler exists). */
int scheduler_reload_files(struct mgr *mgr, struct mgr_error *err);
/* Told once a reload of the task files is applied: rc 0, or err the
 * first file refused (each is logged as it is met). */
typedef void (*scheduler_reload_fn)(void *arg, int rc,
				    const struct mgr_error *err);
/* SIGHUP with an engine running: the files are read and compared on a
 * thread of their own and the difference applied on the loop a file at
 * a time, in slices of at most a few ms, so tasks keep firing on time;
 * then done(arg, ...) on the loop.  Asked during one, it starts again
 * when that one is over.  Without a running scheduler: at once. */
void scheduler_reload_files_start(struct mgr *mgr, scheduler_reload_fn done,
				  void *arg);
/* A reload of the task files goes on: the configuration it reads must
 * not be replaced until it is over. */
int scheduler_files_reloading(struct mgr *mgr);
/* Attempts in flight (and retries waiting for their turn). */
int scheduler_running_count(struct mgr *mgr);
/* hold 1: no due fire time is taken (claimed, recorded or started) until
 * hold 0; they stay due, and once released are taken as after any delay
 * (misfire grace, coalesce).  The one gate of scheduled runs: the engine
 * holds a fenced or draining host (src/engine/hostreg.c).  Runs in flight
 * go on; a manual `task run` is a person's explicit request and still
 * starts. */
void scheduler_hold(struct mgr *mgr, int hold);
/* Held as by scheduler_hold once this process's monotonic clock
 * (mgr_mono_us) passes mono_us, until a later call moves it (0: never).
 * The host sets it at each renewal of its lease to the time it would
 * fence itself: a host woken after a pause takes no due fire time before
 * its renewal has run, whatever its loop runs first. */
void scheduler_hold_after(struct mgr *mgr, int64_t mono_us);
/* Fire times that never became runs and leave no row of their own: taken
 * together by coalescing, past MAX_CATCHUP behind, or waiting when their
 * task was removed (its rows go with it).  Counted since start
 * (bench/sched_bench reports them beside the history's rows). */
struct sched_fire_counts {
	uint64_t coalesced, overrun, dropped;
};
void scheduler_fire_counts(struct mgr *mgr, struct sched_fire_counts *out);
/* The history writer's counts (sched_writer_stats); zeros before
 * the scheduler started. */
struct sched_writer_stats;
void scheduler_writer_stats(struct mgr *mgr, struct sched_writer_stats *out);
/* Waits until every finished run and task change is in the database
 * (they are written by a thread, in batches); returns at once while the
 * writer's connection is lost (the records wait in memory). */
void scheduler_sync_history(struct mgr *mgr);
/* The history writer's connection to the server broke (db_lost): the
 * engine says when the host may write again (reconnect: the writer
 * makes its connection again and writes what waited, if verified_mono,
 * the time the host last knew itself the engine, is after the loss was
 * found), or that another host has the engine (fenced: what waits is
 * dropped).  Both do nothing
 * while the writer's connection is fine.  *waiting: runs whose records
 * wait in memory. */
void scheduler_db_reconnect(struct mgr *mgr, int64_t verified_mono);
void scheduler_db_fenced(struct mgr *mgr);
size_t scheduler_db_waiting(struct mgr *mgr);
/* Runs the task once in the foreground, with its retries, in this process
 * (no engine running); *status gets the last attempt's status (static
 * string); run_id not NULL: the first attempt's row is written at its
 * start, and *run_id is its id. */
int scheduler_run_foreground(struct mgr *mgr, const char *task_id,
			     const char **status, int64_t *run_id,
			     struct mgr_error *err);

/* Builds the trigger of a stored task (trigger + trigger_args JSON). */
int task_trigger_build(const struct task_rec *t, struct trigger **out,
		       struct mgr_error *err);
/* The same, with zones from a cache (tz.h); NULL: none. */
struct tz_cache;
int task_trigger_build_zones(const struct task_rec *t, struct tz_cache *zones,
			     struct trigger **out, struct mgr_error *err);

/* The seed's TaskManager.  `fields` are trigger fields "NAME=VALUE"; NULL
 * means t->trigger_args is already prepared (task_prepare). */
int taskmgr_add(struct mgr *mgr, struct task_rec *t, const char *const *fields,
		size_t nfields, struct mgr_error *err);
/* Replaces the task's row with t; when fields is not NULL the trigger is
 * rebuilt from t->trigger and fields (reschedule). */
int taskmgr_modify(struct mgr *mgr, struct task_rec *t,
		   const char *const *fields, size_t nfields,
		   struct mgr_error *err);
int taskmgr_remove(struct mgr *mgr, const char *id, struct mgr_error *err);
int taskmgr_pause(struct mgr *mgr, const char *id, struct mgr_error *err);
int taskmgr_resume(struct mgr *mgr, const char *id, struct mgr_error *err);
/* Either, with the trigger's zones from a cache (NULL: none) for one
 * who resumes many (the HTTP API's groups). */
int taskmgr_set_enabled(struct mgr *mgr, const char *id, int enabled,
			struct tz_cache *zones, struct mgr_error *err);
int taskmgr_get(struct mgr *mgr, const char *id, struct task_rec *out,
		struct mgr_error *err);
int taskmgr_list(struct mgr *mgr, struct task_rec **out, size_t *n,
		 struct mgr_error *err);

/* A task's execution context (task_context.h): read, and replaced (the
 * caller checked it with task_context_check). */
struct task_context;
int taskmgr_get_context(struct mgr *mgr, const char *id,
			struct task_context *c, struct mgr_error *err);
int taskmgr_set_context(struct mgr *mgr, const char *id,
			const struct task_context *c, struct mgr_error *err);

/* Validates t (id, func, numbers) and, when fields is not NULL, parses,
 * pins and stores its trigger fields in t->trigger_args and its first
 * fire time in t->next_run. */
int task_prepare(struct task_rec *t, const char *const *fields, size_t n,
		 struct mgr_error *err);
/* The same, with the trigger's zones from a cache (tz.h; NULL: none), for
 * many tasks at once (task files, bulk adds). */
int task_prepare_zones(struct task_rec *t, const char *const *fields, size_t n,
		       struct tz_cache *zones, struct mgr_error *err);

/* The misfire grace of t in seconds (0: no limit): its own, or for
 * TASK_GRACE_DEFAULT the configured manager.misfire_grace_time, so that a
 * changed default applies to every task that never set one. */
int task_misfire_grace(const struct mgr *mgr, const struct task_rec *t);

/* Checks a func_path: "PLUGIN:FUNCTION" or "exec:COMMAND ARG...". */
int task_func_check(const char *func_path, struct mgr_error *err);

/* ISO 8601 in UTC for the JSON of tasks and runs, null for "none". */
struct json_t;
struct json_t *task_json_time(int64_t us);
/* The API's TaskRead of a task row (cmd-task.c); misfire_grace_time is
 * the one that applies. */
struct json_t *task_json_rec(const struct mgr *mgr, const struct task_rec *t);

/* The tasks folder's commands (cmd-task.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const task_commands[];

#endif
