/* sched_bulk.c - a bulk command's writing (task add --from, task
 * import) done off the loop (issue 18): 100,000 tasks parsed and written
 * in one transaction take some 2.5 s, during which no task fired when
 * they ran on the loop.  The work runs on a thread of its own with its
 * own connection, as the history writer's (sched_writer.c), and the loop
 * is told with an ev_async once it is over; the caller then goes on
 * there (its tasks applied in slices, sched_batch.c).
 *
 * One at a time per engine.  A client's second one waits in the
 * commands table: the control plane claims nothing while a thread
 * writes (scheduler_bulk_writing), so it is in effect queued.  A caller
 * that reaches scheduler_bulk_start meanwhile all the same is refused
 * (MGR_EBUSY), not queued: its file would wait in memory, and SQLite has
 * one writer anyway: the two would only take turns on the lock, the
 * second one's busy wait running into the store's busy_timeout for a
 * large file.
 *
 * The thread sees a copy of the engine's mgr with its own connection
 * and none of the loop's parts (loop, scheduler, plugins' host and
 * cache), so nothing it calls touches what the loop owns: a plugin's
 * functions are listed for its checks by the helper, as in a client
 * without a host.  The engine stopping waits for the thread to end its
 * transaction (all or nothing: it commits or rolls back as it would
 * have), then the caller is told as it would be. */
#include "i18n.h"
#include "manager.h"
#include "sched_int.h"
#include "scheduler.h"
#include "util.h"

#include <ev.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sched_bulk {
	struct mgr *mgr;
	struct mgr own;			/* the thread's view of mgr */
	char *db_path;
	pthread_t thread;
	int live;			/* a thread runs, not joined yet */
	int over;			/* atomic: the thread's work is done */
	ev_async told;
	scheduler_bulk_fn work;
	scheduler_bulk_done_fn done;
	void *arg;
};

static void *
bulk_thread(void *arg)
{
	struct sched_bulk *q = arg;
	struct mgr_error err = { 0 };

	if (db_open(q->db_path, &q->own.db, &err) == 0) {
		q->work(&q->own, NULL, q->arg);
		db_close(q->own.db);
		q->own.db = NULL;
		if (q->own.funcs_memo_free != NULL)
			q->own.funcs_memo_free(q->own.funcs_memo);
		q->own.funcs_memo = NULL;
		q->own.funcs_memo_free = NULL;
	} else
		q->work(NULL, &err, q->arg);
	__atomic_store_n(&q->over, 1, __ATOMIC_RELEASE);
	ev_async_send(q->mgr->loop, &q->told);
	return NULL;
}

/* The thread is over: joined, and its caller goes on on the loop. */
static void
bulk_end(struct sched_bulk *q)
{
	scheduler_bulk_done_fn done = q->done;
	void *arg = q->arg;

	pthread_join(q->thread, NULL);
	q->live = 0;
	q->over = 0;
	q->work = NULL;
	q->done = NULL;
	q->arg = NULL;
	ev_unref(q->mgr->loop);		/* an idle slot keeps no loop alive */
	done(arg);
}

/* Over while the engine runs: what the loop put off goes now. */
static void
bulk_over(struct sched_bulk *q)
{
	struct mgr *mgr = q->mgr;

	bulk_end(q);
	if (mgr->sched_events != NULL && mgr->sched_events->bulk_written != NULL)
		mgr->sched_events->bulk_written(mgr);
}

static void
bulk_told_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct sched_bulk *q = w->data;

	(void)loop;
	(void)revents;
	if (q->live && __atomic_load_n(&q->over, __ATOMIC_ACQUIRE))
		bulk_over(q);
}

static struct sched_bulk *
bulk_new(struct mgr *mgr)
{
	struct sched_bulk *q = xcalloc(1, sizeof *q);

	q->mgr = mgr;
	q->db_path = xstrdup(db_path(mgr->db));
	ev_async_init(&q->told, bulk_told_cb);
	q->told.data = q;
	ev_async_start(mgr->loop, &q->told);
	ev_unref(mgr->loop);
	return q;
}

/* What the thread may use of mgr: its configuration and log (which
 * the engine does not replace meanwhile: a reload waits, reload.c), the
 * wiring of the lower layers; not the loop's parts. */
static void
bulk_own_mgr(struct sched_bulk *q)
{
	q->own = *q->mgr;
	q->own.db = NULL;
	q->own.loop = NULL;
	q->own.sched = NULL;
	q->own.plugins = NULL;
	q->own.host = NULL;
	q->own.reloader = NULL;
	q->own.recover = NULL;
	q->own.funcs_memo = NULL;	/* its own, for this command */
	q->own.funcs_memo_free = NULL;
}

int
scheduler_bulk_start(struct mgr *mgr, scheduler_bulk_fn work,
		     scheduler_bulk_done_fn done, void *arg,
		     struct mgr_error *err)
{
	struct scheduler *s = mgr->sched;
	struct sched_bulk *q;

	if (s->bulk == NULL)
		s->bulk = bulk_new(mgr);
	q = s->bulk;
	if (q->live)
		return mgr_error_set(err, MGR_EBUSY, _("the engine is writing "
		    "the tasks of another task add --from or task import: try "
		    "again once it has answered"));
	bulk_own_mgr(q);
	q->work = work;
	q->done = done;
	q->arg = arg;
	if (thread_create_named(&q->thread, "mgr-bulk", bulk_thread, q) != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot start a thread to "
		    "write the tasks"));
	q->live = 1;
	ev_ref(mgr->loop);		/* the answer is owed */
	return 0;
}

int
scheduler_bulk_writing(struct mgr *mgr)
{
	return mgr->sched != NULL && mgr->sched->bulk != NULL &&
	    mgr->sched->bulk->live;
}

/* The engine stops: the thread ends its transaction first, then its
 * caller goes on as it would have (the scheduler's batches, freed next,
 * tell it the engine stopped). */
void
sched_bulk_free(struct sched_bulk *q)
{
	if (q == NULL)
		return;
	if (q->live) {
		ev_clear_pending(q->mgr->loop, &q->told);
		bulk_end(q);
	}
	ev_ref(q->mgr->loop);
	ev_async_stop(q->mgr->loop, &q->told);
	free(q->db_path);
	free(q);
}
