/* scheduler.c - due tasks, attempts, retries, misfires, run history.
 *
 * One ev_periodic in absolute (wall-clock) mode is armed for the earliest
 * fire time of the heap, so an idle engine sleeps until due work, and a
 * clock jump moves the wake-up with the clock.  Database writes of a loop
 * iteration (finished runs, changed task rows) go out together in one
 * transaction from an ev_prepare watcher, just before the loop sleeps.
 *
 * Misfires follow APScheduler 3 (_process_jobs, Job._get_run_times,
 * run_job): every fire time up to now is collected; with coalesce only
 * the latest is kept; when max_instances attempts are already in flight
 * one `skipped` run is recorded; otherwise each time is started in turn,
 * and one that starts later than misfire_grace_time after its time is
 * recorded as `missed` instead (misfire_grace_time <= 0: no limit).
 */
#include "i18n.h"
#include "manager.h"
#include "runner.h"
#include "sched_int.h"
#include "sched_writer.h"
#include "scheduler.h"
#include "trigger.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define US INT64_C(1000000)
#define MAX_CATCHUP 10000	/* fire times collected per due task */
#define HOUSEKEEPING_S 300.0
#define FLUSH_EVERY_S 0.05	/* longest a finished run waits to be written */
#define FLUSH_MAX_RUNS 8192
#define WRITER_MAX_BACKLOG 64	/* batches */
#define TASK_ROW_EVERY_S 5.0	/* rows whose status is unchanged */
#define RUNNING_ROW_AFTER_S 1.0	/* a run this old gets its `running` row */

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
	const char *outcome;		/* how the last attempt ended */
	scheduler_done_fn done;		/* told the final status, or NULL */
	void *done_arg;
	ev_timer retry;
	struct attempt *prev, *next;	/* s->attempts */
};

static void attempt_begin(struct scheduler *s, struct attempt *a);
static void sched_grace_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void sched_arm(struct scheduler *s);
static void sched_flush_now(struct scheduler *s);

static uint64_t
sched_random(struct scheduler *s)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

/* The jitter of one fire time: a hash of the task and the time, so it
 * is the same whenever it is computed again (after a restart, or when
 * recovering claims) and never accumulates, yet spreads tasks and fire
 * times as random jitter would. */
static int64_t
task_jitter(const struct stask *t, int64_t nominal)
{
	int64_t max_us = trigger_jitter_us(t->trig);
	uint64_t h = UINT64_C(1469598103934665603);

	if (max_us <= 0)
		return 0;
	for (const char *p = t->rec.id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	h ^= (uint64_t)nominal;
	h ^= h >> 30;		/* splitmix64's finaliser */
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return (int64_t)(h % (uint64_t)(max_us + 1));
}

/* When the fire time nominal actually fires: jitter added, end_date
 * kept. */
static int64_t
task_fire_at(const struct stask *t, int64_t nominal)
{
	int64_t fire = nominal + task_jitter(t, nominal);

	if (trigger_end_us(t->trig) != TRIGGER_NONE && fire > trigger_end_us(t->trig))
		fire = trigger_end_us(t->trig);
	return fire;
}

static void
task_mark_dirty(struct scheduler *s, struct stask *t)
{
	if (t->dirty || t->removed)
		return;
	t->dirty = 1;
	t->dirty_next = s->dirty;
	s->dirty = t;
}

static int
task_is_date_done(const struct stask *t)
{
	return t->trig != NULL && trigger_type(t->trig) == TRIGGER_DATE &&
	    t->nominal == TRIGGER_NONE;
}

/* The status column: what the task is doing, else how it last ended. */
static const char *
task_status(const struct stask *t)
{
	if (!t->rec.enabled)
		return "paused";
	if (t->trig == NULL || t->plugin_off)
		return "disabled";
	if (t->inflight > 0)
		return t->last_status != NULL &&
		    strcmp(t->last_status, "retrying") == 0 ? "retrying" : "running";
	if (task_is_date_done(t) && t->last_status != NULL)
		return "finished";
	return t->last_status != NULL ? t->last_status : "scheduled";
}

/* Sets the next fire time from nominal (adding jitter) and files the task
 * in the heap. */
static void
task_set_next(struct scheduler *s, struct stask *t, int64_t nominal)
{
	task_mark_dirty(s, t);
	if (s->foreground)
		return;		/* a one-off run leaves the schedule alone */
	t->nominal = nominal;
	if (nominal == TRIGGER_NONE || !t->rec.enabled || t->trig == NULL ||
	    t->plugin_off) {
		t->fire = TRIGGER_NONE;
		heap_remove(s, t);
	} else {
		t->fire = task_fire_at(t, nominal);
		heap_update(s, t);
	}
}

static void
task_record(struct scheduler *s, struct stask *t, int64_t scheduled_at,
	    int number, const char *status, struct run_outcome *o)
{
	struct run_rec *r;

	if (s->ndone == s->capdone) {
		s->capdone = s->capdone ? s->capdone * 2 : 256;
		s->done = xrealloc(s->done, s->capdone * sizeof *s->done);
	}
	r = &s->done[s->ndone++];
	memset(r, 0, sizeof *r);
	r->task_id = xstrdup(t->rec.id);
	r->attempt = number;
	r->scheduled_at = scheduled_at;
	r->status = xstrdup(status);
	r->exit_code = -1;
	if (o != NULL) {
		r->started_at = o->started_at;
		r->ended_at = o->ended_at;
		r->exit_code = o->exit_code;
		r->signal = o->signal;
		r->output = o->output;
		r->error = o->error;
		o->output = o->error = NULL;
	} else
		r->started_at = r->ended_at = mgr_now_us();
}

/* Tells the layers above (plugin hooks) how a run of the task went. */
static void
sched_emit(struct scheduler *s, const char *status, const char *task_id,
	   const char *message)
{
	const struct sched_events *ev = s->mgr->sched_events;
	char kind[32];

	if (ev == NULL || ev->emit == NULL)
		return;
	snprintf(kind, sizeof kind, "task.%s", status);
	ev->emit(s->mgr, kind, task_id, message);
}

/* A run that never started: missed, skipped. */
static void
task_record_unrun(struct scheduler *s, struct stask *t, int64_t scheduled_at,
		  const char *status, char *error)
{
	struct run_outcome o = { .status = status, .exit_code = -1,
	    .error = error };

	sched_emit(s, status, t->rec.id, error);	/* task.skipped, ... */
	o.ended_at = mgr_now_us();
	task_record(s, t, scheduled_at, 1, status, &o);
	t->last_status = status;
	task_mark_dirty(s, t);
	log_info(&s->mgr->log, "task %s: run of %lld %s", t->rec.id,
	    (long long)(scheduled_at / US), status);
}

/* A stored status that tells how the task last ended, as a static string;
 * NULL for states that only hold while an engine runs. */
static const char *
status_outcome(const char *stored)
{
	static const char *const outcomes[] = { "succeeded", "failed",
	    "timed_out", "crashed", "skipped", "missed", "finished",
	    "interrupted", NULL };

	for (size_t i = 0; stored != NULL && outcomes[i] != NULL; i++)
		if (strcmp(stored, outcomes[i]) == 0)
			return outcomes[i];
	return NULL;
}

static void
task_free(struct stask *t)
{
	task_rec_clear(&t->rec);
	trigger_free(t->trig);
	free(t->backlog);
	free(t);
}

static void
attempt_unlink(struct scheduler *s, struct attempt *a)
{
	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		s->attempts = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
}

static void
sched_check_shutdown(struct scheduler *s)
{
	if (!s->shutting_down || s->attempts != NULL || runner_active(s->runner) > 0)
		return;
	ev_timer_stop(s->loop, &s->grace);
	if (s->shutdown_done != NULL) {
		void (*done)(struct mgr *) = s->shutdown_done;
		s->shutdown_done = NULL;
		scheduler_sync_history(s->mgr);
		done(s->mgr);
	}
}

static void task_run_backlog(struct scheduler *s, struct stask *t);

/* fn(arg, status) once what is recorded so far is committed, so that a
 * client told "the run is over" finds it in the history. */
static void
sched_after_commit(struct scheduler *s, scheduler_done_fn fn, void *arg,
		   const char *status)
{
	struct write_after *a = xcalloc(1, sizeof *a), **pp = &s->after;

	a->fn = fn;
	a->arg = arg;
	a->status = status;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = a;
}

static void
sched_call_after(struct write_after *a)
{
	struct write_after *next;

	for (; a != NULL; a = next) {
		next = a->next;
		a->fn(a->arg, a->status);
		free(a);
	}
}

static void
sched_written_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct scheduler *s = w->data;

	(void)loop;
	(void)revents;
	sched_call_after(sched_writer_take_after(s->writer));
}

