/* sched_int.h - the scheduler's insides, shared by its files:
 * scheduler.c (timers, attempts, retries, history), sched_index.c (the id
 * table and the heap of fire times), sched_files.c (tasks_directory). */
#ifndef MGR_SCHED_INT_H
#define MGR_SCHED_INT_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include "scheduler.h"
#include "store.h"
#include "task_context.h"

struct mgr;
struct runner;
struct trigger;
struct attempt;
struct sched_writer;
struct sched_claim;
struct tz_cache;
struct write_after;
struct notify_write;
struct notify_rec;

#define SCHED_NOT_IN_HEAP UINT32_MAX

#define US INT64_C(1000000)
#define MAX_CATCHUP 10000	/* fire times collected per due task */
#define HOUSEKEEPING_S 300.0
#define FLUSH_EVERY_S 0.05	/* longest a finished run waits to be written */
#define FLUSH_MAX_RUNS 8192
#define WRITER_MAX_BACKLOG 64	/* batches */
#define TASK_ROW_EVERY_S 5.0	/* rows whose status is unchanged */
#define TASK_ROW_BUSY_S 60.0	/* ... while the writer is behind */
#define TASK_ROWS_PER_BATCH 8192	/* task rows a flush hands over */
/* Deferred rows a flush looks at and hands over, of a rows pass: 8,192
 * cost the loop 3.3-4.6 ms of CPU a flush (malloc's page faults for
 * their copies, mostly), this about 1 ms; 150,000 rows take about 4 s
 * of flushes at 20 a second, within TASK_ROW_EVERY_S. */
#define TASK_ROWS_PASS 2048
#define DUE_BUDGET_US 2000	/* a wake-up's work before the loop goes on */
#define DUE_CHECK_EVERY 64	/* due tasks between two looks at the clock */
#define RUNNING_ROW_AFTER_S 1.0	/* a run this old gets its `running` row */

/* What the scheduler keeps of a task's row besides its id, func_path
 * and plugin_id (struct stask's text): what firing and starting a run
 * read, for as long as the engine runs (issue 18's bytes per task).  The
 * row's name, status, source and timestamps stay in the store (the
 * scheduler writes status and times, it never reads them back), its
 * trigger text is t->trig and t->trig_hash, its last_run t->last_run;
 * each scalar is the row's, the booleans and the on_interrupt enum in a
 * byte. */
struct sched_rec {
	int max_retries;
	int timeout;			/* seconds, 0 = none */
	int misfire_grace_time;		/* or TASK_GRACE_DEFAULT */
	int max_instances;
	unsigned char enabled;
	unsigned char coalesce;
	unsigned char on_interrupt;	/* enum task_on_interrupt */
};

/* What few tasks have, apart from struct stask (issue 18's bytes per
 * task): run times waiting for a free instance (max_instances reached,
 * or claimed by an engine that stopped), a context of their own once
 * read, and func_path and plugin_id once a changed row's differ from
 * those the task was created with.  Freed once none is left
 * (task_side_release). */
struct stask_side {
	size_t nbacklog, capbacklog;
	size_t backlog_rows;		/* the first ones have `claimed` rows */
	int64_t *backlog;		/* the run times */
	int64_t *backlog_ids;		/* ... the first rows' run ids */
	struct task_context *ctx;	/* read at its first run; NULL: not yet */
	char *text;			/* func_path, then plugin_id; or NULL */
	unsigned char has_plugin;	/* text holds a plugin_id */
};

/* One task as the scheduler holds it: one per task for as long as the
 * engine runs, so the flags are bits, the times it keeps for its own
 * decisions 32-bit, its statuses codes of a few bits (task_status_code),
 * the members ordered to leave no holes and the text in the same
 * allocation (issue 18's bytes per task: 112 bytes and the text). */
