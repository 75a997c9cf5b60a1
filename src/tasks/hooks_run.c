/* hooks_run.c - what a fire time's final outcome sets off (issue 14):
 * its task's notifications (notify_run.c sends them) and the runs of the
 * tasks that run after it.
 *
 * A final outcome is the last attempt of a fire time (after the retries:
 * one notification per fire time, never one per attempt) or a fire time
 * recorded missed, skipped or interrupted.  The hooks of every task that
 * has some, and the latest outcome of the tasks others run after, are
 * kept here by id; a task with neither costs one binary search per
 * final outcome while no default action is configured. */
#include "i18n.h"
#include "hooks_run.h"
#include "manager.h"
#include "sched_int.h"
#include "task_hooks.h"
#include "task_hooks_store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hook_task {
	char *id;
	struct task_hooks h;
	int final_known;		/* last_status and last_final_at read */
	char *last_status;		/* of its latest final outcome, or NULL */
	int64_t last_final_at;		/* ... when it ended */
	int start_known;
	int64_t last_start;		/* its latest run began (or was due) */
};

static const char *
conf_default(const struct mgr_conf *c, enum hook_event e)
{
	switch (e) {
	case HOOK_FAILURE:	return c->on_failure;
	case HOOK_SUCCESS:	return c->on_success;
	case HOOK_RECOVERY:	return c->on_recovery;
	case HOOK_MISSED:	return c->on_missed;
	default:		return c->on_output;
	}
}

static struct hook_task *
hooks_find(const struct hooks_state *hs, const char *id, size_t *at)
{
	size_t lo = 0, hi = hs->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(hs->v[mid]->id, id);
		if (c == 0)
			return hs->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at != NULL)
		*at = lo;
	return NULL;
}

static struct hook_task *
hooks_entry(struct hooks_state *hs, const char *id)
{
	struct hook_task *e;
	size_t at;

	if ((e = hooks_find(hs, id, &at)) != NULL)
		return e;
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 16;
		hs->v = xrealloc(hs->v, hs->cap * sizeof *hs->v);
	}
	memmove(hs->v + at + 1, hs->v + at, (hs->n - at) * sizeof *hs->v);
	e = xcalloc(1, sizeof *e);
	e->id = xstrdup(id);
	hs->v[at] = e;
	hs->n++;
	return e;
}

static void
hooks_list_cb(void *arg, const char *id, const char *json)
{
	struct hooks_state *hs = arg;
	struct mgr_error err = { 0 };
	struct hook_task *e = hooks_entry(hs, id);

	task_hooks_clear(&e->h);
	if (task_hooks_from_json(json, &e->h, &err) != 0) {
		log_warning(&hs->s->mgr->log, "task %s: hooks: %s", id, err.msg);
		return;
	}
	for (size_t i = 0; e->h.after != NULL && e->h.after[i] != NULL; i++)
		hooks_entry(hs, e->h.after[i]);
	for (size_t i = 0; e->h.after_any != NULL && e->h.after_any[i] != NULL;
	    i++)
		hooks_entry(hs, e->h.after_any[i]);
}

static void
hooks_load(struct hooks_state *hs)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < hs->n; i++)
		task_hooks_clear(&hs->v[i]->h);
	if (task_hooks_store_list(hs->s->mgr->db, hooks_list_cb, hs, &err) != 0)
		log_error(&hs->s->mgr->log, "%s", err.msg);
}

/* The configured defaults that make sense; the others are said once. */
static void
hooks_defaults(struct hooks_state *hs)
{
	struct mgr *mgr = hs->s->mgr;

	for (int e = 0; e < HOOK_NEVENTS; e++) {
		const char *a = conf_default(mgr->conf, e);
		struct mgr_error err = { 0 };
		char key[40];

		if (a == NULL || *a == '\0' || strcmp(a, "none") == 0)
			continue;
		snprintf(key, sizeof key, "manager.%s", hook_event_name(e));
		if (hook_action_check(mgr, key, a, &err) != 0) {
			log_warning(&mgr->log, _("configuration: %s (not used)"),
			    err.msg);
			continue;
		}
		hs->defaults[e] = xstrdup(a);
		hs->any_default = 1;
	}
}

static void deps_try(struct hooks_state *hs, struct hook_task *d);