static void
sched_writer_notify(void *arg)
{
	struct scheduler *s = arg;

	ev_async_send(s->loop, &s->written);
}

/* An attempt is over for good (no retry follows). */
static void
attempt_end(struct scheduler *s, struct attempt *a)
{
	struct stask *t = a->t;

	if (a->done != NULL)
		sched_after_commit(s, a->done, a->done_arg,
		    a->outcome != NULL ? a->outcome : "interrupted");
	attempt_unlink(s, a);
	free(a);
	t->inflight--;
	if (t->removed) {
		if (t->inflight == 0)
			task_free(t);
	} else {
		task_mark_dirty(s, t);
		task_run_backlog(s, t);
	}
	if (s->foreground && s->attempts == NULL)
		ev_break(s->loop, EVBREAK_ONE);
	sched_check_shutdown(s);
}

static int
outcome_retryable(const char *status)
{
	return strcmp(status, "failed") == 0 || strcmp(status, "timed_out") == 0 ||
	    strcmp(status, "crashed") == 0;
}

/* Exponential backoff, capped, with "equal jitter": half the delay is
 * fixed, half random, so retries of many tasks do not stampede. */
static double
retry_delay(struct scheduler *s, int number)
{
	double base = s->mgr->conf->retry_backoff_base;
	double cap = s->mgr->conf->retry_backoff_cap;
	double d = base;

	for (int i = 1; i < number && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d / 2 + (double)(sched_random(s) % 1000001) / 1e6 * (d / 2);
}

static void
attempt_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct attempt *a = w->data;

	(void)loop;
	(void)revents;
	a->waiting = 0;
	attempt_begin(a->s, a);
}

static void
task_emit(struct scheduler *s, struct stask *t, const char *status,
	  const struct run_outcome *o)
{
	struct mgr_error err = { 0 };

	sched_emit(s, status, t->rec.id, o != NULL && o->error != NULL ?
	    o->error : status);
	if (strcmp(status, "succeeded") == 0)
		return;		/* history has it; events are for attention */
	mgr_event(s->mgr, status[0] == 'r' ? "task.retrying" : "task.failed",
	    t->rec.id, &err, "%s%s%s", status, o != NULL && o->error != NULL ?
	    ": " : "", o != NULL && o->error != NULL ? o->error : "");
}

