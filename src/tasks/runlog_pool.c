/* runlog_pool.c - run log files made ahead by a thread (runlog_pool.h). */
#include "runlog.h"
#include "runlog_pool.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct runlog_pool {
	char *logs_dir;
	pthread_mutex_t mu;
	pthread_cond_t want;		/* the thread: make more, or stop */
	/* Under mu: the files made, a ring of open descriptors and the
	 * numbers that name them in dir. */
	int fds[RUNLOG_POOL_MAX];
	unsigned seqs[RUNLOG_POOL_MAX];
	size_t head, n;
	int dirfd;			/* the pool's folder; -1 until made */
	int stop, failed;
	/* The thread's own. */
	char *dir;
	unsigned next_seq;
	/* The loop's. */
	pthread_t thread;
	int started;
};

struct runlog_pool *
runlog_pool_new(const char *logs_dir)
{
	struct runlog_pool *p = xcalloc(1, sizeof *p);

	p->logs_dir = xstrdup(logs_dir);
	p->dirfd = -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->want, NULL);
	return p;
}

/* "PID.XXXXXX": the pid of the process whose pool it is; 0 otherwise. */
static long
pool_dir_pid(const char *name)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(name, &end, 10);
	return errno == 0 && end != name && *end == '.' && pid > 0 ? pid : 0;
}

void
runlog_pool_sweep(const char *logs_dir)
{
	char *top = xasprintf("%s/.pool", logs_dir);
	DIR *d = opendir(top);
	struct dirent *e;
	char *path;
	long pid;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if ((pid = pool_dir_pid(e->d_name)) == 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* not a pool, or its process lives */
		path = xasprintf("%s/%s", top, e->d_name);
		rm_rf(path, NULL);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(top);
}

/* logs/.pool/PID.XXXXXX, 0700; its descriptor goes to p->dirfd. */
static int
pool_mkdir(struct runlog_pool *p)
{
	char *top = xasprintf("%s/.pool", p->logs_dir);
	int fd = -1;

	if (mkdir_p(top, 0700, 1, NULL) == 0) {
		p->dir = xasprintf("%s/%ld.XXXXXX", top, (long)getpid());
		if (mkdtemp(p->dir) != NULL)
			fd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		else {
			free(p->dir);
			p->dir = NULL;
		}
	}
	free(top);
	pthread_mutex_lock(&p->mu);
	p->dirfd = fd;
	pthread_mutex_unlock(&p->mu);
	return fd == -1 ? -1 : 0;
}

/* One file of the pool, 0600, the magic written. */
static int
pool_make(int dirfd, unsigned seq)
{
	char name[16];
	int fd;

	snprintf(name, sizeof name, "%u", seq);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1)
		return -1;
	if (write(fd, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN) != RUNLOG_MAGIC_LEN) {
		unlinkat(dirfd, name, 0);
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
	unsigned seq;
	int fd, made;

	runlog_pool_sweep(p->logs_dir);
	made = pool_mkdir(p) == 0;
	pthread_mutex_lock(&p->mu);
	p->failed = !made;
	while (!p->stop && !p->failed) {
		if (p->n == RUNLOG_POOL_MAX) {
			pthread_cond_wait(&p->want, &p->mu);
			continue;
		}
		seq = p->next_seq++;
		pthread_mutex_unlock(&p->mu);
		fd = pool_make(p->dirfd, seq);
		pthread_mutex_lock(&p->mu);
		if (fd == -1) {
			p->failed = 1;
			break;
		}
		p->fds[(p->head + p->n) % RUNLOG_POOL_MAX] = fd;
		p->seqs[(p->head + p->n) % RUNLOG_POOL_MAX] = seq;
		p->n++;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The next file, or -1; starts the thread the first time.  Under mu
 * only for the pop: the loop never waits for a file being made. */
static int
pool_pop(struct runlog_pool *p, unsigned *seq, int *dirfd)
{
	int fd = -1;

	pthread_mutex_lock(&p->mu);
	if (!p->started)
		p->started = pthread_create(&p->thread, NULL, pool_thread,
		    p) == 0;
	if (p->n > 0) {
		fd = p->fds[p->head];
		*seq = p->seqs[p->head];
		p->head = (p->head + 1) % RUNLOG_POOL_MAX;
		if (--p->n == RUNLOG_POOL_MAX / 2)
			pthread_cond_signal(&p->want);
		*dirfd = p->dirfd;
	}
	pthread_mutex_unlock(&p->mu);
	return fd;
}

int
runlog_pool_take(struct runlog_pool *p, const char *dir, const char *path)
{
	char name[16];
	unsigned seq;
	int fd, dirfd;

	if (p == NULL || (fd = pool_pop(p, &seq, &dirfd)) == -1)
		return -1;
	snprintf(name, sizeof name, "%u", seq);
	if (renameat(dirfd, name, AT_FDCWD, path) == 0)
		return fd;
	/* The task's first log, or its folder pruned since its last. */
	if (errno == ENOENT && mkdir_p(dir, 0700, 1, NULL) == 0 &&
	    renameat(dirfd, name, AT_FDCWD, path) == 0)
		return fd;
	unlinkat(dirfd, name, 0);
	close(fd);
	return -1;
}

void
runlog_pool_free(struct runlog_pool *p)
{
	char name[16];

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->want);
	pthread_mutex_unlock(&p->mu);
	if (p->started)
		pthread_join(p->thread, NULL);
	for (; p->n > 0; p->n--, p->head = (p->head + 1) % RUNLOG_POOL_MAX) {
		snprintf(name, sizeof name, "%u", p->seqs[p->head]);
		unlinkat(p->dirfd, name, 0);
		close(p->fds[p->head]);
	}
	if (p->dirfd != -1)
		close(p->dirfd);
	if (p->dir != NULL) {
		rmdir(p->dir);
		*strrchr(p->dir, '/') = '\0';
		rmdir(p->dir);		/* .pool, when no other pool is there */
	}
	pthread_cond_destroy(&p->want);
	pthread_mutex_destroy(&p->mu);
	free(p->dir);
	free(p->logs_dir);
	free(p);
}
