/* runlog_pool.c - run log files made ahead by a thread (runlog_pool.h). */
#include "i18n.h"		/* config.h: O_TMPFILE */
#include "runlog.h"
#include "runlog_pool.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct runlog_pool {
	char *logs_dir;
	pthread_mutex_t mu;
	pthread_cond_t want;		/* the thread: make more, or stop */
	/* Under mu: the files made, a ring of open descriptors. */
	int fds[RUNLOG_POOL_MAX];
	size_t head, n;
	int stop;
	int failed;			/* no more files: made or named */
	/* The loop's. */
	pthread_t thread;
	int started;
};

struct runlog_pool *
runlog_pool_new(const char *logs_dir)
{
	struct runlog_pool *p = xcalloc(1, sizeof *p);

	p->logs_dir = xstrdup(logs_dir);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->want, NULL);
	return p;
}

/* One file of the pool: no name, 0600, the magic written. */
static int
pool_make(const char *logs_dir)
{
	int fd = open(logs_dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

	if (fd == -1)
		return -1;
	if (write(fd, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN) != RUNLOG_MAGIC_LEN) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Keeps the pool full: woken when the loop took it down to half.  A
 * file that cannot be made ends the thread (p->failed): the loop makes
 * its files itself, and says why when it cannot either. */
static void *
pool_thread(void *arg)
{
	struct runlog_pool *p = arg;
	int rc = mkdir_p(p->logs_dir, 0700, 1, NULL), fd;

	pthread_mutex_lock(&p->mu);
	p->failed = rc != 0;
	while (!p->stop && !p->failed) {
		if (p->n == RUNLOG_POOL_MAX) {
			pthread_cond_wait(&p->want, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		fd = pool_make(p->logs_dir);
		pthread_mutex_lock(&p->mu);
		if (fd == -1) {
			p->failed = 1;
			break;
		}
		p->fds[(p->head + p->n) % RUNLOG_POOL_MAX] = fd;
		p->n++;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The next file, or -1; starts the thread the first time.  Under mu
 * only for the pop: the loop never waits for a file being made. */
static int
pool_pop(struct runlog_pool *p)
{
	int fd = -1, e = ENOTSUP;

	pthread_mutex_lock(&p->mu);
	if (!p->started)
		p->started = thread_create_named(&p->thread, "mgr-logfiles",
		    pool_thread, p) == 0;
	if (p->n > 0 && !p->failed) {
		fd = p->fds[p->head];
		p->head = (p->head + 1) % RUNLOG_POOL_MAX;
		if (--p->n == RUNLOG_POOL_MAX / 2)
			pthread_cond_signal(&p->want);
	} else if (!p->failed && p->started)
		e = EAGAIN;	/* the thread is making them */
	pthread_mutex_unlock(&p->mu);
	if (fd == -1)
		errno = e;
	return fd;
}

/* Gives fd the name path; errno when it cannot. */
static int
pool_link(int fd, const char *path)
{
	char proc[32];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 ?
	    0 : errno;
}

int
runlog_pool_take(struct runlog_pool *p, const char *dir, const char *path)
{
	int fd, e;

	if (p == NULL) {
		errno = ENOTSUP;
		return -1;
	}
	if ((fd = pool_pop(p)) == -1)
		return -1;
	/* ENOENT: the task's first log, or its folder pruned since. */
	if ((e = pool_link(fd, path)) == ENOENT &&
	    mkdir_p(dir, 0700, 1, NULL) == 0)
		e = pool_link(fd, path);
	if (e == 0)
		return fd;
	close(fd);
	if (e != EEXIST) {	/* no /proc, another file system: stop */
		pthread_mutex_lock(&p->mu);
		p->failed = 1;
		pthread_mutex_unlock(&p->mu);
	}
	errno = e == EAGAIN ? EIO : e;	/* not "ask again" */
	return -1;
}

void
runlog_pool_free(struct runlog_pool *p)
{
	if (p == NULL)
		return;
	thread_ask_stop(&p->mu, &p->want, &p->stop);
	if (p->started)
		pthread_join(p->thread, NULL);
	for (; p->n > 0; p->n--, p->head = (p->head + 1) % RUNLOG_POOL_MAX)
		close(p->fds[p->head]);
	pthread_cond_destroy(&p->want);
	pthread_mutex_destroy(&p->mu);
	free(p->logs_dir);
	free(p);
}