static void
attempt_done(struct run_outcome *o, void *arg)
{
	struct attempt *a = arg;
	struct scheduler *s = a->s;
	struct stask *t = a->t;
	const char *status = o->status;
	int retry;

	if (o->started_at > t->rec.last_run)
		t->rec.last_run = o->started_at;
	retry = outcome_retryable(status) && a->number <= t->rec.max_retries &&
	    !s->shutting_down && !t->removed && t->rec.enabled;
	if (strcmp(status, "succeeded") != 0)
		log_info(&s->mgr->log, "task %s: attempt %d %s%s%s", t->rec.id,
		    a->number, status, o->error != NULL ? ": " : "",
		    o->error != NULL ? o->error : "");
	task_emit(s, t, status, o);
	if (strcmp(status, "crashed") == 0 && t->rec.plugin_id != NULL &&
	    s->mgr->sched_events != NULL && s->mgr->sched_events->run_crashed)
		s->mgr->sched_events->run_crashed(s->mgr, t->rec.plugin_id);
	task_record(s, t, a->scheduled_at, a->number, status, o);
	s->done[s->ndone - 1].running_row = a->row_written;
	a->row_written = 0;
	run_outcome_clear(o);
	t->last_status = retry ? "retrying" : status;
	a->outcome = status;
	task_mark_dirty(s, t);
	if (!retry) {
		attempt_end(s, a);
		return;
	}
	a->number++;
	a->waiting = 1;
	ev_timer_init(&a->retry, attempt_retry_cb, retry_delay(s, a->number - 1), 0);
	a->retry.data = a;
	ev_timer_start(s->loop, &a->retry);
}

static void
attempt_begin(struct scheduler *s, struct attempt *a)
{
	struct stask *t = a->t;
	struct run_spec spec = { .task_id = t->rec.id,
	    .func_path = t->rec.func_path, .timeout = t->rec.timeout };
	struct mgr_error err = { 0 };
	struct run_outcome o;

	t->last_status = "running";
	t->began_at = ev_now(s->loop);
	a->started_us = mgr_now_us();
	a->began = t->began_at;
	if (!s->foreground && !ev_is_active(&s->running_rows)) {
		ev_timer_set(&s->running_rows, RUNNING_ROW_AFTER_S, 0);
		ev_timer_start(s->loop, &s->running_rows);
	}
	task_mark_dirty(s, t);
	if (runner_start(s->runner, &spec, attempt_done, a, &err) == 0)
		return;
	memset(&o, 0, sizeof o);
	o.status = "failed";
	o.exit_code = -1;
	o.started_at = o.ended_at = mgr_now_us();
	o.error = xstrdup(err.msg);
	attempt_done(&o, a);
}

static void
task_start_attempt_number(struct scheduler *s, struct stask *t,
			  int64_t scheduled_at, int number,
			  scheduler_done_fn done, void *arg)
{
	struct attempt *a = xcalloc(1, sizeof *a);

	a->s = s;
	a->t = t;
	a->done = done;
	a->done_arg = arg;
	a->scheduled_at = scheduled_at;
	a->number = number;
	a->next = s->attempts;
	if (s->attempts != NULL)
		s->attempts->prev = a;
	s->attempts = a;
	t->inflight++;
	attempt_begin(s, a);
}

static void
task_start_attempt(struct scheduler *s, struct stask *t, int64_t scheduled_at)
{
	task_start_attempt_number(s, t, scheduled_at, 1, NULL, NULL);
}

/* Starts waiting run times while instances are free; a time whose
 * grace has passed by now is recorded as missed. */
static void
task_run_backlog(struct scheduler *s, struct stask *t)
{
	int grace_s = task_misfire_grace(s->mgr, &t->rec);
	int64_t now = mgr_now_us(), grace = (int64_t)grace_s * US;

	/* An attempt that fails to start ends at once and calls back here:
	 * the outer call goes on with the list. */
	if (t->in_backlog)
		return;
	t->in_backlog = 1;
	while (t->nbacklog > 0 && t->inflight < t->rec.max_instances &&
	    !s->shutting_down && !t->removed) {
		int64_t at = t->backlog[0];
		memmove(t->backlog, t->backlog + 1,
		    --t->nbacklog * sizeof *t->backlog);
		if (grace > 0 && now - at > grace)
			task_record_unrun(s, t, at, "missed", xasprintf(
			    _("run was due %.3f s ago, more than misfire_grace_time %d s"),
			    (double)(now - at) / 1e6, grace_s));
		else
			task_start_attempt(s, t, at);
	}
	t->in_backlog = 0;
}

static void
task_backlog_add(struct stask *t, int64_t at)
{
	if (t->nbacklog == t->capbacklog) {
		t->capbacklog = t->capbacklog ? t->capbacklog * 2 : 4;
		t->backlog = xrealloc(t->backlog, t->capbacklog * sizeof *t->backlog);
	}
	t->backlog[t->nbacklog++] = at;
}

/* APScheduler's _process_jobs for one due task.  Every fire time it
 * takes is claimed (sched_claim.c) before anything starts. */
static void
task_process_due(struct scheduler *s, struct stask *t, int64_t now)
{
	int64_t next = t->nominal, last = TRIGGER_NONE, claim = TRIGGER_NONE;
	size_t n = 0;

	while (next != TRIGGER_NONE && next <= now && n < MAX_CATCHUP) {
		if (!t->rec.coalesce)
			task_backlog_add(t, next);
		if (task_fire_at(t, next) > claim)
			claim = task_fire_at(t, next);
		last = next;
		n++;
		next = trigger_next(t->trig, next, now);
	}
	if (next != TRIGGER_NONE && next <= now)	/* too far behind */
		next = trigger_next(t->trig, TRIGGER_NONE, now);
	if (claim != TRIGGER_NONE)
		sched_claim_mark(s->claim, claim, t->rec.id);
	if (t->rec.coalesce && last != TRIGGER_NONE)
		task_backlog_add(t, last);
	if (t->inflight >= t->rec.max_instances && last != TRIGGER_NONE) {
		t->nbacklog = 0;
		task_record_unrun(s, t, last, "skipped", xasprintf(
		    _("maximum number of running instances reached (%d)"),
		    t->rec.max_instances));
	}
	task_set_next(s, t, next);
	task_run_backlog(s, t);
}

