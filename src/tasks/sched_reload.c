/* sched_reload.c - SIGHUP with an engine running: the task files are
 * read, parsed and compared with the rows on a thread of their own (with
 * its own connection), and the difference is applied on the loop a file
 * at a time in slices of a few milliseconds, so due tasks keep firing on
 * time while 100,000 declarative tasks are re-read (issue 18).
 *
 * The reading thread only reads mgr's configuration: the engine does not
 * replace it while a reading runs (scheduler_files_reloading).  A reload
 * asked for during one starts when it is over, for every caller that
 * asked meanwhile.
 */
#include "i18n.h"
#include "manager.h"
#include "sched_int.h"
#include "scheduler.h"
#include "util.h"

#include <ev.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define RELOAD_NICE	19	/* the reading thread's */

struct reload_waiter {
	scheduler_reload_fn done;
	void *arg;
	struct reload_waiter *next;
};

/* Where a reload is: the thread reads, the loop applies, the thread
 * frees what it read (20,000 tasks take the loop some 100 ms to free). */
enum reload_step { STEP_READING, STEP_APPLYING, STEP_FREEING };

struct files_reload {
	struct mgr *mgr;
	char *db_path;
	pthread_t thread;
	int running;		/* a reload goes on */
	int thread_live;	/* the thread is not joined yet */
	int cancel;		/* atomic: the engine is going away */
	pthread_mutex_t lock;	/* step, between the thread and the loop */
	pthread_cond_t applied;
	enum reload_step step;
	int rc;			/* the outcome: the reading's failure ... */
	struct mgr_error err;	/* ... or the first file refused */
	struct files_plan *plan;	/* from the thread, once read */
	ev_async told;		/* the thread read, or freed */
	struct sched_slicer slice;	/* applying, a slice at a time */
	struct reload_waiter *waiting;	/* told when this one ends */
	struct reload_waiter *next;	/* asked during it: the next one */
};

static void
reload_set_step(struct files_reload *r, enum reload_step step)
{
	pthread_mutex_lock(&r->lock);
	r->step = step;
	pthread_cond_signal(&r->applied);
	pthread_mutex_unlock(&r->lock);
}

static void *
reload_thread(void *arg)
{
	struct files_reload *r = arg;
	struct mgr_db *db;

	/* The loop comes first: on a busy machine this thread (Linux: nice
	 * applies to one thread) takes the time the loop does not want.
	 * Refused, it reads at the loop's priority. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), RELOAD_NICE);
	if ((r->rc = db_open(r->db_path, &db, &r->err)) == 0) {
		r->plan = files_plan_read(r->mgr, db, &r->cancel);
		db_close(db);
	}
	ev_async_send(r->mgr->loop, &r->told);
	pthread_mutex_lock(&r->lock);
	while (r->step != STEP_FREEING)
		pthread_cond_wait(&r->applied, &r->lock);
	pthread_mutex_unlock(&r->lock);
	files_plan_free(r->plan);
	/* What the parse held goes back to the system (glibc keeps freed
	 * memory of this thread's arena otherwise: about 0.5 KB per task of
	 * the files, for as long as the engine runs). */
	malloc_trim(0);
	r->plan = NULL;
	ev_async_send(r->mgr->loop, &r->told);
	return NULL;
}

static void reload_begin(struct files_reload *r);

/* The plan is applied: its outcome, before it goes. */
static void
reload_applied(struct files_reload *r)
{
	const struct files_plan_stats *st;

	if (r->rc != 0 || r->plan == NULL)
		return;
	st = files_plan_stats(r->plan);
	r->rc = files_plan_result(r->plan, &r->err);
	log_info(&r->mgr->log, "task files: %zu files, %zu tasks (%zu "
	    "unchanged), %zu removed; applied in %zu slices, the longest "
	    "%lld us", st->files, st->tasks, st->unchanged, st->removed,
	    st->slices, (long long)st->longest_us);
}

/* Over (the plan freed): tell who asked, start the next one. */
static void
reload_end(struct files_reload *r)
{
	struct reload_waiter *w = r->waiting, *next;
	struct mgr_error err = r->err;
	int rc = r->rc;

	r->running = 0;
	r->waiting = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		w->done(w->arg, rc, &err);
		free(w);
	}
	if (r->next != NULL && !r->running)
		reload_begin(r);
}

/* Applied: the thread frees the plan (then tells), or, with no thread,
 * the loop does. */
static void
reload_hand_back(struct files_reload *r)
{
	reload_applied(r);
	if (r->thread_live) {
		reload_set_step(r, STEP_FREEING);
		return;
	}
	files_plan_free(r->plan);
	r->plan = NULL;
	reload_end(r);
}

