/* spawner.c - exec: runs spawned by a thread (spawner.h). */
#include "i18n.h"
#include "sandbox.h"
#include "spawner.h"
#include "util.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

/* Spawning threads.  A posix_spawn holds its thread until the child has
 * copied the engine's descriptor table, closed what it must not keep
 * and called exec (0.5-1 ms here): 100 runs due in the same millisecond
 * waited up to 100 of those one after another (issue 19's start lag).
 * Two take them two at a time, one per core of a small machine. */
#define SPAWN_THREADS 2
/* ... and above the engine's priority, by this many steps of nice (to
 * -20 at most), where the engine may raise a thread's (root,
 * CAP_SYS_NICE; refused, they spawn at the engine's, as before).  The
 * children of a burst's first spawns, at the engine's priority, took
 * the CPU the spawns of the rest waited for: under load, a spawn that
 * costs 0.4 ms of the thread's CPU took 53 ms (median) and the last of
 * a burst of 100 waited seconds (BENCHMARKS.md, lag38).  The child is
 * born at the thread's priority, so its spawn's own work (the file
 * actions, exec) runs boosted too; manager-exec puts itself back at its
 * parent's, the engine's, as its first instruction. */
#define SPAWN_BOOST 20

struct spawner {
	struct ev_loop *loop;
	spawn_done_fn done;
	void *arg;
	ev_async answered;
	pthread_mutex_t mu;
	pthread_cond_t asked;
	/* Under mu: the requests in order, not taken yet; then those taken,
	 * still in order, answered or not: answers go to the loop in the
	 * order asked (the runner matches early exits by it), each once
	 * every request before it is answered too. */
	struct spawn_req *todo, **todo_tail, *taken, **taken_tail;
	int stop;
	/* The loop's. */
	pthread_t thread[SPAWN_THREADS];
	int started, pending;	/* started: threads running */
};

/* The socket on which the engine hands manager-exec the run log, with
 * the page where the helper keeps how far it wrote (made then, by
 * runner.c: most runs are never handed over); *sock is the engine's end,
 * pass[0] the child's. */
static int
log_fds(int *sock, int pass[2], struct mgr_error *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return mgr_error_set(err, MGR_EIO,
		    _("cannot make the run log's socket: %s"), strerror(errno));
	*sock = sv[0];
	pass[0] = sv[1];
	pass[1] = -1;
	return 0;
}

/* One request, on the thread. */
static void
spawn_one(struct spawn_req *rq)
{
	int sock = -1, pass[2] = { -1, -1 };

	rq->fd = rq->efd = rq->usage_fd = rq->log_sock = -1;
	if (rq->log && (rq->rc = log_fds(&sock, pass, &rq->err)) != 0)
		return;
	/* The run starts as its child is created, so its duration is never
	 * shorter than its command's life: read after posix_spawn, a thread
	 * descheduled while the child already ran made a 45 s sleep last
	 * 44.995 s. The start lag still counts the wait for this thread. */
	rq->started_at = mgr_now_us();
	rq->rc = sandbox_spawn_env(rq->argv, rq->envp != NULL ? rq->envp :
	    environ, &rq->pid, &rq->fd, &rq->efd, &rq->usage_fd,
	    rq->log ? pass : NULL, &rq->err);
	if (!rq->log)
		return;
	close(pass[0]);
	if (rq->rc != 0) {
		close(sock);
		return;
	}
	rq->log_sock = sock;
}

/* This thread above the engine (SPAWN_BOOST), if it may be. */
static void
spawner_boost(void)
{
	int base;

	errno = 0;
	base = getpriority(PRIO_PROCESS, (id_t)getpid());
	if (base == -1 && errno != 0)
		return;
	setpriority(PRIO_PROCESS, (id_t)gettid(),
	    base - SPAWN_BOOST < -20 ? -20 : base - SPAWN_BOOST);
}

static void *
spawner_thread(void *arg)
{
	struct spawner *s = arg;
	struct spawn_req *rq;

	spawner_boost();
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->todo == NULL && !s->stop)
			pthread_cond_wait(&s->asked, &s->mu);
		if (s->todo == NULL)
			break;
		rq = s->todo;
		if ((s->todo = rq->next) == NULL)
			s->todo_tail = &s->todo;
		rq->next = NULL;
		*s->taken_tail = rq;
		s->taken_tail = &rq->next;
		pthread_mutex_unlock(&s->mu);
		spawn_one(rq);
		pthread_mutex_lock(&s->mu);
		rq->answered = 1;
		if (s->taken == rq)	/* else the one before tells */
			ev_async_send(s->loop, &s->answered);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The answered requests at the head of the taken list, in the order
 * asked, to done. */
static void
answered_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct spawner *s = w->data;
	struct spawn_req *rq, *next, *ready = NULL, **tail = &ready;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&s->mu);
	while ((rq = s->taken) != NULL && rq->answered) {
		if ((s->taken = rq->next) == NULL)
			s->taken_tail = &s->taken;
		rq->next = NULL;
		*tail = rq;
		tail = &rq->next;
	}
	pthread_mutex_unlock(&s->mu);
	for (rq = ready; rq != NULL; rq = next) {
		next = rq->next;
		if (--s->pending == 0)
			ev_unref(s->loop);
		s->done(rq, s->arg);
	}
}

struct spawner *
spawner_new(struct ev_loop *loop, spawn_done_fn done, void *arg)
{
	struct spawner *s = xcalloc(1, sizeof *s);

	s->loop = loop;
	s->done = done;
	s->arg = arg;
	s->todo_tail = &s->todo;
	s->taken_tail = &s->taken;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->asked, NULL);
	ev_async_init(&s->answered, answered_cb);
	s->answered.data = s;
	ev_async_start(loop, &s->answered);
	ev_unref(loop);	/* only a request waiting keeps the loop running */
	return s;
}

void
spawner_submit(struct spawner *s, struct spawn_req *rq)
{
	if (s->pending++ == 0)
		ev_ref(s->loop);
	rq->next = NULL;
	pthread_mutex_lock(&s->mu);
	while (s->started < SPAWN_THREADS && thread_create_named(
	    &s->thread[s->started], "mgr-spawn", spawner_thread, s) == 0)
		s->started++;
	if (s->started > 0) {
		*s->todo_tail = rq;
		s->todo_tail = &rq->next;
		pthread_cond_signal(&s->asked);
	} else {	/* no thread: spawned here, answered the same way */
		*s->taken_tail = rq;
		s->taken_tail = &rq->next;
		spawn_one(rq);
		rq->answered = 1;
		ev_async_send(s->loop, &s->answered);
	}
	pthread_mutex_unlock(&s->mu);
}

int
spawner_pending(const struct spawner *s)
{
	return s == NULL ? 0 : s->pending;
}

void
spawner_free(struct spawner *s)
{
	if (s == NULL)
		return;
	thread_ask_stop(&s->mu, &s->asked, &s->stop);
	for (int i = 0; i < s->started; i++)
		pthread_join(s->thread[i], NULL);
	if (s->pending == 0)
		ev_ref(s->loop);
	ev_async_stop(s->loop, &s->answered);
	pthread_cond_destroy(&s->asked);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void
spawn_req_free(struct spawn_req *rq)
{
	if (rq == NULL)
		return;
	strv_free(rq->argv);
	strv_free(rq->envp);
	free(rq);
}