static void
sched_wake_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct scheduler *s = w->data;
	int64_t now = mgr_now_us();
	struct stask *t;

	(void)loop;
	(void)revents;
	s->armed_at = 0;
	while ((t = heap_top(s)) != NULL && t->fire <= now) {
		heap_remove(s, t);
		task_process_due(s, t, now);
	}
	sched_arm(s);
}

/* Arms the wake-up for the top of the heap (absolute wall-clock time). */
static void
sched_arm(struct scheduler *s)
{
	struct stask *t = heap_top(s);
	double at;

	if (t == NULL || s->shutting_down) {
		ev_periodic_stop(s->loop, &s->wake);
		s->armed_at = 0;
		return;
	}
	at = (double)t->fire / 1e6;
	if (at == s->armed_at && ev_is_active(&s->wake))
		return;
	ev_periodic_stop(s->loop, &s->wake);
	ev_periodic_set(&s->wake, at, 0, NULL);
	ev_periodic_start(s->loop, &s->wake);
	s->armed_at = at;
}

/* What changed since the last flush, as one batch for the writer. */
static void
batch_add_task(struct write_batch *b, size_t *cap, struct stask *t,
	       const char *status, double now)
{
	if (b->ntasks == *cap)
		b->tasks = xrealloc(b->tasks, (*cap = *cap ? *cap * 2 : 64) *
		    sizeof *b->tasks);
	b->tasks[b->ntasks++] = (struct task_write){ xstrdup(t->rec.id),
	    status, t->rec.last_run, t->fire == TRIGGER_NONE ? 0 : t->fire,
	    t->fire == TRIGGER_NONE ? 0 : t->nominal };
	t->written_status = status;
	t->written_at = now;
}

/* A row whose status did not change was written less than
 * TASK_ROW_EVERY_S ago: it waits on the deferred list (its times only
 * moved on), so a task firing every second costs one row write per
 * TASK_ROW_EVERY_S instead of one per fire. */
static int
task_row_can_wait(struct scheduler *s, struct stask *t, const char *status,
		  double now)
{
	if (s->force_rows || status != t->written_status ||
	    now - t->written_at >= TASK_ROW_EVERY_S)
		return 0;
	if (!t->deferred) {
		t->deferred = 1;
		t->deferred_next = s->deferred;
		s->deferred = t;
	}
	if (!ev_is_active(&s->rows))
		ev_timer_start(s->loop, &s->rows);
	return 1;
}

/* A run that began less than a flush interval ago is most likely over by
 * the next flush: writing `running` now and the outcome right after would
 * cost two row writes per fire.  Its row stays dirty for the next flush,
 * which writes `running` if the run still goes on. */
static int
task_row_just_began(struct scheduler *s, struct stask *t, const char *status,
		    double now)
{
	return !s->force_rows && status[0] == 'r' &&
	    strcmp(status, "running") == 0 && now - t->began_at < FLUSH_EVERY_S;
}

/* An attempt that has gone on for RUNNING_ROW_AFTER_S gets its `running`
 * row, so that an engine crash from now on leaves a trace that the next
 * start records as interrupted.  Shorter runs are written once, ended:
 * one row write per run instead of two, which matters at many thousand
 * runs a second (a scheduled run cut short before that is still found,
 * through its claim; see sched_claim.c). */
static void
batch_add_running(struct scheduler *s, struct write_batch *b, double now)
{
	size_t cap = b->nruns;

	for (struct attempt *a = s->attempts; a != NULL; a = a->next) {
		struct run_rec *r;
		if (a->waiting || a->row_written || a->t->removed ||
		    (!s->force_rows && now - a->began < RUNNING_ROW_AFTER_S))
			continue;
		if (b->nruns == cap)
			b->runs = xrealloc(b->runs, (cap = cap ? cap * 2 : 16) *
			    sizeof *b->runs);
		r = &b->runs[b->nruns++];
		memset(r, 0, sizeof *r);
		r->task_id = xstrdup(a->t->rec.id);
		r->attempt = a->number;
		r->scheduled_at = a->scheduled_at;
		r->started_at = a->started_us;
		r->status = xstrdup("running");
		r->exit_code = -1;
		a->row_written = 1;
	}
}

/* What changed since the last flush, as one batch for the writer. */
static struct write_batch *
sched_take_batch(struct scheduler *s)
{
	struct write_batch *b = xcalloc(1, sizeof *b);
	double now = ev_now(s->loop);
	struct stask *t, *next, *keep = NULL;
	const char *status;
	size_t cap = 0;

	for (t = s->dirty; t != NULL; t = next) {
		next = t->dirty_next;
		t->dirty = 0;
		if (t->removed)
			continue;
		status = task_status(t);
		if (task_row_just_began(s, t, status, now)) {
			t->dirty = 1;
			t->dirty_next = keep;
			keep = t;
		} else if (!task_row_can_wait(s, t, status, now))
			batch_add_task(b, &cap, t, status, now);
	}
	s->dirty = keep;
	b->runs = s->done;
	b->nruns = s->ndone;
	s->done = NULL;
	s->ndone = s->capdone = 0;
	batch_add_running(s, b, now);
	b->after = s->after;
	s->after = NULL;
	return b;
}

/* Deferred rows go back on the dirty list, to be written now. */
static void
sched_undefer(struct scheduler *s)
{
	struct stask *t, *next;

	for (t = s->deferred; t != NULL; t = next) {
		next = t->deferred_next;
		t->deferred = 0;
		task_mark_dirty(s, t);
	}
	s->deferred = NULL;
}

/* Something waits to be written: rows, runs, an answer to a client.  (A
 * run that began keeps its task on the dirty list until its `running`
 * row can be written.) */
static int
sched_has_writes(struct scheduler *s)
{
	return s->dirty != NULL || s->ndone > 0 || s->after != NULL ||
	    s->flush_running;
}