static int
reload_apply(void *arg, int64_t budget_us)
{
	struct files_reload *r = arg;

	return files_plan_apply(r->plan, budget_us);
}

static void
reload_applied_cb(void *arg)
{
	reload_hand_back(arg);
}

static void
reload_told_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct files_reload *r = w->data;

	(void)loop;
	(void)revents;
	if (!r->running || !r->thread_live)
		return;
	if (r->step == STEP_READING && r->plan == NULL && r->rc == 0)
		return;		/* not yet */
	if (r->step == STEP_READING) {
		reload_set_step(r, STEP_APPLYING);	/* the thread waits */
		if (r->rc != 0)
			reload_hand_back(r);
		else
			sched_slicer_start(&r->slice);
		return;
	}
	if (r->step == STEP_FREEING && r->plan == NULL) {
		pthread_join(r->thread, NULL);
		r->thread_live = 0;
		reload_end(r);
	}
}

static void
reload_begin(struct files_reload *r)
{
	r->waiting = r->next;
	r->next = NULL;
	r->running = 1;
	r->rc = 0;
	r->step = STEP_READING;
	memset(&r->err, 0, sizeof r->err);
	if (thread_create_named(&r->thread, "mgr-reload", reload_thread, r) == 0)
		r->thread_live = 1;
	else {
		/* No thread: read here, as at start-up. */
		r->plan = files_plan_read(r->mgr, r->mgr->db, NULL);
		r->step = STEP_APPLYING;
		sched_slicer_start(&r->slice);
	}
}

static struct files_reload *
reload_new(struct mgr *mgr)
{
	struct files_reload *r = xcalloc(1, sizeof *r);

	r->mgr = mgr;
	r->db_path = xstrdup(db_path(mgr->db));
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->applied, NULL);
	ev_async_init(&r->told, reload_told_cb);
	r->told.data = r;
	ev_async_start(mgr->loop, &r->told);
	ev_unref(mgr->loop);	/* an idle reloader keeps no loop alive */
	sched_slicer_init(&r->slice, mgr->loop, reload_apply,
	    reload_applied_cb, r);
	return r;
}

void
scheduler_reload_files_start(struct mgr *mgr, scheduler_reload_fn done,
			     void *arg)
{
	struct scheduler *s = mgr->sched;
	struct reload_waiter *w, **tail;
	struct mgr_error err = { 0 };
	int rc;

	if (s == NULL || mgr->loop == NULL) {
		rc = sched_load_files(mgr, &err);
		done(arg, rc, &err);
		return;
	}
	if (s->files_reload == NULL)
		s->files_reload = reload_new(mgr);
	w = xcalloc(1, sizeof *w);
	w->done = done;
	w->arg = arg;
	for (tail = &s->files_reload->next; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = w;
	if (!s->files_reload->running)
		reload_begin(s->files_reload);
}

int
scheduler_files_reloading(struct mgr *mgr)
{
	return mgr->sched != NULL && mgr->sched->files_reload != NULL &&
	    mgr->sched->files_reload->running;
}

/* Who waits for a reload that will not happen is told so. */
static void
waiters_cancel(struct reload_waiter *w)
{
	struct mgr_error err = { 0 };
	struct reload_waiter *next;

	mgr_error_set(&err, MGR_ECONFLICT, _("the engine is stopping: the task "
	    "files are read again at its next start"));
	for (; w != NULL; w = next) {
		next = w->next;
		w->done(w->arg, err.code, &err);
		free(w);
	}
}

/* The engine goes away: a reading is stopped and thrown away, what was
 * not applied is not (the next start reads the files again). */
void
sched_reload_free(struct files_reload *r)
{
	if (r == NULL)
		return;
	if (r->thread_live) {	/* it stops reading, frees, and ends */
		__atomic_store_n(&r->cancel, 1, __ATOMIC_RELAXED);
		reload_set_step(r, STEP_FREEING);
		pthread_join(r->thread, NULL);
		ev_clear_pending(r->mgr->loop, &r->told);
	} else
		files_plan_free(r->plan);
	ev_ref(r->mgr->loop);
	ev_async_stop(r->mgr->loop, &r->told);
	sched_slicer_stop(&r->slice);
	waiters_cancel(r->waiting);
	waiters_cancel(r->next);
	pthread_cond_destroy(&r->applied);
	pthread_mutex_destroy(&r->lock);
	free(r->db_path);
	free(r);
}

int
scheduler_reload_files(struct mgr *mgr, struct mgr_error *err)
{
	return sched_load_files(mgr, err);
}
