/* pool.c - worker threads; results return through ev_async. */
#include "pool.h"
#include "util.h"

#include <ev.h>
#include <pthread.h>
#include <stdlib.h>

struct pool {
	struct ev_loop *loop;
	ev_async wake;
	pthread_mutex_t lock;
	pthread_cond_t work_cond;
	struct pool_job *todo, *todo_tail;	/* FIFO */
	struct pool_job *done;			/* LIFO, reversed on drain */
	int stopping;
	int idle;				/* workers waiting for work */
	int pending;				/* loop thread only */
	int nthreads;
	pthread_t *threads;
};

static struct pool_job *
pool_take(struct pool *p)
{
	struct pool_job *job;

	pthread_mutex_lock(&p->lock);
	while (p->todo == NULL && !p->stopping) {
		p->idle++;
		pthread_cond_wait(&p->work_cond, &p->lock);
		p->idle--;
	}
	job = p->todo;
	if (job != NULL) {
		p->todo = job->next;
		if (p->todo == NULL)
			p->todo_tail = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return job;
}

static void
pool_give_back(struct pool *p, struct pool_job *job)
{
	int first;

	pthread_mutex_lock(&p->lock);
	first = p->done == NULL;
	job->next = p->done;
	p->done = job;
	pthread_mutex_unlock(&p->lock);
	/* One wake-up per batch: the loop drains the whole queue. */
	if (first)
		ev_async_send(p->loop, &p->wake);
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct pool_job *job;

	while ((job = pool_take(p)) != NULL) {
		job->result = job->work(job);
		pool_give_back(p, job);
	}
	return NULL;
}

static void
pool_drain(struct pool *p)
{
	struct pool_job *list, *rev = NULL, *next;

	pthread_mutex_lock(&p->lock);
	list = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->lock);
	for (; list != NULL; list = next) {
		next = list->next;
		list->next = rev;
		rev = list;
	}
	for (; rev != NULL; rev = next) {
		next = rev->next;
		p->pending--;
		rev->done(rev);
	}
}

static void
pool_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	pool_drain(w->data);
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
	p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_worker, p) == 0)
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
	pthread_mutex_lock(&p->lock);
	if (p->todo_tail != NULL)
		p->todo_tail->next = job;
	else
		p->todo = job;
	p->todo_tail = job;
	/* Busy workers find the job when they come back for more. */
	if (p->idle > 0)
		pthread_cond_signal(&p->work_cond);
	pthread_mutex_unlock(&p->lock);
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
	p->todo = p->todo_tail = NULL;
	pthread_cond_broadcast(&p->work_cond);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pool_drain(p);
	for (; left != NULL; left = next) {
		next = left->next;
		left->result = -1;
		p->pending--;
		left->done(left);
	}
	ev_ref(p->loop);
	ev_async_stop(p->loop, &p->wake);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work_cond);
	free(p->threads);
	free(p);
}