struct stask {
	struct sched_rec rec;
	/* flags: a bit each */
	unsigned in_backlog : 1;	/* task_run_backlog is running */
	unsigned removed : 1;		/* row gone; freed when inflight is 0 */
	unsigned plugin_off : 1;	/* its plugin is not enabled */
	unsigned dirty : 1;		/* row needs writing */
	unsigned deferred : 1;		/* row written later (TASK_ROW_EVERY_S) */
	unsigned ctx_none : 1;		/* its context is known to be the
					 * defaults: the scheduler's no_ctx */
	unsigned has_plugin : 1;	/* id's text holds a plugin_id */
	unsigned last : 5;		/* its latest status, or 0: none
					 * (task_last_status) */
	unsigned written : 5;		/* the status as last written
					 * (written_cs), or 0 */
	int inflight;			/* attempts running or awaiting a retry */
	uint32_t heap_pos;		/* or SCHED_NOT_IN_HEAP; the heap holds
					 * at most the tasks: 2^32 of them would
					 * take over a terabyte */
	/* When its row was last written and its latest attempt began, in
	 * sched_cs: read only as differences of a few seconds. */
	uint32_t written_cs;
	uint32_t began_cs;
	int64_t last_run;		/* the row's, or a later start */
	struct trigger *trig;		/* NULL when its fields are invalid */
	int64_t nominal;		/* next fire time, TRIGGER_NONE if none */
	int64_t fire;			/* nominal plus jitter: the heap key */
	struct stask_side *side;	/* NULL: none of it */
	struct stask *dirty_next;
	struct stask *deferred_next;
	struct stask *hnext;		/* id table chain */
	uint64_t trig_hash;		/* of the row's trigger and trigger_args */
	/* The id, then as created func_path and (has_plugin) plugin_id,
	 * each ending in '\0' (task_func, task_plugin read them). */
	char id[];
};

struct scheduler {
	struct mgr *mgr;
	struct ev_loop *loop;
	double epoch;			/* ev_now when made: sched_cs's zero */
	struct runner *runner;
	struct sched_writer *writer;	/* history on its own thread */
	struct sched_claim *claim;	/* the claim watermark; NULL: none */
	struct hooks_state *hooks;	/* notifications, dependencies */
	ev_async written;		/* the writer committed write_afters */
	struct write_after *after;	/* for the next batch */
	struct tz_cache *zones;		/* one load per zone name */
	struct files_reload *files_reload;	/* sched_reload.c, or NULL */
	struct sched_batches *batches;	/* sched_batch.c, or NULL */
	struct sched_bulk *bulk;	/* sched_bulk.c, or NULL */
	int loading;			/* sched_load_all runs */
	char *load_plugin;		/* ... the last plugin it looked up */
	int load_plugin_off;
	/* id table */
	struct stask **buckets;
	size_t nbuckets, ntasks;
	/* min-heap on fire */
	struct stask **heap;
	size_t nheap, capheap;
	double armed_at;		/* the wake timer's time, or 0 */
	ev_periodic wake;		/* wall clock: follows clock jumps */
	ev_periodic housekeeping;	/* sched_housekeeping_at */
	int housekept;			/* its first time is scheduled */
	ev_prepare flush;		/* one transaction per loop iteration */
	ev_timer flush_later;		/* ... or per FLUSH_EVERY_S under load */
	ev_timer running_rows;		/* long runs get their `running` rows */
	int flush_running;		/* sched_running_rows_cb flushes */
	double last_flush;
	ev_timer grace;
	struct stask *dirty;
	struct stask *deferred;		/* rows that may wait */
	ev_timer rows;			/* writes the deferred rows */
	/* The deferred rows as the timer found them, looked at again
	 * TASK_ROWS_PASS a flush (sched_flush.c: sched_take_rows);
	 * still flagged deferred.  force: each is written, whatever its
	 * age (the writer had nothing waiting). */
	struct stask *rows_pass;
	int rows_pass_force;
	int force_rows;
	/* The writer had batches waiting at the last flush: rows whose
	 * status is unchanged wait TASK_ROW_BUSY_S (sched_flush.c). */
	int writer_busy;
	/* Its backlog is over WRITER_MAX_BACKLOG: due times wait (not the
	 * loop) until it is back under (sched_written_cb). */
	int writer_full;
	int64_t next_run_id, run_ids_end;	/* sched_runid.c */
	struct run_rec *done;		/* finished attempts to record */
	size_t ndone, capdone;
	struct notify_write *notes;	/* notifications owed, delivered */
	size_t nnotes, capnotes;
	struct attempt *attempts;	/* in flight or awaiting a retry */
	uint64_t rng;
	int shutting_down;
	/* scheduler_hold: due fire times stay due, unclaimed (the host is
	 * fenced or draining). */
	int held;
	/* scheduler_hold_after: held, too, once mgr_mono_us() passes it (0:
	 * never): the host's lease is no longer sure. */
	int64_t hold_after;
	/* The database is a server several hosts may share: the claim file
	 * is this host's, the last engine host's claims end with its lease
	 * (claimed_until). */
	int shared;
	/* At load on a shared database: fire times up to here may have been
	 * claimed by the last engine host, whose claim file is not this
	 * one's (sched_prev_claims_end); 0: none. */
	int64_t claimed_until;
	/* At load: the earliest next fire time of a scheduled task, from
	 * which the start reads the rows past them (sched_rows_read). */
	int64_t rows_from;
	int foreground;			/* scheduler_run_foreground */
	struct sched_fire_counts counts;	/* fires that never ran */
	struct task_context no_ctx;	/* the context of tasks with none */
	void (*shutdown_done)(struct mgr *mgr);
};

