/* sched_attempt.c - attempts: starting a fire time's run on the runner,
 * its outcome, retries with backoff and jitter, the backlog of times
 * waiting for a free instance, and recording runs that never started
 * (skipped, missed, interrupted). */
#include "hooks_run.h"
#include "i18n.h"
#include "manager.h"
#include "runner.h"
#include "sched_int.h"
#include "sched_writer.h"
#include "scheduler.h"
#include "task_context.h"
#include "task_context_store.h"
#include "trigger.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct attempt *attempt_new(struct scheduler *s, struct stask *t,
				   int64_t scheduled_at, int number,
				   int64_t row_id, scheduler_done_fn done,
				   void *arg);

/* A run for the next batch; id 0: a row of its own, with a new id. */
static void
task_record(struct scheduler *s, struct stask *t, int64_t scheduled_at,
	    int number, const char *status, struct run_outcome *o, int64_t id)
{
	struct run_rec *r;

	if (s->ndone == s->capdone) {
		s->capdone = s->capdone ? s->capdone * 2 : 256;
		s->done = xrealloc(s->done, s->capdone * sizeof *s->done);
	}
	r = &s->done[s->ndone++];
	memset(r, 0, sizeof *r);
	r->id = id > 0 ? id : sched_run_id(s);
	r->task_id = xstrdup(t->id);
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
		r->user_us = o->user_us;
		r->sys_us = o->sys_us;
		r->max_rss_kb = o->max_rss_kb;
		r->log = o->log;
		r->log_len = o->log_len;
		o->output = o->error = o->log = NULL;
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

/* A run that never started: missed, skipped.  row_id > 0: its `claimed`
 * row, of that id, becomes this. */
static void
task_record_unrun_row(struct scheduler *s, struct stask *t,
		      int64_t scheduled_at, const char *status, char *error,
		      int64_t row_id)
{
	struct run_outcome o = { .status = status, .exit_code = -1,
	    .error = error };

	sched_emit(s, status, t->id, error);	/* task.skipped, ... */
	o.ended_at = mgr_now_us();
	task_record(s, t, scheduled_at, 1, status, &o, row_id);
	s->done[s->ndone - 1].running_row = row_id > 0;
	/* With an attempt in flight, the status says what that attempt does:
	 * a time skipped behind a queued one left the task "running". */
	if (t->inflight == 0)
		task_set_last_status(t, status);
	task_mark_dirty(s, t);
	log_info(&s->mgr->log, "task %s: run of %lld %s", t->id,
	    (long long)(scheduled_at / US), status);
	hooks_final(s->hooks, t, &s->done[s->ndone - 1]);
}

void
task_record_unrun(struct scheduler *s, struct stask *t, int64_t scheduled_at,
		  const char *status, char *error)
{
	task_record_unrun_row(s, t, scheduled_at, status, error, 0);
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

/* `task stop` waits for the end of the runs it stopped, recorded. */
struct stop_wait {
	int left;
	scheduler_done_fn done;
	void *arg;
};

static void
stop_wait_one(void *arg, const char *status)
{
	struct stop_wait *w = arg;

	(void)status;
	if (--w->left > 0)
		return;
	if (w->done != NULL)
		w->done(w->arg, "stopped");
	free(w);
}

/* An attempt is over for good (no retry follows). */
void
attempt_end(struct scheduler *s, struct attempt *a)
{
	struct stask *t = a->t;

	if (a->stop != NULL)
		sched_after_commit(s, stop_wait_one, a->stop, "stopped");
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

	sched_emit(s, status, t->id, o != NULL && o->error != NULL ?
	    o->error : status);
	if (strcmp(status, "succeeded") == 0)
		return;		/* history has it; events are for attention */
	mgr_event(s->mgr, status[0] == 'r' ? "task.retrying" :
	    strcmp(status, "stopped") == 0 ? "task.stopped" : "task.failed",
	    t->id, &err, "%s%s%s", status, o != NULL && o->error != NULL ?
	    ": " : "", o != NULL && o->error != NULL ? o->error : "");
}

/* A run of a task removed while it went on: its history is gone with
 * the task, so its end is an event, said as it happened. */
static void
task_removed_run(struct scheduler *s, struct stask *t, struct attempt *a,
		 const struct run_outcome *o)
{
	struct mgr_error err = { 0 };

	mgr_event(s->mgr, "task.removed_run", t->id, &err,
	    _("a run of the removed task %s (attempt %d, run %lld) ended: %s%s%s"),
	    t->id, a->number, (long long)a->run_id, o->status,
	    o->error != NULL ? ": " : "", o->error != NULL ? o->error : "");
}

static void
attempt_done(struct run_outcome *o, void *arg)
{
	struct attempt *a = arg;
	struct scheduler *s = a->s;
	struct stask *t = a->t;
	const char *status = o->status;
	int retry;

	hooks_release(s->hooks, a);
	if (o->started_at > t->last_run)
		t->last_run = o->started_at;
	retry = outcome_retryable(status) && a->number <= t->rec.max_retries &&
	    !s->shutting_down && !t->removed && t->rec.enabled;
	if (strcmp(status, "succeeded") != 0)
		log_info(&s->mgr->log, "task %s: attempt %d %s%s%s", t->id,
		    a->number, status, o->error != NULL ? ": " : "",
		    o->error != NULL ? o->error : "");
	task_emit(s, t, status, o);
	if (strcmp(status, "crashed") == 0 && task_plugin(t) != NULL &&
	    s->mgr->sched_events != NULL && s->mgr->sched_events->run_crashed)
		s->mgr->sched_events->run_crashed(s->mgr, task_plugin(t));
	if (t->removed)
		task_removed_run(s, t, a, o);	/* its rows went with it */
	else {
		task_record(s, t, a->scheduled_at, a->number, status, o,
		    a->run_id);
		s->done[s->ndone - 1].running_row = a->row_written;
	}
	a->row_written = a->row_claimed = 0;
	run_outcome_clear(o);
	task_set_last_status(t, retry ? "retrying" : status);
	a->outcome = status;
	task_mark_dirty(s, t);
	if (!retry) {
		if (!t->removed)
			hooks_final(s->hooks, t, &s->done[s->ndone - 1]);
		attempt_end(s, a);
		return;
	}
	a->number++;
	a->run_id = sched_run_id(s);	/* the next attempt: a row of its own */
	a->waiting = 1;
	ev_timer_init(&a->retry, attempt_retry_cb, retry_delay(s, a->number - 1), 0);
	a->retry.data = a;
	ev_timer_start(s->loop, &a->retry);
}

void
task_context_forget(struct stask *t)
{
	if (t->side != NULL && t->side->ctx != NULL) {
		task_context_clear(t->side->ctx);
		free(t->side->ctx);
		t->side->ctx = NULL;
		task_side_release(t);
	}
	t->ctx_none = 0;
}

/* The task's context, read once and kept until the task changes. */
static int
task_context_get(struct scheduler *s, struct stask *t,
		 const struct task_context **out, struct mgr_error *err)
{
	struct task_context *c;
	char *json = NULL;
	int rc;

	if (t->ctx_none) {	/* known at start (sched_load_contexts) */
		*out = &s->no_ctx;
		return 0;
	}
	if (t->side != NULL && t->side->ctx != NULL) {
		*out = t->side->ctx;
		return 0;
	}
	rc = task_context_store_get(s->mgr->db, t->id, &json, err);
	if (rc == MGR_ENOENT)
		rc = 0;		/* a foreground run of a task file, say */
	c = xcalloc(1, sizeof *c);
	if (rc == 0)
		rc = task_context_from_json(json, c, err);
	free(json);
	if (rc != 0) {
		free(c);
		return mgr_error_prefix(err, _("task \"%s\": context"), t->id);
	}
	*out = task_side(t)->ctx = c;
	return 0;
}

/* The run's environment and context for the runner; *env and *workdir
 * are the caller's to free. */
static int
attempt_context(struct scheduler *s, struct attempt *a, struct run_spec *spec,
		char ***env, char **workdir, struct mgr_error *err)
{
	struct stask *t = a->t;
	struct task_run_ids ids = { .task_id = t->id, .run_id = a->run_id,
	    .scheduled_at = a->scheduled_at, .attempt = a->number };
	const struct task_context *ctx = NULL;
	int rc;

	*env = NULL;
	*workdir = NULL;
	if ((rc = task_context_get(s, t, &ctx, err)) != 0)
		return rc;
	/* A plugin function runs in this process or in a worker, which take
	 * no environment or folder of their own: building them (a passwd
	 * lookup, a stat, the strings) is for exec: programs, and for a
	 * named user, whose existence it checks. */
	if ((strncmp(task_func(t), "exec:", 5) == 0 || ctx->user != NULL) &&
	    (rc = task_context_env(s->mgr, ctx, &ids, env, workdir, err)) != 0)
		return rc;
	spec->envp = *env;
	spec->workdir = *workdir;
	task_context_spec(s->mgr, ctx, spec);
	return 0;
}

void
attempt_begin(struct scheduler *s, struct attempt *a)
{
	struct stask *t = a->t;
	struct run_spec spec = { .task_id = t->id,
	    .func_path = task_func(t), .timeout = t->rec.timeout,
	    .umask = -1, .scheduled_at = a->scheduled_at,
	    .attempt = a->number };
	struct mgr_error err = { 0 };
	struct run_outcome o;
	char **env = NULL, *workdir = NULL;
	int rc;

	if (hooks_admit(s->hooks, a))
		return;		/* queued: over a limit */
	task_set_last_status(t, "running");
	t->began_cs = sched_cs(s, ev_now(s->loop));
	a->started_us = mgr_now_us();
	a->began = ev_now(s->loop);
	if (!s->foreground && !ev_is_active(&s->running_rows)) {
		ev_timer_set(&s->running_rows, RUNNING_ROW_AFTER_S, 0);
		ev_timer_start(s->loop, &s->running_rows);
	}
	task_mark_dirty(s, t);
	rc = attempt_context(s, a, &spec, &env, &workdir, &err);
	if (rc == 0)
		rc = runner_start(s->runner, &spec, attempt_done, a, &err);
	strv_free(env);
	free(workdir);
	if (rc == 0)
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

/* row_id > 0: the fire time's `claimed` row (of that id) is in the
 * history, so the attempt's end updates it; 0: a new id. */
void
task_start_attempt_row(struct scheduler *s, struct stask *t,
		       int64_t scheduled_at, int number, int64_t row_id,
		       scheduler_done_fn done, void *arg)
{
	struct attempt *a = attempt_new(s, t, scheduled_at, number, row_id,
	    done, arg);

	a->row_claimed = row_id > 0;	/* a waiting time's row */
	attempt_begin(s, a);
}

static struct attempt *
attempt_new(struct scheduler *s, struct stask *t, int64_t scheduled_at,
	    int number, int64_t row_id, scheduler_done_fn done, void *arg)
{
	struct attempt *a = xcalloc(1, sizeof *a);

	a->row_written = row_id > 0;
	a->run_id = row_id > 0 ? row_id : sched_run_id(s);
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
	return a;
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
	int grace_s = t->rec.misfire_grace_time != TASK_GRACE_DEFAULT ?
	    t->rec.misfire_grace_time : s->mgr->conf->misfire_grace_time;
	int64_t now = mgr_now_us(), grace = (int64_t)grace_s * US;

	/* An attempt that fails to start ends at once and calls back here:
	 * the outer call goes on with the list. */
	if (t->in_backlog)
		return;
	t->in_backlog = 1;
	/* t->side is read anew each time: an attempt that ends at once may
	 * have dropped the backlog (task_backlog_drop). */
	while (task_nbacklog(t) > 0 && t->inflight < t->rec.max_instances &&
	    !s->shutting_down && !t->removed) {
		struct stask_side *b = t->side;
		int64_t at = b->backlog[0];
		int had_row = b->backlog_rows > 0;
		int64_t row_id = had_row ? b->backlog_ids[0] : 0;

		memmove(b->backlog, b->backlog + 1,
		    --b->nbacklog * sizeof *b->backlog);
		memmove(b->backlog_ids, b->backlog_ids + 1,
		    b->nbacklog * sizeof *b->backlog_ids);
		b->backlog_rows -= had_row;
		if (grace > 0 && now - at > grace)
			task_record_unrun_row(s, t, at, "missed", xasprintf(
			    _("run was due %.3f s ago, more than misfire_grace_time %d s"),
			    (double)(now - at) / 1e6, grace_s), row_id);
		else
			task_start_attempt_row(s, t, at, 1, row_id, NULL, NULL);
	}
	t->in_backlog = 0;
	task_side_release(t);
}

void
task_backlog_add(struct stask *t, int64_t at)
{
	struct stask_side *b = task_side(t);

	if (b->nbacklog == b->capbacklog) {
		b->capbacklog = b->capbacklog ? b->capbacklog * 2 : 4;
		b->backlog = xrealloc(b->backlog, b->capbacklog *
		    sizeof *b->backlog);
		b->backlog_ids = xrealloc(b->backlog_ids, b->capbacklog *
		    sizeof *b->backlog_ids);
	}
	b->backlog_ids[b->nbacklog] = 0;	/* no row yet */
	b->backlog[b->nbacklog++] = at;
}

/* A first attempt that waited over a limit has a `claimed` row
 * (sched_flush.c): dropped with its paused task, it is skipped, as a
 * time waiting behind max_instances is, not left to start at the next
 * start. */
static void
task_skip_queued(struct scheduler *s, struct stask *t, struct attempt *a)
{
	struct run_outcome o = { .status = "skipped", .exit_code = -1,
	    .error = xstrdup(_("the task was paused or removed")),
	    .ended_at = mgr_now_us() };

	task_record(s, t, a->scheduled_at, 1, "skipped", &o, a->run_id);
	s->done[s->ndone - 1].running_row = 1;
	a->row_written = a->row_claimed = 0;
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
			task_set_last_status(t, a->outcome);
			if (a->row_written && a->number == 1 && !t->removed)
				task_skip_queued(s, t, a);
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
	struct stask_side *b = t->side;

	for (; b != NULL && b->backlog_rows < b->nbacklog; b->backlog_rows++) {
		task_record(s, t, b->backlog[b->backlog_rows], 1, "claimed",
		    &o, 0);
		b->backlog_ids[b->backlog_rows] = s->done[s->ndone - 1].id;
	}
}

/* The waiting fire times are dropped (instances full, the task paused or
 * removed): each is recorded skipped, in its `claimed` row or, if the
 * flush has not written one yet, in a row of its own.  Every fire time
 * taken has a row: one dropped without any (a takeover's catch-up that
 * found the task busy) was a hole that no later start could see, since
 * the claim mark and next_nominal had passed it
 * (tests/pg/cluster-failover.sh).  A removed task's go with it. */
void
task_backlog_drop(struct scheduler *s, struct stask *t, const char *why)
{
	struct stask_side *b = t->side;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nbacklog && !t->removed; i++) {
		int64_t id = i < b->backlog_rows ? b->backlog_ids[i] : 0;
		struct run_outcome o = { .status = "skipped", .exit_code = -1,
		    .error = xstrdup(why), .ended_at = mgr_now_us() };

		task_record(s, t, b->backlog[i], 1, "skipped", &o, id);
		s->done[s->ndone - 1].running_row = id > 0;
	}
	if (t->removed)
		s->counts.dropped += b->nbacklog - b->backlog_rows;
	b->nbacklog = b->backlog_rows = 0;
	task_side_release(t);
}

/* Whether at already waits with a `claimed` row: rows that the last
 * engine host queued (sched_start_claimed) may lie at or past the
 * task's stored next fire time, which is written lazily; taken again as
 * due, such a time ran twice and its row was inserted twice.  Only a
 * time at or before the last such row is looked for, so the usual
 * catch-up, past every waiting time, costs no scan. */
int
task_backlog_has_row(const struct stask *t, int64_t at)
{
	const struct stask_side *b = t->side;

	if (b == NULL || b->backlog_rows == 0 ||
	    at > b->backlog[b->backlog_rows - 1])
		return 0;
	for (size_t i = 0; i < b->backlog_rows; i++)
		if (b->backlog[i] == at)
			return 1;
	return 0;
}

/* Takes the last waiting time off when it is at and has no row yet (the
 * time a busy task's catch-up just added, recorded by its caller). */
int
task_backlog_pop(struct stask *t, int64_t at)
{
	struct stask_side *b = t->side;

	if (b == NULL || b->nbacklog <= b->backlog_rows ||
	    b->backlog[b->nbacklog - 1] != at)
		return 0;
	b->nbacklog--;
	return 1;
}

/* ---- job control: manual runs with ids, stopping runs ---- */

int
task_start_manual(struct scheduler *s, struct stask *t, scheduler_done_fn done,
		  void *arg, int64_t *run_id, int64_t *scheduled_at,
		  struct mgr_error *err)
{
	struct attempt *a;
	struct run_rec r;
	int rc;

	/* Its `running` row first, so that `run show` and `run wait` find
	 * it at once (a person waits for it, so one row write on the loop is
	 * fine); its id is handed out as every run's. */
	memset(&r, 0, sizeof r);
	r.id = sched_run_id(s);
	r.task_id = t->id;
	r.attempt = 1;
	r.scheduled_at = r.started_at = mgr_now_us();
	r.status = (char *)"running";
	r.exit_code = -1;
	if ((rc = run_store_insert(s->mgr->db, &r, err)) != 0)
		return rc;
	*run_id = r.id;
	*scheduled_at = r.scheduled_at;
	a = attempt_new(s, t, r.scheduled_at, 1, r.id, done, arg);
	attempt_begin(s, a);
	return 0;
}

/* The task a manual run starts, or why none can start now. */
int
task_manual_target(struct scheduler *s, const char *task_id,
		   struct stask **out, struct mgr_error *err)
{
	struct stask *t = s != NULL ? sched_find(s, task_id) : NULL;

	/* Added by a command whose tasks are still being applied. */
	if (t == NULL && s != NULL && sched_batches_apply_now(s, task_id))
		t = sched_find(s, task_id);
	if (t == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	if (s->shutting_down)
		return mgr_error_set(err, MGR_ECONFLICT,
		    _("the scheduler is shutting down"));
	if (t->inflight >= t->rec.max_instances)
		return mgr_error_set(err, MGR_ECONFLICT,
		    _("task \"%s\" is already running (max_instances %d)"),
		    task_id, t->rec.max_instances);
	*out = t;
	return 0;
}

int
scheduler_run_now_id(struct mgr *mgr, const char *task_id,
		     scheduler_done_fn done, void *arg, int64_t *run_id,
		     int64_t *scheduled_at, struct mgr_error *err)
{
	struct scheduler *s = mgr->sched;
	struct stask *t;
	int rc;

	if ((rc = task_manual_target(s, task_id, &t, err)) != 0)
		return rc;
	return task_start_manual(s, t, done, arg, run_id, scheduled_at, err);
}

int
scheduler_task_running(struct mgr *mgr, const char *task_id)
{
	struct scheduler *s = mgr->sched;
	int n = 0;

	for (struct attempt *a = s != NULL ? s->attempts : NULL; a != NULL;
	    a = a->next)
		n += !a->waiting && strcmp(a->t->id, task_id) == 0;
	return n;
}

/* The attempt the run id names: its own id, or its row's fire time and
 * attempt number (a scheduled run's row is written by the history
 * writer). */
static int
attempt_is_run(struct scheduler *s, struct attempt *a, int64_t run_id,
	       const struct run_rec *row)
{
	(void)s;
	if (a->run_id == run_id)
		return 1;
	return row->task_id != NULL && a->scheduled_at == row->scheduled_at &&
	    a->number == row->attempt;
}

/* One attempt stopped: a waiting retry ends now, a running one is asked
 * to end (its outcome comes later). */
static void
attempt_stop(struct scheduler *s, struct attempt *a, struct stop_wait *w)
{
	w->left++;
	a->stop = w;
	if (a->waiting) {
		ev_timer_stop(s->loop, &a->retry);
		task_set_last_status(a->t, "stopped");
		a->outcome = "stopped";
		attempt_end(s, a);
		return;
	}
	if (!runner_stop(s->runner, a))
		w->left--, a->stop = NULL;	/* over already */
}

int
scheduler_stop(struct mgr *mgr, const char *task_id, int64_t run_id,
	       scheduler_done_fn done, void *arg, int *n, struct mgr_error *err)
{
	struct scheduler *s = mgr->sched;
	struct stop_wait *w;
	struct attempt *a, *next;
	struct run_rec row;

	*n = 0;
	/* A removed task's runs going on can still be stopped. */
	if (s == NULL || (sched_find(s, task_id) == NULL &&
	    scheduler_task_running(mgr, task_id) == 0))
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	memset(&row, 0, sizeof row);
	if (run_id > 0 && run_usage_store_read(mgr->db, run_id, &row, err) == 0 &&
	    strcmp(row.task_id, task_id) != 0) {
		run_rec_clear(&row);
		return mgr_error_set(err, MGR_EINVAL, _("run %lld is not a run of "
		    "task \"%s\""), (long long)run_id, task_id);
	}
	w = xcalloc(1, sizeof *w);
	w->left = 1;		/* held until every stop is asked */
	w->done = done;
	w->arg = arg;
	for (a = s->attempts; a != NULL; a = next) {
		next = a->next;
		if (strcmp(a->t->id, task_id) != 0 || a->stop != NULL ||
		    (run_id > 0 && !attempt_is_run(s, a, run_id, &row)))
			continue;
		(*n)++;
		attempt_stop(s, a, w);
	}
	run_rec_clear(&row);
	if (*n == 0) {
		free(w);
		if (run_id > 0)
			return mgr_error_set(err, MGR_ENOENT, _("run %lld of task "
			    "\"%s\" is not going"), (long long)run_id, task_id);
		return 0;
	}
	stop_wait_one(w, "stopped");	/* drops the hold */
	return 0;
}