/* Upstream outcomes while the engine was down count as well. */
static void
hooks_start_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hooks_state *hs = w->data;

	(void)loop;
	(void)revents;
	for (size_t i = 0; i < hs->n && !hs->closing; i++)
		if (hs->v[i]->h.after != NULL || hs->v[i]->h.after_any != NULL)
			deps_try(hs, hs->v[i]);
}

struct hooks_state *
hooks_open(struct scheduler *s)
{
	struct hooks_state *hs = xcalloc(1, sizeof *hs);

	hs->s = s;
	s->hooks = hs;
	hooks_defaults(hs);
	hooks_load(hs);
	notify_restart(s);
	ev_timer_init(&hs->start, hooks_start_cb, 0, 0);
	hs->start.data = hs;
	ev_timer_start(s->loop, &hs->start);
	return hs;
}

void
hooks_task_changed(struct hooks_state *hs, const char *task_id)
{
	struct mgr_error err = { 0 };
	struct hook_task *e;
	char *json = NULL;

	if (hs == NULL)
		return;
	if ((e = hooks_find(hs, task_id, NULL)) != NULL) {
		e->final_known = e->start_known = 0;	/* read again */
		free(e->last_status);
		e->last_status = NULL;
		task_hooks_clear(&e->h);
	}
	/* This task's hooks only: reading every task's for each change made
	 * adding n tasks on the loop cost n² (issue 18). */
	if (task_hooks_store_get(hs->s->mgr->db, task_id, &json, &err) != 0) {
		if (err.code != MGR_ENOENT)
			log_error(&hs->s->mgr->log, "%s", err.msg);
		return;
	}
	if (json != NULL)
		hooks_list_cb(hs, task_id, json);
	free(json);
}

static int
status_failure(const char *st)
{
	return st != NULL && (strcmp(st, "failed") == 0 ||
	    strcmp(st, "timed_out") == 0 || strcmp(st, "crashed") == 0);
}

static int
status_missed(const char *st)
{
	return strcmp(st, "missed") == 0 || strcmp(st, "skipped") == 0 ||
	    strcmp(st, "interrupted") == 0;
}

static void
hooks_known_final(struct hooks_state *hs, struct hook_task *e, int64_t before)
{
	struct mgr_error err = { 0 };

	if (e->final_known)
		return;
	if (task_hooks_store_last_final(hs->s->mgr->db, e->id, before,
	    &e->last_status, &e->last_final_at, &err) != 0)
		log_warning(&hs->s->mgr->log, "%s", err.msg);
	e->final_known = 1;
}

static void
hooks_notify(struct hooks_state *hs, struct hook_task *e, enum hook_event ev,
	     const struct run_rec *r)
{
	const char *a = e != NULL ? e->h.on[ev] : NULL;

	if (a == NULL)
		a = hs->defaults[ev];
	if (a == NULL || strcmp(a, "none") == 0)
		return;
	notify_job_send(notify_job_new(hs->s, a, hook_event_name(ev), r));
}

/* After retries: said once, for the plugins' hooks and the events. */
static void
hooks_gave_up(struct hooks_state *hs, const struct run_rec *r)
{
	struct mgr *mgr = hs->s->mgr;
	const struct sched_events *ev = mgr->sched_events;
	struct mgr_error err = { 0 };
	char *msg = xasprintf(_("%s after %d attempt(s)%s%s"), r->status,
	    r->attempt, r->error != NULL ? ": " : "",
	    r->error != NULL ? r->error : "");

	if (ev != NULL && ev->emit != NULL)
		ev->emit(mgr, "task.gave_up", r->task_id, msg);
	mgr_event(mgr, "task.gave_up", r->task_id, &err, "%s", msg);
	free(msg);
}

static void deps_after(struct hooks_state *hs, const struct hook_task *up);