/* One scheduled run and its retries. */
struct attempt {
	struct scheduler *s;
	struct stask *t;
	int64_t scheduled_at;
	int number;			/* 1 = first attempt */
	int waiting;			/* retry timer armed */
	int64_t started_us;		/* of this attempt */
	double began;			/* ... as ev_now */
	int row_written;		/* its `running` row is written */
	int row_claimed;		/* ... or a `claimed` one, updated
					 * to `running` (sched_flush.c) */
	const char *outcome;		/* how the last attempt ended */
	scheduler_done_fn done;		/* told the final status, or NULL */
	void *done_arg;
	ev_timer retry;
	struct attempt *prev, *next;	/* s->attempts */
	int64_t run_id;			/* its id (sched_run_id), its row's */
	struct stop_wait *stop;		/* a `task stop` waits for its end */
};

/* ev_now as centiseconds from s->epoch, modulo 2^32 (497 days): a
 * task's times in 4 bytes (issue 18's bytes per task).  Only
 * differences of seconds are read, which unsigned subtraction gets
 * right across the wrap. */
static inline uint32_t
sched_cs(const struct scheduler *s, double now)
{
	return (uint32_t)(int64_t)((now - s->epoch) * 100.0);
}

/* Seconds from then (sched_cs) to now. */
static inline double
sched_cs_since(const struct scheduler *s, double now, uint32_t then)
{
	return (double)(uint32_t)(sched_cs(s, now) - then) / 100.0;
}

/* Shared by the scheduler's files (see scheduler.c). */
uint64_t sched_random(struct scheduler *s);
void task_mark_dirty(struct scheduler *s, struct stask *t);
const char *task_status(const struct stask *t);
void task_set_next(struct scheduler *s, struct stask *t, int64_t nominal);
void task_record_unrun(struct scheduler *s, struct stask *t, int64_t scheduled_at, const char *status, char *error);
const char *status_outcome(const char *stored);
void task_free(struct stask *t);
void sched_check_shutdown(struct scheduler *s);
void sched_after_commit(struct scheduler *s, scheduler_done_fn fn, void *arg, const char *status);
/* For the next batch: notification n is owed (written with the runs
 * recorded so far) or, done, delivered; n is copied. */
void sched_note(struct scheduler *s, const struct notify_rec *n, int done);
void sched_call_after(struct write_after *a);
void sched_written_cb(struct ev_loop *loop, ev_async *w, int revents);
void sched_writer_notify(void *arg);
void attempt_end(struct scheduler *s, struct attempt *a);
/* Starts (or, over a limit, queues: hooks_admit) attempt a. */
void attempt_begin(struct scheduler *s, struct attempt *a);
void task_start_attempt_number(struct scheduler *s, struct stask *t, int64_t scheduled_at, int number, scheduler_done_fn done, void *arg);
int task_manual_target(struct scheduler *s, const char *task_id,
		       struct stask **out, struct mgr_error *err);