static void
sched_flush_now(struct scheduler *s)
{
	struct write_batch *b;

	ev_timer_stop(s->loop, &s->flush_later);
	s->last_flush = ev_now(s->loop);
	if (!sched_has_writes(s))
		return;
	b = sched_take_batch(s);
	if (b->nruns == 0 && b->ntasks == 0 && b->after == NULL)
		write_batch_free(b);
	else
		sched_writer_submit(s->writer, b);
	if (s->dirty != NULL) {		/* rows of runs that just began */
		ev_timer_set(&s->flush_later, FLUSH_EVERY_S, 0);
		ev_timer_start(s->loop, &s->flush_later);
	}
	/* A writer that cannot keep up slows the loop down rather than let
	 * memory grow without bound: the loop waits until the writer is
	 * back under the limit, not until it is idle, so it stalls for one
	 * commit rather than for the whole backlog. */
	if (sched_writer_backlog(s->writer) > WRITER_MAX_BACKLOG)
		sched_writer_wait(s->writer, WRITER_MAX_BACKLOG);
}

/* Everything, deferred rows too. */
static void
sched_flush_all(struct scheduler *s)
{
	sched_undefer(s);
	ev_timer_stop(s->loop, &s->rows);
	s->force_rows = 1;
	sched_flush_now(s);
	s->force_rows = 0;
}

static void
sched_rows_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sched_flush_all(w->data);
}

void
scheduler_sync_history(struct mgr *mgr)
{
	if (mgr->sched == NULL)
		return;
	sched_flush_all(mgr->sched);
	sched_writer_sync(mgr->sched->writer);
}

/* Before the loop sleeps: what this iteration changed goes out in one
 * transaction.  Under load, when iterations follow each other closely,
 * writes are gathered for up to FLUSH_EVERY_S instead, so one commit
 * carries many runs and the loop is not held by a commit per fire. */
static void
sched_flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct scheduler *s = w->data;

	(void)revents;
	if (!sched_has_writes(s))
		return;
	if (ev_now(loop) - s->last_flush >= FLUSH_EVERY_S || s->after != NULL ||
	    s->ndone >= FLUSH_MAX_RUNS || s->shutting_down || s->foreground) {
		sched_flush_now(s);
		return;
	}
	if (!ev_is_active(&s->flush_later)) {
		ev_timer_set(&s->flush_later, FLUSH_EVERY_S, 0);
		ev_timer_start(loop, &s->flush_later);
	}
}

/* A run may have reached RUNNING_ROW_AFTER_S: its row goes out now.  While
 * runs go on, the timer comes back; with none, it stays off. */
static void
sched_running_rows_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scheduler *s = w->data;
	struct attempt *a;

	(void)revents;
	for (a = s->attempts; a != NULL && (a->waiting || a->row_written);
	    a = a->next)
		;
	if (a == NULL)
		return;
	s->flush_running = 1;
	sched_flush_now(s);
	s->flush_running = 0;
	ev_timer_set(w, RUNNING_ROW_AFTER_S / 2, 0);
	ev_timer_start(loop, w);
}

static void
sched_flush_later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sched_flush_now(w->data);
}

static void
sched_housekeeping_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scheduler *s = w->data;
	const struct mgr_conf *c = s->mgr->conf;
	struct mgr_error err = { 0 };
	int64_t pruned = 0;

	(void)loop;
	(void)revents;
	if (run_store_prune(s->mgr->db, c->history_keep_runs, mgr_now_us() -
	    (int64_t)c->history_max_age_days * 86400 * US, &pruned, &err) != 0)
		log_warning(&s->mgr->log, "%s", err.msg);
	else if (pruned > 0)
		log_debug(&s->mgr->log, "pruned %lld runs", (long long)pruned);
}

/* A PLUGIN:FUNCTION task waits, as `disabled`, while its plugin is not
 * enabled; the plugins module tells us (scheduler_task_changed) when
 * that changes. */
static void
task_check_plugin(struct scheduler *s, struct stask *t)
{
	const char *f = t->rec.func_path, *colon = strchr(f, ':');
	struct plugin_rec p;
	char *id;

	t->plugin_off = 0;
	if (strncmp(f, "exec:", 5) == 0 || colon == NULL)
		return;
	id = xstrndup(f, (size_t)(colon - f));
	/* Loading all tasks at start: plugins do not change meanwhile, so
	 * the answer for the previous task's plugin stands. */
	if (s->load_plugin != NULL && strcmp(s->load_plugin, id) == 0) {
		t->plugin_off = s->load_plugin_off;
		free(id);
		return;
	}
	memset(&p, 0, sizeof p);
	if (plugin_store_read(s->mgr->db, id, &p, NULL) != 0 || !p.enabled)
		t->plugin_off = 1;
	plugin_rec_clear(&p);
	if (s->loading) {
		free(s->load_plugin);
		s->load_plugin = id;
		s->load_plugin_off = t->plugin_off;
	} else
		free(id);
}

/* Builds the trigger afresh and computes the first fire time from now. */
static void
task_reschedule(struct scheduler *s, struct stask *t)
{
	struct mgr_error err = { 0 };

	trigger_free(t->trig);
	t->trig = NULL;
	task_check_plugin(s, t);
	if (task_trigger_build_zones(&t->rec, s->zones, &t->trig, &err) != 0) {
		log_error(&s->mgr->log, "task %s: %s", t->rec.id, err.msg);
		task_set_next(s, t, TRIGGER_NONE);
		return;
	}
	task_set_next(s, t, trigger_next(t->trig, TRIGGER_NONE, mgr_now_us()));
}

/* Takes a changed row; keeps what only memory knows; reschedules when
 * the trigger changed or the task comes back from a pause. */
