/* sched_flush.c - the history hand-off: what a loop iteration changed
 * (task rows, finished runs, `running` rows of long runs, answers that
 * wait for a commit) goes to the writer thread in one batch, just before
 * the loop sleeps or every FLUSH_EVERY_S under load; rows whose status did
 * not change wait TASK_ROW_EVERY_S. */
#include "i18n.h"
#include "manager.h"
#include "runner.h"
#include "sched_int.h"
#include "sched_writer.h"
#include "scheduler.h"
#include "trigger.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fn(arg, status) once what is recorded so far is committed, so that a
 * client told "the run is over" finds it in the history. */
void
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

void
sched_note(struct scheduler *s, const struct notify_rec *n, int done)
{
	struct notify_write *w;
	struct run_rec *r;

	if (s->nnotes == s->capnotes) {
		s->capnotes = s->capnotes ? s->capnotes * 2 : 16;
		s->notes = xrealloc(s->notes, s->capnotes * sizeof *s->notes);
	}
	w = &s->notes[s->nnotes++];
	memset(w, 0, sizeof *w);
	w->done = done;
	w->n.event = xstrdup(n->event);
	r = &w->n.run;
	r->id = n->run.id;
	if (done)
		return;
	w->n.action = xstrdup(n->action);
	w->n.starts = n->starts;
	*r = n->run;
	r->running_row = 0;
	r->log = NULL;
	r->log_len = 0;
	r->task_id = xstrdup(n->run.task_id);
	r->status = xstrdup(n->run.status);
	r->output = n->run.output != NULL ? xstrdup(n->run.output) : NULL;
	r->error = n->run.error != NULL ? xstrdup(n->run.error) : NULL;
}

void
sched_call_after(struct write_after *a)
{
	struct write_after *next;

	for (; a != NULL; a = next) {
		next = a->next;
		a->fn(a->arg, a->status);
		free(a);
	}
}

void
sched_written_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct scheduler *s = w->data;

	(void)loop;
	(void)revents;
	sched_call_after(sched_writer_take_after(s->writer));
	if (s->writer_full && !sched_writer_over(s->writer, WRITER_MAX_BACKLOG)) {
		s->writer_full = 0;
		sched_arm(s);	/* what came due meanwhile */
	}
}

void
sched_writer_notify(void *arg)
{
	struct scheduler *s = arg;

	ev_async_send(s->loop, &s->written);
}

/* What changed since the last flush, as one batch for the writer. */
static void
batch_add_task(struct scheduler *s, struct write_batch *b, size_t *cap,
	       struct stask *t, const char *status, double now)
{
	if (b->ntasks == *cap)
		b->tasks = xrealloc(b->tasks, (*cap = *cap ? *cap * 2 : 64) *
		    sizeof *b->tasks);
	b->tasks[b->ntasks++] = (struct task_write){ xstrdup(t->id),
	    status, t->last_run, t->fire == TRIGGER_NONE ? 0 : t->fire,
	    t->fire == TRIGGER_NONE ? 0 : t->nominal };
	t->written = task_status_code(status);
	t->written_cs = sched_cs(s, now);
}

/* A row whose status did not change was written less than
 * TASK_ROW_EVERY_S ago: it waits on the deferred list (its times only
 * moved on), so a task firing every second costs one row write per
 * TASK_ROW_EVERY_S instead of one per fire.  While the writer is behind,
 * TASK_ROW_BUSY_S: at 150,000 tasks a second the rows of every 5 s were
 * a fifth of the writer's time (perf), and the runs, which are the
 * history, come first; the claim mark, not the row, says which fire
 * times were taken (sched_claim.c). */
