/* sched_due.c - due times: jitter, the next fire time of a task, the
 * wake-up armed for the earliest, misfires and coalescing of what is due
 * (APScheduler 3's _process_jobs), and settling the fire times an engine
 * claimed before it died (sched_claim.c). */
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

uint64_t
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
 * times as random jitter would.  With fixed_jitter, the task's one
 * delay (trigger_fixed_jitter_us). */
static int64_t
task_jitter(const struct stask *t, int64_t nominal)
{
	int64_t max_us = trigger_jitter_us(t->trig);
	/* This basis (FNV's with a digit short) is kept: it is what
	 * places every task's jitter, which must not move on upgrade. */
	uint64_t h = UINT64_C(1469598103934665603);

	if (max_us <= 0)
		return 0;
	if (trigger_fixed_jitter_us(t->trig) >= 0)
		return trigger_fixed_jitter_us(t->trig);
	h = fnv1a(h, t->id) ^ (uint64_t)nominal;
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

/* Sets the next fire time from nominal (adding jitter) and files the task
 * in the heap. */
void
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

/* Instances full: what waits is dropped, each time with a row of its own
 * (task_backlog_drop), and last, the time that found them full, is
 * recorded skipped with the limit, once, as APScheduler says it once.
 * last waits with a `claimed` row (the drop records it) or, without
 * coalesce, was just added, and is taken off to be recorded here. */
static void
task_skip_due(struct scheduler *s, struct stask *t, int64_t last)
{
	int queued = task_backlog_has_row(t, last) ||
	    (!t->rec.coalesce && !task_backlog_pop(t, last));

	task_backlog_drop(s, t, _("maximum number of running instances "
	    "reached"));
	if (!queued)
		task_record_unrun(s, t, last, "skipped", xasprintf(
		    _("maximum number of running instances reached (%d)"),
		    t->rec.max_instances));
}

/* APScheduler's _process_jobs for one due task.  Every fire time it
 * takes is claimed (sched_claim.c) before anything starts. */
static void
task_process_due(struct scheduler *s, struct stask *t, int64_t now)
{
	int64_t next = t->nominal, last = TRIGGER_NONE, claim = TRIGGER_NONE;
	size_t n = 0;

	while (next != TRIGGER_NONE && next <= now && n < MAX_CATCHUP) {
		if (!t->rec.coalesce && !task_backlog_has_row(t, next))
			task_backlog_add(t, next);
		if (task_fire_at(t, next) > claim)
			claim = task_fire_at(t, next);
		last = next;
		n++;
		next = trigger_next(t->trig, next, now);
	}
	if (next != TRIGGER_NONE && next <= now) {	/* too far behind */
		s->counts.overrun++;
		next = trigger_next(t->trig, TRIGGER_NONE, now);
	}
	if (t->rec.coalesce && n > 1)
		s->counts.coalesced += n - 1;
	if (claim != TRIGGER_NONE)
		sched_claim_mark(s->claim, claim, t->id);
	if (t->inflight >= t->rec.max_instances && last != TRIGGER_NONE)
		task_skip_due(s, t, last);
	else if (t->rec.coalesce && last != TRIGGER_NONE &&
	    !task_backlog_has_row(t, last))
		task_backlog_add(t, last);
	task_set_next(s, t, next);
	task_run_backlog(s, t);
}

void
scheduler_fire_counts(struct mgr *mgr, struct sched_fire_counts *out)
{
	static const struct sched_fire_counts none;

	*out = mgr->sched != NULL ? mgr->sched->counts : none;
}

void
scheduler_writer_stats(struct mgr *mgr, struct sched_writer_stats *out)
{
	static const struct sched_writer_stats none;

	if (mgr->sched != NULL && mgr->sched->writer != NULL)
		sched_writer_stats(mgr->sched->writer, out);
	else
		*out = none;
}

/* Held by scheduler_hold, or past the time scheduler_hold_after set
 * (read at each wake-up: nothing else need run first), or while the
 * history writer is behind (sched_flush.c: due times wait, the loop
 * does not). */
static int
sched_holding(const struct scheduler *s)
{
	return s->held || s->writer_full ||
	    (s->hold_after != 0 && mgr_mono_us() > s->hold_after);
}

/* Takes what is due, in heap order, for at most DUE_BUDGET_US: past
 * it, the rest waits for the next iteration (the wake-up is armed for a
 * time already past, so it comes at once), after the history hand-off
 * and the finished runs, so that a wake-up late by a second at 150,000
 * fires a second does not hold the loop for that second's work.  Taking
 * in heap order is what the claim mark needs (sched_claim.c), and it is
 * kept: the next iteration goes on from the top of the heap. */
void
sched_wake_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct scheduler *s = w->data;
	int64_t now = mgr_now_us(), until = mgr_mono_us() + DUE_BUDGET_US;
	struct stask *t;
	unsigned n = 0;

	(void)loop;
	(void)revents;
	s->armed_at = 0;
	while (!sched_holding(s) && (t = heap_top(s)) != NULL &&
	    t->fire <= now) {
		heap_remove(s, t);
		task_process_due(s, t, now);
		/* A clock read per task would cost more than the work. */
		if (++n % DUE_CHECK_EVERY == 0 && mgr_mono_us() > until)
			break;
	}
	sched_arm(s);
}