static void
task_apply_row(struct scheduler *s, struct stask *t, struct task_rec *row)
{
	int resched = !t->rec.enabled || t->trig == NULL || t->plugin_off ||
	    strcmp(t->rec.trigger, row->trigger) != 0 ||
	    strcmp(t->rec.trigger_args, row->trigger_args) != 0;
	int64_t last_run = t->rec.last_run;

	task_rec_clear(&t->rec);
	t->rec = *row;
	if (last_run > t->rec.last_run)
		t->rec.last_run = last_run;
	memset(row, 0, sizeof *row);
	if (resched)
		task_reschedule(s, t);
	else {
		task_check_plugin(s, t);
		task_set_next(s, t, t->plugin_off ? TRIGGER_NONE : t->nominal);
	}
}

static struct stask *
task_new(struct scheduler *s, struct task_rec *row)
{
	struct stask *t = xcalloc(1, sizeof *t);

	t->heap_pos = SCHED_NOT_IN_HEAP;
	t->nominal = t->fire = TRIGGER_NONE;
	t->rec = *row;
	memset(row, 0, sizeof *row);
	sched_insert(s, t);
	return t;
}

/* A task's first fire time when no engine stored one.  A one-shot task
 * that already ran, or was missed, is finished: never again. */
static int64_t
task_first_fire(const struct stask *t, int64_t now)
{
	if (trigger_type(t->trig) == TRIGGER_DATE &&
	    (status_outcome(t->rec.status) != NULL || t->rec.last_run != 0))
		return TRIGGER_NONE;
	return trigger_next(t->trig, TRIGGER_NONE, now);
}

/* A run that an engine crash interrupted is run again once when the task
 * says on_interrupt = rerun, as the next attempt of the same fire time. */
static void
task_rerun_interrupted(struct scheduler *s, struct stask *t, int64_t at,
		       int number)
{
	if (t->rec.on_interrupt != TASK_INTERRUPT_RERUN || !t->rec.enabled ||
	    t->trig == NULL || t->plugin_off || t->inflight >= t->rec.max_instances)
		return;
	log_info(&s->mgr->log, "task %s: running the interrupted run of %lld again",
	    t->rec.id, (long long)(at / US));
	task_start_attempt_number(s, t, at, number, NULL, NULL);
}

/* A claimed fire time that left no run row may have started: it is
 * recorded `interrupted`, never silently run again. */
static void
task_settle_one(struct scheduler *s, struct stask *t, int64_t at,
		int64_t *rerun)
{
	struct mgr_error err = { 0 };
	int yes;

	if (run_store_fire_recorded(s->mgr->db, t->rec.id, at, &yes, &err) != 0)
		log_warning(&s->mgr->log, "%s", err.msg);
	else if (!yes) {
		task_record_unrun(s, t, at, "interrupted", xstrdup(
		    _("the engine stopped before the end of this run was recorded")));
		*rerun = at;
	}
}

/* Fire times from next on that the claim watermark covers were taken by
 * an engine that then died; as when they were taken, with coalesce only
 * the latest of them stood for all.  Returns the first time that was
 * never claimed; *rerun the latest interrupted one. */
static int64_t
task_settle_claims(struct scheduler *s, struct stask *t, int64_t next,
		   int64_t now, int64_t *rerun)
{
	int64_t last = TRIGGER_NONE;
	size_t n = 0;

	*rerun = TRIGGER_NONE;
	while (next != TRIGGER_NONE && n++ < MAX_CATCHUP &&
	    sched_claim_covers(s->claim, task_fire_at(t, next), t->rec.id)) {
		if (!t->rec.coalesce)
			task_settle_one(s, t, next, rerun);
		last = next;
		next = trigger_next(t->trig, next, now);
	}
	if (t->rec.coalesce && last != TRIGGER_NONE)
		task_settle_one(s, t, last, rerun);
	return next;
}

/* At start the stored next fire time stands, so runs missed while the
 * engine was down are found by the first wake-up (misfire, coalesce);
 * fire times claimed before a crash are settled first. */
static void
task_load(struct scheduler *s, struct task_rec *row, int64_t now)
{
	struct mgr_error err = { 0 };
	int64_t nominal = row->next_nominal, stored = row->next_run;
	int64_t rerun = TRIGGER_NONE;
	struct stask *t = task_new(s, row);

	t->last_status = status_outcome(t->rec.status);
	task_check_plugin(s, t);
	if (task_trigger_build_zones(&t->rec, s->zones, &t->trig, &err) != 0) {
		log_error(&s->mgr->log, "task %s: %s", t->rec.id, err.msg);
		task_set_next(s, t, TRIGGER_NONE);
		return;
	}
	if (trigger_is_reboot(t->trig)) {
		task_set_next(s, t, TRIGGER_NONE);
		if (t->rec.enabled && !t->plugin_off && !s->foreground)
			task_start_attempt(s, t, now);
		return;
	}
	/* next_nominal is 0 until an engine has taken the task: only then can
	 * a claim cover its fire times (a client's next_run may lie before
	 * the mark: a date in the past). */
	if (nominal != 0)
		stored = task_settle_claims(s, t, nominal, now, &rerun);
	else if (stored == 0)
		stored = task_first_fire(t, now);
	task_set_next(s, t, stored);
	if (rerun != TRIGGER_NONE)
		task_rerun_interrupted(s, t, rerun, 2);
}

/* Runs that an engine left `running` when it died are interrupted. */
static void
sched_settle_running(struct scheduler *s, struct run_rec **out, size_t *n)
{
	struct mgr_error err = { 0 };

	*out = NULL;
	*n = 0;
	if (run_store_interrupt_running(s->mgr->db, mgr_now_us(),
	    _("the engine stopped while this run was going on"), out, n, &err) != 0)
		log_error(&s->mgr->log, "%s", err.msg);
	for (size_t i = 0; i < *n; i++)
		log_warning(&s->mgr->log, _("task %s: run of %lld (attempt %d) was "
		    "interrupted by the engine's end"), (*out)[i].task_id,
		    (long long)((*out)[i].scheduled_at / US), (*out)[i].attempt);
}