static int
task_row_can_wait(struct scheduler *s, struct stask *t, const char *status,
		  double now)
{
	double every = s->writer_busy ? TASK_ROW_BUSY_S : TASK_ROW_EVERY_S;

	if (s->force_rows || task_status_code(status) != t->written ||
	    sched_cs_since(s, now, t->written_cs) >= every)
		return 0;
	if (!t->deferred) {
		t->deferred = 1;
		t->deferred_next = s->deferred;
		s->deferred = t;
	}
	if (!ev_is_active(&s->rows)) {
		ev_timer_set(&s->rows, every, 0);
		ev_timer_start(s->loop, &s->rows);
	}
	return 1;
}

/* A run that began less than RUNNING_ROW_AFTER_S ago is most likely over
 * by a later flush: writing `running` now and the outcome right after
 * would cost two row writes per fire.  Its row stays dirty for the next
 * flush, which writes `running` once the run has gone on that long, as
 * its `runs` row is (batch_add_running).  Under overload, runs wait in
 * the pool past a flush interval: with that interval as the limit, most
 * fires cost two task-row writes (callgrind: 0.93 per attempt) on the
 * writer that sets the pace. */
static int
task_row_just_began(struct scheduler *s, struct stask *t, const char *status,
		    double now)
{
	/* A hundredth more: began_cs is cut to the hundredth, and the row
	 * must not go out before the run's own (batch_add_running, which
	 * reads the exact time), or it would carry a next_nominal past a
	 * fire time with no row. */
	return !s->force_rows && status[0] == 'r' &&
	    strcmp(status, "running") == 0 &&
	    sched_cs_since(s, now, t->began_cs) < RUNNING_ROW_AFTER_S + 0.01;
}

/* The row of attempt a, as status, in b (an update of its `claimed`
 * row, if it has one). */
static void
batch_add_attempt(struct write_batch *b, size_t *cap, struct attempt *a,
		  const char *status)
{
	struct run_rec *r;

	if (b->nruns == *cap)
		b->runs = xrealloc(b->runs, (*cap = *cap ? *cap * 2 : 16) *
		    sizeof *b->runs);
	r = &b->runs[b->nruns++];
	memset(r, 0, sizeof *r);
	r->id = a->run_id;
	r->task_id = xstrdup(a->t->id);
	r->attempt = a->number;
	r->scheduled_at = a->scheduled_at;
	r->started_at = a->started_us;
	r->status = xstrdup(status);
	r->exit_code = -1;
	r->running_row = a->row_claimed;
	a->row_written = 1;
	a->row_claimed = status[0] == 'c';
}

/* An attempt that has gone on for RUNNING_ROW_AFTER_S gets its `running`
 * row, so that an engine crash from now on leaves a trace that the next
 * start records as interrupted.  Shorter runs are written once, ended:
 * one row write per run instead of two, which matters at many thousand
 * runs a second (a scheduled run cut short before that is still found,
 * through its claim; see sched_claim.c).  A first attempt queued over a
 * limit (hooks_admit) gets a `claimed` row at once, as a time waiting
 * behind max_instances does: its task row, written meanwhile with the
 * status `queued`, carries a next_nominal past that fire time, from
 * which the next start settles, so without a row a crash lost it.  Once
 * such a run, or one of a time that waited with a `claimed` row, has
 * begun, its row becomes `running` like any: left `claimed`, the next
 * start would run it again rather than record it interrupted. */
static void
batch_add_running(struct scheduler *s, struct write_batch *b, double now)
{
	size_t cap = b->nruns;

	for (struct attempt *a = s->attempts; a != NULL; a = a->next) {
		if ((a->row_written && !a->row_claimed) || a->t->removed)
			continue;
		if (a->waiting) {
			if (a->number == 1 && !a->row_written)
				batch_add_attempt(b, &cap, a, "claimed");
		} else if (s->force_rows || now - a->began >= RUNNING_ROW_AFTER_S)
			batch_add_attempt(b, &cap, a, "running");
	}
}

