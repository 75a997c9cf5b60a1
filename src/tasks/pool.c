/* pool.c - worker threads; results return through ev_async.
 *
 * Hand-offs are batched both ways, because at tens of thousands of runs
 * a second the futex wake-ups cost more than the runs: jobs submitted
 * during one loop iteration are published together by an ev_prepare
 * (one lock, one wake-up per idle worker), a worker takes several jobs at
 * once when the queue is long, and hands them back together (one
 * ev_async per batch). */
#include "pool.h"
#include "util.h"

#include <ev.h>
#include <pthread.h>
#include <stdlib.h>

#define POOL_BATCH_MAX 64	/* jobs a worker takes at once */
/* Finished jobs' done callbacks run for at most POOL_DRAIN_US an
 * iteration, the clock read every POOL_DRAIN_CHECK of them: a loop that
 * comes back after 50 ms at 150,000 runs a second finds 7,500 of them,
 * which held it for 70-80 ms at once (bench/run's stalls). */
#define POOL_DRAIN_US 2000
#define POOL_DRAIN_CHECK 64

static void pool_publish_cb(struct ev_loop *loop, ev_prepare *w, int revents);

struct pool {
	struct ev_loop *loop;
	ev_async wake;
	ev_prepare publish;
	struct pool_job *out, *out_tail;	/* loop thread: not yet published */
	int nout;
	pthread_mutex_t lock;
	pthread_cond_t work_cond;
	struct pool_job *todo, *todo_tail;	/* FIFO */
	int ntodo;
	struct pool_job *done;			/* LIFO, reversed on drain */
	struct pool_job *back, *back_tail;	/* loop thread: finished,
						 * oldest first, not yet done */
	int stopping;
	int idle;				/* workers waiting for work */
	int pending;				/* loop thread only */
	int nthreads;
	pthread_t *threads;
};

/* Jobs for one worker: one, or a fair share of a long queue. */
static struct pool_job *
pool_take(struct pool *p)
{
	struct pool_job *first, *last;
	int n;

	pthread_mutex_lock(&p->lock);
	while (p->todo == NULL && !p->stopping) {
		p->idle++;
		pthread_cond_wait(&p->work_cond, &p->lock);
		p->idle--;
	}
	first = last = p->todo;
	if (first != NULL) {
		n = p->ntodo / (2 * p->nthreads);
		n = n < 1 ? 1 : n > POOL_BATCH_MAX ? POOL_BATCH_MAX : n;
		p->ntodo -= n;
		while (--n > 0)
			last = last->next;
		p->todo = last->next;
		if (p->todo == NULL)
			p->todo_tail = NULL;
		last->next = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return first;
}

static void
pool_give_back(struct pool *p, struct pool_job *first, struct pool_job *last)
{
	int was_empty;

	pthread_mutex_lock(&p->lock);
	was_empty = p->done == NULL;
	last->next = p->done;
	p->done = first;
	pthread_mutex_unlock(&p->lock);
	/* One wake-up per batch: the loop drains the whole queue. */
	if (was_empty)
		ev_async_send(p->loop, &p->wake);
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct pool_job *list, *job, *next, *rev, *last;

	while ((list = pool_take(p)) != NULL) {
		rev = NULL;
		last = list;
		for (job = list; job != NULL; job = next) {
			next = job->next;
			job->result = job->work(job);
			job->next = rev;	/* done is LIFO: reversed on drain */
			rev = job;
		}
		pool_give_back(p, rev, last);
	}
	return NULL;
}

/* The jobs finished since, oldest first, after those left before. */
static void
pool_take_done(struct pool *p)
{
	struct pool_job *list, *rev = NULL, *last, *next;

	pthread_mutex_lock(&p->lock);
	list = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->lock);
	last = list;
	for (; list != NULL; list = next) {
		next = list->next;
		list->next = rev;
		rev = list;
	}
	if (rev == NULL)
		return;
	if (p->back_tail != NULL)
		p->back_tail->next = rev;
	else
		p->back = rev;
	p->back_tail = last;
}

/* Runs the finished jobs' done callbacks in the order they finished:
 * all of them (budget_us 0), or for about budget_us, the rest in the
 * next iteration (the pool's own ev_async, sent again). */
static void
pool_drain(struct pool *p, int64_t budget_us)
{
	int64_t until = budget_us > 0 ? mgr_mono_us() + budget_us : 0;
	struct pool_job *job;
	unsigned n = 0;

	pool_take_done(p);
	while ((job = p->back) != NULL) {
		if ((p->back = job->next) == NULL)
			p->back_tail = NULL;
		p->pending--;
		job->done(job);
		if (until != 0 && p->back != NULL &&
		    ++n % POOL_DRAIN_CHECK == 0 && mgr_mono_us() > until) {
			ev_async_send(p->loop, &p->wake);
			return;
		}
	}
}

static void
pool_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	pool_drain(w->data, POOL_DRAIN_US);
}

struct pool *
pool_new(struct ev_loop *loop, int nthreads)
{
	struct pool *p = xcalloc(1, sizeof *p);

	p->loop = loop;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cond, NULL);
	ev_async_init(&p->wake, pool_wake_cb);
	p->wake.data = p;
	ev_async_start(loop, &p->wake);
	ev_unref(loop);		/* an idle pool does not keep the loop alive */
	ev_prepare_init(&p->publish, pool_publish_cb);
	p->publish.data = p;
	ev_prepare_start(loop, &p->publish);
	ev_unref(loop);
	p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
	for (int i = 0; i < nthreads; i++)
		if (thread_create_named(&p->threads[p->nthreads], "mgr-pool", pool_worker,
		    p) == 0)
			p->nthreads++;
	if (p->nthreads == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

void
pool_submit(struct pool *p, struct pool_job *job)
{
	job->next = NULL;
	p->pending++;
	if (p->out_tail != NULL)
		p->out_tail->next = job;
	else
		p->out = job;
	p->out_tail = job;
	p->nout++;
}

/* Before the loop sleeps: this iteration's jobs go to the workers. */
static void
pool_publish(struct pool *p)
{
	int wake;

	if (p->out == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->todo_tail != NULL)
		p->todo_tail->next = p->out;
	else
		p->todo = p->out;
	p->todo_tail = p->out_tail;
	p->ntodo += p->nout;
	/* Busy workers find the jobs when they come back for more. */
	wake = p->idle < p->nout ? p->idle : p->nout;
	if (wake >= p->nthreads)
		pthread_cond_broadcast(&p->work_cond);
	else
		while (wake-- > 0)
			pthread_cond_signal(&p->work_cond);
	pthread_mutex_unlock(&p->lock);
	p->out = p->out_tail = NULL;
	p->nout = 0;
}

static void
pool_publish_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	pool_publish(w->data);
}

int
pool_pending(const struct pool *p)
{
	return p->pending;
}

void
pool_free(struct pool *p)
{
	struct pool_job *left, *next;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	left = p->todo;
	if (p->todo_tail != NULL)
		p->todo_tail->next = p->out;
	else
		left = p->out;
	p->todo = p->todo_tail = p->out = p->out_tail = NULL;
	p->ntodo = p->nout = 0;
	pthread_cond_broadcast(&p->work_cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pool_drain(p, 0);
	for (; left != NULL; left = next) {
		next = left->next;
		left->result = -1;
		p->pending--;
		left->done(left);
	}
	ev_ref(p->loop);
	ev_async_stop(p->loop, &p->wake);
	ev_ref(p->loop);
	ev_prepare_stop(p->loop, &p->publish);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work_cond);
	free(p->threads);
	free(p);
}
