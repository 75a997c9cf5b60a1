/* hostlock.c - one engine host per database: flock on "<db>.lock" and the
 * `host` row that names the holder.
 *
 * The flock is the authority (the kernel drops it when the holder dies,
 * however it dies); the row and the pid written into the lock file are
 * for people and clients: who holds it, since when, of what kind.
 */
#include "i18n.h"
#include "control_store.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static int
host_lock_open(const char *path, struct mgr_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd == -1)
		mgr_error_set(err, MGR_EIO, _("%s: cannot open the host lock: %s"),
		    path, strerror(errno));
	return fd;
}

/* The pid written into the lock file by its holder, 0 if unreadable. */
static int
host_lock_file_pid(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

static int
host_busy_error(struct mgr *mgr, int fd, const char *lock_path,
		struct mgr_error *err)
{
	char *kind = NULL;
	int pid = 0;

	if (host_store_get(mgr->db, &pid, &kind, NULL, NULL, NULL) != 0 ||
	    pid != host_lock_file_pid(fd)) {
		/* The row is written just after the lock is taken; the
		 * lock file's pid is the fresher one. */
		free(kind);
		kind = NULL;
		pid = host_lock_file_pid(fd);
	}
	mgr_error_set(err, MGR_EBUSY,
	    _("%s: another engine host (%s, pid %d) is running on this database "
	      "(lock %s)"), db_path(mgr->db), kind != NULL ? kind : _("starting"),
	    pid, lock_path);
	free(kind);
	return MGR_EBUSY;
}

static void
host_lock_write_pid(int fd, const char *kind)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%ld %s\n", (long)getpid(), kind);

	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n) {
		/* Only informational: the flock itself is what counts. */
	}
}

/* Whether the lock is held only by probes: a shared lock is granted unless
 * a host holds the exclusive one (it then stays ours until converted). */
static int
host_lock_probed_only(int fd)
{
	return flock(fd, LOCK_SH | LOCK_NB) == 0;
}

/* Clients probe for a host with a shared lock held for an instant
 * (host_lock_holder), so a refusal is only believed once it lasts. */
static int
host_lock_take(int fd)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };

	for (int i = 0; i < 50; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		if (!host_lock_probed_only(fd))
			break;
		nanosleep(&pause, NULL);
	}
	errno = EWOULDBLOCK;
	return -1;
}

int
engine_host_acquire(struct mgr *mgr, const char *kind, struct mgr_error *err)
{
	struct host *h;
	char *path;
	int fd, rc;

	if (mgr->host != NULL)
		return mgr_error_set(err, MGR_EBUSY,
		    _("this process already hosts the engine"));
	path = host_lock_path(db_path(mgr->db));
	if ((fd = host_lock_open(path, err)) == -1) {
		free(path);
		return MGR_EIO;
	}
	if (host_lock_take(fd) == -1) {
		rc = errno == EWOULDBLOCK ? host_busy_error(mgr, fd, path, err) :
		    mgr_error_set(err, MGR_EIO, _("%s: cannot lock: %s"), path,
		    strerror(errno));
		close(fd);
		free(path);
		return rc;
	}
	host_lock_write_pid(fd, kind);
	h = xcalloc(1, sizeof *h);
	h->lock_fd = fd;
	h->lock_path = path;
	h->kind = xstrdup(kind);
	h->started_at = mgr_now_us();
	if ((rc = host_store_set(mgr->db, (int)getpid(), kind, h->started_at,
	    err)) != 0) {
		close(fd);
		free(h->kind);
		free(path);
		free(h);
		return rc;
	}
	mgr->host = h;
	return 0;
}

void
engine_host_release(struct mgr *mgr)
{
	struct host *h = mgr->host;

	if (h == NULL)
		return;
	if (mgr->db != NULL)
		host_store_clear(mgr->db, (int)getpid(), NULL);
	if (ftruncate(h->lock_fd, 0) != 0) {
		/* Informational content only; the unlock below matters. */
	}
	close(h->lock_fd);	/* drops the flock */
	free(h->lock_path);
	free(h->kind);
	free(h);
	mgr->host = NULL;
}

int
engine_host_info(struct mgr *mgr, int *pid, char **kind, int64_t *started_at)
{
	struct host *h = mgr->host;
	int64_t at = 0;
	char *k = NULL;
	int p = 0;

	if (h != NULL) {
		p = (int)getpid();
		k = xstrdup(h->kind);
		at = h->started_at;
	} else {
		if (!host_lock_held(mgr->conf->database))
			return MGR_ENOENT;
		if (mgr->db != NULL)
			host_store_get(mgr->db, &p, &k, &at, NULL, NULL);
	}
	if (pid != NULL)
		*pid = p;
	if (started_at != NULL)
		*started_at = at;
	if (kind != NULL)
		*kind = k;
	else
		free(k);
	return 0;
}
