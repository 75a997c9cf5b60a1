/* pool.h - the worker-thread pool for in-process runs (sandboxing = false).
 *
 * The loop thread submits jobs; workers run them; finished jobs go back to
 * the loop through a locked queue and one ev_async, where their `done`
 * callbacks run, in the order the jobs finished, for at most 2 ms an
 * iteration (the rest in the next: the loop never stalls on a backlog
 * of them).  Workers never touch engine state: a job carries all it
 * needs.  Cancellation is cooperative (the job's own business).
 */
#ifndef MGR_POOL_H
#define MGR_POOL_H

struct ev_loop;
struct pool;

struct pool_job {
	int (*work)(struct pool_job *job);	/* on a worker thread */
	void (*done)(struct pool_job *job);	/* on the loop thread */
	int result;				/* work's return value */
	struct pool_job *next;			/* the pool's queues */
};

/* Starts nthreads workers; returns NULL if none could start. */
struct pool *pool_new(struct ev_loop *loop, int nthreads);
/* Queues a job (loop thread); the workers get this iteration's jobs
 * together when the loop next prepares to sleep (ev_prepare). */
void pool_submit(struct pool *p, struct pool_job *job);
/* Jobs submitted and not yet done. */
int pool_pending(const struct pool *p);
/* Stops the workers after the jobs they are running return (queued jobs
 * that never started get done with result -1), joins them, frees. */
void pool_free(struct pool *p);

#endif