void
hooks_final(struct hooks_state *hs, struct stask *t, const struct run_rec *r)
{
	struct hook_task *e;
	int fail, ok, recovery;

	(void)t;
	if (hs == NULL || hs->closing || hs->s->foreground)
		return;
	fail = status_failure(r->status);
	ok = strcmp(r->status, "succeeded") == 0;
	if (fail)
		hooks_gave_up(hs, r);
	e = hooks_find(hs, r->task_id, NULL);
	if (e == NULL && !hs->any_default)
		return;
	if (e == NULL)
		e = hooks_entry(hs, r->task_id);
	hooks_known_final(hs, e, r->scheduled_at);
	recovery = ok && status_failure(e->last_status);
	free(e->last_status);
	e->last_status = xstrdup(r->status);
	e->last_final_at = r->ended_at;
	if (fail)
		hooks_notify(hs, e, HOOK_FAILURE, r);
	if (ok)
		hooks_notify(hs, e, HOOK_SUCCESS, r);
	if (recovery)
		hooks_notify(hs, e, HOOK_RECOVERY, r);
	if (status_missed(r->status))
		hooks_notify(hs, e, HOOK_MISSED, r);
	if ((ok || fail) && r->output != NULL && r->output[0] != '\0')
		hooks_notify(hs, e, HOOK_OUTPUT, r);
	if (ok)
		deps_after(hs, e);
}

/* ---- dependencies ---- */

/* Whether task id's latest outcome is a success that ended after since. */
static int
deps_succeeded_since(struct hooks_state *hs, const char *id, int64_t since)
{
	struct hook_task *u = hooks_entry(hs, id);

	hooks_known_final(hs, u, 0);
	return u->last_status != NULL && strcmp(u->last_status, "succeeded") == 0 &&
	    u->last_final_at > since;
}

/* Whether d's dependencies are met: every one of after, and one of
 * after_any, succeeded since d last ran (or since they were set). */
static int
deps_met(struct hooks_state *hs, struct hook_task *d, const struct stask *t)
{
	struct mgr_error err = { 0 };
	int64_t since = d->h.since;
	int any = 0;

	if (!d->start_known) {
		if (task_hooks_store_last_start(hs->s->mgr->db, d->id,
		    &d->last_start, &err) != 0)
			log_warning(&hs->s->mgr->log, "%s", err.msg);
		d->start_known = 1;
	}
	if (d->last_start > since)
		since = d->last_start;
	if (t->last_run > since)
		since = t->last_run;
	for (size_t i = 0; d->h.after != NULL && d->h.after[i] != NULL; i++)
		if (!deps_succeeded_since(hs, d->h.after[i], since))
			return 0;
	for (size_t i = 0; d->h.after_any != NULL && d->h.after_any[i] != NULL &&
	    !any; i++)
		any = deps_succeeded_since(hs, d->h.after_any[i], since);
	return d->h.after_any == NULL || any;
}

/* Runs d when its dependencies are met.  Its `running` row is written
 * before it starts, as for `task run`: the run has its id, and a crash
 * leaves it `interrupted`, so it never runs twice for one upstream
 * outcome (and an upstream success whose dependent never started is
 * seen again at the next start, hooks_open). */
static void
deps_try(struct hooks_state *hs, struct hook_task *d)
{
	struct scheduler *s = hs->s;
	struct stask *t = sched_find(s, d->id);
	struct mgr_error err = { 0 };
	int64_t run_id, at;

	if (t == NULL || t->removed || !t->rec.enabled || t->plugin_off ||
	    s->shutting_down || s->foreground || !deps_met(hs, d, t))
		return;
	if (t->inflight >= t->rec.max_instances) {
		d->last_start = mgr_now_us();
		task_record_unrun(s, t, d->last_start, "skipped", xasprintf(
		    _("its dependencies were met while it was running "
		    "(max_instances %d)"), t->rec.max_instances));
		return;
	}
	if (task_start_manual(s, t, NULL, NULL, &run_id, &at, &err) != 0) {
		log_error(&s->mgr->log, "task %s: %s", d->id, err.msg);
		return;
	}
	d->last_start = at;
	log_info(&s->mgr->log, "task %s: its dependencies are met: run %lld",
	    d->id, (long long)run_id);
}

static void
deps_after(struct hooks_state *hs, const struct hook_task *up)
{
	/* Entries may be added while we go (hooks_entry): by index. */
	for (size_t i = 0; i < hs->n; i++) {
		struct hook_task *d = hs->v[i];
		if (strv_has(d->h.after, up->id) || strv_has(d->h.after_any, up->id))
			deps_try(hs, d);
	}
}

/* ---- limits ---- */