void task_start_attempt(struct scheduler *s, struct stask *t, int64_t scheduled_at);
void task_run_backlog(struct scheduler *s, struct stask *t);
void task_backlog_add(struct stask *t, int64_t at);
/* sched_task.c: a new task with row's id, func_path and plugin_id (the
 * rest is task_take_row's); a changed row's func_path and plugin_id. */
struct stask *task_alloc(const struct task_rec *row);
void task_take_text(struct stask *t, const struct task_rec *row);
/* t's side, made if it has none; freed once it holds nothing
 * (_release), or now (_free). */
struct stask_side *task_side(struct stask *t);
void task_side_release(struct stask *t);
void task_side_free(struct stask *t);
size_t task_nbacklog(const struct stask *t);
/* t's func_path and plugin_id (NULL: none), wherever they are kept. */
const char *task_func(const struct stask *t);
const char *task_plugin(const struct stask *t);
/* A status (a static string: "succeeded", "running", ...) as the code
 * struct stask keeps (never 0 but for NULL), and back; t's latest
 * status (NULL: none yet), set.  The codes the scheduler compares: */
enum { TASK_ST_RETRYING = 10, TASK_ST_QUEUED = 11 };
unsigned task_status_code(const char *status);
const char *task_status_text(unsigned code);
const char *task_last_status(const struct stask *t);
void task_set_last_status(struct stask *t, const char *status);
void sched_wake_cb(struct ev_loop *loop, ev_periodic *w, int revents);
void sched_arm(struct scheduler *s);
void sched_flush_all(struct scheduler *s);
void sched_rows_cb(struct ev_loop *loop, ev_timer *w, int revents);
void sched_flush_cb(struct ev_loop *loop, ev_prepare *w, int revents);
void sched_running_rows_cb(struct ev_loop *loop, ev_timer *w, int revents);
void sched_flush_later_cb(struct ev_loop *loop, ev_timer *w, int revents);
int64_t task_first_fire(const struct stask *t, int64_t now);
void task_rerun_interrupted(struct scheduler *s, struct stask *t, int64_t at, int number);
int64_t task_settle_claims(struct scheduler *s, struct stask *t, int64_t next, int64_t now, int64_t *rerun);
/* Run rows at or past their task's next fire time, as the start reads
 * them in one statement (sched_rows_read), grouped by task and sorted by
 * time; read: 0 when the read failed or was not needed. */
struct fire_row {
	struct stask *t;
	int64_t at;
};
struct fire_rows {
	struct scheduler *s;
	struct fire_row *v;
	size_t n, cap;
	int read;
};
/* One task's rows of them as a walk up in time goes through them. */
struct fire_seen {
	const struct fire_row *v;
	size_t n, i;
};
void sched_rows_read(struct scheduler *s, struct fire_rows *r);
struct fire_seen *sched_rows_of(const struct fire_rows *r, const struct stask *t, struct fire_seen *seen);
void sched_pass_recorded(struct scheduler *s, const struct fire_rows *r);
/* At start: t's next fire time past last, the time of a row (claimed,
 * interrupted, ended) that may lie past it; the times on the way with
 * no row wait to run as due ones.  seen: t's rows (sched_rows_of), or
 * NULL to read each time. */
void task_pass_rows(struct scheduler *s, struct stask *t, int64_t last, struct fire_seen *seen);
void task_cancel_retries(struct scheduler *s, struct stask *t);
void task_start_attempt_row(struct scheduler *s, struct stask *t, int64_t scheduled_at, int number, int64_t row_id, scheduler_done_fn done, void *arg);
void task_record_claimed(struct scheduler *s, struct stask *t);
void task_backlog_drop(struct scheduler *s, struct stask *t, const char *why);
int task_backlog_has_row(const struct stask *t, int64_t at);
int task_backlog_pop(struct stask *t, int64_t at);
/* The cached context of t (sched_attempt.c); freed with the task. */
void task_context_forget(struct stask *t);
/* A manual run whose `running` row is written first, for its id. */
int task_start_manual(struct scheduler *s, struct stask *t,
		      scheduler_done_fn done, void *arg, int64_t *run_id,
		      int64_t *scheduled_at, struct mgr_error *err);

