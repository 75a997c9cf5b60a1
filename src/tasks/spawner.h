/* spawner.h - exec: runs spawned by two threads, off the engine's loop.
 *
 * posix_spawn blocks its caller until the child has run its file
 * actions and exec'd (vfork), and that child closes every descriptor of
 * the engine one by one (close_range): at 800 runs/s perf saw the loop's
 * clone3 at 20 % of its samples and the blocked children's time, before
 * their exec, above the loop's own (BENCHMARKS.md, issue 18).  So the
 * loop hands a run's argv and environment to these threads, which make
 * the pipes (and the run log's socket), spawn, and hand back
 * the pid and the descriptors through a locked queue and one ev_async.
 * The child is the process's child as before: the loop reaps it with
 * ev_child (runner.c, which also catches a child reaped before its
 * spawn was handed back).
 */
#ifndef MGR_SPAWNER_H
#define MGR_SPAWNER_H

#include <stdint.h>
#include <sys/types.h>
#include "error.h"

struct ev_loop;
struct spawner;

struct spawn_req {
	/* Asked: the loop's, read by the thread. */
	char **argv;			/* owned */
	char **envp;			/* owned; NULL: the engine's */
	int log;			/* the run log's socket too */
	void *arg;			/* the caller's */
	/* Answered by the thread. */
	int rc;				/* 0, or a MGR_E* code and err */
	struct mgr_error err;
	pid_t pid;
	int fd, efd, usage_fd;		/* stdout, stderr, manager-exec's usage */
	int log_sock;			/* -1 without log */
	int64_t started_at;		/* Unix µs, just before the spawn */
	int answered;			/* under the spawner's lock */
	struct spawn_req *next;
};

typedef void (*spawn_done_fn)(struct spawn_req *rq, void *arg);

/* The threads start with the first request; done runs on the loop, in
 * the order asked. */
struct spawner *spawner_new(struct ev_loop *loop, spawn_done_fn done,
			    void *arg);
/* Queues rq (loop thread); its answer comes to done, never now. */
void spawner_submit(struct spawner *s, struct spawn_req *rq);
/* Requests handed but not answered yet. */
int spawner_pending(const struct spawner *s);
/* After every request is answered: stops the threads. */
void spawner_free(struct spawner *s);
/* The request's strings and itself. */
void spawn_req_free(struct spawn_req *rq);

#endif