/* The next tasks of the rows pass (sched_rows_cb), at most
 * TASK_ROWS_PASS looked at, and their rows in b while it has room for
 * TASK_ROWS_PER_BATCH: a row whose wait is over (or every one, in a
 * forced pass) goes into b, any other waits again.  Bounded, since the
 * pass holds every task that fires often: at 150,000 tasks due every
 * second, all of them, and handing them all over in one flush took the
 * loop 63-80 ms of CPU (walking them all to find those due, 4-6 ms).
 * A task on the dirty list is the dirty walk's to write (it took it
 * already). */
static void
sched_take_rows(struct scheduler *s, struct write_batch *b, size_t *cap,
		double now)
{
	struct stask *t;
	const char *status;
	size_t n = 0;

	while ((t = s->rows_pass) != NULL && n++ < TASK_ROWS_PASS &&
	    b->ntasks < TASK_ROWS_PER_BATCH) {
		s->rows_pass = t->deferred_next;
		t->deferred = 0;
		if (t->removed || t->dirty)
			continue;
		status = task_status(t);
		if (s->rows_pass_force || !task_row_can_wait(s, t, status, now))
			batch_add_task(s, b, cap, t, status, now);
	}
	if (s->rows_pass == NULL)
		s->rows_pass_force = 0;
}

/* What changed since the last flush, as one batch for the writer.  At
 * most TASK_ROWS_PER_BATCH task rows (unless forced): the rest stay
 * dirty for the next flush, so that the rows of 150,000 tasks that come
 * due together never hold the loop for their copies at once. */
static struct write_batch *
sched_take_batch(struct scheduler *s)
{
	struct write_batch *b = xcalloc(1, sizeof *b);
	double now = ev_now(s->loop);
	struct stask *t, *next, *keep = NULL;
	const char *status;
	size_t cap = 0;

	s->writer_busy = sched_writer_backlog(s->writer) > 0;

	for (t = s->dirty; t != NULL; t = t->dirty_next)
		if (!t->removed && t->side != NULL &&
		    t->side->backlog_rows < t->side->nbacklog)
			task_record_claimed(s, t);
	for (t = s->dirty; t != NULL; t = next) {
		next = t->dirty_next;
		t->dirty = 0;
		if (t->removed)
			continue;
		status = task_status(t);
		if (task_row_just_began(s, t, status, now) ||
		    (b->ntasks >= TASK_ROWS_PER_BATCH && !s->force_rows)) {
			t->dirty = 1;
			t->dirty_next = keep;
			keep = t;
		} else if (!task_row_can_wait(s, t, status, now))
			batch_add_task(s, b, &cap, t, status, now);
	}
	s->dirty = keep;
	sched_take_rows(s, b, &cap, now);
	b->runs = s->done;
	b->nruns = s->ndone;
	s->done = NULL;
	s->ndone = s->capdone = 0;
	b->notes = s->notes;
	b->nnotes = s->nnotes;
	s->notes = NULL;
	s->nnotes = s->capnotes = 0;
	batch_add_running(s, b, now);
	b->after = s->after;
	s->after = NULL;
	return b;
}

/* Deferred rows, and the rows pass's, go back on the dirty list, to be
 * written now (every one: at shutdown, or for a client that waits for
 * the history). */
static void
sched_undefer(struct scheduler *s)
{
	struct stask *lists[2] = { s->deferred, s->rows_pass }, *t, *next;

	for (int i = 0; i < 2; i++)
		for (t = lists[i]; t != NULL; t = next) {
			next = t->deferred_next;
			t->deferred = 0;
			task_mark_dirty(s, t);
		}
	s->deferred = s->rows_pass = NULL;
	s->rows_pass_force = 0;
}

/* Something waits to be written: rows, runs, an answer to a client.  (A
 * run that began keeps its task on the dirty list until its `running`
 * row can be written.) */