/* Arms the wake-up for the top of the heap (absolute wall-clock time);
 * none while held (scheduler_hold and scheduler_hold_after re-arm). */
void
sched_arm(struct scheduler *s)
{
	struct stask *t = heap_top(s);
	double at;

	if (t == NULL || s->shutting_down || sched_holding(s)) {
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

/* A task's first fire time when no engine stored one.  A one-shot task
 * that already ran, or was missed, is finished: never again (its stored
 * outcome is t->last, as task_load sets it). */
int64_t
task_first_fire(const struct stask *t, int64_t now)
{
	if (trigger_type(t->trig) == TRIGGER_DATE &&
	    (t->last != 0 || t->last_run != 0))
		return TRIGGER_NONE;
	return trigger_next(t->trig, TRIGGER_NONE, now);
}

/* A run that an engine crash interrupted is run again once when the task
 * says on_interrupt = rerun, as the next attempt of the same fire time. */
void
task_rerun_interrupted(struct scheduler *s, struct stask *t, int64_t at,
		       int number)
{
	if (t->rec.on_interrupt != TASK_INTERRUPT_RERUN || !t->rec.enabled ||
	    t->trig == NULL || t->plugin_off || t->inflight >= t->rec.max_instances)
		return;
	log_info(&s->mgr->log, "task %s: running the interrupted run of %lld again",
	    t->id, (long long)(at / US));
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

	if (run_store_fire_recorded(s->mgr->db, t->id, at, &yes, &err) != 0)
		log_warning(&s->mgr->log, "%s", err.msg);
	else if (!yes) {
		task_record_unrun(s, t, at, "interrupted", xstrdup(
		    _("the engine stopped before the end of this run was recorded")));
		*rerun = at;
	}
}

/* On a shared database, a fire time up to the end of the last engine
 * host's lease may have been started there without a row (s->claimed_until):
 * for an at-most-once task (on_interrupt = abandon) it is settled as a
 * claimed one, recorded `interrupted` and not run; an at-least-once task
 * (rerun) runs every such time again as a due one, since which of them
 * the other host reached is not known (a lease covers several fire times
 * of a task due every second, and the rerun of an interrupted time is
 * one, the latest). */
static int
task_maybe_claimed(const struct scheduler *s, const struct stask *t,
		   int64_t at, int64_t now)
{
	return at <= s->claimed_until && at <= now &&
	    t->rec.on_interrupt != TASK_INTERRUPT_RERUN;
}

/* Fire times from next on that the claim watermark covers were taken by
 * an engine that then died (on a shared database: task_maybe_claimed);
 * as when they were taken, with coalesce only the latest of them stood
 * for all.  Returns the first time that was
 * never claimed; *rerun the latest interrupted one. */
int64_t
task_settle_claims(struct scheduler *s, struct stask *t, int64_t next,
		   int64_t now, int64_t *rerun)
{
	int64_t last = TRIGGER_NONE;
	size_t n = 0;

	*rerun = TRIGGER_NONE;
	while (next != TRIGGER_NONE && n++ < MAX_CATCHUP &&
	    (sched_claim_covers(s->claim, task_fire_at(t, next), t->id) ||
	    task_maybe_claimed(s, t, next, now))) {
		if (!t->rec.coalesce)
			task_settle_one(s, t, next, rerun);
		last = next;
		next = trigger_next(t->trig, next, now);
	}
	if (t->rec.coalesce && last != TRIGGER_NONE)
		task_settle_one(s, t, last, rerun);
	return next;
}

/* Whether at has a run row, from the rows the start read (seen): they
 * are complete from the task's next fire time on, and the walk goes up
 * in time, so the cursor only moves on. */
static int
task_row_seen(struct fire_seen *seen, int64_t at)
{
	while (seen->i < seen->n && seen->v[seen->i].at < at)
		seen->i++;
	return seen->i < seen->n && seen->v[seen->i].at == at;
}

/* One fire time on the way to the last loaded row (task_pass_rows):
 * 1 when it has a row, 0 when not (a coalesced task's then stands in
 * the later run, as when it was taken; any other's waits to run as a
 * due one), -1 when that could not be read.  Without seen, one read of
 * the store. */
static int
task_pass_one(struct scheduler *s, struct stask *t, int64_t at,
	      struct fire_seen *seen)
{
	struct mgr_error err = { 0 };
	int yes;

	if (task_backlog_has_row(t, at))
		return 1;
	if (seen != NULL)
		yes = task_row_seen(seen, at);
	else if (run_store_fire_recorded(s->mgr->db, t->id, at, &yes,
	    &err) != 0) {
		log_warning(&s->mgr->log, "%s", err.msg);
		return -1;
	}
	if (!yes && !t->rec.coalesce)
		task_backlog_add(t, at);
	return yes;
}

/* Rows loaded at start (`claimed`, or `running` made `interrupted`), and
 * ended ones, may lie past the task's next fire time, which is written
 * lazily and settled only up to the claim mark: the catch-up from there
 * took them again, and a task with a free instance ran them twice.  So
 * the next fire time goes past last, the latest such row; a time on the
 * way with no row was taken by the last engine too (a task's times are
 * taken in order) and runs as a due time would.  Called only for tasks
 * with such rows, none on the due path. */
void
task_pass_rows(struct scheduler *s, struct stask *t, int64_t last,
	       struct fire_seen *seen)
{
	int64_t next = t->nominal, now = mgr_now_us();
	size_t n = 0;

	if (!t->rec.enabled || t->trig == NULL || t->plugin_off)
		return;		/* it takes no due time until it runs again */
	while (next != TRIGGER_NONE && next <= last && n++ < MAX_CATCHUP &&
	    task_pass_one(s, t, next, seen) >= 0)
		next = trigger_next(t->trig, next, now);
	if (next != t->nominal)
		task_set_next(s, t, next);
}

static void
fire_row_cb(void *arg, const char *task_id, int64_t at)
{
	struct fire_rows *r = arg;
	struct stask *t = sched_find(r->s, task_id);

	if (t == NULL || t->fire == TRIGGER_NONE || at < t->nominal)
		return;		/* not past its next fire time */
	if (r->n == r->cap)
		r->v = xrealloc(r->v, (r->cap = r->cap ? r->cap * 2 : 64) *
		    sizeof *r->v);
	r->v[r->n++] = (struct fire_row){ t, at };
}

static int
fire_row_cmp(const void *a, const void *b)
{
	const struct fire_row *x = a, *y = b;
	uintptr_t tx = (uintptr_t)x->t, ty = (uintptr_t)y->t;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Every run row at or past its task's next fire time, in one statement
 * from the earliest next fire time of the scheduled tasks at load
 * (s->rows_from; the store reads a range of its time-led key, or one
 * index range per task on a task-led one), grouped by task and sorted
 * by time.  r->read stays 0 when nothing is scheduled or the read
 * failed: the passes then read each time they walk. */
void
sched_rows_read(struct scheduler *s, struct fire_rows *r)
{
	struct mgr_error err = { 0 };

	memset(r, 0, sizeof *r);
	r->s = s;
	if (s->rows_from == INT64_MAX)
		return;		/* nothing scheduled */
	if (run_store_fires_from(s->mgr->db, s->rows_from, fire_row_cb, r,
	    &err) != 0) {
		log_warning(&s->mgr->log, "%s", err.msg);
		free(r->v);
		memset(r, 0, sizeof *r);
		return;
	}
	r->read = 1;
	if (r->n > 1)		/* r->v is NULL when nothing was found */
		qsort(r->v, r->n, sizeof *r->v, fire_row_cmp);
}

/* t's rows in r, as a walk's cursor; NULL when r was not read. */
struct fire_seen *
sched_rows_of(const struct fire_rows *r, const struct stask *t,
	      struct fire_seen *seen)
{
	size_t lo = 0, hi = r->n;

	if (!r->read)
		return NULL;
	while (lo < hi) {	/* the first of t's, or where they would be */
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)r->v[mid].t < (uintptr_t)t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < r->n && r->v[hi].t == t; hi++)
		;
	*seen = (struct fire_seen){ r->v + lo, hi - lo, 0 };
	return seen;
}

/* Rows past a task's next fire time that no loaded row led to (the
 * last engine ran them and died before its task row, written lazily,
 * said so; or left a time with no row before them): passed as those
 * are (task_pass_rows), so that the catch-up does not take them again.
 * After the claimed and interrupted rows, which lead the backlog. */
void
sched_pass_recorded(struct scheduler *s, const struct fire_rows *r)
{
	struct fire_seen seen;

	for (size_t i = 0, j; i < r->n; i = j) {
		struct stask *t = r->v[i].t;
		for (j = i; j < r->n && r->v[j].t == t; j++)
			;
		if (t->nominal == TRIGGER_NONE || r->v[j - 1].at < t->nominal)
			continue;	/* passed with its loaded rows */
		seen = (struct fire_seen){ r->v + i, j - i, 0 };
		task_pass_rows(s, t, r->v[j - 1].at, &seen);
		task_run_backlog(s, t);
	}
}

void
scheduler_hold(struct mgr *mgr, int hold)
{
	struct scheduler *s = mgr->sched;

	if (s == NULL || s->held == (hold != 0))
		return;
	s->held = hold != 0;
	sched_arm(s);	/* a time already due wakes at once */
}

void
scheduler_hold_after(struct mgr *mgr, int64_t mono_us)
{
	struct scheduler *s = mgr->sched;

	if (s == NULL)
		return;
	s->hold_after = mono_us;
	sched_arm(s);
}
