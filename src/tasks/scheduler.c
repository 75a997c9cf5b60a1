/* scheduler.c - the scheduler's life and its tasks: start (loading the
 * tasks, settling what a crashed engine left), a task's row applied when
 * it changes, removal, run now, shutdown and free.  Its other jobs have
 * files of their own: due times and misfires (sched_due.c), attempts and
 * retries (sched_attempt.c), the history hand-off (sched_flush.c), the
 * claim watermark (sched_claim.c), the id table and heap (sched_index.c).
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
#include "hooks_run.h"
#include "hosts_store.h"
#include "i18n.h"
#include "dbstring.h"
#include "manager.h"
#include "runner.h"
#include "sched_int.h"
#include "sched_writer.h"
#include "scheduler.h"
#include "task_context.h"
#include "task_context_store.h"
#include "trigger.h"
#include "tz.h"
#include "util.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sched_grace_cb(struct ev_loop *loop, ev_timer *w, int revents);

void
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
const char *
task_status(const struct stask *t)
{
	if (!t->rec.enabled)
		return "paused";
	if (t->trig == NULL || t->plugin_off)
		return "disabled";
	if (t->inflight > 0)
		return t->last == TASK_ST_RETRYING ||
		    t->last == TASK_ST_QUEUED ?
		    task_last_status(t) : "running";
	if (task_is_date_done(t) && t->last != 0)
		return "finished";
	return t->last != 0 ? task_last_status(t) : "scheduled";
}

/* A stored status that tells how the task last ended, as a static string;
 * NULL for states that only hold while an engine runs. */
const char *
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

/* FNV-1a of a row's trigger type and fields: what task_apply_row
 * compares, the text itself staying in the store. */
static uint64_t
trigger_text_hash(const struct task_rec *r)
{
	const char *text[2] = { r->trigger, r->trigger_args };
	uint64_t h = FNV_OFFSET;

	for (int i = 0; i < 2; i++) {
		h = fnv1a(h, text[i] != NULL ? text[i] : "");
		h = (h ^ 0x100) * FNV_PRIME;	/* the end */
	}
	return h;
}

/* Keeps of row what the scheduler reads (struct sched_rec and the
 * text, sched_task.c): its scalars, its trigger text's hash; the row
 * stays its caller's.  Loading many tasks frees the rows all at the
 * end, so that they leave whole free pages for malloc_trim, not a hole
 * between every two tasks. */
static void
task_take_row(struct stask *t, const struct task_rec *row)
{
	struct sched_rec *r = &t->rec;

	task_take_text(t, row);
	t->last_run = row->last_run;
	r->max_retries = row->max_retries;
	r->timeout = row->timeout;
	r->misfire_grace_time = row->misfire_grace_time;
	r->max_instances = row->max_instances;
	r->enabled = row->enabled != 0;
	r->coalesce = row->coalesce != 0;
	r->on_interrupt = (unsigned char)row->on_interrupt;
	t->trig_hash = trigger_text_hash(row);
}

void
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

/* libev asks when housekeeping is next, as it starts the watcher and
 * before each call: first soon after start (history may have aged while
 * the engine was down), then on wall-clock multiples of HOUSEKEEPING_S,
 * the minutes the engine's other housekeeping wakes on too (an idle
 * engine wakes once a minute for all of it). */
static ev_tstamp
sched_housekeeping_at(ev_periodic *w, ev_tstamp now)
{
	struct scheduler *s = w->data;

	if (!s->housekept) {
		s->housekept = 1;
		return now + 1.0;
	}
	return (floor(now / HOUSEKEEPING_S) + 1) * HOUSEKEEPING_S;
}

static void
sched_housekeeping_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct scheduler *s = w->data;
	const struct mgr_conf *c = s->mgr->conf;

	(void)loop;
	(void)revents;
	/* Pruning is the history writer's, in slices (never the loop's). */
	if (s->writer != NULL)
		sched_writer_retain(s->writer, c->history_keep_runs, mgr_now_us() -
		    (int64_t)c->history_max_age_days * 86400 * US);
	runner_housekeeping(s->runner);
}

/* A PLUGIN:FUNCTION task waits, as `disabled`, while its plugin is not
 * enabled; the plugins module tells us (scheduler_task_changed) when
 * that changes. */