static int
sched_load_all(struct scheduler *s, struct mgr_error *err)
{
	struct task_rec *rows;
	size_t n;
	int64_t now = mgr_now_us();
	int rc;

	if ((rc = task_store_list(s->mgr->db, &rows, &n, err)) != 0)
		return rc;
	s->loading = 1;
	for (size_t i = 0; i < n; i++)
		task_load(s, &rows[i], now);
	s->loading = 0;
	free(s->load_plugin);
	s->load_plugin = NULL;
	free(rows);
	return 0;
}

static struct scheduler *
sched_new(struct mgr *mgr, struct mgr_error *err)
{
	struct scheduler *s = xcalloc(1, sizeof *s);

	s->mgr = mgr;
	s->loop = mgr->loop;
	s->rng = (uint64_t)mgr_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	if (sched_writer_new(db_path(mgr->db), &mgr->log, sched_writer_notify, s,
	    &s->writer, err) != 0) {
		free(s);
		return NULL;
	}
	if ((s->runner = runner_new(mgr, err)) == NULL) {
		sched_writer_free(s->writer);
		free(s);
		return NULL;
	}
	s->zones = tz_cache_new();	/* NULL (no memory): loads per trigger */
	ev_periodic_init(&s->wake, sched_wake_cb, 0, 0, NULL);
	s->wake.data = s;
	ev_async_init(&s->written, sched_written_cb);
	s->written.data = s;
	ev_async_start(s->loop, &s->written);
	ev_unref(s->loop);
	ev_prepare_init(&s->flush, sched_flush_cb);
	s->flush.data = s;
	ev_prepare_start(s->loop, &s->flush);
	ev_unref(s->loop);
	ev_timer_init(&s->flush_later, sched_flush_later_cb, 0, 0);
	s->flush_later.data = s;
	ev_timer_init(&s->running_rows, sched_running_rows_cb, 0, 0);
	s->running_rows.data = s;
	/* Armed only while rows wait: an idle engine does not wake for it. */
	ev_timer_init(&s->rows, sched_rows_cb, TASK_ROW_EVERY_S, 0);
	s->rows.data = s;
	/* First soon after start (history may have aged while the engine was
	 * down), then every HOUSEKEEPING_S. */
	ev_timer_init(&s->housekeeping, sched_housekeeping_cb, 1.0, HOUSEKEEPING_S);
	s->housekeeping.data = s;
	ev_timer_init(&s->grace, sched_grace_cb, 0, 0);
	s->grace.data = s;
	return s;
}

int
scheduler_start(struct mgr *mgr, struct mgr_error *err)
{
	struct scheduler *s;
	struct run_rec *interrupted;
	size_t ninterrupted;
	int rc;

	/* Files first, with no scheduler yet: their rows are then loaded
	 * like any other. An error in one file leaves the others working. */
	if (sched_load_files(mgr, err) != 0)
		mgr_error_clear(err);
	if ((s = sched_new(mgr, err)) == NULL)
		return MGR_EIO;
	mgr->sched = s;
	if ((rc = sched_claim_open(db_path(mgr->db), &s->claim, err)) != 0) {
		scheduler_free(mgr);
		return rc;
	}
	sched_settle_running(s, &interrupted, &ninterrupted);
	if ((rc = sched_load_all(s, err)) != 0) {
		run_recs_free(interrupted, ninterrupted);
		scheduler_free(mgr);
		return rc;
	}
	for (size_t i = 0; i < ninterrupted; i++) {
		struct stask *t = sched_find(s, interrupted[i].task_id);
		if (t != NULL)
			task_rerun_interrupted(s, t, interrupted[i].scheduled_at,
			    interrupted[i].attempt + 1);
	}
	run_recs_free(interrupted, ninterrupted);
	ev_timer_start(s->loop, &s->housekeeping);
	ev_unref(s->loop);
	sched_arm(s);
	log_info(&mgr->log, "scheduler: %zu tasks, %zu scheduled", s->ntasks, s->nheap);
	return 0;
}

static void
task_cancel_retries(struct scheduler *s, struct stask *t)
{
	struct attempt *a, *next;

	t->nbacklog = 0;
	for (a = s->attempts; a != NULL; a = next) {
		next = a->next;
		if (a->t == t && a->waiting) {
			ev_timer_stop(s->loop, &a->retry);
			t->last_status = a->outcome;
			attempt_end(s, a);
		}
	}
}

/* Takes t off the dirty and deferred lists (rare: removals only). */
static void
task_unlist(struct scheduler *s, struct stask *t)
{
	struct stask **pp;

	for (pp = &s->dirty; t->dirty && *pp != NULL; pp = &(*pp)->dirty_next)
		if (*pp == t) {
			*pp = t->dirty_next;
			break;
		}
	for (pp = &s->deferred; t->deferred && *pp != NULL;
	    pp = &(*pp)->deferred_next)
		if (*pp == t) {
			*pp = t->deferred_next;
			break;
		}
	t->dirty = t->deferred = 0;
}

static void
task_drop(struct scheduler *s, struct stask *t)
{
	heap_remove(s, t);
	sched_unlink(s, t);
	task_cancel_retries(s, t);
	task_unlist(s, t);
	t->removed = 1;
	if (t->inflight == 0)
		task_free(t);
}