struct group_count {
	char *name;
	int running;
};

/* The running count of t's concurrency group and its limit; NULL when
 * it has none, or no limit is configured for it. */
static int *
group_of(struct hooks_state *hs, const struct stask *t, int *limit)
{
	const struct mgr_conf *c = hs->s->mgr->conf;
	struct hook_task *e;

	*limit = 0;
	if (c->group_names == NULL ||
	    (e = hooks_find(hs, t->id, NULL)) == NULL || e->h.group == NULL ||
	    (*limit = conf_group_limit(c, e->h.group)) == 0)
		return NULL;
	for (size_t i = 0; i < hs->ngroups; i++)
		if (strcmp(hs->groups[i].name, e->h.group) == 0)
			return &hs->groups[i].running;
	hs->groups = xrealloc(hs->groups, (hs->ngroups + 1) * sizeof *hs->groups);
	hs->groups[hs->ngroups].name = xstrdup(e->h.group);
	hs->groups[hs->ngroups].running = 0;
	return &hs->groups[hs->ngroups++].running;
}

static int
admissible(struct hooks_state *hs, const struct stask *t)
{
	int max = hs->s->mgr->conf->max_concurrent_runs, limit;
	int *g = group_of(hs, t, &limit);

	return (max == 0 || hs->running < max) && (g == NULL || *g < limit);
}

static void
queued_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;		/* never armed: the timer is there to be stopped */
}

int
hooks_admit(struct hooks_state *hs, struct attempt *a)
{
	int limit, *g;

	if (hs == NULL)
		return 0;
	if (!admissible(hs, a->t)) {
		a->waiting = 1;
		if (a->outcome == NULL)
			a->outcome = "interrupted";	/* if it ends queued */
		ev_timer_init(&a->retry, queued_cb, 0, 0);
		task_set_last_status(a->t, "queued");
		task_mark_dirty(hs->s, a->t);
		hs->nqueued++;
		return 1;
	}
	hs->running++;
	if ((g = group_of(hs, a->t, &limit)) != NULL)
		(*g)++;
	return 0;
}

/* The oldest queued attempt that may start now, or NULL: s->attempts
 * holds the newest first.  Counts the queued ones on the way. */
static struct attempt *
oldest_admissible(struct hooks_state *hs)
{
	struct attempt *a = hs->s->attempts, *found = NULL;
	size_t queued = 0;

	for (; a != NULL; a = a->next) {
		if (!a->waiting || ev_is_active(&a->retry) ||
		    a->retry.cb != queued_cb)
			continue;
		queued++;
		if (admissible(hs, a->t))
			found = a;
	}
	hs->nqueued = queued;
	return found;
}

void
hooks_release(struct hooks_state *hs, struct attempt *a)
{
	struct attempt *q;
	int limit, *g;

	if (hs == NULL)
		return;
	if (hs->running > 0)
		hs->running--;
	if ((g = group_of(hs, a->t, &limit)) != NULL && *g > 0)
		(*g)--;
	if (hs->dequeuing) {	/* an attempt that failed to start */
		hs->again = 1;
		return;
	}
	hs->dequeuing = 1;
	do {
		hs->again = 0;
		while (!hs->s->shutting_down && hs->nqueued > 0 &&
		    (q = oldest_admissible(hs)) != NULL) {
			q->waiting = 0;
			hs->nqueued--;
			attempt_begin(hs->s, q);
		}
	} while (hs->again);
	hs->dequeuing = 0;
}

void
hooks_close(struct hooks_state *hs)
{
	if (hs == NULL)
		return;
	hs->closing = 1;
	ev_timer_stop(hs->s->loop, &hs->start);
	notify_close(hs->s);
}

void
hooks_free(struct hooks_state *hs)
{
	if (hs == NULL)
		return;
	for (size_t i = 0; i < hs->n; i++) {
		task_hooks_clear(&hs->v[i]->h);
		free(hs->v[i]->last_status);
		free(hs->v[i]->id);
		free(hs->v[i]);
	}
	free(hs->v);
	for (int e = 0; e < HOOK_NEVENTS; e++)
		free(hs->defaults[e]);
	for (size_t i = 0; i < hs->ngroups; i++)
		free(hs->groups[i].name);
	free(hs->groups);
	free(hs);
}