static void
task_check_plugin(struct scheduler *s, struct stask *t)
{
	const char *f = task_func(t), *colon = strchr(f, ':');
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

/* t's trigger from row, as only firing needs it (trigger_compact: the
 * fields stay in the store). */
static int
task_build_trigger(struct scheduler *s, struct stask *t,
		   const struct task_rec *row, struct mgr_error *err)
{
	int rc = task_trigger_build_zones(row, s->zones, &t->trig, err);

	if (rc == 0)
		t->trig = trigger_compact(t->trig);
	return rc;
}

/* Builds the trigger of row afresh and computes the first fire time
 * from now. */
static void
task_reschedule(struct scheduler *s, struct stask *t,
		const struct task_rec *row)
{
	struct mgr_error err = { 0 };

	trigger_free(t->trig);
	t->trig = NULL;
	task_check_plugin(s, t);
	if (task_build_trigger(s, t, row, &err) != 0) {
		log_error(&s->mgr->log, "task %s: %s", t->id, err.msg);
		task_set_next(s, t, TRIGGER_NONE);
		return;
	}
	task_set_next(s, t, trigger_next(t->trig, TRIGGER_NONE, mgr_now_us()));
}

/* Takes a changed row (which stays its caller's); keeps what only
 * memory knows; reschedules when the trigger changed or the task comes
 * back from a pause. */
static void
task_apply_row(struct scheduler *s, struct stask *t, const struct task_rec *row)
{
	int resched = !t->rec.enabled || t->trig == NULL || t->plugin_off ||
	    t->trig_hash != trigger_text_hash(row);
	int64_t last_run = t->last_run;

	task_take_row(t, row);
	if (last_run > t->last_run)
		t->last_run = last_run;
	if (resched)
		task_reschedule(s, t, row);
	else {
		task_check_plugin(s, t);
		task_set_next(s, t, t->plugin_off ? TRIGGER_NONE : t->nominal);
	}
}

/* A new task of row (which stays its caller's), in the id table. */
static struct stask *
task_new(struct scheduler *s, const struct task_rec *row)
{
	struct stask *t = task_alloc(row);

	t->nominal = t->fire = TRIGGER_NONE;
	task_take_row(t, row);
	sched_insert(s, t);
	return t;
}

/* At start the stored next fire time stands, so runs missed while the
 * engine was down are found by the first wake-up (misfire, coalesce);
 * fire times claimed before a crash are settled first.  Its status and
 * trigger text are read from row, which stays the caller's. */
static void
task_load(struct scheduler *s, const struct task_rec *row, int64_t now)
{
	struct mgr_error err = { 0 };
	int64_t nominal = row->next_nominal, stored = row->next_run;
	int64_t rerun = TRIGGER_NONE;
	struct stask *t = task_new(s, row);
	int rc;

	task_set_last_status(t, status_outcome(row->status));
	task_check_plugin(s, t);
	rc = task_build_trigger(s, t, row, &err);
	/* next_nominal is 0 until an engine has taken the task: only then can
	 * a claim cover its fire times (a client's next_run may lie before
	 * the mark: a date in the past). */
	if (rc == 0 && !trigger_is_reboot(t->trig) && nominal == 0 &&
	    stored == 0)
		stored = task_first_fire(t, now);
	if (rc != 0) {
		log_error(&s->mgr->log, "task %s: %s", t->id, err.msg);
		task_set_next(s, t, TRIGGER_NONE);
		return;
	}
	if (trigger_is_reboot(t->trig)) {
		task_set_next(s, t, TRIGGER_NONE);
		if (t->rec.enabled && !t->plugin_off && !s->foreground)
			task_start_attempt(s, t, now);
		return;
	}
	/* Fire times past the claims that have rows are passed over once
	 * every task is loaded, in one read (sched_rows_read). */
	if (nominal != 0)
		stored = task_settle_claims(s, t, nominal, now, &rerun);
	task_set_next(s, t, stored);
	if (t->fire != TRIGGER_NONE && t->nominal < s->rows_from)
		s->rows_from = t->nominal;
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

/* t's loaded rows lead its backlog, the latest last. */
static void
sched_run_claimed(struct scheduler *s, struct stask *t,
		  const struct fire_rows *rows)
{
	struct fire_seen seen;

	if (!t->rec.enabled || t->trig == NULL || t->plugin_off) {
		task_backlog_drop(s, t, _("the task does not run (paused or "
		    "disabled)"));
		return;
	}
	task_pass_rows(s, t, t->side->backlog[t->side->backlog_rows - 1],
	    sched_rows_of(rows, t, &seen));
	task_run_backlog(s, t);
}

/* A run left `running`, now interrupted, may lie past its task's next
 * fire time as a claimed one may (task_pass_rows); after the claimed
 * rows, which lead the backlog. */
static void
sched_pass_interrupted(struct scheduler *s, const struct run_rec *v, size_t n,
		       const struct fire_rows *rows)
{
	struct fire_seen seen;

	for (size_t i = 0; i < n; i++) {
		struct stask *t = sched_find(s, v[i].task_id);
		if (t == NULL || t->nominal == TRIGGER_NONE ||
		    v[i].scheduled_at < t->nominal)
			continue;
		task_pass_rows(s, t, v[i].scheduled_at,
		    sched_rows_of(rows, t, &seen));
		task_run_backlog(s, t);
	}
}

/* Fire times the last engine claimed and queued but never started start
 * now, through the backlog (misfire grace applies), or are recorded
 * skipped when their task no longer runs. */
static void
sched_start_claimed(struct scheduler *s, const struct fire_rows *rows)
{
	struct mgr_error err = { 0 };
	struct run_rec *v;
	struct stask *t, *last = NULL;
	size_t n;

	if (run_store_claimed(s->mgr->db, &v, &n, &err) != 0) {
		log_error(&s->mgr->log, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((t = sched_find(s, v[i].task_id)) == NULL)
			continue;
		task_backlog_add(t, v[i].scheduled_at);
		/* queued first: the rows lead the list */
		t->side->backlog_ids[t->side->backlog_rows++] = v[i].id;
		if (last != NULL && last != t)
			sched_run_claimed(s, last, rows);
		last = t;
	}
	if (last != NULL)
		sched_run_claimed(s, last, rows);
	run_recs_free(v, n);
}

/* Rows past the tasks' next fire times, read once: claimed ones start,
 * then every task's next fire time goes past its interrupted and ended
 * ones, so that no time with a row is taken again. */
static void
sched_settle_rows(struct scheduler *s, const struct run_rec *interrupted,
		  size_t ninterrupted)
{
	struct fire_rows rows;

	sched_rows_read(s, &rows);
	sched_start_claimed(s, &rows);
	sched_pass_interrupted(s, interrupted, ninterrupted, &rows);
	sched_pass_recorded(s, &rows);
	free(rows.v);
}

static void
context_loaded(void *arg, const char *id, const char *json)
{
	struct scheduler *s = arg;
	struct stask *t = sched_find(s, id);
	struct task_context *c;
	struct mgr_error err = { 0 };

	if (t == NULL || (t->side != NULL && t->side->ctx != NULL))
		return;
	c = xcalloc(1, sizeof *c);
	if (task_context_from_json(json, c, &err) == 0)
		task_side(t)->ctx = c;
	else	/* its first run reads it again and says why it fails */
		free(c);
}

/* Every task's context in one statement, so that the first second of a
 * start with many tasks is not one query per task on the loop; the
 * tasks it does not name have none (if it fails, each task's first run
 * reads its own, as after a change). */
static void
sched_load_contexts(struct scheduler *s)
{
	struct mgr_error err = { 0 };

	if (task_context_store_all(s->mgr->db, context_loaded, s, &err) != 0) {
		log_warning(&s->mgr->log, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < s->nbuckets; i++)
		for (struct stask *t = s->buckets[i]; t != NULL; t = t->hnext)
			t->ctx_none = t->side == NULL || t->side->ctx == NULL;
}

/* On a shared database, the time until which the last engine host may
 * have claimed fire times: its lease's end, which the database gives as
 * a duration (lease_left_us of the latest other engine host that did not
 * leave cleanly), read on this host's clock; never later than now.  0
 * when no other host ran the engine, or on a file. */
static int64_t
sched_prev_claims_end(struct scheduler *s)
{
	struct mgr_error err = { 0 };
	struct host_rec *v;
	int64_t left = INT64_MIN, now = mgr_now_us();
	size_t n;

	if (!s->shared || hosts_store_list(s->mgr->db, &v, &n, &err) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].standby && v[i].leased &&
		    strcmp(v[i].state, "left") != 0 &&
		    strcmp(v[i].host_id, s->mgr->conf->host_id) != 0 &&
		    v[i].lease_left_us > left)
			left = v[i].lease_left_us;
	host_rec_free_all(v, n);
	return left == INT64_MIN ? 0 : now + (left < 0 ? left : 0);
}

struct load_all {
	struct scheduler *s;
	int64_t now;
	int reserved;
};

/* One stored row, borrowed from the store for this call (task_load
 * copies what it keeps). */
static void
load_row_cb(void *arg, const struct task_rec *row, size_t nrows)
{
	struct load_all *l = arg;

	/* The id table and the heap sized once: growing them as the rows
	 * came hashed every id again at each doubling. */
	if (!l->reserved) {
		sched_reserve(l->s, nrows);
		l->reserved = 1;
	}
	task_load(l->s, row, l->now);
}

static int
sched_load_all(struct scheduler *s, struct mgr_error *err)
{
	struct load_all l = { s, mgr_now_us(), 0 };
	int rc;

	s->loading = 1;
	s->rows_from = INT64_MAX;
	s->claimed_until = sched_prev_claims_end(s);
	rc = task_store_each(s->mgr->db, load_row_cb, &l, err);
	s->loading = 0;
	if (rc == 0)
		sched_load_contexts(s);
	free(s->load_plugin);
	s->load_plugin = NULL;
	return rc;
}

/* The loop's own connection is about to write a task row (a command, a
 * task file, an import): the history writer drops its older pending
 * writes of it, and the change that follows (scheduler_task_changed)
 * has the row's run state written again from memory. */
static void
sched_row_written_elsewhere(void *arg, const char *id)
{
	struct scheduler *s = arg;

	sched_writer_row_changed(s->writer, id);
}

static struct scheduler *
sched_new(struct mgr *mgr, struct mgr_error *err)
{
	struct scheduler *s = xcalloc(1, sizeof *s);

	s->mgr = mgr;
	s->loop = mgr->loop;
	s->epoch = ev_now(s->loop);
	s->rng = (uint64_t)mgr_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	s->shared = db_string_is_server(db_path(mgr->db));
	if (sched_run_ids_open(s, err) != 0) {
		free(s);
		return NULL;
	}
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
	db_on_task_write(mgr->db, sched_row_written_elsewhere, s);
	/* A checkpoint's fsyncs are not the loop's to wait for (they held
	 * a group of API pauses past 5 ms at its p99). */
	db_checkpoint_elsewhere(mgr->db, sched_writer_checkpoint_due, s->writer);
	s->zones = tz_cache_new();	/* NULL (no memory): loads per trigger */
	task_context_init(&s->no_ctx);
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
	ev_periodic_init(&s->housekeeping, sched_housekeeping_cb, 0, 0,
	    sched_housekeeping_at);
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
	char *claim_stem;
	int rc;

	/* Files first, with no scheduler yet: their rows are then loaded
	 * like any other. An error in one file leaves the others working. */
	if (sched_load_files(mgr, err) != 0)
		mgr_error_clear(err);
	if ((s = sched_new(mgr, err)) == NULL)
		return MGR_EIO;
	mgr->sched = s;
	if ((rc = db_string_local_stem(db_path(mgr->db),
	    mgr->conf->data_directory, &claim_stem, err)) == 0)
		rc = sched_claim_open(claim_stem, &s->claim, err);
	free(claim_stem);
	if (rc != 0) {
		scheduler_free(mgr);
		return rc;
	}
	hooks_open(s);
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
	/* What loading held (the rows as read, the triggers' parse, the
	 * rows' strings) goes back to the system: about 150
	 * bytes a task that glibc would keep otherwise; under 1 ms at
	 * 20,000 tasks, once, before the loop runs; the pages the loading
	 * read stay in the connection's cache otherwise, up to 2 MB. */
	db_release_memory(mgr->db);
	malloc_trim(0);
	sched_settle_rows(s, interrupted, ninterrupted);
	run_recs_free(interrupted, ninterrupted);
	ev_periodic_start(s->loop, &s->housekeeping);
	ev_unref(s->loop);
	sched_arm(s);
	log_info(&mgr->log, "scheduler: %zu tasks, %zu scheduled", s->ntasks, s->nheap);
	return 0;
}

/* Takes t off the dirty and deferred lists, the rows pass being one
 * (rare: removals only). */
static void
task_unlist(struct scheduler *s, struct stask *t)
{
	struct stask **pp, **lists[2] = { &s->deferred, &s->rows_pass };

	for (pp = &s->dirty; t->dirty && *pp != NULL; pp = &(*pp)->dirty_next)
		if (*pp == t) {
			*pp = t->dirty_next;
			break;
		}
	for (int i = 0; i < 2 && t->deferred; i++)
		for (pp = lists[i]; *pp != NULL; pp = &(*pp)->deferred_next)
			if (*pp == t) {
				*pp = t->deferred_next;
				t->deferred = 0;
				break;
			}
	t->dirty = t->deferred = 0;
}

static void
task_drop(struct scheduler *s, struct stask *t)
{
	heap_remove(s, t);
	sched_unlink(s, t);
	if (t->side != NULL)	/* its rows go with the task's */
		t->side->backlog_rows = 0;
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
		task_reschedule(s, t, &row);
	} else {
		task_context_forget(t);	/* read again at the next run */
		t->written = 0;	/* its run state goes out anew */
		task_apply_row(s, t, &row);
		if (!t->rec.enabled)
			task_cancel_retries(s, t);
	}
	task_rec_clear(&row);
	hooks_task_changed(s->hooks, task_id);
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
	struct stask *t;
	int rc;

	if ((rc = task_manual_target(s, task_id, &t, err)) != 0)
		return rc;
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
	ev_periodic_stop(s->loop, &s->housekeeping);
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
	/* Nothing fires any more: tasks still to apply would be work for
	 * nothing, their commands are answered now. */
	sched_batches_free(s->batches);
	s->batches = NULL;
	for (a = s->attempts; a != NULL; a = next) {
		next = a->next;
		if (a->waiting) {
			ev_timer_stop(s->loop, &a->retry);
			task_set_last_status(a->t, a->outcome);
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
	sched_reload_free(s->files_reload);
	s->files_reload = NULL;
	sched_bulk_free(s->bulk);	/* before the batches: it may add one */
	s->bulk = NULL;
	sched_batches_free(s->batches);
	s->batches = NULL;
	hooks_close(s->hooks);
	ev_periodic_stop(s->loop, &s->wake);
	ev_timer_stop(s->loop, &s->grace);
	sched_housekeeping_stop(s);
	db_on_task_write(s->mgr->db, NULL, NULL);
	sched_flush_all(s);
	sched_writer_sync(s->writer);
	sched_call_after(sched_writer_take_after(s->writer));
	db_checkpoint_elsewhere(s->mgr->db, NULL, NULL);
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
	notify_writes_free(s->notes, s->nnotes);
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
	hooks_free(s->hooks);
	runner_free(s->runner);
	tz_cache_free(s->zones);
	task_context_clear(&s->no_ctx);
	free(s);
	mgr->sched = NULL;
}

int
scheduler_run_foreground(struct mgr *mgr, const char *task_id,
			 const char **status, int64_t *run_id,
			 struct mgr_error *err)
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
	t->fire = t->nominal = row.next_run != 0 ? row.next_run : TRIGGER_NONE;
	rc = task_build_trigger(s, t, &row, err);
	task_rec_clear(&row);
	if (rc == 0) {
		int64_t at;
		if (run_id == NULL)
			task_start_attempt(s, t, mgr_now_us());
		else if ((rc = task_start_manual(s, t, NULL, NULL, run_id, &at,
		    err)) != 0) {
			scheduler_free(mgr);
			return rc;
		}
		if (s->attempts != NULL)
			ev_run(s->loop, 0);
		*status = t->last != 0 ? task_last_status(t) : "failed";
		scheduler_sync_history(mgr);
	}
	scheduler_free(mgr);
	return rc;
}