static int
sched_has_writes(struct scheduler *s)
{
	return s->dirty != NULL || s->ndone > 0 || s->after != NULL ||
	    s->nnotes > 0 || s->flush_running || s->rows_pass != NULL;
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
	if (b->nruns == 0 && b->ntasks == 0 && b->after == NULL &&
	    b->nnotes == 0)
		write_batch_free(b);
	else
		sched_writer_submit(s->writer, b);
	/* Rows of runs that just began, or the rest of a rows pass. */
	if (s->dirty != NULL || s->rows_pass != NULL) {
		ev_timer_set(&s->flush_later, FLUSH_EVERY_S, 0);
		ev_timer_start(s->loop, &s->flush_later);
	}
	/* A writer that cannot keep up holds back new fires rather than let
	 * memory grow without bound: due times wait (sched_holding) until
	 * it is back under the limit (sched_written_cb), and are then taken
	 * late, through the misfire rules, as after any delay.  The loop
	 * itself never waits for the writer: it used to, for a whole
	 * commit, which at 150,000 fires a second stalled it for 0.9-3.8 s
	 * (bench/run).  Not during a bulk command's transaction
	 * (sched_bulk.c): the writer waits for its lock; the backlog grows
	 * by the fires of those few seconds only. */
	if (!s->writer_full && !scheduler_bulk_writing(s->mgr) &&
	    sched_writer_over(s->writer, WRITER_MAX_BACKLOG))
		s->writer_full = 1;
}

/* Everything, deferred rows too. */
void
sched_flush_all(struct scheduler *s)
{
	sched_undefer(s);
	ev_timer_stop(s->loop, &s->rows);
	s->force_rows = 1;
	sched_flush_now(s);
	s->force_rows = 0;
}

/* The deferred rows are written: the list becomes the rows pass, which
 * the next flushes go through TASK_ROWS_PASS at a time
 * (sched_take_rows), so no loop iteration copies or walks every task's
 * row.  While the writer is behind, only those that waited
 * TASK_ROW_BUSY_S are written: the others wait again (and bring the
 * timer back); else all of them.  One pass at a time: a timer that
 * comes while one goes on (a pass of 150,000 rows takes about 4 s of
 * flushes) comes back in a second. */
void
sched_rows_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scheduler *s = w->data;

	(void)revents;
	if (s->rows_pass != NULL) {
		ev_timer_set(w, 1.0, 0);
		ev_timer_start(loop, w);
		return;
	}
	s->rows_pass = s->deferred;
	s->deferred = NULL;
	s->rows_pass_force = !s->writer_busy;
}

void
scheduler_sync_history(struct mgr *mgr)
{
	if (mgr->sched == NULL)
		return;
	sched_flush_all(mgr->sched);
	sched_writer_sync(mgr->sched->writer);
}

void
scheduler_db_reconnect(struct mgr *mgr, int64_t verified_mono)
{
	if (mgr->sched != NULL)
		sched_writer_reconnect(mgr->sched->writer, verified_mono);
}

void
scheduler_db_fenced(struct mgr *mgr)
{
	if (mgr->sched != NULL)
		sched_writer_fenced(mgr->sched->writer);
}

size_t
scheduler_db_waiting(struct mgr *mgr)
{
	return mgr->sched != NULL ? sched_writer_waiting(mgr->sched->writer) :
	    0;
}

/* Before the loop sleeps: what this iteration changed goes out in one
 * transaction.  Under load, when iterations follow each other closely,
 * writes are gathered for up to FLUSH_EVERY_S instead, so one commit
 * carries many runs and the loop is not held by a commit per fire. */
void
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
void
sched_running_rows_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scheduler *s = w->data;
	struct attempt *a;

	(void)revents;
	for (a = s->attempts; a != NULL && (a->waiting ||
	    (a->row_written && !a->row_claimed)); a = a->next)
		;
	if (a == NULL)
		return;
	s->flush_running = 1;
	sched_flush_now(s);
	s->flush_running = 0;
	ev_timer_set(w, RUNNING_ROW_AFTER_S / 2, 0);
	ev_timer_start(loop, w);
}

void
sched_flush_later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sched_flush_now(w->data);
}
