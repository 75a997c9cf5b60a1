/* sched_attempt.c - attempts: starting a fire time's run on the runner,
 * its outcome, retries with backoff and jitter, the backlog of times
 * waiting for a free instance, and recording runs that never started
 * (skipped, missed, interrupted). */
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

static void attempt_begin(struct scheduler *s, struct attempt *a);

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
void
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

/* An attempt is over for good (no retry follows). */
void
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
	    .func_path = t->rec.func_path, .timeout = t->rec.timeout,
	    .scheduled_at = a->scheduled_at, .attempt = a->number };
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

void
task_start_attempt_number(struct scheduler *s, struct stask *t,
			  int64_t scheduled_at, int number,
			  scheduler_done_fn done, void *arg)
{
	task_start_attempt_row(s, t, scheduled_at, number, 0, done, arg);
}

/* row_written: the fire time's `claimed` row is in the history, so the
 * attempt's end updates it. */
void
task_start_attempt_row(struct scheduler *s, struct stask *t,
		       int64_t scheduled_at, int number, int row_written,
		       scheduler_done_fn done, void *arg)
{
	struct attempt *a = xcalloc(1, sizeof *a);

	a->row_written = row_written;
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

void
task_start_attempt(struct scheduler *s, struct stask *t, int64_t scheduled_at)
{
	task_start_attempt_number(s, t, scheduled_at, 1, NULL, NULL);
}

/* Starts waiting run times while instances are free; a time whose
 * grace has passed by now is recorded as missed. */
void
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
		int had_row = t->backlog_rows > 0;

		memmove(t->backlog, t->backlog + 1,
		    --t->nbacklog * sizeof *t->backlog);
		t->backlog_rows -= had_row;
		if (grace > 0 && now - at > grace) {
			task_record_unrun(s, t, at, "missed", xasprintf(
			    _("run was due %.3f s ago, more than misfire_grace_time %d s"),
			    (double)(now - at) / 1e6, grace_s));
			s->done[s->ndone - 1].running_row = had_row;
		} else
			task_start_attempt_row(s, t, at, 1, had_row, NULL, NULL);
	}
	t->in_backlog = 0;
}

void
task_backlog_add(struct stask *t, int64_t at)
{
	if (t->nbacklog == t->capbacklog) {
		t->capbacklog = t->capbacklog ? t->capbacklog * 2 : 4;
		t->backlog = xrealloc(t->backlog, t->capbacklog * sizeof *t->backlog);
	}
	t->backlog[t->nbacklog++] = at;
}

void
task_cancel_retries(struct scheduler *s, struct stask *t)
{
	struct attempt *a, *next;

	task_backlog_drop(s, t, _("the task was paused or removed"));
	for (a = s->attempts; a != NULL; a = next) {
		next = a->next;
		if (a->t == t && a->waiting) {
			ev_timer_stop(s->loop, &a->retry);
			t->last_status = a->outcome;
			attempt_end(s, a);
		}
	}
}

/* The waiting fire times that have no `claimed` row yet get one, so that
 * a crash from the next commit on leaves them to be started at the next
 * start (called for each changed task before its batch goes out). */
void
task_record_claimed(struct scheduler *s, struct stask *t)
{
	struct run_outcome o = { .status = "claimed", .exit_code = -1 };

	for (; t->backlog_rows < t->nbacklog; t->backlog_rows++)
		task_record(s, t, t->backlog[t->backlog_rows], 1, "claimed", &o);
}

/* The waiting fire times are dropped (instances full, the task paused or
 * removed): those with a `claimed` row are recorded skipped. */
void
task_backlog_drop(struct scheduler *s, struct stask *t, const char *why)
{
	for (size_t i = 0; i < t->backlog_rows && !t->removed; i++) {
		struct run_outcome o = { .status = "skipped", .exit_code = -1,
		    .error = xstrdup(why), .ended_at = mgr_now_us() };

		task_record(s, t, t->backlog[i], 1, "skipped", &o);
		s->done[s->ndone - 1].running_row = 1;
	}
	t->nbacklog = t->backlog_rows = 0;
}