/* sched_runid.c: run ids, handed out on the loop. */
int sched_run_ids_open(struct scheduler *s, struct mgr_error *err);
int64_t sched_run_id(struct scheduler *s);

/* sched_index.c */
struct stask *sched_find(struct scheduler *s, const char *id);
void sched_insert(struct scheduler *s, struct stask *t);
/* Room for more tasks in the id table and the heap, grown now: a growth
 * rehashes every task (about 10 ms at 65,536), too much for a slice. */
void sched_reserve(struct scheduler *s, size_t more);
void sched_unlink(struct scheduler *s, struct stask *t);
void sched_free_index(struct scheduler *s);
void heap_update(struct scheduler *s, struct stask *t);	/* insert or move */
void heap_remove(struct scheduler *s, struct stask *t);
struct stask *heap_top(struct scheduler *s);

/* sched_claim.c: the claim watermark (see there). */
int sched_claim_open(const char *db_path, struct sched_claim **out,
		     struct mgr_error *err);
void sched_claim_close(struct sched_claim *c);
/* True when (fire, id) is at or below the mark: claimed before. */
int sched_claim_covers(const struct sched_claim *c, int64_t fire,
		       const char *id);
/* Moves the mark up to (fire, id); never down. */
void sched_claim_mark(struct sched_claim *c, int64_t fire, const char *id);

/* sched_files.c: reading the task files (any thread: through db, and
 * reading mgr's configuration only) into a plan, then applying it on the
 * loop thread a file at a time. */
struct files_plan;
/* Stops early (for a plan thrown away) once *cancel is set. */
struct files_plan *files_plan_read(struct mgr *mgr, struct mgr_db *db,
				   const int *cancel);
/* Applies files for about budget_us (at least one); 1 once all are. */
int files_plan_apply(struct files_plan *p, int64_t budget_us);
/* What applying did, for the log. */
struct files_plan_stats {
	size_t files, tasks, unchanged, removed, slices;
	int64_t longest_us;	/* the longest slice */
};
const struct files_plan_stats *files_plan_stats(const struct files_plan *p);
/* 0, or the first error (each file's error is logged as it is met). */
int files_plan_result(const struct files_plan *p, struct mgr_error *err);
void files_plan_free(struct files_plan *p);
/* Reads and applies at once (start-up, and with no engine running). */
int sched_load_files(struct mgr *mgr, struct mgr_error *err);
/* sched_reload.c: stops a reload going on (its callers are told). */
struct files_reload;
void sched_reload_free(struct files_reload *r);

/* sched_bulk.c: a bulk command's thread, ended (its caller told). */
struct sched_bulk;
void sched_bulk_free(struct sched_bulk *q);

/* sched_slice.c: work done on the loop in slices of at most
 * SCHED_SLICE_US, the next slice after whatever is due meanwhile.
 * apply does one slice within budget_us and returns 1 when nothing is
 * left; applied is then called (and may start the slicer again). */
#define SCHED_SLICE_US 5000
struct sched_slicer {
	ev_timer timer;
	struct ev_loop *loop;
	int (*apply)(void *arg, int64_t budget_us);
	void (*applied)(void *arg);
	void *arg;
};
void sched_slicer_init(struct sched_slicer *sl, struct ev_loop *loop,
		       int (*apply)(void *arg, int64_t budget_us),
		       void (*applied)(void *arg), void *arg);
void sched_slicer_start(struct sched_slicer *sl);
void sched_slicer_stop(struct sched_slicer *sl);

/* sched_batch.c: the tasks of scheduler_tasks_changed_then waiting to be
 * applied; freed with the scheduler (their callers told it stopped). */
struct sched_batches;
void sched_batches_free(struct sched_batches *q);
/* A batch still holds task_id: applies its row now (a manual run of a
 * task just added must not wait for its slice).  1: it did. */
int sched_batches_apply_now(struct scheduler *s, const char *task_id);

#endif