void
scheduler_task_changed(struct mgr *mgr, const char *task_id)
{
	struct scheduler *s = mgr->sched;
	struct mgr_error err = { 0 };
	struct task_rec row;
	struct stask *t;
	int rc;

	if (s == NULL)
		return;
	memset(&row, 0, sizeof row);
	t = sched_find(s, task_id);
	rc = task_store_read(mgr->db, task_id, &row, &err);
	if (rc == MGR_ENOENT) {
		if (t != NULL)
			task_drop(s, t);
	} else if (rc != 0) {
		log_error(&mgr->log, "%s", err.msg);
	} else if (t == NULL) {
		t = task_new(s, &row);
		task_reschedule(s, t);
	} else {
		task_apply_row(s, t, &row);
		if (!t->rec.enabled)
			task_cancel_retries(s, t);
	}
	task_rec_clear(&row);
	sched_arm(s);
}

int
scheduler_run_now(struct mgr *mgr, const char *task_id, struct mgr_error *err)
{
	return scheduler_run_now_notify(mgr, task_id, NULL, NULL, err);
}

int
scheduler_run_now_notify(struct mgr *mgr, const char *task_id,
			 scheduler_done_fn done, void *arg, struct mgr_error *err)
{
	struct scheduler *s = mgr->sched;
	struct stask *t = s != NULL ? sched_find(s, task_id) : NULL;

	if (t == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	if (s->shutting_down)
		return mgr_error_set(err, MGR_ECONFLICT,
		    _("the scheduler is shutting down"));
	if (t->inflight >= t->rec.max_instances)
		return mgr_error_set(err, MGR_ECONFLICT,
		    _("task \"%s\" is already running (max_instances %d)"),
		    task_id, t->rec.max_instances);
	task_start_attempt_number(s, t, mgr_now_us(), 1, done, arg);
	return 0;
}

int
scheduler_running_count(struct mgr *mgr)
{
	struct scheduler *s = mgr->sched;
	int n = 0;

	if (s == NULL)
		return 0;
	for (struct attempt *a = s->attempts; a != NULL; a = a->next)
		n++;
	return n;
}

static void
sched_housekeeping_stop(struct scheduler *s)
{
	if (!ev_is_active(&s->housekeeping))
		return;
	ev_ref(s->loop);
	ev_timer_stop(s->loop, &s->housekeeping);
}

static void
sched_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scheduler *s = w->data;

	(void)loop;
	(void)revents;
	log_warning(&s->mgr->log, _("shutdown: interrupting %d runs"),
	    runner_active(s->runner));
	runner_interrupt_all(s->runner);
}

void
scheduler_shutdown(struct mgr *mgr, int grace_seconds, void (*done)(struct mgr *))
{
	struct scheduler *s = mgr->sched;
	struct attempt *a, *next;

	if (s == NULL) {
		if (done != NULL)
			done(mgr);
		return;
	}
	s->shutting_down = 1;
	sched_arm(s);
	sched_housekeeping_stop(s);
	for (a = s->attempts; a != NULL; a = next) {
		next = a->next;
		if (a->waiting) {
			ev_timer_stop(s->loop, &a->retry);
			a->t->last_status = a->outcome;
			attempt_end(s, a);
		}
	}
	s->shutdown_done = done;
	ev_now_update(s->loop);	/* this iteration may have been long */
	ev_timer_set(&s->grace, grace_seconds, 0);
	if (grace_seconds <= 0)
		runner_interrupt_all(s->runner);
	else
		ev_timer_start(s->loop, &s->grace);
	sched_check_shutdown(s);
}

void
scheduler_free(struct mgr *mgr)
{
	struct scheduler *s = mgr->sched;

	if (s == NULL)
		return;
	ev_periodic_stop(s->loop, &s->wake);
	ev_timer_stop(s->loop, &s->grace);
	sched_housekeeping_stop(s);
	sched_flush_all(s);
	sched_writer_sync(s->writer);
	sched_call_after(sched_writer_take_after(s->writer));
	sched_writer_free(s->writer);
	sched_claim_close(s->claim);
	ev_timer_stop(s->loop, &s->rows);
	ev_timer_stop(s->loop, &s->running_rows);
	ev_ref(s->loop);
	ev_prepare_stop(s->loop, &s->flush);
	ev_ref(s->loop);
	ev_async_stop(s->loop, &s->written);
	for (size_t i = 0; i < s->ndone; i++)
		run_rec_clear(&s->done[i]);
	free(s->done);
	for (size_t i = 0; i < s->nbuckets; i++) {
		struct stask *t, *next;
		for (t = s->buckets[i]; t != NULL; t = next) {
			next = t->hnext;
			task_free(t);
		}
	}
	while (s->attempts != NULL) {
		struct attempt *a = s->attempts;
		s->attempts = a->next;
		if (a->done != NULL)
			a->done(a->done_arg, "interrupted");
		free(a);
	}
	sched_free_index(s);
	runner_free(s->runner);
	tz_cache_free(s->zones);
	free(s);
	mgr->sched = NULL;
}

int
scheduler_run_foreground(struct mgr *mgr, const char *task_id,
			 const char **status, struct mgr_error *err)
{
	struct scheduler *s;
	struct task_rec row;
	struct stask *t;
	int rc;

	if (mgr->loop == NULL)
		mgr->loop = ev_default_loop(0);
	memset(&row, 0, sizeof row);
	if ((rc = task_store_read(mgr->db, task_id, &row, err)) != 0)
		return rc;
	if ((s = sched_new(mgr, err)) == NULL) {
		task_rec_clear(&row);
		return MGR_EIO;
	}
	s->foreground = 1;
	mgr->sched = s;
	t = task_new(s, &row);
	t->fire = t->nominal = t->rec.next_run != 0 ? t->rec.next_run : TRIGGER_NONE;
	if ((rc = task_trigger_build_zones(&t->rec, s->zones, &t->trig, err)) == 0) {
		task_start_attempt(s, t, mgr_now_us());
		if (s->attempts != NULL)
			ev_run(s->loop, 0);
		*status = t->last_status != NULL ? t->last_status : "failed";
		scheduler_sync_history(mgr);
	}
	scheduler_free(mgr);
	return rc;
}
